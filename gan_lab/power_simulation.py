"""Power by simulation: how often a check fails samples from a negative control.

A check's power against a flaw is the rate at which it fails samples that have the
flaw; replicating a control from ``gan_lab.controls`` estimates it, with a 95%
Clopper-Pearson interval, for the battery, one of its checks or any assertion::

    estimate = measure_power("battery", "std_x0.9_all_dims", target, 5000, 40, seed=1)
    print(estimate.power, estimate.lower, estimate.upper)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from gan_lab import battery
from gan_lab.check_core import check_false_fail_rate, check_seed
from gan_lab.controls import NEGATIVE_CONTROLS, Seed
from gan_lab.distributions import Normal


@dataclass(frozen=True)
class PowerEstimate:
    """How often a check failed a control over independent replications.

    Attributes:
        check: The check measured (``"battery"``, a check name or a callable's name).
        control: The control's name.
        rejections: Replications in which the check failed.
        replications: Replications run.
        n: Samples per replication.
        false_fail_rate: Family-wise rate of the battery the check ran in.
        lower: Lower end of the 95% Clopper-Pearson interval of the power.
        upper: Upper end of that interval.
    """

    check: str
    control: str
    rejections: int
    replications: int
    n: int
    false_fail_rate: float
    lower: float
    upper: float

    @property
    def power(self) -> float:
        """The observed rejection rate."""
        return self.rejections / self.replications


def measure_power(
    check: str | Callable[[np.ndarray, Normal], Any],
    control: str | Callable[[Normal, int, Seed], np.ndarray],
    target: Normal,
    n: int = battery.DEFAULT_SAMPLE_SIZE,
    replications: int = 40,
    seed: int = 0,
    *,
    false_fail_rate: float = battery.DEFAULT_FALSE_FAIL_RATE,
) -> PowerEstimate:
    """Estimate how often ``check`` fails samples from ``control``.

    Args:
        check: ``"battery"``; a name from ``battery.CHECK_NAMES``, run at the share
            of ``false_fail_rate`` the battery would give it; or a callable
            ``check(samples, target)`` that fails by raising AssertionError or by
            returning an object whose ``passed`` is False.
        control: A name from ``NEGATIVE_CONTROLS`` or a callable
            ``control(target, n, seed)``; ``exact_target`` measures the false-fail
            rate.
        target: The exact target.
        n: Samples per replication.
        replications: Independent replications, >= 1.
        seed: Seed, >= 0, from which every replication's seeds derive.
        false_fail_rate: The battery's family-wise rate, in (0, 1).

    Returns:
        The estimate with its 95% Clopper-Pearson interval.

    Raises:
        ValueError: On an unknown check or control name or a bad count.
    """
    generate, control_name = _control(control)
    rate = check_false_fail_rate(false_fail_rate)
    if isinstance(check, str):
        if check != "battery" and check not in battery.CHECK_NAMES:
            raise ValueError(
                f"check must be 'battery', one of {', '.join(battery.CHECK_NAMES)} "
                f"or a callable, got {check!r}"
            )
        check_name = check
    else:
        check_name = getattr(check, "__name__", type(check).__name__)

    rejections = 0
    for sample_seed, battery_seed in _replication_seeds(seed, replications):
        samples = generate(target, n, sample_seed)
        if check == "battery":
            failed = not battery.run_battery(
                samples, target, false_fail_rate=rate, seed=battery_seed
            ).passed
        elif isinstance(check, str):
            share = rate / len(battery.battery_checks(target.dim))
            verdict = battery.run_battery(
                samples,
                target,
                false_fail_rate=share,
                seed=battery_seed,
                checks=(check,),
            )
            failed = not verdict.passed
        else:
            failed = _callable_failed(check, samples, target)
        rejections += failed
    return _estimate(check_name, control_name, rejections, replications, n, rate)


def measure_power_by_check(
    control: str | Callable[[Normal, int, Seed], np.ndarray],
    target: Normal,
    n: int = battery.DEFAULT_SAMPLE_SIZE,
    replications: int = 40,
    seed: int = 0,
    *,
    false_fail_rate: float = battery.DEFAULT_FALSE_FAIL_RATE,
) -> dict[str, PowerEstimate]:
    """Run the full battery on a control and count failures of each check.

    Args:
        control: A name from ``NEGATIVE_CONTROLS`` or a control callable.
        target: The exact target.
        n: Samples per replication.
        replications: Independent replications, >= 1.
        seed: Seed, >= 0, from which every replication's seeds derive.
        false_fail_rate: The battery's family-wise rate, in (0, 1).

    Returns:
        One estimate per default check, plus ``"battery"`` for the whole verdict.
    """
    generate, control_name = _control(control)
    rate = check_false_fail_rate(false_fail_rate)
    names = (*battery.battery_checks(target.dim), "battery")
    counts = dict.fromkeys(names, 0)
    for sample_seed, battery_seed in _replication_seeds(seed, replications):
        verdict = battery.run_battery(
            generate(target, n, sample_seed),
            target,
            false_fail_rate=rate,
            seed=battery_seed,
        )
        for name in verdict.failed:
            counts[name] += 1
        counts["battery"] += not verdict.passed
    return {
        name: _estimate(name, control_name, count, replications, n, rate)
        for name, count in counts.items()
    }


def _control(
    control: str | Callable[[Normal, int, Seed], np.ndarray],
) -> tuple[Callable[[Normal, int, Seed], np.ndarray], str]:
    """Resolve a control name or callable to a callable and a name."""
    if isinstance(control, str):
        if control not in NEGATIVE_CONTROLS:
            raise ValueError(
                f"control must be one of {', '.join(NEGATIVE_CONTROLS)} or a "
                f"callable, got {control!r}"
            )
        return NEGATIVE_CONTROLS[control], control
    return control, getattr(control, "name", getattr(control, "__name__", "control"))


def _replication_seeds(seed: int, replications: int) -> list[tuple[int, int]]:
    """Independent (sample seed, battery seed) pairs derived from one seed."""
    check_seed(seed)
    if (
        isinstance(replications, bool)
        or not isinstance(replications, (int, np.integer))
        or replications < 1
    ):
        raise ValueError(f"replications must be an integer >= 1, got {replications!r}")
    children = np.random.SeedSequence(seed).spawn(int(replications))
    return [tuple(int(v) for v in child.generate_state(2)) for child in children]


def _callable_failed(
    check: Callable[[np.ndarray, Normal], Any], samples: np.ndarray, target: Normal
) -> bool:
    """Run a user's check; failing means AssertionError or ``passed`` False."""
    try:
        outcome = check(samples, target)
    except AssertionError:
        return True
    return getattr(outcome, "passed", True) is False


def _estimate(
    check: str, control: str, rejections: int, replications: int, n: int, rate: float
) -> PowerEstimate:
    """Package a count with its 95% Clopper-Pearson interval."""
    interval = stats.binomtest(int(rejections), int(replications)).proportion_ci(
        0.95, "exact"
    )
    return PowerEstimate(
        check=check,
        control=control,
        rejections=int(rejections),
        replications=int(replications),
        n=int(n),
        false_fail_rate=rate,
        lower=float(interval.low),
        upper=float(interval.high),
    )
