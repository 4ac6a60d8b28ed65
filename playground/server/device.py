"""Where training runs: CUDA when there is a GPU, else the CPU with a deliberate thread count."""
from __future__ import annotations

import math
import os
from pathlib import Path

import torch


def available() -> list[str]:
    """Devices this machine can train on, best first."""
    return (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]


CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>" or "max <period>"
CFS_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")  # cgroup v1


def cpu_quota(cpu_max: Path = CPU_MAX, cfs: tuple[Path, Path] = CFS_QUOTA) -> int | None:
    """Whole CPUs a container's quota allows (docker --cpus, Kubernetes limits), rounded up; None if unlimited."""
    try:
        if cpu_max.exists():
            quota, period = cpu_max.read_text().split()[:2]
        else:
            quota, period = (f.read_text().strip() for f in cfs)
        if quota in ("max", "-1"):
            return None
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        return None


def cores() -> int:
    """CPU cores this process may use: its affinity mask (taskset, cpusets), capped by a container's CPU quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    quota = cpu_quota()
    return min(n, quota) if quota else n


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
