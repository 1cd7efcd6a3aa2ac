"""Figures across runs: success rates over seeds, and presets side by side.

Like ``gan_lab.plots``, each function returns a new Figure with its own Agg canvas::

    figure = plot_success_rates({"Exercise 1": {"classic": (2, 5), "lab": (5, 5)}})
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from scipy import stats

from gan_lab.distributions import Normal
from gan_lab.plots import (
    finish_epoch_axes,
    new_figure,
    per_dimension_columns,
    pooled_moments,
)

# Legend of the largest per-dimension mean error in the comparison figure.
_MEAN_ERROR = "max |mean error| / true std"


def plot_success_rates(
    counts: Mapping[str, Mapping[str, tuple[int, int]]], level: float = 0.95
) -> Figure:
    """Success rate over seeds with Clopper-Pearson intervals, presets side by side.

    Args:
        counts: For each group (an exercise), for each preset, the pair
            ``(successes, runs)``.
        level: Confidence level of the intervals.

    Returns:
        A figure with one axes: one bar per group and preset.
    """
    presets = list(dict.fromkeys(p for group in counts.values() for p in group))
    figure = new_figure(max(6.0, 2.2 * len(counts) + 2.0), 4.5)
    axes = figure.subplots()
    width = 0.8 / max(len(presets), 1)
    for index, name in enumerate(presets):
        positions, rates, errors, labels = [], [], [[], []], []
        for position, group in enumerate(counts.values()):
            if name not in group:
                continue
            successes, runs = group[name]
            rate = successes / runs
            interval = stats.binomtest(successes, runs).proportion_ci(level)
            positions.append(position + (index - (len(presets) - 1) / 2) * width)
            rates.append(rate)
            errors[0].append(rate - interval.low)
            errors[1].append(interval.high - rate)
            labels.append((f"{successes}/{runs}", interval.high))
        axes.bar(positions, rates, width, color=f"C{index}", label=name)
        axes.errorbar(
            positions, rates, yerr=errors, fmt="none", ecolor="black", capsize=4
        )
        for position, (text, top) in zip(positions, labels, strict=True):
            axes.text(position, top + 0.02, text, ha="center", fontsize="small")
    axes.set_xticks(range(len(counts)), [textwrap.fill(g, 22) for g in counts])
    axes.set_ylim(0, 1.15)
    axes.set_ylabel("success rate (every check passed)")
    axes.set_title(f"Success rate over seeds, {level:.0%} Clopper-Pearson interval")
    axes.legend(title="preset", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def plot_comparison(
    histories: Mapping[str, Sequence[pd.DataFrame]],
    target: Normal,
    title: str | None = None,
) -> Figure:
    """Presets side by side: moments per epoch, then worst per-dimension errors.

    The top row draws each seed's generated mean and std with the truth; the bottom
    row draws, per epoch, the largest per-dimension mean error in units of the true
    std and the largest relative std error, on a log scale.

    Args:
        histories: For each preset, the histories of its seeds.
        target: The target distribution.
        title: Figure title.

    Returns:
        A figure with two rows of axes and one column per preset.
    """
    true_mean, true_std = pooled_moments(target)
    figure = new_figure(5.5 * max(len(histories), 1), 7.5)
    grid = figure.subplots(2, max(len(histories), 1), squeeze=False, sharey="row")
    for column, (name, runs) in enumerate(histories.items()):
        moments, errors = grid[0, column], grid[1, column]
        for index, history in enumerate(runs):
            epochs = history["epoch"].to_numpy()
            mean_error = np.abs(per_dimension_columns(history, "mean") - target.mean)
            std_error = np.abs(per_dimension_columns(history, "std") / target.std - 1)
            curves = (
                (moments, history["mean"], "C0", "generated mean"),
                (moments, history["std"], "C1", "generated std"),
                (errors, (mean_error / target.std).max(axis=1), "C2", _MEAN_ERROR),
                (errors, std_error.max(axis=1), "C3", "max |std / true std - 1|"),
            )
            for axes, values, color, label in curves:
                # One legend entry per curve, not one per seed.
                label = label if index == 0 else None
                axes.plot(epochs, values, color=color, alpha=0.7, label=label)
        moments.axhline(true_mean, color="C0", linestyle="--", label="true mean")
        moments.axhline(true_std, color="C1", linestyle="--", label="true std")
        seeds = f"{len(runs)} seed" + ("" if len(runs) == 1 else "s")
        moments.set_title(f"{name}: mean and std per epoch ({seeds})")
        moments.set_ylabel("value over all dimensions")
        errors.set_title(f"{name}: worst per-dimension error")
        errors.set_yscale("log")
        # Plain numbers at 1, 2 and 5 per decade read better than powers of ten.
        errors.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        errors.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        errors.yaxis.set_minor_formatter(NullFormatter())
        errors.set_ylabel("error")
        for axes in (moments, errors):
            finish_epoch_axes(axes, fontsize="small")
    if title:
        figure.suptitle(title)
    return figure
