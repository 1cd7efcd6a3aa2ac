"""The ``gan-lab`` command: train runs, check samples, run the study, build reports.

Usage::

    gan-lab train --noise uniform --epochs 20 --out runs/ex2
    gan-lab check samples.npy --dim 20 --mean -5 --std 2
    gan-lab study
    gan-lab report runs/ex1 runs/ex2 --out reports/mine

Bad input is answered with one line on stderr and exit status 2; ``check`` exits 1
when the samples fail the battery.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from gan_lab.config import PRESETS, TrainConfig, preset

# Exit statuses of the command line.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Config fields the command line does not expose: the preset is its own option.
_HIDDEN_FIELDS = {"preset"}


class UsageError(Exception):
    """Bad input from the command line; its message is printed on one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, without the usage text."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _number_list(text: str) -> float | tuple[float, ...]:
    """A number, or comma-separated numbers, one per dimension."""
    values = tuple(float(part) for part in text.split(","))
    return values[0] if len(values) == 1 else values


def _int_list(text: str) -> tuple[int, ...]:
    """Comma-separated integers, such as hidden-layer widths."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def _boolean(text: str) -> bool:
    """Parse yes/no, true/false, on/off or 1/0."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _field_type(field: dataclasses.Field) -> Any:
    """The argparse converter for a config field, from its default."""
    if isinstance(field.default, bool):
        return _boolean
    if field.name in ("mean", "std"):
        return _number_list
    if field.name.endswith("_widths"):
        return _int_list
    if field.name == "noise_dim" or isinstance(field.default, int):
        return int
    if isinstance(field.default, float):
        return float
    return str


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    """One option per TrainConfig field, help taken from the field's docstring."""
    docs = _field_docs()
    parser.add_argument(
        "--preset",
        default=argparse.SUPPRESS,
        help=f"starting configuration: {', '.join(PRESETS)} (default: lab)",
    )
    for field in dataclasses.fields(TrainConfig):
        if field.name in _HIDDEN_FIELDS:
            continue
        default = PRESETS["lab"].to_dict()[field.name]
        parser.add_argument(
            "--" + field.name.replace("_", "-"),
            type=_field_type(field),
            default=argparse.SUPPRESS,
            metavar=field.name.upper(),
            help=f"{docs.get(field.name, '')} (lab default: {default})",
        )


def _field_docs() -> dict[str, str]:
    """The attribute docstrings of TrainConfig, read from its source."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(TrainConfig))
    body = tree.body[0].body
    docs = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
        ):
            docs[node.target.id] = following.value.value.strip().replace("%", "%%")
    return docs


def config_from_args(
    args: argparse.Namespace, base: TrainConfig | None = None
) -> TrainConfig:
    """Build the config from the options given on the command line.

    Args:
        args: Parsed options; only those given on the command line are set.
        base: Config the options change; by default the preset named by
            ``--preset`` (the lab's default when not given).

    Raises:
        ValueError: If a value is out of range.
    """
    names = {f.name for f in dataclasses.fields(TrainConfig)} - _HIDDEN_FIELDS
    changes = {name: getattr(args, name) for name in names if hasattr(args, name)}
    if base is None:
        return preset(getattr(args, "preset", "lab"), **changes)
    return base.replace(**changes)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = _Parser(
        prog="gan-lab",
        description="Did this generative model learn this distribution?",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug lines")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )

    train = commands.add_parser("train", help="train one GAN run into a directory")
    _add_config_options(train)
    train.add_argument("--out", required=True, help="run directory to write")
    train.add_argument(
        "--resume", action="store_true", help="continue the run in --out"
    )

    check = commands.add_parser(
        "check", help="judge samples from any tool against a target normal"
    )
    check.add_argument("samples", help=".npy or .csv file of shape (n, dim)")
    check.add_argument("--dim", type=int, required=True, help="target dimension")
    check.add_argument("--mean", type=_number_list, default=0.0, help="target mean")
    check.add_argument("--std", type=_number_list, default=1.0, help="target std")
    check.add_argument(
        "--false-fail-rate",
        type=float,
        default=0.01,
        help="family-wise probability of failing exact target samples",
    )
    check.add_argument("--seed", type=int, default=0, help="seed of the checks")

    study = commands.add_parser(
        "study", help="run Exercises 1 and 2 and write the report"
    )
    study.add_argument("--out", default="reports/study", help="report directory")
    study.add_argument("--epochs", type=int, default=20)
    study.add_argument("--steps-per-epoch", type=int, default=5000)
    study.add_argument("--seed", type=int, default=0, help="first seed")
    study.add_argument("--seeds", type=int, default=1, help="number of seeds")
    study.add_argument(
        "--presets",
        nargs="+",
        default=["lab", "classic"],
        help="configurations compared side by side",
    )

    report = commands.add_parser(
        "report", help="build the report from existing run directories"
    )
    report.add_argument("run_dirs", nargs="+", help="run directories")
    report.add_argument("--out", default="reports/custom", help="report directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = build_parser().parse_args(argv)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        # Each run compiles its own graphs, which TensorFlow reports as retracing.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        return _COMMANDS[args.command](args)
    except (UsageError, ValueError) as error:
        print(f"gan-lab: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ngan-lab: interrupted; continue with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED


def _train(args: argparse.Namespace) -> int:
    """``gan-lab train``."""
    from gan_lab import rundir

    out = Path(args.out)
    saved_path = out / rundir.CONFIG
    base = None
    if args.resume and not hasattr(args, "preset") and saved_path.exists():
        # On resume the saved config is the truth; options only need to agree.
        base = TrainConfig.from_dict(rundir.read_json(saved_path))
    run_training(config_from_args(args, base), out, resume=args.resume)
    return EXIT_OK


def run_training(config: TrainConfig, out: Path, resume: bool = False) -> Any:
    """Train with a progress bar and one printed line per epoch."""
    from gan_lab.training import TrainingDivergedError, format_row, train

    bar = ProgressBar(config.total_steps, enabled=sys.stderr.isatty())
    print(
        f"training {config.preset} preset: {config.dim}-D normal, "
        f"{config.noise} noise, {config.epochs} epochs x {config.steps_per_epoch} "
        f"steps -> {out}"
    )

    def on_epoch(row: dict[str, float]) -> None:
        bar.clear()
        print(format_row(row, config.epochs), flush=True)
        bar.position = int(row["epoch"]) * config.steps_per_epoch

    try:
        result = train(
            config, out, resume=resume, on_epoch=on_epoch, on_steps=bar.advance
        )
    except TrainingDivergedError as error:
        bar.clear()
        raise ValueError(str(error)) from None
    bar.clear()
    print(f"done in {result.training_seconds:.1f} s of training; wrote {out}")
    return result


class ProgressBar:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, total: int, enabled: bool = True, width: int = 30) -> None:
        self.total, self.enabled, self.width = max(total, 1), enabled, width
        self.position = 0
        self.started = time.perf_counter()

    def advance(self, steps: int) -> None:
        """Move forward by ``steps`` and redraw."""
        self.position += steps
        if not self.enabled:
            return
        fraction = min(self.position / self.total, 1.0)
        filled = round(fraction * self.width)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:5.1%} "
            f"step {self.position}/{self.total}  {elapsed:.0f} s"
        )
        sys.stderr.flush()

    def clear(self) -> None:
        """Erase the bar so a printed line starts clean."""
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def load_samples(path: str) -> Any:
    """Load an (n, dim) array from a .npy or .csv file.

    Raises:
        ValueError: If the file is missing, unreadable or not a 2-D numeric table.
    """
    import numpy as np

    file = Path(path)
    if not file.is_file():
        raise ValueError(f"samples: no such file {path!r}")
    try:
        if file.suffix == ".npy":
            samples = np.load(file, allow_pickle=False)
        elif file.suffix == ".csv":
            samples = _read_csv(file)
        else:
            raise ValueError(
                f"samples must be a .npy or .csv file, got {file.suffix or 'no'} suffix"
            )
    except (OSError, ValueError) as error:
        raise ValueError(f"samples: cannot read {path!r}: {error}") from None
    samples = np.asarray(samples)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2 or not np.issubdtype(samples.dtype, np.number):
        raise ValueError(
            f"samples must be a numeric table of shape (n, dim), got shape "
            f"{samples.shape} of {samples.dtype}"
        )
    return samples.astype(np.float64)


def _read_csv(file: Path) -> Any:
    """Read a CSV with or without a header row."""
    import numpy as np

    with open(file) as handle:
        first = handle.readline()
    try:
        [float(v) for v in first.strip().split(",")]
        skip = 0
    except ValueError:
        skip = 1
    return np.loadtxt(file, delimiter=",", skiprows=skip, ndmin=2)


def _check(args: argparse.Namespace) -> int:
    """``gan-lab check``: print the verdict table; exit 0 on a pass, 1 on a fail."""
    from gan_lab.battery import run_battery
    from gan_lab.distributions import Normal

    if not 0 < args.false_fail_rate < 1 or math.isnan(args.false_fail_rate):
        raise ValueError(
            f"false-fail-rate must be in (0, 1), got {args.false_fail_rate}"
        )
    target = Normal(args.dim, args.mean, args.std)
    samples = load_samples(args.samples)
    if samples.shape[1] != target.dim:
        raise ValueError(
            f"samples have {samples.shape[1]} columns but --dim is {target.dim}"
        )
    verdict = run_battery(
        samples, target, false_fail_rate=args.false_fail_rate, seed=args.seed
    )
    print(verdict.table())
    return EXIT_OK if verdict.passed else EXIT_FAILED


def _study(args: argparse.Namespace) -> int:
    """``gan-lab study``: both exercises, every preset and seed, then the report."""
    from gan_lab.study import run_study

    path = run_study(
        out=Path(args.out),
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        first_seed=args.seed,
        seeds=args.seeds,
        presets=args.presets,
        runner=run_training,
        echo=print,
    )
    print(f"wrote {path} and {path.with_suffix('.html')}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    """``gan-lab report``: the report from run directories, without retraining."""
    from gan_lab.report import build_report

    path = build_report([Path(d) for d in args.run_dirs], Path(args.out))
    print(f"wrote {path}")
    return EXIT_OK


_COMMANDS = {"train": _train, "check": _check, "study": _study, "report": _report}


if __name__ == "__main__":
    sys.exit(main())
