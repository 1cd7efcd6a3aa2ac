"""The tables of a report: configuration, runs, outcomes, failures, verdicts.

Each function turns loaded runs into a ``document.Table`` of preformatted cells, so
the Markdown and HTML renderings show the same numbers::

    blocks = [config_table(group)[0], runs_table(group)]
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gan_lab.config import TrainConfig
from gan_lab.document import Block, Paragraph, table
from gan_lab.summary import CONFIDENCE, Group, Outcome, Run

# Config fields that identify a run rather than its setting.
_RUN_FIELDS = ("seed", "preset")


def config_table(group: Group) -> list[Block]:
    """One row per config field, one column per preset; differing fields in bold."""
    names = [
        f.name for f in dataclasses.fields(TrainConfig) if f.name not in _RUN_FIELDS
    ]
    rows = []
    differs = False
    for name in names:
        cells = [_config_value(runs, name) for runs in group.runs.values()]
        label = f"`{name}`"
        if len(set(cells)) > 1:
            label, differs = f"**{name}**", True
        rows.append((label, *cells))
    seeds = [
        ", ".join(str(run.config.seed) for run in runs) for runs in group.runs.values()
    ]
    rows.append(("seeds", *seeds))
    blocks: list[Block] = [table(("field", *group.runs), rows)]
    if differs:
        blocks.append(Paragraph("Fields in bold differ between presets."))
    return blocks


def _config_value(runs: list[Run], name: str) -> str:
    """The field's value over runs, or every distinct value when they disagree."""
    values = list(dict.fromkeys(_show(run.config.to_dict()[name]) for run in runs))
    return values[0] if len(values) == 1 else "varies: " + "; ".join(values)


def _show(value: Any) -> str:
    """A config value as short text; long per-dimension lists are summarized."""
    if isinstance(value, list) and len(value) > 6:
        return f"{len(value)} values from {min(value):g} to {max(value):g}"
    if isinstance(value, list):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def runs_table(group: Group) -> Block:
    """One row per run: its verdict and key metrics."""
    rows = []
    for runs in group.runs.values():
        for run in runs:
            metrics = run.metrics()
            verdict = "pass" if run.passed else "FAIL: " + ", ".join(run.failed_checks)
            rows.append(
                (
                    run.name,
                    run.config.preset,
                    run.config.seed,
                    verdict,
                    f"{metrics['worst_mean_error_sd']:.3f}",
                    f"{metrics['std_ratio_min']:.3f} to {metrics['std_ratio_max']:.3f}",
                    f"{metrics['discriminator_accuracy']:.3f}",
                    f"{metrics['training_seconds']:.1f}",
                )
            )
    header = (
        "run",
        "preset",
        "seed",
        "battery verdict",
        "worst mean error (sd)",
        "std ratio range",
        "discriminator accuracy",
        "training s",
    )
    return table(header, rows)


def outcome_table(outcomes: list[Outcome]) -> Block:
    """Success rate over seeds per preset, with its interval."""
    rows = [
        (
            o.preset,
            len(o.runs),
            o.successes,
            f"{o.rate:.2f}",
            f"{o.interval[0]:.2f} to {o.interval[1]:.2f}",
        )
        for o in outcomes
    ]
    header = ("preset", "seeds", "passed every check", "success rate")
    return table((*header, f"{CONFIDENCE:.0%} CI (Clopper-Pearson)"), rows)


def failure_table(outcomes: list[Outcome]) -> Block:
    """For each check, how many seeds of each preset it failed."""
    names: list[str] = []
    for o in outcomes:
        for run in o.runs:
            names.extend(
                c["name"] for c in run.verdict["checks"] if c["name"] not in names
            )
    rows = [
        (f"`{name}`", *(f"{o.failures.get(name, 0)}/{len(o.runs)}" for o in outcomes))
        for name in names
    ]
    return table(("check", *(f"{o.preset}: seeds failed" for o in outcomes)), rows)


def verdict_word(run: Run) -> str:
    """PASS, or FAIL with the failed checks."""
    return "PASS" if run.passed else "FAIL (" + ", ".join(run.failed_checks) + ")"


def verdict_table(run: Run) -> Block:
    """The battery's checks of one run, one row each."""
    rows = [
        (
            f"`{c['name']}`",
            "pass" if c["passed"] else "**FAIL**",
            c["statistic_name"],
            f"{c['statistic']:.4g}",
            f"{c['relation']} {c['threshold']:.4g}",
            f"{c['false_fail_rate']:.3g}",
            c["detail"],
        )
        for c in run.verdict["checks"]
    ]
    header = ("check", "result", "statistic", "value", "pass if", "rate", "detail")
    return table(header, rows)


def comparison_table(groups: list[Group]) -> Block:
    """Key metrics of every group and preset, one row each."""
    rows = []
    for group in groups:
        for o in group.outcomes():
            m = o.metrics()
            rows.append(
                (
                    group.title,
                    o.preset,
                    f"{o.successes}/{len(o.runs)} = {o.rate:.2f}",
                    f"{o.interval[0]:.2f} to {o.interval[1]:.2f}",
                    f"{m['worst_mean_error_sd_median']:.3f} "
                    f"(max {m['worst_mean_error_sd_max']:.3f})",
                    f"{m['std_ratio_min']:.3f} to {m['std_ratio_max']:.3f}",
                    f"{m['discriminator_accuracy_mean']:.3f}",
                    f"{m['training_seconds_mean']:.1f}",
                )
            )
    header = (
        "group",
        "preset",
        "success rate",
        f"{CONFIDENCE:.0%} CI",
        "worst mean error (sd), median over seeds",
        "std ratio range, all seeds",
        "discriminator accuracy, mean",
        "training s, mean",
    )
    return table(header, rows)
