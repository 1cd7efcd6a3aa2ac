"""Hypothesis strategies for target parameters, for use in any test suite.

Draw targets the lab claims to learn, and train each one::

    from hypothesis import given
    from gan_lab.strategies import train_configs

    @given(train_configs(epochs=4, steps_per_epoch=2500))
    def test_learns(config): ...
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from gan_lab.config import TrainConfig, preset
from gan_lab.distributions import NOISE_NAMES

# The ranges the lab's default is claimed to handle.
DIM_RANGE = (1, 32)
MEAN_RANGE = (-10.0, 10.0)
STD_RANGE = (0.25, 5.0)


@st.composite
def target_parameters(
    draw: st.DrawFn,
    dims: tuple[int, int] = DIM_RANGE,
    means: tuple[float, float] = MEAN_RANGE,
    stds: tuple[float, float] = STD_RANGE,
    noises: tuple[str, ...] = NOISE_NAMES,
) -> dict[str, Any]:
    """Draw a target normal and a noise distribution.

    Args:
        dims: Inclusive range of the dimension.
        means: Inclusive range of the (scalar) mean.
        stds: Inclusive range of the (scalar) std.
        noises: Noise names to choose from.

    Returns:
        A dict with keys ``dim``, ``mean``, ``std`` and ``noise``, ready to pass to
        ``TrainConfig`` or ``preset``.
    """
    return {
        "dim": draw(st.integers(*dims)),
        "mean": draw(st.floats(*means, allow_nan=False, allow_infinity=False)),
        "std": draw(st.floats(*stds, allow_nan=False, allow_infinity=False)),
        "noise": draw(st.sampled_from(noises)),
    }


def train_configs(
    preset_name: str = "lab",
    seed: int = 0,
    noises: tuple[str, ...] = NOISE_NAMES,
    **budget: Any,
) -> st.SearchStrategy[TrainConfig]:
    """Configs of the named preset on drawn targets.

    Args:
        preset_name: The preset the drawn targets are trained with.
        seed: Seed of every drawn config.
        noises: Noise names to choose from.
        **budget: Fields to override, such as ``epochs`` and ``steps_per_epoch``.

    Returns:
        A strategy of validated ``TrainConfig`` objects.
    """
    return target_parameters(noises=noises).map(
        lambda params: preset(preset_name, seed=seed, **params, **budget)
    )
