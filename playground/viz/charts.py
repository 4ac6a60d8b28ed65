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


# Orange and blue as in TensorFlow Playground first, then well-separated hues.
CLASS_COLORS = ("#f08c1a", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
LIVE_RESOLUTION = 60  # boundary cells per side: 3,600 numbers a frame
REDRAW_SECONDS = 1 / 30  # live pictures redraw up to 30 times a second, as TensorFlow Playground does
# Numbers, bars and curves change slowly to the eye, and each update costs the browser about as much as a
# boundary frame (measured: refreshing them 10 times a second halved the boundary's frame rate): 4 a second.
SLOW_SECONDS = 0.25
CURVE_POINTS = 300  # points per curve at most: a long run's curves are thinned evenly, the newest point kept
BOUNDARY_SIZE = 430  # px of the longer side of the boundary's plot area
FONT_SIZE = 14
TRAIN_COLOR, TEST_COLOR, BATCH_COLOR = "#1f77b4", "#f08c1a", "#9ecae1"
LANE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")  # one per race lane, apart from the classes' orange where possible
CORRECT_COLOR, BUGGY_COLOR = "#2ca02c", "#d62728"  # the mistake lab's two lanes
BASE = dict(animation=False, textStyle=dict(fontSize=FONT_SIZE))


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


def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def boundary_grid(X: np.ndarray, resolution: int = LIVE_RESOLUTION, margin: float = 0.3):
    """Axis ticks and the (resolution**2, 2) float32 points covering the data with a margin."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs = np.linspace(lo[0], hi[0], resolution, dtype=np.float32)
    ys = np.linspace(lo[1], hi[1], resolution, dtype=np.float32)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


def lane_color(i: int) -> str:
    return LANE_COLORS[i % len(LANE_COLORS)]


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
        BASE, title=dict(text=title, left=grid["left"], textStyle=dict(fontSize=16, **({"color": title_color} if title_color else {}))),
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
        BASE, grid=grids,
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


def bars_option(values, names, true_class: int | None = None, title: str = "", colors=None,
                value_name: str = "probability", digits: int = 0) -> dict:
    """Horizontal bars of values in 0..1 (a class probability each, or a lane's accuracy), labelled in %.

    Coloured by class unless colors are given; the bar of true_class is outlined in black.
    """
    colors = colors or [class_color(k) for k in range(len(values))]
    bars = [
        dict(value=round(float(p), 4), label=dict(formatter=f"{p:.{digits}%}"),
             itemStyle=dict(color=color, borderColor="#000000" if k == true_class else color, borderWidth=3 if k == true_class else 0))
        for k, (p, color) in enumerate(zip(values, colors))
    ]
    return dict(
        BASE, title=dict(text=title, textStyle=dict(fontSize=15)),
        # the plot takes the width the category labels leave (ECharts fits the labels inside the chart): a narrow
        # column still gets wide bars; the labels name the categories, so the axis needs no name of its own
        grid=dict(left=8, right=48, top=45, bottom=45),
        xAxis=dict(type="value", min=0, max=1, name=value_name, nameLocation="middle", nameGap=28),
        yAxis=dict(type="category", data=[str(n) for n in names], inverse=True),
        series=[dict(type="bar", data=bars, label=dict(show=True, position="right"))],
    )


def bars_height(n_classes: int) -> int:
    return 90 + 40 * n_classes


LOG_TICKS = [m * 10.0**e for e in range(-4, 9) for m in (1, 2, 5)]


def lanes_option(lanes, n_epochs: int, loss_label: str = "cross-entropy loss", log_loss: bool = False,
                 accuracy: bool = False, title: str = "Loss: train (solid) and test (dashed)") -> dict:
    """Several runs compared: each lane's train (solid) and test (dashed) loss in its colour, and its test accuracy.

    lanes: (label, colour, history) per run. With accuracy, a second panel shows each lane's test
    accuracy (in %) beside the loss; with log_loss the loss axis is logarithmic (a diverging run's
    loss spans many orders of magnitude).
    """
    x_max = max([n_epochs or 1, *(h.epoch[-1] for _, _, h in lanes if h.epoch)])
    panels = 2 if accuracy else 1
    bottom = legend_space(len(lanes) * (3 if accuracy else 2))
    grids = [dict(left=70, right="56%" if accuracy else 20, top=45, bottom=bottom)]
    if accuracy:
        grids.append(dict(left="56%", right=20, top=45, bottom=bottom))
    series = []
    for label, color, history in lanes:
        keep = _thinned(len(history.epoch))
        for split, dash in (("train", "solid"), ("test", "dashed")):
            values = getattr(history, f"{split}_loss")
            series.append(dict(
                type="line", name=f"{label}: {split} loss", xAxisIndex=0, yAxisIndex=0, showSymbol=len(history.epoch) <= 12,
                data=[[history.epoch[i], _finite(values[i], log_loss)] for i in keep],
                lineStyle=dict(color=color, type=dash, width=2.5), itemStyle=dict(color=color),
            ))
        if accuracy:
            series.append(dict(
                type="line", name=f"{label}: test accuracy", xAxisIndex=1, yAxisIndex=1, showSymbol=len(history.epoch) <= 12,
                data=[[history.epoch[i], round(100 * history.test_score[i], 3)] for i in keep],
                lineStyle=dict(color=color, width=2.5), itemStyle=dict(color=color),
            ))
    x_axis = dict(type="value", min=0, max=x_max, name="epoch", nameLocation="middle", nameGap=28, minInterval=1)
    loss_axis = dict(type="log", logBase=10) if log_loss else dict(type="value", min=0)
    y_axes = [dict(loss_axis, gridIndex=0, name=loss_label + (" (log scale)" if log_loss else ""), nameLocation="middle", nameGap=50)]
    titles = [dict(text=title, left="22%" if accuracy else "center", textAlign="center")]
    if accuracy:
        y_axes.append(dict(type="value", gridIndex=1, min=0, max=100, name="test accuracy (%)", nameLocation="middle", nameGap=45))
        titles.append(dict(text="Test accuracy", left="78%", textAlign="center"))
    return dict(
        BASE, grid=grids, title=titles, xAxis=[dict(x_axis, gridIndex=i) for i in range(panels)], yAxis=y_axes,
        legend=dict(bottom=0), tooltip=dict(trigger="axis"), series=series,
    )


def legend_space(n_entries: int, per_row: int = 4) -> int:
    """Pixels under a plot for its axis name and a legend of n entries, wrapped about per_row to a line (none hidden)."""
    return 56 + 24 * -(-n_entries // per_row)


def _finite(value: float, log: bool):
    """A loss as a chart value: rounded; None (a gap) where it is not finite or cannot sit on a log axis."""
    if value is None or not np.isfinite(value) or (log and value <= 0):
        return None
    return float(f"{value:.5g}")


NAME_CHARS = 12  # class names longer than this are cut with an ellipsis on the axes and in captions
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def short_name(name, chars: int = NAME_CHARS) -> str:
    name = str(name)
    return name if len(name) <= chars else name[: chars - 1] + "…"


def confusion_height(class_names) -> int:
    """A height at which n classes get cells large enough for three-digit counts."""
    return 160 + 24 * min(len(class_names), 20)


def confusion_option(cm: np.ndarray, class_names, title: str = "Confusion matrix (test)") -> dict:
    """Counts of true (rows) against predicted (columns) classes, written in the cells; the title ends in the accuracy."""
    k = len(class_names)
    names = [short_name(n) for n in class_names]
    peak = max(int(cm.max()), 1)
    data = []
    for t in range(k):
        for p in range(k):
            count = int(cm[t, p])
            cell = [p, t, count]
            data.append(dict(value=cell, label=dict(color="#ffffff")) if count > 0.55 * peak else cell)  # dark cells: white numbers
    accuracy = np.trace(cm) / max(cm.sum(), 1)
    long_names = max(len(n) for n in names) > 2
    font = 13 if k <= 6 else 11 if k <= 12 else 9
    axis = dict(type="category", data=names, nameLocation="middle", splitArea=dict(show=False), axisTick=dict(show=False))
    return dict(
        BASE,
        title=dict(text=f"{title}: {accuracy:.1%}", textStyle=dict(fontSize=15)),
        grid=dict(left=10, right=10, top=45, bottom=10, outerBoundsMode="same"),  # the labels and axis names fit inside
        xAxis=dict(axis, name="predicted class", nameGap=30 + (40 if long_names and k > 3 else 0),
                   axisLabel=dict(interval=0, rotate=45 if long_names and k > 3 else 0)),
        yAxis=dict(axis, name="true class", nameGap=16 + 6 * max(len(n) for n in names), inverse=True, axisLabel=dict(interval=0)),
        visualMap=dict(show=False, min=0, max=peak, dimension=2, inRange=dict(color=BLUES)),
        tooltip=dict(trigger="item"),
        series=[dict(type="heatmap", name="test images", data=data, label=dict(show=True, fontSize=font, color="#1a1a1a"),
                     itemStyle=dict(borderColor="#ffffff", borderWidth=1))],
    )
