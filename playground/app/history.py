"""Run history, as experiment trackers keep it: the runs this session saw finish on a page (trained here, or shown from
the shared cache), listed with what differs from the current settings, their curves overlaid on demand with
TensorBoard's smoothing, and any run's settings restored in one click."""
from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from playground.app.restore import restore
from playground.config import SETTINGS, Config
from playground.engine.training import History
from playground.server.store import Bounded
from playground.viz import charts
from playground.viz.palette import RUN_COLORS

MAX_RUNS = 20  # per page and session: the least recently shown goes first
VALUE_CHARS = 24  # a setting's value longer than this (clicked points, many layers) is cut in the table
CURVES_HEIGHT = 380


@dataclass(frozen=True)
class Past:
    """One finished run as the history keeps it: its settings, a copy of its curves, where it came from."""

    number: int
    cfg: Config
    history: History
    source: str  # "trained here", "from the cache", or what was changed by hand
    diverged: bool
    finished_at: float


def _runs(page: str) -> Bounded:
    return st.session_state.setdefault(f"run_history_{page}", Bounded(MAX_RUNS))


def record(page: str, run) -> None:
    """Keep a finished run (not a replayed epoch) in the page's history; a run shown again is kept once."""
    if run is None or not run.done or run.replay_of is not None or not run.history.epoch:
        return
    runs, key = _runs(page), (run.cfg, run.edited)
    known = runs.get(key)
    if known and known.history.epoch[-1] == run.history.epoch[-1] and known.history.seconds == run.history.seconds:
        return
    numbers = st.session_state.get(f"run_numbers_{page}", 0) + (0 if known else 1)
    st.session_state[f"run_numbers_{page}"] = numbers
    source = f"changed by hand ({run.edited})" if run.edited else "from the cache" if run.from_store else "trained here"
    runs.put(key, Past(known.number if known else numbers, run.cfg, run.history.copy(), source,
                       bool(run.snapshot.diverged), time.time()))


def past_runs(page: str) -> list[Past]:
    """The page's kept runs, oldest first."""
    return sorted(_runs(page).values(), key=lambda past: past.number)


def differences(cfg: Config, now: Config) -> str:
    """The settings in which cfg differs from now, as "Label value" (cfg's value), or "the current settings"."""
    mine, current = cfg.to_query(), now.to_query()
    changed = []
    for name, value in mine.items():
        if value != current.get(name):
            shown = value if len(value) <= VALUE_CHARS else value[: VALUE_CHARS - 1] + "…"
            changed.append(f"{SETTINGS[name].label.format(i='')} {shown}")
    return ", ".join(changed) or "the current settings"


def rows(page: str, now: Config, score: str) -> list[dict]:
    """The history's table: one row per run, oldest first."""
    out = []
    for past in past_runs(page):
        last = past.history.last()
        out.append({
            "run": past.number,
            "differs from now": differences(past.cfg, now),
            "epochs": past.history.epoch[-1],
            "train loss": last["train_loss"],
            "test loss": last["test_loss"],
            f"train {score}": last["train_score"],
            f"test {score}": last["test_score"],
            "time (s)": round(past.history.seconds, 2),
            "source": past.source + (", diverged" if past.diverged else ""),
        })
    return out


def _smoothed(history: History, weight: float) -> History:
    out = History(list(history.epoch))
    for name in ("train_loss", "test_loss", "train_score", "test_score"):
        setattr(out, name, charts.smoothed(getattr(history, name), weight))
    return out


def _restore(page: str) -> None:
    """The Restore button's callback (before the widgets are drawn, so it may set their values)."""
    number = st.session_state.get(f"history_restore_{page}")
    past = next((p for p in past_runs(page) if p.number == number), None)
    if past is None:
        return
    notes = restore(past.cfg, page)
    st.session_state[f"history_message_{page}"] = f"Run {number}'s settings restored." + (" " + " ".join(notes) if notes else "")


def run_history(page: str, now: Config, run, classes: bool) -> None:
    """Record the page's run if it finished, then the history in an expander (closed, it costs nothing more)."""
    record(page, run)
    kept = past_runs(page)
    box = st.expander(f"Run history: {len(kept)} finished run{'s' * (len(kept) != 1)} this session",
                      key=f"history_{page}", on_change="rerun")
    if not box.open:
        return
    with box:
        if not kept:
            st.caption("Every run that finishes on this page (trained here or shown from the cache) is listed here, "
                       "to compare and to go back to.")
            return
        score = "accuracy" if classes else "R²"
        score_format = "percent" if classes else "%.3f"
        st.dataframe(rows(page, now, score), hide_index=True, width="stretch", column_config={
            "train loss": st.column_config.NumberColumn(format="%.4f"),
            "test loss": st.column_config.NumberColumn(format="%.4f"),
            f"train {score}": st.column_config.NumberColumn(format=score_format),
            f"test {score}": st.column_config.NumberColumn(format=score_format),
        })
        numbers = [p.number for p in kept]
        pick, smooth = st.columns([3, 2])
        key, auto = f"history_pick_{page}", f"history_auto_{page}"
        if st.session_state.get(key, st.session_state.get(auto)) == st.session_state.get(auto):  # not picked by hand:
            st.session_state[key] = st.session_state[auto] = numbers[-2:]  # the newest two, as new runs come
        st.session_state[key] = [n for n in st.session_state[key] if n in numbers]  # runs no longer kept drop out
        chosen = pick.multiselect(
            "Overlay the curves of", numbers, key=key,
            format_func=lambda n: f"run {n}",
            help="Pick runs to draw their loss curves together: train solid, test dashed, one colour per run.",
        )
        weight = smooth.slider("Smoothing", 0.0, 0.99, 0.0, 0.01, key=f"history_smooth_{page}",
                               help="TensorBoard's smoothing: an exponential moving average of each curve (0: none).")
        lanes = [(f"run {p.number}", RUN_COLORS[i % len(RUN_COLORS)], _smoothed(p.history, weight))
                 for i, p in enumerate(p for p in kept if p.number in chosen)]
        if lanes:
            n_epochs = max(p.history.epoch[-1] for p in kept if p.number in chosen)
            st.echarts_chart(charts.lanes_option(lanes, n_epochs, "loss", accuracy=classes), height=CURVES_HEIGHT, alt=f"Loss curves of runs {', '.join(str(n) for n in chosen)}")
        again, button, _ = st.columns([2, 1, 2], vertical_alignment="bottom")
        again.selectbox("Go back to the settings of", numbers, index=len(numbers) - 1, key=f"history_restore_{page}",
                        format_func=lambda n: f"run {n}", help="Every setting of that run goes back into the widgets.")
        button.button("Restore", key=f"history_restore_button_{page}", on_click=_restore, args=(page,),
                      help="Put the chosen run's settings back into the widgets; a run kept in the cache shows at once.")
        message = st.session_state.pop(f"history_message_{page}", None)
        if message:
            st.success(message)
