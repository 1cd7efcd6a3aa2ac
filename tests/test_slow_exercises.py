"""Slow tier: the study's exercises at full budget, judged by the whole battery.

Run with ``pytest -m slow``. Each exercise trains once per module at the default
setting (20 epochs of 5000 steps) with the lab's default preset; every check of the
battery is its own test, so a report says exactly what holds and what does not.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from gan_lab.battery import run_battery
from gan_lab.config import preset
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
