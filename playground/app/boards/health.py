"""The Training health view, the same on the 2-D, tables and images boards: a switch, then per hidden layer the
histograms of its outputs and gradients, and the layers' update-to-weight ratios over the run (engine/health.py)."""
from __future__ import annotations

import streamlit as st

from playground.app.boards.common import Slot
from playground.engine.health import UpdateLog, run_health
from playground.engine.run import Run
from playground.viz import health_charts

LABEL = "Training health"
HELP = ("Why it learns, or does not: per hidden layer, a histogram of its outputs with the share of saturated (tanh, "
        "sigmoid) or dead (ReLU) units, a histogram of the gradients reaching it, and how big each update is against "
        "the weights (log10; near -3 is healthy). One extra forward and backward pass on 256 training rows a redraw.")
LOGS = "update_logs"  # session state: {id(run or lane): UpdateLog}, the shown ones' only
MAX_LOGS = 2  # a board shows one run, or the mistake lab's two lanes


def health_switch(key: str) -> bool:
    return st.toggle(LABEL, key=key, help=HELP)


class HealthView:
    """Its two charts, laid out when the switch is on; draw(run, data, loss) refills them (nothing when off)."""

    def __init__(self, on: bool):
        self.on = on
        if on:
            histograms, ratios = st.columns([3, 2], gap="medium")
            with histograms:
                self.histograms = Slot()
            with ratios:
                self.ratios = Slot()

    def draw(self, run: Run, data, loss: str) -> None:
        """A run's health (its model, its steps so far)."""
        self.draw_model(run.model, data, loss, run.snapshot.step if run.snapshot else 0, run)

    def observe(self, run: Run) -> None:
        """Record the run's update sizes only (cheap: every live frame, while the charts redraw a few times a second),
        so a run of a second still draws a curve of many points."""
        if self.on and run.snapshot:
            self._log(run).record(run.model, run.snapshot.step)

    @staticmethod
    def _log(owner) -> UpdateLog:
        logs = st.session_state.setdefault(LOGS, {})
        if id(owner) not in logs:
            logs.pop(next(iter(logs)), None) if len(logs) >= MAX_LOGS else None  # the oldest goes
            logs[id(owner)] = UpdateLog()
        return logs[id(owner)]

    def draw_model(self, model, data, loss: str, step: int, owner, title: str = "") -> None:
        """Any model's health (a mistake-lab lane's); `owner` is what its update log belongs to."""
        if not self.on:
            return  # closed: costs nothing
        layers = run_health(model, data, loss)
        if not layers:
            self.histograms.caption("Training health looks at hidden layers: this network has none.")
            return
        log = self._log(owner)
        log.record(model, step)
        option, height = health_charts.histograms_option(layers, title)
        self.histograms.echarts_chart(option, height=height, alt=f"Training health{' of the ' + title if title else ''}: per "
                                      "hidden layer, histograms of its outputs and of its gradients, with the share of "
                                      "saturated or dead units")
        self.ratios.echarts_chart(health_charts.ratios_option(log, [layer.name for layer in layers]), height=max(height, 260),
                                  alt="Each hidden layer's update size over its weight size (log10) against training steps")
