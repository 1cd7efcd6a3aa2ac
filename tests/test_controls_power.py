"""Tests of the negative controls and the power helpers, including the
detection figures the docstrings claim at the default n, checked by simulation."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy import stats

from gan_lab import (
    assertions,
    battery,
    controls,
    equilibrium,
    ks_checks,
    power,
    power_simulation,
    tail_checks,
)
from gan_lab.distributions import Normal

N = battery.DEFAULT_SAMPLE_SIZE
# A correct claim fails the simulation checks below with probability <= 1e-3.
MARGIN = 1e-3
CLAIM_REPLICATIONS = 200
CLAIMED_POWER = 0.95
SHARE = power.battery_check_rate(dim=20)
ALL_CONTROLS = {**controls.NEGATIVE_CONTROLS, "exact_target": controls.exact_target}


@pytest.fixture
def target() -> Normal:
    return Normal(dim=2, mean=[1.0, -3.0], std=[2.0, 0.5])


def standardized(samples: np.ndarray, target: Normal) -> np.ndarray:
    """Samples in target sd units."""
    return (samples - target.mean) / target.std


@pytest.mark.parametrize("name", ALL_CONTROLS)
def test_control_shape_type_and_reproducibility(name, target):
    """Every control returns (n, dim) finite float64 samples fixed by the seed."""
    first = ALL_CONTROLS[name](target, 50, 3)
    assert first.shape == (50, 2) and first.dtype == np.float64
    assert np.all(np.isfinite(first))
    assert np.array_equal(first, ALL_CONTROLS[name](target, 50, 3))


@pytest.mark.parametrize(
    "name",
    [
        "student_t_df10",
        "uniform",
        "truncated_2.5sd",
        "mixture_two_modes",
        "exact_target",
    ],
)
def test_matched_controls_keep_the_targets_mean_and_std(name, target):
    """Controls that claim matched moments have the target's mean and sd."""
    z = standardized(ALL_CONTROLS[name](target, 200_000, 4), target)
    assert np.abs(z.mean(axis=0)).max() < 0.01
    assert np.abs(z.std(axis=0) - 1).max() < 0.01


def test_flawed_controls_apply_their_flaw(target):
    """Shift, scale and correlation land where their arguments say."""
    n = 200_000
    z = standardized(controls.shifted_mean(target, n, 5, shift=0.25), target)
    assert z.mean(axis=0) == pytest.approx([0.25, 0.0], abs=0.01)
    z = standardized(controls.scaled_std(target, n, 5, dimensions=None), target)
    assert z.std(axis=0) == pytest.approx([0.9, 0.9], abs=0.01)
    z = standardized(controls.correlated(target, n, 5), target)
    assert np.corrcoef(z, rowvar=False)[0, 1] == pytest.approx(0.3, abs=0.01)
    assert z.std(axis=0) == pytest.approx([1.0, 1.0], abs=0.01)


def test_truncated_collapsed_and_mixture_shapes(target):
    """Truncation bounds the values, collapse repeats one row, mixtures share modes."""
    z = standardized(controls.truncated(target, 100_000, 6), target)
    assert np.abs(z).max() <= 2.5 / stats.truncnorm(-2.5, 2.5).std() + 1e-9
    assert np.abs(z).max() < 3.0
    rows = controls.collapsed(target, 100, 6)
    assert np.all(rows == rows[0])
    z = standardized(controls.mixture(target, 100_000, 6), target)
    assert np.corrcoef(z, rowvar=False)[0, 1] == pytest.approx(0.64, abs=0.01)
    z = standardized(controls.mixture(target, 100_000, 6, shared=False), target)
    assert abs(np.corrcoef(z, rowvar=False)[0, 1]) < 0.02


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda t: controls.exact_target(t, 0), "n must be"),
        (lambda t: controls.shifted_mean(t, 10, dimensions=[2]), "dimensions must"),
        (lambda t: controls.scaled_std(t, 10, scale=0), "scale must"),
        (lambda t: controls.correlated(t, 10, correlation=1.0), "correlation must"),
        (lambda t: controls.correlated(t, 10, pair=(1, 1)), "pair must"),
        (lambda t: controls.student_t(t, 10, degrees_of_freedom=2), "degrees_of"),
        (lambda t: controls.truncated(t, 10, bound=0), "bound must"),
        (lambda t: controls.mixture(t, 10, separation=1.0), "separation must"),
        (lambda t: controls.uniform_matched(object(), 10), "target must"),
    ],
)
def test_control_arguments_are_validated(call, pattern, target):
    """Out-of-range control arguments raise ValueError naming the parameter."""
    with pytest.raises(ValueError, match=pattern):
        call(target)


def test_measure_power_accepts_names_and_callables():
    """Checks and controls may be registry names or callables."""
    target = Normal(dim=3)
    strong = functools.partial(controls.shifted_mean, shift=0.6)
    estimate = power_simulation.measure_power("mean", strong, target, 1000, 5, seed=1)
    assert estimate.rejections == 5 and estimate.lower <= 1.0 <= estimate.upper

    def always_raises(samples, target):
        raise AssertionError("never satisfied")

    estimate = power_simulation.measure_power(always_raises, "uniform", target, 100, 3)
    assert estimate.power == 1.0 and estimate.check == "always_raises"
    passing = power_simulation.measure_power(
        lambda samples, target: None, controls.exact_target, target, 100, 3
    )
    assert passing.rejections == 0 and passing.control == "exact_target"


@pytest.mark.parametrize(
    ("arguments", "pattern"),
    [
        (("median", "uniform"), "check must be"),
        (("battery", "cauchy"), "control must be one of"),
    ],
)
def test_measure_power_rejects_unknown_names(arguments, pattern):
    """Unknown check or control names raise ValueError listing the choices."""
    with pytest.raises(ValueError, match=pattern):
        power_simulation.measure_power(*arguments, Normal(dim=2), 100, 2)


def test_measure_power_rejects_zero_replications():
    """At least one replication is needed."""
    with pytest.raises(ValueError, match="replications must be"):
        power_simulation.measure_power("battery", "uniform", Normal(dim=2), 100, 0)


@pytest.mark.parametrize("quantity", power.QUANTITIES)
def test_detectable_discrepancy_reaches_the_power_and_no_less(quantity):
    """At the detectable discrepancy the exact power is at least the target."""
    n = 10_000 if quantity == "tail_mass" else 2000
    spec = power.QUANTITIES[quantity]
    found = power.detectable_discrepancy(quantity, n, dim=5, false_fail_rate=0.01)
    sides = [1.0] if spec.one_sided else [1.0, -1.0]
    values = [
        min(max(spec.center + side * found, spec.lowest), spec.highest)
        for side in sides
    ]
    achieved = [
        power.rejection_probability(quantity, value, n, dim=5, false_fail_rate=0.01)
        for value in values
    ]
    assert min(achieved) >= 0.95 - 1e-4
    assert (
        power.rejection_probability(
            quantity, spec.center, n, dim=5, false_fail_rate=0.01
        )
        <= 0.01
    )


@pytest.mark.parametrize("quantity", ["mean", "std_ratio", "correlation"])
def test_required_sample_size_is_the_smallest_that_suffices(quantity):
    """The returned n reaches the power and n - 1 does not."""
    size = power.required_sample_size(quantity, 0.2, dim=20, false_fail_rate=SHARE)
    options = {"dim": 20, "false_fail_rate": SHARE}
    spec = power.QUANTITIES[quantity]
    values = [spec.center + 0.2, spec.center - 0.2]

    def weakest(n: int) -> float:
        return min(
            power.rejection_probability(quantity, v, n, **options) for v in values
        )

    assert weakest(size) >= 0.95 > weakest(size - 1)


def test_mean_power_formula_matches_simulation():
    """The noncentral-t power of the mean interval matches a simulation."""
    target, n, rate, runs = Normal(dim=1), 200, 0.2, 2000
    predicted = power.rejection_probability("mean", 0.2, n, false_fail_rate=rate)
    failures = 0
    for seed in range(runs):
        samples = controls.shifted_mean(target, n, seed, shift=0.2)
        try:
            assertions.assert_mean_equivalent_by_ci(
                samples, target, false_fail_rate=rate
            )
        except AssertionError:
            failures += 1
    interval = stats.binomtest(failures, runs).proportion_ci(1 - MARGIN)
    assert interval.low <= predicted <= interval.high


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("median", "quantity must be one of"),
        ("c2st_accuracy", "takes no tolerance"),
    ],
)
def test_power_helpers_validate_their_arguments(quantity, message):
    """Unknown quantities and tolerances on equality tests raise ValueError."""
    with pytest.raises(ValueError, match=message):
        power.detectable_discrepancy(quantity, 1000, tolerance=0.1)


def test_required_sample_size_refuses_discrepancies_within_tolerance():
    """A discrepancy inside the tolerance is never detected reliably."""
    with pytest.raises(ValueError, match="must exceed the tolerance"):
        power.required_sample_size("mean", 0.05)


def claimed_power_holds(failures: int) -> bool:
    """Whether a failure count is consistent with power >= CLAIMED_POWER."""
    return failures >= stats.binom.ppf(MARGIN, CLAIM_REPLICATIONS, CLAIMED_POWER)


def count_failures(check, make_samples) -> int:
    """Failures of ``check`` over CLAIM_REPLICATIONS samples from ``make_samples``."""
    failures = 0
    for seed in range(CLAIM_REPLICATIONS):
        try:
            check(make_samples(seed))
        except AssertionError:
            failures += 1
    return failures


@pytest.mark.parametrize(
    ("quantity", "claimed", "check", "control"),
    [
        (
            "mean",
            0.180,
            assertions.assert_mean_equivalent_by_ci,
            functools.partial(controls.shifted_mean, shift=0.180),
        ),
        (
            "std_ratio",
            0.103,
            assertions.assert_std_ratio_equivalent_by_chi2_ci,
            functools.partial(controls.scaled_std, scale=0.897),
        ),
        (
            "correlation",
            0.185,
            assertions.assert_correlations_equivalent_by_fisher_ci,
            functools.partial(controls.correlated, correlation=0.185),
        ),
    ],
)
def test_documented_detection_limits_hold_at_the_default_n(
    quantity, claimed, check, control
):
    """Simulated at the documented discrepancy, each interval check fails >= 95%."""
    target = Normal(dim=20, mean=-5.0, std=2.0)
    exact = power.rejection_probability(
        quantity,
        power.QUANTITIES[quantity].center
        + claimed * (-1 if quantity == "std_ratio" else 1),
        N,
        dim=20,
        false_fail_rate=SHARE,
    )
    assert exact >= CLAIMED_POWER
    failures = count_failures(
        lambda samples: check(samples, target, false_fail_rate=SHARE),
        lambda seed: control(target, N, seed),
    )
    assert claimed_power_holds(failures), f"{quantity}: {failures}/{CLAIM_REPLICATIONS}"


def test_documented_marginal_ks_limit_holds_at_the_default_n():
    """A 0.095 sd shift (CDF off by 0.038) in one of 20 dims fails KS >= 95%."""
    target = Normal(dim=20)
    failures = count_failures(
        lambda samples: ks_checks.assert_marginals_equal_by_ks_holm(
            samples, target, false_fail_rate=SHARE
        ),
        lambda seed: controls.shifted_mean(target, N, seed, shift=0.095),
    )
    assert claimed_power_holds(failures), f"{failures}/{CLAIM_REPLICATIONS}"


def test_documented_tail_limit_holds_at_the_default_n():
    """A pooled tail mass of 0.0037 over 20 dims fails the tail check >= 95%."""
    target = Normal(dim=20)
    # Scaling a normal by this factor puts mass 0.0037 beyond ±3.
    scale = 3 / stats.norm.isf(0.0037 / 2)
    failures = count_failures(
        lambda samples: tail_checks.assert_tail_mass_equal_by_binomial(
            samples, target, false_fail_rate=SHARE
        ),
        lambda seed: controls.scaled_std(target, N, seed, scale=scale, dimensions=None),
    )
    assert claimed_power_holds(failures), f"{failures}/{CLAIM_REPLICATIONS}"


def test_documented_discriminator_limit_holds():
    """An accuracy of 0.624 on 5000 + 5000 outputs fails >= 95% at rate 0.01 / 8."""
    rate = power.battery_check_rate(dim=20, with_discriminator=True)
    rng = np.random.default_rng(14)

    def outputs(seed: int) -> tuple[np.ndarray, np.ndarray]:
        right = rng.uniform(size=(2, N)) < 0.624
        return np.where(right[0], 0.9, 0.1), np.where(right[1], 0.1, 0.9)

    failures = count_failures(
        lambda pair: (
            equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson(
                *pair, false_fail_rate=rate
            )
        ),
        outputs,
    )
    assert claimed_power_holds(failures), f"{failures}/{CLAIM_REPLICATIONS}"
