"""What a finished run produced, and how to load it back without TensorFlow.

result = load_result("runs/ex1")
result.history[["epoch", "mean", "std"]], result.samples.shape
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gan_lab import rundir
from gan_lab.config import TrainConfig


@dataclass
class TrainResult:
    """What a finished run produced.

    Attributes:
        config: The configuration that was trained.
        history: One row per evaluation; the first row is the state before training.
        samples: Generated samples after training, shape ``(final_samples, dim)``.
        discriminator_real: Discriminator sigmoid outputs on fresh real samples.
        discriminator_fake: Discriminator sigmoid outputs on ``samples``.
        out: The run directory, or None for a run kept in memory.
    """

    config: TrainConfig
    history: pd.DataFrame
    samples: np.ndarray
    discriminator_real: np.ndarray
    discriminator_fake: np.ndarray
    out: Path | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def training_seconds(self) -> float:
        """Seconds spent training and evaluating, summed over all epochs."""
        return float(self.history["seconds"].iloc[-1])


def load_result(out: str | os.PathLike) -> TrainResult:
    """Load a finished run directory written by ``train``.

    Raises:
        ValueError: If ``out`` is not a finished run directory.
    """
    out = Path(out)
    missing = [
        name
        for name in (
            rundir.CONFIG,
            rundir.HISTORY,
            rundir.SAMPLES,
            rundir.DISCRIMINATOR,
        )
        if not (out / name).is_file()
    ]
    if missing:
        raise ValueError(
            f"run directory {str(out)!r} is not a finished run: missing "
            f"{', '.join(missing)} (train it, or resume it with --resume)"
        )
    config = TrainConfig.from_dict(rundir.read_json(out / rundir.CONFIG))
    outputs = rundir.read_arrays(out / rundir.DISCRIMINATOR)
    return TrainResult(
        config=config,
        history=rundir.read_history(out / rundir.HISTORY),
        samples=np.load(out / rundir.SAMPLES),
        discriminator_real=outputs["real"],
        discriminator_fake=outputs["fake"],
        out=out,
    )


def judge_result(
    result: TrainResult,
    false_fail_rate: float = 0.01,
    checks: tuple[str, ...] | None = None,
) -> Any:
    """Run the battery on a finished run, with its seed and discriminator outputs.

    Args:
        result: The finished run.
        false_fail_rate: The battery's family-wise false-fail rate.
        checks: Names of the checks to run; the battery's default when None.

    Returns:
        The battery's ``Verdict``.

    Raises:
        ValueError: If the run has too few samples for a check.
    """
    from gan_lab.battery import run_battery

    return run_battery(
        result.samples,
        result.config.target,
        false_fail_rate=false_fail_rate,
        seed=result.config.seed,
        discriminator_outputs=(result.discriminator_real, result.discriminator_fake),
        checks=checks,
    )
