"""PLAYGROUND_STORE: a run finished in one process shows at once, from the cache, in a session of another process."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from apptest_helpers import metrics, run_app

import playground.app.session as ui
from playground.server.disk_store import DiskStore
from playground.server.store import Bounded

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture
def shared_store(tmp_path, monkeypatch):
    """PLAYGROUND_STORE set to a fresh directory; result_store() opens it anew (as a new process would)."""
    monkeypatch.setenv("PLAYGROUND_STORE", str(tmp_path / "runs"))
    ui.result_store.clear()
    yield tmp_path / "runs"
    ui.result_store.clear()  # the next test's result_store() is the in-process one again


def test_unset_the_store_is_in_this_process(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_STORE", raising=False)
    ui.result_store.clear()
    assert isinstance(ui.result_store(), Bounded)


def test_a_run_finished_in_one_process_shows_from_the_cache_in_another(shared_store):
    at = run_app(APP, {"epochs": 3, "random_state": 141}, timeout=60)
    at.button(key="train").click().run()
    assert not at.exception and "Finished 3 epochs" in at.success[0].value
    first = ui.result_store()
    assert isinstance(first, DiskStore) and len(first) == 1 and first.directory == str(shared_store)
    ui.result_store.clear()  # another process: its own store object on the same directory
    other = run_app(APP, {"epochs": 3, "random_state": 141}, timeout=60)
    assert ui.result_store() is not first
    assert not other.exception and "trained before, so it is shown from the cache" in other.success[0].value
    assert metrics(other)["Test loss"] == metrics(at)["Test loss"]


def test_a_stored_run_that_does_not_fit_its_network_is_a_miss(shared_store, caplog):
    at = run_app(APP, {"epochs": 2, "random_state": 144}, timeout=60)
    at.button(key="train").click().run()
    cfg = next(reversed(at.session_state["runs"].values())).cfg
    state, history, snap, frames = ui.result_store().get((ui.ENGINE_VERSION, cfg))
    wrong = {name: torch.zeros(3, 3) for name in state}  # the right format and names, the wrong shapes
    # its frames match it (a mismatch is refused as the entry is read: tests/unit/test_disk_store.py)
    ui.result_store().put((ui.ENGINE_VERSION, cfg), (wrong, history, snap, {epoch: wrong for epoch in frames}))
    ui.result_store.clear()
    other = run_app(APP, {"epochs": 2, "random_state": 144}, timeout=60)
    assert not other.exception and "Press **Train**" in other.info[0].value
    assert "does not fit its network, dropped" in caplog.text
    assert ui.result_store().get((ui.ENGINE_VERSION, cfg)) is None


def test_secrets_toml_can_name_the_store_instead(tmp_path, monkeypatch):
    monkeypatch.delenv("PLAYGROUND_STORE", raising=False)
    monkeypatch.delenv("PLAYGROUND_STORE_MB", raising=False)
    ui.result_store.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["store"] = {"path": str(tmp_path / "runs"), "size_mb": 64}
        at.run()
        assert not at.exception
        store = ui.result_store()
        assert isinstance(store, DiskStore) and store.directory == str(tmp_path / "runs") and store.size_limit == 64 * 2**20
    finally:
        ui.result_store.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int, store: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PLAYGROUND_STORE=str(store))
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not start: {log.read_text()}")


@pytest.mark.filterwarnings(r"ignore:connect\(\) must be used as a context manager")  # the benchmark client's style
def test_two_servers_share_finished_runs(tmp_path):
    """Two `streamlit run` processes on one host, one PLAYGROUND_STORE: train in one, open the same settings in the
    other (over the page's websocket protocol, no browser) and it is shown from the cache."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _client import ProtocolSession

    store, ports = tmp_path / "runs", [_free_port(), _free_port()]
    logs = [tmp_path / f"server{i}.log" for i in range(2)]
    procs = [_start(port, store, log) for port, log in zip(ports, logs)]
    sessions = []
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, proc, log in zip(urls, procs, logs):
            _wait_healthy(url, proc, log)
        query = "epochs=4&seed=142"
        trainer = ProtocolSession(urls[0], query)
        sessions.append(trainer)
        trainer.rerun()
        assert trainer.wait_for(lambda c: "train" in c.buttons and c.script_runs_finished >= 1, 90)
        trainer.rerun("train")
        assert trainer.wait_for(lambda c: c.shows("Finished 4 epochs"), 90), trainer.alerts
        viewer = ProtocolSession(urls[1], query)
        sessions.append(viewer)
        viewer.rerun()
        assert viewer.wait_for(lambda c: c.shows("shown from the cache") and "Test loss" in c.metrics, 90), viewer.alerts
        assert viewer.metrics["Test loss"] == trainer.metrics["Test loss"]
        assert not trainer.exceptions and not viewer.exceptions
    finally:
        for session in sessions:
            session.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
    assert not any("Traceback" in log.read_text() for log in logs)


@pytest.mark.parametrize("setting", ["file", "size"])
def test_a_store_setting_that_cannot_be_used_leaves_the_runs_in_this_process(setting, tmp_path, monkeypatch):
    """A path that is a file (or a directory it may not write), or a size that is no number: logged, and the app
    serves on with the in-process store instead of failing on every page."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("PLAYGROUND_STORE", str(blocker if setting == "file" else tmp_path / "runs"))
    monkeypatch.setenv("PLAYGROUND_STORE_MB", "many" if setting == "size" else "64")
    ui.result_store.clear()
    try:
        assert isinstance(ui.result_store(), Bounded)
    finally:
        ui.result_store.clear()
