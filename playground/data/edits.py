"""Points a learner added or removed by clicking on the 2-D plane, applied in order to the training set.

An edit is (x1, x2, value, add): add=1 appends a training point at (x1, x2) with that class (or regression
target); add=0 removes the training point nearest to (x1, x2) (never the last one). The test set is never
edited: it stays the fair judge of what the network learned.
"""
from __future__ import annotations

import math

import numpy as np

MAX_EDITS = 300  # clicks a config may carry (each is 4 numbers in a link)


def check_edits(edits, n_classes: int) -> tuple[tuple[float, float, float, float], ...]:
    """The edits as float 4-tuples; ValueError for a malformed one, a class the data lacks or too many."""
    if len(edits) > MAX_EDITS:
        raise ValueError(f"At most {MAX_EDITS} points can be added or removed by hand; this has {len(edits)}.")
    out = []
    for edit in edits:
        if len(edit) != 4 or not all(math.isfinite(float(v)) for v in edit) or float(edit[3]) not in (0.0, 1.0):
            raise ValueError(f"An edited point is x1, x2, its class or value, and 1 (add) or 0 (remove); got {edit}.")
        x1, x2, value, add = map(float, edit)
        if add and n_classes and not (value.is_integer() and 0 <= value < n_classes):
            raise ValueError(f"An added point's class must be one of 0..{n_classes - 1}; got {value:g}.")
        out.append((x1, x2, value, add))
    return tuple(out)


def apply_edits(X: np.ndarray, y: np.ndarray, edits) -> tuple[np.ndarray, np.ndarray]:
    """The training points and labels after the edits, in the order they were made."""
    X, y = np.asarray(X, dtype=np.float32), np.asarray(y)
    for x1, x2, value, add in edits:
        if add:
            X = np.vstack([X, np.array([[x1, x2]], dtype=np.float32)])
            y = np.concatenate([y, np.array([value], dtype=y.dtype)])
        elif len(X) > 1:
            nearest = int(np.argmin(((X - np.array([x1, x2], dtype=np.float32)) ** 2).sum(1)))
            X, y = np.delete(X, nearest, axis=0), np.delete(y, nearest)
    return X, y
