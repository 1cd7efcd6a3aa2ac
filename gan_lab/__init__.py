"""gan_lab: did this generative model learn this distribution?

Train small GANs on target distributions whose truth is known exactly, and judge the
result with statistical assertions of controlled error rate::

    from gan_lab import preset, train
    result = train(preset("lab", epochs=2, steps_per_epoch=500))
"""

from gan_lab.config import CLASSIC, LAB, PRESETS, TrainConfig, preset
from gan_lab.distributions import Normal, StandardNormal, Uniform, make_noise

__all__ = [
    "CLASSIC",
    "LAB",
    "PRESETS",
    "Normal",
    "StandardNormal",
    "TrainConfig",
    "Uniform",
    "make_noise",
    "preset",
    "train",
]


def __getattr__(name: str):
    # TensorFlow takes seconds to import; only training needs it.
    if name == "train":
        from gan_lab.training import train

        return train
    raise AttributeError(name)
