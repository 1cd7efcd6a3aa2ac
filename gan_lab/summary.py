"""Finished runs, grouped by the question they answer and scored, without retraining.

A run directory is loaded with its battery verdict (read from ``verdict.json``, or
computed when absent); runs are grouped by exercise and preset, and each preset's
runs give a success rate and a one-sentence answer derived from the verdicts::

    runs = [load_run(path) for path in paths]
    for group in group_runs(runs):
        print(group.heading, [answer(o) for o in group.outcomes()])
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from gan_lab import rundir, study
from gan_lab.battery import CHECK_NAMES, DEFAULT_FALSE_FAIL_RATE
from gan_lab.config import TrainConfig
from gan_lab.results import judge_result, load_result

logger = logging.getLogger(__name__)

# Confidence level of the success-rate intervals.
CONFIDENCE = 0.95

# The exercises share the default target; they differ only in the noise fed to the
# generator. Any other target or noise makes a custom group.
_DEFAULT = TrainConfig()
EXERCISES = {
    key: (f"Exercise {number}", noise)
    for number, (key, noise) in enumerate(study.EXERCISES.items(), start=1)
}

# Joins the ends of an interval in prose, as typeset text does.
_DASH = "\u2013"

# Presets in the order they are shown side by side; unknown names follow.
PRESET_ORDER = ("classic", "lab", "custom")


@dataclass(frozen=True)
class Run:
    """A finished run directory with its battery verdict.

    Attributes:
        name: Name of the run, unique within a report.
        path: The run directory.
        config: The run's configuration.
        history: One row per evaluation; the first row is before training.
        samples: Generated samples after training, shape ``(n, dim)``.
        discriminator_real: Discriminator sigmoid outputs on fresh real samples.
        discriminator_fake: Discriminator sigmoid outputs on generated samples.
        verdict: The battery's verdict as ``Verdict.to_dict()`` gives it.
    """

    name: str
    path: Path
    config: TrainConfig
    history: pd.DataFrame
    samples: np.ndarray
    discriminator_real: np.ndarray
    discriminator_fake: np.ndarray
    verdict: dict[str, Any]

    @property
    def passed(self) -> bool:
        """Whether the samples passed every check of the battery."""
        return all(check["passed"] for check in self.verdict["checks"])

    @property
    def failed_checks(self) -> list[str]:
        """Names of the checks that failed."""
        return [
            check["name"] for check in self.verdict["checks"] if not check["passed"]
        ]

    @property
    def training_seconds(self) -> float:
        """Seconds spent training and evaluating, from the history's last row."""
        return float(self.history["seconds"].iloc[-1])

    def metrics(self) -> dict[str, float]:
        """Point estimates of how close the samples are to the target.

        Returns:
            ``worst_mean_error_sd`` (largest per-dimension ``|mean - true mean|`` in
            true sds), ``std_ratio_min`` and ``std_ratio_max`` (per-dimension sample
            std over true std), ``discriminator_accuracy`` (a sigmoid >= 0.5 on real
            and < 0.5 on generated counts as correct, as in the battery)
            and ``training_seconds``.
        """
        target = self.config.target
        samples = np.asarray(self.samples, dtype=np.float64)
        mean_error = np.abs(samples.mean(axis=0) - target.mean) / target.std
        ratio = samples.std(axis=0, ddof=1) / target.std
        correct = np.sum(self.discriminator_real >= 0.5) + np.sum(
            self.discriminator_fake < 0.5
        )
        total = self.discriminator_real.size + self.discriminator_fake.size
        return {
            "worst_mean_error_sd": float(mean_error.max()),
            "std_ratio_min": float(ratio.min()),
            "std_ratio_max": float(ratio.max()),
            "discriminator_accuracy": float(correct / total),
            "training_seconds": self.training_seconds,
        }


def load_run(
    path: str | Path,
    name: str | None = None,
    false_fail_rate: float = DEFAULT_FALSE_FAIL_RATE,
) -> Run:
    """Load a finished run directory and its verdict.

    The verdict is read from ``verdict.json`` when the run has one; otherwise the
    battery is run on the saved samples with the run's seed and discriminator
    outputs, and nothing is written to the run directory.

    Args:
        path: The run directory.
        name: Name of the run in a report; by default the directory's name.
        false_fail_rate: Battery false-fail rate when the verdict is computed.

    Returns:
        The run.

    Raises:
        ValueError: If ``path`` is not a finished run directory.
    """
    path = Path(path)
    result = load_result(path)
    config, samples = result.config, result.samples
    real = np.asarray(result.discriminator_real, dtype=np.float64).ravel()
    fake = np.asarray(result.discriminator_fake, dtype=np.float64).ravel()
    if (path / rundir.VERDICT).is_file():
        verdict = rundir.read_json(path / rundir.VERDICT)
    else:
        logger.info("%s has no %s; running the battery", path, rundir.VERDICT)
        try:
            verdict = judge_result(result, false_fail_rate).to_dict()
        except ValueError as error:
            raise ValueError(f"cannot judge run {str(path)!r}: {error}") from error
    return Run(
        name=name or path.name,
        path=path,
        config=config,
        history=result.history,
        samples=samples,
        discriminator_real=real,
        discriminator_fake=fake,
        verdict=verdict,
    )


def exercise_of(config: TrainConfig) -> tuple[str, str]:
    """The key and title of the group a config belongs to.

    Returns:
        ``("exercise1", "Exercise 1")`` or ``("exercise2", "Exercise 2")`` for the
        default target with standard normal or uniform [0, 1) noise of the target's
        dimension; otherwise a ``custom-...`` key and a title naming target and noise.
    """
    standard_noise = config.noise_dim == config.dim and (
        config.noise == "normal"
        or (config.noise_low, config.noise_high)
        == (_DEFAULT.noise_low, _DEFAULT.noise_high)
    )
    if config.target == _DEFAULT.target and standard_noise:
        for key, (title, noise) in EXERCISES.items():
            if config.noise == noise:
                return key, title
    target = config.target
    parts = [
        f"dim{target.dim}",
        f"mean{_range(target.mean)}",
        f"std{_range(target.std)}",
    ]
    key = "custom-" + "-".join([*parts, config.noise, f"noise{config.noise_dim}"])
    if config.noise == "uniform":
        key += f"-{config.noise_low:g}to{config.noise_high:g}"
    if np.ptp(target.mean) or np.ptp(target.std):
        # Ranges do not tell per-dimension targets apart; a digest of them does.
        values = target.mean.tobytes() + target.std.tobytes()
        key += "-" + hashlib.sha256(values).hexdigest()[:8]
    key = "".join(c if c.isalnum() or c in "-." else "_" for c in key)
    key = key.replace("..", "to")
    title = (
        f"Custom: {target.dim}-dimensional normal, mean {_range(target.mean)}, "
        f"std {_range(target.std)}, {config.noise} noise"
    )
    return key, title


def question(config: TrainConfig) -> str:
    """The question a group of runs answers, worded from the config."""
    return f"can a GAN learn {_target_phrase(config)} from {_noise_phrase(config)}?"


@dataclass(frozen=True)
class Outcome:
    """How the runs of one preset fared over seeds.

    Attributes:
        preset: The preset's name.
        runs: The runs, in seed order.
        successes: Runs that passed every check.
        interval: Clopper-Pearson interval of the success rate at ``CONFIDENCE``.
        failures: For each check, the number of runs it failed, most frequent first.
    """

    preset: str
    runs: list[Run]
    successes: int
    interval: tuple[float, float]
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """The success rate."""
        return self.successes / len(self.runs)

    def metrics(self) -> dict[str, float]:
        """Key metrics over seeds: medians and extremes of the per-run metrics."""
        table = pd.DataFrame([run.metrics() for run in self.runs])
        return {
            "worst_mean_error_sd_median": float(table["worst_mean_error_sd"].median()),
            "worst_mean_error_sd_max": float(table["worst_mean_error_sd"].max()),
            "std_ratio_min": float(table["std_ratio_min"].min()),
            "std_ratio_max": float(table["std_ratio_max"].max()),
            "discriminator_accuracy_mean": float(
                table["discriminator_accuracy"].mean()
            ),
            "training_seconds_mean": float(table["training_seconds"].mean()),
            "training_seconds_total": float(table["training_seconds"].sum()),
        }


def outcome(preset: str, runs: list[Run]) -> Outcome:
    """Count successes and failed checks over the runs of one preset.

    Raises:
        ValueError: If ``runs`` is empty.
    """
    if not runs:
        raise ValueError(f"runs of preset {preset!r} must not be empty")
    successes = sum(run.passed for run in runs)
    interval = stats.binomtest(successes, len(runs)).proportion_ci(CONFIDENCE)
    counts = Counter(name for run in runs for name in run.failed_checks)
    order = {name: index for index, name in enumerate(CHECK_NAMES)}
    ranked = sorted(counts, key=lambda name: (-counts[name], order.get(name, 99), name))
    return Outcome(
        preset=preset,
        runs=runs,
        successes=successes,
        interval=(float(interval.low), float(interval.high)),
        failures={name: counts[name] for name in ranked},
    )


def answer(result: Outcome) -> str:
    """The one-sentence answer the verdicts give, naming the failed checks.

    "Yes" when every seed passed every check, "No" when none did, "Partly" between.
    """
    runs = len(result.runs)
    seeds = "seed" if runs == 1 else "seeds"
    low, high = result.interval
    evidence = (
        f"{result.successes} of {runs} {seeds} passed every check (success rate "
        f"{result.rate:.2f}, {CONFIDENCE:.0%} CI {low:.2f}{_DASH}{high:.2f})"
    )
    if result.successes == runs:
        return f"Yes: {evidence}."
    word = "No" if result.successes == 0 else "Partly"
    failed = ", ".join(
        f"{name} ({count}/{runs})" for name, count in result.failures.items()
    )
    return f"{word}: {evidence}; the checks that failed most often: {failed}."


@dataclass(frozen=True)
class Group:
    """The runs that answer one question, by preset.

    Attributes:
        key: ``exercise1``, ``exercise2`` or a ``custom-...`` key; used in file names.
        title: ``Exercise 1``, ``Exercise 2`` or a title naming target and noise.
        question: The question, worded from the config.
        runs: For each preset, its runs in seed order.
    """

    key: str
    title: str
    question: str
    runs: dict[str, list[Run]]

    @property
    def heading(self) -> str:
        """The title followed by the question."""
        return f"{self.title}: {self.question}"

    @property
    def target(self) -> Any:
        """The target distribution shared by every run of the group."""
        return next(iter(self.runs.values()))[0].config.target

    def outcomes(self) -> list[Outcome]:
        """One outcome per preset, in display order."""
        return [outcome(name, runs) for name, runs in self.runs.items()]


def group_runs(runs: list[Run]) -> list[Group]:
    """Group runs by exercise (or custom target and noise), then by preset.

    Returns:
        Exercise 1, Exercise 2, then custom groups by key; within a group the
        presets classic, lab, custom, then others by name; runs in seed order.
    """
    grouped: dict[str, dict[str, list[Run]]] = {}
    titles: dict[str, tuple[str, str]] = {}
    for run in runs:
        key, title = exercise_of(run.config)
        titles.setdefault(key, (title, question(run.config)))
        grouped.setdefault(key, {}).setdefault(run.config.preset, []).append(run)

    def group_order(key: str) -> tuple[int, str]:
        return (list(EXERCISES).index(key) if key in EXERCISES else len(EXERCISES), key)

    def preset_order(name: str) -> tuple[int, str]:
        return (PRESET_ORDER.index(name) if name in PRESET_ORDER else 99, name)

    groups = []
    for key in sorted(grouped, key=group_order):
        by_preset = {
            name: sorted(
                grouped[key][name], key=lambda run: (run.config.seed, run.name)
            )
            for name in sorted(grouped[key], key=preset_order)
        }
        groups.append(Group(key, *titles[key], by_preset))
    return groups


def _range(values: np.ndarray) -> str:
    """One value, or ``low..high`` when the values differ."""
    low, high = float(np.min(values)), float(np.max(values))
    return f"{low:g}" if low == high else f"{low:g}..{high:g}"


def _target_phrase(config: TrainConfig) -> str:
    """E.g. 'a 20-dimensional normal with mean -5 and std 2'."""
    target = config.target
    mean, std = _range(target.mean), _range(target.std)
    means = f"mean {mean}" if ".." not in mean else f"per-dimension means {mean}"
    stds = f"std {std}" if ".." not in std else f"per-dimension stds {std}"
    return f"a {target.dim}-dimensional normal with {means} and {stds}"


def _noise_phrase(config: TrainConfig) -> str:
    """E.g. 'standard normal noise' or '8-dimensional uniform noise on [0, 1)'."""
    size = "" if config.noise_dim == config.dim else f"{config.noise_dim}-dimensional "
    if config.noise == "uniform":
        interval = f"[{config.noise_low:g}, {config.noise_high:g})"
        return f"{size}uniform noise on {interval}"
    return f"{size}standard normal noise"
