"""Sample sizes and detectable discrepancies of the statistical checks.

Each function speaks of one quantity a check decides on and of the true value that
quantity takes in the generator; the probability of failing is computed exactly
(noncentral t, chi-square, binomial) or, for correlations, with Fisher's normal
approximation. The false-fail rate is the check's rate, which the check splits over
its intervals or tests as ``dim`` dictates, exactly as the assertions do::

    rate = battery_check_rate(dim=20)  # 0.01 / 7, the share of each check
    detectable_discrepancy("std_ratio", 5000, dim=20, false_fail_rate=rate)  # 0.110
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, stats

from gan_lab import assertions, battery, check_core, equilibrium, tail_checks

# Far beyond any sample size a user would draw; a search that reaches it gives up.
LARGEST_SAMPLE_SIZE = 10**9


@dataclass(frozen=True)
class _Quantity:
    """How one quantity's check fails, and where its values may lie."""

    center: float
    tolerance: float
    lowest: float
    highest: float
    minimum_n: int
    tests: Callable[[int], int]
    reject: Callable[[float, int, float, float], float]
    one_sided: bool = False


def _mean_rejection(shift: float, n: int, level: float, tolerance: float) -> float:
    """Exact (noncentral t) probability that a t interval leaves ±tolerance."""
    critical = stats.t.isf(level / 2, n - 1)
    above = _noncentral_t_above(critical, n - 1, math.sqrt(n) * (shift - tolerance))
    below = _noncentral_t_above(critical, n - 1, -math.sqrt(n) * (shift + tolerance))
    return float(above + below)


def _noncentral_t_above(critical: float, freedom: int, noncentrality: float) -> float:
    """P(T > critical) for a noncentral t, integrating when scipy's value is NaN."""
    value = stats.nct.sf(critical, freedom, noncentrality)
    if np.isfinite(value):
        return float(value)

    # T = (Z + noncentrality) / sqrt(V / freedom) with V chi-square: condition on V.
    def conditional(variance: float) -> float:
        return stats.norm.sf(critical * math.sqrt(variance / freedom) - noncentrality)

    return float(
        integrate.quad(
            lambda v: conditional(v) * stats.chi2.pdf(v, freedom),
            *stats.chi2.ppf([1e-12, 1 - 1e-12], freedom),
            limit=200,
        )[0]
    )


def _std_rejection(ratio: float, n: int, level: float, tolerance: float) -> float:
    """Exact (chi-square) probability that the ratio interval leaves 1 ± tolerance."""
    if ratio <= 0:
        return 1.0
    freedom = n - 1
    low_quantile = stats.chi2.ppf(level / 2, freedom)
    high_quantile = stats.chi2.isf(level / 2, freedom)
    below = stats.chi2.cdf((1 - tolerance) ** 2 * low_quantile / ratio**2, freedom)
    above = stats.chi2.sf((1 + tolerance) ** 2 * high_quantile / ratio**2, freedom)
    return float(below + above)


def _correlation_rejection(
    correlation: float, n: int, level: float, tolerance: float
) -> float:
    """Fisher-approximate probability that the interval leaves ±tolerance."""
    critical = stats.norm.isf(level / 2)
    spread = 1 / math.sqrt(n - 3)
    fisher = math.atanh(min(max(correlation, -1 + 1e-15), 1 - 1e-15))
    edge = math.atanh(tolerance)
    above = stats.norm.sf(critical - (fisher - edge) / spread)
    below = stats.norm.sf(critical - (-edge - fisher) / spread)
    return float(above + below)


@functools.lru_cache(maxsize=32)
def _accuracy_rejection_counts(total: int, level: float, tolerance: float) -> tuple:
    """Correct counts at which the Clopper-Pearson interval leaves 0.5 ± tolerance."""
    counts = np.arange(total + 1)
    with np.errstate(all="ignore"):
        lower = np.nan_to_num(stats.beta.ppf(level / 2, counts, total - counts + 1))
        upper = stats.beta.isf(level / 2, counts + 1, total - counts)
    upper = np.where(counts == total, 1.0, np.nan_to_num(upper, nan=1.0))
    high = counts[lower > 0.5 + tolerance]
    low = counts[upper < 0.5 - tolerance]
    return (
        int(high[0]) if high.size else total + 1,
        int(low[-1]) if low.size else -1,
    )


def _accuracy_rejection(
    accuracy: float, total: int, level: float, tolerance: float
) -> float:
    """Exact probability that the discriminator accuracy check fails."""
    high, low = _accuracy_rejection_counts(total, level, tolerance)
    return float(
        stats.binom.sf(high - 1, total, accuracy)
        + stats.binom.cdf(low, total, accuracy)
    )


def _c2st_rejection(accuracy: float, n: int, level: float, tolerance: float) -> float:
    """Exact probability that a classifier of this true accuracy fails the C2ST."""
    tests = 2 * (n - n // 2)
    critical = int(stats.binom.isf(level, tests, 0.5)) + 1
    return float(stats.binom.sf(critical - 1, tests, accuracy))


@functools.lru_cache(maxsize=16)
def _tail_rejection_counts(total: int, level: float) -> np.ndarray:
    """Tail counts among ``total`` values that the exact binomial test rejects."""
    p_values = tail_checks.binomial_two_sided_p(np.arange(total + 1), total)
    return np.flatnonzero(p_values <= level)


def _tail_rejection(mass: float, total: int, level: float, tolerance: float) -> float:
    """Exact probability that the tail test fails when the true tail mass is given."""
    rejected = _tail_rejection_counts(total, level)
    return float(np.sum(stats.binom.pmf(rejected, total, mass)))


def _intervals(dim: int) -> int:
    """Per-dimension intervals plus the overall one."""
    return dim + 1 if dim > 1 else 1


# One entry per quantity a check decides on: its target value, default tolerance,
# range, smallest n, number of intervals or tests for ``dim`` dimensions, and the
# probability of failing as a function of (true value, n, level, tolerance).
QUANTITIES = {
    "mean": _Quantity(
        center=0.0,
        tolerance=assertions.MEAN_TOLERANCE,
        lowest=-math.inf,
        highest=math.inf,
        minimum_n=2,
        tests=_intervals,
        reject=_mean_rejection,
    ),
    "std_ratio": _Quantity(
        center=1.0,
        tolerance=assertions.STD_RATIO_TOLERANCE,
        lowest=0.0,
        highest=math.inf,
        minimum_n=2,
        tests=_intervals,
        reject=_std_rejection,
    ),
    "correlation": _Quantity(
        center=0.0,
        tolerance=assertions.CORRELATION_TOLERANCE,
        lowest=-1.0,
        highest=1.0,
        minimum_n=4,
        tests=lambda dim: max(1, dim * (dim - 1) // 2),
        reject=_correlation_rejection,
    ),
    "discriminator_accuracy": _Quantity(
        center=0.5,
        tolerance=equilibrium.ACCURACY_TOLERANCE,
        lowest=0.0,
        highest=1.0,
        minimum_n=2,
        tests=lambda dim: 1,
        reject=_accuracy_rejection,
    ),
    "c2st_accuracy": _Quantity(
        center=0.5,
        tolerance=0.0,
        lowest=0.0,
        highest=1.0,
        minimum_n=4,
        tests=lambda dim: 1,
        reject=_c2st_rejection,
        one_sided=True,
    ),
    "tail_mass": _Quantity(
        center=tail_checks.tail_probability(),
        tolerance=0.0,
        lowest=0.0,
        highest=1.0,
        minimum_n=1,
        tests=_intervals,
        reject=_tail_rejection,
    ),
}


def battery_check_rate(
    dim: int,
    false_fail_rate: float = battery.DEFAULT_FALSE_FAIL_RATE,
    with_discriminator: bool = False,
) -> float:
    """The false-fail rate the battery gives each of its checks.

    Args:
        dim: Number of dimensions, >= 1.
        false_fail_rate: The battery's family-wise rate, in (0, 1).
        with_discriminator: Whether discriminator outputs are given.

    Returns:
        ``false_fail_rate`` divided by the number of checks the battery runs.
    """
    rate = check_core.check_false_fail_rate(false_fail_rate)
    return rate / len(battery.battery_checks(dim, with_discriminator))


def rejection_probability(
    quantity: str,
    value: float,
    n: int,
    *,
    dim: int = 1,
    false_fail_rate: float = 0.01,
    tolerance: float | None = None,
) -> float:
    """Probability that a check fails when its quantity's true value is ``value``.

    Args:
        quantity: One of ``QUANTITIES``: ``"mean"`` (shift in sd), ``"std_ratio"``,
            ``"correlation"`` (of one pair), ``"discriminator_accuracy"``,
            ``"c2st_accuracy"`` (true accuracy of the fitted classifier) or
            ``"tail_mass"`` (true mass beyond ±3 sd).
        value: The true value in one dimension, pair or test; all others are exact.
        n: Samples (decisions for the discriminator; values counted for the tail
            mass, n * dim for the pooled test).
        dim: Dimensions, which set how many intervals share the rate.
        false_fail_rate: The check's false-fail rate, in (0, 1).
        tolerance: The check's tolerance; the assertion's default when None.

    Returns:
        The probability of failing.

    Raises:
        ValueError: On an unknown quantity or an out-of-range argument.
    """
    spec, level, tolerance = _resolve(quantity, n, dim, false_fail_rate, tolerance)
    return spec.reject(float(value), int(n), level, tolerance)


def detectable_discrepancy(
    quantity: str,
    n: int,
    *,
    dim: int = 1,
    false_fail_rate: float = 0.01,
    power: float = 0.95,
    tolerance: float | None = None,
) -> float:
    """The smallest discrepancy a check detects with the given power.

    The discrepancy is the distance of the true value from the target's (0 for a
    shift or correlation, 1 for a std ratio, 0.5 for an accuracy, 2 Φ(-3) for the
    tail mass) in one dimension, pair or test. For two-sided checks it is the larger
    of the distances needed below and above, so any discrepancy at least this large,
    in either direction, is detected with at least ``power``.

    Args:
        quantity: One of ``QUANTITIES`` (see ``rejection_probability``).
        n: Samples, as in ``rejection_probability``.
        dim: Dimensions, which set how many intervals share the rate.
        false_fail_rate: The check's false-fail rate, in (0, 1).
        power: Required probability of failing, in (0, 1).
        tolerance: The check's tolerance; the assertion's default when None.

    Returns:
        The discrepancy, or ``math.inf`` when no value reaches the power at this n.

    Raises:
        ValueError: On an unknown quantity or an out-of-range argument.
    """
    spec, level, tolerance = _resolve(quantity, n, dim, false_fail_rate, tolerance)
    power = check_core.check_false_fail_rate(power, "power")
    sides = (1.0,) if spec.one_sided else (1.0, -1.0)
    distances = []
    for side in sides:
        limit = spec.highest if side > 0 else spec.lowest
        start = spec.center + side * tolerance

        def shortfall(value: float) -> float:
            return spec.reject(value, int(n), level, tolerance) - power

        # Walk out from the tolerance until the power is reached, then bisect.
        step = max(tolerance, 1e-3)
        end = start + side * step
        while shortfall(end) < 0:
            if end == limit:
                return math.inf
            step *= 2
            end = start + side * step
            if side * (end - limit) >= 0:
                end = limit
        found = optimize.brentq(shortfall, start, end, xtol=1e-6)
        distances.append(abs(found - spec.center))
    return float(max(distances))


def required_sample_size(
    quantity: str,
    discrepancy: float,
    *,
    dim: int = 1,
    false_fail_rate: float = 0.01,
    power: float = 0.95,
    tolerance: float | None = None,
) -> int:
    """The smallest n at which a check detects a discrepancy with the given power.

    Args:
        quantity: One of ``QUANTITIES`` (see ``rejection_probability``).
        discrepancy: Distance of the true value from the target's, larger than the
            tolerance; two-sided checks must detect it in both directions.
        dim: Dimensions, which set how many intervals share the rate.
        false_fail_rate: The check's false-fail rate, in (0, 1).
        power: Required probability of failing, in (0, 1).
        tolerance: The check's tolerance; the assertion's default when None.

    Returns:
        The sample size, counted as in ``rejection_probability``.

    Raises:
        ValueError: On an unknown quantity, an out-of-range argument, a discrepancy
            within the tolerance, or one no n up to ``LARGEST_SAMPLE_SIZE`` detects.
    """
    spec, _, tolerance = _resolve(quantity, None, dim, false_fail_rate, tolerance)
    power = check_core.check_false_fail_rate(power, "power")
    if not discrepancy > tolerance:
        raise ValueError(
            f"discrepancy must exceed the tolerance {tolerance:g} to be detectable, "
            f"got {discrepancy}"
        )
    values = [spec.center + discrepancy]
    if not spec.one_sided:
        values.append(spec.center - discrepancy)
    values = [min(max(value, spec.lowest), spec.highest) for value in values]

    def enough(n: int) -> bool:
        return all(
            rejection_probability(
                quantity,
                value,
                n,
                dim=dim,
                false_fail_rate=false_fail_rate,
                tolerance=tolerance,
            )
            >= power
            for value in values
        )

    # Double until the power is reached, then bisect between the last two sizes.
    low, high = spec.minimum_n, spec.minimum_n
    while not enough(high):
        if high >= LARGEST_SAMPLE_SIZE:
            raise ValueError(
                f"no n up to {LARGEST_SAMPLE_SIZE} detects a {quantity} discrepancy "
                f"of {discrepancy} with power {power}"
            )
        low, high = high + 1, min(2 * high, LARGEST_SAMPLE_SIZE)
    while low < high:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle + 1
    return high


def _resolve(
    quantity: str,
    n: int | None,
    dim: int,
    false_fail_rate: float,
    tolerance: float | None,
) -> tuple[_Quantity, float, float]:
    """Validate the arguments and return the quantity, the test level, tolerance."""
    if quantity not in QUANTITIES:
        raise ValueError(
            f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}"
        )
    spec = QUANTITIES[quantity]
    rate = check_core.check_false_fail_rate(false_fail_rate)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be an integer >= 1, got {dim!r}")
    if n is not None and (
        isinstance(n, bool)
        or not isinstance(n, (int, np.integer))
        or n < spec.minimum_n
    ):
        raise ValueError(
            f"n must be an integer >= {spec.minimum_n} for {quantity}, got {n!r}"
        )
    if tolerance is None:
        tolerance = spec.tolerance
    elif spec.tolerance == 0.0:
        raise ValueError(f"{quantity} tests equality and takes no tolerance")
    else:
        below = None if quantity == "mean" else (0.5 if "accuracy" in quantity else 1)
        tolerance = check_core.check_tolerance(tolerance, "tolerance", below=below)
    return spec, rate / spec.tests(dim), tolerance
