"""Slow tier: the study's exercises at full budget, judged by the whole battery.

Run with ``pytest -m slow``. Every training runs in a fresh process
(``train_isolated``), so the test process stays small however many runs it makes.
Each exercise is trained once per session at the default setting (20 epochs of 5000
steps) with the lab's default preset, and every check of the battery is its own
test, so the outcome says exactly what holds and what does not.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from scipy import stats

from conftest import resolve_seed
from gan_lab.battery import DISTRIBUTION_CHECKS, battery_checks
from gan_lab.config import preset
from gan_lab.results import judge_result
from gan_lab.strategies import DIM_RANGE, target_parameters
from gan_lab.study import STUDY_FALSE_FAIL_RATE, exercise_config, train_isolated

pytestmark = pytest.mark.slow

EXERCISES = ("exercise1", "exercise2")
ALL_CHECKS = battery_checks(20, with_discriminator=True)

# What does not hold at the default budget, each a strict xfail with its reason, so
# the day it starts to hold the suite says so.
BOUNDED_NOISE_DISCRIMINATOR = (
    "With uniform noise the trained discriminator still tells generated from real "
    "samples apart, at accuracy 0.63-0.65 on every seed measured against the band "
    "[0.4, 0.6]: the generator maps bounded noise onto a bounded, piecewise-linear "
    "set whose edges a discriminator finds even when the moment, marginal, joint "
    "and tail checks all pass."
)
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    ("exercise2", "discriminator_accuracy"): BOUNDED_NOISE_DISCRIMINATOR,
}
# Failures of the default seed only (other seeds pass these checks), expected only
# when the test runs with seed 0.
SEED0_FAILURES: dict[tuple[str, str], str] = {
    ("exercise2", "c2st"): (
        "On seed 0 the generated sample of Exercise 2 is just distinguishable by the "
        "fresh quadratic classifier: held-out accuracy 0.524 against a threshold of "
        "0.521 at n = 5000; seeds 1, 2 and 4 pass."
    ),
    ("exercise2", "projection_ks"): (
        "On seed 0 one of 64 random projections of Exercise 2's sample is off: KS "
        "statistic 0.0351 against a threshold of 0.0339; seeds 1 to 3 pass."
    ),
}

# Runs per exercise for the reliability estimate; 5 is the least the study reports.
RELIABILITY_SEEDS = 5
# The least number of those seeds that must pass every check expected to hold. The
# study measured 4 of 5 for Exercise 1 (seed 2 fails only the C2ST) and 2 of 5 for
# Exercise 2 outside its known failure (seeds 0, 3 and 4 fail the C2ST, a projection
# or the tails, narrowly); one seed of slack keeps this a statement about the method
# rather than about one machine's floating-point rounding.
EXPECTED_SUCCESSES = {"exercise1": 3, "exercise2": 1}


def judge(result, checks=None):
    """The study's battery on a finished run."""
    return judge_result(result, STUDY_FALSE_FAIL_RATE, checks)


def checks_expected_to_hold(exercise: str) -> tuple[str, ...]:
    """Every battery check that is not a known failure of the exercise."""
    return tuple(c for c in ALL_CHECKS if (exercise, c) not in KNOWN_FAILURES)


@pytest.fixture(scope="module")
def exercise_verdicts(request, tmp_path_factory):
    """Train each exercise once with the lab preset and judge it."""
    seed = resolve_seed(request.config)
    verdicts = {}
    for exercise in EXERCISES:
        run_dir = tmp_path_factory.mktemp("slow") / exercise
        result = train_isolated(
            exercise_config(exercise, "lab", seed, 20, 5000), run_dir
        )
        verdicts[exercise] = (judge(result), seed)
    return verdicts


def _cases():
    for exercise in EXERCISES:
        for check in ALL_CHECKS:
            reason = KNOWN_FAILURES.get((exercise, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(exercise, check, marks=marks, id=f"{exercise}-{check}")


@pytest.mark.parametrize(("exercise", "check"), list(_cases()))
def test_exercise_passes_check(exercise_verdicts, exercise, check, request):
    """At the full default budget, the lab's GAN passes this check of the battery."""
    verdict, seed = exercise_verdicts[exercise]
    reason = SEED0_FAILURES.get((exercise, check))
    if reason and seed == 0:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    result = verdict.result(check)
    assert result.passed, result.message(seed) + "\n" + verdict.table()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_success_rate_over_seeds(exercise, tmp_path):
    """Success over 5 seeds, with its Clopper-Pearson interval, for each exercise."""
    expected = checks_expected_to_hold(exercise)
    passed = []
    for seed in range(RELIABILITY_SEEDS):
        config = exercise_config(exercise, "lab", seed, 20, 5000)
        result = train_isolated(config, tmp_path / f"seed{seed}")
        passed.append(judge(result, checks=expected).passed)
    successes = sum(passed)
    interval = stats.binomtest(successes, RELIABILITY_SEEDS).proportion_ci(0.95)
    summary = (
        f"{exercise}: {successes}/{RELIABILITY_SEEDS} seeds passed {list(expected)}, "
        f"95% CI [{interval.low:.2f}, {interval.high:.2f}], per seed {passed}"
    )
    print(summary)
    assert successes >= EXPECTED_SUCCESSES[exercise], summary


# Drawn targets: each trains at the exercise budget in its own process. "Learned"
# means the distributional checks; the two classifier checks, which fail on some
# seeds of the exercises themselves, are measured by the reliability test above.
# One seed in five fails even Exercise 1, so one failed seed says little about a
# target: a target counts as out of reach only when two seeds both fail.
HYPOTHESIS_EXAMPLES = 5
HYPOTHESIS_BUDGET = {"epochs": 20, "steps_per_epoch": 5000}
HYPOTHESIS_SEEDS = (0, 1)
HYPOTHESIS_SETTINGS = settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    # Each example trains for about a minute a seed; shrinking would train dozens.
    phases=(Phase.explicit, Phase.generate),
)
ONE_DIMENSIONAL_TARGETS = (
    "The lab's default was tuned on the 20-dimensional exercises; on 1-dimensional "
    "targets its discriminator, learning 16x faster than the generator, wins too "
    "easily. The first drawn target, the 1-D normal with mean 0 and std 0.25, fails "
    "on seed 0 (marginal KS 0.0268 against 0.0258) and on seed 1 (variance "
    "shrinkage: std 0.80 of the truth); the 1-D standard normal fails on seed 0 "
    "(std 0.86) and passes on seed 1."
)


def _assert_learned(params: dict, tmp_path_factory) -> None:
    """Train ``params`` on each seed until one passes the distributional checks."""
    checks = tuple(c for c in battery_checks(params["dim"]) if c in DISTRIBUTION_CHECKS)
    tables = []
    for seed in HYPOTHESIS_SEEDS:
        config = preset("lab", seed=seed, **params, **HYPOTHESIS_BUDGET)
        run_dir = tmp_path_factory.mktemp("drawn") / "run"
        verdict = judge(train_isolated(config, run_dir), checks=checks)
        if verdict.passed:
            return
        tables.append(f"seed {seed}:\n{verdict.table()}")
    raise AssertionError(
        f"target {params} was not learned on seeds {HYPOTHESIS_SEEDS}\n"
        + "\n".join(tables)
    )


@pytest.mark.xfail(strict=True, reason=ONE_DIMENSIONAL_TARGETS)
@HYPOTHESIS_SETTINGS
@given(params=target_parameters())
def test_drawn_targets_are_learned(params, tmp_path_factory):
    """Any drawn target in the full range passes the distributional checks."""
    _assert_learned(params, tmp_path_factory)


MULTIVARIATE_TARGETS = (
    "Beyond the exercises the lab's default is not yet reliable at the resolution of "
    "5000 samples: a drawn target of 2 to 32 dimensions (14-D, mean 1.535, "
    "std 4.097, normal noise) passes the moment, correlation and tail checks but "
    "fails the marginal KS narrowly on seed 0 (0.0336 against 0.0312) and on seed 1 "
    "(0.0342 against 0.0312, and one projection at 0.0335 against 0.0335)."
)


@pytest.mark.xfail(strict=True, reason=MULTIVARIATE_TARGETS)
@HYPOTHESIS_SETTINGS
@given(params=target_parameters(dims=(2, DIM_RANGE[1])))
def test_drawn_multivariate_targets_are_learned(params, tmp_path_factory):
    """A drawn target of 2 to 32 dimensions passes the distributional checks."""
    _assert_learned(params, tmp_path_factory)
