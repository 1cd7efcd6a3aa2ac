"""Statistical assertions that generated samples match a known normal target.

Every check compares samples of shape ``(n, dim)`` with the exact target, decides at
an explicit false-fail rate (the probability of failing a sample that deserves to
pass) and states in its docstring the smallest discrepancy it detects. A check
returns its ``CheckResult`` when it passes and raises ``CheckFailedError``, an
``AssertionError`` that carries the result, when it fails::

    target = Normal(dim=20, mean=-5.0, std=2.0)
    assert_mean_equivalent_by_ci(generated, target, false_fail_rate=0.01, seed=7)

Two kinds of guarantee appear. Equivalence checks (mean, standard deviation and
correlation here, discriminator accuracy in ``battery``) fail only when a confidence
interval of the discrepancy lies entirely outside the tolerance, so any sample whose
true discrepancy is within tolerance fails with probability at most the false-fail
rate. Equality checks (the KS tests and tail mass here, the classifier test in
``battery``) test the exact target, so their false-fail rate holds for samples drawn
from the target itself.

The detection figures quoted in docstrings are for n = 5000, dim = 20 and the share
of a 0.01 budget that the battery gives each check (0.01 / 7), with power 0.95; they
come from ``gan_lab.power`` and are checked by simulation in the tests.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

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
# Tail mass is counted beyond this many standard deviations, where the normal puts
# 0.27% of its mass: enough for counts at n = 5000, far enough out to see tail shape.
TAIL_SIGMAS = 3.0
# Random directions for the Cramér-Wold check; the KS threshold grows only like the
# square root of log(count), so many directions cost little power.
PROJECTION_COUNT = 64
# Any classifier's balanced accuracy is at most 1/2 + TV/2, so an accuracy above 0.6
# proves a total-variation distance above 0.2; below 0.4 the discriminator is
# systematically wrong, the mark of an oscillating game.
ACCURACY_TOLERANCE = 0.1

# Small matrix products here go through np.einsum, which never starts BLAS threads:
# at these sizes threads gain nothing, and on a busy machine waking them costs a
# hundred times the product itself.

# Streams derived from the caller's seed, kept apart from ``target.sample(n, seed)``
# so that reusing one seed for the samples and the check cannot couple them.
PROJECTION_STREAM = 1
REFERENCE_STREAM = 2


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one statistical check.

    Attributes:
        name: Short name of the check, e.g. ``"mean"``.
        statistic_name: What the statistic measures.
        statistic: The number compared with the threshold.
        relation: How the statistic must compare with the threshold to pass,
            ``"<="`` or ``">"``.
        threshold: The bound the statistic is compared with.
        passed: Whether the check passed.
        n: Number of samples (of decisions, for the discriminator check).
        false_fail_rate: The check's false-fail rate.
        detail: One sentence on the worst offending dimension, pair or direction.
    """

    name: str
    statistic_name: str
    statistic: float
    relation: str
    threshold: float
    passed: bool
    n: int
    false_fail_rate: float
    detail: str

    def message(self, seed: int | None = None) -> str:
        """A failure message with statistic, threshold, n, rate and seed."""
        verdict = "passed" if self.passed else "failed"
        return (
            f"{self.name} check {verdict}: {self.statistic_name} = "
            f"{self.statistic:.4g}, must be {self.relation} {self.threshold:.4g} "
            f"(n = {self.n}, false-fail rate = {self.false_fail_rate:.3g}, "
            f"seed = {seed}). {self.detail}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the fields."""
        return {
            "name": self.name,
            "statistic_name": self.statistic_name,
            "statistic": float(self.statistic),
            "relation": self.relation,
            "threshold": float(self.threshold),
            "passed": bool(self.passed),
            "n": int(self.n),
            "false_fail_rate": float(self.false_fail_rate),
            "detail": self.detail,
        }


class CheckFailedError(AssertionError):
    """Raised when a check fails; ``result`` holds the failed ``CheckResult``."""

    def __init__(self, result: CheckResult, seed: int | None = None) -> None:
        super().__init__(result.message(seed))
        self.result = result
        self.seed = seed


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


def enforce(result: CheckResult, seed: int | None = None) -> CheckResult:
    """Return a passing result; raise ``CheckFailedError`` for a failing one.

    Args:
        result: A check's result.
        seed: Seed printed in the failure message.

    Returns:
        ``result`` when it passed.

    Raises:
        CheckFailedError: When it failed.
    """
    if not result.passed:
        raise CheckFailedError(result, seed)
    return result


def standardize(samples: Any, target: Normal) -> np.ndarray:
    """Validate samples against the target and express them in target sd units.

    Args:
        samples: Array-like of shape ``(n, target.dim)`` with finite values.
        target: The exact target, a ``Normal``.

    Returns:
        ``(samples - target.mean) / target.std`` as float64, shape ``(n, dim)``,
        clipped to ±1e100.

    Raises:
        ValueError: If the target is not a ``Normal``, or the samples are not
            numeric, have the wrong shape or hold NaN or infinite values.
    """
    if not isinstance(target, Normal):
        raise ValueError(
            "target must be a gan_lab.distributions.Normal, "
            f"got {type(target).__name__}"
        )
    try:
        array = np.asarray(samples, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"samples must be a numeric array of shape (n, {target.dim})"
        ) from None
    if array.ndim != 2 or array.shape[1] != target.dim:
        raise ValueError(
            f"samples must have shape (n, {target.dim}) to match the target, "
            f"got shape {array.shape}"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"samples must be finite, got {int(bad.sum())} NaN or infinite values "
            f"(first at row {row}, column {column})"
        )
    # A value beyond 1e100 sd fails every check anyway; clipping keeps the squares
    # and sums of squares that the checks form finite.
    return np.clip((array - target.mean) / target.std, -1e100, 1e100)


def check_false_fail_rate(rate: Any, name: str = "false_fail_rate") -> float:
    """Return ``rate`` as a float, raising ValueError unless it lies in (0, 1)."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)):
        raise ValueError(f"{name} must be a number in (0, 1), got {rate!r}")
    if not 0.0 < float(rate) < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {rate}")
    return float(rate)


def check_seed(seed: Any) -> int:
    """Return ``seed`` as an int, raising ValueError unless it is an integer >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return int(seed)


def require_sample_size(n: int, minimum: int, check: str, rate: float) -> int:
    """Return ``n``, raising ValueError naming n, the rate and the minimum if short."""
    if n < minimum:
        raise ValueError(
            f"n = {n} samples is too few for the {check} check at "
            f"false_fail_rate = {rate:.3g}: it needs n >= {minimum}"
        )
    return n


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


def sample_covariance(values: np.ndarray) -> np.ndarray:
    """Unbiased covariance of the columns of ``values`` (n, dim), shape (dim, dim)."""
    centered = values - values.mean(axis=0)
    return np.einsum("ij,ik->jk", centered, centered) / (len(values) - 1)


def correlation_matrix(values: np.ndarray) -> np.ndarray:
    """Correlation of the columns of ``values``, whose variances must be nonzero."""
    covariance = sample_covariance(values)
    scale = np.sqrt(np.diag(covariance))
    return np.clip(covariance / np.outer(scale, scale), -1.0, 1.0)


@functools.lru_cache(maxsize=256)
def ks_critical_value(level: float, n: int) -> float:
    """The KS statistic whose exact p-value (``scipy.stats.kstwo``) is ``level``."""
    return float(stats.kstwo.isf(level, n))


def tail_probability() -> float:
    """The exact normal mass beyond ±``TAIL_SIGMAS`` standard deviations."""
    return float(2 * stats.norm.sf(TAIL_SIGMAS))


def decide_by_intervals(
    *,
    name: str,
    statistic_name: str,
    quantity: str,
    estimate: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    labels: list[str],
    center: float,
    tolerance: float,
    n: int,
    rate: float,
    level: float,
    seed: int | None,
    note_below: str = "",
    note: str = "",
) -> CheckResult:
    """Fail when any interval lies entirely outside center ± tolerance.

    Args:
        name: The check's name.
        statistic_name: What the statistic (the largest smallest-discrepancy that an
            interval allows) measures.
        quantity: Name of the estimated quantity, for the detail sentence.
        estimate: Point estimates, one per interval.
        lower: Lower interval ends.
        upper: Upper interval ends.
        labels: What each interval is about, e.g. ``"dimension 3"``.
        center: The target value of the quantity.
        tolerance: Half-width of the acceptable band around ``center``.
        n: Number of samples.
        rate: The check's false-fail rate.
        level: The rate of each interval.
        seed: Seed printed in the failure message.
        note_below: Sentence put first when the worst interval lies below the band.
        note: Sentence put before the worst interval's description.

    Returns:
        The passing result.

    Raises:
        CheckFailedError: If an interval lies entirely outside the band.
    """
    # The smallest discrepancy an interval allows exceeds the tolerance exactly when
    # the interval lies entirely outside the band.
    bound = np.maximum(0.0, np.maximum(lower - center, center - upper))
    worst = int(np.argmax(bound + 1e-12 * np.abs(estimate - center)))
    passed = bool(bound[worst] <= tolerance)
    prefix = note_below if not passed and upper[worst] < center else ""
    detail = (
        f"{prefix}{note}Worst: {labels[worst]}, {quantity} {estimate[worst]:.4g}, "
        f"interval [{lower[worst]:.4g}, {upper[worst]:.4g}] at confidence "
        f"1 - {level:.2g}."
    )
    result = CheckResult(
        name=name,
        statistic_name=statistic_name,
        statistic=float(bound[worst]),
        relation="<=",
        threshold=float(tolerance),
        passed=passed,
        n=n,
        false_fail_rate=rate,
        detail=detail,
    )
    return enforce(result, seed)


def check_tolerance(value: Any, name: str, below: float | None = None) -> float:
    """Return ``value`` as a float, raising ValueError unless it is in (0, below)."""
    allowed = f"in (0, {below:g})" if below is not None else "a finite number > 0"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0 and (below is None or number < below)):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return number


def _holm_rejections(p_values: np.ndarray, rate: float) -> np.ndarray:
    """Indices that Holm's step-down procedure rejects at family-wise ``rate``."""
    order = np.argsort(p_values, kind="stable")
    limits = rate / (len(p_values) - np.arange(len(p_values)))
    accepted = np.flatnonzero(p_values[order] > limits)
    stop = accepted[0] if accepted.size else len(p_values)
    return np.sort(order[:stop])


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


def _binomial_masses(total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masses of Binomial(total, tail probability), sorted, and their running sums."""
    masses = stats.binom.pmf(np.arange(total + 1), total, tail_probability())
    ordered = np.sort(masses)
    return masses, ordered, np.cumsum(ordered)


# The battery asks for the same two totals (n and n * dim) again and again.
_cached_binomial_masses = functools.lru_cache(maxsize=8)(_binomial_masses)


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
