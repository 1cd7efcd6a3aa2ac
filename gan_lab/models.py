"""The generator and discriminator: small MLPs built from Keras 3 layers.

Defaults are two hidden layers of 64 units with ReLU, the classic setting of the study::

    generator = build_generator(noise_dim=20, data_dim=20)
    discriminator = build_discriminator(data_dim=20)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras

ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "tanh", "selu")
DEFAULT_WIDTHS = (64, 64)


def check_widths(widths: Sequence[int], name: str) -> tuple[int, ...]:
    """Return ``widths`` as a tuple; raise a ValueError unless each is an int >= 1."""
    try:
        widths = tuple(widths)
    except TypeError:
        raise ValueError(
            f"{name} must be a list of integers >= 1, got {widths!r}"
        ) from None
    for width in widths:
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(
                f"{name} must hold integers >= 1 (one per hidden layer), got {widths!r}"
            )
    return widths


def check_activation(activation: str) -> str:
    """Return ``activation``, or raise a ValueError if it is not a supported one."""
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}"
        )
    return activation


def _mlp(
    name: str,
    input_dim: int,
    widths: Sequence[int],
    output_dim: int,
    activation: str,
    input_scaling: tuple[np.ndarray, np.ndarray] | None = None,
) -> keras.Sequential:
    """A fully connected network with a linear output layer."""
    import keras  # TensorFlow takes seconds to import; configs do not need it.

    layers = [keras.Input(shape=(input_dim,))]
    if input_scaling is not None:
        mean, std = input_scaling
        layers.append(
            keras.layers.Normalization(
                mean=np.asarray(mean), variance=np.square(std), name="standardize"
            )
        )
    for i, width in enumerate(widths):
        layers.append(
            keras.layers.Dense(width, activation=activation, name=f"hidden{i}")
        )
    layers.append(keras.layers.Dense(output_dim, name="output"))
    return keras.Sequential(layers, name=name)


def build_generator(
    noise_dim: int,
    data_dim: int,
    widths: Sequence[int] = DEFAULT_WIDTHS,
    activation: str = "relu",
    input_scaling: tuple[np.ndarray, np.ndarray] | None = None,
) -> keras.Sequential:
    """Build the generator, mapping noise to data space.

    Args:
        noise_dim: Dimension of the noise fed to the generator.
        data_dim: Dimension of the generated samples.
        widths: Units of each hidden layer; depth is ``len(widths)``.
        activation: Hidden-layer activation, one of ``ACTIVATIONS``.
        input_scaling: Exact per-dimension mean and std of the noise; the noise is
            standardized with them by a fixed first layer. The first dense layer is
            affine, so this leaves the set of functions unchanged and only improves
            the conditioning (uniform [0, 1) noise is off-centre and narrow).

    Returns:
        A Keras model whose output layer is linear, so any mean and scale can
        be reached.
    """
    return _mlp("generator", noise_dim, widths, data_dim, activation, input_scaling)


def build_discriminator(
    data_dim: int,
    widths: Sequence[int] = DEFAULT_WIDTHS,
    activation: str = "relu",
    input_scaling: tuple[np.ndarray, np.ndarray] | None = None,
) -> keras.Sequential:
    """Build the discriminator, mapping a sample to one real-versus-fake logit.

    Args:
        data_dim: Dimension of the samples.
        widths: Units of each hidden layer; depth is ``len(widths)``.
        activation: Hidden-layer activation, one of ``ACTIVATIONS``.
        input_scaling: Per-dimension mean and std of the real data, estimated from
            a real sample; inputs are standardized with them by a fixed first layer.
            Without it, ReLU kinks start on hyperplanes through the origin, far from
            data centred at, say, -5, so the discriminator is nearly linear on the
            data and blind to variances and correlations for a long time.

    Returns:
        A Keras model returning logits of shape ``(batch, 1)``; a sigmoid of the logit
        is the probability that the sample is real.
    """
    return _mlp("discriminator", data_dim, widths, 1, activation, input_scaling)
