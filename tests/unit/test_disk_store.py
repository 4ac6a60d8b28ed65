"""The store of finished runs shared by several processes (server/disk_store.py, engine/stored.py): what goes in comes
out equal, keys agree between processes, nothing planted in the directory runs, the size bound holds, and two
processes writing at once leave every entry whole."""
import hashlib
import logging
import math
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import diskcache
import pytest
import torch

from playground.config import Config
from playground.data.tables import load_dataset
from playground.engine import stored
from playground.engine.run import Run
from playground.engine.training import ENGINE_VERSION, History, Snapshot
from playground.server.disk_store import DiskStore, key_text

ROOT = Path(__file__).resolve().parents[2]


def _store(directory, **kwargs) -> DiskStore:
    return DiskStore(str(directory), stored.dumps, stored.loads, **kwargs)


def _raw_store(directory, **kwargs) -> DiskStore:
    """The same store for plain bytes (no torch in the way): what the size and concurrency tests need."""
    return DiskStore(str(directory), bytes, bytes, **kwargs)


@pytest.fixture(scope="module")
def finished():
    cfg = Config().replace(epochs=4, seed=211)
    run = Run(cfg, load_dataset(cfg.data))
    for _ in run.snapshots():
        pass
    return run


def _same_tensors(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_run_comes_back_equal_and_rebuilds_the_same_model(tmp_path, finished):
    store = _store(tmp_path)
    key = (ENGINE_VERSION, finished.cfg)
    assert store.get(key) is None and key not in store
    store.put(key, finished.result())
    state, history, snap, frames = store.get(key)
    want_state, want_history, want_snap, want_frames = finished.result()
    assert _same_tensors(state, want_state) and history == want_history and history.seconds == want_history.seconds
    assert (snap.epoch, snap.step, snap.n_epochs, snap.done, snap.diverged, snap.tick) == \
        (want_snap.epoch, want_snap.step, want_snap.n_epochs, want_snap.done, want_snap.diverged, want_snap.tick)
    assert snap.history is history
    assert frames.keys() == want_frames.keys() and all(_same_tensors(frames[e], want_frames[e]) for e in frames)
    rebuilt = Run.finished(finished.cfg, finished._data, state, history, snap, frames)
    assert rebuilt.history.last() == finished.history.last() and rebuilt.from_store and rebuilt.done
    assert store.get((ENGINE_VERSION, finished.cfg.replace(seed=212))) is None  # another config: a miss


def test_a_diverged_history_keeps_its_nan_and_message():
    history = History(epoch=[0, 1], train_loss=[0.7, float("nan")], test_loss=[0.7, float("inf")], train_score=[0.5, 0.5],
                      test_score=[0.5, 0.5], batch_epoch=[0.5], batch_loss=[1e300], seconds=0.25)
    snap = Snapshot(1, 19, 10, history, done=True, diverged="The loss blew up.")
    state, back, back_snap, frames = stored.loads(stored.dumps(({"w": torch.ones(2)}, history, snap, {})))
    assert math.isnan(back.train_loss[1]) and back.test_loss[1] == math.inf and back.batch_loss == [1e300]
    assert back_snap.diverged == "The loss blew up." and back_snap.step == 19 and frames == {}


def test_the_key_is_the_same_in_another_process(tmp_path, finished):
    """A run stored by another process (its own hash seed) is found here under the same settings."""
    script = textwrap.dedent(f"""
        from playground.config import Config
        from playground.data.tables import load_dataset
        from playground.engine import stored
        from playground.engine.run import Run
        from playground.engine.training import ENGINE_VERSION
        from playground.server.disk_store import DiskStore, key_text
        cfg = Config().replace(epochs=4, seed=211)
        run = Run(cfg, load_dataset(cfg.data))
        for _ in run.snapshots():
            pass
        DiskStore({str(tmp_path)!r}, stored.dumps, stored.loads).put((ENGINE_VERSION, cfg), run.result())
        print(key_text((ENGINE_VERSION, cfg)))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True)
    key = (ENGINE_VERSION, Config().replace(epochs=4, seed=211))
    assert out.stdout.strip() == key_text(key)
    state, history, _, _ = _store(tmp_path).get(key)
    assert _same_tensors(state, finished.result()[0]) and history.test_loss == finished.history.test_loss


def test_keys_differ_for_every_setting_that_makes_runs_differ():
    base = Config()
    others = [base.replace(lr=0.0300001), base.replace(features=("x1", "x2", "x1_sq")), base.replace(init="xavier"),
              base.replace(edits=((0.123456789, 0.5, 1.0, 1.0),)), base.replace(edits=((0.123456788, 0.5, 1.0, 1.0),))]
    texts = {key_text((ENGINE_VERSION, cfg)) for cfg in [base, *others]}
    assert len(texts) == 1 + len(others)
    assert key_text((ENGINE_VERSION, base)) != key_text((ENGINE_VERSION + 1, base))
    assert key_text((ENGINE_VERSION, Config())) == key_text((ENGINE_VERSION, base))


class Planted:
    """Unpickling it would write a file: the proof that a planted entry ran code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (self.path, "w")


@pytest.mark.parametrize("padding", [0, 100_000], ids=["in the database", "in a file of its own"])
def test_a_planted_pickle_is_never_unpickled_and_reads_as_a_miss(tmp_path, caplog, padding):
    directory, proof = tmp_path / "runs", tmp_path / "ran"
    key = (ENGINE_VERSION, Config())
    with diskcache.Cache(str(directory), disk_min_file_size=2**15) as plain:  # diskcache's own pickle mode
        plain.set(key_text(key), [Planted(str(proof)), b"x" * padding])
        assert plain.get(key_text(key)) is not None and proof.exists()  # what an ordinary Cache would do: run it
    proof.unlink()
    store = _store(directory)
    with caplog.at_level(logging.WARNING):
        assert store.get(key) is None and store.get(key, "miss") == "miss"
    assert not proof.exists()
    assert "unreadable" in caplog.text and "mode 4" in caplog.text
    assert key not in store  # the bad entry went


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")  # torch, on the swapped file: then it refuses it
def test_planted_bytes_are_read_as_weights_only_and_miss(tmp_path, finished, caplog):
    """Bytes in the right place but not what dumps() wrote: a torch file holding an object, garbage, a truncated
    entry, a value file swapped for a pickle. Each is a miss; nothing runs; the page would carry on."""
    proof = tmp_path / "ran"
    store = _store(tmp_path / "runs")
    evil = tmp_path / "evil.pt"
    torch.save({"format": stored.FORMAT, "state_dict": Planted(str(proof))}, evil)
    good = stored.dumps(finished.result())
    cfgs = [Config().replace(seed=s) for s in range(300, 304)]
    raw = diskcache.Cache(str(tmp_path / "runs"), disk_min_file_size=1000)  # the same directory, bytes as the store writes
    for cfg, data in zip(cfgs, [evil.read_bytes(), b"not a torch file", good[: len(good) // 2], good]):
        raw.set(key_text((ENGINE_VERSION, cfg)), data)
    # the last entry is big enough for a file of its own: overwrite that file with a pickle
    (_, filename), = raw._sql("SELECT key, filename FROM Cache WHERE key = ?", (key_text((ENGINE_VERSION, cfgs[3])),))
    assert filename
    (tmp_path / "runs" / filename).write_bytes(pickle.dumps(Planted(str(proof))))
    with caplog.at_level(logging.WARNING):
        assert all(store.get((ENGINE_VERSION, cfg)) is None for cfg in cfgs)
    assert not proof.exists() and caplog.text.count("unreadable") == 4


def test_the_size_bound_evicts_the_least_recently_used(tmp_path):
    store = _raw_store(tmp_path, size_mb=1)
    blob = lambda i: bytes([i]) * 40_000  # noqa: E731 - in files of their own: about 25 fit
    store.put("first", blob(0))
    for i in range(1, 80):
        store.put(f"k{i}", blob(i))
        assert store.volume() <= 2**20
        if i % 5 == 0:
            assert store.get("first") == blob(0)  # kept in use: stays
    assert 10 <= len(store) <= 26
    assert store.get("first") == blob(0) and store.get("k79") == blob(79) and store.get("k1") is None


def _entry(who: str, i: int) -> tuple[str, bytes]:
    """Writer who's i-th entry: odd ones are written by both writers alike; about half go in files of their own."""
    key = f"shared{i}" if i % 2 else f"{who}{i}"
    return key, hashlib.sha256(key.encode()).digest() * ((10_000 + 1_000 * i) // 32)


WRITER = """
import sys
sys.path.insert(0, sys.argv[3])
from test_disk_store import _entry
from playground.server.disk_store import DiskStore
store = DiskStore(sys.argv[1], bytes, bytes)
for i in range(40):
    key, body = _entry(sys.argv[2], i)
    store.put(key, body)
    assert store.get(key) == body, key
print("ok")
"""


def test_two_processes_writing_at_once_leave_every_entry_whole(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), who, str(Path(__file__).parent)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for who in ("a", "b")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all(out.strip() == "ok" for out, _ in outs)
    store = _raw_store(tmp_path)
    entries = dict(_entry(who, i) for who in "ab" for i in range(40))
    assert len(entries) == len(store) == 60
    assert all(store.get(key) == body for key, body in entries.items())


def test_a_replay_frame_that_does_not_match_its_weights_is_refused(finished):
    """Well-formed but mismatched (another network's frame): refused when read, not when a replay loads it later."""
    from playground.engine import stored

    state, history, snap, frames = finished.result()
    epoch = next(iter(frames))
    wrong = {**frames, epoch: {name: torch.zeros(3) for name in state}}
    with pytest.raises(ValueError, match="replay frame"):
        stored.loads(stored.dumps((state, history, snap, wrong)))
    assert stored.loads(stored.dumps((state, history, snap, frames)))[3].keys() == frames.keys()
