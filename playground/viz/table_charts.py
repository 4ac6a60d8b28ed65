"""ECharts options for the tables page's live board, as plain dicts (no Streamlit, no plotly).

The test rows in two dimensions coloured by the predicted class, and for regression the model's fit
(one input) or predicted against true values (several). Redrawn in place every live frame, as the
2-D page's boundary (see boundary.py).
"""
from __future__ import annotations

import numpy as np

from playground.viz.charts import legend_space
from playground.viz.palette import (BASE, BLACK, GREY, PLOT_LEFT, RED, TEST_COLOR, TITLE_SIZE, TRAIN_COLOR, WHITE,
                                    X_NAME_GAP, class_color)

PICTURE_HEIGHT = 460
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
    return _chart(f"Test rows: {n_wrong} mistake{'s' if n_wrong != 1 else ''} (✕)", series, *axis_labels)


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
