"""Dataset registry: name -> sklearn-style generator, and the split Dataset value."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass(frozen=True)
class Dataset:
    """A train/test split: float32 features; int64 class labels, or float32 targets (regression)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int  # 0 for regression
    feature_names: tuple[str, ...] = ("x1", "x2")
    class_names: tuple[str, ...] | None = None
    target_name: str = "class"
    notes: tuple[str, ...] = ()  # what loading did: standardised, rows dropped, ...
    # Applied to each batch before the model sees it (images: uint8 pixels -> normalised floats),
    # so big image sets stay compact in memory as uint8.
    transform: Callable | None = None

    def __post_init__(self):
        if self.class_names is None and self.n_classes:
            object.__setattr__(self, "class_names", tuple(f"class {k}" for k in range(self.n_classes)))

    @property
    def n_features(self) -> int:
        return int(np.prod(self.X_train.shape[1:]))

    @property
    def input_shape(self) -> tuple[int, ...]:
        """(n_features,) for tables, (C, H, W) for images."""
        return tuple(self.X_train.shape[1:])

    @property
    def task(self) -> str:
        return "classification" if self.n_classes else "regression"


@dataclass(frozen=True)
class Table:
    """A whole dataset before splitting, as a generator or loader returns it."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...] | None = None
    class_names: tuple[str, ...] | None = None
    target_name: str = "class"


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


def _sklearn_table(loader):
    """A loader for one of the datasets sklearn ships (no download)."""
    def load(n_samples=None, *, noise=0.0, n_classes=None, random_state=None):
        bunch = loader()
        return Table(bunch.data, bunch.target, tuple(bunch.feature_names), tuple(map(str, bunch.target_names)))
    return load


def _pima(n_samples=None, *, noise=0.0, n_classes=None, random_state=None):
    from playground.downloads import load_pima  # network code only when Pima is chosen

    return load_pima()


@dataclass(frozen=True)
class DatasetSpec:
    """One registry entry: its generator or loader, class counts, and where and how it is shown."""

    make: Callable
    classes: tuple[int, int]  # (0, 0) for regression
    label: str
    about: str
    page: str = "2d"  # "2d" or "tabular"
    size: int | None = None  # fixed number of rows: n_samples and noise do not apply
    noise_label: str = "Noise"
    noise_range: tuple[float, float] = (0.0, 1.0)


DATASETS: dict[str, DatasetSpec] = {
    "moons": DatasetSpec(make_moons, (2, 2), "Moons", "two interleaving half circles"),
    "circles": DatasetSpec(make_circles, (2, 2), "Circles", "a ring around a disc: not linearly separable"),
    "xor": DatasetSpec(make_xor, (2, 2), "XOR", "opposite quadrants share a class"),
    "spiral": DatasetSpec(make_spiral, (2, 6), "Spiral", "interleaved spiral arms: the hardest one"),
    "gaussian": DatasetSpec(make_gaussians, (2, 2), "Gaussian clusters", "two round clusters"),
    "blobs": DatasetSpec(make_gaussians, (3, 6), "Blobs (3-6 classes)", "several round clusters, one per class"),
    "two_clusters": DatasetSpec(make_two_clusters, (2, 2), "Two clusters", "clusters at (0.2, 0.2) and (0.8, 0.8)"),
    "blobs_4d": DatasetSpec(
        make_blobs_4d, (3, 3), "Blobs 4-D", "3 Gaussian clusters in 4 dimensions (sklearn make_blobs)", "tabular",
        noise_label="Cluster spread (std)", noise_range=(0.5, 5.0),
    ),
    "iris": DatasetSpec(_sklearn_table(skd.load_iris), (3, 3), "Iris", "150 flowers, 4 measurements, 3 species", "tabular", 150),
    "wine": DatasetSpec(_sklearn_table(skd.load_wine), (3, 3), "Wine", "178 wines, 13 chemical measurements, 3 cultivars", "tabular", 178),
    "breast_cancer": DatasetSpec(
        _sklearn_table(skd.load_breast_cancer), (2, 2), "Breast cancer", "569 tumours, 30 cell measurements, benign or malignant", "tabular", 569
    ),
    "pima": DatasetSpec(
        _pima, (2, 2), "Pima Indians diabetes", "768 patients, 8 measurements, diabetes or not (downloaded once)", "tabular", 768
    ),
    "linear": DatasetSpec(
        make_linear, (0, 0), "Linear regression (y = 2x + noise)", "one input, a straight line plus noise", "tabular",
        noise_label="Noise (std of y)", noise_range=(0.0, 2.0),
    ),
}


def split_table(table: Table, cfg, notes: tuple[str, ...] = ()) -> Dataset:
    """Split a Table into train/test (stratified for classes), optionally standardising features."""
    regression = cfg.n_classes == 0
    X = np.asarray(table.X, dtype=np.float32)
    y = np.asarray(table.y, dtype=np.float32 if regression else np.int64)
    if not regression:
        _check_splittable(y, cfg.test_fraction, table.class_names)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=cfg.test_fraction, stratify=None if regression else y, random_state=cfg.random_state
    )
    if cfg.standardize:
        scaler = StandardScaler().fit(X_train)  # fitted on train only: the test set stays unseen
        X_train, X_test = (scaler.transform(a).astype(np.float32) for a in (X_train, X_test))
        notes = (*notes, "Features standardised to mean 0 and standard deviation 1 (fitted on the training split).")
    names = table.feature_names or tuple(f"x{i + 1}" for i in range(X.shape[1]))
    return Dataset(X_train, y_train, X_test, y_test, cfg.n_classes, tuple(names), table.class_names, table.target_name, notes)


def _check_splittable(y: np.ndarray, test_fraction: float, class_names) -> None:
    """Stratified splitting needs 2+ rows per class and room for every class on both sides."""
    counts = np.bincount(y)
    if counts.min() < 2:
        name = class_names[counts.argmin()] if class_names else counts.argmin()
        raise ValueError(f"Class {name} has only {counts.min()} row; every class needs at least 2 rows to be split into train and test.")
    n_test = int(np.ceil(len(y) * test_fraction))
    if min(n_test, len(y) - n_test) < len(counts):
        raise ValueError(
            f"A {test_fraction:.0%} test split of {len(y)} rows cannot hold all {len(counts)} classes on both sides; "
            "move the test split nearer 50% or use more rows."
        )


def load_dataset(cfg) -> Dataset:
    """Generate or load the dataset a DataConfig describes, then split it (seeded)."""
    from playground import images  # torchvision only when images are asked for

    if cfg.dataset in images.IMAGE_DATASETS:
        return images.as_dataset(images.IMAGE_DATASETS[cfg.dataset].load())
    spec = DATASETS[cfg.dataset]
    out = spec.make(cfg.n_samples, noise=cfg.noise, n_classes=cfg.n_classes, random_state=cfg.random_state)
    table = out if isinstance(out, Table) else Table(*out)
    return split_table(table, cfg)
