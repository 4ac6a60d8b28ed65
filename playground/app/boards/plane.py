"""The 2-D board: status, progress, metrics, decision boundary, probability bars, curves."""
from __future__ import annotations

import time

import numpy as np
import streamlit as st

from playground.viz import boundary, charts
from playground.viz import network_charts
from playground.engine.inside import input_maps, layer_weights, neuron_maps
from playground.engine.models import LOSSES, n_parameters
from playground.engine.run import Run
from playground.app.boards.common import Slot, metric_slots, show_curves, show_progress, show_status
from playground.app.session import is_training

AUTO = -1  # the point picker's "least sure point" option


class Board2D:
    """Placeholders laid out once per script run; draw(run) refills them with the run's state."""

    def __init__(self, data, cfg):
        self.data, self.cfg = data, cfg
        self.xs, self.ys, self.grid = boundary.boundary_grid(np.vstack([data.X_train, data.X_test]), boundary.LIVE_RESOLUTION)
        self.boundary_size = boundary.boundary_size(self.xs, self.ys)
        self.points = boundary.point_series(data)
        saved = st.session_state.get("boundary_images")  # (data settings, BoundaryImages), across reruns
        if not saved or saved[0] != cfg.data:  # another plane: the old images would not fit its axes
            saved = st.session_state["boundary_images"] = (cfg.data, boundary.BoundaryImages())
        self.images = saved[1]
        self.slow_at = float("-inf")  # when the numbers, curves and network view were last redrawn
        self.status = Slot()
        self.progress = Slot()
        self.metrics = metric_slots()
        left, right = st.columns([3, 2], gap="medium")
        with left:
            self.boundary = Slot()
        with right:
            self.point = st.selectbox(
                "Point to inspect", [AUTO, *range(len(data.y_test))], key=f"point_{hash(cfg.data)}",
                format_func=self._point_label,
                help="Which test point's class probabilities to show. 'Least sure' follows the test point "
                "the model is most undecided about right now; it is ringed in the plot.",
            )
            self.bars = Slot()
            self.summary = Slot()
        self.curves = Slot()
        self.show_inside = st.toggle(
            "See inside the network", key="inside", help="One small map per neuron: what it outputs at every point of the "
            "plane (blue positive, orange negative), and the weights between neurons as lines (thicker = larger).",
        )
        self.inside, self.inside_before = Slot(), {}  # the network view, and its last squares (drawn under new ones)
        self.inside_grid = boundary.boundary_grid(np.vstack([data.X_train, data.X_test]), resolution=24)[2]

    def _point_label(self, i: int) -> str:
        if i == AUTO:
            return "Least sure test point (auto)"
        x1, x2 = self.data.X_test[i]
        return f"Test point #{i}: ({x1:.2f}, {x2:.2f}), class {self.data.y_test[i]}"

    def draw(self, run: Run) -> None:
        """Redraw from the run's model and history: the boundary every frame (up to 30 a second), the rest up to 4.

        The boundary moves with every frame; bars, numbers, curves and the network view change more
        slowly to the eye and cost the browser a chart update each, so while training they refresh at
        most every charts.SLOW_SECONDS (and always on the last frame).
        """
        snap, data = run.snapshot, self.data
        epoch = snap.epoch if snap else 0
        loss = run.cfg.train.loss
        proba_test = run.proba(data.X_test)
        idx = int(proba_test.max(1).argmin()) if self.point == AUTO else self.point
        width, height = self.boundary_size
        title = f"Decision boundary, epoch {epoch}"
        image = boundary.boundary_png(run.proba(self.grid), len(self.xs), len(self.ys))
        images = self.images.add(image, time.monotonic())  # kept across reruns: a run's first frame has them too
        self.boundary.echarts_chart(
            boundary.boundary_option(self.xs, self.ys, images, self.points, data, highlight=idx, title=title),
            width=width, height=height, alt=f"{title}: the plane shaded by the predicted class, with the training and test points",
        )
        training = is_training("2d") and not (snap and snap.done)
        if training and time.monotonic() - self.slow_at < charts.SLOW_SECONDS:
            return
        self.slow_at = time.monotonic()
        bars_title = f"Test point #{idx} (true: class {data.y_test[idx]})"
        self.bars.echarts_chart(
            charts.bars_option(proba_test[idx], data.class_names, int(data.y_test[idx]), title=bars_title),
            height=charts.bars_height(data.n_classes), alt=f"{bars_title}: class probabilities after epoch {epoch}",
        )
        show_status(self.status, run, is_training("2d"))
        show_progress(self.progress, self.metrics, run)
        widths = " → ".join(map(str, (len(run.cfg.model.features), *run.cfg.model.hidden, data.n_classes)))
        self.summary.caption(f"Network: {widths} neurons, {n_parameters(run.model):,} weights. Ringed point: #{idx}; a black outline marks its true class.")
        show_curves(self.curves, run, LOSSES[loss].label)
        if self.show_inside:
            layers, proba = neuron_maps(run.model, self.inside_grid, loss)
            option, inside_height = network_charts.network_option(self.inside_grid, layers, proba, layer_weights(run.model),
                                                                under=self.inside_before, inputs=input_maps(run.model, self.inside_grid))
            self.inside_before = network_charts.neuron_images(option)
            self.inside.echarts_chart(option, height=inside_height, alt=f"Inside the network after epoch {epoch}: one square per "
                                      "neuron, its output over the input plane (blue positive, orange negative); lines are weights")
