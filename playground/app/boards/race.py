"""Streamlit glue for the optimizer race: its sidebar, Race/Stop, the board and the live loop."""
from __future__ import annotations

import time
from typing import NoReturn

import numpy as np
import streamlit as st

from playground.server import claims
from playground import config as C
from playground.viz import boundary, charts, palette
from playground.engine import race as R
from playground.data import catalog
from playground.engine.models import LOSSES, OPTIMIZERS
from playground.app import live, session as ui
from playground.app.session import is_training
from playground.app.boards.common import Slot
from playground.app.boards.landscape import LandscapeView

from playground.app.widgets import Widgets

RACE_MAX_EPOCHS = 1000  # a race is watched to its end: a few minutes at most

PAGE = "race"
STATE = "race"  # session-state key of the latest race: kept across reruns, so Stop keeps it
RACE_DATASETS = catalog.names(catalog.PLANE, classify_only=True) + ["iris", "wine", "breast_cancer", "blobs_4d"]
LR_STEPS = C.lr_steps(1e-4)
# A sensible starting learning rate per optimizer, so the first race is a fair one.
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.03, "adam": 0.01, "adamw": 0.01, "rmsprop": 0.003, "adagrad": 0.03}
DEFAULT_OPTIMIZERS = ["sgd", "adam"]
CURVES_HEIGHT = 380
LANE_SIZES = {2: palette.LANE_SIZE, 3: 220, 4: 160}  # px of each lane boundary's longer side: they fit a 1280-pixel window


def _entries(widgets: Widgets) -> tuple[R.Entry, ...]:
    """The optimizer picker and one learning-rate slider per picked optimizer."""
    names = widgets.widget(
        st.multiselect, "Optimizers", "optimizers", DEFAULT_OPTIMIZERS, options=list(OPTIMIZERS),
        format_func=lambda n: OPTIMIZERS[n].label,
        help=f"Pick {R.MIN_CONTESTANTS} to {R.MAX_CONTESTANTS} optimizers; each trains its own copy of the same network "
        "from the same starting weights on the same batches. " + "; ".join(f"{o.label}: {o.about}" for o in OPTIMIZERS.values()) + ".",
    )
    entries = []
    for name in names:
        lr = widgets.setting(
            "lr", DEFAULT_LR.get(name, 0.01), f"lr_{name}", label=f"Learning rate: {OPTIMIZERS[name].label}", options=LR_STEPS,
            help=f"Step size of {OPTIMIZERS[name].label} (log scale). Too small: it crawls; too big: the loss jumps around or blows up.",
        )
        entries.append(R.Entry(name, float(lr)))
    return tuple(entries)


def sidebar_race_config() -> tuple[R.RaceConfig | None, str | None]:
    """Draw the race settings in the sidebar; return the RaceConfig, or None and what is wrong."""
    widgets = Widgets(PAGE, is_training(PAGE))  # the shared data and network widgets, keyed race_*
    with st.sidebar:
        try:
            st.header("Racers")
            entries = _entries(widgets)
            st.header("Data")
            data_cfg = widgets.data(RACE_DATASETS)
            st.header("Network")
            model_cfg = widgets.model()
            st.header("Race")
            batch_size = widgets.setting(
                "batch_size", 16,
                help="Training points per update, the same for every racer (they also see the batches in the same order).",
            )
            epochs = widgets.setting(
                "epochs", 50, max_value=RACE_MAX_EPOCHS,
                help="How many passes over the training data each racer gets. All racers move on one epoch at a time.",
            )
            seed = widgets.setting(
                "seed", 0, help="Seeds the shared starting weights and the batch order: the same seed gives the same race.")
            cfg = R.RaceConfig(data_cfg, model_cfg, entries, int(epochs), int(batch_size), int(seed))
            return cfg, None
        except ValueError as err:
            return None, str(err)


def current_race(cfg: R.RaceConfig, data) -> tuple[R.Race | None, str | None]:
    """The race to show: while racing, this config's unfinished race or a new one; else the latest race."""
    race = st.session_state.get(STATE)
    if is_training(PAGE) and (race is None or race.cfg != cfg or race.done):
        try:
            race = st.session_state[STATE] = R.Race(cfg, data)
        except ValueError as err:
            st.session_state.training = False
            return st.session_state.get(STATE), str(err)
    if race is not None:
        claims.claim(race)  # a stopped script run still racing it stops before its next round
    return race, None


def control_buttons(race: R.Race | None, cfg: R.RaceConfig) -> None:
    """Race and Stop in one row."""
    race_col, stop_col, _ = st.columns([1, 1, 5])
    racing = is_training(PAGE)
    resumes = race is not None and race.cfg == cfg and race.started and not race.done
    race_col.button(
        "Race", key="race_start", type="primary", on_click=ui.start_training, args=(PAGE,), disabled=racing, width="stretch",
        help="Continue the stopped race where it stopped." if resumes else
        "Start the race: every picked optimizer trains its own copy of the same network, side by side, live.",
    )
    stop_col.button(
        "Stop", key="race_stop", on_click=ui.stop_training, disabled=not racing, width="stretch",
        help="Pause the race and keep every racer's results so far; Race continues it.",
    )


class RaceBoard:
    """Placeholders laid out once per script run for one race; draw(race) refills them."""

    def __init__(self, race: R.Race):
        n = len(race.contestants)
        self.two_d = race.data.n_features == 2 and race.data.X_train.ndim == 2
        self.status, self.progress = Slot(), Slot()
        self.curves = Slot()
        if self.two_d:
            self.xs, self.ys, self.grid = boundary.boundary_grid(
                np.vstack([race.data.X_train, race.data.X_test]), boundary.LIVE_RESOLUTION)
            self.lane_size = LANE_SIZES[n]
            self.size = boundary.boundary_size(self.xs, self.ys, self.lane_size)
            self.points = boundary.point_series(race.data)
            # each lane's newest boundary images, kept across reruns (see boundary.BoundaryImages)
            plane = (n, len(self.xs), float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1]))
            saved = st.session_state.get("race_images")
            if not saved or saved[0] != plane:
                saved = st.session_state["race_images"] = (plane, [boundary.BoundaryImages() for _ in range(n)])
            self.images = saved[1]
            self.pictures = []
            for col in st.columns(n):
                with col:
                    self.pictures.append(Slot())
        else:
            self.bars = Slot()
        self.landscape = LandscapeView("race_landscape_kind")
        st.subheader("Summary")
        self.table = Slot()
        self.notes = st.empty()

    def draw(self, race: R.Race) -> None:
        """Redraw status, progress, curves, boundaries or accuracy bars, and the summary table."""
        self._status(race)
        epochs = race.cfg.epochs
        self.progress.progress(min(race.epoch / epochs, 1.0), text=f"Epoch {race.epoch} / {epochs}")
        loss_label = f"{LOSSES[race.cfg.loss].label.lower()} loss"
        lanes = [(c.label, palette.lane_color(i), c.history) for i, c in enumerate(race.contestants)]
        self.curves.echarts_chart(charts.lanes_option(lanes, epochs, loss_label), height=CURVES_HEIGHT,
                                  alt=f"Loss curves of every lane up to epoch {race.epoch}: train solid, test dashed")
        if self.two_d:
            width, height = self.size
            for i, (slot, c) in enumerate(zip(self.pictures, race.contestants)):
                image = boundary.boundary_png(race.proba(c, self.grid), len(self.xs), len(self.ys))
                layers, title = self.images[i].add(image, time.monotonic()), f"{c.label}: epoch {c.epoch}"
                slot.echarts_chart(
                    boundary.boundary_option(self.xs, self.ys, layers, self.points, race.data, title=title,
                                                size=self.lane_size, title_color=palette.lane_color(i)),
                    width=width, height=height, alt=f"{title}: the decision boundary of this lane",
                )
        else:
            labels = [c.label for c in race.contestants]
            accuracy = [c.history.test_score[-1] if c.history.epoch else 0.0 for c in race.contestants]
            title = f"Test accuracy, epoch {race.epoch}"
            self.bars.echarts_chart(
                charts.bars_option(accuracy, labels, title=title, colors=[palette.lane_color(i) for i in range(len(labels))],
                                        value_name="test accuracy", digits=1),
                height=charts.bars_height(len(labels)), alt=f"{title}: one bar per lane",
            )
        if race.done:
            colors = {c.label: palette.lane_color(i) for i, c in enumerate(race.contestants)}
            self.landscape.draw(race.landscape(self.landscape.kind), colors, "each optimizer")
        else:
            self.landscape.waiting("the race")
        self.table.dataframe(
            race.summary(), hide_index=True, width="stretch",
            column_config={
                "learning rate": st.column_config.NumberColumn(format="%g"),
                "train loss": st.column_config.NumberColumn(format="%.4f"),
                "test loss": st.column_config.NumberColumn(format="%.4f"),
                "test accuracy": st.column_config.NumberColumn(format="percent"),
                "wall time (s)": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        with self.notes.container():
            for c in race.contestants:
                if c.diverged:
                    st.error(f"**{c.label}**: {c.diverged}")

    def _status(self, race: R.Race) -> None:
        leader = race.leader()
        if leader:
            ahead = f" Lowest test loss: **{leader.label}**."
        elif race.contestants and all(c.diverged for c in race.contestants):
            ahead = " Every lane diverged, so there is no winner: lower the learning rates and race again."
        else:
            ahead = ""
        if race.done:
            self.status.success(f"Race finished after {race.epoch} epoch{'s' if race.epoch != 1 else ''}.{ahead}")
        elif is_training(PAGE):
            self.status.info(f"Racing...{ahead}")
        elif race.started:
            self.status.info(f"Stopped after epoch {race.epoch}.{ahead} Press **Race** to continue.")
        else:
            self.status.info("Press **Race** to start.")


def race_live(race: R.Race, draw) -> NoReturn:
    """Step the race epoch by epoch, drawing a few times a second; Stop interrupts at the next draw.

    The race lives in session state, so a Stop (or any rerun) keeps every lane's progress.
    """
    def rounds():
        while not race.done:
            race.step()
            yield race.epoch

    live.run_live(race, rounds(), draw)
