"""The 2-D board, laid out for one screen (a 1280 x 720 projector): the network, the plane and the loss side by side.

Classes: the plane shaded by the predicted class, with probability bars for a chosen point. Regression (TensorFlow
Playground's plane and multi-Gaussian): the plane shaded by the predicted value, the points by their target, MSE.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np
import streamlit as st

from playground.viz import boundary, charts
from playground.engine.models import LOSSES, n_parameters
from playground.engine.run import Run
from playground.app.boards import network_view
from playground.app.boards import health
from playground.app.boards.common import Slot, show_curves, show_progress, show_status
from playground.app.boards.health import HealthView
from playground.app.boards import landscape
from playground.app.edits import set_edits
from playground.app.presenter import presenting
from playground.app.session import is_training

AUTO = -1  # the point picker's "least sure point" (classes) or "worst predicted point" (regression) option
COLUMNS = (0.38, 0.38, 0.24)  # network view, plane, loss curves: their shares of the page's width
# px of the plane's longer side, and of the network view's width: they fit their columns in a 1280-px window beside
# the sidebar (a main column of 820 px), or with the sidebar collapsed in presenter mode (1120 px)
PLANE_SIZE, NETWORK_WIDTH = {False: 230, True: 330}, {False: 305, True: 420}
NETWORK_HEIGHT = 370  # px at most: the network view ends where the plane does
CURVES_HEIGHT = 250
# Display switches (not settings: they change no run), each with its URL parameter, as TensorFlow Playground has them
SWITCHES = {
    "inside": ("Network view", True, "One small map per neuron: what it outputs at every point of the plane (blue "
               "positive, orange negative), and the weights between neurons as lines (thicker = larger)."),
    "show_test": ("Show test data", True, "Draw the held-out test points (black outline) beside the training points "
                  "(white outline). The network never trains on them."),
    "discretize": ("Discretize", False, "Discretize output, as TensorFlow Playground calls it: shade the plane by the predicted class alone (for regression, by the "
                   "sign of the value), without fading where the network is unsure."),
    "health": (health.LABEL, False, health.HELP),
    "landscape": (landscape.LABEL, False, landscape.HELP),
    "edit": ("Click to add", False, "Click to add points: click on the plane to add a training point of the chosen class there (or to "
             "remove the nearest one), also while the network trains: poke it and watch it adapt. The pictures then "
             "redraw a few times a second instead of up to 30."),
}
SWITCHES_PER_ROW = 3  # their labels in full beside the sidebar at 1280 px
REMOVE = "remove"  # the click brush that takes the nearest training point away
CLICK_KEY = "plane_click"  # the clickable plane's widget key (one chart of its kind per script run)


def _switch(name: str) -> bool:
    label, default, help_text = SWITCHES[name]
    if name not in st.session_state and name in st.query_params:  # a link may set it: ?discretize=1
        st.session_state[name] = st.query_params[name].lower() in {"1", "true", "yes"}
    return st.toggle(label, value=None if name in st.session_state else default, key=name, help=help_text)


class Board2D:
    """Placeholders laid out once per script run; draw(run) refills them with the run's state."""

    still = False  # set when this script run draws the board once (not training): the network view is clickable

    def __init__(self, data, cfg, plane=None):
        """plane: the data without the points clicked in or out, whose extent the pictures keep (default: data)."""
        self.data, self.cfg = data, cfg
        self.regression = not data.n_classes
        big = presenting()
        plane_size, self.network_width = PLANE_SIZE[big], NETWORK_WIDTH[big]
        plane = plane or data
        every = np.vstack([plane.X_train, plane.X_test])
        self.xs, self.ys, self.grid = boundary.boundary_grid(every, boundary.LIVE_RESOLUTION)
        self.plane_size = plane_size
        self.boundary_size = boundary.boundary_size(self.xs, self.ys, plane_size)
        key = dataclasses.replace(cfg.data, edits=())  # a click changes the data, not the plane the images cover
        saved = st.session_state.get("boundary_images")  # (data settings, BoundaryImages), across reruns
        if not saved or saved[0] != key:  # another plane: the old images would not fit its axes
            saved = st.session_state["boundary_images"] = (key, boundary.BoundaryImages())
        self.images = saved[1]
        self.slow_at = float("-inf")  # when the numbers, curves and network view were last redrawn
        progress, *metrics = st.columns([2.2, 1, 1, 1, 1], vertical_alignment="center")
        with progress:
            self.progress = Slot()
        self.metrics = []
        for column in metrics:
            with column:
                self.metrics.append(Slot())
        network, middle, curves = st.columns(COLUMNS, gap="small")
        with network:
            self.inside = Slot()
            self.network_tools = st.container()  # the picked weight's number box
        with middle:
            self.boundary = Slot()
            self.plane_tools = st.container()  # "Back to the output" while a neuron's map is shown
        with curves:
            self.curves = Slot()
        self.status = Slot()  # under the pictures: a finished run's line never pushes them off a projector's screen
        self.switch = {}
        columns = [column for _ in range(0, len(SWITCHES), SWITCHES_PER_ROW)
                   for column in st.columns(SWITCHES_PER_ROW, vertical_alignment="center")]
        for column, name in zip(columns, SWITCHES):
            with column:
                self.switch[name] = _switch(name)
        self.points = boundary.point_series(data, show_test=self.switch["show_test"])
        self.clickable = self.switch["edit"]  # the plane takes clicks: one frame per script run (run_view.board_for)
        self.keyed = False  # whether this script run has drawn the clickable plane (once per run at most)
        if self.clickable:
            self.click_series, self.cells = boundary.click_layer(self.xs, self.ys, plane_size)
            self._edit_controls()
        self.health = HealthView(self.switch["health"])
        self.landscape = landscape.LandscapeView("landscape_kind", self.switch["landscape"])
        picker, bars = st.columns([2, 3], gap="medium")
        with picker:
            self.point = st.selectbox(
                "Point to inspect", [AUTO, *range(len(data.y_test))], key=f"point_{hash(key)}",
                format_func=self._point_label,
                help="Which test point to look at closely; it is ringed in the plot. 'Auto' follows the test point the "
                "model is most unsure about (classes) or predicts worst (regression) right now.",
            )
            self.summary = Slot()
        with bars:
            self.bars = Slot()
        self.inside_before = {}  # the network view's last squares (drawn under new ones)
        self.inside_grid = boundary.boundary_grid(every, resolution=24)[2]

    def _edit_controls(self) -> None:
        """What a click does (add a point of a class, or of a value, or remove one), Undo, and what was changed."""
        data, edits = self.data, self.cfg.data.edits
        brush, value, undo, note = st.columns([3, 2, 1, 3], vertical_alignment="bottom")
        options = [*range(data.n_classes), REMOVE] if data.n_classes else ["value", REMOVE]
        names = {REMOVE: "Remove the nearest", "value": "Add a point"} | {k: f"Add {n}" for k, n in enumerate(data.class_names or ())}
        brush.segmented_control("A click on the plane", options, format_func=names.get, key="brush", default=options[0],
                                help="What a click on the plane does: add a training point of this class there, or "
                                "take the training point nearest to it away.")
        if self.regression:
            value.slider("Value of an added point", -1.0, 1.0, 1.0, 0.1, key="brush_value",
                         help="The target of the points you add: -1 orange, +1 blue.")
        undo.button("Undo", key="undo_edit", on_click=self._undo, disabled=not edits, help="Take the last click back.")
        added = sum(1 for *_, add in edits if add)
        message = st.session_state.pop("edit_error", None)
        if message:
            note.error(message)
        else:
            note.caption(f"{added} point{'s' * (added != 1)} added and {len(edits) - added} removed by hand "
                         "(training set only: the test set stays the judge).")

    def _clicked(self) -> None:
        """The plane was clicked: which of its cells is newly selected (or unselected), and the edit it makes."""
        state = st.session_state.get(CLICK_KEY)
        selected = state.selection.selected if state and state.selection else []
        now = {i for group in selected if group.get("series_id") == "clicks" for i in group.get("data_indices", [])}
        before = st.session_state.get("plane_click_before", set())
        st.session_state["plane_click_before"] = now
        changed = (now - before) or (before - now if len(before - now) == 1 else set())  # a cell clicked twice: unselected
        if len(changed) != 1:
            return  # a double click clears the whole selection: no one place
        x1, x2 = self.cells[changed.pop()]
        brush = st.session_state.get("brush", REMOVE)
        if brush == REMOVE:
            edit = (x1, x2, 0.0, 0.0)
        else:
            edit = (x1, x2, float(st.session_state.get("brush_value", 1.0) if self.regression else brush), 1.0)
        st.session_state["edit_error"] = set_edits(self.cfg, (*self.cfg.data.edits, edit))

    def _undo(self) -> None:
        st.session_state["edit_error"] = set_edits(self.cfg, self.cfg.data.edits[:-1])

    def _point_label(self, i: int) -> str:
        if i == AUTO:
            return "Worst predicted test point (auto)" if self.regression else "Least sure test point (auto)"
        x1, x2 = self.data.X_test[i]
        target = f"value {self.data.y_test[i]:.2f}" if self.regression else f"class {self.data.y_test[i]}"
        return f"Test point #{i}: ({x1:.2f}, {x2:.2f}), {target}"

    def _chosen(self, run: Run) -> tuple[int, np.ndarray]:
        """The inspected test point, and what the run predicts for every test point (values, or probabilities)."""
        data = self.data
        if self.regression:
            predicted = run.predict(data.X_test)
            worst = int(np.abs(predicted - data.y_test).argmax())
        else:
            predicted = run.proba(data.X_test)
            worst = int(predicted.max(1).argmin())
        return (worst if self.point == AUTO else self.point), predicted

    def _plane_image(self, run: Run) -> str:
        n_x, n_y = len(self.xs), len(self.ys)
        if self.regression:
            return boundary.value_png(run.predict(self.grid), n_x, n_y, self.switch["discretize"])
        return boundary.boundary_png(run.proba(self.grid), n_x, n_y, self.switch["discretize"])

    def draw(self, run: Run) -> None:
        """Redraw from the run's model and history: the plane every frame (up to 30 a second), the rest up to 4.

        The plane moves with every frame; bars, numbers, curves and the network view change more
        slowly to the eye and cost the browser a chart update each, so while training they refresh at
        most every charts.SLOW_SECONDS (and always on the last frame).
        """
        snap, data = run.snapshot, self.data
        epoch = snap.epoch if snap else 0
        loss = run.cfg.train.loss
        idx, predicted = self._chosen(run)
        width, height = self.boundary_size
        what = "Predicted value" if self.regression else "Decision boundary"
        title = f"{what}, epoch {epoch}"
        shading = "the predicted value (orange -1, blue +1)" if self.regression else "the predicted class"
        neuron, weight = network_view.picked(run, data) if self.still and self.switch["inside"] else (None, None)
        if neuron:  # a clicked neuron's map replaces the output picture (TensorFlow Playground shows it on hover)
            title, image = network_view.neuron_plane(run, self.grid, len(self.xs), len(self.ys), neuron)
            shading = "this neuron's output over the plane (blue positive, orange negative, scaled by its peak)"
            self.plane_tools.button("Back to the output", key="network_back", on_click=network_view.back_to_output,
                                    help="Show the network's output over the plane again (or click the neuron again).")
        images = self.images.add(image if neuron else self._plane_image(run), time.monotonic())  # kept across reruns
        option = boundary.boundary_option(self.xs, self.ys, images, self.points, data, highlight=idx, title=title,
                                          size=self.plane_size)
        alt = f"{title}: the plane shaded by {shading}, with the training and test points"
        if self.clickable and not self.keyed:  # takes clicks; drawn once per script run (a keyed chart cannot be redrawn)
            self.keyed = True
            option["series"].append(self.click_series)
            self.boundary.echarts_chart(option, key=CLICK_KEY, on_select=self._clicked, width=width, height=height, alt=alt)
        else:
            self.boundary.echarts_chart(option, width=width, height=height, alt=alt)
        training = is_training("2d") and not (snap and snap.done)
        self.health.observe(run)
        if training and time.monotonic() - self.slow_at < charts.SLOW_SECONDS:
            return
        self.slow_at = time.monotonic()
        self._draw_point(run, idx, predicted, epoch)
        show_status(self.status, run, is_training("2d"))
        show_progress(self.progress, self.metrics, run)
        widths = " → ".join(map(str, (len(run.cfg.model.features), *run.cfg.model.hidden, max(data.n_classes, 1))))
        self.summary.caption(f"Network: {widths} neurons, {n_parameters(run.model):,} weights. The ringed point is #{idx}.")
        show_curves(self.curves, run, LOSSES[loss].label, compact=True, height=CURVES_HEIGHT)
        self.health.draw(run, data, loss)
        if self.landscape.on and (run.done or run.replay_of):
            self.landscape.draw(landscape.run_landscape(run, self.landscape.kind))
        else:
            self.landscape.waiting("the run")
        if self.switch["inside"] and self.clickable and training:
            # a frame per script run, and the network view is the browser's heaviest chart to redraw: at a few frames
            # a second it kept the page busy and faded (measured: 19 animation frames in 5 s with it, 50 without)
            self.inside.caption("The network view rests while you click points in during training; it comes back "
                                "when training stops or the click mode is off.")
        elif self.switch["inside"]:
            self._draw_network(run, loss, epoch)
            if weight:
                network_view.weight_box(self.network_tools, run, data, weight)

    def _draw_point(self, run: Run, idx: int, predicted: np.ndarray, epoch: int) -> None:
        data = self.data
        if self.regression:
            target, value = float(data.y_test[idx]), float(predicted[idx])
            self.bars.metric(f"Test point #{idx}: predicted value after epoch {epoch}", f"{value:.3f}",
                             delta=f"{value - target:+.3f} from its target {target:.3f}", delta_color="off")
            return
        bars_title = f"Test point #{idx} (true: class {data.y_test[idx]})"
        self.bars.echarts_chart(
            charts.bars_option(predicted[idx], data.class_names, int(data.y_test[idx]), title=bars_title),
            height=charts.bars_height(data.n_classes), alt=f"{bars_title}: class probabilities after epoch {epoch}",
        )

    def _draw_network(self, run: Run, loss: str, epoch: int) -> None:
        self.inside_before = network_view.draw(self.inside, run, self.inside_grid, loss, epoch, self.network_width,
                                               NETWORK_HEIGHT, self.inside_before, self.still)
