"""Smoke tier: tiny training budgets finish, write everything and resume exactly."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from gan_lab import rundir
from gan_lab.config import TrainConfig, preset
from gan_lab.results import load_result
from gan_lab.training import TrainingDivergedError, train

pytestmark = pytest.mark.smoke

# A tiny budget: enough steps for the mean to move, few enough for seconds per run.
TINY = {"epochs": 3, "steps_per_epoch": 300, "eval_samples": 200, "final_samples": 300}

# Columns whose values depend on wall-clock time, not on the computation.
TIMING_COLUMNS = ["seconds"]


def _without_timing(history: pd.DataFrame) -> pd.DataFrame:
    return history.drop(columns=TIMING_COLUMNS).reset_index(drop=True)


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory):
    """One tiny run of the lab preset with its run directory."""
    out = tmp_path_factory.mktemp("runs") / "lab"
    return train(preset("lab", dim=4, noise="uniform", **TINY), out)


def test_history_has_one_row_per_epoch_plus_initial_state(lab_run):
    """The history starts before training and has the required columns."""
    history = lab_run.history
    assert list(history["epoch"]) == [0, 1, 2, 3]
    for column in (
        "epoch",
        "mean",
        "std",
        "acc_real",
        "acc_fake",
        "acc",
        "d_loss",
        "g_loss",
        "seconds",
        "mean_0",
        "mean_3",
        "std_0",
        "std_3",
    ):
        assert column in history.columns, column
    assert np.isnan(history["d_loss_train"].iloc[0])


def test_losses_stay_finite_and_mean_moves_toward_target(lab_run):
    """After a few hundred steps the generated mean has moved toward -5."""
    history = lab_run.history
    assert np.isfinite(history[["d_loss", "g_loss"]].to_numpy()).all()
    assert np.isfinite(history["d_loss_train"].iloc[1:]).all()
    start, end = history["mean"].iloc[0], history["mean"].iloc[-1]
    assert abs(end - -5.0) < 0.5 * abs(start - -5.0), (start, end)


def test_accuracies_are_fractions(lab_run):
    """Accuracies are fractions of the evaluation samples; overall is their mean."""
    history = lab_run.history
    for column in ("acc_real", "acc_fake", "acc"):
        assert history[column].between(0, 1).all()
    np.testing.assert_allclose(
        history["acc"], (history["acc_real"] + history["acc_fake"]) / 2
    )


def test_run_directory_is_complete(lab_run):
    """Config, history, state, samples and discriminator outputs are all written."""
    out = lab_run.out
    for name in (
        rundir.CONFIG,
        rundir.HISTORY,
        rundir.STATE,
        rundir.SAMPLES,
        rundir.DISCRIMINATOR,
    ):
        assert (out / name).is_file(), name
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    saved = json.loads((out / rundir.CONFIG).read_text())
    assert TrainConfig.from_dict(saved) == lab_run.config
    loaded = load_result(out)
    pd.testing.assert_frame_equal(loaded.history, lab_run.history, check_dtype=False)
    np.testing.assert_array_equal(loaded.samples, lab_run.samples)
    assert loaded.samples.shape == (300, 4)


def test_existing_run_directory_is_not_overwritten(lab_run):
    """Training into a directory that holds a run without resume is an error."""
    with pytest.raises(ValueError, match="already holds a run"):
        train(lab_run.config, lab_run.out)


def test_same_seed_gives_same_history(tmp_path):
    """Two runs of one config and seed produce identical histories and samples."""
    config = preset("classic", dim=3, **TINY)
    first, second = train(config), train(config)
    pd.testing.assert_frame_equal(
        _without_timing(first.history), _without_timing(second.history)
    )
    np.testing.assert_array_equal(first.samples, second.samples)
    other = train(config.replace(seed=1))
    assert not np.array_equal(first.samples, other.samples)


def test_interrupted_run_resumes_to_the_uninterrupted_history(tmp_path):
    """A run stopped by Ctrl-C after epoch 2 resumes to the same final history."""
    config = preset("lab", dim=3, r1_weight=1.0, **(TINY | {"epochs": 4}))
    out = tmp_path / "run"

    def interrupt(row):
        if row["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, out, on_epoch=interrupt)
    assert list(pd.read_csv(out / rundir.HISTORY)["epoch"]) == [0, 1, 2]

    resumed = train(config, out, resume=True)
    reference = train(config)
    pd.testing.assert_frame_equal(
        _without_timing(resumed.history), _without_timing(reference.history)
    )
    np.testing.assert_array_equal(resumed.samples, reference.samples)


def test_resume_trims_history_written_after_the_last_saved_state(tmp_path):
    """A crash between writing the history and the state resumes from the state."""
    config = preset("classic", dim=2, **TINY)
    out = tmp_path / "run"
    train(config.replace(epochs=1), out)
    # Fake the crash: the history has a row for epoch 2 but the state is epoch 1.
    history = pd.read_csv(out / rundir.HISTORY)
    extra = history.iloc[[-1]].assign(epoch=2)
    rundir.write_history(out / rundir.HISTORY, pd.concat([history, extra]))
    config_data = json.loads((out / rundir.CONFIG).read_text()) | {"epochs": 3}
    rundir.write_json(out / rundir.CONFIG, config_data)
    for name in (rundir.SAMPLES, rundir.DISCRIMINATOR):
        (out / name).unlink()
    # The schedule of a 1-epoch run differs from a 3-epoch run, so compare the
    # resumed run against the classic preset, whose learning rate is constant.
    resumed = train(config, out, resume=True)
    reference = train(config)
    pd.testing.assert_frame_equal(
        _without_timing(resumed.history), _without_timing(reference.history)
    )


def test_resume_with_a_different_config_names_the_difference(lab_run):
    """Resuming with another config says which fields differ."""
    with pytest.raises(ValueError, match=r"epochs=4 \(saved 3\)"):
        train(lab_run.config.replace(epochs=4), lab_run.out, resume=True)


def test_resume_without_a_run_is_an_error(tmp_path):
    """Resuming an empty directory is a clear error."""
    with pytest.raises(ValueError, match="no run to resume"):
        train(preset("classic", **TINY), tmp_path / "empty", resume=True)


def test_divergence_stops_with_the_epoch_and_keeps_history(tmp_path):
    """An absurd learning rate makes the run diverge; the error names the epoch."""
    config = preset(
        "classic", dim=2, g_learning_rate=1e30, d_learning_rate=1e30, **TINY
    )
    with pytest.raises(TrainingDivergedError, match="diverged in epoch 1") as caught:
        train(config, tmp_path / "run")
    assert list(caught.value.history["epoch"]) == [0]
    assert list(pd.read_csv(tmp_path / "run" / rundir.HISTORY)["epoch"]) == [0]


def _wait_for(path, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_kill_minus_nine_mid_epoch_then_resume_from_the_command_line(tmp_path):
    """kill -9 during epoch 2, then `gan-lab train --resume`, equals a clean run."""
    out = tmp_path / "run"
    args = [
        "--dim",
        "3",
        "--epochs",
        "3",
        "--steps-per-epoch",
        "4000",
        "--eval-samples",
        "200",
        "--final-samples",
        "300",
        "--out",
        str(out),
    ]
    command = [sys.executable, "-m", "gan_lab.cli", "train", *args]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(out / rundir.STATE)
        time.sleep(0.3)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    history = pd.read_csv(out / rundir.HISTORY)
    assert history["epoch"].max() < 3, "the run finished before it was killed"

    resumed = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    config = TrainConfig.from_dict(json.loads((out / rundir.CONFIG).read_text()))
    reference = train(config)
    pd.testing.assert_frame_equal(
        _without_timing(pd.read_csv(out / rundir.HISTORY)),
        _without_timing(reference.history),
        check_dtype=False,
        rtol=1e-6,
    )
