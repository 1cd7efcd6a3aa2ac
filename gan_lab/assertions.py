"""Moment assertions: the means, standard deviations and correlations of samples.

Every check compares samples of shape ``(n, dim)`` with the exact target, decides at
an explicit false-fail rate (the probability of failing a sample that deserves to
pass) and states in its docstring the smallest discrepancy it detects. A check
returns its ``CheckResult`` when it passes and raises ``CheckFailedError``, an
``AssertionError`` that carries the result, when it fails::

    target = Normal(dim=20, mean=-5.0, std=2.0)
    assert_mean_equivalent_by_ci(generated, target, false_fail_rate=0.01, seed=7)

Two kinds of guarantee appear. Equivalence checks (mean, standard deviation and
correlation here, discriminator accuracy in ``equilibrium``) fail only when a
confidence interval of the discrepancy lies entirely outside the tolerance, so any
sample whose true discrepancy is within tolerance fails with probability at most the
false-fail rate. Equality checks (the KS tests in ``ks_checks``, tail mass in
``tail_checks``, the classifier test in ``equilibrium``) test the exact target, so
their false-fail rate holds for samples drawn from the target itself.

The detection figures quoted in docstrings are for n = 5000, dim = 20 and the share
of a 0.01 budget that the battery gives each check (0.01 / 7), with power 0.95; they
come from ``gan_lab.power`` and are checked by simulation in the tests.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from gan_lab.check_core import (
    CheckResult,
    check_false_fail_rate,
    check_tolerance,
    decide_by_intervals,
    require_sample_size,
    standardize,
)
from gan_lab.distributions import Normal

# A tenth of a standard deviation is far above the sampling error at the default
# n (1 / sqrt(5000) = 0.014 sd) yet well below the 0.25 sd shift that must fail, so a
# generator that learned a dimension is not failed for noise.
MEAN_TOLERANCE = 0.1
# A 10% shrinkage of the standard deviation is the onset of mode collapse and must
# fail; 5% sits halfway. At n = 5000 the battery's interval catches it in a single
# dimension with power 0.916 only (0.95 needs n >= 5550); the pooled interval catches
# it in many dimensions surely.
STD_RATIO_TOLERANCE = 0.05
# The target's dimensions are independent; 0.1 is seven times the sampling error of
# a correlation at n = 5000 and a third of the 0.3 that must fail (power > 0.999).
CORRELATION_TOLERANCE = 0.1

# Small matrix products here go through np.einsum, which never starts BLAS threads:
# at these sizes threads gain nothing, and on a busy machine waking them costs a
# hundred times the product itself.


def assert_mean_equivalent_by_ci(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    tolerance: float = MEAN_TOLERANCE,
    seed: int | None = None,
) -> CheckResult:
    """Assert every mean is within ``tolerance`` target standard deviations.

    Each dimension's shift (sample mean minus target mean, in target standard
    deviations) gets a Student-t interval; so does the overall shift, the mean of the
    standardized values over all dimensions, taken from row means so that it stays
    valid when the dimensions are dependent. The check fails when any interval lies
    entirely outside [-tolerance, tolerance].

    Guarantee: the dim + 1 intervals share the false-fail rate (Bonferroni), so a
    sample whose true shifts are all within tolerance fails with probability at most
    ``false_fail_rate``. At n = 5000 and rate 0.01 / 7 a shift of 0.180 sd in one
    dimension is detected with power 0.95 (``power.detectable_discrepancy``).

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample within tolerance, in (0, 1).
        tolerance: Largest acceptable shift in target standard deviations, > 0.
        seed: Seed that produced the samples, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), a bad
            tolerance or n < 2.
        CheckFailedError: If the check fails.
    """
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    check_tolerance(tolerance, "tolerance")
    n, dim = standardized.shape
    require_sample_size(n, 2, "mean", rate)
    labels = [f"dimension {i}" for i in range(dim)]
    if dim > 1:
        standardized = np.hstack([standardized, standardized.mean(1, keepdims=True)])
        labels.append("all dimensions")
    level = rate / len(labels)

    estimate = standardized.mean(axis=0)
    half_width = stats.t.isf(level / 2, n - 1) * standardized.std(axis=0, ddof=1)
    half_width /= math.sqrt(n)
    return decide_by_intervals(
        name="mean",
        statistic_name="smallest |shift| in the interval (sd)",
        quantity="shift (sd)",
        estimate=estimate,
        lower=estimate - half_width,
        upper=estimate + half_width,
        labels=labels,
        center=0.0,
        tolerance=tolerance,
        n=n,
        rate=rate,
        level=level,
        seed=seed,
    )


def assert_std_ratio_equivalent_by_chi2_ci(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    tolerance: float = STD_RATIO_TOLERANCE,
    seed: int | None = None,
) -> CheckResult:
    """Assert every standard deviation is within a ratio ``1 ± tolerance`` of target.

    Each dimension's ratio of sample to target standard deviation gets a chi-square
    interval with n - 1 degrees of freedom. The overall ratio is the root mean of the
    per-dimension variance ratios; its chi-square interval uses Satterthwaite's
    effective degrees of freedom (n - 1) tr(S)^2 / tr(S^2) of the standardized
    covariance S, which is dim (n - 1) for independent dimensions and shrinks when
    they are dependent. The check fails when any interval lies entirely outside
    [1 - tolerance, 1 + tolerance]; a ratio below it is reported as variance
    shrinkage, the signature of mode collapse.

    Guarantee: the dim + 1 intervals share the false-fail rate (Bonferroni), so a
    normal sample whose true ratios are all within tolerance fails with probability
    at most ``false_fail_rate``. At n = 5000 and rate 0.01 / 7 a ratio of 0.897 or
    less (1.111 or more) in one dimension is detected with power 0.95; a ratio of
    0.9 only with power 0.916, which needs n = 5550 to reach 0.95.

    Note: chi-square intervals are exact for normal data only. Heavy tails make them
    too narrow, so a heavy-tailed sample with the right standard deviation may fail;
    since such a sample is not the target, that failure is not a false fail.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample within tolerance, in (0, 1).
        tolerance: Largest acceptable ``|ratio - 1|``, in (0, 1).
        seed: Seed that produced the samples, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), a bad
            tolerance or n < 2.
        CheckFailedError: If the check fails.
    """
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    check_tolerance(tolerance, "tolerance", below=1.0)
    n, dim = standardized.shape
    require_sample_size(n, 2, "std", rate)
    labels = [f"dimension {i}" for i in range(dim)]

    covariance = sample_covariance(standardized)
    variances = np.diag(covariance).copy()
    freedoms = np.full(dim, n - 1.0)
    if dim > 1:
        trace = np.trace(covariance)
        # tr(S)^2 / tr(S^2), computed on S / tr(S) so that it cannot overflow.
        shares = covariance / trace if trace > 0 else np.eye(dim) / dim
        effective = (n - 1) / np.sum(shares**2)
        variances = np.append(variances, trace / dim)
        freedoms = np.append(freedoms, min(effective, dim * (n - 1.0)))
        labels.append("all dimensions")
    level = rate / len(labels)

    ratio = np.sqrt(variances)
    lower = ratio * np.sqrt(freedoms / stats.chi2.isf(level / 2, freedoms))
    upper = ratio * np.sqrt(freedoms / stats.chi2.ppf(level / 2, freedoms))
    return decide_by_intervals(
        name="std",
        statistic_name="smallest |std ratio - 1| in the interval",
        quantity="std ratio",
        estimate=ratio,
        lower=lower,
        upper=upper,
        labels=labels,
        center=1.0,
        tolerance=tolerance,
        n=n,
        rate=rate,
        level=level,
        seed=seed,
        note_below="Variance shrinkage (the signature of mode collapse). ",
    )


def assert_correlations_equivalent_by_fisher_ci(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    tolerance: float = CORRELATION_TOLERANCE,
    seed: int | None = None,
) -> CheckResult:
    """Assert every pairwise correlation is within ``tolerance`` of zero.

    The target's dimensions are independent, so correct marginals with the wrong
    dependence must fail. Each of the dim (dim - 1) / 2 correlations gets a Fisher-z
    interval; the check fails when any interval lies entirely outside [-tolerance,
    tolerance]. A constant dimension has no correlation and fails the check.

    Guarantee: the intervals share the false-fail rate (Bonferroni), so a sample
    whose true correlations are all within tolerance fails with probability at most
    ``false_fail_rate``. At n = 5000 and rate 0.01 / 7 (190 pairs) a correlation of
    0.185 in one pair is detected with power 0.95.

    Note: Fisher's interval assumes bivariate normal pairs; its coverage error is of
    order 1 / n.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample within tolerance, in (0, 1).
        tolerance: Largest acceptable ``|correlation|``, in (0, 1).
        seed: Seed that produced the samples, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), a bad
            tolerance or n < 4.
        CheckFailedError: If the check fails.
    """
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    check_tolerance(tolerance, "tolerance", below=1.0)
    n, dim = standardized.shape
    require_sample_size(n, 4, "correlation", rate)
    rows, columns = np.triu_indices(dim, k=1)
    level = rate / max(len(rows), 1)
    labels = [f"dimensions ({i}, {j})" for i, j in zip(rows, columns, strict=True)]

    # A constant dimension has no correlation; it counts as the largest possible.
    constant = np.flatnonzero(np.ptp(standardized, axis=0) == 0)
    if len(rows) == 0:
        correlation = lower = upper = np.zeros(1)
        labels = ["no pairs in one dimension"]
    elif constant.size:
        correlation = lower = upper = np.ones(1)
        labels = [f"constant dimensions {constant.tolist()}"]
    else:
        correlation = correlation_matrix(standardized)[rows, columns]
        fisher = np.arctanh(np.clip(correlation, -1 + 1e-15, 1 - 1e-15))
        half_width = stats.norm.isf(level / 2) / math.sqrt(n - 3)
        lower, upper = np.tanh(fisher - half_width), np.tanh(fisher + half_width)
    return decide_by_intervals(
        name="correlation",
        statistic_name="smallest |correlation| in the interval",
        quantity="correlation",
        estimate=correlation,
        lower=lower,
        upper=upper,
        labels=labels,
        center=0.0,
        tolerance=tolerance,
        n=n,
        rate=rate,
        level=level,
        seed=seed,
    )


def sample_covariance(values: np.ndarray) -> np.ndarray:
    """Unbiased covariance of the columns of ``values`` (n, dim), shape (dim, dim)."""
    centered = values - values.mean(axis=0)
    return np.einsum("ij,ik->jk", centered, centered) / (len(values) - 1)


def correlation_matrix(values: np.ndarray) -> np.ndarray:
    """Correlation of the columns of ``values``, whose variances must be nonzero."""
    covariance = sample_covariance(values)
    scale = np.sqrt(np.diag(covariance))
    return np.clip(covariance / np.outer(scale, scale), -1.0, 1.0)
