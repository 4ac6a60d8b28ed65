"""Where training runs: CUDA when there is a GPU, else the CPU with a deliberate thread count."""
from __future__ import annotations

import os

import torch


def available() -> list[str]:
    """Devices this machine can train on, best first."""
    return (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]


def cores() -> int:
    """CPU cores this process may run on (its affinity mask: a container or `taskset` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_threads() -> int:
    """Threads per process: $PLAYGROUND_THREADS, else 1.

    One thread is fastest for the small models here and keeps a classroom's sessions (all in
    one server process) from oversubscribing the cores; a single user training CNNs on a big
    machine can raise it.
    """
    try:
        return max(1, int(os.environ.get("PLAYGROUND_THREADS", "1")))
    except ValueError:
        return 1


def configure() -> None:
    torch.set_num_threads(cpu_threads())


def describe(device: str) -> str:
    if device == "cuda":
        return f"GPU ({torch.cuda.get_device_name(0)})"
    return f"CPU, {torch.get_num_threads()} thread{'s' if torch.get_num_threads() > 1 else ''}"
