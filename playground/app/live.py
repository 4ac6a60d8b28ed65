"""The live driver: a training loop (a run's snapshots, a race's rounds) run in a training slot, drawn as it goes."""
from __future__ import annotations

import time
from typing import Callable, Iterable, NoReturn

import streamlit as st

from playground.app.session import finish
from playground.engine.run import Run
from playground.server import claims
from playground.server.turns import Turns, default_slots


REDRAW_SECONDS = 0.2  # the tables, race and mistake boards: five frames a second (the 2-D page asks for more)


# ...and every board while other sessions queue for a training slot: each frame (built, sent to the browser) is
# server time taken from the queue (measured: ten sessions at 30 frames a second took 40 s to finish, 21 s at five)
BUSY_REDRAW_SECONDS = 0.2


@st.cache_resource
def training_turns() -> Turns:
    """The server's training slots, shared by every session (see playground/turns.py)."""
    return Turns(default_slots())


def live(target, steps: Iterable, draw: Callable[[], None], done: Callable[[], bool],
         redraw_seconds: float = REDRAW_SECONDS, pace: Callable[[object], float] | None = None) -> None:
    """Drive a training loop (a run's snapshots, a race's rounds) in a training slot, drawing as it goes.

    draw() runs at the first step, at the end, and every `redraw_seconds` of this session's own
    slot time: a few times a second when the server is quiet, at the start of each turn when
    sessions queue (and once before queueing for the first slot).
    `pace(step)` may ask for a wait before drawing a step (a short race stretched to be watchable);
    the slot is free meanwhile. Stop (or any widget) interrupts at the next Streamlit call inside
    draw(), or before the next step once the new script run has claimed `target` (the run or race
    that `steps` trains, see claims.py); the slot is given back and the loop stays suspended in
    session state. A run's steps are its snapshots and, inside a long epoch, its ticks (training.TICK_SECONDS
    apart at most), so a Stop never waits for the end of an epoch, however many batches it has.
    It returns when `steps` ends: the loop is done, or paused before it (done() tells which).
    """
    try:
        _live(target, steps, draw, done, redraw_seconds, pace)
    except claims.Superseded:
        st.stop()  # a newer script run of this session has taken the run over: this one ends, drawing nothing more


def _live(target, steps, draw, done, redraw_seconds, pace) -> None:
    turns = training_turns()
    if turns.busy:
        draw()  # others are training: show this run's board (and notice a Stop) while it queues
    with turns.turn() as turn:
        last_draw = last_step = float("-inf")
        for step in claims.owned_steps(target, steps):
            wait = pace(step) if pace else 0.0
            if wait > 0:
                turn.pause(wait)
            now = turn.clock()
            step_time = max(now - last_step, 0.0)  # the training since the last step (a draw is not counted)
            # Draw now if the next step would come after the frame is due: frames are at most redraw_seconds apart
            # (every step when steps are slower), not every second step when a step takes half the interval.
            # While other sessions queue for the cores, a frame costs them training time: BUSY_REDRAW_SECONDS apart at most
            interval = max(redraw_seconds, BUSY_REDRAW_SECONDS) if turns.waiting else redraw_seconds
            if done() or now + step_time - last_draw >= interval:
                last_draw = now  # frames start every redraw_seconds, whatever a draw costs
                draw()
            last_step = turn.clock()
            if turn.share():
                last_draw = float("-inf")  # back from the queue: draw first, so a Stop pressed meanwhile acts now


def run_live(target, steps: Iterable, draw: Callable[[object], None], after: Callable[[object], None] | None = None,
             redraw_seconds: float = REDRAW_SECONDS, pace: Callable[[object], float] | None = None) -> NoReturn:
    """A page's live loop: `steps` trains `target` (a run or a race: anything with `.done`), drawn by draw(target)
    as it goes (see live()); then after(target), and the page reruns in the Stop state.

    Stop (or any widget) interrupts this at the next Streamlit call inside draw(); the target's
    suspended loop and history stay in session state, so Train (Race, Run) picks up where it left off.
    """
    live(target, steps, lambda: draw(target), lambda: target.done, redraw_seconds, pace)
    if after is not None:
        after(target)
    st.session_state.training = False
    st.rerun()


def _publish(run: Run) -> None:
    """After a run's live loop: a finished run goes to the shared store."""
    if run.done:
        finish(run)


def train_live(run: Run, draw, redraw_seconds: float = REDRAW_SECONDS) -> NoReturn:
    """Resume the run's loop, drawing it as it trains; publish it when finished, then rerun the page."""
    run_live(run, run.snapshots(), draw, _publish, redraw_seconds)


SLICE_SECONDS = 0.1  # training between two frames of a clickable board (see train_slice)


def _for_a_while(run: Run, seconds: float):
    """The run's snapshots for `seconds` of its own time (at least one)."""
    start = time.monotonic()
    for snap in run.snapshots():
        yield snap
        if time.monotonic() - start >= seconds:
            return


def train_slice(run: Run, draw, seconds: float = SLICE_SECONDS) -> NoReturn:
    """Draw once, train a slice, rerun: a board whose chart takes clicks (a keyed, selectable chart may be drawn only
    once per script run) shows a frame per script run: a few a second instead of up to 30, clickable throughout."""
    draw(run)  # first: the board is fresh for the whole slice (elements a run has not redrawn yet look stale)
    live(run, _for_a_while(run, seconds), lambda: None, lambda: run.done, redraw_seconds=float("inf"))
    if run.done:
        _publish(run)
        st.session_state.training = False
    st.rerun()


def _one_epoch(run: Run):
    """The run's snapshots up to the end of its next epoch (an untrained run: epoch 0, then 1)."""
    until = max(len(run.history.epoch), 1) + 1  # history rows: the untrained network, then one per epoch
    for snap in run.snapshots():
        yield snap
        if snap.done or len(run.history.epoch) >= until:
            return


def step_epoch(run: Run, draw) -> NoReturn:
    """Train the run for one epoch in a training slot, then rerun the page to show it (Stop state)."""
    run_live(run, _one_epoch(run), draw, _publish, redraw_seconds=float("inf"))
