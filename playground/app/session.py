"""Streamlit glue: shared caches, per-session runs, the Train/Stop/Reset state and the live loop."""
from __future__ import annotations

import gc
import time
from collections import OrderedDict
from typing import Callable, Iterable

import streamlit as st

from playground import config as C
from playground.server import claims
from playground.server import device
from playground.config import UPLOAD, Config, DataConfig
from playground.data.tables import load_dataset, split_table
from playground.data.types import Table
from playground.engine.models import LOSSES
from playground.server.store import ResultStore
from playground.engine.training import ENGINE_VERSION, Run
from playground.server.turns import Turns, default_slots

device.configure()
# The libraries' ~500k long-lived objects (torch, plotly, scikit-learn, streamlit) leave the garbage
# collector's view: a full collection then scans only what sessions create (0.2 s -> under 1 ms).
gc.freeze()

RUNS_PER_SESSION = 4


@st.cache_resource
def result_store() -> ResultStore:
    """Finished runs of every session: immutable state_dicts and histories, bounded."""
    return ResultStore(max_entries=64)


@st.cache_data(max_entries=32, show_spinner=False)
def dataset(data_cfg: DataConfig):
    """The dataset for a DataConfig; training settings are not part of this key."""
    return load_dataset(data_cfg)


def tabular_dataset(cfg: Config):
    """(Dataset, None), or (None, a message) when the data cannot be had (offline download, bad file)."""
    try:
        if cfg.data.dataset == UPLOAD:
            t = st.session_state[f"upload_{cfg.data.upload}"]
            table = Table(t.X, t.y, t.feature_names, t.class_names, t.target_name)
            return split_table(table, cfg.data, notes=t.messages), None
        return dataset(cfg.data), None
    except ValueError as err:  # DataUnavailable and friends carry a message for the page
        return None, str(err)


def ensure_navigation() -> None:
    """Route a page through streamlit_app.py's st.navigation.

    On a fresh server, a direct link to a page (say /tabular) runs that file in Streamlit's
    legacy pages/ mode, without the entry point's page config and navigation; one rerun fixes it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def is_training(page: str) -> bool:
    """Whether this page's run is training (the flag holds the page's id, or False)."""
    return st.session_state.get("training", False) == page


SAVED = "saved:"  # prefix of the plain-state copy each settings widget's value is kept in


def set_widgets(values: dict) -> None:
    """Set settings widgets' values (presets, links, Reset): the widget keys and their saved copies."""
    for key, value in values.items():
        st.session_state[key] = value
        st.session_state[SAVED + key] = value


def widget_key(page: str, name: str) -> str:
    """Widget keys carry the page's prefix so each page keeps its own settings (the 2-D page has none)."""
    return name if page == "2d" else f"{page}_{name}"


def scale_tip(cfg: Config, data) -> str | None:
    """A hint to standardise when feature scales differ a hundredfold (one column drowns the rest)."""
    if cfg.data.standardize or data.n_features < 2 or data.X_train.ndim != 2:
        return None
    spread = data.X_train.std(axis=0)
    if spread.min() > 0 and spread.max() / spread.min() > 100:
        return "Tip: these features differ in scale more than a hundredfold; tick **Standardise features** to help training."
    return None


def loss_problem(cfg: Config, data) -> str | None:
    """A one-line reason the chosen loss cannot train on this data, or None."""
    return LOSSES[cfg.train.loss].problem(data.n_classes)


def current_run(cfg: Config, data, on: str = "cpu") -> Run:
    """This session's run for cfg: its own (maybe stopped) run, else one rebuilt from the store, else new."""
    runs: OrderedDict = st.session_state.setdefault("runs", OrderedDict())
    run = runs.get(cfg)
    if run is None or not run.started:
        stored = result_store().get((ENGINE_VERSION, cfg))
        run = Run.finished(cfg, data, *stored, device=on) if stored else (run or Run(cfg, data, on))
    runs[cfg] = run
    runs.move_to_end(cfg)
    while len(runs) > RUNS_PER_SESSION:
        runs.popitem(last=False)
    claims.claim(run)  # a stopped script run still training it stops before its next step (see claims.py)
    return run


def finish(run: Run) -> None:
    """Publish a finished run to the shared store as immutable copies."""
    result_store().put((ENGINE_VERSION, run.cfg), run.result())
    st.session_state.training = False


def start_training(page: str) -> None:
    """Train (Race, Run): this page's live loop runs in the next script run."""
    st.session_state.training = page


def _more_epochs(run: Run) -> int:
    """How many epochs "Train more" adds to a finished run: as many again, within the Epochs limit."""
    return max(0, min(run.cfg.train.epochs, C.LIMITS["epochs"][1] - run.cfg.train.epochs))


def _train_on(page: str, run: Run, extra: int, keep_training: bool):
    """Train a finished run on by `extra` epochs (the Epochs setting follows, so links and the cache stay true).

    A run trained in this session continues exactly where it ended; one shown from the cache has no
    optimizer state or batch order to continue, so the longer run trains from the start (same result).
    """
    total = run.cfg.train.epochs + extra
    if run.extendable:
        old_cfg = run.cfg
        run.extend(total)
        runs = st.session_state.setdefault("runs", OrderedDict())
        runs.pop(old_cfg, None)
        runs[run.cfg] = run
    set_widgets({widget_key(page, "epochs"): total})
    if keep_training:
        start_training(page)
    else:
        st.session_state[f"step_{page}"] = True


def _step(page: str, run: Run):
    """One epoch, then show it: a finished run gets one epoch more."""
    if run.done:
        _train_on(page, run, 1, keep_training=False)
    else:
        st.session_state[f"step_{page}"] = True


def stop_training() -> None:
    """Stop: the live loop ends at its next step or frame (see live()); everything learned so far is kept."""
    st.session_state.training = False


def _reset(page: str):
    st.session_state.training = False
    key = widget_key(page, "seed")
    set_widgets({key: (st.session_state.get(key, 0) + 1) % C.LIMITS["seed"][1]})


def control_buttons(run: Run, page: str) -> None:
    """Train (or Train N more) / Step / Stop / Reset in one row."""
    train_col, step_col, stop_col, reset_col, _ = st.columns([1.3, 1, 1, 1, 2.7])
    training = is_training(page)
    diverged = bool(run.snapshot and run.snapshot.diverged)
    more = _more_epochs(run) if run.done and not diverged else 0
    if run.done:
        train_col.button(
            f"Train {more} more" if more else "Train", key="train", type="primary", on_click=_train_on,
            args=(page, run, more, True), disabled=training or not more, width="stretch",
            help="Keep training this network from where it ended, for as many epochs again (the Epochs setting "
            "follows). A diverged run cannot go on: press Reset.",
        )
    else:
        train_col.button(
            "Train", key="train", type="primary", on_click=start_training, args=(page,), disabled=training, width="stretch",
            help="Train the network and watch it learn. After a Stop, Train continues where it stopped.",
        )
    step_col.button(
        "Step", key="step", on_click=_step, args=(page, run), width="stretch",
        # a finished run from the cache has no loop to go on with: one more epoch would mean all of them again
        disabled=training or diverged or run.done and (not run.extendable or run.cfg.train.epochs >= C.LIMITS["epochs"][1]),
        help="Train one epoch (one pass over all the training points), then stop and show the network as it is now. "
        "A finished run shown from the cache cannot step on: use Train more.",
    )
    stop_col.button(
        "Stop", key="stop", on_click=stop_training, disabled=not training, width="stretch",
        help="Pause training and keep everything learned so far.",
    )
    reset_col.button(
        "Reset", key="reset", on_click=_reset, args=(page,), width="stretch",
        help="Throw the trained weights away and start again from new random weights (the next weight seed).",
    )


REDRAW_SECONDS = 0.2  # the tables, race and mistake boards: five frames a second (the 2-D page asks for more)
# ...and every board while other sessions queue for a training slot: each frame (built, sent to the browser) is
# server time taken from the queue (measured: ten sessions at 30 frames a second took 40 s to finish, 21 s at five)
BUSY_REDRAW_SECONDS = 0.2


@st.cache_resource
def training_turns() -> Turns:
    """The server's training slots, shared by every session (see playground/turns.py)."""
    return Turns(default_slots())


def step_budget() -> int | None:
    """The tests' knob, one for every live loop: session state "step_budget" = N pauses the loop after N steps, as Stop does."""
    return st.session_state.get("step_budget")


def live(target, steps: Iterable, draw: Callable[[], None], done: Callable[[], bool], budget: int | None = None,
         redraw_seconds: float = REDRAW_SECONDS, pace: Callable[[object], float] | None = None) -> bool:
    """Drive a training loop (a run's snapshots, a race's rounds) in a training slot, drawing as it goes.

    draw() runs at the first step, at the end, and every `redraw_seconds` of this session's own
    slot time: a few times a second when the server is quiet, at the start of each turn when
    sessions queue (and once before queueing for the first slot).
    `pace(step)` may ask for a wait before drawing a step (a short race stretched to be watchable);
    the slot is free meanwhile. Stop (or any widget) interrupts at the next Streamlit call inside
    draw(), or before the next step once the new script run has claimed `target` (the run or race
    that `steps` trains, see claims.py); the slot is given back and the loop stays suspended in
    session state. Returns False when the tests' step budget paused the loop before it was done.
    """
    try:
        return _live(target, steps, draw, done, budget, redraw_seconds, pace)
    except claims.Superseded:
        st.stop()  # a newer script run of this session has taken the run over: this one ends, drawing nothing more


def _live(target, steps, draw, done, budget, redraw_seconds, pace) -> bool:
    turns = training_turns()
    if turns.busy:
        draw()  # others are training: show this run's board (and notice a Stop) while it queues
    with turns.turn() as turn:
        last_draw = last_step = float("-inf")
        for n, step in enumerate(claims.owned_steps(target, steps), 1):
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
            if budget and n >= budget and not done():
                return False
            if turn.share():
                last_draw = float("-inf")  # back from the queue: draw first, so a Stop pressed meanwhile acts now
    return True


def train_live(run: Run, draw, redraw_seconds: float = REDRAW_SECONDS) -> None:
    """Resume the run's loop, drawing it as it trains; publish it when finished, then rerun the page.

    Stop (or any widget) interrupts this at the next Streamlit call inside draw(); the run's
    suspended loop and history stay in session state, so Train picks up where it left off.
    """
    live(run, run.snapshots(), lambda: draw(run), lambda: run.done, step_budget(), redraw_seconds)
    _show_stopped(run)


def _show_stopped(run: Run) -> None:
    """After a live loop: publish the run if it finished, then rerun the page in the Stop state."""
    if run.done:
        finish(run)
    st.session_state.training = False
    st.rerun()


def _one_epoch(run: Run):
    """The run's snapshots up to the end of its next epoch (an untrained run: epoch 0, then 1)."""
    until = max(len(run.history.epoch), 1) + 1  # history rows: the untrained network, then one per epoch
    for snap in run.snapshots():
        yield snap
        if snap.done or len(run.history.epoch) >= until:
            return


def step_epoch(run: Run, draw) -> None:
    """Train the run for one epoch in a training slot, then rerun the page to show it (Stop state)."""
    live(run, _one_epoch(run), lambda: draw(run), lambda: run.done, redraw_seconds=float("inf"))
    _show_stopped(run)


def replay_controls(run: Run, page: str) -> tuple[Run, list[int]]:
    """After a run: an epoch slider over its saved frames and a Play button.

    Returns the run (or its replay at the chosen epoch) to draw, and the epochs to animate
    when Play was pressed (else an empty list).
    """
    if not run.done or len(run.frames) < 2:
        return run, []
    epochs = sorted(run.frames)
    # a new key after each Play: the slider starts again at the last epoch, where the animation ended
    key = f"replay_{page}_{abs(hash(run.cfg)) % 10**8}_{st.session_state.get(f'plays_{page}', 0)}"
    slider_col, play_col = st.columns([6, 1], vertical_alignment="bottom")
    epoch = slider_col.select_slider(
        "Replay: the network after epoch", epochs, value=epochs[-1], key=key,
        help="Slide back through training: the pictures, bars and curves show the network as it was after that epoch.",
    )
    play = play_col.button("Play", key=f"play_{page}", width="stretch", help="Animate training from the chosen epoch to the end.")
    view = run if epoch == epochs[-1] else run.view_at(epoch)
    return view, ([e for e in epochs if e >= epoch] if play and epoch < epochs[-1] else epochs if play else [])


def board_for(run: Run, page: str, make_board, redraw_seconds: float = REDRAW_SECONDS):
    """The end of every training page: Train/Stop/Reset, the replay slider, the board, then either
    the live loop (Train was pressed; it ends in a rerun) or the run drawn once (or replayed).

    Returns (board, the run or replay shown) for what a page adds below (downloads, drawing).
    """
    control_buttons(run, page)
    training = is_training(page)
    stepping = st.session_state.pop(f"step_{page}", False) and not training and not run.done
    # The replay slider appears when a run finishes: in a place kept in every script run, so the board below
    # keeps its place on the page, and its charts their instances (a chart moved to a new place is drawn anew)
    with st.container():
        view, frames = (run, []) if training or stepping else replay_controls(run, page)
    board = make_board()
    if training:
        train_live(run, board.draw, redraw_seconds)
    if stepping:
        step_epoch(run, board.draw)
    show(run, view, board.draw, frames)
    if frames:  # Play has animated to the last epoch: rerun with the slider there too
        st.session_state[f"plays_{page}"] = st.session_state.get(f"plays_{page}", 0) + 1
        st.rerun()
    return board, view


def show(run: Run, view: Run, draw, frames: list[int]) -> None:
    """After training: animate the replay frames when Play was pressed, else draw the chosen view once."""
    if frames:
        play(run, draw, frames)
    else:
        draw(view)


def play(run: Run, draw, epochs: list[int], seconds_per_frame: float = 0.15) -> None:
    """Draw the saved frames one after another (any click interrupts, as during training)."""
    for epoch in epochs:
        draw(run.view_at(epoch) if epoch != max(run.frames) else run)
        time.sleep(seconds_per_frame)
