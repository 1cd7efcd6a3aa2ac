"""Training: the steps of an epoch run inside one compiled graph, nothing is lost.

Calling one compiled step per Python iteration costs about a millisecond of overhead
per step on a small CPU, several times the work of the step itself. Here a whole chunk
of steps is one call of an XLA-compiled ``tf.function`` with an in-graph loop; all
randomness is stateless and keyed by the global step, so a run resumed from its last
epoch repeats exactly what an uninterrupted run would have done::

    result = train(TrainConfig(epochs=2, steps_per_epoch=500), out="runs/demo")
    result.history[["epoch", "mean", "std", "acc_real", "acc_fake"]]
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from gan_lab import rundir
from gan_lab.config import TrainConfig
from gan_lab.models import build_discriminator, build_generator
from gan_lab.results import TrainResult

logger = logging.getLogger(__name__)

# Steps per compiled call. Large enough that the call overhead (about 1 ms) is
# negligible, small enough that the progress bar moves and Ctrl-C is honoured soon.
CHUNK_STEPS = 1000

# Stream identifiers mixed into the stateless seeds, one per use of randomness.
_REAL, _D_NOISE, _G_NOISE = 0, 1, 2


class TrainingDivergedError(RuntimeError):
    """A loss or a weight became NaN or infinite; ``history`` holds the rows before."""

    def __init__(self, message: str, history: pd.DataFrame) -> None:
        super().__init__(message)
        self.history = history


class GAN:
    """A generator, a discriminator, their optimizers and the compiled training loop.

    Args:
        config: The run's configuration; its seed fixes the initial weights.
    """

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        keras.utils.set_random_seed(config.seed)
        widths = config.generator_widths
        noise = config.noise_distribution
        noise_scaling = (noise.mean, noise.std) if config.standardize_noise else None
        self.generator = build_generator(
            config.noise_dim, config.dim, widths, config.activation, noise_scaling
        )
        input_scaling = None
        if config.standardize_real:
            # Moments of a real sample, as a practitioner would standardize data;
            # the target's parameters themselves are never given to the networks.
            real = config.target.sample(10_000, [config.seed, 11]).astype(np.float64)
            input_scaling = (real.mean(axis=0), real.std(axis=0))
        self.discriminator = build_discriminator(
            config.dim, config.discriminator_widths, config.activation, input_scaling
        )

        # Evaluation uses a moving average of the generator's weights when one is
        # kept; it starts as an exact copy.
        self.ema_generator = None
        if config.ema_decay > 0:
            self.ema_generator = build_generator(
                config.noise_dim, config.dim, widths, config.activation, noise_scaling
            )
            self.ema_generator.set_weights(self.generator.get_weights())

        self.g_optimizer = self._optimizer(config.g_learning_rate)
        self.d_optimizer = self._optimizer(config.d_learning_rate)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

        self._target_mean = tf.constant(config.target.mean, tf.float32)
        self._target_std = tf.constant(config.target.std, tf.float32)
        self._seed = tf.constant(config.seed, tf.int64)
        self._run_steps = tf.function(self._steps, jit_compile=True)
        self._evaluate = tf.function(self._forward, jit_compile=True)

    def _optimizer(self, learning_rate: float) -> keras.optimizers.Adam:
        """Adam with the config's betas and optional linear learning-rate decay."""
        config = self.config
        if config.lr_final_fraction < 1 and config.total_steps > 0:
            learning_rate = keras.optimizers.schedules.PolynomialDecay(
                learning_rate,
                decay_steps=config.total_steps,
                end_learning_rate=learning_rate * config.lr_final_fraction,
                power=1.0,
            )
        return keras.optimizers.Adam(
            learning_rate=learning_rate,
            beta_1=config.beta_1,
            beta_2=config.beta_2,
        )

    @property
    def evaluation_generator(self) -> keras.Model:
        """The generator that is evaluated and sampled: the averaged one if kept."""
        return self.ema_generator or self.generator

    def _noise(self, step: tf.Tensor, stream: int) -> tf.Tensor:
        """A batch of noise, a pure function of the seed, the step and the stream."""
        config = self.config
        seed = tf.stack([self._seed, step * 3 + stream])
        shape = (config.batch_size, config.noise_dim)
        if config.noise == "uniform":
            return tf.random.stateless_uniform(
                shape, seed, minval=config.noise_low, maxval=config.noise_high
            )
        return tf.random.stateless_normal(shape, seed)

    def _real(self, step: tf.Tensor) -> tf.Tensor:
        """A batch of target samples, a pure function of the seed and the step."""
        seed = tf.stack([self._seed, step * 3 + _REAL])
        z = tf.random.stateless_normal((self.config.batch_size, self.config.dim), seed)
        return self._target_mean + self._target_std * z

    def _step(self, step: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """One discriminator update and one generator update; returns both losses."""
        config = self.config
        generator, discriminator = self.generator, self.discriminator
        real = self._real(step)

        # Train the discriminator: real is labelled 1, generated is labelled 0.
        fake = generator(self._noise(step, _D_NOISE), training=True)
        with tf.GradientTape() as tape:
            with tf.GradientTape() as r1_tape:
                r1_tape.watch(real)
                real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)
            d_objective = d_loss
            if config.r1_weight > 0:
                # R1 penalises the discriminator's gradient on real data, which damps
                # the rotation of the two players around the equilibrium.
                grad = r1_tape.gradient(real_logits, real)
                penalty = tf.reduce_mean(tf.reduce_sum(tf.square(grad), axis=1))
                d_objective = d_loss + 0.5 * config.r1_weight * penalty
        variables = discriminator.trainable_variables
        self.d_optimizer.apply_gradients(
            zip(tape.gradient(d_objective, variables), variables, strict=True)
        )

        # Train the generator: it wants its own samples labelled 1.
        noise = self._noise(step, _G_NOISE)
        with tf.GradientTape() as tape:
            g_loss = _bce(discriminator(generator(noise, training=True)), 1.0)
        variables = generator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(g_loss, variables), variables, strict=True)
        )

        if self.ema_generator is not None:
            # The usual warm-up of the decay keeps the average from lagging far
            # behind early on, which matters for short runs.
            t = tf.cast(step + 1, tf.float32)
            decay = tf.minimum(config.ema_decay, (1.0 + t) / (10.0 + t))
            pairs = zip(self.ema_generator.weights, generator.weights, strict=True)
            for average, weight in pairs:
                average.assign(decay * average + (1.0 - decay) * weight)
        return d_loss, g_loss

    def _steps(self, first_step: tf.Tensor, num_steps: tf.Tensor) -> tuple:
        """Run ``num_steps`` steps in one graph; returns the summed losses."""
        d_total = tf.constant(0.0)
        g_total = tf.constant(0.0)
        for i in tf.range(num_steps):
            d_loss, g_loss = self._step(first_step + tf.cast(i, tf.int64))
            d_total += d_loss
            g_total += g_loss
        return d_total, g_total

    def _forward(self, noise: tf.Tensor, real: tf.Tensor) -> tuple:
        """Generated samples and discriminator logits on real and generated data."""
        fake = self.evaluation_generator(noise, training=False)
        real_logits = self.discriminator(real, training=False)
        fake_logits = self.discriminator(fake, training=False)
        return fake, real_logits[:, 0], fake_logits[:, 0]

    def run_steps(self, first_step: int, num_steps: int) -> tuple[float, float]:
        """Train ``num_steps`` steps starting at global step ``first_step``.

        Returns:
            The sums of the discriminator and generator losses over those steps.
        """
        d_total, g_total = self._run_steps(
            tf.constant(first_step, tf.int64), tf.constant(num_steps, tf.int64)
        )
        return float(d_total), float(g_total)

    def evaluate(self, epoch: int) -> dict[str, float]:
        """The history row of ``epoch``: moments, accuracies and losses.

        The generated mean and std are taken over all values of ``eval_samples``
        generated samples; the discriminator's accuracy counts a sigmoid >= 0.5 on a
        real sample, and < 0.5 on a generated one, as correct.
        """
        config = self.config
        noise, real = _evaluation_data(config, epoch)
        fake, real_logits, fake_logits = (
            t.numpy().astype(np.float64) for t in self._evaluate(noise, real)
        )
        row = {
            "epoch": epoch,
            "step": epoch * config.steps_per_epoch,
            "mean": fake.mean(),
            "std": fake.std(),
            "acc_real": np.mean(real_logits >= 0),
            "acc_fake": np.mean(fake_logits < 0),
        }
        row["acc"] = (row["acc_real"] + row["acc_fake"]) / 2
        row["d_loss"] = _bce_np(real_logits, 1) + _bce_np(fake_logits, 0)
        row["g_loss"] = _bce_np(fake_logits, 1)
        for i, value in enumerate(fake.mean(axis=0)):
            row[f"mean_{i}"] = value
        for i, value in enumerate(fake.std(axis=0)):
            row[f"std_{i}"] = value
        return row

    def weights_finite(self) -> bool:
        """True when every weight of both networks is finite."""
        models = (self.generator, self.discriminator)
        return all(np.isfinite(w).all() for m in models for w in m.get_weights())

    def state(self) -> dict[str, np.ndarray]:
        """Every variable needed to continue training exactly, by name."""
        arrays = {}
        for prefix, variables in self._variable_groups():
            for i, variable in enumerate(variables):
                arrays[f"{prefix}/{i}"] = np.asarray(variable.numpy())
        return arrays

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore variables saved by ``state``."""
        for prefix, variables in self._variable_groups():
            for i, variable in enumerate(variables):
                variable.assign(arrays[f"{prefix}/{i}"])

    def _variable_groups(self) -> list[tuple[str, list]]:
        """The named groups of variables that make up the training state."""
        groups = [
            ("generator", self.generator.weights),
            ("discriminator", self.discriminator.weights),
            ("g_optimizer", self.g_optimizer.variables),
            ("d_optimizer", self.d_optimizer.variables),
        ]
        if self.ema_generator is not None:
            groups.append(("ema_generator", self.ema_generator.weights))
        return groups


def train(
    config: TrainConfig,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
    on_steps: Callable[[int], None] | None = None,
) -> TrainResult:
    """Train a GAN on ``config``, writing the run directory as it goes.

    Args:
        config: The run's configuration.
        out: Run directory; None keeps the run in memory only.
        resume: Continue the run in ``out`` from its last complete epoch. Its config
            must equal ``config``.
        on_epoch: Called with each history row as soon as it is recorded.
        on_steps: Called with the number of steps just trained, after each chunk.

    Returns:
        The history, the final generated samples and the discriminator's outputs.

    Raises:
        ValueError: If ``out`` already holds a run and ``resume`` is false, or holds
            a different config, or if ``resume`` is set without a run to resume.
        TrainingDivergedError: If a loss or a weight becomes NaN or infinite.
    """
    out = Path(out) if out is not None else None
    gan = GAN(config)
    rows: list[dict[str, float]] = []
    first_epoch = 1
    if out is not None:
        rows, first_epoch = _prepare_run_directory(config, out, resume, gan)
    if not rows:
        rows.append(gan.evaluate(0) | {"seconds": 0.0})
        _record(rows, out, on_epoch, config.epochs)

    for epoch in range(first_epoch, config.epochs + 1):
        started = time.perf_counter()

        # Train the epoch in compiled chunks.
        d_total = g_total = 0.0
        step = (epoch - 1) * config.steps_per_epoch
        last = epoch * config.steps_per_epoch
        while step < last:
            count = min(CHUNK_STEPS, last - step)
            d_sum, g_sum = gan.run_steps(step, count)
            d_total, g_total = d_total + d_sum, g_total + g_sum
            step += count
            if on_steps is not None:
                on_steps(count)

        row = gan.evaluate(epoch)
        row["d_loss_train"] = d_total / config.steps_per_epoch
        row["g_loss_train"] = g_total / config.steps_per_epoch
        row["seconds"] = rows[-1]["seconds"] + time.perf_counter() - started
        if not (all(math.isfinite(v) for v in row.values()) and gan.weights_finite()):
            raise TrainingDivergedError(
                f"training diverged in epoch {epoch}: a loss or a weight became NaN "
                f"or infinite (d_loss_train={row['d_loss_train']:.4g}, "
                f"g_loss_train={row['g_loss_train']:.4g}); lower the learning rates",
                pd.DataFrame(rows),
            )
        rows.append(row)
        _record(rows, out, on_epoch, config.epochs)

        # The state is saved after the history, so a crash between the two leaves a
        # state one epoch behind the history; resuming trims the history to match.
        if out is not None:
            rundir.write_arrays(out / rundir.STATE, gan.state() | {"epoch": epoch})

    return _finish(gan, pd.DataFrame(rows), out)


def _prepare_run_directory(
    config: TrainConfig, out: Path, resume: bool, gan: GAN
) -> tuple[list[dict[str, float]], int]:
    """Start or resume a run directory; return the kept rows and the next epoch."""
    config_path = out / rundir.CONFIG
    if not resume:
        if config_path.exists():
            raise ValueError(
                f"out {str(out)!r} already holds a run; pass resume=True "
                f"(--resume) to continue it, or choose another directory"
            )
        rundir.write_json(config_path, config.to_dict())
        return [], 1

    if not config_path.exists():
        raise ValueError(
            f"resume: no run to resume in {str(out)!r} (no {rundir.CONFIG})"
        )
    saved = TrainConfig.from_dict(rundir.read_json(config_path))
    if saved != config:
        changed = [
            f"{key}={value!r} (saved {saved.to_dict()[key]!r})"
            for key, value in config.to_dict().items()
            if key != "preset" and saved.to_dict()[key] != value
        ]
        raise ValueError(
            f"resume: the config differs from the one saved in {str(out)!r}: "
            + ", ".join(changed)
        )
    state_path = out / rundir.STATE
    if not state_path.exists():
        return [], 1
    state = rundir.read_arrays(state_path)
    epoch = int(state.pop("epoch"))
    gan.load_state(state)
    history = rundir.read_history(out / rundir.HISTORY)
    rows = history[history["epoch"] <= epoch].to_dict("records")
    logger.info("resuming %s after epoch %d", out, epoch)
    return rows, epoch + 1


def _record(
    rows: list[dict[str, float]],
    out: Path | None,
    on_epoch: Callable[[dict[str, float]], None] | None,
    epochs: int,
) -> None:
    """Log the newest row, write the history and call the callback."""
    row = rows[-1]
    logger.info(format_row(row, epochs))
    if out is not None:
        rundir.write_history(out / rundir.HISTORY, pd.DataFrame(rows))
    if on_epoch is not None:
        on_epoch(row)


def format_row(row: dict[str, float], epochs: int | None = None) -> str:
    """One compact line for an epoch, as printed by the command line."""
    epoch = f"{int(row['epoch'])}" + (f"/{epochs}" if epochs else "")
    return (
        f"epoch {epoch}  mean {row['mean']:.3f}  std {row['std']:.3f}  "
        f"acc real {row['acc_real']:.2f} fake {row['acc_fake']:.2f}  "
        f"d_loss {row['d_loss']:.3f}  g_loss {row['g_loss']:.3f}"
    )


def _finish(gan: GAN, history: pd.DataFrame, out: Path | None) -> TrainResult:
    """Draw the final samples and the discriminator's outputs, and save them."""
    config = gan.config
    rng = np.random.default_rng([config.seed, config.epochs + 1, 7])
    noise = config.noise_distribution.sample(config.final_samples, rng)
    real = config.target.sample(config.final_samples, rng)
    fake, real_logits, fake_logits = (t.numpy() for t in gan._evaluate(noise, real))
    result = TrainResult(
        config=config,
        history=history,
        samples=fake,
        discriminator_real=_sigmoid(real_logits),
        discriminator_fake=_sigmoid(fake_logits),
        out=out,
    )
    if out is not None:
        rundir.write_array(out / rundir.SAMPLES, result.samples)
        rundir.write_arrays(
            out / rundir.DISCRIMINATOR,
            {"real": result.discriminator_real, "fake": result.discriminator_fake},
        )
    return result


def _evaluation_data(config: TrainConfig, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """The noise and real samples of an epoch's evaluation, fixed by seed and epoch."""
    rng = np.random.default_rng([config.seed, epoch, 3])
    noise = config.noise_distribution.sample(config.eval_samples, rng)
    return noise, config.target.sample(config.eval_samples, rng)


def _bce(logits: tf.Tensor, label: float) -> tf.Tensor:
    """Mean binary cross-entropy of logits against one label."""
    labels = tf.fill(tf.shape(logits), label)
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    )


def _bce_np(logits: np.ndarray, label: int) -> float:
    """Mean binary cross-entropy of logits against one label, in float64."""
    signed = logits if label == 0 else -logits
    # A diverged run has NaN logits; its loss is NaN, which train() reports.
    with np.errstate(invalid="ignore"):
        return float(np.mean(np.logaddexp(0.0, signed)))


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    return np.exp(-np.logaddexp(0.0, -logits.astype(np.float64)))
