"""Figures of one run: each function returns a new matplotlib Figure.

No function touches pyplot's global state; every figure carries its own Agg canvas,
so the module works headless and in threads. Figures across runs are in
``gan_lab.comparison_plots``::

    figure = plot_moments(result.history, result.config.target)
    Path("moments.png").write_bytes(figure_png(figure))
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy import stats

from gan_lab.distributions import Normal

# The discriminator's accuracy at the Nash equilibrium: it can only guess.
EQUILIBRIUM_ACCURACY = 0.5

# Marginals drawn when the caller names none.
DEFAULT_MARGINAL_DIMS = (0, 1, 2)


def new_figure(width: float, height: float) -> Figure:
    """A figure with its own Agg canvas and a constrained layout.

    Args:
        width: Width in inches.
        height: Height in inches.

    Returns:
        An empty figure, outside pyplot's list of figures.
    """
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def figure_png(figure: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes.

    Args:
        figure: The figure.
        dpi: Resolution; at 100 a figure shows at its size in inches at 100% zoom.

    Returns:
        The PNG file's bytes.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def pooled_moments(target: Normal) -> tuple[float, float]:
    """Mean and std of all values of the target pooled over its dimensions.

    This is what the history's ``mean`` and ``std`` columns estimate: the pooled
    values follow an equal mixture of the marginals, whose variance is the mean of
    the variances plus the variance of the means.

    Args:
        target: The target distribution.

    Returns:
        The pooled mean and standard deviation.
    """
    mean = float(np.mean(target.mean))
    variance = float(np.mean(target.std**2) + np.var(target.mean))
    return mean, math.sqrt(variance)


def per_dimension_columns(history: pd.DataFrame, prefix: str) -> np.ndarray:
    """The history's per-dimension columns as an array.

    Args:
        history: A run's history.
        prefix: ``"mean"`` or ``"std"``.

    Returns:
        Columns ``prefix_0 .. prefix_{dim-1}`` in dimension order, shape (rows, dim).
    """
    columns = [c for c in history.columns if c.startswith(f"{prefix}_")]
    columns.sort(key=lambda name: int(name.rsplit("_", 1)[1]))
    return history[columns].to_numpy(dtype=np.float64)


def plot_moments(
    history: pd.DataFrame, target: Normal, title: str | None = None
) -> Figure:
    """Generated mean and std per epoch, against the true values as horizontal lines.

    Args:
        history: A run's history (columns ``epoch``, ``mean``, ``std``).
        target: The target; for per-dimension targets the truth drawn is the mean and
            std of all values pooled over dimensions, as in the history.
        title: Axes title; a default names what is drawn.

    Returns:
        A figure with one axes.
    """
    true_mean, true_std = pooled_moments(target)
    figure = new_figure(7.0, 4.2)
    axes = figure.subplots()
    epochs = history["epoch"].to_numpy()
    axes.plot(epochs, history["mean"], "o-", color="C0", label="generated mean")
    axes.plot(epochs, history["std"], "s-", color="C1", label="generated std")
    axes.axhline(
        true_mean, color="C0", linestyle="--", label=f"true mean {true_mean:g}"
    )
    axes.axhline(true_std, color="C1", linestyle="--", label=f"true std {true_std:g}")
    axes.set_ylabel("value over all dimensions")
    axes.set_title(title or "Generated mean and std per epoch")
    finish_epoch_axes(axes)
    return figure


def plot_accuracy(history: pd.DataFrame, title: str | None = None) -> Figure:
    """Discriminator accuracy on real, on generated and on both, per epoch.

    Args:
        history: A run's history (columns ``epoch``, ``acc_real``, ``acc_fake``,
            ``acc``).
        title: Axes title; a default names what is drawn.

    Returns:
        A figure with one axes and a horizontal line at the equilibrium accuracy 0.5.
    """
    figure = new_figure(7.0, 4.2)
    axes = figure.subplots()
    epochs = history["epoch"].to_numpy()
    axes.plot(epochs, history["acc_real"], "o-", color="C2", label="on real")
    axes.plot(epochs, history["acc_fake"], "s-", color="C3", label="on generated")
    axes.plot(epochs, history["acc"], "^-", color="C4", label="overall")
    axes.axhline(
        EQUILIBRIUM_ACCURACY,
        color="black",
        linestyle="--",
        label="0.5: equilibrium (guessing)",
    )
    axes.set_ylim(-0.02, 1.02)
    axes.set_ylabel("discriminator accuracy")
    axes.set_title(title or "Discriminator accuracy per epoch")
    finish_epoch_axes(axes)
    return figure


def plot_per_dimension(
    data: np.ndarray | pd.Series | Mapping[str, float],
    target: Normal,
    sample_size: int | None = None,
    level: float = 0.95,
) -> Figure:
    """Per-dimension mean and std after training, against the true values.

    Args:
        data: Generated samples of shape ``(n, dim)``, or a history row holding
            ``mean_0 .. mean_{dim-1}`` and ``std_0 .. std_{dim-1}``.
        target: The target distribution.
        sample_size: Samples behind a history row, for the sampling bands; taken from
            ``data`` when it is an array. Without it no band is drawn.
        level: Probability of the sampling bands.

    Returns:
        A figure with two axes: means, then standard deviations.

    Raises:
        ValueError: If the data's dimension differs from the target's.

    Note:
        The band of the std uses the normal approximation ``sigma / sqrt(2 (n - 1))``
        to the standard error of a sample standard deviation.
    """
    if isinstance(data, np.ndarray):
        samples = np.asarray(data, dtype=np.float64)
        if samples.ndim != 2 or samples.shape[1] != target.dim:
            raise ValueError(
                f"data must have shape (n, {target.dim}), got {samples.shape}"
            )
        means, stds = samples.mean(axis=0), samples.std(axis=0)
        sample_size = samples.shape[0]
    else:
        means = np.array([data[f"mean_{i}"] for i in range(target.dim)], float)
        stds = np.array([data[f"std_{i}"] for i in range(target.dim)], float)

    figure = new_figure(max(7.0, 0.35 * target.dim + 3.0), 6.5)
    mean_axes, std_axes = figure.subplots(2, 1, sharex=True)
    dims = np.arange(target.dim)
    z = stats.norm.ppf(0.5 + level / 2)
    standard_errors = (None, None)
    if sample_size is not None and sample_size > 1:
        standard_errors = (
            target.std / np.sqrt(sample_size),
            target.std / np.sqrt(2.0 * (sample_size - 1)),
        )
    panels = (
        (mean_axes, means, target.mean, "mean", standard_errors[0]),
        (std_axes, stds, target.std, "standard deviation", standard_errors[1]),
    )
    for axes, generated, truth, quantity, standard_error in panels:
        if standard_error is not None:
            half = z * standard_error
            axes.bar(
                dims,
                2 * half,
                bottom=truth - half,
                width=0.7,
                color="0.8",
                label=f"{level:.0%} sampling range (n={sample_size})",
            )
        # One short segment per dimension, split by NaN so that neighbouring
        # dimensions are not joined by a line that would suggest an order.
        segments_x = np.stack([dims - 0.35, dims + 0.35, np.full(dims.size, np.nan)])
        segments_y = np.stack([truth, truth, np.full(dims.size, np.nan)])
        axes.plot(
            segments_x.T.ravel(),
            segments_y.T.ravel(),
            color="black",
            linewidth=2,
            label=f"true {quantity}",
        )
        axes.plot(dims, generated, "o", color="C0", label=f"generated {quantity}")
        axes.set_ylabel(quantity)
        axes.set_title(f"Per-dimension {quantity} after training")
        axes.grid(alpha=0.3)
        axes.legend(loc="best", fontsize="small")
    std_axes.set_xlabel("dimension")
    if target.dim <= 40:
        std_axes.set_xticks(dims)
    return figure


def plot_marginals(
    samples: np.ndarray,
    target: Normal,
    dims: Sequence[int] | None = None,
    bins: int = 40,
) -> Figure:
    """Histograms (as densities) of a few marginals, with the exact target density.

    Args:
        samples: Generated samples, shape ``(n, dim)``.
        target: The target distribution.
        dims: Dimensions to draw; by default the first three (or fewer).
        bins: Histogram bins.

    Returns:
        A figure with one axes per dimension drawn.

    Raises:
        ValueError: If a dimension is out of range or none is given.
    """
    samples = np.asarray(samples, dtype=np.float64)
    if dims is None:
        dims = DEFAULT_MARGINAL_DIMS[: target.dim]
    dims = list(dims)
    if not dims or any(not 0 <= d < target.dim for d in dims):
        raise ValueError(f"dims must be in [0, {target.dim}) and non-empty, got {dims}")
    columns = min(len(dims), 3)
    rows = math.ceil(len(dims) / columns)
    figure = new_figure(4.0 * columns, 3.3 * rows)
    grid = figure.subplots(rows, columns, squeeze=False).ravel()
    for axes, d in zip(grid, dims, strict=False):
        values = samples[:, d]
        mean, std = target.mean[d], target.std[d]
        low = min(values.min(), mean - 4 * std)
        high = max(values.max(), mean + 4 * std)
        axes.hist(
            values,
            bins=bins,
            range=(low, high),
            density=True,
            color="C0",
            alpha=0.5,
            label="generated",
        )
        x = np.linspace(low, high, 400)
        axes.plot(
            x,
            stats.norm.pdf(x, mean, std),
            color="black",
            label=f"target N({mean:g}, {std:g}²)",
        )
        axes.set_title(f"dimension {d}")
        axes.set_xlabel("value")
        axes.set_ylabel("density")
        axes.legend(loc="best", fontsize="small")
    for axes in grid[len(dims) :]:
        axes.remove()
    figure.suptitle("Marginal densities: generated against target")
    return figure


def plot_qq(
    samples: np.ndarray,
    target: Normal,
    dims: Sequence[int] | None = None,
    points: int = 200,
) -> Figure:
    """QQ plot of the standardized samples against N(0, 1), with the identity line.

    Each value is standardized by its dimension's true mean and std, so a generator
    that learned the target puts every point on the identity line.

    Args:
        samples: Generated samples, shape ``(n, dim)``.
        target: The target distribution.
        dims: Dimensions to draw one line each; by default all values are pooled.
        points: Quantiles drawn per line, spaced evenly on the N(0, 1) scale out to
            the most extreme quantile the sample size resolves.

    Returns:
        A figure with one axes.
    """
    standardized = (np.asarray(samples, dtype=np.float64) - target.mean) / target.std
    if dims is None:
        series = [("all dimensions pooled", standardized.ravel())]
    else:
        series = [(f"dimension {d}", standardized[:, d]) for d in dims]

    figure = new_figure(5.5, 5.5)
    axes = figure.subplots()
    extreme = 0.0
    for label, values in series:
        edge = 0.5 / values.size
        theoretical = np.linspace(
            stats.norm.ppf(edge), stats.norm.ppf(1 - edge), points
        )
        observed = np.quantile(values, stats.norm.cdf(theoretical))
        axes.plot(theoretical, observed, "o", markersize=3, label=label)
        extreme = max(extreme, np.abs(theoretical).max(), np.abs(observed).max())
    axes.plot(
        [-extreme, extreme],
        [-extreme, extreme],
        color="black",
        linestyle="--",
        label="identity: target matched",
    )
    axes.set_xlabel("N(0, 1) quantile")
    axes.set_ylabel("standardized sample quantile")
    axes.set_title("QQ plot against the target")
    axes.set_aspect("equal", adjustable="datalim")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    return figure


def finish_epoch_axes(axes: Axes, fontsize: str = "medium") -> None:
    """Label the x axis as whole epochs, draw a light grid and the legend.

    Args:
        axes: Axes whose x axis counts epochs.
        fontsize: Font size of the legend.
    """
    axes.set_xlabel("epoch")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(alpha=0.3)
    axes.legend(loc="best", fontsize=fontsize)
