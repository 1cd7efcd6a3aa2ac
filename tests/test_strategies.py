"""The shipped Hypothesis strategies draw valid targets inside the claimed ranges."""

from hypothesis import given

from gan_lab.config import TrainConfig
from gan_lab.strategies import (
    DIM_RANGE,
    MEAN_RANGE,
    STD_RANGE,
    target_parameters,
    train_configs,
)


@given(target_parameters())
def test_target_parameters_lie_in_the_claimed_ranges(params):
    """Dimension, mean and std are inside their documented ranges."""
    assert DIM_RANGE[0] <= params["dim"] <= DIM_RANGE[1]
    assert MEAN_RANGE[0] <= params["mean"] <= MEAN_RANGE[1]
    assert STD_RANGE[0] <= params["std"] <= STD_RANGE[1]
    assert params["noise"] in ("normal", "uniform")


@given(train_configs(epochs=1, steps_per_epoch=10, noises=("uniform",)))
def test_train_configs_are_valid_configs_of_the_preset(config):
    """Drawn configs are validated TrainConfigs with the given budget and noise."""
    assert isinstance(config, TrainConfig)
    assert config.preset == "lab" and config.noise == "uniform"
    assert (config.epochs, config.steps_per_epoch) == (1, 10)
