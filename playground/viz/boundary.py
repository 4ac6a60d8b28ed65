"""The decision boundary as an ECharts option (plain dicts): the plane shaded by the predicted class under the points.

The shading goes to the browser as a small PNG (one pixel per grid cell) placed exactly over the plot
area; the points are scatter series on top. Animation is off: a frame shows the model as it is.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from playground.viz.palette import BASE, BLACK, BLUE, BOUNDARY_SIZE, GREY, ORANGE, TITLE_SIZE, WHITE, class_color, rgb

LIVE_RESOLUTION = 60  # boundary cells per side: 3,600 numbers a frame
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


def boundary_grid(X: np.ndarray, resolution: int = LIVE_RESOLUTION, margin: float = 0.3):
    """Axis ticks and the (resolution**2, 2) float32 points covering the data with a margin."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs = np.linspace(lo[0], hi[0], resolution, dtype=np.float32)
    ys = np.linspace(lo[1], hi[1], resolution, dtype=np.float32)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


def boundary_colors(proba: np.ndarray, discrete: bool = False) -> np.ndarray:
    """(n, 3) uint8 RGB per grid cell: the winning class's colour, pale at a coin toss and strong when certain.

    discrete: every cell in its winning class's colour at one strength (TensorFlow Playground's "discretize output").
    """
    k = proba.shape[1]
    palette = np.array([rgb(class_color(c)) for c in range(k)], dtype=np.float32)
    shade = np.full(len(proba), 0.75) if discrete else np.clip((proba.max(1) - 1 / k) / (1 - 1 / k), 0, 1)
    alpha = (0.06 + 0.54 * shade)[:, None]  # 6% to 60% of the class colour over white, as the first version's boundary
    return (255 + alpha * (palette[proba.argmax(1)] - 255)).round().astype(np.uint8)


VALUE_RANGE = (-1.0, 1.0)  # the values a regression plane's colours span: TensorFlow Playground's targets
VALUE_COLORS = (ORANGE, WHITE, BLUE)  # low, middle, high: the points' colour scale (the shading is paler)


def value_colors(values: np.ndarray, discrete: bool = False, strength: float = 0.7) -> np.ndarray:
    """(n, 3) uint8 RGB: orange at -1 through white at 0 to blue at +1 (clipped), at `strength` of full colour.

    discrete: only the sign counts (TensorFlow Playground's "discretize output" for regression).
    """
    lo, hi = VALUE_RANGE
    v = np.clip((np.asarray(values, dtype=np.float32) - (lo + hi) / 2) / ((hi - lo) / 2), -1, 1)
    v = (np.sign(v) * 0.75 if discrete else v)[:, None] * strength
    low, middle, high = (np.array(rgb(c), dtype=np.float32) for c in VALUE_COLORS)
    return np.where(v < 0, middle - v * (low - middle), middle + v * (high - middle)).round().astype(np.uint8)


def image_png(colors: np.ndarray, n_x: int, n_y: int) -> str:
    """Grid colours (n_x * n_y, 3) as a PNG data URL, one pixel per cell, top row = highest x2 (the browser smooths it)."""
    pixels = colors.reshape(n_y, n_x, 3)[::-1]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), "RGB").save(buffer, "PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def boundary_png(proba: np.ndarray, n_x: int, n_y: int, discrete: bool = False) -> str:
    """The predicted classes over the grid as a PNG data URL (boundary_colors)."""
    return image_png(boundary_colors(proba, discrete), n_x, n_y)


def value_png(values: np.ndarray, n_x: int, n_y: int, discrete: bool = False) -> str:
    """The predicted values over the grid as a PNG data URL (value_colors)."""
    return image_png(value_colors(values, discrete), n_x, n_y)


def _extent(ticks: np.ndarray) -> tuple[float, float]:
    """The value range the heatmap's cells cover: half a cell beyond the first and last centre (to 3 decimals)."""
    half = (ticks[-1] - ticks[0]) / (len(ticks) - 1) / 2
    return round(float(ticks[0] - half), 3), round(float(ticks[-1] + half), 3)


def point_series(data, show_test: bool = True) -> list[dict]:
    """The train (white outline) and test (black outline) points: per split, one scatter series per class, or for
    regression one series of (x1, x2, target) rows that boundary_option's colour scale paints by target."""
    series = []
    splits = [("train", data.X_train, data.y_train, WHITE), ("test", data.X_test, data.y_test, BLACK)][: 2 if show_test else 1]
    for split, X, y, outline in splits:
        style = dict(type="scatter", symbolSize=7, z=3, large=True, largeThreshold=0)  # one path per series: cheap to redraw
        if not data.n_classes:  # one colour per point: not in large mode, which draws a series in one style
            rows = np.round(np.column_stack([X, y]), 3).tolist()
            series.append(dict(style, name=split, data=rows, large=False, symbolSize=6,
                               itemStyle=dict(borderColor=GREY if split == "train" else outline, borderWidth=1)))
            continue
        for c in range(data.n_classes):
            series.append(dict(style, name=f"class {c}", data=np.round(X[y == c], 3).tolist(),
                               itemStyle=dict(color=class_color(c), borderColor=outline, borderWidth=1.2)))
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
            data=[np.round(data.X_test[highlight], 3).tolist()], itemStyle=dict(color=BLACK, borderWidth=3),
        ))
    axis = dict(type="value", nameLocation="middle", splitLine=dict(show=False), axisLine=dict(onZero=False),
                axisLabel=dict(showMinLabel=False, showMaxLabel=False))  # the ends are the grid's, not round numbers
    below = grid["top"] + grid["height"] + 35
    if data.n_classes:
        key = dict(legend=dict(data=[f"class {c}" for c in range(data.n_classes)], top=below, left=grid["left"]))
    else:  # the points' colour is their target, on the scale the shading uses
        key = dict(visualMap=dict(
            type="continuous", min=VALUE_RANGE[0], max=VALUE_RANGE[1], dimension=2, seriesIndex=list(range(len(points))),
            inRange=dict(color=list(VALUE_COLORS)), orient="horizontal", top=below, left=grid["left"], itemHeight=120,
            itemWidth=12, text=[f"{VALUE_RANGE[1]:g}", f"target {VALUE_RANGE[0]:g}"], calculable=False,
        ))
    return dict(
        BASE, title=dict(text=title, left=grid["left"], textStyle=dict(fontSize=TITLE_SIZE, **({"color": title_color} if title_color else {}))),
        grid=grid, graphic=graphic,
        xAxis=dict(axis, min=x0, max=x1, name="x1", nameGap=25), yAxis=dict(axis, min=y0, max=y1, name="x2", nameGap=35),
        tooltip=dict(trigger="item"), series=series, **key,
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


CLICK_CELLS = 25  # cells per side of the grid that catches clicks on the plane (see click_layer)


def click_layer(xs, ys, size: int = BOUNDARY_SIZE, n: int = CLICK_CELLS) -> tuple[dict, list[list[float]]]:
    """(a scatter series of n x n invisible squares tiling the plot area, their centres in plane units).

    A click anywhere on the plane selects the square under it (series id "clicks"), so the app learns where
    the learner clicked: ECharts reports selections of series items, not of empty plot area. "multiple"
    selection, because a second click on the same square of a "single" selection would clear it.
    """
    (x0, x1), (y0, y1) = _extent(xs), _extent(ys)
    dx, dy = (x1 - x0) / n, (y1 - y0) / n
    cells = [[round(x0 + (i + 0.5) * dx, 4), round(y0 + (j + 0.5) * dy, 4)] for j in range(n) for i in range(n)]
    grid = _boundary_grid(xs, ys, size)
    clear = "rgba(0,0,0,0)"
    series = dict(type="scatter", id="clicks", name="click to add", data=cells, symbol="rect", z=10,
                  symbolSize=[grid["width"] / n + 0.5, grid["height"] / n + 0.5], selectedMode="multiple",
                  cursor="crosshair", tooltip=dict(show=False), emphasis=dict(disabled=True), large=False,
                  itemStyle=dict(color=clear), select=dict(itemStyle=dict(color=clear, borderWidth=0)))
    return series, cells
