"""A classroom on one server: 10 browser sessions training at once, a page opened meanwhile, a tab closed.

1. 10 Streamlit sessions open the 2-D page through a share link with N epochs (default 300;
   `load.py 100` for 100) and their own seed, and all press Train. All must finish ("Finished N
   epochs") with no exception on the page; each one's final test accuracy is printed. The students
   are protocol clients by default (benchmarks/_client.py: the page's own websocket messages, every
   frame received and parsed), because in a classroom their browsers run on their own machines;
   `--browsers` makes them 10 Chromium tabs on this machine instead, competing with the server.
2. While they train, one more Chromium tab trains the 2-D page and is watched as
   benchmarks/browser_latency.py watches it: every animation frame sampled for a boundary on
   screen (target: no blank sample), boundary pictures a second, one chart instance. Then a new
   context opens the page: time from goto until the first script run is over and the boundary
   chart is drawn. Target: <= 3 s. In-page marks split each load into its stages (HTML parsed,
   app shown, script running, script done, boundary drawn).
3. A tab closed mid-training must stop its training: one context trains 1000 epochs, is closed,
   and the server's CPU use is sampled until it is back to idle. Target: a few seconds (<= 5 s).

The server is pinned to one core, as on a one-CPU hosted instance, and everything that plays
the students (clients, Chromium) to the other core(s), as their own machines; `--shared-cores`
lets them all share every core instead. The CPU use of the server and of the clients is printed. Training sessions take turns
in the server's training slots (playground/turns.py). Run: .venv/bin/python benchmarks/load.py
[epochs] [--browsers] [--shared-cores]
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _client import ProtocolSession  # noqa: E402
from browser_latency import measure_train  # noqa: E402
from _server import (  # noqa: E402
    BOUNDARY_TITLE, EXCEPTION, IDLE, PROGRESS, ROOT, Server, browser_pids, chromium, click, cpu_by_pid, cpu_percent,
    cpu_seconds, cpu_used, load_average, metric, table, yes,
)

SESSIONS = 10
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
EPOCHS = int(ARGS[0]) if ARGS else 300  # long enough (about 30 s for all 10 here) to time 3 page loads meanwhile
BROWSER_STUDENTS = "--browsers" in sys.argv
SHARED_CORES = "--shared-cores" in sys.argv or len(os.sched_getaffinity(0)) < 2
SERVER_CPUS = None if SHARED_CORES else {min(os.sched_getaffinity(0))}  # one core: a one-CPU host
FINISH_TIMEOUT = 150  # seconds for all sessions together
TARGET_LOAD_S, TARGET_IDLE_S = 3.0, 5.0
NEW_LOADS = 3  # new page loads timed while the sessions train (fewer if they finish first)
QUIET_WINDOW, QUIET_TIMEOUT = 0.5, 30.0


def link(base: str, seed: int, epochs: int) -> str:
    return f"{base}/?epochs={epochs}&seed={seed}"  # a share link fills the widgets on the first run


def new_session(browser, url: str):
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.goto(url)
    return page


LOAD_TIMEOUT_MS = 30_000


LOAD_MARKS = """
(() => {
  const marks = window.__marks = {};
  const mark = k => { if (!(k in marks)) marks[k] = Math.round(performance.now()); };
  const check = () => {
    const state = document.querySelector("[data-testid='stApp']")?.getAttribute('data-test-script-state');
    if (state) mark('app shown');
    if (state === 'running') mark('script running');
    if (state === 'notRunning' && 'script running' in marks) mark('script done');
    if (document.querySelector("[data-testid='stEChartsChart'][aria-label^='Decision boundary'] canvas")) mark('boundary drawn');
  };
  document.addEventListener('DOMContentLoaded', () => {
    mark('html parsed');
    new MutationObserver(check).observe(document.body, {subtree: true, childList: true, attributes: true});
  });
})();
"""
STAGES = ("html parsed", "app shown", "script running", "script done", "boundary drawn")


def timed_page_load(browser, url: str) -> tuple[float | None, dict]:
    """Seconds from goto to the first script run over with the boundary chart drawn (None: over 30 s),
    and the in-page milliseconds at which each stage of the load was reached."""
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    context.add_init_script(LOAD_MARKS)
    page = context.new_page()
    t0 = time.perf_counter()
    try:
        page.goto(url, timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(BOUNDARY_TITLE, timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(IDLE, timeout=LOAD_TIMEOUT_MS)
        elapsed = time.perf_counter() - t0
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: reported as "> 30 s"
        elapsed = None
    try:
        marks = page.evaluate("window.__marks || {}")
    except Exception:  # noqa: BLE001
        marks = {}
    context.close()
    return elapsed, marks


def server_first_run(url: str) -> float | None:
    """Seconds from opening a session's websocket to the end of its first script run: the server's part of a page load."""
    t0 = time.perf_counter()
    session = ProtocolSession(url)
    session.rerun()
    done = session.wait_for(lambda c: c.script_runs_finished >= 1, LOAD_TIMEOUT_MS / 1000)
    elapsed = time.perf_counter() - t0
    session.close()
    return elapsed if done else None


def stages(marks: dict) -> str:
    return " / ".join(f"{marks[k] / 1000:.1f}" if k in marks else "-" for k in STAGES)


def fmt_s(value) -> str:
    return f"> {LOAD_TIMEOUT_MS / 1000:g} s" if value is None else f"{value:.2f} s"


class BrowserStudent:
    """A student as a Chromium tab on this machine."""

    def __init__(self, browser, base: str, seed: int):
        self.page = new_session(browser, link(base, seed, EPOCHS))

    def ready(self) -> None:
        self.page.wait_for_selector(IDLE, timeout=90_000)
        self.page.wait_for_selector(f"{PROGRESS}:has-text('Epoch 0 / {EPOCHS}')", timeout=30_000)

    def train(self) -> None:
        click(self.page, "train")

    def finished(self) -> bool:
        return self.page.locator(f"text=Finished {EPOCHS} epochs").count() > 0

    def finished_at(self) -> float | None:
        """When the finish was seen (polled: an upper bound)."""
        return time.monotonic() if self.finished() else None

    def result(self) -> tuple[str, int]:
        """(test accuracy shown, exceptions shown)."""
        try:
            self.page.wait_for_selector(IDLE, timeout=10_000)
        except Exception:  # noqa: BLE001 - still running: reported as not finished
            pass
        return (metric(self.page, "Test accuracy") if self.finished() else "-"), self.page.locator(EXCEPTION).count()

    def close(self) -> None:
        self.page.context.close()


class ProtocolStudent:
    """A student as the page's websocket protocol, without a browser (see benchmarks/_client.py)."""

    def __init__(self, browser, base: str, seed: int):
        self.session = ProtocolSession(base, link("", seed, EPOCHS).split("?", 1)[1])
        self.session.rerun()

    def ready(self) -> None:
        if not self.session.wait_for(lambda c: "train" in c.buttons and c.script_runs_finished >= 1, 90):
            raise RuntimeError("a protocol session never showed its Train button")

    def train(self) -> None:
        self.session.rerun("train")

    def finished(self) -> bool:
        return self.session.shows(f"Finished {EPOCHS} epochs")

    def finished_at(self) -> float | None:
        """When the finish message arrived (stamped by the client's reader)."""
        return self.session.first_shown(f"Finished {EPOCHS} epochs")

    def result(self) -> tuple[str, int]:
        return (self.session.metrics.get("Test accuracy", "-") if self.finished() else "-"), len(self.session.exceptions)

    def close(self) -> None:
        self.session.close()


def torch_threads() -> str:
    sys.path.insert(0, str(ROOT))
    from playground.server import device  # imports torch: the same rule the server applies

    env = os.environ.get("PLAYGROUND_THREADS")
    return f"{device.cpu_threads()} per process (PLAYGROUND_THREADS={env or 'unset'}; device.configure())"


def slots(cpus: set[int] | None) -> str:
    """The server's training slots: the rule of playground.turns.default_slots on the server's cores."""
    from playground.server import device

    env = os.environ.get("PLAYGROUND_SLOTS", "")
    n = int(env) if env.isdigit() else max(1, (len(cpus) if cpus else device.cores()) // device.cpu_threads())
    return f"{n} (PLAYGROUND_SLOTS={env or 'unset'})"


def main() -> None:
    threads = torch_threads()
    load_before = load_average()
    if SERVER_CPUS:  # the students' side (this script, its Chromium) keeps off the server's core
        os.sched_setaffinity(0, os.sched_getaffinity(0) - SERVER_CPUS)
    with Server("load", cpus=SERVER_CPUS) as server, chromium() as browser:
        pid = server.pid
        # warm the server (imports, the moons dataset cache) so the sessions start alike
        warm, warm_marks = timed_page_load(browser, server.url)
        idle = [timed_page_load(browser, server.url) for _ in range(2)]  # the same load with nobody training
        idle_server = [server_first_run(server.url) for _ in range(3)]

        kind = BrowserStudent if BROWSER_STUDENTS else ProtocolStudent
        students = [kind(browser, server.url, 81_000 + i) for i in range(SESSIONS)]
        for student in students:
            student.ready()
        chrome = browser_pids(pid)
        cpu0, chrome0, own0, t0 = cpu_seconds(pid), cpu_by_pid(chrome), time.process_time(), time.monotonic()
        for student in students:
            student.train()

        watcher = new_session(browser, server.url)  # a learner watching the board while the class trains
        watcher.wait_for_selector(IDLE, timeout=60_000)
        watched = measure_train(watcher, 83_000)
        watched["others"] = sum(not s.finished() for s in students)
        watcher.context.close()

        loads, busy_server = [], []
        for _ in range(NEW_LOADS):
            if all(s.finished() for s in students):
                break
            loads.append(timed_page_load(browser, server.url))
            busy_server.append(server_first_run(server.url))
        still_training = sum(not s.finished() for s in students)

        deadline = time.monotonic() + FINISH_TIMEOUT
        finish_s = {}
        while time.monotonic() < deadline and len(finish_s) < SESSIONS:
            for i, student in enumerate(students):
                at = student.finished_at() if i not in finish_s else None
                if at is not None:
                    finish_s[i] = at - t0
            time.sleep(0.2)
        phase = time.monotonic() - t0
        busy_cpu = 100 * (cpu_seconds(pid) - cpu0) / phase
        client_cpu = 100 * (cpu_used(chrome0, cpu_by_pid(browser_pids(pid))) + time.process_time() - own0) / phase
        results = []
        for i, student in enumerate(students):
            accuracy, errors = student.result()
            results.append((81_000 + i, i in finish_s, finish_s.get(i), accuracy, errors))
        for student in students:
            student.close()

        # a tab closed mid-training
        time.sleep(2)
        idle_cpu = cpu_percent(pid, 2.0)
        page = new_session(browser, link(server.url, 82_000, 1000))
        page.wait_for_selector(IDLE, timeout=60_000)
        click(page, "train")
        page.wait_for_function("document.querySelector(\"[data-testid='stProgress']\")?.innerText.match(/Epoch [1-9]/)",
                               timeout=30_000)
        training_cpu = cpu_percent(pid, 1.5)
        epoch_at_close = page.locator(PROGRESS).first.inner_text()
        threshold = max(10.0, 2 * idle_cpu + 5)
        t_close = time.monotonic()
        page.context.close()
        to_idle, samples = None, []
        while time.monotonic() - t_close < QUIET_TIMEOUT:
            samples.append(round(cpu_percent(pid, QUIET_WINDOW)))
            if samples[-1] < threshold:
                to_idle = time.monotonic() - t_close
                break
        after_cpu = cpu_percent(pid, 2.0)
        tracebacks = server.log_text().count("Traceback")

    server_slots = slots(SERVER_CPUS)
    students = "Chromium tabs on this machine" if BROWSER_STUDENTS else "protocol clients (their browsers elsewhere)"
    cores = "all cores shared" if SHARED_CORES else f"server pinned to core {sorted(SERVER_CPUS)}, students on the others"
    print(f"{SESSIONS} sessions x {EPOCHS} epochs on the 2-D page (moons defaults), students as {students}; "
          f"{cores}; torch threads: {threads}; training slots in the server: {server_slots}; "
          f"machine: {os.cpu_count()} CPUs, load average {load_before} before, {load_average()} after")
    print()
    rows = [(seed, "yes" if done else "NO", f"{t:.1f} s" if t else "-", acc, errors) for seed, done, t, acc, errors in results]
    table("each session", rows, header=("seed", "finished", "after", "test accuracy", "exceptions"))

    all_done = all(r[1] for r in results)
    no_errors = not any(r[4] for r in results)
    load_marks = [m for _, m in loads]
    loads = [x for x, _ in loads]
    load_s = statistics.median([float("inf") if x is None else x for x in loads]) if loads else None
    load_s = None if load_s == float("inf") else load_s
    rows = [
        ("sessions finished", f"{sum(r[1] for r in results)}/{SESSIONS}", f"{SESSIONS}/{SESSIONS}", yes(all_done)),
        ("sessions showing an exception", sum(bool(r[4]) for r in results), 0, yes(no_errors)),
        ("all finished after", f"{max(finish_s.values()):.1f} s" if finish_s else "-", "info", "-"),
        ("server CPU while they train (100% = one core)", f"{busy_cpu:.0f}%", "info", "-"),
        (f"students' {'Chromium tabs' if BROWSER_STUDENTS else 'protocol clients'} + this script's browser, CPU meanwhile",
         f"{client_cpu:.0f}%", "info", "-"),
        ("first page load, fresh server (imports, data cache)", fmt_s(warm), "info", "-"),
        (f"page load, nobody training (median of {len(idle)}: {', '.join(fmt_s(x) for x, _ in idle)})",
         fmt_s(statistics.median([x or float('inf') for x, _ in idle])), "info", "-"),
        (f"new page load during training (median of {len(loads)}: {', '.join(fmt_s(x) for x in loads)})",
         fmt_s(load_s), f"<= {TARGET_LOAD_S:g} s", yes(load_s is not None and load_s <= TARGET_LOAD_S)),
        ("  sessions still training after those loads", f"{still_training}/{SESSIONS}", "info", "-"),
        (f"a tab training meanwhile ({watched['others']}/{SESSIONS} others still training): samples without a boundary",
         f"{watched['blanks']} of {watched['samples']}", "0", yes(watched["blanks"] == 0 and watched["samples"] > 0)),
        ("  its boundary pictures a second; ECharts instances over the run",
         f"{watched['title_fps'] or 0:.1f}/s; {watched['instances']}", "info; 1", yes(watched["instances"] == 1)),
        ("  the server's part: websocket open -> first script run over, nobody training",
         fmt_s(statistics.median([x or float('inf') for x in idle_server])), "info", "-"),
        (f"  the server's part during training ({', '.join(fmt_s(x) for x in busy_server)})",
         fmt_s(statistics.median([x or float('inf') for x in busy_server])) if busy_server else "-", "info", "-"),
    ]
    rows += [(f"  load stages (s): {' / '.join(STAGES)}", "", "", "")]
    rows += [(f"    {label}: {stages(m)}", "", "", "") for label, m in
             [("fresh server", warm_marks)] + [(f"nobody training #{n}", m) for n, (_, m) in enumerate(idle, 1)]
             + [(f"during training #{n}", m) for n, m in enumerate(load_marks, 1)]]
    table("concurrent training", rows)

    rows = [
        ("server CPU idle, before", f"{idle_cpu:.0f}%", "info", "-"),
        (f"server CPU training one session ({epoch_at_close})", f"{training_cpu:.0f}%", "info", "-"),
        (f"tab closed -> server CPU below {threshold:.0f}% (samples: {samples})",
         f"{to_idle:.1f} s" if to_idle is not None else f"> {QUIET_TIMEOUT:g} s", f"<= {TARGET_IDLE_S:g} s",
         yes(to_idle is not None and to_idle <= TARGET_IDLE_S)),
        ("server CPU 2 s after that", f"{after_cpu:.0f}%", "info", "-"),
    ]
    table("closing a tab mid-training", rows)
    if tracebacks:
        print(f"server log has {tracebacks} traceback(s): see {server.log_path}")


if __name__ == "__main__":
    main()
