"""The one configuration of a training run, and the named presets.

A ``TrainConfig`` is frozen and validated on construction; the command line is
generated from its fields::

    config = TrainConfig(noise="uniform", epochs=2, steps_per_epoch=100)
    classic = preset("classic")
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gan_lab.distributions import NOISE_NAMES, Normal, check_dim, make_noise
from gan_lab.models import check_activation, check_widths


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run; same config and seed, same run."""

    dim: int = 20
    """Dimension of the target normal."""
    mean: float | tuple[float, ...] = -5.0
    """Target mean: one value for every dimension, or one value per dimension."""
    std: float | tuple[float, ...] = 2.0
    """Target standard deviation (> 0): one value, or one value per dimension."""
    noise: str = "normal"
    """Noise distribution: 'normal' (standard normal) or 'uniform' (on [low, high))."""
    noise_dim: int | None = None
    """Noise dimension; None means the same as dim."""
    noise_low: float = 0.0
    """Lower bound of uniform noise."""
    noise_high: float = 1.0
    """Upper bound of uniform noise."""
    generator_widths: tuple[int, ...] = (64, 64)
    """Units of each hidden layer of the generator."""
    discriminator_widths: tuple[int, ...] = (64, 64)
    """Units of each hidden layer of the discriminator."""
    activation: str = "relu"
    """Hidden-layer activation of both networks."""
    g_learning_rate: float = 1e-4
    """Adam learning rate of the generator."""
    d_learning_rate: float = 1e-4
    """Adam learning rate of the discriminator."""
    beta_1: float = 0.5
    """Adam's first-moment decay, for both networks."""
    beta_2: float = 0.999
    """Adam's second-moment decay, for both networks."""
    lr_final_fraction: float = 1.0
    """Learning rates decay linearly to this fraction of their start; 1 means none."""
    ema_decay: float = 0.0
    """Decay of the moving average of generator weights used for evaluation; 0: off."""
    standardize_noise: bool = False
    """Standardize the generator's input with the noise's exact mean and std."""
    standardize_real: bool = False
    """Standardize the discriminator's input with moments of a real sample."""
    r1_weight: float = 0.0
    """Weight of the R1 gradient penalty on the discriminator's real inputs; 0: off."""
    batch_size: int = 32
    """Samples of real data and of noise per training step."""
    epochs: int = 20
    """Number of epochs; the history has one row per epoch plus the initial state."""
    steps_per_epoch: int = 5000
    """Training steps (one discriminator and one generator update) per epoch."""
    eval_samples: int = 1000
    """Generated and real samples drawn for each epoch's evaluation."""
    final_samples: int = 5000
    """Generated samples saved after training for the battery of assertions."""
    seed: int = 0
    """Seed of weights, noise and data; the same seed reproduces the same history."""
    preset: str = field(default="custom", compare=False)
    """Name of the preset this config came from, for reports only."""

    def __post_init__(self) -> None:
        # The target and noise validate their own parameters with clear messages.
        target = Normal(self.dim, self.mean, self.std)
        if self.noise not in NOISE_NAMES:
            raise ValueError(
                f"noise must be one of {', '.join(NOISE_NAMES)}, got {self.noise!r}"
            )
        noise_dim = self.dim if self.noise_dim is None else self.noise_dim
        make_noise(
            self.noise,
            check_dim(noise_dim, "noise_dim"),
            self.noise_low,
            self.noise_high,
        )
        object.__setattr__(self, "mean", _freeze(target.mean, self.mean))
        object.__setattr__(self, "std", _freeze(target.std, self.std))
        object.__setattr__(self, "noise_dim", int(noise_dim))
        object.__setattr__(
            self,
            "generator_widths",
            check_widths(self.generator_widths, "generator_widths"),
        )
        object.__setattr__(
            self,
            "discriminator_widths",
            check_widths(self.discriminator_widths, "discriminator_widths"),
        )
        check_activation(self.activation)
        for name in ("standardize_noise", "standardize_real"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(
                    f"{name} must be true or false, got {getattr(self, name)!r}"
                )
        for name in ("g_learning_rate", "d_learning_rate"):
            _check_range(name, getattr(self, name), 0.0, math.inf, "> 0", open_low=True)
        for name in ("beta_1", "beta_2"):
            _check_range(
                name, getattr(self, name), 0.0, 1.0, "in [0, 1)", open_high=True
            )
        _check_range(
            "lr_final_fraction",
            self.lr_final_fraction,
            0.0,
            1.0,
            "in (0, 1]",
            open_low=True,
        )
        _check_range("ema_decay", self.ema_decay, 0.0, 1.0, "in [0, 1)", open_high=True)
        _check_range("r1_weight", self.r1_weight, 0.0, math.inf, ">= 0")
        for name, low in (
            ("batch_size", 1),
            ("epochs", 0),
            ("steps_per_epoch", 1),
            ("eval_samples", 2),
            ("final_samples", 2),
            ("seed", 0),
        ):
            _check_int(name, getattr(self, name), low)

    @property
    def target(self) -> Normal:
        """The target distribution."""
        return Normal(self.dim, self.mean, self.std)

    @property
    def noise_distribution(self) -> Any:
        """The noise distribution."""
        return make_noise(self.noise, self.noise_dim, self.noise_low, self.noise_high)

    @property
    def total_steps(self) -> int:
        """Training steps over the whole run."""
        return self.epochs * self.steps_per_epoch

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict from which ``from_dict`` rebuilds the same config."""
        data = dataclasses.asdict(self)
        for key in ("mean", "std", "generator_widths", "discriminator_widths"):
            if isinstance(data[key], tuple):
                data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild a config from ``to_dict`` output, rejecting unknown keys."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; allowed: {sorted(known)}")
        data = dict(data)
        for key in ("mean", "std", "generator_widths", "discriminator_widths"):
            if isinstance(data.get(key), list):
                data[key] = tuple(data[key])
        return cls(**data)


def _freeze(vector: Any, given: Any) -> float | tuple[float, ...]:
    """Keep a scalar given as a scalar; turn a per-dimension vector into a tuple."""
    if np.ndim(given) == 0:
        return float(vector[0])
    return tuple(float(v) for v in vector)


def _check_range(
    name: str,
    value: Any,
    low: float,
    high: float,
    allowed: str,
    open_low: bool = False,
    open_high: bool = False,
) -> None:
    """Raise a ValueError unless ``value`` is a finite number in the given range."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        ok = math.isfinite(value)
    if ok:
        ok = (value > low if open_low else value >= low) and (
            value < high if open_high else value <= high
        )
    if not ok:
        raise ValueError(f"{name} must be a finite number {allowed}, got {value!r}")


def _check_int(name: str, value: Any, low: int) -> None:
    """Raise a ValueError unless ``value`` is an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


# The notebook-style setting of the classic study: plain Adam at 1e-4 with beta_1 0.5,
# two hidden layers of 64 units, batch 32, 20 epochs of 5000 steps, no averaging.
CLASSIC = TrainConfig(preset="classic")

# The lab's default, measured lever by lever in the README ("A GAN that truly
# learns"). Standardizing the discriminator's input with moments of a real sample
# puts its ReLU kinks where the data is, so it can see variances and correlations;
# standardizing the noise with its exact moments is an affine change the first layer
# could make itself, and only fixes the conditioning for uniform [0, 1) noise; the
# two-time-scale rule (a discriminator learning 16x faster) keeps the discriminator
# ahead; the linear learning-rate decay to 1% lets both settle instead of orbiting the
# equilibrium; and the moving average of generator weights removes the remaining
# jitter of the per-dimension means. The exercise (sizes, batch, budget) is unchanged.
LAB = TrainConfig(
    preset="lab",
    standardize_real=True,
    standardize_noise=True,
    d_learning_rate=1.6e-3,
    lr_final_fraction=0.01,
    ema_decay=0.9995,
)

PRESETS: dict[str, TrainConfig] = {"lab": LAB, "classic": CLASSIC}


def preset(name: str, **changes: Any) -> TrainConfig:
    """Return a named preset, optionally with some fields changed.

    Args:
        name: ``"lab"`` (the default, tuned setting) or ``"classic"`` (notebook-style).
        **changes: Fields to override.

    Returns:
        The validated config.

    Raises:
        ValueError: If the name is unknown or a changed field is invalid.
    """
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {name!r}")
    return dataclasses.replace(PRESETS[name], preset=name, **changes)
