"""ECharts options for the tables page's live board, as plain dicts (no Streamlit, no plotly).

The test rows in two dimensions coloured by the predicted class (one feature: its value against the true
class), and for regression the model's fit (one input) or predicted against true values (several).
Redrawn in place every live frame, as the 2-D page's boundary (see boundary.py).
"""
from __future__ import annotations

import numpy as np

from playground.viz.charts import legend_space, short_name
from playground.viz.palette import (BASE, BLACK, GREY, PLOT_LEFT, RED, TEST_COLOR, TITLE_SIZE, TRAIN_COLOR, WHITE,
                                    X_NAME_GAP, class_color)

PICTURE_HEIGHT = 460
STRIP_SPREAD = 0.3  # one feature: how far (in class bands) a row may sit above or below its class's line
MISTAKE_RING = "#d00000"
WRONG_NAME = "wrong prediction (✕)"
# A cross as an SVG path (ECharts has no cross symbol): two bars of a 12-unit square
CROSS = "path://M2,0 L6,4 L10,0 L12,2 L8,6 L12,10 L10,12 L6,8 L2,12 L0,10 L4,6 L0,2 Z"


def _round(values) -> list:
    return np.round(np.asarray(values, dtype=float), 4).tolist()


def _axes(x_label: str, y_label: str) -> dict:
    axis = dict(type="value", scale=True, nameLocation="middle", splitLine=dict(lineStyle=dict(color="#eeeeee")))
    return dict(xAxis=dict(axis, name=x_label, nameGap=X_NAME_GAP), yAxis=dict(axis, name=y_label, nameGap=45))


def _chart(title: str, series: list, x_label: str, y_label: str) -> dict:
    return dict(
        BASE, title=dict(text=title, textStyle=dict(fontSize=TITLE_SIZE)),
        grid=dict(left=PLOT_LEFT, right=20, top=50, bottom=legend_space(len({s["name"] for s in series}))),
        legend=dict(bottom=0), tooltip=dict(trigger="item"), series=series, **_axes(x_label, y_label),
    )


def projection_option(coords: np.ndarray, y_true, y_pred, class_names, axis_labels=("PC 1", "PC 2")) -> dict:
    """Test rows in 2-D, coloured by the predicted class; mistakes drawn as crosses ringed in red."""
    series, title = _class_series(coords, y_true, y_pred, class_names)
    return _chart(title, series, *axis_labels)


def strip_option(x, y_true, y_pred, class_names, x_label="x", y_label="true class") -> dict:
    """One feature: each test row at its value (x) in the band of its true class (y), coloured by the predicted class.

    Inside its band a row is moved up or down by a fixed pseudo-random amount (the same every frame), so rows
    with equal values stay apart; mistakes are drawn as crosses ringed in red, as in the projection.
    """
    x, y_true = np.asarray(x, dtype=float), np.asarray(y_true)
    jitter = np.random.default_rng(0).uniform(-STRIP_SPREAD, STRIP_SPREAD, len(x))
    series, title = _class_series(np.column_stack([x, y_true + jitter]), y_true, y_pred, class_names)
    for s in series:
        s["yAxisIndex"] = 1  # the hidden value axis under the class names: class k is the band k-0.5 .. k+0.5
    option = _chart(title, series, x_label, y_label)
    labels = [short_name(c) for c in class_names]
    left = max(PLOT_LEFT, 36 + 8 * max(len(n) for n in labels))  # the class names, then the axis name, fit on the left
    # the first class on top, as in the confusion matrix beside it (both axes turned, so the bands stay aligned)
    names = dict(type="category", data=labels, boundaryGap=True, inverse=True, name=y_label, nameLocation="middle",
                 nameGap=left - 22, axisTick=dict(show=False), axisLabel=dict(interval=0, fontSize=12 if len(labels) <= 10 else 10),
                 splitLine=dict(show=True, lineStyle=dict(color="#eeeeee")))
    places = dict(type="value", min=-0.5, max=len(labels) - 0.5, inverse=True, show=False)
    return dict(option, grid=dict(option["grid"], left=left), yAxis=[names, places])


def _class_series(coords: np.ndarray, y_true, y_pred, class_names) -> tuple[list, str]:
    """The rows as one series per predicted class and one for every mistake, and the title counting mistakes."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    wrong = y_true != y_pred
    series = []
    for k, name in enumerate(class_names):
        for miss in (False, True):
            chosen = (y_pred == k) & (wrong == miss)
            if miss and not chosen.any():
                continue
            series.append(dict(
                type="scatter", name=WRONG_NAME if miss else f"predicted {name}",  # one legend entry for every mistake
                symbol=CROSS if miss else "circle", symbolSize=13 if miss else 8, z=4 if miss else 3,
                data=[[*xy, f"true {class_names[t]}"] for xy, t in zip(_round(coords[chosen]), y_true[chosen])],
                itemStyle=dict(color=class_color(k), borderColor=MISTAKE_RING if miss else WHITE, borderWidth=1.5 if miss else 0.8),
            ))
    n_wrong = int(wrong.sum())
    return series, f"Test rows: {n_wrong} mistake{'s' if n_wrong != 1 else ''} (✕)"


def fit_option(x_train, y_train, x_test, y_test, x_line, y_line, x_label="x", y_label="y") -> dict:
    """One input: the data as points and the model's prediction as a line over them."""
    series = [
        dict(type="scatter", name="train", symbolSize=5, data=np.column_stack([_round(x_train), _round(y_train)]).tolist(),
             itemStyle=dict(color=TRAIN_COLOR, opacity=0.5)),
        dict(type="scatter", name="test", symbolSize=6, data=np.column_stack([_round(x_test), _round(y_test)]).tolist(),
             itemStyle=dict(color=TEST_COLOR, borderColor=BLACK, borderWidth=0.8)),
        dict(type="line", name="model", showSymbol=False, z=4, data=np.column_stack([_round(x_line), _round(y_line)]).tolist(),
             lineStyle=dict(color=RED, width=4), itemStyle=dict(color=RED)),
    ]
    return _chart("The model's fit", series, x_label, y_label)


def pred_vs_true_option(y_true, y_pred, y_label="y") -> dict:
    """Several inputs: predicted against true values; a perfect model puts every point on the dashed diagonal."""
    lo, hi = float(min(np.min(y_true), np.min(y_pred))), float(max(np.max(y_true), np.max(y_pred)))
    series = [
        dict(type="scatter", name="test rows", symbolSize=7, data=np.column_stack([_round(y_true), _round(y_pred)]).tolist(),
             itemStyle=dict(color=TRAIN_COLOR)),
        dict(type="line", name="perfect", showSymbol=False, data=_round([[lo, lo], [hi, hi]]),
             lineStyle=dict(color=GREY, type="dashed"), itemStyle=dict(color=GREY)),
    ]
    return _chart("Predicted against true (test)", series, f"true {y_label}", f"predicted {y_label}")
