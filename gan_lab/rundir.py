"""A run's directory: every file is written atomically, so nothing is half-written.

Layout of a run directory::

    config.json       the TrainConfig, written before training starts
    history.csv       one row per evaluation, rewritten after every epoch
    state.npz         weights and optimizer state at the end of the last epoch
    samples.npy       generated samples after training, shape (final_samples, dim)
    discriminator.npz sigmoid outputs of the discriminator on fresh real and fake data
    verdict.json      the battery's verdict on samples.npy, when it was run
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CONFIG = "config.json"
HISTORY = "history.csv"
STATE = "state.npz"
SAMPLES = "samples.npy"
DISCRIMINATOR = "discriminator.npz"
VERDICT = "verdict.json"


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one.

    The bytes go to a temporary file in the same directory, are flushed to disk,
    and the file is then renamed over ``path``; a rename within one file system is
    atomic, so a crash or ``kill -9`` at any moment leaves a complete file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=True) + "\n"
    write_bytes_atomic(path, text.encode())


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file."""
    return json.loads(Path(path).read_text())


def write_history(path: str | os.PathLike, history: pd.DataFrame) -> None:
    """Write the history as CSV, atomically; floats round-trip exactly."""
    write_bytes_atomic(path, history.to_csv(index=False).encode())


def read_history(path: str | os.PathLike) -> pd.DataFrame:
    """Read a history written by ``write_history``."""
    return pd.read_csv(path)


def write_arrays(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Write named arrays as an uncompressed ``.npz``, atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())


def read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file into memory."""
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def write_array(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write one array as ``.npy``, atomically."""
    buffer = io.BytesIO()
    np.save(buffer, array)
    write_bytes_atomic(path, buffer.getvalue())
