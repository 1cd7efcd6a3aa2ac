"""Unit tier: the report is built from run directories written without training."""

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from gan_lab import rundir
from gan_lab.battery import battery_checks
from gan_lab.config import LAB, TrainConfig, preset
from gan_lab.document import Paragraph, table, to_html, to_markdown
from gan_lab.report import build_report
from gan_lab.summary import (
    Run,
    answer,
    exercise_of,
    group_runs,
    load_run,
    outcome,
    question,
)

EPOCHS = 3
# Enough values for every check of the battery at dim 20, few enough to stay fast.
FINAL_SAMPLES = 1000
EXERCISE_1 = (
    "Exercise 1: can a GAN learn a 20-dimensional normal with mean -5 and std 2 "
    "from standard normal noise?"
)
TIMING = 12.5
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def write_fake_run(
    directory: Path,
    config: TrainConfig,
    spread: float = 1.0,
    shift: float = 0.0,
) -> Path:
    """Write a finished run directory without training.

    The samples are the target's, with their spread scaled by ``spread`` and their
    mean moved by ``shift`` true sds; the discriminator outputs are uniform, so its
    accuracy is near one half.
    """
    target = config.target
    rng = np.random.default_rng(config.seed)
    rows = []
    for epoch in range(config.epochs + 1):
        progress = epoch / config.epochs
        means = (target.mean + shift * target.std) * progress
        stds = 1.0 + (spread * target.std - 1.0) * progress
        row = {
            "epoch": epoch,
            "step": epoch * config.steps_per_epoch,
            "mean": means.mean(),
            "std": stds.mean(),
            "acc_real": 0.9 - 0.4 * progress,
            "acc_fake": 0.8 - 0.3 * progress,
            "d_loss": 1.3,
            "g_loss": 0.7,
            "d_loss_train": np.nan if epoch == 0 else 1.3,
            "g_loss_train": np.nan if epoch == 0 else 0.7,
            "seconds": 2.0 * epoch,
        }
        row["acc"] = (row["acc_real"] + row["acc_fake"]) / 2
        row |= {f"mean_{i}": value for i, value in enumerate(means)}
        row |= {f"std_{i}": value for i, value in enumerate(stds)}
        rows.append(row)
    z = rng.standard_normal((config.final_samples, target.dim))
    samples = target.mean + target.std * (shift + spread * z)
    outputs = {
        "real": rng.uniform(size=config.final_samples),
        "fake": rng.uniform(size=config.final_samples),
    }
    rundir.write_json(directory / rundir.CONFIG, config.to_dict())
    rundir.write_history(directory / rundir.HISTORY, pd.DataFrame(rows))
    rundir.write_array(directory / rundir.SAMPLES, samples.astype(np.float32))
    rundir.write_arrays(directory / rundir.DISCRIMINATOR, outputs)
    return directory


def small(name: str, seed: int, **changes) -> TrainConfig:
    """A preset with a tiny budget."""
    return preset(
        name,
        seed=seed,
        epochs=EPOCHS,
        steps_per_epoch=10,
        eval_samples=200,
        final_samples=FINAL_SAMPLES,
        **changes,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Exercise 1 with two learned lab runs, a collapsed and a shifted classic run."""
    root = tmp_path_factory.mktemp("study")
    runs = root / "runs"
    run_dirs = [
        write_fake_run(runs / "exercise1-lab-seed0", small("lab", 0)),
        write_fake_run(runs / "exercise1-lab-seed1", small("lab", 1)),
        write_fake_run(runs / "exercise1-classic-seed0", small("classic", 0), 0.5),
        write_fake_run(
            runs / "exercise1-classic-seed1", small("classic", 1), shift=0.5
        ),
    ]
    out = root / "report"
    path = build_report(run_dirs, out, timings={"exercise1": TIMING})
    return {
        "path": path,
        "out": out,
        "run_dirs": run_dirs,
        "markdown": path.read_text(),
        "html": (out / "report.html").read_text(),
        "summary": json.loads((out / "summary.json").read_text()),
    }


def test_report_writes_markdown_html_summary_and_histories(built):
    """Every output file exists; each history is copied unchanged as CSV."""
    out = built["out"]
    assert built["path"] == out / "report.md"
    for name in ("report.md", "report.html", "summary.json"):
        assert (out / name).is_file(), name
    for run_dir in built["run_dirs"]:
        copy = out / "histories" / f"{run_dir.name}.csv"
        pd.testing.assert_frame_equal(
            pd.read_csv(copy), pd.read_csv(run_dir / rundir.HISTORY)
        )


def test_report_states_the_question_worded_from_the_config(built):
    """The question of Exercise 1 names the dimension, moments and noise."""
    assert EXERCISE_1 in built["markdown"]


def test_report_gives_the_configuration_side_by_side(built):
    """The config table has one column per preset; differing fields are marked."""
    markdown = built["markdown"]
    assert "| field | classic | lab |" in markdown
    assert f"| **ema_decay** | 0 | {LAB.ema_decay:g} |" in markdown
    assert "| `dim` | 20 | 20 |" in markdown
    assert "| seeds | 0, 1 | 0, 1 |" in markdown


def test_report_holds_the_battery_verdict_table_of_every_check(built):
    """The verdict table lists each check the battery ran, with a result."""
    markdown = built["markdown"]
    header = "| check | result | statistic | value | pass if | rate | detail |"
    assert markdown.count(header) == 2
    for name in battery_checks(TrainConfig().dim, with_discriminator=True):
        assert f"| `{name}` |" in markdown, name


def test_answers_agree_with_the_verdicts(built):
    """Lab learned the target: Yes; classic collapsed and shifted: No, with checks."""
    markdown = built["markdown"]
    lab = re.search(r"\*\*Answer, lab preset\.\*\* (.+)", markdown).group(1)
    classic = re.search(r"\*\*Answer, classic preset\.\*\* (.+)", markdown).group(1)
    assert lab.startswith("Yes: 2 of 2 seeds passed every check")
    assert classic.startswith("No: 0 of 2 seeds passed every check")
    # A collapsed sample fails the std check; a shifted one fails the mean check.
    assert "std (1/2)" in classic and "mean (1/2)" in classic
    presets = built["summary"]["groups"][0]["presets"]
    assert presets["lab"]["answer"] == lab
    assert presets["classic"]["answer"] == classic


def test_image_links_point_to_existing_figures(built):
    """Every Markdown image link is relative to report.md and its PNG exists."""
    links = IMAGE_LINK.findall(built["markdown"])
    # Five figures per preset, the comparison and the success rates.
    assert len(links) == 2 * 5 + 2
    for link in links:
        assert not Path(link).is_absolute()
        assert link.startswith("figures/")
        assert (built["out"] / link).read_bytes().startswith(b"\x89PNG")


def test_html_is_self_contained(built):
    """The HTML embeds every image as base64 PNG and loads nothing from outside."""
    html = built["html"]
    assert html.count('src="data:image/png;base64,') == len(
        IMAGE_LINK.findall(built["markdown"])
    )
    assert "<script" not in html and "<link" not in html
    assert 'src="http' not in html and 'src="figures/' not in html
    assert EXERCISE_1 in html


def test_summary_json_gives_success_rates_and_intervals(built):
    """summary.json has each preset's success rate, Clopper-Pearson CI and metrics."""
    (group,) = built["summary"]["groups"]
    assert group["key"] == "exercise1"
    assert group["question"] == EXERCISE_1
    assert group["seconds"] == TIMING
    lab, classic = group["presets"]["lab"], group["presets"]["classic"]
    assert (lab["successes"], lab["runs"], lab["success_rate"]) == (2, 2, 1.0)
    assert lab["ci_low"] == pytest.approx(0.158, abs=1e-3)
    assert lab["ci_high"] == 1.0
    assert classic["success_rate"] == 0.0
    assert classic["metrics"]["std_ratio_min"] < 0.6
    assert classic["metrics"]["worst_mean_error_sd_max"] > 0.4


def test_report_shows_timings(built):
    """Training seconds from the histories and the caller's timing appear."""
    markdown = built["markdown"]
    assert f"Wall-clock time of the whole group: {TIMING:.1f} s." in markdown
    assert "| exercise1 | 12.5 |" in markdown
    # Four runs of EPOCHS epochs at two fake seconds each.
    assert f"{4 * 2.0 * EPOCHS:.1f} s" in markdown


def test_load_run_reads_a_stored_verdict(tmp_path):
    """A run's verdict.json is used as is, not recomputed."""
    run_dir = write_fake_run(tmp_path / "run", small("lab", 0))
    stored = {
        "passed": False,
        "false_fail_rate": 0.01,
        "checks": [{"name": "tails", "passed": False}],
    }
    rundir.write_json(run_dir / rundir.VERDICT, stored)
    run = load_run(run_dir)
    assert run.verdict == stored
    assert run.failed_checks == ["tails"]


def test_load_run_rejects_an_unfinished_run(tmp_path):
    """A directory without samples is a ValueError naming the missing file."""
    rundir.write_json(tmp_path / rundir.CONFIG, small("lab", 0).to_dict())
    with pytest.raises(ValueError, match=r"samples\.npy"):
        load_run(tmp_path)


def test_build_report_needs_a_run(tmp_path):
    """An empty list of runs is a ValueError."""
    with pytest.raises(ValueError, match="run_dirs"):
        build_report([], tmp_path)


def test_runs_are_grouped_by_exercise_and_preset():
    """Uniform noise is Exercise 2; another target or noise makes a custom group."""
    assert exercise_of(preset("lab", noise="normal")) == ("exercise1", "Exercise 1")
    assert exercise_of(preset("classic", noise="uniform")) == (
        "exercise2",
        "Exercise 2",
    )
    custom = TrainConfig(dim=3, mean=(0.0, 1.0, 2.0), noise="uniform", noise_dim=2)
    key, title = exercise_of(custom)
    assert key.startswith("custom-") and title.startswith("Custom")
    assert question(custom) == (
        "can a GAN learn a 3-dimensional normal with per-dimension means 0..2 and "
        "std 2 from 2-dimensional uniform noise on [0, 1)?"
    )
    runs = [
        fake_run(TrainConfig(noise=n, seed=s))
        for n in ("uniform", "normal")
        for s in (1, 0)
    ]
    groups = group_runs(runs)
    assert [g.key for g in groups] == ["exercise1", "exercise2"]
    assert [r.config.seed for r in groups[0].runs["custom"]] == [0, 1]


def test_custom_targets_with_equal_ranges_are_different_groups():
    """Per-dimension targets that share their ranges still get their own group."""
    first = TrainConfig(dim=3, mean=(0.0, 1.0, 2.0))
    second = TrainConfig(dim=3, mean=(0.0, 2.0, 2.0))
    assert exercise_of(first)[0] != exercise_of(second)[0]
    assert len(group_runs([fake_run(first), fake_run(second)])) == 2


def test_html_escapes_text_and_renders_the_inline_markup():
    """Text is escaped for HTML; **bold** and `code` become tags; pipes survive."""
    blocks = [
        Paragraph("a <b> & **strong** `code`"),
        table(("check", "pass if"), [("`mean`", "|shift| <= 0.1")]),
    ]
    html = to_html(blocks, "t")
    assert "a &lt;b&gt; &amp; <strong>strong</strong> <code>code</code>" in html
    assert "<td>|shift| &lt;= 0.1</td>" in html
    assert "| `mean` | \\|shift\\| <= 0.1 |" in to_markdown(blocks)


def fake_run(config: TrainConfig, failed: tuple[str, ...] = ()) -> Run:
    """A run in memory whose verdict failed exactly the named checks."""
    checks = [
        {"name": name, "passed": name not in failed}
        for name in ("mean", "std", "tails")
    ]
    return Run(
        name=f"seed{config.seed}",
        path=Path("."),
        config=config,
        history=pd.DataFrame({"seconds": [0.0]}),
        samples=np.zeros((2, config.dim)),
        discriminator_real=np.full(2, 0.5),
        discriminator_fake=np.full(2, 0.5),
        verdict={"checks": checks, "false_fail_rate": 0.01},
    )


def test_answer_is_partly_and_names_the_failed_checks_most_frequent_first():
    """Some seeds passing gives "Partly", with failed checks counted over seeds."""
    runs = [
        fake_run(TrainConfig(seed=0)),
        fake_run(TrainConfig(seed=1), failed=("tails",)),
        fake_run(TrainConfig(seed=2), failed=("std", "tails")),
    ]
    sentence = answer(outcome("lab", runs))
    assert sentence.startswith("Partly: 1 of 3 seeds passed every check")
    assert sentence.endswith("failed most often: tails (2/3), std (1/3).")
