"""Test-session setup shared by every tier: quiet TensorFlow, Agg plots, seeds.

Adds ``--gan-seed`` (reproduce one run of a seeded test) and ``--vary-seed`` (draw
fresh seeds, to measure how often a test flakes); every seeded test prints its seed
in its failure message.
"""

from __future__ import annotations

import os
import random

# Silence TensorFlow's start-up log noise before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The statistics tests multiply many small matrices; waking BLAS threads for each
# costs more than the product (their runtime doubles on 2 cores without this).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# CI gets a derandomized Hypothesis with no example database and no deadline, so a
# run is a pure function of the code; locally the default profile explores more.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gan-seed",
        type=int,
        default=None,
        help="seed for seeded tests, to reproduce a failure",
    )
    parser.addoption(
        "--vary-seed",
        action="store_true",
        help="draw a fresh seed per test, to measure how often tests flake",
    )


def resolve_seed(config: pytest.Config) -> int:
    """--gan-seed if given; a fresh random seed with --vary-seed; else 0."""
    seed = config.getoption("--gan-seed")
    if seed is not None:
        return seed
    if config.getoption("--vary-seed"):
        return random.SystemRandom().randrange(2**31)
    return 0


@pytest.fixture
def gan_seed(request: pytest.FixtureRequest) -> int:
    """The seed of a seeded test; printed with the failure when the test fails."""
    seed = resolve_seed(request.config)
    request.node.user_properties.append(("gan_seed", seed))
    return seed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    seeds = [value for key, value in item.user_properties if key == "gan_seed"]
    if report.failed and seeds:
        report.sections.append(
            ("gan seed", f"reproduce with: pytest {item.nodeid} --gan-seed {seeds[0]}")
        )
    return report
