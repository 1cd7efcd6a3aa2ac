"""The gan-lab command line: one-line errors, exit codes, a tiny training run."""

import re

import numpy as np
import pandas as pd
import pytest

from gan_lab import rundir
from gan_lab.cli import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    build_parser,
    config_from_args,
    main,
)
from gan_lab.distributions import Normal


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--std", "-2"],
            "std must be a finite number > 0 in every dimension, got -2.0",
        ),
        (["--dim", "0"], "dim must be an integer >= 1, got 0"),
        (["--mean", "nan"], "mean must be a finite number in every dimension, got nan"),
        (["--noise", "cauchy"], "noise must be one of normal, uniform, got 'cauchy'"),
        (["--epochs", "-1"], "epochs must be an integer >= 0, got -1"),
        (["--batch-size", "big"], "argument --batch-size: invalid int value: 'big'"),
        (["--preset", "fast"], "preset must be one of lab, classic, got 'fast'"),
        (["--std", "1,2"], r"one value per dimension \(20\), got shape \(2,\)"),
    ],
)
def test_train_rejects_bad_arguments_in_one_line(args, message, tmp_path, capsys):
    """Bad arguments print one line naming the value, and exit 2 without a traceback."""
    status = main(["train", *args, "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE
    assert err.count("\n") == 1 and err.startswith("gan-lab: error: "), err
    assert re.search(message, err), err
    assert not (tmp_path / "run").exists()


def test_missing_subcommand_is_a_one_line_error(capsys):
    """No subcommand is a usage error, not a traceback."""
    assert main([]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith("gan-lab: error:")


def test_options_map_onto_config_fields():
    """Every option given becomes the config field of the same name."""
    args = build_parser().parse_args(
        [
            "train",
            "--preset",
            "classic",
            "--dim",
            "3",
            "--mean",
            "1,2,3",
            "--std",
            "2",
            "--noise",
            "uniform",
            "--generator-widths",
            "32,16",
            "--seed",
            "7",
            "--out",
            "x",
        ]
    )
    config = config_from_args(args)
    assert config.preset == "classic" and config.dim == 3
    assert config.mean == (1.0, 2.0, 3.0) and config.generator_widths == (32, 16)
    assert config.noise == "uniform" and config.seed == 7


@pytest.mark.smoke
def test_train_prints_one_line_per_epoch_and_resumes(tmp_path, capsys):
    """A tiny run prints epoch lines, writes the run, and --resume finishes it."""
    out = tmp_path / "run"
    args = [
        "train",
        "--dim",
        "2",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "200",
        "--eval-samples",
        "100",
        "--final-samples",
        "200",
        "--out",
        str(out),
    ]
    assert main(args) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("epoch")] == [
        "0/2",
        "1/2",
        "2/2",
    ]
    assert "acc real" in lines[1] and "d_loss" in lines[1]
    assert list(pd.read_csv(out / rundir.HISTORY)["epoch"]) == [0, 1, 2]

    # Resuming a finished run trains nothing more and keeps the history.
    assert main([*args, "--resume"]) == EXIT_OK
    assert list(pd.read_csv(out / rundir.HISTORY)["epoch"]) == [0, 1, 2]

    # Training again into the same directory without --resume is refused.
    assert main(args) == EXIT_USAGE
    assert "already holds a run" in capsys.readouterr().err


@pytest.fixture
def samples_file(tmp_path):
    """Write samples as .npy and .csv; returns a function of (name, array)."""

    def write(name, array):
        path = tmp_path / name
        if path.suffix == ".npy":
            np.save(path, array)
        else:
            np.savetxt(path, array, delimiter=",", header="a,b,c", comments="")
        return str(path)

    return write


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_check_exits_0_on_target_samples_and_1_on_wrong_ones(
    samples_file, suffix, capsys
):
    """`gan-lab check` passes exact samples and fails shifted ones, with a table."""
    target = Normal(3, -5.0, 2.0)
    good = samples_file("good" + suffix, target.sample(5000, seed=1))
    bad = samples_file("bad" + suffix, target.sample(5000, seed=2) + 1.0)
    args = ["--dim", "3", "--mean", "-5", "--std", "2"]
    assert main(["check", good, *args]) == EXIT_OK
    assert "battery verdict: PASS" in capsys.readouterr().out
    assert main(["check", bad, *args]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "battery verdict: FAIL" in out and "mean" in out


@pytest.mark.parametrize(
    ("array", "args", "message"),
    [
        (np.ones((100, 3)), ["--dim", "2"], "samples have 3 columns but --dim is 2"),
        (np.full((5000, 2), np.nan), ["--dim", "2"], "finite"),
        (np.ones((10, 2)), ["--dim", "2"], "too few"),
        (np.ones((100, 2)), ["--dim", "2", "--false-fail-rate", "2"], "(0, 1)"),
    ],
)
def test_check_rejects_bad_input_with_exit_2(
    samples_file, array, args, message, capsys
):
    """Bad samples or options give one line on stderr and exit status 2."""
    path = samples_file("x.npy", array)
    assert main(["check", path, *args]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


@pytest.mark.smoke
def test_study_and_report_at_a_tiny_budget(tmp_path, capfd):
    """`study` trains both exercises and writes the report; `report` rebuilds it."""
    out = tmp_path / "study"
    args = [
        "study",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "50",
        "--presets",
        "lab",
        "--out",
        str(out),
    ]
    assert main(args) == EXIT_OK
    printed = capfd.readouterr().out
    assert "exercise1 took" in printed and "exercise2 took" in printed
    markdown = (out / "report.md").read_text()
    assert "Exercise 1: can a GAN learn" in markdown
    assert "data:image/png;base64" in (out / "report.html").read_text()
    runs = sorted((out / "runs").iterdir())
    assert [run.name for run in runs] == ["exercise1-lab-seed0", "exercise2-lab-seed0"]

    # Started again, the study reuses its finished runs instead of retraining.
    assert main(args) == EXIT_OK
    assert printed.count("training lab preset") == 2
    assert "reusing the finished run" in capfd.readouterr().out

    rebuilt = tmp_path / "rebuilt"
    assert main(["report", *map(str, runs), "--out", str(rebuilt)]) == EXIT_OK
    assert "Exercise 2: can a GAN learn" in (rebuilt / "report.md").read_text()
