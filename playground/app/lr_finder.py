"""The learning-rate finder in the sidebar, under the Training settings: a button runs fastai's LR range test on a copy
of the network (engine/lr_finder.py), the chart shows the loss against the learning rate with the suggestion marked,
and "Use lr = X" puts the suggestion into the learning-rate widget. The run on the page is never touched."""
from __future__ import annotations

import streamlit as st

from playground.app.live import training_turns
from playground.app.session import is_training, set_widgets, widget_key
from playground.app.widgets import hidden_controls
from playground.app.text import plain
from playground import config as C
from playground.engine.lr_finder import END, find_lr
from playground.server.store import Bounded
from playground.viz import lr_charts

FINDINGS_PER_SESSION = 8
IMAGE_STEPS, IMAGE_SECONDS = 200, 8.0  # images: more steps (a wide network on SGD learns slowly), within a time limit
STEPS, SECONDS = 100, 5.0  # the 2-D and tables pages' sweep
HELP = (f"Train a copy of this network for up to {STEPS} mini-batches ({IMAGE_STEPS} on the images page) while the "
        f"learning rate grows from {C.LR_STEPS[0]:g} to {END:g}, "
        "one step per batch, and draw the loss against it (fastai's learning-rate finder, after Leslie Smith). "
        "The sweep stops when the loss explodes. The suggestion is a tenth of the learning rate where the loss was "
        "lowest: still on the falling part of the curve. Your network and its training are not touched.")


def _findings() -> Bounded:
    return st.session_state.setdefault("lr_findings", Bounded(FINDINGS_PER_SESSION))


def finding_key(page: str, cfg, device: str = "cpu"):
    """What a sweep depends on: everything but the learning rate and the number of epochs."""
    return page, cfg.replace(lr=0.001, epochs=1), device


def _use(page: str, lr: float) -> None:
    """The Use button: the learning-rate widget shows the suggestion in the next run (set before it is drawn)."""
    set_widgets({widget_key(page, "lr"): lr})


def lr_finder(page: str, cfg, data, device: str = "cpu") -> None:
    """The finder's button, and its last result for these settings (chart, words, Use button), in the sidebar."""
    if "lr" in hidden_controls():  # a classroom link fixed the learning rate: nothing to set
        return
    training, key = is_training(page), finding_key(page, cfg, device)
    with st.sidebar:
        st.subheader("Learning-rate finder")
        clicked = st.button("Find a learning rate", key=f"lr_find_{page}", disabled=training, width="stretch", help=HELP)
        if clicked and not training:
            _sweep(page, cfg, data, device, key)
        found = _findings().get(key)
        if found is None:
            st.caption("A short sweep of the learning rate on a copy of this network suggests a value.")
            return
        if isinstance(found, str):  # the sweep could not run: its reason
            st.error(found)
            return
        _show(page, cfg, found, training)


def _sweep(page: str, cfg, data, device: str, key) -> None:
    images = page == "images"
    steps, seconds = (IMAGE_STEPS, IMAGE_SECONDS) if images else (STEPS, SECONDS)
    try:
        with st.spinner("Sweeping the learning rate on a copy of the network..."), training_turns().turn():
            found = find_lr(cfg, data, steps=steps, max_seconds=seconds, device=device)
    except (ValueError, RuntimeError) as err:  # a wrong loss, a network over the size cap, out of memory
        found = f"The learning-rate finder could not run: {plain(err)}"
    _findings().put(key, found)


def _show(page: str, cfg, found, training: bool) -> None:
    st.echarts_chart(lr_charts.lr_finder_option(found), height=lr_charts.HEIGHT,
                     alt=f"Learning-rate finder: loss against learning rate from {found.start:g} to {found.lrs[-1] if found.lrs else found.start:.2g}"
                     + (f", suggested {found.suggestion:g}" if found.suggestion is not None else ", no suggestion"))
    swept = f"{len(found.lrs)} mini-batches in {found.seconds:.2f} s"
    ended = f"; it stopped early: {found.stopped}" if found.stopped else ""
    if found.suggestion is None:
        st.warning(f"No suggestion ({swept}{ended}). {found.message}")
        return
    st.caption(f"Swept {swept}{ended}. Suggested: **{found.suggestion:g}**, a tenth of the learning rate where the "
               f"loss was lowest (about {found.raw_suggestion:.2g}), rounded to a step of the slider.")
    current = cfg.train.lr
    st.button(f"Use lr = {found.suggestion:g}", key=f"lr_use_{page}", on_click=_use, args=(page, found.suggestion),
              disabled=training or current == found.suggestion, type="primary", width="stretch",
              help="Set the learning rate above to the suggested value (a new run with it starts untrained).")
    if current == found.suggestion:
        st.caption(f"The learning rate is set to {current:g}.")
