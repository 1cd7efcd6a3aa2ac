"""Unit tier: every figure holds the expected curves, reference lines and labels."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from gan_lab import comparison_plots, plots
from gan_lab.distributions import Normal

TARGET = Normal(dim=20, mean=-5.0, std=2.0)
UNEVEN = Normal(dim=3, mean=[-5.0, 0.0, 2.0], std=[2.0, 1.0, 0.5])
EPOCHS = 4
SAMPLE_SIZE = 2000
SEED = 11
# Largest gap between a QQ point of a target sample and the identity line, inside
# the central 98% where sampling error is small at SAMPLE_SIZE * dim values.
QQ_CENTRAL_TOLERANCE = 0.1


def synthetic_history(target: Normal, epochs: int = EPOCHS) -> pd.DataFrame:
    """A history whose moments move linearly from (0, 1) to the truth."""
    rows = []
    for epoch in range(epochs + 1):
        progress = epoch / epochs
        means = target.mean * progress
        stds = 1.0 + (target.std - 1.0) * progress
        row = {
            "epoch": epoch,
            "mean": float(means.mean()),
            "std": float(stds.mean()),
            "acc_real": 0.9 - 0.4 * progress,
            "acc_fake": 0.8 - 0.3 * progress,
        }
        row["acc"] = (row["acc_real"] + row["acc_fake"]) / 2
        row |= {f"mean_{i}": value for i, value in enumerate(means)}
        row |= {f"std_{i}": value for i, value in enumerate(stds)}
        rows.append(row)
    return pd.DataFrame(rows)


def line_by_label(axes, label):
    """The one line of ``axes`` with this legend label."""
    lines = [line for line in axes.get_lines() if line.get_label() == label]
    assert len(lines) == 1, [line.get_label() for line in axes.get_lines()]
    return lines[0]


def horizontal_lines_at(axes, y):
    """Lines of ``axes`` that are horizontal at height ``y``."""
    found = []
    for line in axes.get_lines():
        ydata = np.asarray(line.get_ydata(), dtype=float)
        if ydata.size and np.allclose(ydata, y):
            found.append(line)
    return found


def legend_texts(axes):
    """The texts of the legend of ``axes``."""
    return [text.get_text() for text in axes.get_legend().get_texts()]


@pytest.fixture(scope="module")
def samples():
    """Samples drawn from the target itself."""
    return TARGET.sample(SAMPLE_SIZE, seed=SEED)


def test_moments_plot_draws_generated_curves_and_true_lines():
    """Generated mean and std follow the history; the truth is drawn at -5 and 2."""
    history = synthetic_history(TARGET)
    figure = plots.plot_moments(history, TARGET)
    (axes,) = figure.axes
    mean_line = line_by_label(axes, "generated mean")
    np.testing.assert_allclose(mean_line.get_xdata(), history["epoch"])
    np.testing.assert_allclose(mean_line.get_ydata(), history["mean"])
    np.testing.assert_allclose(
        line_by_label(axes, "generated std").get_ydata(), history["std"]
    )
    assert horizontal_lines_at(axes, -5.0)
    assert horizontal_lines_at(axes, 2.0)
    assert axes.get_xlabel() == "epoch"
    assert axes.get_ylabel()
    assert axes.get_title()
    assert "true mean -5" in legend_texts(axes)
    assert "true std 2" in legend_texts(axes)


def test_moments_truth_pools_a_per_dimension_target():
    """For uneven dimensions the true lines are the pooled mean and std."""
    figure = plots.plot_moments(synthetic_history(UNEVEN), UNEVEN)
    pooled_mean = np.mean(UNEVEN.mean)
    pooled_std = math.sqrt(np.mean(UNEVEN.std**2) + np.var(UNEVEN.mean))
    assert horizontal_lines_at(figure.axes[0], pooled_mean)
    assert horizontal_lines_at(figure.axes[0], pooled_std)


def test_accuracy_plot_has_three_curves_and_the_equilibrium_line():
    """Accuracy on real, on generated and overall, with a line at exactly 0.5."""
    history = synthetic_history(TARGET)
    (axes,) = plots.plot_accuracy(history).axes
    for label, column in (
        ("on real", "acc_real"),
        ("on generated", "acc_fake"),
        ("overall", "acc"),
    ):
        np.testing.assert_allclose(
            line_by_label(axes, label).get_ydata(), history[column]
        )
    assert horizontal_lines_at(axes, 0.5)
    bottom, top = axes.get_ylim()
    assert bottom <= 0.0 and top >= 1.0
    assert axes.get_xlabel() == "epoch"
    assert axes.get_ylabel() == "discriminator accuracy"
    assert any("0.5" in text for text in legend_texts(axes))


def test_per_dimension_plot_from_samples_shows_points_truth_and_bands(samples):
    """Points are the sample moments; truth segments and one band per dimension."""
    figure = plots.plot_per_dimension(samples, TARGET)
    mean_axes, std_axes = figure.axes
    exact = samples.astype(np.float64)
    np.testing.assert_allclose(
        line_by_label(mean_axes, "generated mean").get_ydata(), exact.mean(axis=0)
    )
    np.testing.assert_allclose(
        line_by_label(std_axes, "generated standard deviation").get_ydata(),
        exact.std(axis=0),
    )
    truth = np.asarray(line_by_label(mean_axes, "true mean").get_ydata(), float)
    np.testing.assert_allclose(truth[np.isfinite(truth)], -5.0)
    truth = np.asarray(line_by_label(std_axes, "true standard deviation").get_ydata())
    np.testing.assert_allclose(truth[np.isfinite(truth)], 2.0)
    assert len(mean_axes.patches) == TARGET.dim
    assert std_axes.get_xlabel() == "dimension"
    assert mean_axes.get_ylabel() == "mean"


def test_per_dimension_plot_from_a_history_row_without_bands():
    """A history row works too; without a sample size no band is drawn."""
    history = synthetic_history(UNEVEN)
    figure = plots.plot_per_dimension(history.iloc[-1], UNEVEN)
    mean_axes, _ = figure.axes
    np.testing.assert_allclose(
        line_by_label(mean_axes, "generated mean").get_ydata(), UNEVEN.mean
    )
    assert not mean_axes.patches


def test_per_dimension_plot_rejects_samples_of_another_dimension():
    """Samples whose dimension differs from the target's are a ValueError."""
    with pytest.raises(ValueError, match="shape"):
        plots.plot_per_dimension(np.zeros((10, 3)), TARGET)


def test_marginals_plot_overlays_the_exact_density_on_each_histogram(samples):
    """One axes per dimension, a density histogram and the exact normal density."""
    dims = [0, 5, 19]
    figure = plots.plot_marginals(samples, TARGET, dims=dims)
    assert len(figure.axes) == len(dims)
    peak = stats.norm.pdf(0.0, scale=2.0)
    for axes, d in zip(figure.axes, dims, strict=True):
        assert axes.get_title() == f"dimension {d}"
        assert axes.get_xlabel() == "value"
        assert axes.get_ylabel() == "density"
        density = line_by_label(axes, "target N(-5, 2²)")
        assert max(density.get_ydata()) == pytest.approx(peak, rel=1e-3)
        area = sum(p.get_height() * p.get_width() for p in axes.patches)
        assert area == pytest.approx(1.0, rel=1e-6)


def test_marginals_plot_rejects_a_dimension_out_of_range(samples):
    """A dimension outside [0, dim) is a ValueError naming the range."""
    with pytest.raises(ValueError, match=r"\[0, 20\)"):
        plots.plot_marginals(samples, TARGET, dims=[20])


def test_qq_plot_of_target_samples_lies_on_the_identity(samples):
    """Samples from the target put the pooled quantiles on the identity line."""
    (axes,) = plots.plot_qq(samples, TARGET).axes
    identity = line_by_label(axes, "identity: target matched")
    np.testing.assert_allclose(identity.get_xdata(), identity.get_ydata())
    points = line_by_label(axes, "all dimensions pooled")
    x, y = np.asarray(points.get_xdata()), np.asarray(points.get_ydata())
    central = np.abs(x) < stats.norm.ppf(0.99)
    assert np.max(np.abs(y - x)[central]) < QQ_CENTRAL_TOLERANCE
    assert axes.get_xlabel() == "N(0, 1) quantile"
    assert axes.get_ylabel() == "standardized sample quantile"


def test_qq_plot_shows_a_collapsed_sample_below_the_identity(samples):
    """Half the true spread gives quantiles with slope one half."""
    collapsed = TARGET.mean + 0.5 * (samples - TARGET.mean)
    (axes,) = plots.plot_qq(collapsed, TARGET, dims=[0, 1]).axes
    for d in (0, 1):
        points = line_by_label(axes, f"dimension {d}")
        slope = np.polyfit(points.get_xdata(), points.get_ydata(), 1)[0]
        assert slope == pytest.approx(0.5, abs=0.05)


def test_success_rate_plot_draws_rates_with_clopper_pearson_bars():
    """Bar heights are the success rates; presets are side by side per group."""
    counts = {
        "Exercise 1": {"classic": (2, 5), "lab": (5, 5)},
        "Exercise 2": {"classic": (0, 5), "lab": (4, 5)},
    }
    (axes,) = comparison_plots.plot_success_rates(counts).axes
    heights = sorted(round(p.get_height(), 6) for p in axes.patches)
    assert heights == sorted([0.4, 1.0, 0.0, 0.8])
    assert legend_texts(axes) == ["classic", "lab"]
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert labels == ["Exercise 1", "Exercise 2"]
    texts = {text.get_text() for text in axes.texts}
    assert {"2/5", "5/5", "0/5", "4/5"} <= texts
    assert axes.get_ylabel().startswith("success rate")


def test_comparison_plot_has_one_column_per_preset():
    """Two rows by one column per preset, each moments panel with the truth."""
    history = synthetic_history(TARGET)
    figure = comparison_plots.plot_comparison(
        {"classic": [history, history], "lab": [history]}, TARGET, "Exercise 1"
    )
    assert len(figure.axes) == 4
    titles = [axes.get_title() for axes in figure.axes]
    assert titles[0].startswith("classic") and "2 seeds" in titles[0]
    assert titles[1].startswith("lab") and "1 seed)" in titles[1]
    for axes in figure.axes[:2]:
        assert horizontal_lines_at(axes, -5.0) and horizontal_lines_at(axes, 2.0)
    for axes in figure.axes[2:]:
        assert axes.get_yscale() == "log"
        assert axes.get_xlabel() == "epoch"


def test_figures_render_to_png_without_pyplot_state(samples):
    """Figures are plain Figure objects that render to PNG and stay out of pyplot."""
    before = plt.get_fignums()
    figure = plots.plot_qq(samples, TARGET)
    assert isinstance(figure, Figure)
    assert plots.figure_png(figure).startswith(b"\x89PNG\r\n\x1a\n")
    assert plt.get_fignums() == before
