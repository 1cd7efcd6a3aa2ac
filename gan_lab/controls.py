"""Negative controls: samples wrong in one known way, to measure a check's power.

Each control draws ``n`` samples that match the target except for one stated flaw,
so the rate at which a check fails them is its power against that flaw (measured by
``gan_lab.power_simulation``)::

    samples = scaled_std(target, 5000, seed=0, scale=0.9, dimensions=[0])
    samples = NEGATIVE_CONTROLS["std_x0.9_all_dims"](target, 5000, seed=1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from gan_lab.distributions import Normal

Seed = int | np.random.Generator | None


def exact_target(target: Normal, n: int, seed: Seed = None) -> np.ndarray:
    """Samples from the target itself, in float64, to measure false-fail rates.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.

    Returns:
        Array of shape ``(n, target.dim)``.
    """
    return _from_standard(target, _standard_normal(target, n, seed))


def shifted_mean(
    target: Normal,
    n: int,
    seed: Seed = None,
    *,
    shift: float = 0.25,
    dimensions: Sequence[int] | None = (0,),
) -> np.ndarray:
    """Target samples whose mean is shifted by ``shift`` sds in some dimensions.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.
        shift: Shift in target standard deviations, finite.
        dimensions: Dimensions to shift; None shifts all.

    Returns:
        Array of shape ``(n, target.dim)``.
    """
    standard = _standard_normal(target, n, seed)
    standard[:, _dimensions(target, dimensions)] += _finite(shift, "shift")
    return _from_standard(target, standard)


def scaled_std(
    target: Normal,
    n: int,
    seed: Seed = None,
    *,
    scale: float = 0.9,
    dimensions: Sequence[int] | None = (0,),
) -> np.ndarray:
    """Target samples whose standard deviation is multiplied by ``scale``.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.
        scale: Factor on the standard deviation, > 0.
        dimensions: Dimensions to scale; None scales all.

    Returns:
        Array of shape ``(n, target.dim)``.
    """
    standard = _standard_normal(target, n, seed)
    standard[:, _dimensions(target, dimensions)] *= _positive(scale, "scale")
    return _from_standard(target, standard)


def correlated(
    target: Normal,
    n: int,
    seed: Seed = None,
    *,
    correlation: float = 0.3,
    pair: tuple[int, int] = (0, 1),
) -> np.ndarray:
    """Target samples with exact marginals but one correlated pair of dimensions.

    Args:
        target: The exact target, with dim >= 2.
        n: Number of samples, >= 1.
        seed: Seed or generator.
        correlation: Correlation of the pair, in (-1, 1).
        pair: Two distinct dimensions.

    Returns:
        Array of shape ``(n, target.dim)``.
    """
    first, second = _dimensions(target, pair)
    if len(pair) != 2 or first == second:
        raise ValueError(f"pair must be two distinct dimensions, got {pair!r}")
    if not -1 < correlation < 1:
        raise ValueError(f"correlation must be in (-1, 1), got {correlation}")
    standard = _standard_normal(target, n, seed)
    standard[:, second] = (
        correlation * standard[:, first]
        + math.sqrt(1 - correlation**2) * standard[:, second]
    )
    return _from_standard(target, standard)


def student_t(
    target: Normal, n: int, seed: Seed = None, *, degrees_of_freedom: float = 10.0
) -> np.ndarray:
    """Independent Student-t dimensions rescaled to the target's mean and sd.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.
        degrees_of_freedom: Degrees of freedom, > 2 so the variance exists.

    Returns:
        Array of shape ``(n, target.dim)``; heavier tails than the target.
    """
    freedom = _positive(degrees_of_freedom, "degrees_of_freedom")
    if freedom <= 2:
        raise ValueError(f"degrees_of_freedom must be > 2, got {degrees_of_freedom}")
    generator = np.random.default_rng(seed)
    draws = generator.standard_t(freedom, _shape(target, n))
    return _from_standard(target, draws * math.sqrt((freedom - 2) / freedom))


def uniform_matched(target: Normal, n: int, seed: Seed = None) -> np.ndarray:
    """Independent uniform dimensions with the target's mean and sd.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.

    Returns:
        Array of shape ``(n, target.dim)``; no mass beyond ±sqrt(3) sd.
    """
    generator = np.random.default_rng(seed)
    edge = math.sqrt(3.0)
    return _from_standard(target, generator.uniform(-edge, edge, _shape(target, n)))


def truncated(
    target: Normal, n: int, seed: Seed = None, *, bound: float = 2.5
) -> np.ndarray:
    """A normal cut at ±``bound`` sd in every dimension, rescaled to unit variance.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.
        bound: Truncation point in sds, > 0.

    Returns:
        Array of shape ``(n, target.dim)``; after rescaling, no mass beyond
        ``bound / std`` of the truncated law (2.62 sd for the default).
    """
    edge = _positive(bound, "bound")
    law = stats.truncnorm(-edge, edge)
    draws = law.rvs(size=_shape(target, n), random_state=np.random.default_rng(seed))
    return _from_standard(target, draws / law.std())


def collapsed(target: Normal, n: int, seed: Seed = None) -> np.ndarray:
    """Total mode collapse: every sample equals one draw from the target.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator of the single point.

    Returns:
        Array of shape ``(n, target.dim)`` with identical rows.
    """
    point = _standard_normal(target, 1, seed)
    return _from_standard(target, np.repeat(point, _shape(target, n)[0], axis=0))


def mixture(
    target: Normal,
    n: int,
    seed: Seed = None,
    *,
    separation: float = 0.8,
    shared: bool = True,
) -> np.ndarray:
    """Two equal normal components at ±``separation`` sd with matched mean and sd.

    Each component has sd ``sqrt(1 - separation**2)``, so every marginal keeps the
    target's mean and standard deviation exactly while being bimodal for a
    separation above about 0.71.

    Args:
        target: The exact target.
        n: Number of samples, >= 1.
        seed: Seed or generator.
        separation: Component offset in target sds, in [0, 1).
        shared: Whether all dimensions of a sample share one component, giving two
            modes in the full space (and correlation ``separation**2`` between
            dimensions); otherwise each dimension picks its own.

    Returns:
        Array of shape ``(n, target.dim)``.
    """
    if not 0 <= separation < 1:
        raise ValueError(f"separation must be in [0, 1), got {separation}")
    generator = np.random.default_rng(seed)
    standard = generator.standard_normal(_shape(target, n))
    columns = 1 if shared else target.dim
    signs = generator.choice([-1.0, 1.0], size=(_shape(target, n)[0], columns))
    offsets = separation * signs
    return _from_standard(target, offsets + math.sqrt(1 - separation**2) * standard)


@dataclass(frozen=True)
class NegativeControl:
    """A named control at a fixed strength.

    Attributes:
        name: Registry key.
        description: The flaw in words, for tables.
        generate: The control function.
        strength: Keyword arguments fixing its strength.
    """

    name: str
    description: str
    generate: Callable[..., np.ndarray]
    strength: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, target: Normal, n: int, seed: Seed = None) -> np.ndarray:
        """Draw ``n`` samples with the flaw."""
        return self.generate(target, n, seed, **self.strength)


# The strengths are spelled out so that a name keeps its meaning if a default changes.
NEGATIVE_CONTROLS: dict[str, NegativeControl] = {
    control.name: control
    for control in (
        NegativeControl(
            "shift_0.25sd_one_dim",
            "mean +0.25 sd in dimension 0",
            shifted_mean,
            {"shift": 0.25, "dimensions": (0,)},
        ),
        NegativeControl(
            "std_x0.9_one_dim",
            "std x0.9 in dimension 0",
            scaled_std,
            {"scale": 0.9, "dimensions": (0,)},
        ),
        NegativeControl(
            "std_x0.9_all_dims",
            "std x0.9 in every dimension",
            scaled_std,
            {"scale": 0.9, "dimensions": None},
        ),
        NegativeControl(
            "correlation_0.3_one_pair",
            "correlation 0.3 between dimensions 0 and 1",
            correlated,
            {"correlation": 0.3, "pair": (0, 1)},
        ),
        NegativeControl(
            "student_t_df10",
            "Student-t, 10 df, matched mean and sd",
            student_t,
            {"degrees_of_freedom": 10.0},
        ),
        NegativeControl("uniform", "uniform, matched mean and sd", uniform_matched),
        NegativeControl(
            "truncated_2.5sd",
            "normal cut at ±2.5 sd, rescaled to unit sd",
            truncated,
            {"bound": 2.5},
        ),
        NegativeControl("collapsed", "every sample the same point", collapsed),
        NegativeControl(
            "mixture_two_modes",
            "two modes at ±0.8 sd, matched mean and sd",
            mixture,
            {"separation": 0.8, "shared": True},
        ),
    )
}


def _shape(target: Normal, n: Any) -> tuple[int, int]:
    """Validate the target and ``n`` and return the sample shape (n, dim)."""
    if not isinstance(target, Normal):
        raise ValueError(
            "target must be a gan_lab.distributions.Normal, "
            f"got {type(target).__name__}"
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    return int(n), target.dim


def _standard_normal(target: Normal, n: int, seed: Seed) -> np.ndarray:
    """Independent N(0, 1) draws of shape (n, target.dim), float64."""
    return np.random.default_rng(seed).standard_normal(_shape(target, n))


def _from_standard(target: Normal, standard: np.ndarray) -> np.ndarray:
    """Map standardized draws to the target's location and scale."""
    return target.mean + target.std * standard


def _dimensions(target: Normal, dimensions: Sequence[int] | None) -> list[int]:
    """Validate dimension indices; None means all."""
    if dimensions is None:
        return list(range(target.dim))
    chosen = [int(i) for i in dimensions]
    if not chosen or any(not 0 <= i < target.dim for i in chosen):
        raise ValueError(
            f"dimensions must be indices in [0, {target.dim - 1}], got {dimensions!r}"
        )
    return chosen


def _finite(value: float, name: str) -> float:
    """Return ``value`` as a float, raising ValueError unless finite."""
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def _positive(value: float, name: str) -> float:
    """Return ``value`` as a float, raising ValueError unless finite and > 0."""
    if not (math.isfinite(float(value)) and float(value) > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)
