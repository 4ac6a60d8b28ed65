"""Numeric lessons are checked over several seeds, never on one run's trajectory.

One seeded run is one floating-point trajectory: another processor's kernels (or another torch
thread count) send it elsewhere, and a test of exactly that kind once failed on a fresh machine.
A threshold test therefore measures a few seeds and asserts on the median, with a margin taken
from a sweep over many seeds at 1 and 2 threads (the margins are noted beside each test).
"""
import numpy as np

SEEDS = range(5)


def median_over_seeds(measure, seeds=SEEDS):
    """The median of measure(seed) over seeds; a measure that returns a tuple gets one median per entry."""
    values = np.array([measure(seed) for seed in seeds], dtype=float)
    return tuple(np.median(values, axis=0)) if values.ndim == 2 else float(np.median(values))
