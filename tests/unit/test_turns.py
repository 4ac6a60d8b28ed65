import threading
import time

import pytest

from playground.server.turns import Turns, default_slots


def _worker(turns, name, log, steps=6, step_seconds=0.01):
    with turns.turn() as turn:
        for _ in range(steps):
            log.append(name)
            time.sleep(step_seconds)
            turn.share()


def _start(target, *args):
    t = threading.Thread(target=target, args=args, daemon=True)
    t.start()
    return t


def test_one_slot_runs_one_session_at_a_time_and_hands_over_after_a_slice():
    turns, log = Turns(1, slice_seconds=0.03), []
    inside, most = [0], [0]

    def worker(name):
        with turns.turn() as turn:
            for _ in range(8):
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                log.append(name)
                time.sleep(0.01)
                inside[0] -= 1
                turn.share()

    threads = [_start(worker, n) for n in "ab"]
    for t in threads:
        t.join(10)
    assert most[0] == 1  # never two sessions inside at once
    assert sorted(log) == ["a"] * 8 + ["b"] * 8
    switches = sum(x != y for x, y in zip(log, log[1:]))
    assert switches >= 3  # they took turns, not one after the other


def test_a_lone_session_keeps_its_slot():
    turns, log = Turns(1, slice_seconds=0.001), []
    with turns.turn() as turn:
        for _ in range(5):
            time.sleep(0.003)
            assert turn.share() is False  # nobody waits: no hand-over however long the slice
            log.append(1)
    assert turns._free == 1


def test_queue_is_first_come_first_served():
    turns, order = Turns(1), []
    gate = turns.turn()
    gate.__enter__()  # hold the only slot while three sessions line up
    threads = []
    for name in "xyz":
        threads.append(_start(lambda n=name: (turns.turn().__enter__(), order.append(n), turns._give_back())))
        while turns.waiting < len(threads):
            time.sleep(0.001)
    gate.__exit__(None, None, None)
    for t in threads:
        t.join(10)
    assert order == ["x", "y", "z"]


def test_two_slots_let_two_sessions_in_and_queue_the_third():
    turns = Turns(2)
    a, b = turns.turn(), turns.turn()
    a.__enter__(), b.__enter__()
    entered = threading.Event()
    t = _start(lambda: (turns.turn().__enter__(), entered.set()))
    assert not entered.wait(0.1) and turns.waiting == 1
    a.__exit__(None, None, None)
    assert entered.wait(5)
    b.__exit__(None, None, None)
    t.join(5)


def test_an_interrupted_loop_gives_its_slot_back():
    turns = Turns(1)
    with pytest.raises(RuntimeError):
        with turns.turn():
            raise RuntimeError("Stop pressed")  # Streamlit interrupts a script by raising inside it
    with turns.turn() as turn:  # would block forever if the slot had leaked
        assert turn.clock() >= 0


def test_clock_leaves_out_time_spent_queued_but_counts_pauses():
    turns = Turns(1, slice_seconds=0.0)
    other_done = threading.Event()
    with turns.turn() as turn:
        time.sleep(0.05)
        t = _start(lambda: (_worker(turns, "o", [], steps=1, step_seconds=0.3), other_done.set()))
        while not turns.waiting:
            time.sleep(0.001)
        assert turn.share()  # hands over; waits about 0.3 s in the queue
        assert 0.05 <= turn.clock() < 0.2
        turn.pause(0.1)
        assert 0.15 <= turn.clock() < 0.3
    t.join(5)


def test_default_slots_from_cores_or_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SLOTS", "3")
    assert default_slots() == 3
    monkeypatch.delenv("PLAYGROUND_SLOTS")
    assert default_slots() >= 1


def test_default_slots_follow_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_SLOTS", raising=False)
    monkeypatch.setattr("playground.server.device.cores", lambda: 4)
    monkeypatch.setenv("PLAYGROUND_THREADS", "2")
    assert default_slots() == 2
    monkeypatch.setenv("PLAYGROUND_THREADS", "1")
    assert default_slots() == 4
    monkeypatch.setattr("playground.server.device.cores", lambda: 1)
    assert default_slots() == 1
    monkeypatch.setenv("PLAYGROUND_SLOTS", "nonsense")
    assert default_slots() == 1


def test_a_containers_cpu_quota_caps_the_cores(tmp_path):
    from playground.server.device import cpu_quota

    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")  # docker --cpus=1.5
    assert cpu_quota(cpu_max) == 2
    cpu_max.write_text("100000 100000\n")
    assert cpu_quota(cpu_max) == 1
    cpu_max.write_text("max 100000\n")
    assert cpu_quota(cpu_max) is None
    quota, period = tmp_path / "q", tmp_path / "p"  # cgroup v1
    quota.write_text("-1\n"), period.write_text("100000\n")
    assert cpu_quota(tmp_path / "none", (quota, period)) is None
    quota.write_text("50000\n")
    assert cpu_quota(tmp_path / "none", (quota, period)) == 1
    assert cpu_quota(tmp_path / "none", (tmp_path / "x", tmp_path / "y")) is None  # no cgroup files: no limit
