"""Unit tests of the individual statistical checks and their shared core."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from gan_lab import (
    assertions,
    check_core,
    controls,
    equilibrium,
    ks_checks,
    tail_checks,
)
from gan_lab.check_core import CheckFailedError
from gan_lab.distributions import Normal

N = 5000
RATE = 0.01
# Binomial margins in calibration tests: a correct check exceeds them with
# probability at most this.
MARGIN = 1e-3

SAMPLE_CHECKS = {
    "mean": assertions.assert_mean_equivalent_by_ci,
    "std": assertions.assert_std_ratio_equivalent_by_chi2_ci,
    "correlation": assertions.assert_correlations_equivalent_by_fisher_ci,
    "marginal_ks": ks_checks.assert_marginals_equal_by_ks_holm,
    "projection_ks": ks_checks.assert_projections_equal_by_ks,
    "tails": tail_checks.assert_tail_mass_equal_by_binomial,
    "c2st": equilibrium.assert_indistinguishable_by_c2st,
}


@pytest.fixture
def target() -> Normal:
    return Normal(dim=20, mean=-5.0, std=2.0)


@pytest.mark.parametrize("name", SAMPLE_CHECKS)
def test_check_passes_a_sample_from_the_target(name, target, gan_seed):
    """Every check returns a passing result for an exact target sample."""
    result = SAMPLE_CHECKS[name](target.sample(N, seed=gan_seed), target)
    assert result.passed and result.name == name, result.message(gan_seed)
    assert result.n == N and result.false_fail_rate == RATE


def test_mean_failure_message_gives_statistic_threshold_n_rate_and_seed(target):
    """A failing mean check reports statistic, threshold, n, rate and seed."""
    samples = controls.shifted_mean(target, N, seed=1, shift=0.3, dimensions=[4])
    with pytest.raises(CheckFailedError) as failure:
        assertions.assert_mean_equivalent_by_ci(samples, target, seed=1)
    message = str(failure.value)
    result = failure.value.result
    assert isinstance(failure.value, AssertionError)
    assert f"{result.statistic:.4g}" in message and "must be <= 0.1" in message
    assert "n = 5000" in message and "false-fail rate = 0.01" in message
    assert "seed = 1" in message and "dimension 4" in message
    assert result.statistic > 0.1


def test_std_shrinkage_is_named_as_mode_collapse(target):
    """A too-small standard deviation is reported as variance shrinkage."""
    samples = controls.scaled_std(target, N, seed=2, scale=0.8, dimensions=[3])
    with pytest.raises(CheckFailedError, match="signature of mode collapse"):
        assertions.assert_std_ratio_equivalent_by_chi2_ci(samples, target)


def test_std_inflation_fails_without_the_shrinkage_label(target):
    """A too-large standard deviation fails but is not called shrinkage."""
    samples = controls.scaled_std(target, N, seed=3, scale=1.2, dimensions=[3])
    with pytest.raises(CheckFailedError) as failure:
        assertions.assert_std_ratio_equivalent_by_chi2_ci(samples, target)
    assert "shrinkage" not in str(failure.value)


def test_overall_std_catches_a_small_shrinkage_in_every_dimension(target):
    """A 6% shrinkage everywhere is caught through the pooled interval."""
    samples = controls.scaled_std(target, N, seed=4, scale=0.94, dimensions=None)
    with pytest.raises(CheckFailedError, match="all dimensions"):
        assertions.assert_std_ratio_equivalent_by_chi2_ci(samples, target)


def test_correlated_pair_fails_and_is_named(target):
    """A correlation of 0.3 between two dimensions fails and names the pair."""
    samples = controls.correlated(target, N, seed=5, correlation=0.3, pair=(2, 9))
    with pytest.raises(CheckFailedError, match=r"dimensions \(2, 9\)"):
        assertions.assert_correlations_equivalent_by_fisher_ci(samples, target)


def test_ks_statistics_equal_scipy_kstest(target):
    """The vectorized KS statistic equals scipy.stats.kstest on the exact CDF."""
    samples = controls.student_t(target, 300, seed=6).astype(np.float64)
    ours = ks_checks.ks_statistics(check_core.standardize(samples, target))
    for i in range(target.dim):
        theirs = stats.kstest(samples[:, i], target.marginal(i).cdf).statistic
        assert ours[i] == pytest.approx(theirs, abs=1e-12)


def test_holm_names_the_shifted_dimensions(target):
    """The marginal KS check rejects exactly the shifted dimensions."""
    samples = controls.shifted_mean(target, N, seed=7, shift=0.4, dimensions=[2, 7])
    with pytest.raises(CheckFailedError, match=r"rejects dimensions \[2, 7\]"):
        ks_checks.assert_marginals_equal_by_ks_holm(samples, target)


def test_projection_check_sees_dependence_that_marginals_and_correlations_miss():
    """Dimensions that are random-sign copies of one normal fail only jointly."""
    target = Normal(dim=5)
    rng = np.random.default_rng(8)
    shared = rng.standard_normal((N, 1))
    samples = shared * rng.choice([-1.0, 1.0], size=(N, 5))
    ks_checks.assert_marginals_equal_by_ks_holm(samples, target)
    assertions.assert_correlations_equivalent_by_fisher_ci(samples, target)
    with pytest.raises(CheckFailedError):
        ks_checks.assert_projections_equal_by_ks(samples, target)


@pytest.mark.parametrize(
    ("control", "shape"),
    [
        ("uniform", "too light"),
        ("truncated_2.5sd", "too light"),
        ("student_t_df10", "too heavy"),
    ],
)
def test_tail_check_fails_light_and_heavy_tails(control, shape, target):
    """Both missing and excess mass beyond 3 sd fail, with the direction named."""
    samples = controls.NEGATIVE_CONTROLS[control](target, N, seed=9)
    with pytest.raises(CheckFailedError, match=shape):
        tail_checks.assert_tail_mass_equal_by_binomial(samples, target)


@pytest.mark.parametrize(
    ("count", "total"), [(0, 5000), (5, 5000), (13, 5000), (30, 5000), (250, 100000)]
)
def test_binomial_p_value_equals_scipy_binomtest(count, total):
    """The cached two-sided p-value equals scipy.stats.binomtest's."""
    expected = stats.binomtest(count, total, tail_checks.tail_probability()).pvalue
    assert tail_checks.binomial_two_sided_p(count, total) == pytest.approx(
        expected, rel=1e-9, abs=1e-300
    )


@pytest.mark.parametrize(
    ("name", "control", "strength", "dim"),
    [
        ("mean", controls.shifted_mean, {"shift": 0.1}, 1),
        ("std", controls.scaled_std, {"scale": 0.95}, 1),
        ("correlation", controls.correlated, {"correlation": 0.1}, 2),
    ],
)
def test_false_fail_rate_holds_at_the_tolerance_boundary(name, control, strength, dim):
    """A sample exactly at the tolerance fails no more often than the rate."""
    target, rate, runs, n = Normal(dim=dim), 0.2, 400, 400
    failures = 0
    for seed in range(runs):
        try:
            SAMPLE_CHECKS[name](
                control(target, n, seed, **strength), target, false_fail_rate=rate
            )
        except CheckFailedError:
            failures += 1
    limit = stats.binom.isf(MARGIN, runs, rate)
    assert failures <= limit, f"{name}: {failures}/{runs} fails, rate {rate}"


@pytest.mark.parametrize("name", SAMPLE_CHECKS)
def test_collapsed_sample_fails_cleanly(name, target):
    """A sample of identical rows fails every check without an error or warning."""
    samples = controls.collapsed(target, N, seed=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CheckFailedError):
            SAMPLE_CHECKS[name](samples, target)


@pytest.mark.parametrize("name", SAMPLE_CHECKS)
@pytest.mark.parametrize(
    ("shape", "pattern"),
    [((N,), r"shape \(n, 20\)"), ((N, 19), r"shape \(n, 20\)"), ((N, 20, 1), "shape")],
)
def test_wrong_shape_is_a_value_error(name, shape, pattern, target):
    """Samples that are 1-D, of the wrong dimension or 3-D raise ValueError."""
    with pytest.raises(ValueError, match=pattern):
        SAMPLE_CHECKS[name](np.zeros(shape), target)


@pytest.mark.parametrize("name", SAMPLE_CHECKS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_a_value_error(name, bad, target):
    """NaN or infinite values raise ValueError naming the first position."""
    samples = target.sample(N, seed=11).astype(np.float64)
    samples[17, 3] = bad
    with pytest.raises(ValueError, match="row 17, column 3"):
        SAMPLE_CHECKS[name](samples, target)


@pytest.mark.parametrize("name", SAMPLE_CHECKS)
@pytest.mark.parametrize("rate", [0, 1, -0.1, 1.5, float("nan"), "0.01", True])
def test_rate_outside_the_unit_interval_is_a_value_error(name, rate, target):
    """A false-fail rate that is not a number in (0, 1) raises ValueError."""
    with pytest.raises(ValueError, match="false_fail_rate"):
        SAMPLE_CHECKS[name](target.sample(100, seed=0), target, false_fail_rate=rate)


@pytest.mark.parametrize(
    ("name", "n", "minimum"),
    [
        ("mean", 1, 2),
        ("std", 1, 2),
        ("correlation", 3, 4),
        ("marginal_ks", 10, None),
        ("projection_ks", 10, None),
        ("tails", 100, None),
        ("c2st", 6, 7),
    ],
)
def test_too_few_samples_for_the_rate_is_a_value_error(name, n, minimum, target):
    """Below a check's minimum n the error names n, the rate and the minimum."""
    pattern = rf"n = {n} samples .* {name} check at false_fail_rate = 0.01.*n >= "
    with pytest.raises(ValueError, match=pattern + (str(minimum) if minimum else "")):
        SAMPLE_CHECKS[name](target.sample(n, seed=0), target)


def test_tail_minimum_lets_a_tailless_sample_fail_exactly_there():
    """At the tail check's minimum n, a sample with no tail values can fail."""
    target = Normal(dim=1)
    with pytest.raises(ValueError, match=r"n >= (\d+)") as error:
        tail_checks.assert_tail_mass_equal_by_binomial(np.zeros((10, 1)), target)
    minimum = int(error.value.args[0].rsplit(">= ", 1)[1])
    with pytest.raises(CheckFailedError):
        tail_checks.assert_tail_mass_equal_by_binomial(np.zeros((minimum, 1)), target)


def test_target_must_be_a_normal():
    """A target that is not a Normal raises ValueError."""
    with pytest.raises(ValueError, match="target must be"):
        assertions.assert_mean_equivalent_by_ci(np.zeros((10, 2)), object())


@pytest.mark.parametrize("tolerance", [0, -0.1, float("inf"), "0.1"])
def test_bad_tolerance_is_a_value_error(tolerance, target):
    """Tolerances must be positive finite numbers."""
    with pytest.raises(ValueError, match="tolerance"):
        assertions.assert_mean_equivalent_by_ci(
            target.sample(100, seed=0), target, tolerance=tolerance
        )


def test_bad_projection_count_and_seed_are_value_errors(target):
    """The projection check validates its count and its seed."""
    samples = target.sample(100, seed=0)
    with pytest.raises(ValueError, match="projection_count"):
        ks_checks.assert_projections_equal_by_ks(samples, target, projection_count=0)
    with pytest.raises(ValueError, match="seed"):
        ks_checks.assert_projections_equal_by_ks(samples, target, seed=-1)


@settings(max_examples=25, deadline=None)
@given(
    mean=st.floats(-1e3, 1e3, allow_nan=False),
    std=st.floats(1e-3, 1e3, allow_nan=False),
)
def test_results_do_not_depend_on_the_targets_location_and_scale(mean, std):
    """Checks see only standardized samples, so moving the target changes nothing."""
    standard = Normal(dim=3)
    moved = Normal(dim=3, mean=mean, std=std)
    samples = standard.sample(400, seed=12).astype(np.float64)
    for name in ("mean", "std", "correlation", "marginal_ks", "tails"):
        first = outcome(SAMPLE_CHECKS[name], samples, standard)
        second = outcome(SAMPLE_CHECKS[name], mean + std * samples, moved)
        assert first.statistic == pytest.approx(second.statistic, rel=1e-6, abs=1e-9)
        assert first.passed == second.passed


def outcome(check, samples, target) -> check_core.CheckResult:
    """The result of a check at rate 0.5, whether it passed or failed."""
    try:
        return check(samples, target, false_fail_rate=0.5)
    except CheckFailedError as failure:
        return failure.result


def test_holm_on_ks_statistics_equals_holm_on_p_values():
    """Holm by cached critical values rejects what Holm on exact p-values rejects."""
    rng = np.random.default_rng(13)
    n, rate = 300, 0.05
    for _ in range(20):
        distance = rng.uniform(0.02, 0.12, size=8)
        by_p_value = tail_checks._holm_rejections(stats.kstwo.sf(distance, n), rate)
        by_statistic = ks_checks._holm_rejections_by_ks(distance, rate, n)
        assert by_statistic.tolist() == by_p_value.tolist()
