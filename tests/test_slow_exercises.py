"""Slow tier: the study's exercises at full budget, judged by the whole battery.

Run with ``pytest -m slow``. Each exercise trains once per module at the default
setting (20 epochs of 5000 steps) with the lab's default preset; every check of the
battery is its own test, so a report says exactly what holds and what does not.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from scipy import stats

from gan_lab.battery import run_battery
from gan_lab.strategies import train_configs
from gan_lab.study import STUDY_FALSE_FAIL_RATE, exercise_config
from gan_lab.training import train

pytestmark = pytest.mark.slow

EXERCISE_CHECKS = (
    "mean",
    "std",
    "marginal_ks",
    "projection_ks",
    "correlation",
    "tails",
    "c2st",
    "discriminator_accuracy",
)

# What does not hold at the default budget, with the reason; every entry is a strict
# xfail, so the day it starts to hold the suite says so.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _judge(result, seed: int):
    return run_battery(
        result.samples,
        result.config.target,
        false_fail_rate=STUDY_FALSE_FAIL_RATE,
        seed=seed,
        discriminator_outputs=(result.discriminator_real, result.discriminator_fake),
    )


@pytest.fixture(scope="module")
def exercise_verdicts(request):
    """Train each exercise once with the lab preset and judge it."""
    seed = request.config.getoption("--gan-seed") or 0
    verdicts = {}
    for exercise in ("exercise1", "exercise2"):
        result = train(exercise_config(exercise, "lab", seed, 20, 5000))
        verdicts[exercise] = (_judge(result, seed), seed)
    return verdicts


def _cases():
    for exercise in ("exercise1", "exercise2"):
        for check in EXERCISE_CHECKS:
            reason = KNOWN_FAILURES.get((exercise, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(exercise, check, marks=marks, id=f"{exercise}-{check}")


@pytest.mark.parametrize(("exercise", "check"), list(_cases()))
def test_exercise_passes_check(exercise_verdicts, exercise, check):
    """At the full default budget, the lab's GAN passes this check of the battery."""
    verdict, seed = exercise_verdicts[exercise]
    result = verdict.result(check)
    assert result.passed, result.message(seed) + "\n" + verdict.table()


# Runs per exercise for the reliability estimate; 5 is the least the study reports.
RELIABILITY_SEEDS = 5


@pytest.mark.parametrize("exercise", ["exercise1", "exercise2"])
def test_success_rate_over_seeds_is_reported_with_a_binomial_interval(exercise):
    """Success over 5 seeds, with its Clopper-Pearson interval, for each exercise."""
    passed = []
    for seed in range(RELIABILITY_SEEDS):
        result = train(exercise_config(exercise, "lab", seed, 20, 5000))
        passed.append(_judge(result, seed).passed)
    successes = sum(passed)
    interval = stats.binomtest(successes, RELIABILITY_SEEDS).proportion_ci(0.95)
    print(
        f"{exercise}: {successes}/{RELIABILITY_SEEDS} seeds passed, 95% CI "
        f"[{interval.low:.2f}, {interval.high:.2f}]"
    )
    assert successes >= EXPECTED_SUCCESSES[exercise], (exercise, passed)


# Hypothesis draws this many targets; each trains for HYPOTHESIS_BUDGET.
HYPOTHESIS_EXAMPLES = 5
HYPOTHESIS_BUDGET = {"epochs": 20, "steps_per_epoch": 5000}


@settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(config=train_configs(noises=HYPOTHESIS_NOISES, **HYPOTHESIS_BUDGET))
def test_drawn_targets_are_learned(config):
    """Any drawn target in the supported ranges is learned by the lab's default."""
    result = train(config)
    verdict = _judge(result, config.seed)
    assert verdict.passed, (
        f"target dim={config.dim} mean={config.mean} std={config.std} "
        f"noise={config.noise} seed={config.seed}\n{verdict.table()}"
    )
