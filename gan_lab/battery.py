"""One entry point that judges generated samples with every check under one budget.

The battery splits its family-wise false-fail rate equally across the checks it runs
(Bonferroni) and each check splits its share across dimensions, pairs or
directions, so a sample from the target fails the whole battery with probability at
most ``false_fail_rate``::

    verdict = run_battery(generated, target, false_fail_rate=0.01, seed=3)
    print(verdict.table())
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from gan_lab import assertions
from gan_lab.assertions import (
    ACCURACY_TOLERANCE,
    CORRELATION_TOLERANCE,
    MEAN_TOLERANCE,
    PROJECTION_COUNT,
    REFERENCE_STREAM,
    STD_RATIO_TOLERANCE,
    CheckFailedError,
    CheckResult,
)
from gan_lab.distributions import Normal

# The final evaluation after training draws this many generated samples; the
# detection figures in the docstrings are computed for it.
DEFAULT_SAMPLE_SIZE = 5000
DEFAULT_FALSE_FAIL_RATE = 0.01
# A light L2 penalty on standardized features keeps the fit stable when features are
# nearly collinear without masking a real difference at n = 5000.
C2ST_PENALTY = 1e-3
# The held-out test is valid however far the fit gets, so the iteration cap trades
# only power for time.
C2ST_MAX_ITERATIONS = 100
# Above this many quadratic features (dim > 43) the classifier keeps only linear and
# squared terms, to bound memory and time.
C2ST_FEATURE_LIMIT = 1000
# Matrix products use np.einsum for the reason given in gan_lab.assertions: no BLAS
# threads to wake on a busy machine.
# Beyond a thousand target sds a value is trivially classified; clipping keeps its
# square finite.
C2ST_CLIP = 1e3

CHECK_NAMES = (
    "mean",
    "std",
    "marginal_ks",
    "projection_ks",
    "correlation",
    "tails",
    "c2st",
    "discriminator_accuracy",
)


def assert_indistinguishable_by_c2st(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    seed: int = 0,
) -> CheckResult:
    """Assert a fresh classifier cannot tell the samples from the target (C2ST).

    A real reference sample of the same size is drawn from the target with a stream
    derived from ``seed`` (distinct from ``target.sample(n, seed)``). Both samples
    are shuffled and halved; a logistic regression on the quadratic features
    ``z_i`` and ``z_i z_j`` of the standardized data is fitted on one half (L-BFGS,
    small L2 penalty) and its accuracy on the other half is compared with
    Binomial(m, 1/2) by a one-sided exact test. The log density ratio of two normal
    distributions is quadratic, so when the generator is Gaussian this family
    contains the Bayes-optimal classifier; for other generators it is a good, not
    an optimal, detector.

    Guarantee: for a sample from the target, the held-out count of correct answers
    is a sum of independent Bernoulli variables with mean m / 2, whose upper tail
    Hoeffding (1956) bounds by that of Binomial(m, 1/2); the false-fail rate is
    therefore at most ``false_fail_rate`` however well the fit converged. At n = 5000
    and rate 0.01 / 7 a held-out accuracy of 0.521 or more fails, so a fitted
    classifier whose true accuracy is 0.533 is detected with power 0.95.

    Note: the test is for equality, not within a tolerance, so at large n any
    imperfect generator fails it; at n = 5000 its detection limit is the figure
    above. Above 43 dimensions only linear and squared features are used.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample from the target, in (0, 1).
        seed: Seed, >= 0, of the reference sample and the split; printed in the
            failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), a bad
            seed, or an n too small for a perfect held-out score to fail.
        CheckFailedError: If the check fails.
    """
    generated = assertions.standardize(samples, target)
    rate = assertions.check_false_fail_rate(false_fail_rate)
    assertions.check_seed(seed)
    n = generated.shape[0]
    # A perfect held-out score among 2 ceil(n / 2) answers must reach the rate.
    minimum = max(4, 2 * math.ceil(math.log2(1 / rate) / 2) - 1)
    assertions.require_sample_size(n, minimum, "c2st", rate)

    # Draw the reference and split both samples in half at random.
    generator = np.random.default_rng([seed, REFERENCE_STREAM])
    reference = target.sample(n, seed=generator)
    real = (reference.astype(np.float64) - target.mean) / target.std
    real = real[generator.permutation(n)]
    generated = generated[generator.permutation(n)]
    half = n // 2

    # Fit on the first halves, score on the second.
    weights, center, scale = _fit_quadratic_logistic(real[:half], generated[:half])
    real_logits = _logits(real[half:], weights, center, scale)
    generated_logits = _logits(generated[half:], weights, center, scale)
    correct = int(np.sum(real_logits > 0) + np.sum(generated_logits <= 0))
    tests = 2 * (n - half)
    p_value = float(stats.binom.sf(correct - 1, tests, 0.5))
    critical = int(stats.binom.isf(rate, tests, 0.5)) + 1

    detail = (
        f"Held-out accuracy {correct}/{tests} = {correct / tests:.4f}, one-sided "
        f"p = {p_value:.3g}; failing needs {critical} correct."
    )
    result = CheckResult(
        name="c2st",
        statistic_name="held-out classifier accuracy",
        statistic=correct / tests,
        relation="<=",
        threshold=(critical - 1) / tests,
        passed=bool(p_value > rate),
        n=n,
        false_fail_rate=rate,
        detail=detail,
    )
    return assertions.enforce(result, seed)


def assert_discriminator_accuracy_near_half_by_clopper_pearson(
    outputs_on_real: Any,
    outputs_on_fake: Any,
    *,
    false_fail_rate: float = 0.01,
    tolerance: float = ACCURACY_TOLERANCE,
    seed: int | None = None,
) -> CheckResult:
    """Assert a trained discriminator's accuracy is within 0.5 ± ``tolerance``.

    The discriminator's sigmoid outputs on fresh real and fresh generated samples
    are read as decisions (real when the output exceeds 0.5, as Keras' binary
    accuracy reads them), and the Clopper-Pearson interval of the pooled accuracy
    decides: the check fails when it lies entirely outside [0.5 - tolerance,
    0.5 + tolerance]. The default band [0.4, 0.6] has a meaning: with as many real as
    fake outputs, any classifier's accuracy is at most 1/2 + TV/2, so a true accuracy
    above 0.6 proves a total-variation distance above 0.2 between the generated and
    real distributions, and one below 0.4 marks a systematically wrong discriminator.

    Accuracy near 0.5 during training is necessary but not sufficient: a weak or
    lagging discriminator sits at 0.5 while the generator is still wrong, which is
    why the battery also trains a fresh classifier and runs distributional checks.

    Guarantee: for a fixed discriminator and fresh samples, a generator whose true
    accuracy lies in the band fails with probability at most ``false_fail_rate``.
    With 5000 real and 5000 fake outputs at rate 0.01 / 8 an accuracy of 0.624 (or
    0.376) is detected with power 0.95.

    Note: when the accuracies on real and fake samples differ, the correct count is a
    sum of two binomials whose variance is below the single binomial's, so the
    interval is conservative.

    Args:
        outputs_on_real: Discriminator sigmoid outputs in [0, 1] on real samples.
        outputs_on_fake: Discriminator sigmoid outputs in [0, 1] on fake samples.
        false_fail_rate: Probability of failing a generator in the band, in (0, 1).
        tolerance: Half-width of the band around 0.5, in (0, 0.5).
        seed: Seed of the evaluation, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: If the outputs are not finite values in [0, 1], the rate or
            tolerance is out of range, or there are too few outputs for a perfect
            score to leave the band.
        CheckFailedError: If the check fails.
    """
    rate = assertions.check_false_fail_rate(false_fail_rate)
    assertions.check_tolerance(tolerance, "tolerance", below=0.5)
    real = _checked_probabilities(outputs_on_real, "outputs_on_real")
    fake = _checked_probabilities(outputs_on_fake, "outputs_on_fake")
    total = real.size + fake.size
    # A perfect score has the Clopper-Pearson lower bound (rate / 2) ** (1 / total).
    minimum = math.floor(math.log(rate / 2) / math.log(0.5 + tolerance)) + 1
    assertions.require_sample_size(total, minimum, "discriminator_accuracy", rate)

    correct_real, correct_fake = int(np.sum(real > 0.5)), int(np.sum(fake <= 0.5))
    accuracy = (correct_real + correct_fake) / total
    interval = stats.binomtest(correct_real + correct_fake, total).proportion_ci(
        1 - rate, "exact"
    )
    return assertions.decide_by_intervals(
        name="discriminator_accuracy",
        statistic_name="smallest |accuracy - 0.5| in the interval",
        quantity="accuracy",
        estimate=np.array([accuracy]),
        lower=np.array([interval.low]),
        upper=np.array([interval.high]),
        labels=["real and fake pooled"],
        center=0.5,
        tolerance=tolerance,
        n=total,
        rate=rate,
        level=rate,
        seed=seed,
        note_below="Discriminator systematically wrong (an oscillating game). ",
        note=f"Accuracy on real {correct_real / real.size:.4f}, on fake "
        f"{correct_fake / fake.size:.4f}. ",
    )


def frechet_distance(samples: Any, target: Normal) -> float:
    """Fréchet distance between the samples' normal fit and the target, in float64.

    ``||m - mu||^2 + Tr(S + T - 2 (T^1/2 S T^1/2)^1/2)`` with the sample mean ``m``
    and covariance ``S``; the target's covariance ``T`` is diagonal, so its square
    root is the diagonal of standard deviations and the cost is one symmetric
    eigendecomposition.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite, n >= 2.
        target: The exact target.

    Returns:
        The distance, in squared units of the data.

    Raises:
        ValueError: On a bad shape, non-finite samples or n < 2.
    """
    standardized = assertions.standardize(samples, target)
    if standardized.shape[0] < 2:
        raise ValueError(
            f"frechet_distance needs n >= 2 samples, got n = {standardized.shape[0]}"
        )
    data = standardized * target.std + target.mean
    covariance = assertions.sample_covariance(data)
    scaled = target.std[:, None] * covariance * target.std[None, :]
    root_trace = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(scaled), 0.0, None)))
    shift = np.sum((data.mean(axis=0) - target.mean) ** 2)
    distance = shift + np.trace(covariance) + np.sum(target.std**2) - 2 * root_trace
    return float(max(distance, 0.0))


def summary_metrics(samples: Any, target: Normal) -> dict[str, Any]:
    """Point estimates reported beside the checks but never asserted.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite, n >= 2.
        target: The exact target.

    Returns:
        A JSON-ready dictionary: Fréchet distance, largest mean shift (sd), smallest
        and largest std ratio, largest absolute correlation (None with one dimension
        or a constant one), tail fraction beyond ±3 sd with its exact value, and the
        per-dimension KS statistics.
    """
    standardized = assertions.standardize(samples, target)
    dim = standardized.shape[1]
    ratios = standardized.std(axis=0, ddof=1)
    # A constant dimension has no correlation; the metric is then undefined.
    largest_correlation = None
    if dim > 1 and np.all(ratios > 0):
        correlation = assertions.correlation_matrix(standardized)
        largest_correlation = float(
            np.max(np.abs(correlation[np.triu_indices(dim, 1)]))
        )
    ks = assertions.ks_statistics(standardized)
    return {
        "frechet_distance": frechet_distance(samples, target),
        "largest_mean_shift_sd": float(np.max(np.abs(standardized.mean(axis=0)))),
        "smallest_std_ratio": float(np.min(ratios)),
        "largest_std_ratio": float(np.max(ratios)),
        "largest_abs_correlation": largest_correlation,
        "tail_fraction": float(np.mean(np.abs(standardized) > assertions.TAIL_SIGMAS)),
        "tail_fraction_exact": assertions.tail_probability(),
        "largest_marginal_ks": float(np.max(ks)),
        "marginal_ks_statistics": [float(value) for value in ks],
    }


@dataclass(frozen=True)
class Verdict:
    """The battery's structured verdict.

    Attributes:
        checks: One result per check run, in battery order.
        n: Number of samples.
        dim: Number of dimensions.
        false_fail_rate: The family-wise false-fail rate of the whole battery.
        seed: Seed of the battery's random parts, printed for reproduction.
        metrics: Summary metrics, reported but not asserted.
    """

    checks: tuple[CheckResult, ...]
    n: int
    dim: int
    false_fail_rate: float
    seed: int
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        """Names of the checks that failed."""
        return tuple(check.name for check in self.checks if not check.passed)

    def result(self, name: str) -> CheckResult:
        """The result of the check called ``name``."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"no check named {name!r}; ran {[c.name for c in self.checks]}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the verdict."""
        return {
            "passed": self.passed,
            "n": self.n,
            "dim": self.dim,
            "false_fail_rate": self.false_fail_rate,
            "seed": self.seed,
            "checks": [check.to_dict() for check in self.checks],
            "metrics": self.metrics,
        }

    def to_json(self) -> str:
        """The verdict as a JSON string."""
        return json.dumps(self.to_dict(), indent=2)

    def to_frame(self) -> Any:
        """One row per check as a pandas DataFrame (pandas is imported on demand)."""
        import pandas

        return pandas.DataFrame([check.to_dict() for check in self.checks])

    def table(self) -> str:
        """A fixed-width text table of the checks and the summary metrics."""
        state = "PASS" if self.passed else f"FAIL ({', '.join(self.failed)})"
        lines = [
            f"battery verdict: {state}",
            f"n = {self.n}, dim = {self.dim}, false-fail rate = "
            f"{self.false_fail_rate:g} split over {len(self.checks)} checks, "
            f"seed = {self.seed}",
            f"{'check':<23}{'statistic':>11}  {'pass if':<7}{'threshold':>11}"
            f"{'rate':>10}  result  detail",
        ]
        for check in self.checks:
            lines.append(
                f"{check.name:<23}{check.statistic:>11.4g}  {check.relation:<7}"
                f"{check.threshold:>11.4g}{check.false_fail_rate:>10.3g}  "
                f"{'pass' if check.passed else 'FAIL':<6}  {check.detail}"
            )
        shown = [
            f"{key} {value:.4g}"
            for key, value in self.metrics.items()
            if isinstance(value, float)
        ]
        lines.append("not asserted: " + ", ".join(shown))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def battery_checks(dim: int, with_discriminator: bool = False) -> tuple[str, ...]:
    """The checks the battery runs by default for ``dim`` dimensions.

    Args:
        dim: Number of dimensions, >= 1.
        with_discriminator: Whether discriminator outputs are given.

    Returns:
        Check names in battery order; the joint checks are dropped for one
        dimension, where they would repeat the marginal ones.
    """
    names = [name for name in CHECK_NAMES if name != "discriminator_accuracy"]
    if dim == 1:
        names = [name for name in names if name not in ("projection_ks", "correlation")]
    if with_discriminator:
        names.append("discriminator_accuracy")
    return tuple(names)


def run_battery(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = DEFAULT_FALSE_FAIL_RATE,
    seed: int = 0,
    discriminator_outputs: tuple[Any, Any] | None = None,
    checks: tuple[str, ...] | None = None,
    mean_tolerance: float = MEAN_TOLERANCE,
    std_ratio_tolerance: float = STD_RATIO_TOLERANCE,
    correlation_tolerance: float = CORRELATION_TOLERANCE,
    accuracy_tolerance: float = ACCURACY_TOLERANCE,
    projection_count: int = PROJECTION_COUNT,
) -> Verdict:
    """Run every check under one family-wise false-fail budget.

    The budget is split equally over the checks run (Bonferroni), and each check
    splits its share further as its docstring says. Failing checks do not raise.

    Guarantee: a sample from the target fails the battery with probability at most
    ``false_fail_rate``; a sample within every tolerance fails the equivalence checks
    (mean, std, correlation, discriminator accuracy) with probability at most their
    shares. The default checks at n = 5000, dim = 20 and rate 0.01 detect, with power
    0.95: a mean shift of 0.180 sd in one dimension, a std ratio of 0.897 or 1.111 in
    one dimension, a correlation of 0.185 in one pair, and a tail mass of 0.0018 or
    0.0037 instead of 0.0027 pooled over dimensions (``gan_lab.power``).

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Family-wise false-fail rate of the battery, in (0, 1).
        seed: Seed, >= 0, of the random directions and the classifier's reference
            sample; printed in the table.
        discriminator_outputs: Optional ``(outputs_on_real, outputs_on_fake)``, a
            trained discriminator's sigmoid outputs on fresh samples; the
            discriminator check runs only when they are given.
        checks: Names from ``CHECK_NAMES`` to run instead of ``battery_checks``.
        mean_tolerance: Tolerance of the mean check, in target sds.
        std_ratio_tolerance: Tolerance of the std check on ``|ratio - 1|``.
        correlation_tolerance: Tolerance of the correlation check.
        accuracy_tolerance: Half-width of the discriminator accuracy band.
        projection_count: Random directions of the projection check.

    Returns:
        The verdict, with one result per check and the summary metrics.

    Raises:
        ValueError: On bad samples, target, rate, seed or tolerance, an unknown check
            name, the discriminator check without outputs, or an n below some
            check's minimum (the message names the check, n, the rate and the
            minimum).
    """
    standardized = assertions.standardize(samples, target)
    rate = assertions.check_false_fail_rate(false_fail_rate)
    assertions.check_seed(seed)
    n, dim = standardized.shape
    if discriminator_outputs is not None and len(discriminator_outputs) != 2:
        raise ValueError(
            "discriminator_outputs must be a pair (outputs_on_real, outputs_on_fake), "
            f"got {len(discriminator_outputs)} items"
        )
    names = _selected_checks(checks, dim, discriminator_outputs is not None)
    share = rate / len(names)

    runners: dict[str, Callable[[], CheckResult]] = {
        "mean": lambda: assertions.assert_mean_equivalent_by_ci(
            samples, target, false_fail_rate=share, tolerance=mean_tolerance
        ),
        "std": lambda: assertions.assert_std_ratio_equivalent_by_chi2_ci(
            samples, target, false_fail_rate=share, tolerance=std_ratio_tolerance
        ),
        "marginal_ks": lambda: assertions.assert_marginals_equal_by_ks_holm(
            samples, target, false_fail_rate=share
        ),
        "projection_ks": lambda: assertions.assert_projections_equal_by_ks(
            samples,
            target,
            false_fail_rate=share,
            projection_count=projection_count,
            seed=seed,
        ),
        "correlation": lambda: assertions.assert_correlations_equivalent_by_fisher_ci(
            samples, target, false_fail_rate=share, tolerance=correlation_tolerance
        ),
        "tails": lambda: assertions.assert_tail_mass_equal_by_binomial(
            samples, target, false_fail_rate=share
        ),
        "c2st": lambda: assert_indistinguishable_by_c2st(
            samples, target, false_fail_rate=share, seed=seed
        ),
        "discriminator_accuracy": lambda: (
            assert_discriminator_accuracy_near_half_by_clopper_pearson(
                *discriminator_outputs,
                false_fail_rate=share,
                tolerance=accuracy_tolerance,
            )
        ),
    }
    results = []
    for name in names:
        try:
            results.append(runners[name]())
        except CheckFailedError as failure:
            results.append(failure.result)
    return Verdict(
        checks=tuple(results),
        metrics=summary_metrics(samples, target) if n >= 2 else {},
        n=n,
        dim=dim,
        false_fail_rate=rate,
        seed=seed,
    )


def assert_samples_match_target_by_battery(
    samples: Any, target: Normal, **options: Any
) -> Verdict:
    """Assert the samples pass the whole battery.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        **options: Keyword arguments of ``run_battery`` (``false_fail_rate``,
            ``seed``, ``discriminator_outputs``, ``checks``, tolerances).

    Returns:
        The passing verdict.

    Raises:
        ValueError: As ``run_battery``.
        AssertionError: If any check fails; the message is the verdict's table,
            which gives each statistic and threshold with n, the rate and the seed.
    """
    verdict = run_battery(samples, target, **options)
    if not verdict.passed:
        raise AssertionError(
            f"samples do not match the target (n = {verdict.n}, false-fail rate = "
            f"{verdict.false_fail_rate:g}, seed = {verdict.seed}):\n{verdict.table()}"
        )
    return verdict


def _selected_checks(
    checks: tuple[str, ...] | None, dim: int, with_discriminator: bool
) -> tuple[str, ...]:
    """Validate an explicit selection of checks, or return the default one."""
    if checks is None:
        return battery_checks(dim, with_discriminator)
    names = tuple(checks)
    unknown = [name for name in names if name not in CHECK_NAMES]
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError(
            f"checks must be distinct names from {', '.join(CHECK_NAMES)}, "
            f"got {list(names)}"
        )
    if "discriminator_accuracy" in names and not with_discriminator:
        raise ValueError(
            "checks includes discriminator_accuracy but discriminator_outputs is None"
        )
    return names


def _fit_quadratic_logistic(
    real: np.ndarray, generated: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit an L2-penalized logistic regression on quadratic features (real = 1)."""
    features = _quadratic_features(np.vstack([real, generated]))
    center = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    design = np.hstack([(features - center) / scale, np.ones((len(features), 1))])
    signs = np.concatenate([np.ones(len(real)), -np.ones(len(generated))])
    count = len(signs)

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        margins = signs * np.einsum("ij,j->i", design, weights)
        penalty = np.append(weights[:-1], 0.0)
        loss = np.mean(np.logaddexp(0.0, -margins)) + 0.5 * C2ST_PENALTY * (
            penalty @ penalty
        )
        slopes = -signs * special.expit(-margins) / count
        gradient = np.einsum("ij,i->j", design, slopes) + C2ST_PENALTY * penalty
        return float(loss), gradient

    fit = optimize.minimize(
        loss_and_gradient,
        np.zeros(design.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": C2ST_MAX_ITERATIONS},
    )
    return fit.x, center, scale


def _logits(
    standardized: np.ndarray,
    weights: np.ndarray,
    center: np.ndarray,
    scale: np.ndarray,
) -> np.ndarray:
    """Classifier logits (positive means real) for standardized rows."""
    features = (_quadratic_features(standardized) - center) / scale
    return np.einsum("ij,j->i", features, weights[:-1]) + weights[-1]


def _quadratic_features(standardized: np.ndarray) -> np.ndarray:
    """Linear, squared and (up to the feature limit) cross-product features."""
    clipped = np.clip(standardized, -C2ST_CLIP, C2ST_CLIP)
    count, dim = clipped.shape
    pairs = dim * (dim + 1) // 2 <= C2ST_FEATURE_LIMIT - dim
    width = dim * (dim + 3) // 2 if pairs else 2 * dim
    features = np.empty((count, width))
    features[:, :dim] = clipped
    if not pairs:
        features[:, dim:] = clipped**2
        return features
    # Slices rather than fancy indexing: row i holds z_i * z_j for j >= i.
    start = dim
    for i in range(dim):
        np.multiply(
            clipped[:, i : i + 1],
            clipped[:, i:],
            out=features[:, start : start + dim - i],
        )
        start += dim - i
    return features


def _checked_probabilities(values: Any, name: str) -> np.ndarray:
    """Return discriminator outputs as a flat float64 array, checking [0, 1]."""
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array of outputs") from None
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one output, got none")
    outside = ~(np.isfinite(array) & (array >= 0) & (array <= 1))
    if outside.any():
        index = int(np.argmax(outside))
        raise ValueError(
            f"{name} must be sigmoid outputs in [0, 1], got {array[index]} at index "
            f"{index} (apply a sigmoid to logits first)"
        )
    return array
