"""The 2-D board's network view and what a click on it does (TensorFlow Playground's network interactions).

Hover a neuron: its map, large, in a tooltip (while training too). When the network is not training, the view is
drawn once per script run with a constant key and on_select (a chart with on_select cannot be redrawn in one
script run, so while training it stays unkeyed and only hoverable):
- click a neuron: its map replaces the output picture on the plane, until "Back to the output" or a second click;
- click a weight's handle: a number box below the view sets that weight in this session's model (engine/editing.py).
"""
from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from playground.engine.editing import set_weight, shown_weight
from playground.engine.inside import input_maps, layer_weights, neuron_maps
from playground.engine.run import Run
from playground.viz import boundary, network_charts
from playground.viz.network_charts import NEURONS, WEIGHTS

PICKS = "network_picks"  # session state: {NEURONS: item index, WEIGHTS: item index, "sizes": columns, "gen": n}
WEIGHT_RANGE = 5.0  # the number box's limits, ±, widened to take a larger current weight


def _picks() -> dict:
    return st.session_state.setdefault(PICKS, {"gen": 0})


def chart_key() -> str:
    """The clickable chart's key: a new one after "Back to the output", so its old selection goes with it."""
    return f"network_view_{_picks()['gen']}"


def on_select(key: str) -> None:
    """The chart's selection changed: keep the selected neuron and weight (an item clicked again is unselected)."""
    state = st.session_state.get(key)
    selected = state["selection"]["selected"] if state else []
    items = network_charts.picked_items(selected)
    picks = _picks()
    picks[NEURONS], picks[WEIGHTS] = items.get(NEURONS), items.get(WEIGHTS)


def back_to_output() -> None:
    picks = _picks()
    picks[NEURONS] = None
    picks["gen"] += 1


def sizes_of(run: Run, data) -> tuple[int, ...]:
    return network_charts.column_sizes(len(run.cfg.model.features), tuple(run.cfg.model.hidden), data.n_classes)


def picked(run: Run, data) -> tuple[tuple[int, int] | None, tuple[int, int, int] | None]:
    """The picked neuron (column, neuron) and weight (matrix, to, from), or None; picks of another network are dropped."""
    picks, sizes = _picks(), sizes_of(run, data)
    if picks.get("sizes") != sizes:
        picks.update({"sizes": sizes, NEURONS: None, WEIGHTS: None})
    neurons, weights = network_charts.neuron_targets(sizes), network_charts.weight_targets(sizes)
    n, w = picks.get(NEURONS), picks.get(WEIGHTS)
    return (neurons[n] if n is not None and n < len(neurons) else None,
            weights[w] if w is not None and w < len(weights) else None)


def _columns(run: Run, grid: np.ndarray, loss: str) -> list[tuple]:
    layers, output = neuron_maps(run.model, grid, loss)
    return network_charts.column_maps(input_maps(run.model, grid), layers, output)


def neuron_plane(run: Run, grid: np.ndarray, n_x: int, n_y: int, neuron: tuple[int, int]) -> tuple[str, str]:
    """(title, PNG) of one neuron's output over the plane's grid, coloured as its square is (orange - white - blue)."""
    _, maps, names = _columns(run, grid, run.cfg.train.loss)[neuron[0]]
    name = names[neuron[1]]
    image = boundary.image_png(network_charts.neuron_colors(maps[neuron[1]]), n_x, n_y)
    kind = neuron[0]
    title = (f"Input {name}" if kind == 0 else f"Output {name}" if kind == len(run.cfg.model.hidden) + 1
             else f"{name[0].upper()}{name[1:]}'s output")  # short: the plane's title has 26 characters' room
    return title, image


def draw(slot, run: Run, grid: np.ndarray, loss: str, epoch: int, width: int, height: int, under: dict,
         still: bool) -> dict:
    """Draw the view into slot (still: keyed and clickable, with finer tooltip maps); returns its squares' images."""
    layers, output = neuron_maps(run.model, grid, loss)
    inputs = input_maps(run.model, grid)
    kw = dict(under=under, width=width, height=height, inputs=inputs)
    if still:
        fine = boundary.boundary_grid(grid, network_charts.TIP_RESOLUTION, margin=0)[2]
        tips = network_charts.tip_images(input_maps(run.model, fine), *neuron_maps(run.model, fine, loss))
        picks = _picks()
        kw.update(tips=tips, selectable=True, picked={k: picks.get(k) for k in (NEURONS, WEIGHTS)})
    option, chart_height = network_charts.network_option(grid, layers, output, layer_weights(run.model), **kw)
    alt = (f"Inside the network after epoch {epoch}: one square per neuron, its output over the input plane (blue "
           "positive, orange negative); lines are weights")
    if still:
        key = chart_key()
        slot.echarts_chart(option, height=chart_height, alt=alt, key=key, on_select=functools.partial(on_select, key))
    else:
        slot.echarts_chart(option, height=chart_height, alt=alt)
    return network_charts.neuron_images(option)


def weight_box(place, run: Run, data, weight: tuple[int, int, int]) -> None:
    """A number box for the picked weight; a new value is set in this session's model at once."""
    layer, i, j = weight
    columns = _columns(run, np.zeros((1, 2), dtype=np.float32), run.cfg.train.loss)
    source, target = columns[layer][2][j], columns[layer + 1][2][i]
    value = shown_weight(run.model, layer, i, j)
    limit = max(WEIGHT_RANGE, float(np.ceil(abs(value))))
    key = f"weight_{layer}_{i}_{j}_{value:.6f}"  # a new box whenever the weight changes (a hand edit, training)
    replay = run.replay_of is not None
    place.number_input(
        f"Weight from {source} to {target}", min_value=-limit, max_value=limit, value=round(value, 4), step=0.1,
        format="%.3f", key=key, on_change=_typed, args=(run, weight, key), disabled=replay,
        help="Set this weight by hand: the boundary, the network view and the numbers follow the edited network. "
        + ("Slide the replay to its end to edit the finished run." if replay else
           "A run with weights set by hand is this session's own: it is never shared as a trained result."),
    )


def _typed(run: Run, weight: tuple[int, int, int], key: str) -> None:
    value = st.session_state.get(key)
    if value is not None:
        set_weight(run, *weight, float(value))
