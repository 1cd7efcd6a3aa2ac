"""Measure the effect of training levers on how well the GAN learns the target.

Each variant is one preset plus changes; each run is scored per dimension with KS
p-values and moment errors, and one JSON line per run is appended to the output::

    python experiments/levers.py --variants classic ema --seeds 0 1 --noise normal
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy import stats

from gan_lab.config import preset
from gan_lab.results import judge_result
from gan_lab.training import train

VARIANTS = {
    "classic": ("classic", {}),
    "ema": ("classic", {"ema_decay": 0.999}),
    "ema_decay": ("classic", {"ema_decay": 0.999, "lr_final_fraction": 0.05}),
    "ema_decay_r1": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "r1_weight": 1.0},
    ),
    "ema_decay_ttur": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "d_learning_rate": 4e-4},
    ),
    "ema_decay_wide": (
        "classic",
        {
            "ema_decay": 0.999,
            "lr_final_fraction": 0.05,
            "discriminator_widths": (128, 128),
            "generator_widths": (128, 128),
        },
    ),
    "ema_decay_lr3": (
        "classic",
        {
            "ema_decay": 0.999,
            "lr_final_fraction": 0.05,
            "g_learning_rate": 3e-4,
            "d_learning_rate": 3e-4,
        },
    ),
    "ema_decay_b09": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "beta_1": 0.9},
    ),
    "ema_decay_elu": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "activation": "elu"},
    ),
    "ema_decay_batch128": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "batch_size": 128},
    ),
    "ema_decay_linear_g": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "generator_widths": ()},
    ),
    "ema_decay_b0": (
        "classic",
        {"ema_decay": 0.999, "lr_final_fraction": 0.05, "beta_1": 0.0},
    ),
    "std_real": ("classic", {"standardize_real": True}),
    "std_real_ema_decay": (
        "classic",
        {"standardize_real": True, "ema_decay": 0.999, "lr_final_fraction": 0.05},
    ),
    "std_real_decay": (
        "classic",
        {"standardize_real": True, "lr_final_fraction": 0.05},
    ),
    "std_real_ttur_decay": (
        "classic",
        {"standardize_real": True, "lr_final_fraction": 0.05, "d_learning_rate": 4e-4},
    ),
    "std_real_ttur_decay_r1": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 4e-4,
            "r1_weight": 1.0,
        },
    ),
    "std_real_ttur_decay_wide_d": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 4e-4,
            "discriminator_widths": (256, 256),
        },
    ),
    "std_real_ttur_decay_ema": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 4e-4,
            "ema_decay": 0.999,
        },
    ),
    "std_real_ttur8_decay": (
        "classic",
        {"standardize_real": True, "lr_final_fraction": 0.05, "d_learning_rate": 8e-4},
    ),
    "std_real_ttur_decay01": (
        "classic",
        {"standardize_real": True, "lr_final_fraction": 0.01, "d_learning_rate": 4e-4},
    ),
    "std_real_ttur_decay_d128_ema": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 4e-4,
            "ema_decay": 0.999,
            "discriminator_widths": (128, 128),
        },
    ),
    "std_real_ttur_decay_d256_ema": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 4e-4,
            "ema_decay": 0.999,
            "discriminator_widths": (256, 256),
        },
    ),
    "ttur8_decay_ema": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 8e-4,
            "ema_decay": 0.999,
        },
    ),
    "ttur8_decay_ema_d128": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 8e-4,
            "ema_decay": 0.999,
            "discriminator_widths": (128, 128),
        },
    ),
    "ttur8_decay_ema_batch64": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 8e-4,
            "ema_decay": 0.999,
            "batch_size": 64,
        },
    ),
    "ttur8_decay01_ema9995": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.01,
            "d_learning_rate": 8e-4,
            "ema_decay": 0.9995,
        },
    ),
    "ttur16_decay_ema": (
        "classic",
        {
            "standardize_real": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 1.6e-3,
            "ema_decay": 0.999,
        },
    ),
    "ttur8_decay_ema_stdnoise": (
        "classic",
        {
            "standardize_real": True,
            "standardize_noise": True,
            "lr_final_fraction": 0.05,
            "d_learning_rate": 8e-4,
            "ema_decay": 0.999,
        },
    ),
    "ttur16_decay01_ema9995": ("lab", {}),
    "lab": ("lab", {}),
}


def score(result) -> dict:
    """Per-dimension errors of the final samples in units of the target std."""
    target = result.config.target
    x = result.samples.astype(np.float64)
    z = (x - target.mean) / target.std
    pvalues = [stats.kstest(z[:, i], "norm").pvalue for i in range(target.dim)]
    corr = np.corrcoef(z, rowvar=False)
    off = np.abs(corr[~np.eye(target.dim, dtype=bool)])
    tail = np.mean(np.abs(z) > 3) / (2 * stats.norm.sf(3))
    verdict = judge_result(result)
    return {
        "battery_passed": verdict.passed,
        "battery_failed": list(verdict.failed),
        "worst_mean_sigma": float(np.max(np.abs(z.mean(axis=0)))),
        "std_ratio_min": float(z.std(axis=0).min()),
        "std_ratio_max": float(z.std(axis=0).max()),
        "ks_min_p": float(min(pvalues)),
        "ks_rejected": int(sum(p < 0.01 / target.dim for p in pvalues)),
        "max_abs_corr": float(off.max()),
        "tail_ratio": float(tail),
        "acc_real": float(np.mean(result.discriminator_real >= 0.5)),
        "acc_fake": float(np.mean(result.discriminator_fake < 0.5)),
    }


def table(path: str) -> str:
    """The scores of every run recorded in ``path`` as a Markdown table."""
    lines = [
        "| variant | noise | seed | worst mean error (sd) | std ratio range "
        "| KS rejects of 20 | largest correlation | tail mass ratio | battery |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with open(path) as file:
        runs = [json.loads(line) for line in file]
    for run in runs:
        failed = run.get("battery_failed")
        battery = (
            "not run"
            if failed is None
            else ("pass" if not failed else "fail: " + ", ".join(failed))
        )
        if "worst_mean_sigma" not in run:
            lines.append(
                f"| {run['variant']} | {run['noise']} | {run['seed']} | | | | | | "
                f"{battery} |"
            )
            continue
        lines.append(
            f"| {run['variant']} | {run['noise']} | {run['seed']} "
            f"| {run['worst_mean_sigma']:.3f} "
            f"| {run['std_ratio_min']:.3f} to {run['std_ratio_max']:.3f} "
            f"| {run['ks_rejected']} | {run['max_abs_corr']:.3f} "
            f"| {run['tail_ratio']:.2f} | {battery} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run every variant for every seed and append the scores as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--noise", default="normal")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps-per-epoch", type=int, default=5000)
    parser.add_argument("--output", default="experiments/levers.jsonl")
    parser.add_argument("--table", action="store_true", help="print the table only")
    args = parser.parse_args()
    if args.table:
        print(table(args.output))
        return
    for seed in args.seeds:
        for name in args.variants:
            base, changes = VARIANTS[name]
            config = preset(
                base,
                noise=args.noise,
                seed=seed,
                epochs=args.epochs,
                steps_per_epoch=args.steps_per_epoch,
                **changes,
            )
            started = time.perf_counter()
            result = train(config)
            line = {
                "variant": name,
                "noise": args.noise,
                "seed": seed,
                "seconds": round(time.perf_counter() - started, 1),
                **score(result),
            }
            print(json.dumps(line), flush=True)
            with open(args.output, "a") as file:
                file.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
