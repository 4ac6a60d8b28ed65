"""Two app processes behind nginx, started as a school's IT person would (deploy/replicas.py): a run trained in a
session routed to one process is shown at once, from the shared store, in a session routed to the other."""
import http.cookies
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
ROUTE = "playground_route"  # deploy/nginx.conf.template's sticky cookie
_spec = importlib.util.spec_from_file_location("deploy_replicas", ROOT / "deploy" / "replicas.py")
launcher = importlib.util.module_from_spec(_spec)  # deploy/replicas.py: its port check
_spec.loader.exec_module(launcher)


def _free_ports(n: int) -> int:
    """The first of n consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + n < 65536 and all(launcher.port_free(first + i) for i in range(n)):
            return first
    raise RuntimeError("no consecutive free ports")


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


def _get(url: str, cookie: str | None = None):
    """(status, headers) of a GET through the proxy; error statuses are answers too."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def _route_cookie(headers) -> str:
    jar = http.cookies.SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    assert ROUTE in jar, f"nginx set no {ROUTE} cookie: {headers}"
    return f"{ROUTE}={jar[ROUTE].value}"


@pytest.fixture
def replicas(tmp_path):
    """deploy/replicas.py with 2 processes; yields (proxy url, app urls, run dir, launcher process)."""
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing in CI (.ci/run installs it: apt-get install nginx)")
        pytest.skip("no nginx on this machine (apt-get install nginx)")
    first = _free_ports(3)
    run_dir = tmp_path / "run"
    log = open(tmp_path / "launcher.log", "w")
    launcher = subprocess.Popen(
        [sys.executable, "deploy/replicas.py", "--processes", "2", "--port", str(first), "--app-port", str(first + 1),
         "--run-dir", str(run_dir), "--nginx", NGINX],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={k: v for k, v in os.environ.items() if k != "PLAYGROUND_STORE"})
    url = f"http://127.0.0.1:{first}"
    apps = [f"127.0.0.1:{first + 1}", f"127.0.0.1:{first + 2}"]
    try:
        deadline = time.monotonic() + 90
        while "open http" not in (tmp_path / "launcher.log").read_text():
            if launcher.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"deploy/replicas.py did not start: {(tmp_path / 'launcher.log').read_text()}")
            time.sleep(0.3)
        yield url, apps, run_dir, launcher
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
            launcher.wait(timeout=60)
        log.close()


@pytest.mark.filterwarnings(r"ignore:connect\(\) must be used as a context manager")  # the benchmark client's style
def test_a_run_trained_behind_one_process_shows_at_once_behind_the_other(replicas):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _client import ProtocolSession

    url, apps, run_dir, launcher = replicas
    # A browser's first request: nginx picks a process, names it, and sets the sticky cookie.
    status, headers = _get(f"{url}/")
    assert status == 200
    first_cookie, first_app = _route_cookie(headers), headers["X-Playground-Upstream"]
    assert first_app in apps
    sessions = []
    try:
        query = "epochs=4&seed=171"
        trainer = ProtocolSession(url, query, cookie=first_cookie)
        sessions.append(trainer)
        assert trainer.upstream == first_app  # the websocket followed the page
        # an upload with that cookie reaches the same process (whatever the process answers to a bare request)
        assert _get(f"{url}/_stcore/upload_file/none/none", first_cookie)[1]["X-Playground-Upstream"] == first_app
        trainer.rerun()
        assert trainer.wait_for(lambda c: "train" in c.buttons and c.script_runs_finished >= 1, 60)
        trainer.rerun("train")
        assert trainer.wait_for(lambda c: c.shows("Finished 4 epochs"), 60), trainer.alerts

        # Another browser: new cookies until nginx sends one to the other process (each is an even chance).
        for _ in range(40):
            status, headers = _get(f"{url}/")
            if headers["X-Playground-Upstream"] != first_app:
                break
        other_app, other_cookie = headers["X-Playground-Upstream"], _route_cookie(headers)
        assert other_app in apps and other_app != first_app
        # that process's first script run imports torch and the pages (seconds): a page opened there before
        warm = ProtocolSession(url, "", cookie=other_cookie)
        sessions.append(warm)
        warm.rerun()
        assert warm.wait_for(lambda c: c.script_runs_finished >= 1, 60) and warm.upstream == other_app
        viewer = ProtocolSession(url, query, cookie=other_cookie)
        sessions.append(viewer)
        assert viewer.upstream == other_app
        t0 = time.monotonic()
        viewer.rerun()
        assert viewer.wait_for(lambda c: c.shows("shown from the cache") and "Test loss" in c.metrics, 30), viewer.alerts
        shown_after = viewer.first_shown("shown from the cache") - t0
        assert shown_after < 5, f"the stored run took {shown_after:.1f} s to show"
        assert viewer.metrics["Test loss"] == trainer.metrics["Test loss"]
        assert not trainer.exceptions and not viewer.exceptions
    finally:
        for session in sessions:
            session.close()

    # nginx's own log agrees: each session's websocket went to its process
    access = (run_dir / "nginx" / "access.log").read_text().splitlines()
    streams = [line for line in access if "/_stcore/stream" in line and " 101 " in line]
    assert any(f"upstream={first_app} route={first_cookie.split('=')[1]}" in line for line in streams), streams
    assert any(f"upstream={other_app} route={other_cookie.split('=')[1]}" in line for line in streams), streams

    # SIGTERM (as Ctrl-C) stops nginx and both app processes
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(timeout=60) == 0
    for address in [url.removeprefix("http://")] + apps:
        host, port = address.split(":")
        assert not _listening(int(port)), f"{address} still listening after the launcher stopped"
    logs = [run_dir / f"app-{app.split(':')[1]}.log" for app in apps]
    assert not any("Traceback" in log.read_text() for log in logs)
