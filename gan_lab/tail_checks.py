"""Tail-mass assertion: the share of values beyond ±3 sd, by exact binomial tests.

The check tests equality with the exact target's tail mass, so its false-fail rate
holds for samples drawn from it (``gan_lab.assertions`` describes the two kinds of
guarantee and where the detection figures come from)::

    assert_tail_mass_equal_by_binomial(generated, target, false_fail_rate=0.01)
    binomial_two_sided_p(count, total)  # the p-value of one tail count
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from scipy import stats

from gan_lab.check_core import (
    CheckResult,
    check_false_fail_rate,
    enforce,
    require_sample_size,
    standardize,
)
from gan_lab.distributions import Normal

# Tail mass is counted beyond this many standard deviations, where the normal puts
# 0.27% of its mass: enough for counts at n = 5000, far enough out to see tail shape.
TAIL_SIGMAS = 3.0


def assert_tail_mass_equal_by_binomial(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    seed: int | None = None,
) -> CheckResult:
    """Assert the mass beyond ±3 sd matches the normal's by exact binomial tests.

    For each dimension, and pooled over all dimensions, the count of standardized
    values beyond ±3 is compared with Binomial(count, 2 Φ(-3)) by an exact two-sided
    test (the p-value of ``scipy.stats.binomtest``), so tails that are too light
    (uniform, truncated normal, a bounded generator) and too heavy (Student-t) both
    fail; Holm controls the family-wise error over the dim + 1 tests.

    Guarantee: a sample from the target fails with probability at most
    ``false_fail_rate``, less in practice because the binomial is discrete. At
    n = 5000 and rate 0.01 / 7, the pooled test over 20 dimensions (270 tail values
    expected among 100000) detects a tail mass of 0.0018 or 0.0037 instead of 0.0027
    with power 0.95; a single dimension is caught with power 0.95 when its tail mass
    is 0.00007 or less (no tail, as a bounded generator has) or 0.0082 or more.

    Note: a ReLU network fed bounded noise maps it onto a bounded set, so its tails
    stop abruptly. The KS tests barely see this, since the mass involved is under 1%
    of the sample; this check does.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample from the target, in (0, 1).
        seed: Seed that produced the samples, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), or an
            n too small for the pooled test to fail a sample with no tail values.
        CheckFailedError: If the check fails.
    """
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    n, dim = standardized.shape
    tests = dim + 1 if dim > 1 else 1
    level = rate / tests
    minimum = math.ceil(_tail_minimum_count(level) / dim)
    require_sample_size(n, minimum, "tails", rate)

    counts = np.sum(np.abs(standardized) > TAIL_SIGMAS, axis=0)
    totals = np.full(dim, n)
    labels = [f"dimension {i}" for i in range(dim)]
    if dim > 1:
        counts, totals = np.append(counts, counts.sum()), np.append(totals, n * dim)
        labels.append("all dimensions")
    p_values = np.array(
        [binomial_two_sided_p(k, m) for k, m in zip(counts, totals, strict=True)]
    )
    rejected = _holm_rejections(p_values, rate)

    worst = int(np.argmin(p_values))
    expected = totals[worst] * tail_probability()
    shape = "too heavy" if counts[worst] > expected else "too light"
    detail = (
        f"{labels[worst]}: {counts[worst]} of {totals[worst]} values beyond "
        f"±{TAIL_SIGMAS:g} sd where the normal expects {expected:.1f} (tails "
        f"{shape}); Holm rejects {len(rejected)} of {tests} tests."
    )
    result = CheckResult(
        name="tails",
        statistic_name="smallest binomial p-value",
        statistic=float(p_values[worst]),
        relation=">",
        threshold=level,
        passed=not rejected.size,
        n=n,
        false_fail_rate=rate,
        detail=detail,
    )
    return enforce(result, seed)


def tail_probability() -> float:
    """The exact normal mass beyond ±``TAIL_SIGMAS`` standard deviations."""
    return float(2 * stats.norm.sf(TAIL_SIGMAS))


def binomial_two_sided_p(
    counts: Any, total: int, cache: bool = True
) -> float | np.ndarray:
    """Exact two-sided p-values of tail counts, as ``scipy.stats.binomtest`` gives.

    Args:
        counts: Number (or array of numbers) of values beyond ±``TAIL_SIGMAS``.
        total: Number of values counted.
        cache: Whether to keep the binomial masses for the next call.

    Returns:
        The p-value of each count under Binomial(total, ``tail_probability()``).
    """
    masses, ordered, cumulative = (
        _cached_binomial_masses(int(total)) if cache else _binomial_masses(int(total))
    )
    # Sum the outcomes no likelier than the one seen, with binomtest's relative
    # slack for rounding in the masses.
    seen = masses[np.asarray(counts, dtype=np.int64)]
    index = np.searchsorted(ordered, seen * (1 + 1e-7), side="right")
    p_values = np.minimum(1.0, cumulative[index - 1])
    return float(p_values) if p_values.ndim == 0 else p_values


def _holm_rejections(p_values: np.ndarray, rate: float) -> np.ndarray:
    """Indices that Holm's step-down procedure rejects at family-wise ``rate``."""
    order = np.argsort(p_values, kind="stable")
    limits = rate / (len(p_values) - np.arange(len(p_values)))
    accepted = np.flatnonzero(p_values[order] > limits)
    stop = accepted[0] if accepted.size else len(p_values)
    return np.sort(order[:stop])


def _binomial_masses(total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masses of Binomial(total, tail probability), sorted, and their running sums."""
    masses = stats.binom.pmf(np.arange(total + 1), total, tail_probability())
    ordered = np.sort(masses)
    return masses, ordered, np.cumsum(ordered)


# The battery asks for the same two totals (n and n * dim) again and again.
_cached_binomial_masses = functools.lru_cache(maxsize=8)(_binomial_masses)


@functools.lru_cache(maxsize=64)
def _tail_minimum_count(level: float) -> int:
    """Fewest values for which a count of zero tail values reaches p <= level."""
    low, high = 1, 1
    while binomial_two_sided_p(0, high, cache=False) > level:
        low, high = high + 1, high * 2
    while low < high:
        middle = (low + high) // 2
        if binomial_two_sided_p(0, middle, cache=False) > level:
            low = middle + 1
        else:
            high = middle
    return high
