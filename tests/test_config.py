import dataclasses
import math

import pytest

from gan_lab.config import CLASSIC, LAB, TrainConfig, preset


def test_defaults_are_exercise_one():
    """The defaults are the study's Exercise 1 budget and sizes."""
    config = TrainConfig()
    assert (config.dim, config.mean, config.std, config.noise) == (
        20,
        -5.0,
        2.0,
        "normal",
    )
    assert (config.batch_size, config.epochs, config.steps_per_epoch) == (32, 20, 5000)
    assert config.eval_samples == 1000 and config.noise_dim == 20
    assert config.total_steps == 100_000


def test_config_is_frozen():
    """A config cannot be changed after construction."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().epochs = 3


def test_classic_preset_is_the_notebook_setting():
    """The classic preset is plain Adam 1e-4, beta_1 0.5, 2x64, no averaging."""
    assert CLASSIC.g_learning_rate == CLASSIC.d_learning_rate == 1e-4
    assert CLASSIC.beta_1 == 0.5 and CLASSIC.generator_widths == (64, 64)
    assert CLASSIC.ema_decay == 0 and CLASSIC.r1_weight == 0
    assert CLASSIC.lr_final_fraction == 1.0


def test_lab_preset_keeps_the_exercise_budget():
    """The lab's default changes the training method, not the exercise."""
    for name in ("dim", "mean", "std", "batch_size", "epochs", "steps_per_epoch"):
        assert getattr(LAB, name) == getattr(CLASSIC, name), name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"std": -2}, "std must be a finite number > 0 in every dimension, got -2"),
        ({"dim": 0}, "dim must be an integer >= 1, got 0"),
        ({"mean": math.nan}, "mean must be a finite number"),
        ({"noise": "cauchy"}, "noise must be one of normal, uniform, got 'cauchy'"),
        ({"epochs": -1}, "epochs must be an integer >= 0, got -1"),
        ({"steps_per_epoch": 0}, "steps_per_epoch must be an integer >= 1, got 0"),
        ({"batch_size": 2.5}, "batch_size must be an integer >= 1, got 2.5"),
        ({"g_learning_rate": 0.0}, "g_learning_rate must be a finite number > 0"),
        ({"beta_1": 1.0}, r"beta_1 must be a finite number in \[0, 1\), got 1.0"),
        ({"ema_decay": -0.1}, "ema_decay must be a finite number in"),
        (
            {"lr_final_fraction": 0},
            r"lr_final_fraction must be a finite number in \(0, 1\]",
        ),
        ({"generator_widths": (64, 0)}, "generator_widths must hold integers >= 1"),
        ({"activation": "swish2"}, "activation must be one of"),
        ({"noise": "uniform", "noise_low": 1.0}, "low must be < high"),
        ({"noise_dim": 0}, "noise_dim must be an integer >= 1, got 0"),
    ],
)
def test_bad_config_raises_value_error(changes, message):
    """Every bad field raises a ValueError naming the field, value and range."""
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


def test_config_round_trips_through_dict():
    """to_dict and from_dict rebuild an equal config, per-dimension values too."""
    config = TrainConfig(dim=3, mean=(1.0, 2.0, 3.0), std=2.0, noise="uniform")
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_from_dict_rejects_unknown_keys():
    """A config file with an unknown key is an error, not silently ignored."""
    data = TrainConfig().to_dict() | {"learning_rate": 1.0}
    with pytest.raises(ValueError, match="unknown config keys"):
        TrainConfig.from_dict(data)


def test_preset_rejects_unknown_name():
    """An unknown preset names the allowed ones."""
    with pytest.raises(ValueError, match="preset must be one of lab, classic"):
        preset("fast")
