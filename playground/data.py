"""Dataset registry: name -> sklearn-style generator, and the split Dataset value."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split


@dataclass(frozen=True)
class Dataset:
    """A train/test split: float32 features, int64 class labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    feature_names: tuple[str, ...] = ("x1", "x2")

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(f"class {k}" for k in range(self.n_classes))


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


@dataclass(frozen=True)
class DatasetSpec:
    """One registry entry: its generator, allowed class counts and a one-line description."""

    make: Callable
    classes: tuple[int, int]
    label: str
    about: str


DATASETS: dict[str, DatasetSpec] = {
    "moons": DatasetSpec(make_moons, (2, 2), "Moons", "two interleaving half circles"),
    "circles": DatasetSpec(make_circles, (2, 2), "Circles", "a ring around a disc: not linearly separable"),
    "xor": DatasetSpec(make_xor, (2, 2), "XOR", "opposite quadrants share a class"),
    "spiral": DatasetSpec(make_spiral, (2, 6), "Spiral", "interleaved spiral arms: the hardest one"),
    "gaussian": DatasetSpec(make_gaussians, (2, 2), "Gaussian clusters", "two round clusters"),
    "blobs": DatasetSpec(make_gaussians, (3, 6), "Blobs (3-6 classes)", "several round clusters, one per class"),
}


def load_dataset(cfg) -> Dataset:
    """Generate and split the dataset a DataConfig describes (stratified, seeded)."""
    spec = DATASETS[cfg.dataset]
    X, y = spec.make(cfg.n_samples, noise=cfg.noise, n_classes=cfg.n_classes, random_state=cfg.random_state)
    X_train, X_test, y_train, y_test = train_test_split(
        np.asarray(X, dtype=np.float32),
        np.asarray(y, dtype=np.int64),
        test_size=cfg.test_fraction,
        stratify=y,
        random_state=cfg.random_state,
    )
    return Dataset(X_train, y_train, X_test, y_test, n_classes=cfg.n_classes)
