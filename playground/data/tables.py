"""Loading any dataset of the catalog and splitting it into the train/test Dataset the engine trains on."""
from __future__ import annotations

import dataclasses

import numpy as np
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from playground.data.catalog import DATASETS, IMAGE_DATASETS
from playground.data.edits import apply_edits
from playground.data.types import Dataset, Table


def load_sklearn(name: str, n_samples=None, *, noise=0.0, n_classes=None, random_state=None) -> Table:
    """One of the tables scikit-learn ships (iris, wine, breast_cancer): no download."""
    bunch = getattr(skd, f"load_{name}")()
    return Table(bunch.data, bunch.target, tuple(bunch.feature_names), tuple(map(str, bunch.target_names)))


def load_pima(n_samples=None, *, noise=0.0, n_classes=None, random_state=None) -> Table:
    """The Pima Indians diabetes table (downloaded once, see fetch.py)."""
    from playground.data.fetch import load_pima as fetch_pima  # network code only when Pima is chosen

    return fetch_pima()


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
    if cfg.dataset in IMAGE_DATASETS:
        from playground.data import images  # torchvision only when images are asked for

        return images.as_dataset(IMAGE_DATASETS[cfg.dataset].load())
    spec = DATASETS[cfg.dataset]
    out = spec.make(cfg.n_samples, noise=cfg.noise, n_classes=cfg.n_classes, random_state=cfg.random_state)
    table = out if isinstance(out, Table) else Table(*out)
    data = split_table(table, cfg)
    if not cfg.edits:
        return data
    X_train, y_train = apply_edits(data.X_train, data.y_train, cfg.edits)
    return dataclasses.replace(data, X_train=X_train, y_train=y_train)
