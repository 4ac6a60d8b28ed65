"""ui.live(): the one live loop of every page, driven here with plain callables (no page needed)."""
import threading
import time

import pytest

from playground.server import claims
from playground.app import live as ui


class Target:
    """What a live loop trains (a run, a race): claimed by one thread at a time."""


def _steps(n, seconds=0.0, log=None):
    for i in range(n):
        time.sleep(seconds)
        if log is not None:
            log.append(i)
        yield i


def _free(turns) -> int:
    return turns._free


def test_draws_the_first_step_the_last_and_a_few_a_second_between():
    state, draws = {"done": False}, []

    def steps():
        for i in range(30):
            time.sleep(0.02)
            state["done"] = i == 29
            yield i

    ui.live(Target(), steps(), lambda: draws.append(time.monotonic()), lambda: state["done"], redraw_seconds=0.1)
    assert 4 <= len(draws) <= 9  # 0.6 s of steps at one frame per 0.1 s, plus the first and the last
    assert draws[-1] >= draws[0] + 0.5


def test_steps_ending_before_done_return_and_give_the_slot_back():
    """A loop whose steps end early (paused, not done) returns: the page's code after it shows the Stop state."""
    turns, taken, slots_held = ui.training_turns(), [], []
    free = _free(turns)
    ui.live(Target(), _steps(3, 0.0, taken), lambda: slots_held.append(free - _free(turns)), lambda: False, redraw_seconds=0.0)
    assert taken == [0, 1, 2] and slots_held == [1, 1, 1]  # every step drawn while holding one slot
    assert _free(turns) == free


class Rerun(Exception):
    """What st.rerun() raises to end a script run (a stand-in: no script runs here)."""


@pytest.mark.parametrize("n_steps, done", [(3, True), (2, False)])
def test_run_live_draws_the_target_then_does_the_after_work_and_reruns_in_the_stop_state(monkeypatch, n_steps, done):
    """The one wrapper of every page's loop: finished or paused (its steps ended early), the page reruns with Train up."""
    target, drawn, after = Target(), [], []
    target.done = False

    def steps():
        for i in range(n_steps):
            target.done = done and i == n_steps - 1
            yield i

    def rerun():
        raise Rerun

    state = type("State", (), {"training": "race"})()
    monkeypatch.setattr(ui.st, "session_state", state)
    monkeypatch.setattr(ui.st, "rerun", rerun)
    with pytest.raises(Rerun):
        ui.run_live(target, steps(), drawn.append, lambda t: after.append((t, t.done, state.training)), redraw_seconds=0.0)
    assert drawn == [target] * n_steps  # draw(target) at every step (frames due at once)
    assert after == [(target, done, "race")]  # after(target) once, when the loop has ended, before the Stop state
    assert state.training is False


def test_an_interrupted_draw_gives_the_slot_back():
    turns, draws = ui.training_turns(), []
    free = _free(turns)

    def draw():
        draws.append(1)
        if len(draws) == 2:
            raise RuntimeError("Stop pressed")  # Streamlit raises inside the first Streamlit call after a click

    with pytest.raises(RuntimeError):
        ui.live(Target(), _steps(100, 0.01), draw, lambda: False, redraw_seconds=0.02)
    assert _free(turns) == free


def test_a_queued_session_shows_its_board_before_waiting():
    turns, draws, steps_run = ui.training_turns(), [], []
    holders = [turns.turn() for _ in range(turns.slots)]
    for h in holders:
        h.__enter__()  # every slot taken by other sessions
    t = threading.Thread(target=ui.live, args=(Target(), _steps(3, 0.0, steps_run), lambda: draws.append(1), lambda: False))
    t.start()
    time.sleep(0.3)
    assert draws == [1] and steps_run == []  # drawn once while queued, no training without a slot
    for h in holders:
        h.__exit__(None, None, None)
    t.join(10)
    assert steps_run == [0, 1, 2] and len(draws) >= 2


def test_a_slow_draw_does_not_make_every_step_a_frame():
    """Steps of 10 ms, draws of 40 ms, frames due every 100 ms: the draw's own time must not count as a step."""
    draws = []

    def draw():
        draws.append(time.monotonic())
        time.sleep(0.04)

    ui.live(Target(), _steps(40, 0.01), draw, lambda: False, redraw_seconds=0.1)
    assert 2 <= len(draws) <= 20  # about one frame per 100 ms (~8); counting the draws as steps drew all 40


def test_frames_come_every_step_when_a_step_takes_over_half_the_interval():
    draws = []
    ui.live(Target(), _steps(10, 0.03), lambda: draws.append(1), lambda: False, redraw_seconds=0.05)
    assert len(draws) >= 9  # waiting for the next step would overshoot: each step is drawn (not every second one)


def test_a_claim_from_another_thread_stops_the_loop_before_its_next_step():
    target, taken, waits = Target(), [], []
    in_step_3, release = threading.Event(), threading.Event()

    def loop():
        for i in range(1000):
            if i == 3:  # a step in progress (under the target's lock) while the other thread claims
                in_step_3.set()
                release.wait(2)
            taken.append(i)
            yield i

    def newer_script_run():
        in_step_3.wait(2)
        threading.Timer(0.2, release.set).start()
        t0 = time.monotonic()
        claims.claim(target)  # must wait until step 3 is done
        waits.append(time.monotonic() - t0)

    other = threading.Thread(target=newer_script_run)
    other.start()
    with pytest.raises(claims.Superseded):
        for _ in claims.owned_steps(target, loop()):
            pass
    other.join()
    assert taken == [0, 1, 2, 3]  # step 3 finished, no step after the claim
    assert waits[0] >= 0.15  # the claim waited for the step in progress
    assert claims.owner(target) == other.ident


def test_a_superseded_live_loop_ends_its_script_run_without_drawing_again(monkeypatch):
    target, draws = Target(), []
    stopped = []
    monkeypatch.setattr(ui.st, "stop", lambda: stopped.append(True))

    def steps():
        for i in range(100):
            if i == 5:  # a newer script run claims the target during this step (it then waits for the step to end)
                me = threading.get_ident()
                threading.Thread(target=claims.claim, args=(target,)).start()
                while claims.owner(target) == me:
                    time.sleep(0.001)
            yield i

    ui.live(target, steps(), lambda: draws.append(1), lambda: False, redraw_seconds=0.0)
    assert stopped == [True] and len(draws) == 6  # steps 0-5 drawn; then stopped before step 6, not drawn again


def test_while_others_queue_for_the_cores_frames_come_at_most_five_a_second(monkeypatch):
    turns = ui.training_turns()
    draws = []
    ui.live(Target(), _steps(60, 0.01), lambda: draws.append(1), lambda: False, redraw_seconds=0.02)
    alone = len(draws)
    monkeypatch.setattr(type(turns), "waiting", property(lambda self: 1))  # another session queued for a slot
    draws.clear()
    t0 = time.monotonic()
    ui.live(Target(), _steps(60, 0.01), lambda: draws.append(1), lambda: False, redraw_seconds=0.02)
    elapsed = time.monotonic() - t0
    assert alone >= 15  # about every second step of 0.01 s alone
    assert 2 <= len(draws) <= elapsed / ui.BUSY_REDRAW_SECONDS + 2  # a frame every 0.2 s at most


def _big_run(n_train: int, n_test: int = 1000, epochs: int = 3):
    """A Run over a big table at batch size 1 (n_train batches an epoch), and a live count of its training batches."""
    import numpy as np

    from playground.config import Config
    from playground.data.types import Dataset
    from playground.engine.run import Run

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_train + n_test, 4)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(np.int64)
    run = Run(Config().replace(batch_size=1, epochs=epochs), Dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], 2))
    batches = [0]

    def count(module, args, out):
        batches[0] += module.training

    run.model.register_forward_hook(count)
    return run, batches


def test_a_stop_during_a_long_epoch_ends_the_loop_a_tick_later_not_at_the_epoch_end(monkeypatch):
    """20k rows at batch size 1 and no partial snapshots (as when every batch is slow): the page's live loop
    runs in its script run's thread; Stop's new script run claims the run mid-epoch. The loop ends at its
    next tick: a small share of the epoch trained after the claim, nothing once the claim has returned."""
    from playground.engine import training

    monkeypatch.setattr(training, "STEPS_PER_PARTIAL_SNAPSHOT", 10**9)
    stopped = []
    monkeypatch.setattr(ui.st, "stop", lambda: stopped.append(True))
    n_train = 20_000
    run, batches = _big_run(n_train)
    page = threading.Thread(target=ui.live, args=(run, run.snapshots(), lambda: None, lambda: run.done))
    page.start()
    deadline = time.monotonic() + 60
    while batches[0] < 300 and time.monotonic() < deadline:  # well into epoch 1
        time.sleep(0.01)
    at_claim = batches[0]
    claims.claim(run)  # Stop: the new script run takes the run over (waiting for the step in progress)
    after_claim = batches[0]
    page.join(30)
    assert not page.is_alive() and stopped == [True]  # superseded: the old script run ended
    assert batches[0] == after_claim  # not one batch once the claim had returned
    assert batches[0] - at_claim < n_train / 5  # one tick's worth (0.25 s: about 1,000 batches here), not the epoch's rest
    assert not run.done and run.snapshot.epoch == 0 and 300 <= run.snapshot.step == batches[0] < n_train
    assert run.history.epoch == [0]  # stopped inside epoch 1: no row for it


def test_step_trains_to_the_epoch_end_through_ticks(monkeypatch):
    """Step (one epoch) treats ticks as places to stop, not as the epoch's end."""
    from playground.engine import training

    monkeypatch.setattr(training, "TICK_SECONDS", 0.0)  # a tick after every batch
    run, _ = _big_run(300, 100)
    snaps = list(ui._one_epoch(run))
    assert run.history.epoch == [0, 1] and not snaps[-1].tick and snaps[-1].epoch == 1
    assert sum(s.tick for s in snaps) == 300 - 300 // training.STEPS_PER_PARTIAL_SNAPSHOT  # every other batch
    assert [s.epoch for s in ui._one_epoch(run)][-1] == 2
