"""The study: Exercises 1 and 2, each preset side by side, over seeds, then the report.

Exercise 1 asks whether a GAN fed standard normal noise learns a 20-dimensional
normal with mean -5 and std 2; Exercise 2 asks the same with uniform [0, 1) noise::

    run_study(Path("reports/study"), epochs=2, steps_per_epoch=200)

Finished runs are reused and interrupted ones resumed, so a study that was stopped
continues where it was when started again with the same arguments.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gan_lab import rundir
from gan_lab.config import TrainConfig, preset

logger = logging.getLogger(__name__)

# The study's two questions: the same target, two noise distributions.
EXERCISES = {"exercise1": "normal", "exercise2": "uniform"}

# The battery's family-wise false-fail rate for every run of the study.
STUDY_FALSE_FAIL_RATE = 0.01

Runner = Callable[[TrainConfig, Path, bool], Any]


def exercise_config(
    exercise: str, preset_name: str, seed: int, epochs: int, steps_per_epoch: int
) -> TrainConfig:
    """The config of one run of the study.

    Raises:
        ValueError: If the exercise or preset is unknown, or a budget is invalid.
    """
    if exercise not in EXERCISES:
        raise ValueError(
            f"exercise must be one of {', '.join(EXERCISES)}, got {exercise!r}"
        )
    return preset(
        preset_name,
        noise=EXERCISES[exercise],
        seed=seed,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
    )


def judge_run(run_dir: Path, false_fail_rate: float = STUDY_FALSE_FAIL_RATE) -> Any:
    """Run the battery on a finished run and write its ``verdict.json``."""
    from gan_lab.results import judge_result, load_result

    verdict = judge_result(load_result(run_dir), false_fail_rate)
    rundir.write_json(run_dir / rundir.VERDICT, verdict.to_dict())
    return verdict


def run_study(
    out: Path,
    epochs: int = 20,
    steps_per_epoch: int = 5000,
    first_seed: int = 0,
    seeds: int = 1,
    presets: Sequence[str] = ("lab", "classic"),
    runner: Runner | None = None,
    echo: Callable[[str], None] = logger.info,
) -> Path:
    """Train every exercise, preset and seed, judge each run and write the report.

    Args:
        out: Report directory; runs go to ``out/runs/<exercise>-<preset>-seed<k>``.
        epochs: Epochs of every run.
        steps_per_epoch: Steps per epoch of every run.
        first_seed: Seed of the first run; further seeds count up from it.
        seeds: Number of seeds per exercise and preset.
        presets: Configurations compared side by side.
        runner: Trains one run, as ``runner(config, run_dir, resume)``; by default
            ``gan_lab.training.train`` without output.
        echo: Receives one line of progress at a time.

    Returns:
        The path of ``report.md``.

    Raises:
        ValueError: If a budget, seed count or preset is invalid.
    """
    from gan_lab.report import build_report

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be an integer >= 1, got {seeds!r}")
    configs = {
        (exercise, name, seed): exercise_config(
            exercise, name, seed, epochs, steps_per_epoch
        )
        for exercise in EXERCISES
        for name in presets
        for seed in range(first_seed, first_seed + seeds)
    }
    runner = runner or _train_quietly
    run_dirs, timings = [], {}
    for exercise in EXERCISES:
        started = time.perf_counter()
        for (name, preset_name, seed), config in configs.items():
            if name != exercise:
                continue
            run_dir = out / "runs" / f"{exercise}-{preset_name}-seed{seed}"
            _train_or_reuse(config, run_dir, runner, echo)
            verdict = judge_run(run_dir)
            echo(
                f"{run_dir.name}: {'passed' if verdict.passed else 'FAILED'} "
                "the battery"
            )
            run_dirs.append(run_dir)
        timings[exercise] = time.perf_counter() - started
        echo(f"{exercise} took {timings[exercise]:.1f} s")
    return build_report(run_dirs, out, timings=timings)


def _train_or_reuse(
    config: TrainConfig, run_dir: Path, runner: Runner, echo: Callable[[str], None]
) -> None:
    """Train a run, resume an interrupted one, or keep a finished one."""
    config_path = run_dir / rundir.CONFIG
    if config_path.exists():
        saved = TrainConfig.from_dict(rundir.read_json(config_path))
        if saved != config:
            raise ValueError(
                f"out: {str(run_dir)!r} holds a run of another config; choose "
                "another --out or remove it"
            )
        if (run_dir / rundir.SAMPLES).exists():
            echo(f"{run_dir.name}: reusing the finished run")
            return
        echo(f"{run_dir.name}: resuming")
        _run_isolated(runner, config, run_dir, True)
        return
    _run_isolated(runner, config, run_dir, False)


def train_isolated(config: TrainConfig, run_dir: Path) -> Any:
    """Train ``config`` into ``run_dir`` in a fresh process and load the result.

    Use it to train many runs from one process: each run's memory is returned to the
    system when its process ends (see ``_run_isolated``).

    Returns:
        The finished run, as ``gan_lab.results.load_result`` gives it.

    Raises:
        ValueError: If the run failed.
    """
    from gan_lab.results import load_result

    _run_isolated(_train_quietly, config, Path(run_dir), False)
    return load_result(run_dir)


def _train_quietly(config: TrainConfig, run_dir: Path, resume: bool) -> None:
    """The default runner: train without printing."""
    from gan_lab.training import train

    train(config, run_dir, resume=resume)


def _run_isolated(
    runner: Runner, config: TrainConfig, run_dir: Path, resume: bool
) -> None:
    """Train one run in a fresh process.

    Every run compiles its own XLA graphs, and TensorFlow keeps compiled graphs for
    the life of the process (about 30 MB a run here), so a study of 20 runs in one
    process would pass 1 GiB. A fresh process per run stays near 0.9 GiB at its peak,
    most of it TensorFlow itself, and the parent never imports TensorFlow.

    Raises:
        ValueError: If the run failed, naming the run and the child's exit status.
    """
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_child_main, args=(runner, config, run_dir, resume), name=run_dir.name
    )
    process.start()
    try:
        process.join()
    except KeyboardInterrupt:
        process.join()
        raise
    if process.exitcode != 0:
        raise ValueError(
            f"run {run_dir.name} failed (exit status {process.exitcode}); its "
            f"directory {str(run_dir)!r} keeps every complete epoch"
        )


def _child_main(
    runner: Runner, config: TrainConfig, run_dir: Path, resume: bool
) -> None:
    """Entry point of a run's process: one-line errors, no tracebacks."""
    import sys

    try:
        runner(config, run_dir, resume)
    except ValueError as error:
        print(f"gan-lab: error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
