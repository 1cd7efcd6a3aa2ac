"""The report of a study, built from finished run directories without retraining.

``build_report`` writes, under its output directory::

    report.md         Markdown, images linked from figures/
    report.html       the same report in one self-contained file (images inline)
    summary.json      success rates and key metrics per group and preset
    figures/*.png     every figure of the report
    histories/*.csv   each run's history, named after the run

Every answer in the report is derived from the battery's verdicts::

    build_report([Path("runs/ex1-lab-seed0"), Path("runs/ex1-classic-seed0")], out)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from gan_lab import comparison_plots, plots, rundir
from gan_lab.battery import DEFAULT_FALSE_FAIL_RATE
from gan_lab.document import (
    Block,
    BulletList,
    Heading,
    Image,
    Paragraph,
    table,
    to_html,
    to_markdown,
)
from gan_lab.report_tables import (
    comparison_table,
    config_table,
    failure_table,
    outcome_table,
    runs_table,
    verdict_table,
    verdict_word,
)
from gan_lab.summary import (
    CONFIDENCE,
    Group,
    Outcome,
    Run,
    answer,
    group_runs,
    load_run,
)

logger = logging.getLogger(__name__)

TITLE = "GAN lab report"


def build_report(
    run_dirs: Sequence[Path],
    out: Path,
    timings: Mapping[str, float] | None = None,
    *,
    false_fail_rate: float = DEFAULT_FALSE_FAIL_RATE,
) -> Path:
    """Build the report of finished runs: Markdown, HTML, figures, histories, JSON.

    Args:
        run_dirs: Finished run directories; each is loaded once, duplicates dropped.
        out: Report directory, created if needed.
        timings: Extra wall-clock seconds to report, by name; a name equal to a
            group's key (``exercise1``, ``exercise2``) is shown in that group.
        false_fail_rate: Battery false-fail rate for runs without ``verdict.json``.

    Returns:
        The path of ``report.md``.

    Raises:
        ValueError: If no run directory is given or one is not a finished run.
    """
    paths = list(dict.fromkeys(Path(path).resolve() for path in run_dirs))
    if not paths:
        raise ValueError("run_dirs must name at least one finished run directory")
    out = Path(out)
    timings = dict(timings or {})
    runs = [
        load_run(path, name, false_fail_rate)
        for path, name in zip(paths, _unique_names(paths), strict=True)
    ]
    groups = group_runs(runs)
    figures = _FigureWriter(out)

    blocks: list[Block] = [Heading(1, TITLE), *_overview(runs, groups, figures)]
    for group in groups:
        blocks.extend(_group_section(group, figures, timings))
    blocks.extend(_comparison_section(groups, figures))
    blocks.extend(_timings_section(groups, timings))

    for run in runs:
        rundir.write_history(out / "histories" / f"{run.name}.csv", run.history)
    report = out / "report.md"
    rundir.write_bytes_atomic(report, to_markdown(blocks).encode())
    rundir.write_bytes_atomic(out / "report.html", to_html(blocks, TITLE).encode())
    rundir.write_json(out / "summary.json", _summary(groups, timings))
    logger.info(
        "report of %d runs in %d groups written to %s", len(runs), len(groups), report
    )
    return report


class _FigureWriter:
    """Saves figures under ``out/figures`` and returns them as image blocks."""

    def __init__(self, out: Path) -> None:
        self.directory = out / "figures"

    def add(self, figure: Figure, stem: str, caption: str) -> Image:
        """Write ``figures/<stem>.png`` and return its block."""
        png = plots.figure_png(figure)
        rundir.write_bytes_atomic(self.directory / f"{stem}.png", png)
        return Image(f"figures/{stem}.png", caption, png)


def _overview(
    runs: list[Run], groups: list[Group], figures: _FigureWriter
) -> list[Block]:
    """What the report holds, how success is defined, and every answer at a glance."""
    rates = sorted(
        {float(run.verdict["false_fail_rate"]) for run in runs}
        if all("false_fail_rate" in run.verdict for run in runs)
        else set()
    )
    rate = "stated in each verdict"
    if rates:
        rate = f"{rates[0]:g}" if len(rates) == 1 else f"{rates[0]:g} to {rates[-1]:g}"
    blocks: list[Block] = [
        Paragraph(
            f"Built from {_count(len(runs), 'finished run')} in "
            f"{_count(len(groups), 'group')}, without retraining. A run "
            "**succeeds** when its generated samples pass every check of the "
            "statistical battery, whose family-wise false-fail rate is "
            f"{rate}: a generator that learned the target exactly fails with at "
            "most that probability. Success rates over seeds carry "
            f"{CONFIDENCE:.0%} Clopper-Pearson intervals."
        ),
        Heading(2, "Answers"),
    ]
    rows = []
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for group in groups:
        for result in group.outcomes():
            rows.append((group.title, result.preset, answer(result)))
            counts.setdefault(group.title, {})[result.preset] = (
                result.successes,
                len(result.runs),
            )
    blocks.append(table(("group", "preset", "answer"), rows))
    blocks.append(
        figures.add(
            comparison_plots.plot_success_rates(counts, CONFIDENCE),
            "success-rates",
            "Success rate over seeds (every check passed), with "
            f"{CONFIDENCE:.0%} Clopper-Pearson intervals.",
        )
    )
    return blocks


def _group_section(
    group: Group, figures: _FigureWriter, timings: Mapping[str, float]
) -> list[Block]:
    """Question, answers, configuration, runs, verdicts and figures of one group."""
    outcomes = group.outcomes()
    blocks: list[Block] = [
        Heading(2, group.title),
        Paragraph(f"**Question.** {group.heading}"),
        BulletList(
            tuple(f"**Answer, {o.preset} preset.** {answer(o)}" for o in outcomes)
        ),
        Heading(3, "Configuration"),
        *config_table(group),
        Heading(3, "Runs and verdicts"),
        runs_table(group),
        outcome_table(outcomes),
        failure_table(outcomes),
        Heading(3, "Timings"),
        BulletList(tuple(_timing_lines(group, outcomes, timings))),
    ]
    for result in outcomes:
        blocks.extend(_preset_figures(group, result, figures))
    return blocks


def _timing_lines(
    group: Group, outcomes: list[Outcome], timings: Mapping[str, float]
) -> list[str]:
    """Training seconds per preset, and the caller's timing of the group if given."""
    lines = []
    for o in outcomes:
        metrics = o.metrics()
        lines.append(
            f"{o.preset}: {metrics['training_seconds_total']:.1f} s of training over "
            f"{_count(len(o.runs), 'run')} "
            f"({metrics['training_seconds_mean']:.1f} s per run)."
        )
    if group.key in timings:
        lines.append(f"Wall-clock time of the whole group: {timings[group.key]:.1f} s.")
    return lines


def _preset_figures(
    group: Group, result: Outcome, figures: _FigureWriter
) -> list[Block]:
    """The figures and the verdict table of a preset's first seed."""
    run = result.runs[0]
    target = run.config.target
    stem = run.name
    which = f"{result.preset} preset, seed {run.config.seed}"
    about = f"{group.title}, {which}"
    return [
        Heading(3, f"{which} (run {run.name})"),
        figures.add(
            plots.plot_moments(run.history, target, f"Generated mean and std: {which}"),
            f"{stem}-moments",
            f"{about}: generated mean and std per epoch; dashed lines are the truth.",
        ),
        figures.add(
            plots.plot_accuracy(run.history, f"Discriminator accuracy: {which}"),
            f"{stem}-accuracy",
            f"{about}: discriminator accuracy per epoch; 0.5 is the equilibrium.",
        ),
        figures.add(
            plots.plot_per_dimension(run.samples, target),
            f"{stem}-per-dimension",
            f"{about}: per-dimension mean and std of the final samples.",
        ),
        figures.add(
            plots.plot_marginals(run.samples, target),
            f"{stem}-marginals",
            f"{about}: marginal histograms with the exact target density.",
        ),
        figures.add(
            plots.plot_qq(run.samples, target),
            f"{stem}-qq",
            f"{about}: QQ plot of the standardized samples against N(0, 1).",
        ),
        Paragraph(f"Battery verdict of this run: **{verdict_word(run)}**."),
        verdict_table(run),
    ]


def _comparison_section(groups: list[Group], figures: _FigureWriter) -> list[Block]:
    """Key metrics of every preset side by side, and the comparison figures."""
    blocks: list[Block] = [
        Heading(2, "Classic setting and lab default side by side"),
        comparison_table(groups),
    ]
    for group in groups:
        if len(group.runs) < 2:
            continue
        histories = {
            name: [run.history for run in runs] for name, runs in group.runs.items()
        }
        blocks.append(
            figures.add(
                comparison_plots.plot_comparison(histories, group.target, group.title),
                f"{group.key}-comparison",
                f"{group.title}: presets side by side, every seed; top, moments per "
                "epoch; bottom, the worst per-dimension errors (log scale).",
            )
        )
    return blocks


def _timings_section(groups: list[Group], timings: Mapping[str, float]) -> list[Block]:
    """Total training seconds and the caller's timings."""
    total = sum(
        run.training_seconds for g in groups for rs in g.runs.values() for run in rs
    )
    blocks: list[Block] = [
        Heading(2, "Timings"),
        Paragraph(f"Training seconds summed over all runs: {total:.1f} s."),
    ]
    if timings:
        rows = [(name, f"{seconds:.1f}") for name, seconds in timings.items()]
        blocks.append(table(("timing", "seconds"), rows))
    return blocks


def _summary(groups: list[Group], timings: Mapping[str, float]) -> dict[str, Any]:
    """The machine-readable summary written as ``summary.json``."""
    entries = []
    for group in groups:
        presets = {}
        for o in group.outcomes():
            presets[o.preset] = {
                "runs": len(o.runs),
                "successes": o.successes,
                "success_rate": o.rate,
                "ci_low": o.interval[0],
                "ci_high": o.interval[1],
                "answer": answer(o),
                "failed_checks": o.failures,
                "metrics": o.metrics(),
                "run_details": [
                    {
                        "name": run.name,
                        "path": str(run.path),
                        "seed": run.config.seed,
                        "passed": run.passed,
                        "failed_checks": run.failed_checks,
                        **run.metrics(),
                    }
                    for run in o.runs
                ],
            }
        entries.append(
            {
                "key": group.key,
                "title": group.title,
                "question": group.heading,
                "seconds": timings.get(group.key),
                "presets": presets,
            }
        )
    return {"confidence": CONFIDENCE, "groups": entries, "timings": dict(timings)}


def _count(number: int, noun: str) -> str:
    """E.g. '1 group', '3 groups'."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _unique_names(paths: list[Path]) -> list[str]:
    """Directory names, with a numeric suffix where two runs share one."""
    names, seen = [], {}
    for path in paths:
        count = seen.get(path.name, 0) + 1
        seen[path.name] = count
        names.append(path.name if count == 1 else f"{path.name}-{count}")
    return names
