"""Shared helpers of the browser benchmarks: a `streamlit run` server on a free loopback port,
Debian's Chromium through Playwright, and process memory / CPU readings from /proc (or psutil).

Everything here talks to 127.0.0.1 only, and every wait is bounded in time.
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
BOUNDARY = "[data-testid='stEChartsChart'][aria-label^='Decision boundary']"  # the live boundary (ECharts)
BOUNDARY_TITLE = f"{BOUNDARY} canvas"  # drawn
PROGRESS = "[data-testid='stProgress']"
EXCEPTION = "[data-testid='stException']"
VIEWPORT = {"width": 1500, "height": 1200}
CLK_TCK = os.sysconf("SC_CLK_TCK")

try:  # optional: the numbers below come from /proc when psutil is missing
    import psutil
except ImportError:
    psutil = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run streamlit_app.py` on a free 127.0.0.1 port, as a context manager.

    The log goes to artifacts/<name>_server.log; `extra_env` adds environment variables; `cpus`
    pins the server to those cores (as a host with fewer CPUs would have).
    """

    def __init__(self, name: str, extra_env: dict | None = None, start_timeout: float = 60, cpus: set[int] | None = None):
        self.name, self.start_timeout, self.cpus = name, start_timeout, cpus
        self.env = {**os.environ, **(extra_env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"{name}_server.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1"],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=self.env,
            preexec_fn=(lambda: os.sched_setaffinity(0, self.cpus)) if self.cpus else None,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"streamlit did not start: {self.log_path.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        return self.log_path.read_text()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by Playwright, with the test suite's flags; yields the Browser."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, timeout_ms: int = 60_000, viewport: dict | None = None):
    """A new context (a new Streamlit session) on url, waited until its first script run is over."""
    context = browser.new_context(viewport=viewport or VIEWPORT)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    return page


def settle(page, timeout_ms: int = 60_000) -> None:
    """Let a widget change reach the server, then wait until the rerun it caused is over."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def set_number(page, key: str, value, timeout_ms: int = 60_000) -> None:
    box = page.locator(f".st-key-{key} input").first
    box.fill(str(value))
    box.press("Enter")
    settle(page, timeout_ms)


def click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text()


def progress_epoch(page) -> int:
    text = page.locator(PROGRESS).first.inner_text()
    match = re.search(r"Epoch (\d+)", text)
    return int(match.group(1)) if match else -1


# ---- process readings -------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (psutil, else /proc/<pid>/status VmRSS)."""
    if psutil:
        return psutil.Process(pid).memory_info().rss / 2**20
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) in seconds."""
    if psutil:
        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def descendants(pid: int) -> list[int]:
    """Every live process below pid (children, grandchildren, ...), read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def browser_pids(server_pid: int) -> list[int]:
    """This script's Playwright driver and Chromium processes (our descendants but the server)."""
    return [p for p in descendants(os.getpid()) if p != server_pid and p not in descendants(server_pid)]


def cpu_by_pid(pids) -> dict[int, float]:
    """CPU seconds of each process that is still there."""
    out = {}
    for p in pids:
        try:
            out[p] = cpu_seconds(p)
        except Exception:  # noqa: BLE001 - a renderer that ended meanwhile
            continue
    return out


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two cpu_by_pid readings (processes started meanwhile count fully)."""
    return sum(t - before.get(p, 0.0) for p, t in after.items())


def cpu_percent(pid: int, seconds: float) -> float:
    """Average CPU use of pid over the next `seconds`, in percent of one core."""
    start, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - start) / (time.monotonic() - t0)


def load_average() -> str:
    """The 1-minute load average (how busy the machine is besides us)."""
    return Path("/proc/loadavg").read_text().split()[0]


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def table(title: str, rows: list[tuple], header: tuple = ("measure", "value", "target", "met")) -> None:
    """Print rows as an aligned text table."""
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(title)
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"
