"""The loss landscape view, on the 2-D page (a switch) and under the optimizer race: a contour map of the training loss
on a slice through the final weights, with the path of the weights projected onto it (engine/landscape.py)."""
from __future__ import annotations

import streamlit as st

from playground.app.boards.common import Slot
from playground.engine.landscape import DIRECTIONS
from playground.engine.training import ENGINE_VERSION
from playground.server.store import Bounded
from playground.viz import landscape_charts
from playground.viz.palette import BLUE

LABEL = "Loss landscape"
HELP = ("After a run: the training loss around its final weights (the ×), on a flat slice through them, as a contour "
        "map, with the path its weights took projected onto the slice. The slice runs along two random directions "
        "(Li et al., 2018, filter-normalised: the surface as it is) or along the path's two main directions (PCA: "
        "the path in full). Computed once per finished run, in about a second.")
EXPLAIN = (
    "The picture is one flat slice through a space with one axis per weight: the shading is the training loss there "
    "(darker is higher, lines join equal losses) and the × is where training ended. A path is the weights after each "
    "saved epoch, projected onto the slice: only its end lies on it, so read it as the direction the weights moved, "
    "not as a walk along the shading. A wide, flat basin around the × usually generalises better than a narrow one."
)


@st.cache_resource
def landscape_store() -> Bounded:
    """The landscapes of finished runs published to the shared store (unedited), keyed like them: computed once."""
    return Bounded(max_entries=64)


def run_landscape(run, kind: str = "random"):
    """A finished run's landscape; shared between sessions for a run anyone could train from its settings alone."""
    base = run.replay_of or run  # a replayed epoch shows the whole run's landscape
    if base.edited or not base.done:
        return base.landscape(kind)
    key = (ENGINE_VERSION, base.cfg, kind)
    found = landscape_store().get(key)
    if found is None:
        found = base.landscape(kind)
        landscape_store().put(key, found)
    return found


class LandscapeView:
    """The chart and its explanation side by side, laid out when on; draw(landscape) fills them."""

    kind = "random"

    def __init__(self, key: str, on: bool = True):
        self.on = on
        if on:
            chart, words = st.columns([3, 2], gap="medium", vertical_alignment="center")
            with chart:
                self.chart = Slot()
            with words:
                self.kind = st.segmented_control(
                    "Directions of the slice", list(DIRECTIONS), format_func=lambda k: DIRECTIONS[k].label, default="random",
                    key=key,
                    help="Which flat slice through the weights to draw: " + "; ".join(
                        f"{d.label}: {d.summary}" for d in DIRECTIONS.values()) + ".",
                ) or "random"  # a click on the chosen one unselects it: keep the default
                self.words = Slot()

    def waiting(self, what: str) -> None:
        if self.on:
            self.chart.caption(f"The loss landscape appears when {what} has finished.")
            self.words.empty()

    def draw(self, landscape, colors: dict[str, str] | None = None, who: str = "the run") -> None:
        if not self.on:
            return
        if landscape is None:
            self.chart.caption("No loss landscape: every run diverged.")
            return
        colors = colors or {label: BLUE for label, _ in landscape.paths}
        width, height = landscape_charts.landscape_size(len(landscape.paths))
        self.chart.echarts_chart(
            landscape_charts.landscape_option(landscape, colors, f"Loss landscape around the end of {landscape.centre}",
                                              DIRECTIONS[landscape.kind].axis),
            width=width, height=height,
            alt=f"Loss landscape: training loss on a slice through the final weights of {landscape.centre} "
                f"(loss {landscape.centre_loss:.4g} at the centre), with the path of {who} projected onto it",
        )
        grid = len(landscape.alphas)
        about = DIRECTIONS[landscape.kind].about.format(explained=landscape.explained or 0.0)
        self.words.caption(f"{EXPLAIN} {about} This slice: {grid} × {grid} losses, computed in {landscape.seconds:.2f} s.")
