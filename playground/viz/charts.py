"""ECharts options for the live board, built as plain dicts (no Streamlit, no plotly): curves, bars, lanes, confusion.

A live frame is redrawn many times a second: `st.echarts_chart` drawn into the same placeholder
updates its chart in place (the canvas stays, nothing goes blank), so every frame ships only these
small dicts. Animation is off: a frame must show the network as it is, not tween towards it.
"""
from __future__ import annotations

import numpy as np

from playground.viz.palette import (BASE, BATCH_COLOR, BLACK, BLUES, PLOT_LEFT, SMALL_TITLE_SIZE, TEST_COLOR,
                                    TRAIN_COLOR, WHITE, X_NAME_GAP, class_color)

REDRAW_SECONDS = 1 / 30  # live pictures redraw up to 30 times a second, as TensorFlow Playground does
# Numbers, bars and curves change slowly to the eye, and each update costs the browser about as much as a
# boundary frame (measured: refreshing them 10 times a second halved the boundary's frame rate): 4 a second.
SLOW_SECONDS = 0.25
CURVE_POINTS = 300  # points per curve at most: a long run's curves are thinned evenly, the newest point kept


def curves_option(history, n_epochs: int, loss_label: str = "cross-entropy loss", score_label: str = "accuracy",
                  with_score: bool = True) -> dict:
    """Train and test loss (left) and score (right) against epochs; the running batch loss under the loss curves.

    Without the score: the loss alone, filling the chart (a narrow column beside the plane; the score is a number there).
    """
    x_max = max(n_epochs or 1, history.epoch[-1] if history.epoch else 1)
    grids = [dict(left=PLOT_LEFT, right="56%" if with_score else 12, top=40, bottom=80 if with_score else 95),
             dict(left="56%", right=20, top=40, bottom=80)][: 2 if with_score else 1]
    percent = score_label == "accuracy"  # accuracy is drawn in % (ECharts' axis labels take no number format)
    score_axis = dict(min=0, max=100, name="accuracy (%)") if percent else dict(scale=True, name=score_label)
    keep = _thinned(len(history.epoch))
    series = []
    for index, metric in ((0, "loss"), (1, "score"))[: len(grids)]:
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
    x_axis = dict(type="value", min=0, max=x_max, name="epoch", nameLocation="middle", nameGap=X_NAME_GAP, minInterval=1)
    titles = [dict(text="Loss", left="22%" if with_score else "center", textAlign="center"),
              dict(text=score_label.capitalize(), left="78%", textAlign="center")]
    y_axes = [dict(type="value", gridIndex=0, name=loss_label, nameLocation="middle", nameGap=50, min=0),
              dict(type="value", gridIndex=1, nameLocation="middle", nameGap=45, **score_axis)]
    return dict(
        BASE, grid=grids, title=titles[: len(grids)],
        xAxis=[dict(x_axis, gridIndex=i) for i in range(len(grids))], yAxis=y_axes[: len(grids)],
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
             itemStyle=dict(color=color, borderColor=BLACK if k == true_class else color, borderWidth=3 if k == true_class else 0))
        for k, (p, color) in enumerate(zip(values, colors))
    ]
    return dict(
        BASE, title=dict(text=title, textStyle=dict(fontSize=SMALL_TITLE_SIZE)),
        # the plot takes the width the category labels leave (ECharts fits the labels inside the chart): a narrow
        # column still gets wide bars; the labels name the categories, so the axis needs no name of its own
        grid=dict(left=8, right=48, top=45, bottom=45),
        xAxis=dict(type="value", min=0, max=1, name=value_name, nameLocation="middle", nameGap=X_NAME_GAP),
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
    grids = [dict(left=PLOT_LEFT, right="56%" if accuracy else 20, top=45, bottom=bottom)]
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
    x_axis = dict(type="value", min=0, max=x_max, name="epoch", nameLocation="middle", nameGap=X_NAME_GAP, minInterval=1)
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


def smoothed(values, weight: float) -> list:
    """TensorBoard's smoothing: an exponential moving average with weight in [0, 1) (0: the values as they are),
    debiased so the first points are not pulled towards 0; a value that is not finite is kept, not averaged in."""
    out, last, n = [], 0.0, 0
    for value in values:
        if value is None or not np.isfinite(value):
            out.append(value)
            continue
        last, n = last * weight + (1 - weight) * value, n + 1
        out.append(last / (1 - weight**n))
    return out


def legend_space(n_entries: int, per_row: int = 4) -> int:
    """Pixels under a plot for its axis name and a legend of n entries, wrapped about per_row to a line (none hidden)."""
    return 56 + 24 * -(-n_entries // per_row)


def _finite(value: float, log: bool):
    """A loss as a chart value: rounded; None (a gap) where it is not finite or cannot sit on a log axis."""
    if value is None or not np.isfinite(value) or (log and value <= 0):
        return None
    return float(f"{value:.5g}")


NAME_CHARS = 12  # class names longer than this are cut with an ellipsis on the axes and in captions


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
            data.append(dict(value=cell, label=dict(color=WHITE)) if count > 0.55 * peak else cell)  # dark cells: white numbers
    accuracy = np.trace(cm) / max(cm.sum(), 1)
    long_names = max(len(n) for n in names) > 2
    font = 13 if k <= 6 else 11 if k <= 12 else 9
    axis = dict(type="category", data=names, nameLocation="middle", splitArea=dict(show=False), axisTick=dict(show=False))
    return dict(
        BASE,
        title=dict(text=f"{title}: {accuracy:.1%}", textStyle=dict(fontSize=SMALL_TITLE_SIZE)),
        grid=dict(left=10, right=10, top=45, bottom=10, outerBoundsMode="same"),  # the labels and axis names fit inside
        xAxis=dict(axis, name="predicted class", nameGap=30 + (40 if long_names and k > 3 else 0),
                   axisLabel=dict(interval=0, rotate=45 if long_names and k > 3 else 0)),
        yAxis=dict(axis, name="true class", nameGap=16 + 6 * max(len(n) for n in names), inverse=True, axisLabel=dict(interval=0)),
        visualMap=dict(show=False, min=0, max=peak, dimension=2, inRange=dict(color=BLUES)),
        tooltip=dict(trigger="item"),
        series=[dict(type="heatmap", name="test images", data=data, label=dict(show=True, fontSize=font, color="#1a1a1a"),
                     itemStyle=dict(borderColor=WHITE, borderWidth=1))],
    )
