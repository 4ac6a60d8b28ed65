"""Generated datasets in sklearn's style: make_x(n_samples, *, noise, n_classes, random_state) -> (X, y) or a Table."""
from __future__ import annotations

import numpy as np
from sklearn import datasets as skd

from playground.data.types import Table


def _circle_centers(n_classes: int, radius: float) -> np.ndarray:
    angles = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi / 4
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def make_moons(n_samples, *, noise, n_classes=2, random_state=None):
    """Two interleaving half circles (sklearn), centred on the origin."""
    X, y = skd.make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    return X - np.array([0.5, 0.25]), y


def make_circles(n_samples, *, noise, n_classes=2, random_state=None):
    """A small circle inside a large one (sklearn)."""
    return skd.make_circles(n_samples=n_samples, noise=noise, factor=0.5, random_state=random_state)


def make_xor(n_samples, *, noise, n_classes=2, random_state=None):
    """Four quadrants; the label is whether x1 and x2 share a sign (the XOR of their signs)."""
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1, 1, size=(n_samples, 2))
    X += np.sign(X) * 0.1  # a small gap along the axes, as in TF Playground
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + rng.normal(scale=noise * 0.5, size=X.shape), y


def make_spiral(n_samples, *, noise, n_classes=2, random_state=None):
    """n_classes interleaved spiral arms, each turning 1.75 times round the origin."""
    rng = np.random.default_rng(random_state)
    y = np.arange(n_samples) % n_classes
    t = rng.uniform(0.05, 1, size=n_samples)  # position along the arm
    angle = 3.5 * np.pi * t + 2 * np.pi * y / n_classes
    X = 1.5 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + rng.normal(scale=noise * 0.25, size=X.shape), y


def make_gaussians(n_samples, *, noise, n_classes=2, random_state=None):
    """Gaussian clusters around points on a circle; noise widens each cluster."""
    return skd.make_blobs(
        n_samples=n_samples,
        centers=_circle_centers(n_classes, radius=1.2),
        cluster_std=0.2 + noise,
        random_state=random_state,
    )


def make_two_clusters(n_samples, *, noise, n_classes=2, random_state=None):
    """Two round clusters centred at (0.2, 0.2) and (0.8, 0.8), as in the BatchNorm/RMSprop tutorial."""
    return skd.make_blobs(
        n_samples=n_samples, centers=[(0.2, 0.2), (0.8, 0.8)], cluster_std=0.02 + 0.5 * noise, random_state=random_state
    )


def make_blobs_4d(n_samples, *, noise, n_classes=3, random_state=None):
    """sklearn's make_blobs in 4-D with 3 centres; noise is the cluster standard deviation."""
    X, y = skd.make_blobs(n_samples=n_samples, n_features=4, centers=3, cluster_std=noise, random_state=random_state)
    return Table(X, y, feature_names=("x1", "x2", "x3", "x4"))


def make_linear(n_samples, *, noise, n_classes=0, random_state=None):
    """y = 2x + Gaussian noise: the linear-regression tutorial's data."""
    rng = np.random.default_rng(random_state)
    x = rng.uniform(-2, 2, size=n_samples)
    return Table(x[:, None], 2 * x + rng.normal(scale=noise, size=n_samples), ("x",), None, "y")
