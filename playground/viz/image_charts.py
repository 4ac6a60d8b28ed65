"""ECharts options for the images board, built as plain dicts (no Streamlit, no plotly).

The test images go to the browser as small PNG data URLs, enlarged by a whole factor here (nearest
neighbour) so that a canvas, which smooths what it scales, draws each pixel as a sharp square.
The same image always gives the same URL, and ECharts keeps decoded images by URL: a live frame that
repeats an image draws it at once. Positions are percentages of the chart's width (its width is the
column's), so the charts fit any window; sizes of images and rows are pixels.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from playground.viz.charts import short_name
from playground.viz.palette import BASE, GREEN, RED, SMALL_TITLE_SIZE

IMAGE_PX = 64  # about how many pixels an image's longer side is drawn (a whole multiple of its own size)
RIGHT, WRONG, OTHER = GREEN, RED, "#c7c7c7"  # a right guess, a wrong one, the other classes
TITLE_TOP = 48  # px above the first row of a chart with a title and a subtitle
# image grid: of each cell's width, the share left of the bars (the image, right-aligned to the bars) and right of them
IMAGE_SHARE, AXIS_SHARE = 0.34, 0.14
N_MISTAKE_SLOTS = 8  # the mistakes row is cut into this many equal places, so an image keeps its place as the row grows


def image_scale(image: np.ndarray) -> int:
    """The whole factor an image (C, H, W) is enlarged by: its longer side near IMAGE_PX pixels."""
    return max(1, round(IMAGE_PX / max(image.shape[1:])))


def image_png(image: np.ndarray, scale: int = 1) -> str:
    """uint8 (C, H, W), 1 or 3 channels -> a PNG data URL, each pixel a scale x scale square."""
    pixels = image[0] if image.shape[0] == 1 else np.transpose(image, (1, 2, 0))
    if scale > 1:
        pixels = pixels.repeat(scale, 0).repeat(scale, 1)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), "L" if pixels.ndim == 2 else "RGB").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def bar_colors(n_classes: int, predicted: int, true: int) -> list[str]:
    """Correct prediction green; a wrong prediction red with the true class green; the rest grey."""
    colors = [OTHER] * n_classes
    colors[true] = RIGHT
    if predicted != true:
        colors[predicted] = WRONG
    return colors


def _label_rows(class_names) -> int:
    """Pixels under each bar chart for its class labels: one line for short names, more when turned upright."""
    longest = max(len(str(n)) for n in class_names)
    return 18 if longest <= 2 else 12 + 6 * min(longest, 6)


def _grid_rows(images: np.ndarray, class_names) -> tuple[int, int, int]:
    """(image width, image height, row height) in pixels of the image grid."""
    scale = image_scale(images[0]) if len(images) else 1
    height, width = (images.shape[2] * scale, images.shape[3] * scale) if len(images) else (IMAGE_PX, IMAGE_PX)
    return width, height, height + _label_rows(class_names) + 10


def image_grid_height(images: np.ndarray, class_names, cols: int = 2) -> int:
    """The pixel height of the chart image_grid_option draws for these images."""
    rows = -(-len(images) // cols)
    return TITLE_TOP + rows * _grid_rows(images, class_names)[2] + 4


def image_grid_option(images: np.ndarray, proba: np.ndarray, y_true, class_names, cols: int = 2) -> dict:
    """Each test image beside a bar chart of its class probabilities (one grid and bar series per image)."""
    n, k = len(images), proba.shape[1]
    width, height, row = _grid_rows(images, class_names)
    scale = image_scale(images[0]) if n else 1
    upright = _label_rows(class_names) > 18
    names = [str(c) for c in class_names]
    cell = 100 / cols
    grids, x_axes, y_axes, series, graphic = [], [], [], [], []
    for i in range(n):
        top, column = TITLE_TOP + (i // cols) * row, i % cols
        left = column * cell + IMAGE_SHARE * cell
        grids.append(dict(left=f"{left:.2f}%", right=f"{100 - (column + 1) * cell + AXIS_SHARE * cell:.2f}%",
                          top=top, height=height, outerBoundsMode="none"))  # exactly here: the image sits against it
        x_axes.append(dict(type="category", gridIndex=i, data=names, axisTick=dict(show=False),
                           axisLabel=dict(interval=0, fontSize=10, rotate=90 if upright else 0, width=_label_rows(class_names) - 12,
                                          overflow="truncate")))
        y_axes.append(dict(type="value", gridIndex=i, min=0, max=100, interval=50, position="right",
                           axisLabel=dict(fontSize=9, formatter="{value}%", showMinLabel=False),
                           splitLine=dict(lineStyle=dict(type="dashed", color="#e0e0e0"))))
        pred, true = int(proba[i].argmax()), int(y_true[i])
        colors = bar_colors(k, pred, true)
        bars = [round(100 * float(p), 1) if colors[c] == OTHER else dict(value=round(100 * float(p), 1), itemStyle=dict(color=colors[c]))
                for c, p in enumerate(proba[i])]
        series.append(dict(type="bar", xAxisIndex=i, yAxisIndex=i, data=bars, barCategoryGap="20%",
                           itemStyle=dict(color=OTHER), tooltip=dict(valueFormatter="%.1f%%")))
        graphic.append(dict(type="image", right=f"{100 - left:.2f}%", top=top, silent=True,  # its right edge on the bars' left
                            style=dict(image=image_png(images[i], scale), width=width, height=height)))
    return dict(
        BASE,
        title=dict(text="Test images and the model's class probabilities", subtext="{g|green: correct}   {r|red: wrong guess}",
                   textStyle=dict(fontSize=SMALL_TITLE_SIZE), subtextStyle=dict(fontSize=12, rich=dict(g=dict(color=RIGHT, fontWeight="bold"),
                                                                                          r=dict(color=WRONG, fontWeight="bold"))),
                   itemGap=4),
        grid=grids, xAxis=x_axes, yAxis=y_axes, series=series, graphic=graphic, tooltip=dict(trigger="item"),
    )


def mistakes_height(images: np.ndarray) -> int:
    """The pixel height of the chart mistakes_option draws for these images (a title alone when there are none)."""
    return TITLE_TOP + images.shape[2] * image_scale(images[0]) + 36 if len(images) else 40


def mistakes_option(images: np.ndarray, y_true, y_pred, confidence, class_names) -> dict:
    """The model's most confident mistakes in a row, each captioned 'says X (p%)' over 'is Y'."""
    graphic = []
    if len(images):
        scale = image_scale(images[0])
        height, width = images.shape[2] * scale, images.shape[3] * scale
        cell = 100 / max(N_MISTAKE_SLOTS, len(images))
        for i, (image, t, p, c) in enumerate(zip(images, y_true, y_pred, confidence)):
            left = f"{i * cell + 0.5:.2f}%"
            graphic.append(dict(type="image", left=left, top=TITLE_TOP - 8, silent=True,
                                style=dict(image=image_png(image, scale), width=width, height=height)))
            graphic.append(dict(type="text", left=left, top=TITLE_TOP + height - 2, silent=True, style=dict(
                text=f"says {short_name(class_names[int(p)], 9)} ({float(c):.0%})\nis {short_name(class_names[int(t)], 9)}",
                fontSize=12, lineHeight=16, fill="#262730")))
    title = "Most confident mistakes on the test set" if len(images) else "No mistakes on the test set"
    return dict(BASE, title=dict(text=title, textStyle=dict(fontSize=SMALL_TITLE_SIZE)), graphic=graphic)


MAP_PX, MAP_GAP, MAX_MAPS = 44, 6, 16  # px per feature map's square, between two, and maps shown per block at most
MAP_ROW = 30 + MAP_PX  # px per row: its title, then its squares


def feature_maps_option(maps: list[np.ndarray], filters: np.ndarray | None, title: str) -> tuple[dict, int]:
    """(option, height): the first conv layer's filters (their first input channel), then each block's output
    channels, a row each, every square scaled by its own peak (blue positive, orange negative, white 0)."""
    from playground.viz.network_charts import neuron_png  # the same colours as the network view's squares

    rows = ([(f"Filters of conv block 1 ({min(len(filters), MAX_MAPS)} of {len(filters)}; first input channel)",
              [f[0] for f in filters])] if filters is not None else [])
    rows += [(f"Conv block {i + 1}: what its {len(m)} channels see ({min(len(m), MAX_MAPS)} shown)", list(m))
             for i, m in enumerate(maps)]
    graphic = []
    for r, (text, squares) in enumerate(rows):
        top = TITLE_TOP + r * MAP_ROW
        graphic.append(dict(type="text", silent=True, style=dict(text=text, x=0, y=top - 18, fontSize=SMALL_TITLE_SIZE - 3,
                                                                  fill="#31333f")))
        for c, square in enumerate(squares[:MAX_MAPS]):
            graphic.append(dict(type="image", silent=True, x=c * (MAP_PX + MAP_GAP), y=top,
                                style=dict(image=neuron_png(np.asarray(square, dtype=np.float32).ravel()), width=MAP_PX,
                                           height=MAP_PX)))
    height = TITLE_TOP + len(rows) * MAP_ROW
    return dict(BASE, title=dict(text=title, textStyle=dict(fontSize=SMALL_TITLE_SIZE)), graphic=graphic), height
