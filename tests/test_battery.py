"""Tests of the battery: verdict format, calibration and power on negative controls.

Calibration runs 500 exact-target draws at the default n = 5000 in 5 dimensions and
100 in 20 dimensions (500 at dim 20 would take over a minute on two cores); the
measured figures for larger runs are in the README's statistics section.
"""

from __future__ import annotations

import inspect
import json
import warnings

import numpy as np
import pytest
from scipy import stats

from gan_lab import battery, controls, equilibrium, power, power_simulation
from gan_lab.battery import run_battery
from gan_lab.distributions import Normal

N = battery.DEFAULT_SAMPLE_SIZE
RATE = battery.DEFAULT_FALSE_FAIL_RATE
# A correct battery exceeds the binomial margins below with probability <= 1e-3.
MARGIN = 1e-3
POWER_REPLICATIONS = 40
# The power every control must reach, from the README. std x0.9 in a single
# dimension is the documented exception: the std check alone reaches 0.916 exactly
# and the battery 0.922 (922 of 1000 measured replications).
DOCUMENTED_POWER = dict.fromkeys(controls.NEGATIVE_CONTROLS, 0.95)
DOCUMENTED_POWER["std_x0.9_one_dim"] = 0.90
# Which checks must catch each control with power 0.95 on their own.
CATCHERS = {
    "shift_0.25sd_one_dim": {"mean", "marginal_ks", "projection_ks"},
    "std_x0.9_one_dim": set(),
    "std_x0.9_all_dims": {"std", "marginal_ks", "projection_ks", "tails", "c2st"},
    "correlation_0.3_one_pair": {"correlation"},
    "student_t_df10": {"tails"},
    "uniform": {"marginal_ks", "tails"},
    "truncated_2.5sd": {"tails"},
    "collapsed": set(battery.battery_checks(20)),
    "mixture_two_modes": {"marginal_ks", "projection_ks", "correlation", "tails"},
}


@pytest.fixture
def target() -> Normal:
    return Normal(dim=20, mean=-5.0, std=2.0)


def test_verdict_lists_every_default_check_with_its_share(target):
    """The battery runs seven checks, each at one seventh of the budget."""
    verdict = run_battery(target.sample(N, seed=1), target, seed=2)
    assert verdict.passed and verdict.failed == ()
    assert [check.name for check in verdict.checks] == list(battery.battery_checks(20))
    assert len(verdict.checks) == 7
    assert all(
        check.false_fail_rate == pytest.approx(RATE / 7) for check in verdict.checks
    )
    assert verdict.n == N and verdict.dim == 20 and verdict.seed == 2


def test_verdict_serializes_to_strict_json_and_a_frame(target):
    """to_dict is strict JSON and to_frame has one row per check."""
    verdict = run_battery(controls.collapsed(target, N, seed=3), target, seed=4)
    data = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert data["passed"] is False and len(data["checks"]) == 7
    frame = verdict.to_frame()
    assert list(frame["name"]) == list(battery.battery_checks(20))
    assert {"statistic", "threshold", "n", "passed", "false_fail_rate"} <= set(frame)
    assert not frame["passed"].any()


def test_table_shows_each_check_the_seed_and_the_metrics(target):
    """The text table names every check, its result, the seed and the metrics."""
    samples = controls.scaled_std(target, N, seed=5, scale=0.8)
    table = run_battery(samples, target, seed=6).table()
    assert "FAIL (std" in table and "seed = 6" in table and "n = 5000" in table
    for name in battery.battery_checks(20):
        assert name in table
    assert "frechet_distance" in table and "signature of mode collapse" in table


def test_battery_assertion_raises_with_the_table(target):
    """The assertion form raises AssertionError carrying seed, n, rate and table."""
    samples = controls.shifted_mean(target, N, seed=7)
    with pytest.raises(AssertionError) as failure:
        battery.assert_samples_match_target_by_battery(samples, target, seed=8)
    message = str(failure.value)
    assert "seed = 8" in message and "n = 5000" in message
    assert "false-fail rate = 0.01" in message and "mean" in message
    verdict = battery.assert_samples_match_target_by_battery(
        target.sample(N, seed=9), target, seed=8
    )
    assert verdict.passed


def test_discriminator_check_runs_only_with_outputs(target):
    """Discriminator accuracy joins the battery, at one eighth, only when given."""
    samples = target.sample(N, seed=10)
    rng = np.random.default_rng(11)
    balanced = (rng.uniform(0.3, 0.7, N), rng.uniform(0.3, 0.7, N))
    verdict = run_battery(samples, target, discriminator_outputs=balanced)
    assert verdict.checks[-1].name == "discriminator_accuracy"
    assert verdict.passed and verdict.checks[0].false_fail_rate == pytest.approx(
        RATE / 8
    )
    separating = (rng.uniform(0.6, 1.0, N), rng.uniform(0.0, 0.4, N))
    verdict = run_battery(samples, target, discriminator_outputs=separating)
    assert verdict.failed == ("discriminator_accuracy",)


def test_inverted_discriminator_is_called_an_oscillating_game():
    """An accuracy far below 0.5 fails as a systematically wrong discriminator."""
    real, fake = np.full(1000, 0.2), np.full(1000, 0.8)
    with pytest.raises(AssertionError, match="oscillating game"):
        equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson(
            real, fake
        )


def test_discriminator_output_of_exactly_half_is_read_as_real():
    """An output of 0.5 counts as correct on a real sample and wrong on a fake one."""
    half = np.full(1000, 0.5)
    result = equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson(
        half, half
    )
    assert "Accuracy on real 1.0000, on fake 0.0000" in result.detail


def test_discriminator_accuracy_band_controls_false_fails_at_its_edge():
    """A discriminator with accuracy exactly 0.6 fails at most at the rate."""
    rate, runs, count = 0.2, 300, 400
    rng = np.random.default_rng(12)
    failures = 0
    for _ in range(runs):
        real = np.where(rng.uniform(size=count) < 0.6, 0.9, 0.1)
        fake = np.where(rng.uniform(size=count) < 0.6, 0.1, 0.9)
        try:
            equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson(
                real, fake, false_fail_rate=rate
            )
        except AssertionError:
            failures += 1
    assert failures <= stats.binom.isf(MARGIN, runs, rate)


def test_discriminator_docstring_says_necessary_but_not_sufficient():
    """The docstring warns that accuracy near 0.5 does not prove convergence."""
    check = equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson
    assert "necessary but not sufficient" in " ".join(inspect.getdoc(check).split())


@pytest.mark.parametrize(
    "outputs", [(np.array([0.5, 1.2]), np.array([0.1])), ([np.nan], [0.5])]
)
def test_discriminator_outputs_outside_the_unit_interval_are_value_errors(outputs):
    """Logits or NaN instead of sigmoid outputs raise ValueError."""
    with pytest.raises(ValueError, match="sigmoid outputs in"):
        equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson(*outputs)


@pytest.mark.parametrize("magnitude", [1e30, 1e300])
def test_diverged_generator_fails_cleanly(magnitude, target):
    """Enormous but finite samples fail the battery without an error or warning."""
    samples = np.full((N, 20), magnitude)
    samples[::2] *= -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = run_battery(samples, target)
    assert not verdict.passed and "std" in verdict.failed
    json.dumps(verdict.to_dict(), allow_nan=False)


def test_explicit_check_selection_and_its_errors(target):
    """A selection runs only the named checks; bad selections raise ValueError."""
    samples = target.sample(N, seed=13)
    verdict = run_battery(samples, target, checks=("mean", "tails"))
    assert [check.name for check in verdict.checks] == ["mean", "tails"]
    assert verdict.checks[0].false_fail_rate == pytest.approx(RATE / 2)
    with pytest.raises(ValueError, match="checks must be distinct names"):
        run_battery(samples, target, checks=("mean", "median"))
    with pytest.raises(ValueError, match="discriminator_outputs is None"):
        run_battery(samples, target, checks=("discriminator_accuracy",))


def test_one_dimension_drops_the_joint_checks():
    """In one dimension the projection and correlation checks are not run."""
    target = Normal(dim=1, mean=3.0, std=0.5)
    verdict = run_battery(target.sample(N, seed=14), target)
    names = [check.name for check in verdict.checks]
    assert names == ["mean", "std", "marginal_ks", "tails", "c2st"]
    assert verdict.passed and verdict.checks[0].false_fail_rate == pytest.approx(
        RATE / 5
    )


def test_battery_rejects_too_few_samples_naming_the_check(target):
    """The battery raises the first failing minimum with n, rate and the minimum."""
    with pytest.raises(ValueError, match=r"n = 100 samples .* tails check.*n >= \d+"):
        run_battery(target.sample(100, seed=15), target)


@pytest.mark.parametrize("rate", [0.0, 1.0, 2.0])
def test_battery_rate_outside_the_unit_interval_is_a_value_error(rate, target):
    """The battery validates its family-wise rate."""
    with pytest.raises(ValueError, match="false_fail_rate must be in"):
        run_battery(target.sample(N, seed=0), target, false_fail_rate=rate)


def test_c2st_reference_is_not_the_samples_drawn_with_the_same_seed(target):
    """Reusing the battery seed for the samples does not couple them."""
    samples = target.sample(N, seed=16)
    result = equilibrium.assert_indistinguishable_by_c2st(samples, target, seed=16)
    assert 0.45 < result.statistic < 0.55


def test_c2st_false_fail_rate_is_controlled_at_a_large_rate():
    """Under the target the C2ST fails at most at its rate (Hoeffding's bound)."""
    target, rate, runs = Normal(dim=3), 0.2, 300
    failures = 0
    for seed in range(runs):
        try:
            equilibrium.assert_indistinguishable_by_c2st(
                target.sample(200, seed=10_000 + seed),
                target,
                false_fail_rate=rate,
                seed=seed,
            )
        except AssertionError:
            failures += 1
    assert failures <= stats.binom.isf(MARGIN, runs, rate)


def test_frechet_distance_matches_the_general_formula():
    """The diagonal shortcut equals the general matrix-square-root formula."""
    from scipy import linalg

    target = Normal(dim=4, mean=[1.0, -2.0, 0.0, 5.0], std=[0.5, 1.0, 2.0, 3.0])
    samples = controls.correlated(target, 2000, seed=17, correlation=0.6)
    mean, covariance = samples.mean(axis=0), np.cov(samples, rowvar=False)
    target_covariance = np.diag(target.std**2)
    root = linalg.sqrtm(
        linalg.sqrtm(target_covariance) @ covariance @ linalg.sqrtm(target_covariance)
    )
    expected = np.sum((mean - target.mean) ** 2) + np.trace(
        covariance + target_covariance - 2 * root.real
    )
    assert battery.frechet_distance(samples, target) == pytest.approx(
        expected, rel=1e-9
    )


def test_false_fail_rate_at_the_default_n(gan_seed):
    """Over 500 exact draws (dim 5) and 100 (dim 20) the battery fails within budget."""
    for dim, runs in ((5, 500), (20, 100)):
        target = Normal(dim=dim, mean=1.0, std=3.0)
        estimate = power_simulation.measure_power(
            "battery", controls.exact_target, target, N, runs, seed=gan_seed
        )
        limit = stats.binom.isf(MARGIN, runs, RATE)
        assert estimate.rejections <= limit, (
            f"dim {dim}: {estimate.rejections}/{runs} exact samples failed, budget "
            f"{RATE}, limit {limit:.0f}, seed {gan_seed}"
        )


@pytest.mark.parametrize("control", controls.NEGATIVE_CONTROLS)
def test_power_on_negative_controls_and_which_check_catches_them(
    control, target, gan_seed
):
    """At n = 5000 the battery, and the named checks, catch each control."""
    table = power_simulation.measure_power_by_check(
        control, target, N, POWER_REPLICATIONS, seed=gan_seed
    )
    needed = stats.binom.ppf(MARGIN, POWER_REPLICATIONS, DOCUMENTED_POWER[control])
    caught = table["battery"].rejections
    assert caught >= needed, (
        f"{control}: battery failed {caught}/{POWER_REPLICATIONS}, documented power "
        f"{DOCUMENTED_POWER[control]}, needed {needed:.0f}, seed {gan_seed}"
    )
    needed = stats.binom.ppf(MARGIN, POWER_REPLICATIONS, 0.95)
    for name in CATCHERS[control]:
        assert table[name].rejections >= needed, (
            f"{control}: {name} failed {table[name].rejections}/{POWER_REPLICATIONS}, "
            f"needed {needed:.0f}, seed {gan_seed}"
        )


@pytest.mark.xfail(
    strict=True,
    reason="At n = 5000 the std check detects std x0.9 in a single dimension with "
    "power 0.916, below the 0.95 target; n = 5550 or a tolerance of 0.045 reaches it.",
)
def test_std_check_detects_a_ten_percent_shrinkage_in_one_dimension():
    """The std check's exact power against std x0.9 in one of 20 dims is >= 0.95."""
    rate = power.battery_check_rate(dim=20)
    assert (
        power.rejection_probability("std_ratio", 0.9, N, dim=20, false_fail_rate=rate)
        >= 0.95
    )
