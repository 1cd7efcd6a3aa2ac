"""Kolmogorov-Smirnov assertions: every marginal, and random projections, exactly.

Both checks test equality with the exact target, so their false-fail rate holds for
samples drawn from it (``gan_lab.assertions`` describes the two kinds of guarantee
and where the detection figures come from)::

    assert_marginals_equal_by_ks_holm(generated, target, false_fail_rate=0.01)
    assert_projections_equal_by_ks(generated, target, false_fail_rate=0.01, seed=3)
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy import special, stats

from gan_lab.check_core import (
    CheckResult,
    check_false_fail_rate,
    check_seed,
    enforce,
    require_sample_size,
    standardize,
)
from gan_lab.distributions import Normal

# Random directions for the Cramér-Wold check; the KS threshold grows only like the
# square root of log(count), so many directions cost little power.
PROJECTION_COUNT = 64
# The directions' stream, derived from the caller's seed and kept apart from
# ``target.sample(n, seed)``, so that reusing one seed for the samples and the check
# cannot couple them.
PROJECTION_STREAM = 1
# The projections use np.einsum for the reason given in gan_lab.assertions: no BLAS
# threads to wake on a busy machine.


def assert_marginals_equal_by_ks_holm(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    seed: int | None = None,
) -> CheckResult:
    """Assert every marginal equals the target's by one-sample KS tests with Holm.

    Each dimension gets an exact one-sample Kolmogorov-Smirnov test against the
    target's marginal CDF (the statistic of ``scipy.stats.kstest``, the p-value of
    ``scipy.stats.kstwo``); Holm's step-down procedure controls the family-wise error
    across dimensions and names the dimensions it rejects. Holm rejects some
    dimension exactly when the largest statistic exceeds the Bonferroni critical
    value, which the result shows as its threshold.

    Guarantee: a sample from the target fails with probability at most
    ``false_fail_rate``. At n = 5000 and rate 0.01 / 7 (20 dimensions) the critical
    value is 0.0320; a shift of 0.095 sd in one dimension (its CDF off by 0.038) is
    detected with power 0.95 (386 of 400 simulated samples failed).

    Note: KS weighs the bulk of the distribution. A marginal that is right in the
    bulk but wrong beyond 2.5 sd moves the CDF by less than 0.01 and passes; the
    tail-mass check covers that case.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample from the target, in (0, 1).
        seed: Seed that produced the samples, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), or an
            n too small to fail a sample lying on one side of the target's median.
        CheckFailedError: If the check fails.
    """
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    n, dim = standardized.shape
    require_sample_size(n, _ks_minimum(rate / dim), "marginal_ks", rate)

    distance = ks_statistics(standardized)
    worst = int(np.argmax(distance))
    threshold = ks_critical_value(rate / dim, n)
    # Holm's first step is Bonferroni's: below its critical value nothing is
    # rejected.
    rejected = np.array([], dtype=int)
    if distance[worst] > threshold:
        rejected = _holm_rejections_by_ks(distance, rate, n)
    detail = (
        f"Holm rejects dimensions {rejected.tolist()}; the largest statistic is in "
        f"dimension {worst}{_ks_p_note(distance[worst], n, rejected.size > 0)}."
    )
    result = CheckResult(
        name="marginal_ks",
        statistic_name="largest KS statistic",
        statistic=float(distance[worst]),
        relation="<=",
        threshold=threshold,
        passed=not rejected.size,
        n=n,
        false_fail_rate=rate,
        detail=detail,
    )
    return enforce(result, seed)


def assert_projections_equal_by_ks(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    projection_count: int = PROJECTION_COUNT,
    seed: int = 0,
) -> CheckResult:
    """Assert one-dimensional projections match the target's (Cramér-Wold).

    A distribution is determined by its one-dimensional projections, so the
    standardized samples are projected on ``projection_count`` random unit
    directions fixed by ``seed``, and each projection is KS-tested against N(0, 1),
    its exact law under the target; Bonferroni controls the family-wise error. This
    sees dependence that leaves every marginal right, such as samples spread over a
    lower-dimensional set or clustered in modes.

    Guarantee: a sample from the target fails with probability at most
    ``false_fail_rate``. At n = 5000 and rate 0.01 / 7 with 64 directions the
    critical value is 0.0337; a sample whose projection on one of the directions is
    shifted by 0.1 sd (its CDF off by 0.040) is detected with power about 0.95 (381
    of 400 simulated samples failed).

    Note: a random direction spreads its weight over all dimensions, so dependence
    confined to one pair of 20 dimensions barely shows in any projection; the
    correlation check is the sharper test for pairwise linear dependence.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample from the target, in (0, 1).
        projection_count: Number of random directions, >= 1.
        seed: Seed, >= 0, fixing the directions; printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), a bad
            count or seed, or an n too small to fail a sample lying on one side of
            a projection's median.
        CheckFailedError: If the check fails.
    """
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    check_seed(seed)
    if (
        isinstance(projection_count, bool)
        or not isinstance(projection_count, (int, np.integer))
        or projection_count < 1
    ):
        raise ValueError(
            f"projection_count must be an integer >= 1, got {projection_count!r}"
        )
    n, dim = standardized.shape
    level = rate / projection_count
    require_sample_size(n, _ks_minimum(level), "projection_ks", rate)

    generator = np.random.default_rng([seed, PROJECTION_STREAM])
    directions = generator.standard_normal((dim, projection_count))
    directions /= np.linalg.norm(directions, axis=0)
    distance = ks_statistics(np.einsum("ij,jk->ik", standardized, directions))
    threshold = ks_critical_value(level, n)
    worst = int(np.argmax(distance))
    passed = bool(distance[worst] <= threshold)
    detail = (
        f"{int(np.sum(distance > threshold))} of {projection_count} directions "
        f"exceed the threshold; the worst is direction {worst}"
        f"{_ks_p_note(distance[worst], n, not passed)}."
    )
    result = CheckResult(
        name="projection_ks",
        statistic_name="largest KS statistic over projections",
        statistic=float(distance[worst]),
        relation="<=",
        threshold=threshold,
        passed=passed,
        n=n,
        false_fail_rate=rate,
        detail=detail,
    )
    return enforce(result, seed)


def ks_statistics(standardized: np.ndarray) -> np.ndarray:
    """One-sample KS statistic of each column against N(0, 1), as ``kstest``.

    Args:
        standardized: Array of shape ``(n, columns)``.

    Returns:
        The statistic of each column, shape ``(columns,)``.
    """
    n = standardized.shape[0]
    cdf = special.ndtr(np.sort(standardized, axis=0))
    steps = np.arange(1, n + 1)[:, None] / n
    above = np.max(steps - cdf, axis=0)
    below = np.max(cdf - (steps - 1.0 / n), axis=0)
    return np.maximum(above, below)


@functools.lru_cache(maxsize=256)
def ks_critical_value(level: float, n: int) -> float:
    """The KS statistic whose exact p-value (``scipy.stats.kstwo``) is ``level``."""
    return float(stats.kstwo.isf(level, n))


def _ks_p_note(distance: float, n: int, failed: bool) -> str:
    """The exact p-value of a failing KS statistic, for the detail sentence."""
    # The exact p-value costs milliseconds at large n, so passing checks skip it.
    return f", p = {stats.kstwo.sf(distance, n):.3g}" if failed else ""


def _holm_rejections_by_ks(distance: np.ndarray, rate: float, n: int) -> np.ndarray:
    """Holm's rejections among KS statistics that share one n.

    With a common n the p-value falls as the statistic grows, so each Holm step can
    compare a statistic with a cached critical value instead of computing exact
    p-values, which take milliseconds each at large n.
    """
    order = np.argsort(-distance, kind="stable")
    count = len(distance)
    for step, index in enumerate(order):
        if distance[index] <= ks_critical_value(rate / (count - step), n):
            return np.sort(order[:step])
    return np.sort(order)


@functools.lru_cache(maxsize=64)
def _ks_minimum(level: float) -> int:
    """Smallest n at which a KS statistic of 0.5 reaches p <= level."""
    n = 1
    while stats.kstwo.sf(0.5, n) > level:
        n += 1
    return n
