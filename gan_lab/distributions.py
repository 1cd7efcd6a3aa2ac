"""Target and noise distributions whose truth is known exactly.

Every distribution knows its dimension, its exact per-dimension mean and standard
deviation and its marginal CDF, and draws reproducible samples from a seed::

    target = Normal(dim=20, mean=-5.0, std=2.0)
    x = target.sample(1000, seed=0)  # (1000, 20) float32
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

NOISE_NAMES = ("normal", "uniform")


def check_dim(dim: Any, name: str = "dim") -> int:
    """Return ``dim`` as an int, or raise a ValueError if it is not an integer >= 1."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= 1, got {dim!r}")
    if dim < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {dim}")
    return int(dim)


def _per_dimension(value: Any, dim: int, name: str, positive: bool) -> np.ndarray:
    """Broadcast a scalar or a length-``dim`` vector to a checked float64 vector."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number or a list of {dim} numbers, got {value!r}"
        ) from None
    if array.ndim == 0:
        array = np.full(dim, float(array))
    elif array.shape != (dim,):
        raise ValueError(
            f"{name} must be a scalar or have one value per dimension ({dim}), "
            f"got shape {array.shape}"
        )
    bad = ~np.isfinite(array)
    if positive:
        bad |= ~(array > 0)
    if bad.any():
        allowed = "a finite number > 0" if positive else "a finite number"
        shown = value if array.ndim == 0 or np.ndim(value) == 0 else array[bad][0]
        raise ValueError(f"{name} must be {allowed} in every dimension, got {shown}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Normal:
    """A normal distribution with independent dimensions.

    Attributes:
        dim: Number of dimensions, >= 1.
        mean: Mean, a scalar or one value per dimension; finite.
        std: Standard deviation, a scalar or one value per dimension; finite, > 0.
    """

    dim: int
    mean: Any = 0.0
    std: Any = 1.0
    name: str = field(default="normal", init=False)

    def __post_init__(self) -> None:
        dim = check_dim(self.dim)
        object.__setattr__(self, "dim", dim)
        object.__setattr__(self, "mean", _per_dimension(self.mean, dim, "mean", False))
        object.__setattr__(self, "std", _per_dimension(self.std, dim, "std", True))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Marginal CDF of each column of ``x`` (shape ``(n, dim)``)."""
        return stats.norm.cdf(np.asarray(x, dtype=np.float64), self.mean, self.std)

    def marginal(self, i: int) -> Any:
        """The frozen scipy distribution of dimension ``i``."""
        return stats.norm(loc=self.mean[i], scale=self.std[i])

    def sample(
        self, n: int, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Draw ``n`` samples of shape ``(n, dim)`` as float32."""
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, self.dim))
        return (self.mean + self.std * z).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description from which ``from_dict`` rebuilds the target."""
        return {"dim": self.dim, "mean": _compact(self.mean), "std": _compact(self.std)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Normal:
        """Rebuild a target written by ``to_dict``."""
        return cls(dim=data["dim"], mean=data["mean"], std=data["std"])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Normal)
            and self.dim == other.dim
            and np.array_equal(self.mean, other.mean)
            and np.array_equal(self.std, other.std)
        )

    def __hash__(self) -> int:
        return hash((self.dim, self.mean.tobytes(), self.std.tobytes()))


@dataclass(frozen=True)
class Uniform:
    """Independent uniform noise on [low, high) in every dimension.

    Attributes:
        dim: Number of dimensions, >= 1.
        low: Lower bound, finite.
        high: Upper bound, finite and > low.
    """

    dim: int
    low: float = 0.0
    high: float = 1.0
    name: str = field(default="uniform", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dim", check_dim(self.dim, "noise_dim"))
        for key in ("low", "high"):
            value = getattr(self, key)
            if not _is_finite_number(value):
                raise ValueError(f"{key} must be a finite number, got {value!r}")
            object.__setattr__(self, key, float(value))
        if not self.low < self.high:
            raise ValueError(
                f"low must be < high for uniform noise, got low={self.low}, "
                f"high={self.high}"
            )

    @property
    def mean(self) -> np.ndarray:
        """Exact mean of every dimension."""
        return np.full(self.dim, (self.low + self.high) / 2)

    @property
    def std(self) -> np.ndarray:
        """Exact standard deviation of every dimension."""
        return np.full(self.dim, (self.high - self.low) / math.sqrt(12))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Marginal CDF of each column of ``x``."""
        x = np.asarray(x, dtype=np.float64)
        return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)

    def sample(
        self, n: int, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Draw ``n`` samples of shape ``(n, dim)`` as float32."""
        rng = np.random.default_rng(seed)
        return rng.uniform(self.low, self.high, (n, self.dim)).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {"name": "uniform", "dim": self.dim, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class StandardNormal:
    """Independent standard normal noise.

    Attributes:
        dim: Number of dimensions, >= 1.
    """

    dim: int
    name: str = field(default="normal", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dim", check_dim(self.dim, "noise_dim"))

    @property
    def mean(self) -> np.ndarray:
        """Exact mean of every dimension."""
        return np.zeros(self.dim)

    @property
    def std(self) -> np.ndarray:
        """Exact standard deviation of every dimension."""
        return np.ones(self.dim)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Marginal CDF of each column of ``x``."""
        return stats.norm.cdf(np.asarray(x, dtype=np.float64))

    def sample(
        self, n: int, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Draw ``n`` samples of shape ``(n, dim)`` as float32."""
        rng = np.random.default_rng(seed)
        return rng.standard_normal((n, self.dim)).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {"name": "normal", "dim": self.dim}


def make_noise(
    name: str, dim: int, low: float = 0.0, high: float = 1.0
) -> StandardNormal | Uniform:
    """Build a noise distribution by name.

    Args:
        name: ``"normal"`` (standard normal) or ``"uniform"`` (on [low, high)).
        dim: Noise dimension, >= 1.
        low: Lower bound of uniform noise.
        high: Upper bound of uniform noise.

    Returns:
        The noise distribution.

    Raises:
        ValueError: If the name is unknown or a parameter is out of range.
    """
    if name == "normal":
        return StandardNormal(dim)
    if name == "uniform":
        return Uniform(dim, low, high)
    raise ValueError(f"noise must be one of {', '.join(NOISE_NAMES)}, got {name!r}")


def _is_finite_number(value: Any) -> bool:
    """True for a real, finite, non-boolean number."""
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _compact(vector: np.ndarray) -> float | list[float]:
    """A scalar when every dimension shares one value, else the full list."""
    if np.all(vector == vector[0]):
        return float(vector[0])
    return [float(v) for v in vector]
