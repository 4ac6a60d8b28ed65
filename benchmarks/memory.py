"""Server memory: resident set of `streamlit run` above a bare process importing the same libraries.

1. A bare Python process imports torch, torchvision, streamlit, scikit-learn, plotly, pandas and
   mlxtend (the modules the app uses) and idles; its RSS is the floor.
2. One browser session trains every page once (2-D default, tables default, images default with
   3 epochs, the optimizer race default), moving between pages with the app's navigation.
   Target: server RSS - bare RSS <= 400 MB.
3. Then 20 training runs on the 2-D page (30 epochs, a new seed each): RSS after runs 1, 5, 10,
   15 and 20. Target: growth from run 5 to run 20 under 30 MB (every cache is bounded).

RSS comes from psutil when installed, else /proc/<pid>/status. Run: .venv/bin/python benchmarks/memory.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (  # noqa: E402
    EXCEPTION, IDLE, ROOT, Server, chromium, click, load_average, open_page, psutil, rss_mb, set_number, settle, table, yes,
)

TARGET_OVERHEAD_MB, TARGET_GROWTH_MB = 400, 30
RUNS, RUN_EPOCHS, REPORT_AFTER = 20, 30, (1, 5, 10, 15, 20)
BARE_IMPORTS = (
    "import torch, torchvision, streamlit, sklearn, pandas, mlxtend; "
    "import torchvision.datasets, torchvision.transforms.v2, sklearn.datasets, sklearn.model_selection, "
    "sklearn.decomposition, sklearn.metrics, sklearn.preprocessing, sklearn.pipeline, mlxtend.data, scipy.ndimage"
)


def bare_process() -> subprocess.Popen:
    """A process that only imports the libraries, says so, and waits until its stdin closes."""
    code = f"{BARE_IMPORTS}; import sys; print('ready', flush=True); sys.stdin.readline()"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # bounded: the imports either finish or the process dies
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError("the bare import process failed")
    return proc


def settled_rss(pid: int, seconds: float = 1.0) -> float:
    """RSS after a short pause (the last rerun's buffers are released)."""
    time.sleep(seconds)
    return rss_mb(pid)


def go_to(page, title: str, heading: str) -> None:
    """Switch page in the same session through the sidebar navigation."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    page.wait_for_selector(f"h1:has-text('{heading}')", timeout=60_000)
    settle(page, 60_000)


def train_and_wait(page, finished_text: str, button: str = "train", timeout_ms: int = 180_000) -> None:
    click(page, button)
    page.wait_for_timeout(300)
    page.wait_for_selector(f"text={finished_text}", timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=60_000)
    if page.locator(EXCEPTION).count():
        raise RuntimeError(f"exception on the page: {page.locator(EXCEPTION).first.inner_text()[:500]}")


def main() -> None:
    load_before = load_average()
    bare = bare_process()
    try:
        bare_mb = settled_rss(bare.pid)
    finally:
        bare.stdin.close()
        bare.wait(timeout=20)

    pages, runs = [], {}
    t0 = time.monotonic()
    with Server("memory") as server, chromium() as browser:
        pid = server.pid
        pages.append(("server started, no session yet", settled_rss(pid)))
        page = open_page(browser, server.url)
        pages.append(("2-D page opened", settled_rss(pid)))
        train_and_wait(page, "Finished 100 epochs")
        pages.append(("2-D default trained (100 epochs)", settled_rss(pid)))

        go_to(page, "Tables and regression", "Tables and regression")
        train_and_wait(page, "/Finished \\d+ epochs/")
        pages.append(("tables default trained", settled_rss(pid)))

        go_to(page, "Images", "Images")
        set_number(page, "images_epochs", 3, 120_000)
        train_and_wait(page, "Finished 3 epochs")
        pages.append(("images default trained (3 epochs)", settled_rss(pid)))

        go_to(page, "Optimizer race", "Optimizer race")
        train_and_wait(page, "/Race finished after/", button="race_start")
        pages.append(("optimizer race default raced", settled_rss(pid)))
        all_pages_mb = pages[-1][1]

        go_to(page, "2-D playground", "2-D playground")
        set_number(page, "epochs", RUN_EPOCHS)
        for n in range(1, RUNS + 1):
            set_number(page, "seed", 70_000 + n)
            train_and_wait(page, f"Finished {RUN_EPOCHS} epochs", timeout_ms=60_000)
            if n in REPORT_AFTER:
                runs[n] = settled_rss(pid)
        page.context.close()
        tracebacks = server.log_text().count("Traceback")
    elapsed = time.monotonic() - t0

    overhead = all_pages_mb - bare_mb
    growth = runs[RUNS] - runs[5]
    source = "psutil" if psutil else "/proc/<pid>/status VmRSS"
    print(f"server RSS ({source}); machine: {os.cpu_count()} CPUs, load average {load_before} before, "
          f"{load_average()} after; {elapsed:.0f} s with the server")
    print()
    rows = [("bare process: the libraries imported", f"{bare_mb:.0f} MB", "", "")]
    rows += [(label, f"{mb:.0f} MB", "", "") for label, mb in pages]
    rows.append(("server above bare, every page trained once", f"{overhead:.0f} MB", f"<= {TARGET_OVERHEAD_MB} MB",
                 yes(overhead <= TARGET_OVERHEAD_MB)))
    table("memory after each page", rows)

    rows = [(f"after run {n}", f"{mb:.0f} MB", "", "") for n, mb in runs.items()]
    rows.append(("growth run 5 -> run 20", f"{growth:+.0f} MB", f"< {TARGET_GROWTH_MB} MB", yes(growth < TARGET_GROWTH_MB)))
    table(f"{RUNS} training runs on the 2-D page ({RUN_EPOCHS} epochs, new seed each)", rows)
    if tracebacks:
        print(f"server log has {tracebacks} traceback(s): see {server.log_path}")


if __name__ == "__main__":
    main()
