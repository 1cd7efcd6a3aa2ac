"""What every statistical check shares: its result, its failure and its decision.

A check validates its arguments and standardizes the samples with the helpers here,
then decides with ``decide_by_intervals`` (equivalence checks) or builds its
``CheckResult`` and passes it to ``enforce`` (equality checks). A passing result is
returned; a failing one raises ``CheckFailedError``, an ``AssertionError`` that
carries the result::

    standardized = standardize(samples, target)  # (n, dim), in target sds
    rate = check_false_fail_rate(false_fail_rate)

The checks live in ``assertions`` (mean, standard deviation, correlation),
``ks_checks`` (marginal and projection KS), ``tail_checks`` (tail mass) and
``equilibrium`` (classifier test, discriminator accuracy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gan_lab.distributions import Normal


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


def check_tolerance(value: Any, name: str, below: float | None = None) -> float:
    """Return ``value`` as a float, raising ValueError unless it is in (0, below)."""
    allowed = f"in (0, {below:g})" if below is not None else "a finite number > 0"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0 and (below is None or number < below)):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return number


def require_sample_size(n: int, minimum: int, check: str, rate: float) -> int:
    """Return ``n``, raising ValueError naming n, the rate and the minimum if short."""
    if n < minimum:
        raise ValueError(
            f"n = {n} samples is too few for the {check} check at "
            f"false_fail_rate = {rate:.3g}: it needs n >= {minimum}"
        )
    return n
