"""Shared fixtures: a real `streamlit run` server, Debian's Chromium driven by Playwright, a local HTTP server."""
import functools
import http.server
import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The 2-D page's live boundary: an ECharts chart whose accessible name (its alt text) names the epoch it pictures.
BOUNDARY = "[data-testid='stEChartsChart'][aria-label^='Decision boundary']"


def boundary_title(page) -> str:
    """"Decision boundary, epoch N" of the boundary on screen."""
    return page.locator(BOUNDARY).first.get_attribute("aria-label").split(":")[0]


def pytest_report_header():
    from playground.server import device

    return f"torch threads: {device.cpu_threads()} (PLAYGROUND_THREADS={os.environ.get('PLAYGROUND_THREADS', 'unset')})"


@pytest.fixture(autouse=True, scope="session")
def torch_threads():
    """The whole suite runs with the app's torch thread count: 1, or $PLAYGROUND_THREADS (run it with 1 and 2)."""
    import torch

    from playground.server import device

    before = torch.get_num_threads()
    device.configure()
    yield torch.get_num_threads()
    torch.set_num_threads(before)


@pytest.fixture
def pause_live_after(monkeypatch):
    """For AppTest page tests: pause_live_after(n) pauses every live loop after n steps, as Stop does.

    AppTest runs the page script in the test's own process, so the loop's steps (claims.owned_steps, as
    the live loop reaches it) can be cut short: the loop ends early, and the page's code after the loop
    finds the run not done and shows the Stop state. The next script run (Train again) gets n steps more.
    """
    from playground.app import live

    owned_steps = live.claims.owned_steps

    def pause_after(n: int) -> None:
        monkeypatch.setattr(live.claims, "owned_steps", lambda target, loop: itertools.islice(owned_steps(target, loop), n))

    return pause_after


def _unavailable(reason: str):
    """Browser tests must run in CI; elsewhere they may skip with the reason."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    """`streamlit run streamlit_app.py` on a free localhost port; yields (url, log path)."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {log_path.read_text()}")
    yield url, log_path
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r tests/requirements.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser context on the app, waited until the first script run is over."""
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    pg = context.new_page()
    pg.goto(server[0])
    pg.wait_for_selector(IDLE, timeout=60_000)
    settle(pg)  # on a fresh server the first run is followed by a second one (navigation.ensure_navigation)
    yield pg
    context.close()


@pytest.fixture
def projector(browser, server):
    """projector(query): a page of its own at 1280 x 720 (a classroom projector), opened at the app's URL + query."""
    contexts = []

    def open_page(query: str = ""):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        contexts.append(context)
        pg = context.new_page()
        pg.goto(server[0] + query)
        pg.wait_for_selector(IDLE, timeout=60_000)
        settle(pg)
        return pg

    yield open_page
    for context in contexts:
        context.close()


def settle(page) -> None:
    """Let a change reach the server, then wait until the rerun it caused is over."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=60_000)


def drawn_colours(locator) -> int:
    """How many distinct colours an element shows on screen (a blank chart shows one or two)."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB")).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def choose(page, key: str, option_name) -> None:
    """Pick an option of the selectbox with widget key `key` (option_name: text or regex).

    A rerun that lands while the list is open (a page's second run on a fresh server, say)
    closes the list again, so the click is retried up to three times.
    """
    option = page.get_by_role("option", name=option_name)
    for _ in range(3):
        page.wait_for_selector(IDLE, timeout=60_000)
        page.locator(f".st-key-{key}").click()
        try:
            option.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the list closed again
            page.keyboard.press("Escape")
    option.click()
    settle(page)


@pytest.fixture
def http_server(tmp_path):
    """Serves tmp_path/www over HTTP on localhost (downloads tested offline); yields (base url, folder, request log)."""
    www = tmp_path / "www"
    www.mkdir()
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            hits.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(www)))
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", www, hits
    httpd.shutdown()
    httpd.server_close()
