"""A big class through nginx: 30 sessions on 1 app process, then on 2 (deploy/replicas.py), on this machine.

For each process count, deploy/replicas.py starts the app processes (sharing a fresh PLAYGROUND_STORE) and
nginx on free 127.0.0.1 ports, and:
1. 30 sessions open the 2-D page through the proxy with a share link (`?epochs=E&seed=S`, a seed each)
   and press Train: 27 protocol clients (benchmarks/_client.py, each with its own sticky cookie from
   nginx, as a browser gets one) and 3 real Chromium tabs. Measured: the time until all 30 show
   "Finished E epochs", and meanwhile a new page load (a fresh Chromium context: goto until its first
   script run is over and the boundary chart is drawn, as benchmarks/load.py times it).
2. A second pass: 30 new sessions (new cookies, so with 2 processes about half land on the process that
   did not train their config) open the same 30 links. Measured: the share shown from the shared store
   ("shown from the cache") in their first script run, and how many of those were trained by the other process.

Both process counts run in one invocation, so the ratios compare like with like on this shared machine
(its load average is printed). Run: .venv/bin/python benchmarks/replicas.py [epochs, default 200] [--processes 1,2]
"""
from __future__ import annotations

import http.cookies
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _client import ProtocolSession  # noqa: E402
from _server import IDLE, chromium, cpu_by_pid, cpu_used, descendants, free_port, load_average, median, table  # noqa: E402
from load import timed_page_load  # noqa: E402

_spec = importlib.util.spec_from_file_location("deploy_replicas", HERE.parent / "deploy" / "replicas.py")
launcher = importlib.util.module_from_spec(_spec)  # deploy/replicas.py (this file has its name)
_spec.loader.exec_module(launcher)

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
EPOCHS = int(ARGS[0]) if ARGS else 200
PROCESS_COUNTS = next((tuple(int(n) for n in a.split("=", 1)[1].split(",")) for a in sys.argv if a.startswith("--processes=")),
                      (1, 2))
SESSIONS, TABS = 30, 3  # TABS of the SESSIONS are Chromium tabs, the rest protocol clients
SEED0 = 91_000
NEW_LOADS = 2
FINISH_TIMEOUT = 600
ROUTE = "playground_route"


def link(seed: int) -> str:
    return f"epochs={EPOCHS}&seed={seed}"


def new_cookie(url: str) -> tuple[str, str]:
    """A browser's first request through nginx: (its sticky cookie, the process nginx chose)."""
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
        jar = http.cookies.SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return f"{ROUTE}={jar[ROUTE].value}", response.headers["X-Playground-Upstream"]


class Protocol:
    def __init__(self, url: str, seed: int):
        cookie, self.upstream = new_cookie(url)
        self.session = ProtocolSession(url, link(seed), cookie=cookie)
        assert self.session.upstream == self.upstream, "the websocket left its sticky process"
        self.session.rerun()

    def ready(self, timeout: float) -> bool:
        return self.session.wait_for(lambda c: "train" in c.buttons and c.script_runs_finished >= 1, timeout)

    def train(self) -> None:
        self.session.rerun("train")

    def done_at(self) -> float | None:
        return self.session.first_shown(f"Finished {EPOCHS} epochs")

    def cached(self, timeout: float) -> bool:
        return self.session.wait_for(lambda c: c.script_runs_finished >= 1, timeout) and c_shows(self.session)

    def close(self) -> None:
        self.session.close()


def c_shows(session: ProtocolSession) -> bool:
    return any("shown from the cache" in alert for alert in session.alerts)


class Tab:
    def __init__(self, browser, url: str, seed: int):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1200})
        self.page = self.context.new_page()
        response = self.page.goto(f"{url}/?{link(seed)}", timeout=120_000)
        self.upstream = response.headers.get("x-playground-upstream")

    def ready(self, timeout: float) -> bool:
        self.page.wait_for_selector(IDLE, timeout=timeout * 1000)
        self.page.wait_for_selector(".st-key-train button", timeout=timeout * 1000)
        return True

    def train(self) -> None:
        self.page.locator(".st-key-train button").first.click()

    def done_at(self) -> float | None:
        return time.monotonic() if self.page.locator(f"text=Finished {EPOCHS} epochs").count() else None  # polled

    def cached(self, timeout: float) -> bool:
        try:
            self.page.wait_for_selector("text=shown from the cache", timeout=timeout * 1000)
            return True
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            return False

    def close(self) -> None:
        self.context.close()


def students(browser, url: str) -> list:
    seeds = [SEED0 + i for i in range(SESSIONS)]
    return [Tab(browser, url, s) for s in seeds[:TABS]] + [Protocol(url, s) for s in seeds[TABS:]]


def warm(url: str, processes: int) -> None:
    """One first script run in every process (imports, the moons data), as a server that has served a page."""
    seen = set()
    for _ in range(200):
        cookie, upstream = new_cookie(url)
        if upstream in seen:
            continue
        seen.add(upstream)
        session = ProtocolSession(url, "", cookie=cookie)
        session.rerun()
        session.wait_for(lambda c: c.script_runs_finished >= 1, 120)
        session.close()
        if len(seen) == processes:
            return


def measure(browser, processes: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"replicas{processes}-"))
    port = free_port()
    app_port = next(p for p in iter(free_port, None) if all(launcher.port_free(p + i) for i in range(processes)))
    group = launcher.Replicas(processes, port, app_port, "127.0.0.1", tmp / "store", tmp / "run",
                              os.environ.get("NGINX", "/usr/sbin/nginx"))
    out: dict = {"processes": processes}
    group.start()
    try:
        url = group.url
        t = time.perf_counter()
        warm(url, processes)
        out["warm_s"] = time.perf_counter() - t
        out["idle_load"], _ = timed_page_load(browser, url)
        pids = [p.pid for p in group.apps] + [group.proxy.pid] + descendants(group.proxy.pid)

        # pass 1: 30 sessions train
        first = students(browser, url)
        for s in first:
            if not s.ready(180):
                raise RuntimeError("a session never showed its Train button")
        out["spread"] = {u: sum(s.upstream == u for s in first) for u in sorted({s.upstream for s in first})}
        cpu0 = cpu_by_pid(pids)
        t0 = time.monotonic()
        for s in first:
            s.train()
        loads = []
        for _ in range(NEW_LOADS):
            if all(s.done_at() for s in first):
                break
            loads.append(timed_page_load(browser, url)[0])
        out["loads"] = loads
        done: dict[int, float] = {}
        while len(done) < SESSIONS and time.monotonic() - t0 < FINISH_TIMEOUT:
            for i, s in enumerate(first):
                at = s.done_at() if i not in done else None
                if at is not None:
                    done[i] = at - t0
            time.sleep(0.2)
        out["finished"] = len(done)
        out["all_done_s"] = max(done.values()) if len(done) == SESSIONS else None
        out["median_done_s"] = median(done.values())
        out["server_cpu"] = 100 * cpu_used(cpu0, cpu_by_pid(pids)) / (time.monotonic() - t0)
        trained_by = [s.upstream for s in first]
        out["exceptions"] = sum(len(s.session.exceptions) for s in first if isinstance(s, Protocol))
        for s in first:
            s.close()

        # pass 2: the same 30 configs in 30 new sessions
        t1 = time.monotonic()
        second = students(browser, url)
        cached = [s.cached(60) for s in second]
        out["second_s"] = time.monotonic() - t1
        out["cached"] = sum(cached)
        out["cached_elsewhere"] = sum(c and s.upstream != u for c, s, u in zip(cached, second, trained_by))
        out["elsewhere"] = sum(s.upstream != u for s, u in zip(second, trained_by))
        for s in second:
            s.close()
        out["tracebacks"] = sum((tmp / "run" / f"app-{p}.log").read_text().count("Traceback") for p in group.ports)
    finally:
        group.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def fmt(x, unit=" s") -> str:
    return "-" if x is None else f"{x:.1f}{unit}"


def ratio(a, b) -> str:
    return "-" if not a or not b else f"{b / a:.2f}x"


def main() -> None:
    load_before = load_average()
    results = []
    with chromium() as browser:
        for n in PROCESS_COUNTS:
            results.append(measure(browser, n))
    print(f"{SESSIONS} sessions ({SESSIONS - TABS} protocol clients, {TABS} Chromium tabs) x {EPOCHS} epochs on the 2-D page "
          f"through nginx (deploy/replicas.py, sticky cookie); machine: {os.cpu_count()} CPUs shared by the servers, "
          f"nginx, the clients and Chromium; load average {load_before} before, {load_average()} after")
    print()
    header = ("measure",) + tuple(f"{r['processes']} process{'es' if r['processes'] > 1 else ''}" for r in results) + \
        (("2 / 1",) if len(results) == 2 else ())

    def row(label, values, with_ratio=None):
        cells = (label,) + tuple(values)
        if len(results) == 2:
            cells += (with_ratio if with_ratio is not None else "",)
        return cells

    a, b = results if len(results) == 2 else (None, None)
    rows = [
        row("sessions per process (pass 1)", [" / ".join(str(v) for v in r["spread"].values()) for r in results]),
        row(f"sessions finished (of {SESSIONS})", [r["finished"] for r in results]),
        row("all 30 finished after", [fmt(r["all_done_s"]) for r in results], a and ratio(a["all_done_s"], b["all_done_s"])),
        row("median session finished after", [fmt(r["median_done_s"]) for r in results],
            a and ratio(a["median_done_s"], b["median_done_s"])),
        row("servers + nginx CPU while training (100% = one core)", [f"{r['server_cpu']:.0f}%" for r in results]),
        row("page load, nobody training", [fmt(r["idle_load"]) for r in results]),
        row("new page load during training (each)", [", ".join(fmt(x) for x in r["loads"]) or "-" for r in results],
            a and ratio(median(a["loads"]), median(b["loads"]))),
        row(f"pass 2: shown from the shared store (of {SESSIONS})", [r["cached"] for r in results]),
        row("  of them trained by the other process", [f"{r['cached_elsewhere']} (of {r['elsewhere']} routed there)"
                                                          for r in results]),
        row("  all 30 shown after", [fmt(r["second_s"]) for r in results]),
        row("exceptions on pages; tracebacks in the logs", [f"{r['exceptions']}; {r['tracebacks']}" for r in results]),
    ]
    table("30 sessions through nginx", rows, header=header)


if __name__ == "__main__":
    main()
