"""The values every data module passes around: a whole Table, and a train/test Dataset (a leaf: imports nothing of ours)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


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
