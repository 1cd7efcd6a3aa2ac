import math

import numpy as np
import pytest
from scipy import stats

from gan_lab.distributions import Normal, StandardNormal, Uniform, make_noise


def test_normal_broadcasts_scalar_parameters():
    """A scalar mean and std apply to every dimension."""
    target = Normal(3, -5.0, 2.0)
    np.testing.assert_array_equal(target.mean, [-5.0, -5.0, -5.0])
    np.testing.assert_array_equal(target.std, [2.0, 2.0, 2.0])


def test_normal_accepts_per_dimension_parameters():
    """Mean and std may differ per dimension."""
    target = Normal(2, [0.0, 1.0], [1.0, 3.0])
    np.testing.assert_array_equal(target.std, [1.0, 3.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dim": 0}, "dim must be an integer >= 1, got 0"),
        ({"dim": 2.5}, "dim must be an integer >= 1"),
        (
            {"dim": 2, "std": -2},
            "std must be a finite number > 0 in every dimension, got -2",
        ),
        ({"dim": 2, "std": 0}, "std must be a finite number > 0"),
        ({"dim": 2, "std": math.inf}, "std must be a finite number > 0"),
        (
            {"dim": 2, "mean": math.nan},
            "mean must be a finite number in every dimension, got nan",
        ),
        (
            {"dim": 2, "mean": [1, 2, 3]},
            r"one value per dimension \(2\), got shape \(3,\)",
        ),
        (
            {"dim": 2, "std": [1, -1]},
            "std must be a finite number > 0 in every dimension, got -1",
        ),
        ({"dim": 2, "mean": "abc"}, "mean must be a number or a list of 2 numbers"),
    ],
)
def test_normal_rejects_bad_parameters(kwargs, message):
    """Bad target parameters raise a ValueError naming parameter, value and range."""
    with pytest.raises(ValueError, match=message):
        Normal(**kwargs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gauss", 2), "noise must be one of normal, uniform, got 'gauss'"),
        (("uniform", 2, 1.0, 1.0), "low must be < high"),
        (("uniform", 2, 0.0, math.nan), "high must be a finite number, got nan"),
        (("normal", 0), "noise_dim must be an integer >= 1, got 0"),
    ],
)
def test_make_noise_rejects_bad_parameters(args, message):
    """Bad noise parameters raise a ValueError naming parameter, value and range."""
    with pytest.raises(ValueError, match=message):
        make_noise(*args)


def test_sampling_is_reproducible_from_a_seed():
    """The same seed gives the same samples; another seed does not."""
    target = Normal(4, 1.0, 2.0)
    np.testing.assert_array_equal(target.sample(10, seed=3), target.sample(10, seed=3))
    assert not np.array_equal(target.sample(10, seed=3), target.sample(10, seed=4))


@pytest.mark.parametrize(
    "distribution",
    [
        Normal(3, [-5.0, 0.0, 2.0], [2.0, 0.5, 1.0]),
        StandardNormal(3),
        Uniform(3, -1, 3),
    ],
    ids=["normal", "standard-normal", "uniform"],
)
def test_exact_moments_and_cdf_match_samples(distribution):
    """Samples agree with the exact mean, std and marginal CDF (KS at alpha 1e-3)."""
    x = distribution.sample(20_000, seed=1).astype(np.float64)
    # Five standard errors: a false fail has probability below 1e-5 per dimension.
    np.testing.assert_allclose(
        x.mean(axis=0), distribution.mean, atol=5 * distribution.std.max() / 141
    )
    np.testing.assert_allclose(x.std(axis=0), distribution.std, rtol=0.03)
    for i in range(distribution.dim):
        column = x[:, i]
        result = stats.kstest(
            column,
            lambda v, i=i: distribution.cdf(np.tile(v[:, None], (1, distribution.dim)))[
                :, i
            ],
        )
        assert result.pvalue > 1e-3, (i, result)


def test_uniform_samples_lie_in_half_open_interval():
    """Uniform noise lies in [low, high)."""
    x = Uniform(5, 0.0, 1.0).sample(10_000, seed=0)
    assert x.min() >= 0.0 and x.max() < 1.0


def test_target_round_trips_through_dict():
    """to_dict and from_dict rebuild an equal target."""
    target = Normal(2, [1.0, 2.0], 3.0)
    assert Normal.from_dict(target.to_dict()) == target
