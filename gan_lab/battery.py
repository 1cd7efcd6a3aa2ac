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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gan_lab import assertions, equilibrium, ks_checks, tail_checks
from gan_lab.assertions import (
    CORRELATION_TOLERANCE,
    MEAN_TOLERANCE,
    STD_RATIO_TOLERANCE,
)
from gan_lab.check_core import (
    CheckFailedError,
    CheckResult,
    check_false_fail_rate,
    check_seed,
    standardize,
)
from gan_lab.distributions import Normal
from gan_lab.equilibrium import ACCURACY_TOLERANCE
from gan_lab.ks_checks import PROJECTION_COUNT

# The final evaluation after training draws this many generated samples; the
# detection figures in the docstrings are computed for it.
DEFAULT_SAMPLE_SIZE = 5000
DEFAULT_FALSE_FAIL_RATE = 0.01

# Checks of the generated sample against the exact target, and checks by a classifier
# that compares generated with real samples.
DISTRIBUTION_CHECKS = (
    "mean",
    "std",
    "marginal_ks",
    "projection_ks",
    "correlation",
    "tails",
)
CLASSIFIER_CHECKS = ("c2st", "discriminator_accuracy")
CHECK_NAMES = DISTRIBUTION_CHECKS + CLASSIFIER_CHECKS


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
    standardized = standardize(samples, target)
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
    standardized = standardize(samples, target)
    dim = standardized.shape[1]
    ratios = standardized.std(axis=0, ddof=1)
    # A constant dimension has no correlation; the metric is then undefined.
    largest_correlation = None
    if dim > 1 and np.all(ratios > 0):
        correlation = assertions.correlation_matrix(standardized)
        largest_correlation = float(
            np.max(np.abs(correlation[np.triu_indices(dim, 1)]))
        )
    ks = ks_checks.ks_statistics(standardized)
    return {
        "frechet_distance": frechet_distance(samples, target),
        "largest_mean_shift_sd": float(np.max(np.abs(standardized.mean(axis=0)))),
        "smallest_std_ratio": float(np.min(ratios)),
        "largest_std_ratio": float(np.max(ratios)),
        "largest_abs_correlation": largest_correlation,
        "tail_fraction": float(np.mean(np.abs(standardized) > tail_checks.TAIL_SIGMAS)),
        "tail_fraction_exact": tail_checks.tail_probability(),
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
    standardized = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    check_seed(seed)
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
        "marginal_ks": lambda: ks_checks.assert_marginals_equal_by_ks_holm(
            samples, target, false_fail_rate=share
        ),
        "projection_ks": lambda: ks_checks.assert_projections_equal_by_ks(
            samples,
            target,
            false_fail_rate=share,
            projection_count=projection_count,
            seed=seed,
        ),
        "correlation": lambda: assertions.assert_correlations_equivalent_by_fisher_ci(
            samples, target, false_fail_rate=share, tolerance=correlation_tolerance
        ),
        "tails": lambda: tail_checks.assert_tail_mass_equal_by_binomial(
            samples, target, false_fail_rate=share
        ),
        "c2st": lambda: equilibrium.assert_indistinguishable_by_c2st(
            samples, target, false_fail_rate=share, seed=seed
        ),
        "discriminator_accuracy": lambda: (
            equilibrium.assert_discriminator_accuracy_near_half_by_clopper_pearson(
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
