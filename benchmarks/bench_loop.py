"""Per-step time of the naive training loop against the lab's in-graph loop.

The naive loop calls one compiled training step from Python per step, as a notebook
does; the lab's loop runs a chunk of steps inside one XLA-compiled graph. Both train
the same networks at the exercise's sizes (20-D, batch 32, two hidden layers of 64)
side by side in one process, so the ratio is robust to a noisy machine::

    python benchmarks/bench_loop.py            # ratio only, about a minute
    python benchmarks/bench_loop.py --full     # also Exercise 1 end to end
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf

from gan_lab.config import preset
from gan_lab.training import GAN, train


def time_naive(gan: GAN, steps: int, first_step: int) -> float:
    """Seconds per step of one ``tf.function`` step called from Python per step."""
    step_fn = tf.function(gan._step)
    step_fn(tf.constant(first_step, tf.int64))
    started = time.perf_counter()
    for step in range(first_step + 1, first_step + 1 + steps):
        step_fn(tf.constant(step, tf.int64))
    return (time.perf_counter() - started) / steps


def time_lab(gan: GAN, steps: int, first_step: int) -> float:
    """Seconds per step of the lab's compiled chunks."""
    gan.run_steps(first_step, 10)
    started = time.perf_counter()
    done = 0
    while done < steps:
        count = min(1000, steps - done)
        gan.run_steps(first_step + 10 + done, count)
        done += count
    return (time.perf_counter() - started) / steps


def main() -> None:
    """Print both per-step times and their ratio, and optionally time Exercise 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000, help="steps timed per loop")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--preset", default="classic", help="configuration to time")
    parser.add_argument("--full", action="store_true", help="also run Exercise 1")
    args = parser.parse_args()

    config = preset(args.preset)
    gan = GAN(config)
    naive, lab = [], []
    # Alternate the two loops so that a burst of load on the machine hits both.
    for round_ in range(args.rounds):
        first = round_ * 3 * args.steps
        naive.append(time_naive(gan, args.steps, first))
        lab.append(time_lab(gan, args.steps, first + args.steps + 1))
    best_naive, best_lab = min(naive), min(lab)
    print(
        f"preset {args.preset}: {args.steps} steps x {args.rounds} rounds, best round"
    )
    print(f"naive loop   {best_naive * 1e3:.3f} ms/step")
    print(f"lab loop     {best_lab * 1e3:.3f} ms/step")
    print(f"speed-up     {best_naive / best_lab:.1f}x")

    if args.full:
        started = time.perf_counter()
        result = train(config)
        wall = time.perf_counter() - started
        evaluations = config.epochs + 1
        print(
            f"Exercise 1 ({config.total_steps} steps, {evaluations} evaluations): "
            f"{result.training_seconds:.1f} s training, {wall:.1f} s with start-up"
        )


if __name__ == "__main__":
    main()
