"""The end of every training page: Train/Step/Stop/Reset, the replay slider, the board, and the live loop or the run drawn once."""
from __future__ import annotations

import time

import streamlit as st

from playground import config as C
from playground.app.live import REDRAW_SECONDS, step_epoch, train_live, train_slice
from playground.app.session import is_training, session_runs, set_widgets, start_training, stop_training, widget_key
from playground.engine.run import Run


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
        runs = session_runs()
        runs.pop(old_cfg)
        runs.put(run.cfg, run)
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


def _reset(page: str):
    st.session_state.training = False
    key = widget_key(page, "seed")
    set_widgets({key: (st.session_state.get(key, 0) + 1) % C.LIMITS["seed"][1]})


def control_buttons(run: Run, page: str, compact: bool = False) -> None:
    """Train (or Train N more) / Step / Stop / Reset in one row (compact: filling a column beside the title)."""
    train_col, step_col, stop_col, reset_col, _ = st.columns([1.3, 1, 1, 1, 0.01 if compact else 2.7])
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


def board_for(run: Run, page: str, make_board, redraw_seconds: float = REDRAW_SECONDS, buttons=None,
              replay_below: bool = False):
    """The end of every training page: Train/Stop/Reset, the replay slider, the board, then either
    the live loop (Train was pressed; it ends in a rerun) or the run drawn once (or replayed).

    buttons: a container to put Train/Stop/Reset in (beside the page's title), else they come first.
    Returns (board, the run or replay shown) for what a page adds below (downloads, drawing).
    """
    with buttons or st.container():
        control_buttons(run, page, compact=buttons is not None)
    training = is_training(page)
    stepping = st.session_state.pop(f"step_{page}", False) and not training and not run.done
    # The replay slider appears when a run finishes: in a place kept in every script run, so the board
    # keeps its place on the page, and its charts their instances (a chart moved to a new place is drawn anew).
    # Above the board, or below it (replay_below: the 2-D board stays on one screen when a run finishes)
    replay_place = None if replay_below else st.container()
    board = make_board()
    with replay_place or st.container():
        view, frames = (run, []) if training or stepping else replay_controls(run, page)
    if training and getattr(board, "clickable", False):
        train_slice(run, board.draw)  # a frame per script run: its chart takes clicks while it trains
    if training:
        train_live(run, board.draw, redraw_seconds)
    if stepping:
        step_epoch(run, board.draw)
    board.still = not frames  # this script run draws the board once: it may key its charts and make them clickable
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
