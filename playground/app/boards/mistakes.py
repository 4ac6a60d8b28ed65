"""Streamlit glue for the mistake lab: the settings row, Run/Stop, the race board and its live loop."""
from __future__ import annotations

import math

import time
from typing import NoReturn

import numpy as np
import streamlit as st

from playground.server import claims
from playground.server.store import Bounded
from playground import config as C
from playground.viz import boundary, charts, palette
from playground.app import live, session as ui
from playground.data.catalog import DATASETS
from playground.engine.mistakes import BATCH_SIZE, Race
from playground.teaching.mistakes import DATASETS_2D, LR_FACTOR, MISTAKES, settings, snippet
from playground.app.boards.health import HealthView, health_switch
from playground.app.boards.common import Slot, metric_slots
from playground.app.session import widget_key
from playground.app.widgets import Widgets

PAGE = "mistakes"
LR_CHOICES = C.lr_steps(0.001, 1.0)
EPOCHS = (1, 200)
RACES_PER_SESSION = 4
RACE_SECONDS = 3.0  # a short race is stretched to last this long, so it can be watched
CURVES_HEIGHT = 360


def _key(name: str) -> str:
    return widget_key(PAGE, name)


def _widgets() -> Widgets:
    """The lab's widgets, keyed mistakes_*; a saved value they cannot show falls back to the default."""
    return Widgets(PAGE, ui.is_training(PAGE), forgiving=True)


def choose_mistake() -> str:
    """The mistake selectbox; returns the registry name."""
    return _widgets().widget(
        st.selectbox, "Mistake", "mistake", next(iter(MISTAKES)), options=list(MISTAKES),
        format_func=lambda n: MISTAKES[n].label,
        help="Which classic bug to commit on purpose. The same network is trained twice, once correctly and once "
        "with the bug. " + "; ".join(f"{m.label}: {m.about}" for m in MISTAKES.values()) + ".",
    )


def settings_row(name: str):
    """Dataset, epochs, learning rate and seed in one row; returns (Config, None) or (None, a message)."""
    data_col, epochs_col, lr_col, seed_col = st.columns(4)
    widgets = _widgets()
    with data_col:
        dataset = widgets.setting(
            "dataset", "moons", options=DATASETS_2D, format_func=lambda n: DATASETS[n].label,
            help="The 2-D points both networks learn to separate (300 of them, 30% kept apart for testing). "
            + "; ".join(f"{DATASETS[n].label}: {DATASETS[n].about}" for n in DATASETS_2D) + ".",
        )
    with epochs_col:
        epochs = widgets.setting(
            "epochs", 50, widget=st.slider, min_value=EPOCHS[0], max_value=EPOCHS[1], step=1,
            help="How many passes over the training points each network makes. Both runs always get the same number.",
        )
    with lr_col:
        lr = widgets.setting(
            "lr", 0.1, options=LR_CHOICES,
            help="How big a step the optimizer (plain SGD) takes along the gradient, for both runs. Only the "
            f"'far too large' mistake changes it: its buggy run steps {LR_FACTOR} times as far.",
        )
    with seed_col:
        seed = widgets.setting(
            "seed", 0, label="Seed", step=1,
            help="Picks the random starting weights and the order of the batches. Both runs always share them, so "
            "the mistake is the only difference; try another seed to see that it is not luck.",
        )
    try:
        return settings(MISTAKES[name], dataset, epochs, lr, seed), None
    except (ValueError, TypeError, KeyError) as err:
        return None, str(err)


def current_race(name: str, cfg, data) -> Race:
    """This session's race for the mistake and settings: a stopped one continues; at most a few are kept."""
    races: Bounded = st.session_state.setdefault(_key("races"), Bounded(RACES_PER_SESSION))
    race = races.get((name, cfg))
    if race is None:
        race = Race(cfg, data, MISTAKES[name])
    races.put((name, cfg), race)  # the most recently used: past RACES_PER_SESSION the least recently used race goes
    claims.claim(race)  # a stopped script run still racing it stops before its next step
    return race


def _start(name: str, cfg) -> None:
    races = st.session_state.get(_key("races"))
    race = races.get((name, cfg)) if races is not None else None
    if race is not None and race.done:  # a finished race runs again from the start
        races.pop((name, cfg))
    ui.start_training(PAGE)


def control_buttons(name: str, cfg) -> None:
    """Run and Stop in one row."""
    run_col, stop_col, _ = st.columns([1, 1, 5])
    racing = ui.is_training(PAGE)
    run_col.button(
        "Run", key=_key("run"), type="primary", on_click=_start, args=(name, cfg), disabled=racing, width="stretch",
        help="Train both networks side by side, epoch by epoch: the correct loop and the one with the mistake. "
        "After Stop it continues where it stopped; after the end it races again from the start.",
    )
    stop_col.button(
        "Stop", key=_key("stop"), on_click=ui.stop_training, disabled=not racing, width="stretch",
        help="Pause both runs and keep everything learned so far. Press Run to continue.",
    )


def explain(name: str, cfg, n_classes: int) -> None:
    """The two sentences, then the correct and the buggy loop side by side."""
    mistake = MISTAKES[name]
    st.info(mistake.explanation, icon=":material/bug_report:")
    left, right = st.columns(2)
    with left:
        st.markdown("**Correct loop**")
        st.code(snippet(mistake, cfg, n_classes), language="python", wrap_lines=True)
    with right:
        st.markdown("**With the mistake**")
        st.code(snippet(mistake, cfg, n_classes, buggy=True), language="python", wrap_lines=True)  # the comment on the bug must show
    st.caption(f"What to look for: {mistake.look_for}")


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value) -> str:
    return "—" if value is None else f"{value:.3f}"


class Board:
    """Placeholders laid out once per script run; draw(race) refills them with the race's state."""

    def __init__(self, data):
        self.data = data
        self.xs, self.ys, self.grid = boundary.boundary_grid(np.vstack([data.X_train, data.X_test]), boundary.LIVE_RESOLUTION)
        self.size = boundary.boundary_size(self.xs, self.ys, palette.LANE_SIZE)
        self.points = boundary.point_series(data)
        # each lane's newest boundary images, kept across reruns (see boundary.BoundaryImages); a new plane starts anew
        plane = (len(self.xs), float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1]))
        saved = st.session_state.get(f"{PAGE}_images")
        if not saved or saved[0] != plane:
            saved = st.session_state[f"{PAGE}_images"] = (plane, [boundary.BoundaryImages() for _ in range(2)])
        self.images = saved[1]
        self.status = Slot()
        self.curves = Slot()
        columns = st.columns(2, gap="medium")
        self.boundaries, self.notes = [], []
        for i, col in enumerate(columns):
            with col:
                self.boundaries.append(Slot())
                self.notes.append(st.empty())
        self.metrics = metric_slots()
        on = health_switch(f"{PAGE}_health")
        self.health = [HealthView(on), HealthView(on)]  # the correct loop's, then the mistake's

    def draw(self, race: Race) -> None:
        """Redraw status, curves, both boundaries and the numbers (a few times a second while racing)."""
        self._status(race)
        lanes = [("correct loop", palette.CORRECT_COLOR, race.correct.history),
                 ("with the mistake", palette.BUGGY_COLOR, race.buggy.history)]
        self.curves.echarts_chart(
            charts.lanes_option(lanes, race.n_epochs, "cross-entropy loss", log_loss=True, accuracy=True, title="Loss"),
            height=CURVES_HEIGHT, alt=f"Loss and test accuracy of both loops up to epoch {race.epoch}",
        )
        width, height = self.size
        for i, (lane, title) in enumerate(zip(race.lanes, ("correct loop", "with the mistake"))):
            image = boundary.boundary_png(lane.proba(self.grid), len(self.xs), len(self.ys))
            layers = self.images[i].add(image, time.monotonic())
            label = f"{title} · epoch {race.epoch}"
            self.boundaries[i].echarts_chart(
                boundary.boundary_option(self.xs, self.ys, layers, self.points, self.data, title=label, size=palette.LANE_SIZE),
                width=width, height=height, alt=f"{label}: the decision boundary of the {title}",
            )
            if lane.stopped:
                self.notes[i].error(lane.stopped)
            else:
                self.notes[i].empty()
        self._metrics(race)
        for view, lane, title in zip(self.health, race.lanes, ("correct loop", "with the mistake")):
            steps = race.epoch * math.ceil(len(self.data.y_train) / BATCH_SIZE)  # the optimizer steps so far
            view.draw_model(lane.model, self.data, lane.bug.loss, steps, lane, title)

    def _status(self, race: Race) -> None:
        if not race.started:
            self.status.info("Two identical networks, not trained yet. Press **Run** to race the correct loop against the mistake.")
        elif race.done:
            self.status.success(f"Finished after epoch {race.epoch}. Change a setting or the mistake, or press **Run** to race again.")
        elif ui.is_training(PAGE):
            self.status.progress(race.epoch / race.n_epochs, text=f"Epoch {race.epoch} / {race.n_epochs}")
        else:
            self.status.info(f"Stopped after epoch {race.epoch}. Press **Run** to continue.")

    def _metrics(self, race: Race) -> None:
        good, bad = race.correct.history.last(), race.buggy.history.last()
        acc, bad_acc = good.get("test_score"), bad.get("test_score")
        loss, bad_loss = good.get("test_loss"), bad.get("test_loss")
        both = acc is not None and bad_acc is not None
        tip = "Measured on the test points after the last finished epoch."
        self.metrics[0].metric("Test accuracy, correct loop", _pct(acc), help=tip)
        self.metrics[1].metric(
            "Test accuracy, with the mistake", _pct(bad_acc), f"{(bad_acc - acc) * 100:+.1f} points" if both else None,
            help=tip + " The arrow compares it with the correct loop.",
        )
        self.metrics[2].metric("Test loss, correct loop", _num(loss), help=tip + " Lower is better.")
        self.metrics[3].metric(
            "Test loss, with the mistake", _num(bad_loss), f"{bad_loss - loss:+.3f}" if both else None, delta_color="inverse",
            help=tip + " Lower is better; the arrow compares it with the correct loop.",
        )


def race_live(race: Race, draw) -> NoReturn:
    """Step the race, stretched to about RACE_SECONDS, drawing as it goes; Stop or any widget interrupts it.

    The race's suspended loop and histories stay in session state, so Run continues where it stopped.
    """
    start, first = time.monotonic(), race.epoch

    def pace(epoch: int) -> float:  # seconds to wait so epoch lands at its share of RACE_SECONDS
        return start + (epoch - first) / max(race.n_epochs, 1) * RACE_SECONDS - time.monotonic()

    live.run_live(race, race.frames(), draw, pace=pace)
