"""ECharts options for the live board, built as plain dicts (no Streamlit, no plotly).

A live frame is redrawn many times a second: `st.echarts_chart` drawn into the same placeholder
updates its chart in place (the canvas stays, nothing goes blank), so every frame ships only these
small dicts. Animation is off: a frame must show the network as it is, not tween towards it.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from playground.plots import class_color

LIVE_RESOLUTION = 60  # boundary cells per side: 3,600 numbers a frame
REDRAW_SECONDS = 1 / 30  # live pictures redraw up to 30 times a second, as TensorFlow Playground does
# Numbers, bars and curves change slowly to the eye, and each update costs the browser about as much as a
# boundary frame (measured: refreshing them 10 times a second halved the boundary's frame rate): 4 a second.
SLOW_SECONDS = 0.25
CURVE_POINTS = 300  # points per curve at most: a long run's curves are thinned evenly, the newest point kept
BOUNDARY_SIZE = 430  # px of the longer side of the boundary's plot area
FONT_SIZE = 14
TRAIN_COLOR, TEST_COLOR, BATCH_COLOR = "#1f77b4", "#f08c1a", "#9ecae1"
_BASE = dict(animation=False, textStyle=dict(fontSize=FONT_SIZE))


IMAGE_LAYERS = 6  # the newest boundary images drawn over each other (see BoundaryImages)
ANCHOR_SECONDS = 1.0  # ...on top of an anchor image first sent at least this long ago


class BoundaryImages:
    """The boundary images one page sends, oldest first: an anchor, the next anchor, the newest IMAGE_LAYERS.

    A browser decodes a new image asynchronously, and ECharts draws nothing for an image until it
    is decoded. Layering the last frames' images keeps a picture up while the newest decodes, but
    a busy browser sometimes had all six undecoded (measured: 2 blank moments in 3 runs). The
    anchor was first sent at least ANCHOR_SECONDS before and has been sent in every frame since (as
    the next anchor before), so it is decoded and cached: the picture may lag a moment, never blank.
    """

    def __init__(self):
        self.recent: list[str] = []
        self.anchor: str | None = None
        self._candidate: tuple[float, str] | None = None  # the next anchor, and when it was first sent

    def add(self, image: str, now: float) -> list[str]:
        """Record this frame's image; returns the layers to draw (oldest first)."""
        if self._candidate is None:
            self._candidate = (now, image)
        elif now - self._candidate[0] >= ANCHOR_SECONDS:
            self.anchor, self._candidate = self._candidate[1], (now, image)
        self.recent = [*self.recent, image][-IMAGE_LAYERS:]
        older = [self.anchor, self._candidate[1]]  # the next anchor is sent every frame too: it stays decoded and cached
        return [src for i, src in enumerate(older) if src and src not in self.recent and src not in older[:i]] + self.recent


def boundary_colors(proba: np.ndarray) -> np.ndarray:
    """(n, 3) uint8 RGB per grid cell: the winning class's colour, pale at a coin toss and strong when certain."""
    k = proba.shape[1]
    palette = np.array([[int(class_color(c)[i : i + 2], 16) for i in (1, 3, 5)] for c in range(k)], dtype=np.float32)
    shade = np.clip((proba.max(1) - 1 / k) / (1 - 1 / k), 0, 1)
    alpha = (0.06 + 0.54 * shade)[:, None]  # 6% to 60% of the class colour over white, as the plotly boundary
    return (255 + alpha * (palette[proba.argmax(1)] - 255)).round().astype(np.uint8)


def boundary_png(proba: np.ndarray, n_x: int, n_y: int) -> str:
    """The grid's colours as a PNG data URL, one pixel per cell, top row = highest x2 (the browser smooths it)."""
    pixels = boundary_colors(proba).reshape(n_y, n_x, 3)[::-1]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), "RGB").save(buffer, "PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _extent(ticks: np.ndarray) -> tuple[float, float]:
    """The value range the heatmap's cells cover: half a cell beyond the first and last centre (to 3 decimals)."""
    half = (ticks[-1] - ticks[0]) / (len(ticks) - 1) / 2
    return round(float(ticks[0] - half), 3), round(float(ticks[-1] + half), 3)


def point_series(data) -> list[dict]:
    """The train (white outline) and test (black outline) points, one scatter series per split and class."""
    series = []
    for split, X, y, outline in (("train", data.X_train, data.y_train, "#ffffff"), ("test", data.X_test, data.y_test, "#000000")):
        for c in range(data.n_classes):
            series.append(dict(
                type="scatter", name=f"class {c}", symbolSize=7, z=3,
                large=True, largeThreshold=0,  # one path per series: far cheaper for the browser every frame
                data=np.round(X[y == c], 3).tolist(), itemStyle=dict(color=class_color(c), borderColor=outline, borderWidth=1.2),
            ))
    return series


def boundary_option(xs, ys, images: list[str], points: list[dict], data, highlight: int | None = None,
                    title: str = "", size: int = BOUNDARY_SIZE, title_color: str | None = None) -> dict:
    """The decision boundary: the newest images from boundary_png (oldest first) under the points (point_series).

    Each image fills the plot area exactly, and one unit is as long on both axes. A browser decodes
    a new image asynchronously and ECharts draws nothing for it until then, so the last few frames'
    images lie underneath, newest on top: any of them that is decoded shows, and the picture never
    goes blank while the newest loads, even on a busy machine.
    """
    (x0, x1), (y0, y1) = _extent(xs), _extent(ys)
    grid = _boundary_grid(xs, ys, size)
    graphic = [
        dict(type="image", x=grid["left"], y=grid["top"], z=0, silent=True,
             style=dict(image=src, width=grid["width"], height=grid["height"]))
        for src in images
    ]
    series = list(points)
    if highlight is not None:
        series.append(dict(
            type="scatter", name="chosen point", symbol="emptyCircle", symbolSize=20, z=5,
            data=[np.round(data.X_test[highlight], 3).tolist()], itemStyle=dict(color="#000000", borderWidth=3),
        ))
    axis = dict(type="value", nameLocation="middle", splitLine=dict(show=False), axisLine=dict(onZero=False),
                axisLabel=dict(showMinLabel=False, showMaxLabel=False))  # the ends are the grid's, not round numbers
    return dict(
        _BASE, title=dict(text=title, left=grid["left"], textStyle=dict(fontSize=16, **({"color": title_color} if title_color else {}))),
        grid=grid, graphic=graphic,
        xAxis=dict(axis, min=x0, max=x1, name="x1", nameGap=25), yAxis=dict(axis, min=y0, max=y1, name="x2", nameGap=35),
        legend=dict(data=[f"class {c}" for c in range(data.n_classes)], top=grid["top"] + grid["height"] + 35, left=grid["left"]),
        tooltip=dict(trigger="item"), series=series,
    )


def _boundary_grid(xs, ys, size: int = BOUNDARY_SIZE) -> dict:
    """The plot area in pixels: `size` on the longer side, the same pixels per unit on both axes."""
    (x0, x1), (y0, y1) = _extent(xs), _extent(ys)
    scale = size / max(x1 - x0, y1 - y0)
    # outerBoundsMode "none": exactly this rectangle (Streamlit's theme otherwise shrinks it to fit the axis labels,
    # and the image, placed in pixels, would no longer match the axes)
    return dict(left=55, top=40, width=round((x1 - x0) * scale), height=round((y1 - y0) * scale), outerBoundsMode="none")


def boundary_size(xs, ys, size: int = BOUNDARY_SIZE) -> tuple[int, int]:
    """(width, height) in pixels of the chart boundary_option draws: the plot area, its axes and legend."""
    grid = _boundary_grid(xs, ys, size)
    return grid["left"] + grid["width"] + 20, grid["top"] + grid["height"] + 75


def curves_option(history, n_epochs: int, loss_label: str = "cross-entropy loss", score_label: str = "accuracy") -> dict:
    """Train and test loss (left) and score (right) against epochs; the running batch loss under the loss curves."""
    x_max = max(n_epochs or 1, history.epoch[-1] if history.epoch else 1)
    grids = [dict(left=70, right="56%", top=40, bottom=80), dict(left="56%", right=20, top=40, bottom=80)]
    percent = score_label == "accuracy"  # accuracy is drawn in % (ECharts' axis labels take no number format)
    score_axis = dict(min=0, max=100, name="accuracy (%)") if percent else dict(scale=True, name=score_label)
    keep = _thinned(len(history.epoch))
    series = []
    for index, metric in ((0, "loss"), (1, "score")):
        for split, color, dash in (("train", TRAIN_COLOR, "solid"), ("test", TEST_COLOR, "dashed")):
            name = f"{split} {'loss' if metric == 'loss' else score_label}"
            values = getattr(history, f"{split}_{metric}")
            if metric == "score" and percent:
                values = [100 * v for v in values]
            series.append(dict(
                type="line", name=name, xAxisIndex=index, yAxisIndex=index, showSymbol=len(history.epoch) <= 12,
                data=[[history.epoch[i], round(values[i], 5)] for i in keep], lineStyle=dict(color=color, type=dash, width=2.5),
                itemStyle=dict(color=color),
            ))
    if history.batch_epoch:
        series.append(dict(
            type="line", name="train loss (batches)", xAxisIndex=0, yAxisIndex=0, showSymbol=False, z=1,
            data=[[round(history.batch_epoch[i], 4), round(history.batch_loss[i], 5)] for i in _thinned(len(history.batch_epoch))],
            lineStyle=dict(color=BATCH_COLOR, width=1.5), itemStyle=dict(color=BATCH_COLOR),
        ))
    x_axis = dict(type="value", min=0, max=x_max, name="epoch", nameLocation="middle", nameGap=28, minInterval=1)
    return dict(
        _BASE, grid=grids,
        title=[dict(text="Loss", left="22%", textAlign="center"), dict(text=score_label.capitalize(), left="78%", textAlign="center")],
        xAxis=[dict(x_axis, gridIndex=0), dict(x_axis, gridIndex=1)],
        yAxis=[dict(type="value", gridIndex=0, name=loss_label, nameLocation="middle", nameGap=50, min=0),
               dict(type="value", gridIndex=1, nameLocation="middle", nameGap=45, **score_axis)],
        legend=dict(bottom=0), tooltip=dict(trigger="axis"), series=series,
    )


def _thinned(n: int, most: int = CURVE_POINTS) -> list[int]:
    """Indices of at most `most` evenly spread points of n, always with the first and the newest."""
    if n <= most:
        return list(range(n))
    step = -(-n // most)
    return [*range(0, n - 1, step), n - 1]


def bars_option(proba_row: np.ndarray, class_names, true_class: int | None = None, title: str = "") -> dict:
    """Horizontal bars: the model's probability for each class at one point; the true class outlined in black."""
    names = [str(n) for n in class_names]
    bars = [
        dict(value=round(float(p), 4), label=dict(formatter=f"{p:.0%}"),
             itemStyle=dict(color=class_color(k), borderColor="#000000" if k == true_class else class_color(k),
                            borderWidth=3 if k == true_class else 0))
        for k, p in enumerate(proba_row)
    ]
    return dict(
        _BASE, title=dict(text=title, textStyle=dict(fontSize=15)),
        grid=dict(left=80, right=60, top=45, bottom=45),
        xAxis=dict(type="value", min=0, max=1, name="probability", nameLocation="middle", nameGap=28),
        yAxis=dict(type="category", data=names, inverse=True, name="class", nameLocation="middle", nameGap=60),
        series=[dict(type="bar", data=bars, label=dict(show=True, position="right"))],
    )


def bars_height(n_classes: int) -> int:
    return 90 + 40 * n_classes
