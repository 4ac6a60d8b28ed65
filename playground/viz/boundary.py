"""The decision boundary as an ECharts option (plain dicts): the plane shaded by the predicted class under the points.

The shading goes to the browser as a small PNG (one pixel per grid cell) placed exactly over the plot
area; the points are scatter series on top. Animation is off: a frame shows the model as it is.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from playground.viz.palette import BASE, BLACK, BOUNDARY_SIZE, TITLE_SIZE, WHITE, class_color

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


def boundary_colors(proba: np.ndarray) -> np.ndarray:
    """(n, 3) uint8 RGB per grid cell: the winning class's colour, pale at a coin toss and strong when certain."""
    k = proba.shape[1]
    palette = np.array([[int(class_color(c)[i : i + 2], 16) for i in (1, 3, 5)] for c in range(k)], dtype=np.float32)
    shade = np.clip((proba.max(1) - 1 / k) / (1 - 1 / k), 0, 1)
    alpha = (0.06 + 0.54 * shade)[:, None]  # 6% to 60% of the class colour over white, as the first version's boundary
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
    for split, X, y, outline in (("train", data.X_train, data.y_train, WHITE), ("test", data.X_test, data.y_test, BLACK)):
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
            data=[np.round(data.X_test[highlight], 3).tolist()], itemStyle=dict(color=BLACK, borderWidth=3),
        ))
    axis = dict(type="value", nameLocation="middle", splitLine=dict(show=False), axisLine=dict(onZero=False),
                axisLabel=dict(showMinLabel=False, showMaxLabel=False))  # the ends are the grid's, not round numbers
    return dict(
        BASE, title=dict(text=title, left=grid["left"], textStyle=dict(fontSize=TITLE_SIZE, **({"color": title_color} if title_color else {}))),
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
