"""The loss landscape (engine/landscape.py) as an ECharts option: the training loss over the slice as a grey picture
(darker = higher, on a log scale) with contour lines, each run's path of weights projected onto it, and the centre:
the final weights the slice passes through."""
from __future__ import annotations

import numpy as np
from contourpy import contour_generator

from playground.viz.boundary import image_png
from playground.viz.palette import BASE, BLACK, GREY, TITLE_SIZE, rgb

SHADES = ("#ffffff", "#bdbdbd", "#525252")  # lowest loss, middle, highest (log scale)
DECADES = 2.5  # the shading spans this many powers of ten above the lowest loss; higher is all darkest
LEVELS = 10  # contour lines, evenly spaced on the log scale
SIZE = 330  # px of the square plot area
TOP = 58  # px above it: the title and its line of numbers


def log_losses(losses: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(log10 of the losses, clipped to the shaded range; its low and high end). Non-finite losses count as highest."""
    safe = np.where(np.isfinite(losses), np.maximum(losses, 1e-12), np.nan)
    logs = np.log10(safe)
    low = float(np.nanmin(logs)) if np.isfinite(logs).any() else 0.0
    high = min(float(np.nanmax(logs)) if np.isfinite(logs).any() else low + 1, low + DECADES)
    high = max(high, low + 1e-3)
    return np.clip(np.nan_to_num(logs, nan=high), low, high), low, high


def _shades(logs: np.ndarray, low: float, high: float) -> np.ndarray:
    t = ((logs - low) / (high - low)).ravel()[:, None]
    first, middle, last = (np.array(rgb(c), dtype=np.float32) for c in SHADES)
    colours = np.where(t < 0.5, first + 2 * t * (middle - first), middle + (2 * t - 1) * (last - middle))
    return colours.round().astype(np.uint8)


def contour_lines(alphas: np.ndarray, logs: np.ndarray, low: float, high: float) -> list[list[list[float]]]:
    """The contour lines of the log-loss surface (contourpy), each a list of [a, b] points."""
    generator = contour_generator(x=alphas, y=alphas, z=logs)
    lines = []
    for level in np.linspace(low, high, LEVELS + 2)[1:-1]:
        for line in generator.lines(float(level)):
            lines.append(np.round(line, 4).tolist())
    return lines


def landscape_option(landscape, colors: dict[str, str], title: str = "Loss landscape",
                     axis_name: str = "direction {i}") -> dict:
    """The option for one Landscape; `colors` gives each path's colour by its label, `axis_name` the axes' names
    ({i}: 1 or 2; the app's from engine.landscape.DIRECTIONS)."""
    alphas, span = landscape.alphas, float(landscape.alphas[-1])
    logs, low, high = log_losses(landscape.losses)
    grid = dict(left=60, top=TOP, width=SIZE, height=SIZE, outerBoundsMode="none")
    picture = dict(type="image", x=grid["left"], y=grid["top"], z=0, silent=True,
                   style=dict(image=image_png(_shades(logs, low, high), len(alphas), len(alphas)),
                              width=SIZE, height=SIZE))
    series = [dict(type="lines", name="contours", coordinateSystem="cartesian2d", polyline=True, silent=True, z=2,
                   lineStyle=dict(color=GREY, width=1, opacity=0.7),
                   data=[dict(coords=line) for line in contour_lines(alphas, logs, low, high)])]
    for label, coords in landscape.paths:
        color = colors.get(label, BLACK)
        points = np.round(coords, 4).tolist()
        series.append(dict(type="line", name=label, data=points, z=4, symbol="circle", symbolSize=4, showSymbol=True,
                           lineStyle=dict(color=color, width=2.5), itemStyle=dict(color=color)))
        series.append(dict(type="scatter", name=label, z=5, symbol="circle", symbolSize=11, data=[points[0]],
                           itemStyle=dict(color="#ffffff", borderColor=color, borderWidth=2.5),
                           tooltip=dict(formatter=f"{label}: start")))
        series.append(dict(type="scatter", name=label, z=5, symbol="triangle", symbolSize=13, data=[points[-1]],
                           itemStyle=dict(color=color, borderColor=BLACK, borderWidth=1),
                           tooltip=dict(formatter=f"{label}: end")))
    series.append(dict(type="scatter", name="centre", z=6, symbol="path://M0,0L10,10M10,0L0,10", symbolSize=12,
                       data=[[0, 0]], itemStyle=dict(color=BLACK, borderColor=BLACK, borderWidth=2),
                       tooltip=dict(formatter=f"centre: {landscape.centre}'s final weights, training loss "
                                              f"{landscape.centre_loss:.4g}")))
    axis = dict(type="value", min=-span, max=span, nameLocation="middle", splitLine=dict(show=False),
                axisLine=dict(onZero=False), axisLabel=dict(showMinLabel=False, showMaxLabel=False))
    below = grid["top"] + SIZE + 38
    return dict(
        BASE, graphic=[picture], grid=grid, series=series,
        title=dict(text=title, subtext=f"loss at the centre (×) {landscape.centre_loss:.4g}; darker = higher, log scale",
                   left=grid["left"], textStyle=dict(fontSize=TITLE_SIZE)),
        xAxis=dict(axis, name=axis_name.format(i=1), nameGap=25),
        yAxis=dict(axis, name=axis_name.format(i=2), nameGap=38),
        legend=dict(data=[label for label, _ in landscape.paths], top=below, left=grid["left"]),
        tooltip=dict(trigger="item"),
    )


def landscape_size(n_paths: int) -> tuple[int, int]:
    """(width, height) in px of the chart landscape_option draws."""
    return 60 + SIZE + 25, TOP + SIZE + 38 + 26 * max(1, (n_paths + 1) // 2) + 10
