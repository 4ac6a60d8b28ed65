"""The "See inside the network" view as an ECharts option (plain dicts; no Streamlit, no plotly).

TensorFlow-Playground style: every neuron is a small square picturing its output over the input
plane (blue positive, white zero, orange negative, each scaled by its own peak), and the weights
between neurons are lines (blue positive, orange negative; thicker and darker = larger). The
squares are tiny PNGs placed in pixels with `graphic` image elements, the lines, boxes and labels
are `graphic` elements too: no axes, no series, so a frame is cheap to build and to redraw in place.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from playground.viz.palette import BASE, BLUE, FONT_SIZE, ORANGE, TITLE_SIZE, WHITE

TITLE = "Inside the network: each square is one neuron's output over the input plane"
SHORT_TITLE = "Inside the network"
NARROW_PITCH = 64  # px between columns below which "layer 1" would run into "layer 2": short names (h1, h2)
SHORT_NAMES = {"input": "in", "output": "out"}
NEGATIVE, ZERO, POSITIVE = ORANGE, WHITE, BLUE  # orange negative, white zero, blue positive
BOX = 64  # px per side of a neuron's square (its 24 x 24 map, smoothed by the browser), when the columns have room
ROW_GAP = 20 / 64  # the gap between two squares of a column, per px of square
WIDTH = 800  # px the diagram spans at most: the chart is 820 px wide in a 1280-pixel window beside the sidebar
COLUMN_PITCH = 200  # px between columns at most (few layers); many layers share WIDTH, squares half their pitch
OUTPUT_LABEL = 80  # px right of the output squares for their names, "P(class 1)"
LEFT, TOP = 40, 78  # the first column's left edge (room for "x1"), the squares' top (below the titles)
BOTTOM = 34  # px under the tallest column: room for "+N more"
LABEL_COLOR = "#31333f"
LABEL_PX = 7  # px per character of a label, about (FONT_SIZE - 1 px sans-serif), to leave room for the inputs' names


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


_NEG, _ZERO, _POS = _rgb(NEGATIVE), _rgb(ZERO), _rgb(POSITIVE)


def neuron_colors(z: np.ndarray) -> np.ndarray:
    """(n, 3) uint8 RGB: z scaled by its own peak to [-1, 1], then orange (-1) through white (0) to blue (+1)."""
    v = (np.asarray(z, dtype=np.float32) / max(float(np.abs(z).max()), 1e-9))[:, None]
    rgb = np.where(v < 0, _ZERO + (-v) * (_NEG - _ZERO), _ZERO + v * (_POS - _ZERO))
    return rgb.round().astype(np.uint8)


SHADES = 65  # palette entries from orange to blue (odd: 0 is white itself); smooth to the eye, a third smaller than RGB
_PALETTE = neuron_colors(np.linspace(-1, 1, SHADES)).ravel().tolist()


def neuron_png(z: np.ndarray) -> str:
    """One neuron's map over a square grid (row-major, x1 fastest, x2 rising) as a PNG data URL, highest x2 on top."""
    res = int(round(np.sqrt(z.size)))
    v = np.asarray(z, dtype=np.float32) / max(float(np.abs(z).max()), 1e-9)
    shades = np.round((v + 1) / 2 * (SHADES - 1)).astype(np.uint8).reshape(res, res)[::-1]
    image = Image.fromarray(np.ascontiguousarray(shades), "P")
    image.putpalette(_PALETTE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _columns(inputs: tuple[np.ndarray, list[str]], layers: list[np.ndarray], proba: np.ndarray, weights: list[np.ndarray]):
    """[(title, maps (n, points), names)] from input to output, and the weight matrices joining them.

    Two classes show one output square, P(class 1). With two softmax outputs it is
    sigmoid(z1 - z0), so the weights into it are row 1 minus row 0 (one sigmoid output: its own row).
    """
    columns = [("input", *inputs)]
    columns += [(f"layer {i + 1}", a, [f"layer {i + 1}, neuron {j + 1}" for j in range(len(a))]) for i, a in enumerate(layers)]
    weights = list(weights)
    if proba.shape[0] == 1:  # regression: the predicted value itself
        columns.append(("output", proba, ["value"]))
    elif proba.shape[0] == 2:
        columns.append(("output", proba[1:2] * 2 - 1, ["P(class 1)"]))
        if weights and weights[-1].shape[0] == 2:
            weights[-1] = weights[-1][1:2] - weights[-1][0:1]
    else:
        columns.append(("output", proba * 2 - 1, [f"P(class {k})" for k in range(len(proba))]))
    return columns, weights


def _text(text: str, x: float, y: float, align: str = "center", size: int = FONT_SIZE - 1, bold: bool = False) -> dict:
    style = dict(text=text, x=x, y=y, textAlign=align, textVerticalAlign="middle", fontSize=size, fill=LABEL_COLOR)
    if bold:
        style["fontWeight"] = "bold"
    return dict(type="text", silent=True, style=style)


def _layout(n_columns: int, width: int = WIDTH, rows: int = 1, height: int | None = None,
            left: int = LEFT) -> tuple[float, int, int]:
    """(px between columns, px per square, px between rows): big squares for few layers, all inside `width` for many
    (and the tallest column of `rows` squares inside `height`, when given); `left`: px before the first column."""
    pitch = min((width - left - BOX - OUTPUT_LABEL) / max(n_columns - 1, 1), COLUMN_PITCH)
    box = min(BOX, int(pitch * 0.55))  # nearly as much room for the weights' lines as for the squares
    if height:
        box = min(box, int((height - TOP - BOTTOM) / (rows + (rows - 1) * ROW_GAP)))
    pitch = min((width - left - box - OUTPUT_LABEL) / max(n_columns - 1, 1), COLUMN_PITCH)
    return pitch, box, round(box * (1 + ROW_GAP))


def _edges(left: list[tuple[float, float]], right: list[tuple[float, float]], w: np.ndarray, box: int) -> list[dict]:
    """A line from each shown neuron's right side to each shown neuron's left side in the next column.

    Width and opacity grow with |w| relative to the largest |w| of the whole layer (shown or not).
    Drawn weakest first, so the strong lines lie on top (the graphic elements are drawn in order).
    """
    peak = max(float(np.abs(w).max()), 1e-9)
    pairs = [(i, j) for i in range(len(right)) for j in range(len(left))]
    pairs.sort(key=lambda ij: abs(w[ij]))
    lines = []
    for i, j in pairs:
        r = abs(float(w[i, j])) / peak
        (x0, y0), (x1, y1) = left[j], right[i]
        lines.append(dict(
            type="line", shape=dict(x1=round(x0 + box), y1=round(y0), x2=round(x1), y2=round(y1)),
            style=dict(stroke=POSITIVE if w[i, j] > 0 else NEGATIVE, lineWidth=round(0.5 + 4.5 * r, 2), opacity=round(0.2 + 0.7 * r, 2)),
        ))
    return lines


def network_option(grid: np.ndarray, layers: list[np.ndarray], proba: np.ndarray, weights: list[np.ndarray],
                   max_neurons: int = 8, under: dict[str, str] | None = None, width: int = WIDTH,
                   height: int | None = None, inputs: tuple[np.ndarray, list[str]] | None = None,
                   tips: dict[str, str] | None = None, selectable: bool = False,
                   picked: dict[str, int] | None = None) -> tuple[dict, int]:
    """(ECharts option, its height in px): a square per neuron over the input plane, lines per weight.

    grid: (n_points, 2) on a square grid (boundary.boundary_grid); layers: per hidden layer (n_neurons, n_points)
    and proba: (n_classes, n_points), or (1, n_points) predicted values, both from inside.neuron_maps; weights:
    inside.layer_weights. width, height: px the diagram may span (a narrow column gets smaller squares and a short
    title); without a height it grows with the tallest column.
    inputs: the input column's maps (n_inputs, n_points) and labels (inside.input_maps: the chosen input
    features); by default the grid's own x1 and x2.
    A layer with more than max_neurons shows its first max_neurons and "+N more" under them.

    under: the previous frame's squares (neuron_images of its option). A browser decodes a new image
    asynchronously and ECharts draws nothing for it until then (measured: every square blank for 40-60 ms
    of each frame, a flicker 4 times a second), so each changed square has its previous image beneath it,
    already decoded: the old picture shows until the new one is ready.

    Hovering a neuron shows its map large in a tooltip (tips: {neuron name: image}, e.g. tip_images of a finer grid;
    by default its square's own image): an invisible scatter series (id NEURONS) lies over the squares, on hidden
    axes in pixels. selectable: the neurons can be clicked (selectedMode) and each weight has a small handle to click
    (series WEIGHTS, on its line); picked: {series id: item index} drawn selected (see neuron_targets, weight_targets).
    """
    columns, weights = _columns(inputs or (grid.T, ["x1", "x2"]), layers, proba, weights)
    under = under or {}
    rows = max(min(len(maps), max_neurons) for _, maps, _ in columns)
    left = max(LEFT, 14 + LABEL_PX * max(map(len, columns[0][2])))  # room for the inputs' names, "sin(x1)"
    pitch, box, row_pitch = _layout(len(columns), width, rows, height, left)
    middle = TOP + (rows * row_pitch - (row_pitch - box)) / 2
    boxes, images, previous, labels, centres, neurons = [], [], [], [], [], []
    for c, (title, maps, names) in enumerate(columns):
        shown = min(len(maps), max_neurons)
        x = round(left + c * pitch)
        top = middle - (shown * row_pitch - (row_pitch - box)) / 2
        ys = [round(top + i * row_pitch) for i in range(shown)]
        centres.append([(x, y + box / 2) for y in ys])
        labels.append(_text(title if pitch >= NARROW_PITCH else SHORT_NAMES.get(title, title.replace("layer ", "h")),
                            x + box / 2, TOP - 22, bold=True))
        for i, y in enumerate(ys):
            src = neuron_png(maps[i])
            neurons.append((x + box / 2, y + box / 2, names[i], (tips or {}).get(names[i], src)))
            images.append(dict(type="image", name=names[i], x=x, y=y, silent=True, style=dict(image=src, width=box, height=box)))
            if under.get(names[i], src) != src:
                previous.append(dict(type="image", x=x, y=y, style=dict(image=under[names[i]], width=box, height=box)))
            boxes.append(dict(type="rect", silent=True, shape=dict(x=x, y=y, width=box, height=box),
                              style=dict(fill=None, stroke="#8c8c8c", lineWidth=1)))
        if title == "input":
            labels += [_text(name, x - 6, y + box / 2, align="right") for name, y in zip(names, ys)]
        elif title == "output":
            labels += [_text(name, x + box + 6, y + box / 2, align="left", size=FONT_SIZE - 2) for name, y in zip(names, ys)]
        if len(maps) > shown:
            labels.append(_text(f"+{len(maps) - shown} more", x + box / 2, ys[-1] + box + 14, size=FONT_SIZE - 2))
    # One silent group holds the edges. Measured in Chromium (ECharts 6, setOption with notMerge as Streamlit does, and a
    # paint): as cheap as loose graphic lines and cheaper than a `lines` series on a hidden pixel grid (median 2-4 ms
    # against 3-5 for 2-8-8-2, 7-13 against 13-18 for six layers of 8); no silent flag per line keeps the frame smaller.
    edges = dict(type="group", silent=True, children=[line for c, w in enumerate(weights) for line in _edges(centres[c], centres[c + 1], w, box)])
    below = [dict(type="group", name="previous frame", silent=True, children=previous)] if previous else []
    height = TOP + rows * row_pitch - (row_pitch - box) + BOTTOM
    title = TITLE if width >= WIDTH else SHORT_TITLE
    option = dict(BASE, title=dict(text=title, left=LEFT - 30, textStyle=dict(fontSize=TITLE_SIZE)),
                  graphic=[edges, *below, *images, *boxes, *labels])  # drawn in this order: each on top of the ones before
    series = [_neuron_series(neurons, box, selectable, (picked or {}).get(NEURONS))]
    if selectable:
        series.append(_weight_series(columns, centres, weights, box, (picked or {}).get(WEIGHTS)))
    option.update(_pixel_axes(width, height), series=series, tooltip=dict(trigger="item", confine=True, padding=6))
    return option, int(height)


NEURONS, WEIGHTS = "neurons", "weights"  # the series ids a chart selection names
TIP_PX = 160  # px per side of a neuron's map in its tooltip
TIP_RESOLUTION = 48  # grid points per side of that map (tip_images): finer than the squares' 24
HANDLE_PX = 7  # px across a weight's handle
HANDLE_COLOR = "rgba(60, 60, 60, 0.35)"  # faint: the lines stay the picture
CLEAR = "rgba(0, 0, 0, 0)"


def _pixel_axes(width: int, height: int) -> dict:
    """Hidden value axes over the whole chart, one unit a pixel from its top left: series sit where the graphics are."""
    axis = dict(type="value", show=False, min=0)
    return dict(grid=dict(left=0, top=0, width=width, height=height, outerBoundsMode="none", show=False),
                xAxis=dict(axis, max=width), yAxis=dict(axis, max=height, inverse=True))


def _neuron_series(neurons: list, box: int, selectable: bool, picked: int | None) -> dict:
    """Invisible squares over the neurons' images: hovering one shows its map large; a click selects it."""
    data = [dict(value=[round(x, 1), round(y, 1)], name=name,
                 tooltip=dict(formatter=f'<b>{name}</b><br><img src="{src}" width="{TIP_PX}" height="{TIP_PX}" alt="">'))
            for x, y, name, src in neurons]
    if picked is not None and picked < len(data):
        data[picked]["selected"] = True
    series = dict(type="scatter", id=NEURONS, name="neurons", symbol="rect", symbolSize=box, z=20, data=data,
                  itemStyle=dict(color=CLEAR), emphasis=dict(scale=False, itemStyle=dict(borderColor=LABEL_COLOR, borderWidth=2)))
    if selectable:
        series.update(selectedMode="single", select=dict(itemStyle=dict(color=CLEAR, borderColor="#000000", borderWidth=3)))
    return series


def _handle_t(i: int) -> float:
    """Where along its line the handle of a weight into neuron i sits (0 its source, 1 its target): the fraction
    changes from one target to the next, so handles of weights that cross mid-way lie apart (4.6 px at least for
    8 -> 8 at 305 px against none at the midpoints)."""
    return 0.25 + 0.5 * ((6 * i) % 8) / 7


def _weight_series(columns, centres, weights, box: int, picked: int | None) -> dict:
    """A small handle on each shown weight's line, to hover (its value) and to click (select it)."""
    data = []
    for c, w in enumerate(weights):
        for i, (x1, y1) in enumerate(centres[c + 1]):
            for j, (x0, y0) in enumerate(centres[c]):
                t, x0 = _handle_t(i), x0 + box
                what = f"{columns[c][2][j]} → {columns[c + 1][2][i]}"
                data.append(dict(value=[round(x0 + t * (x1 - x0), 1), round(y0 + t * (y1 - y0), 1)], name=what,
                                 tooltip=dict(formatter=f"weight {float(w[i, j]):.2f}: {what}")))
    if picked is not None and picked < len(data):
        data[picked]["selected"] = True
    return dict(type="scatter", id=WEIGHTS, name="weights", symbol="circle", symbolSize=HANDLE_PX, z=21, data=data,
                itemStyle=dict(color=HANDLE_COLOR), selectedMode="single",
                emphasis=dict(scale=1.6, itemStyle=dict(color="#000000")),
                select=dict(itemStyle=dict(color="#000000", borderColor=WHITE, borderWidth=1.5)))


def column_sizes(n_inputs: int, hidden: tuple[int, ...], n_classes: int) -> tuple[int, ...]:
    """Squares per column of network_option, input to output (two classes: one output square, P(class 1))."""
    return (n_inputs, *hidden, 1 if n_classes <= 2 else n_classes)


def neuron_targets(sizes: tuple[int, ...], max_neurons: int = 8) -> list[tuple[int, int]]:
    """(column, neuron) of each item of the NEURONS series, in order: column 0 the inputs, the last the output."""
    return [(c, i) for c, n in enumerate(sizes) for i in range(min(n, max_neurons))]


def weight_targets(sizes: tuple[int, ...], max_neurons: int = 8) -> list[tuple[int, int, int]]:
    """(weight matrix, to neuron, from neuron) of each item of the WEIGHTS series, in order (matrix 0: inputs to layer 1)."""
    return [(c, i, j) for c in range(len(sizes) - 1)
            for i in range(min(sizes[c + 1], max_neurons)) for j in range(min(sizes[c], max_neurons))]


def picked_items(selection) -> dict[str, int]:
    """{series id: the selected item's index} of a chart selection (st.echarts_chart's selection.selected entries)."""
    picked = {}
    for entry in selection or []:
        series, indices = entry.get("series_id"), entry.get("data_indices") or []
        if series in (NEURONS, WEIGHTS) and indices:
            picked[series] = int(indices[-1])
    return picked


def column_maps(inputs: tuple[np.ndarray, list[str]], layers: list[np.ndarray], proba: np.ndarray) -> list[tuple]:
    """[(title, maps (n, points), names)] of the columns network_option draws, input to output (as they are shown:
    two classes as P(class 1), probabilities as 2p - 1)."""
    return _columns(inputs, layers, proba, [])[0]


def tip_images(inputs: tuple[np.ndarray, list[str]], layers: list[np.ndarray], proba: np.ndarray) -> dict[str, str]:
    """{neuron name: its map as a PNG} for the tooltips, from maps over a finer grid (TIP_RESOLUTION per side)."""
    columns = column_maps(inputs, layers, proba)
    return {name: neuron_png(z) for _, maps, names in columns for z, name in zip(maps, names)}


def neuron_images(option: dict) -> dict[str, str]:
    """{neuron name: its square's image} of a network_option: the next frame's `under`."""
    return {g["name"]: g["style"]["image"] for g in option["graphic"] if g["type"] == "image"}
