"""TensorFlow Playground's datasets, generated as its src/dataset.ts generates them, in sklearn's style.

Same shapes, ranges (about -6..6), point counts and meaning of noise (0 to 0.5: its slider's 0-50%).
Its labels are -1 and +1; here class 0 (orange, as its negatives) and class 1 (blue, as its positives).
Regression targets lie in -1..1 as there. Also: classes split by the graph of a function (y > sin x, ...).
"""
from __future__ import annotations

import numpy as np

from playground.data.types import Table

RADIUS = 6  # TF Playground's regression data spans -6..6


def _noisy(rng, n: int, spread: float, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """TF Playground's noise: the label is read at a point moved by uniform(-spread, spread) * noise."""
    return rng.uniform(-spread, spread, n) * noise, rng.uniform(-spread, spread, n) * noise


def _classes(X: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return X, positive.astype(np.int64)


def make_tf_circle(n_samples, *, noise, n_classes=2, random_state=None):
    """Half the points inside radius 2.5 (class 1), half in the ring 3.5..5 (class 0); noise relabels near the edge."""
    rng, radius = np.random.default_rng(random_state), 5.0
    half = n_samples // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n_samples - half)])
    angle = rng.uniform(0, 2 * np.pi, n_samples)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    dx, dy = _noisy(rng, n_samples, radius, noise)
    return _classes(X, np.hypot(X[:, 0] + dx, X[:, 1] + dy) < radius * 0.5)


def make_tf_xor(n_samples, *, noise, n_classes=2, random_state=None):
    """Uniform in -5..5 with a 0.3 gap at the axes; class 1 where x1 and x2 share a sign."""
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-5, 5, (n_samples, 2))
    X += np.where(X > 0, 0.3, -0.3)
    dx, dy = _noisy(rng, n_samples, 5, noise)
    return _classes(X, (X[:, 0] + dx) * (X[:, 1] + dy) >= 0)


def make_tf_gauss(n_samples, *, noise, n_classes=2, random_state=None):
    """Two Gaussians at (2, 2) (class 1) and (-2, -2) (class 0); noise raises their variance from 0.5 to 4."""
    rng = np.random.default_rng(random_state)
    std = np.sqrt(0.5 + 3.5 * noise / 0.5)
    half = n_samples // 2
    X = np.vstack([rng.normal(2, std, (half, 2)), rng.normal(-2, std, (n_samples - half, 2))])
    return _classes(X, np.arange(n_samples) < half)


def make_tf_spiral(n_samples, *, noise, n_classes=2, random_state=None):
    """Two spiral arms turning 1.75 times out to radius 5; noise adds uniform(-1, 1) * noise to each coordinate."""
    rng = np.random.default_rng(random_state)
    half = n_samples // 2
    arms = []
    for label, n, delta in ((1, half, 0.0), (0, n_samples - half, np.pi)):
        i = np.arange(n)
        r, t = i / n * 5, 1.75 * i / n * 2 * np.pi + delta
        xy = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (n, 2)) * noise
        arms.append((xy, np.full(n, label)))
    return np.vstack([a[0] for a in arms]), np.concatenate([a[1] for a in arms]).astype(np.int64)


def _regression(rng, n_samples: int, noise: float, target) -> Table:
    X = rng.uniform(-RADIUS, RADIUS, (n_samples, 2))
    dx, dy = _noisy(rng, n_samples, RADIUS, noise)
    return Table(X, target(X[:, 0] + dx, X[:, 1] + dy), ("x1", "x2"), None, "value")


def make_tf_plane(n_samples, *, noise, n_classes=0, random_state=None):
    """Regression: the target rises evenly from -1 at (-5, -5) to 1 at (5, 5): (x1 + x2) / 10."""
    return _regression(np.random.default_rng(random_state), n_samples, noise, lambda x, y: (x + y) / 10)


GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def make_tf_multi_gauss(n_samples, *, noise, n_classes=0, random_state=None):
    """Regression: six bumps of +-1 on a 3 x 2 grid, each falling to 0 at distance 2 (the strongest one counts)."""
    def target(x, y):
        bumps = np.stack([sign * np.clip(1 - np.hypot(x - cx, y - cy) / 2, 0, 1) for cx, cy, sign in GAUSSIANS])
        return bumps[np.abs(bumps).argmax(0), np.arange(len(x))]

    return _regression(np.random.default_rng(random_state), n_samples, noise, target)


# Classes split by the graph of a function: class 1 above it. (function, x1 range, x2 range)
CURVES = {
    "sine": (lambda x: 2 * np.sin(x), (-6, 6), (-4, 4)),
    "cubic": (lambda x: x**3 - x, (-2, 2), (-3, 3)),
    "abs": (np.abs, (-3, 3), (-1.5, 4.5)),  # as much of the box above the V as below
}


def make_curve(curve: str, n_samples, *, noise, n_classes=2, random_state=None):
    """Uniform points in the curve's box; class 1 above the graph x2 = f(x1), read at a point moved by noise."""
    f, (x_lo, x_hi), (y_lo, y_hi) = CURVES[curve]
    rng = np.random.default_rng(random_state)
    X = np.column_stack([rng.uniform(x_lo, x_hi, n_samples), rng.uniform(y_lo, y_hi, n_samples)])
    dx, dy = _noisy(rng, n_samples, (x_hi - x_lo) / 2, noise)
    return _classes(X, X[:, 1] + dy * (y_hi - y_lo) / (x_hi - x_lo) > f(X[:, 0] + dx))
