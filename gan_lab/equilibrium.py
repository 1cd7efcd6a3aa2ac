"""Equilibrium assertions: can a classifier tell generated samples from real ones?

At a GAN's equilibrium no classifier does better than chance. One check fits a fresh
classifier to the samples and a reference drawn from the target (C2ST, an equality
test); the other reads the trained discriminator's accuracy on fresh samples, which
must lie in a band around 0.5 (an equivalence test; ``gan_lab.assertions``
describes the two kinds of guarantee)::

    assert_indistinguishable_by_c2st(generated, target, false_fail_rate=0.01, seed=3)
    assert_discriminator_accuracy_near_half_by_clopper_pearson(on_real, on_fake)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from gan_lab.check_core import (
    CheckResult,
    check_false_fail_rate,
    check_seed,
    check_tolerance,
    decide_by_intervals,
    enforce,
    require_sample_size,
    standardize,
)
from gan_lab.distributions import Normal

# Any classifier's balanced accuracy is at most 1/2 + TV/2, so an accuracy above 0.6
# proves a total-variation distance above 0.2; below 0.4 the discriminator is
# systematically wrong, the mark of an oscillating game.
ACCURACY_TOLERANCE = 0.1
# The reference sample's stream, derived from the caller's seed and kept apart from
# ``target.sample(n, seed)``, so that reusing one seed for the samples and the check
# cannot couple them.
REFERENCE_STREAM = 2
# A light L2 penalty on standardized features keeps the fit stable when features are
# nearly collinear without masking a real difference at n = 5000.
C2ST_PENALTY = 1e-3
# The held-out test is valid however far the fit gets, so the iteration cap trades
# only power for time.
C2ST_MAX_ITERATIONS = 100
# Above this many quadratic features (dim > 43) the classifier keeps only linear and
# squared terms, to bound memory and time.
C2ST_FEATURE_LIMIT = 1000
# Matrix products use np.einsum for the reason given in gan_lab.assertions: no BLAS
# threads to wake on a busy machine.
# Beyond a thousand target sds a value is trivially classified; clipping keeps its
# square finite.
C2ST_CLIP = 1e3


def assert_indistinguishable_by_c2st(
    samples: Any,
    target: Normal,
    *,
    false_fail_rate: float = 0.01,
    seed: int = 0,
) -> CheckResult:
    """Assert a fresh classifier cannot tell the samples from the target (C2ST).

    A real reference sample of the same size is drawn from the target with a stream
    derived from ``seed`` (distinct from ``target.sample(n, seed)``). Both samples
    are shuffled and halved; a logistic regression on the quadratic features
    ``z_i`` and ``z_i z_j`` of the standardized data is fitted on one half (L-BFGS,
    small L2 penalty) and its accuracy on the other half is compared with
    Binomial(m, 1/2) by a one-sided exact test. The log density ratio of two normal
    distributions is quadratic, so when the generator is Gaussian this family
    contains the Bayes-optimal classifier; for other generators it is a good, not
    an optimal, detector.

    Guarantee: for a sample from the target, the held-out count of correct answers
    is a sum of independent Bernoulli variables with mean m / 2, whose upper tail
    Hoeffding (1956) bounds by that of Binomial(m, 1/2); the false-fail rate is
    therefore at most ``false_fail_rate`` however well the fit converged. At n = 5000
    and rate 0.01 / 7 a held-out accuracy of 0.521 or more fails, so a fitted
    classifier whose true accuracy is 0.533 is detected with power 0.95.

    Note: the test is for equality, not within a tolerance, so at large n any
    imperfect generator fails it; at n = 5000 its detection limit is the figure
    above. Above 43 dimensions only linear and squared features are used.

    Args:
        samples: Generated samples, shape ``(n, target.dim)``, finite.
        target: The exact target.
        false_fail_rate: Probability of failing a sample from the target, in (0, 1).
        seed: Seed, >= 0, of the reference sample and the split; printed in the
            failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: On a bad shape, non-finite samples, a rate outside (0, 1), a bad
            seed, or an n too small for a perfect held-out score to fail.
        CheckFailedError: If the check fails.
    """
    generated = standardize(samples, target)
    rate = check_false_fail_rate(false_fail_rate)
    check_seed(seed)
    n = generated.shape[0]
    # A perfect held-out score among 2 ceil(n / 2) answers must reach the rate.
    minimum = max(4, 2 * math.ceil(math.log2(1 / rate) / 2) - 1)
    require_sample_size(n, minimum, "c2st", rate)

    # Draw the reference and split both samples in half at random.
    generator = np.random.default_rng([seed, REFERENCE_STREAM])
    reference = target.sample(n, seed=generator)
    real = (reference.astype(np.float64) - target.mean) / target.std
    real = real[generator.permutation(n)]
    generated = generated[generator.permutation(n)]
    half = n // 2

    # Fit on the first halves, score on the second.
    weights, center, scale = _fit_quadratic_logistic(real[:half], generated[:half])
    real_logits = _logits(real[half:], weights, center, scale)
    generated_logits = _logits(generated[half:], weights, center, scale)
    correct = int(np.sum(real_logits > 0) + np.sum(generated_logits <= 0))
    tests = 2 * (n - half)
    p_value = float(stats.binom.sf(correct - 1, tests, 0.5))
    critical = int(stats.binom.isf(rate, tests, 0.5)) + 1

    detail = (
        f"Held-out accuracy {correct}/{tests} = {correct / tests:.4f}, one-sided "
        f"p = {p_value:.3g}; failing needs {critical} correct."
    )
    result = CheckResult(
        name="c2st",
        statistic_name="held-out classifier accuracy",
        statistic=correct / tests,
        relation="<=",
        threshold=(critical - 1) / tests,
        passed=bool(p_value > rate),
        n=n,
        false_fail_rate=rate,
        detail=detail,
    )
    return enforce(result, seed)


def assert_discriminator_accuracy_near_half_by_clopper_pearson(
    outputs_on_real: Any,
    outputs_on_fake: Any,
    *,
    false_fail_rate: float = 0.01,
    tolerance: float = ACCURACY_TOLERANCE,
    seed: int | None = None,
) -> CheckResult:
    """Assert a trained discriminator's accuracy is within 0.5 ± ``tolerance``.

    The discriminator's sigmoid outputs on fresh real and fresh generated samples
    are read as decisions, real when the output is at least 0.5 and fake when it is
    below, as the training loop reads them: an output of exactly 0.5 is correct on a
    real sample and wrong on a generated one. The Clopper-Pearson interval of the
    pooled accuracy decides: the check fails when it lies entirely outside
    [0.5 - tolerance, 0.5 + tolerance]. The default band [0.4, 0.6] has a meaning:
    with as many real as fake outputs, any classifier's accuracy is at most
    1/2 + TV/2, so a true accuracy above 0.6 proves a total-variation distance above
    0.2 between the generated and real distributions, and one below 0.4 marks a
    systematically wrong discriminator.

    Accuracy near 0.5 during training is necessary but not sufficient: a weak or
    lagging discriminator sits at 0.5 while the generator is still wrong, which is
    why the battery also trains a fresh classifier and runs distributional checks.

    Guarantee: for a fixed discriminator and fresh samples, a generator whose true
    accuracy lies in the band fails with probability at most ``false_fail_rate``.
    With 5000 real and 5000 fake outputs at rate 0.01 / 8 an accuracy of 0.624 (or
    0.376) is detected with power 0.95.

    Note: when the accuracies on real and fake samples differ, the correct count is a
    sum of two binomials whose variance is below the single binomial's, so the
    interval is conservative.

    Args:
        outputs_on_real: Discriminator sigmoid outputs in [0, 1] on real samples.
        outputs_on_fake: Discriminator sigmoid outputs in [0, 1] on fake samples.
        false_fail_rate: Probability of failing a generator in the band, in (0, 1).
        tolerance: Half-width of the band around 0.5, in (0, 0.5).
        seed: Seed of the evaluation, printed in the failure message.

    Returns:
        The passing result.

    Raises:
        ValueError: If the outputs are not finite values in [0, 1], the rate or
            tolerance is out of range, or there are too few outputs for a perfect
            score to leave the band.
        CheckFailedError: If the check fails.
    """
    rate = check_false_fail_rate(false_fail_rate)
    check_tolerance(tolerance, "tolerance", below=0.5)
    real = _checked_probabilities(outputs_on_real, "outputs_on_real")
    fake = _checked_probabilities(outputs_on_fake, "outputs_on_fake")
    total = real.size + fake.size
    # A perfect score has the Clopper-Pearson lower bound (rate / 2) ** (1 / total).
    minimum = math.floor(math.log(rate / 2) / math.log(0.5 + tolerance)) + 1
    require_sample_size(total, minimum, "discriminator_accuracy", rate)

    correct_real, correct_fake = int(np.sum(real >= 0.5)), int(np.sum(fake < 0.5))
    accuracy = (correct_real + correct_fake) / total
    interval = stats.binomtest(correct_real + correct_fake, total).proportion_ci(
        1 - rate, "exact"
    )
    return decide_by_intervals(
        name="discriminator_accuracy",
        statistic_name="smallest |accuracy - 0.5| in the interval",
        quantity="accuracy",
        estimate=np.array([accuracy]),
        lower=np.array([interval.low]),
        upper=np.array([interval.high]),
        labels=["real and fake pooled"],
        center=0.5,
        tolerance=tolerance,
        n=total,
        rate=rate,
        level=rate,
        seed=seed,
        note_below="Discriminator systematically wrong (an oscillating game). ",
        note=f"Accuracy on real {correct_real / real.size:.4f}, on fake "
        f"{correct_fake / fake.size:.4f}. ",
    )


def _fit_quadratic_logistic(
    real: np.ndarray, generated: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit an L2-penalized logistic regression on quadratic features (real = 1)."""
    features = _quadratic_features(np.vstack([real, generated]))
    center = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    design = np.hstack([(features - center) / scale, np.ones((len(features), 1))])
    signs = np.concatenate([np.ones(len(real)), -np.ones(len(generated))])
    count = len(signs)

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        margins = signs * np.einsum("ij,j->i", design, weights)
        penalty = np.append(weights[:-1], 0.0)
        loss = np.mean(np.logaddexp(0.0, -margins)) + 0.5 * C2ST_PENALTY * (
            penalty @ penalty
        )
        slopes = -signs * special.expit(-margins) / count
        gradient = np.einsum("ij,i->j", design, slopes) + C2ST_PENALTY * penalty
        return float(loss), gradient

    fit = optimize.minimize(
        loss_and_gradient,
        np.zeros(design.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": C2ST_MAX_ITERATIONS},
    )
    return fit.x, center, scale


def _logits(
    standardized: np.ndarray,
    weights: np.ndarray,
    center: np.ndarray,
    scale: np.ndarray,
) -> np.ndarray:
    """Classifier logits (positive means real) for standardized rows."""
    features = (_quadratic_features(standardized) - center) / scale
    return np.einsum("ij,j->i", features, weights[:-1]) + weights[-1]


def _quadratic_features(standardized: np.ndarray) -> np.ndarray:
    """Linear, squared and (up to the feature limit) cross-product features."""
    clipped = np.clip(standardized, -C2ST_CLIP, C2ST_CLIP)
    count, dim = clipped.shape
    pairs = dim * (dim + 1) // 2 <= C2ST_FEATURE_LIMIT - dim
    width = dim * (dim + 3) // 2 if pairs else 2 * dim
    features = np.empty((count, width))
    features[:, :dim] = clipped
    if not pairs:
        features[:, dim:] = clipped**2
        return features
    # Slices rather than fancy indexing: row i holds z_i * z_j for j >= i.
    start = dim
    for i in range(dim):
        np.multiply(
            clipped[:, i : i + 1],
            clipped[:, i:],
            out=features[:, start : start + dim - i],
        )
        start += dim - i
    return features


def _checked_probabilities(values: Any, name: str) -> np.ndarray:
    """Return discriminator outputs as a flat float64 array, checking [0, 1]."""
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array of outputs") from None
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one output, got none")
    outside = ~(np.isfinite(array) & (array >= 0) & (array <= 1))
    if outside.any():
        index = int(np.argmax(outside))
        raise ValueError(
            f"{name} must be sigmoid outputs in [0, 1], got {array[index]} at index "
            f"{index} (apply a sigmoid to logits first)"
        )
    return array
