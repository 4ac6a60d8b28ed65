"""Pure plotting functions: arrays and histories in, plotly figures out."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Orange and blue as in TF Playground first, then well-separated hues.
CLASS_COLORS = ("#f08c1a", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
FONT = dict(size=14)
REDRAW_SECONDS = 0.2  # live figures are redrawn five times a second: smooth to watch, cheap next to training


def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def boundary_grid(X: np.ndarray, resolution: int = 90, margin: float = 0.3):
    """Axis ticks and the (resolution**2, 2) float32 points covering the data with a margin."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs = np.linspace(lo[0], hi[0], resolution, dtype=np.float32)
    ys = np.linspace(lo[1], hi[1], resolution, dtype=np.float32)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """One figure from plain dicts, validated once (many add_trace/update_* calls cost ~10x more per live frame)."""
    return go.Figure(dict(data=data, layout=layout))


def _axis(title: str, **kw) -> dict:
    return dict(title=dict(text=title), **kw)


def curves_figure(history, n_epochs: int | None = None, loss_label="cross-entropy loss", score_label="accuracy") -> go.Figure:
    """Train and test loss (left) and score, accuracy or R², (right) against epochs: two panels side by side."""
    traces = []
    for axis, metric in (("", "loss"), ("2", "score")):
        for split, dash in (("train", "solid"), ("test", "dash")):
            traces.append(dict(
                type="scatter", x=history.epoch, y=getattr(history, f"{split}_{metric}"), xaxis=f"x{axis}", yaxis=f"y{axis}",
                mode="lines+markers" if len(history.epoch) <= 12 else "lines",
                name=f"{split} {'loss' if metric == 'loss' else score_label}",
                line=dict(color="#1f77b4" if split == "train" else "#f08c1a", dash=dash, width=2.5),
            ))
    if history.batch_epoch:  # the running loss inside epochs, under the per-epoch curves
        traces.append(dict(type="scatter", x=history.batch_epoch, y=history.batch_loss, mode="lines", name="train loss (batches)",
                           line=dict(color="#9ecae1", width=1.5)))
    x_max = max(n_epochs or 1, history.epoch[-1] if history.epoch else 1)
    whole = dict(dtick=1) if x_max <= 10 else {}  # epochs are whole numbers: no 0.5 ticks on short runs
    if score_label == "accuracy":
        score_axis = _axis("accuracy", range=[0, 1.02], tickformat=".0%")
    else:  # R² can be very negative for an untrained model: show the useful part
        # Start at 0 or the latest R², whichever is lower: a very negative untrained R² is clipped, not the rest.
        low = min([0.0, *history.test_score[-1:], *history.train_score[-1:]])
        score_axis = _axis(score_label, range=[low - 0.05, 1.02])
    panel_title = dict(xref="paper", yref="paper", y=1.0, yanchor="bottom", xanchor="center", showarrow=False, font=dict(size=16))
    return _figure(traces, dict(
        height=360, margin=dict(l=70, r=10, t=40, b=120, autoexpand=False), font=FONT, paper_bgcolor="white",  # fixed: laid out once
        legend=dict(orientation="h", y=-0.28, yanchor="top"),
        xaxis=_axis("epoch", range=[0, x_max], domain=[0, 0.44], anchor="y", **whole),
        xaxis2=_axis("epoch", range=[0, x_max], domain=[0.56, 1], anchor="y2", **whole),
        yaxis=_axis(loss_label, rangemode="tozero", anchor="x"), yaxis2=dict(score_axis, anchor="x2"),
        annotations=[dict(panel_title, x=0.22, text="Loss"), dict(panel_title, x=0.78, text=score_label.capitalize())],
    ))


def proba_bars(proba_row: np.ndarray, class_names, true_class: int | None = None, title: str = "") -> go.Figure:
    """Horizontal bars: the model's probability for each class at one point."""
    names = list(class_names)
    bar = dict(
        type="bar", x=proba_row, y=names, orientation="h",
        marker=dict(
            color=[class_color(k) for k in range(len(names))],
            line=dict(color=["black" if k == true_class else "rgba(0,0,0,0)" for k in range(len(names))], width=3),
        ),
        text=[f"{p:.0%}" for p in proba_row], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1%}<extra></extra>",
    )
    return _figure([bar], dict(
        title=dict(text=title), height=90 + 45 * len(names), margin=dict(l=70, r=45, t=50, b=55), font=FONT, paper_bgcolor="white",
        xaxis=_axis("probability", range=[0, 1.2], tickformat=".0%", tickvals=[0, 0.5, 1]),  # room for the labels, no 120% tick
        yaxis=_axis("class", autorange="reversed", type="category"),  # "0".."9" are names, not numbers
    ))


def projection_figure(coords: np.ndarray, y_true, y_pred, class_names, axis_labels=("PC 1", "PC 2"), title="") -> go.Figure:
    """Test rows in 2-D, coloured by the predicted class; mistakes drawn as crosses ringed in red."""
    fig = go.Figure()
    wrong = y_true != y_pred
    for k, name in enumerate(class_names):
        for miss in (False, True):
            sel = (y_pred == k) & (wrong == miss)
            if not sel.any() and miss:
                continue
            fig.add_trace(
                go.Scatter(
                    x=coords[sel, 0], y=coords[sel, 1], mode="markers",
                    name=f"predicted {name}" + (" (wrong)" if miss else ""),
                    marker=dict(
                        color=class_color(k), size=12 if miss else 8, symbol="x" if miss else "circle",
                        line=dict(color="#d00000" if miss else "white", width=2 if miss else 0.8),
                    ),
                    customdata=np.asarray(y_true)[sel],
                    hovertemplate=f"predicted {name}<br>true class index %{{customdata}}<extra></extra>",
                )
            )
    fig.update_xaxes(title_text=axis_labels[0])
    fig.update_yaxes(title_text=axis_labels[1])
    n_wrong = int(wrong.sum())
    fig.update_layout(
        title=title or f"Test rows: {n_wrong} mistake{'s' if n_wrong != 1 else ''} (✕)",
        height=460, margin=dict(l=60, r=10, t=50, b=50), font=FONT, legend=dict(orientation="h", y=-0.2), plot_bgcolor="white",
    )
    return fig


def confusion_figure(cm: np.ndarray, class_names) -> go.Figure:
    """Counts of true (rows) against predicted (columns) classes, with the numbers written in."""
    names = [str(n) for n in class_names]
    fig = go.Figure(
        go.Heatmap(
            z=cm, x=names, y=names, colorscale="Blues", showscale=False, text=cm, texttemplate="%{text}",
            textfont=dict(size=16), hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="predicted class", side="bottom", type="category")
    fig.update_yaxes(title_text="true class", autorange="reversed", type="category")
    acc = np.trace(cm) / max(cm.sum(), 1)
    fig.update_layout(title=f"Confusion matrix (test): {acc:.1%}", height=460, margin=dict(l=90, r=10, t=50, b=60), font=FONT)
    return fig


def fit_figure(x_train, y_train, x_test, y_test, x_line, y_line, x_label="x", y_label="y") -> go.Figure:
    """One input: the data as points and the model's prediction as a line over them."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x_train, y=y_train, mode="markers", name="train", marker=dict(color="#1f77b4", size=5, opacity=0.5)))
    fig.add_trace(go.Scatter(x=x_test, y=y_test, mode="markers", name="test", marker=dict(color="#f08c1a", size=6, line=dict(color="black", width=0.8))))
    fig.add_trace(go.Scatter(x=x_line, y=y_line, mode="lines", name="model", line=dict(color="#d62728", width=4)))
    fig.update_xaxes(title_text=x_label)
    fig.update_yaxes(title_text=y_label)
    fig.update_layout(title="The model's fit", height=460, margin=dict(l=60, r=10, t=50, b=50), font=FONT, legend=dict(orientation="h", y=-0.2))
    return fig


def pred_vs_true_figure(y_true, y_pred, y_label="y") -> go.Figure:
    """Several inputs: predicted against true values; a perfect model puts every point on the diagonal."""
    lo, hi = float(min(np.min(y_true), np.min(y_pred))), float(max(np.max(y_true), np.max(y_pred)))
    fig = go.Figure(go.Scatter(x=y_true, y=y_pred, mode="markers", name="test rows", marker=dict(color="#1f77b4", size=7)))
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="perfect", line=dict(color="grey", dash="dash")))
    fig.update_xaxes(title_text=f"true {y_label}")
    fig.update_yaxes(title_text=f"predicted {y_label}")
    fig.update_layout(title="Predicted against true (test)", height=460, margin=dict(l=60, r=10, t=50, b=50), font=FONT, legend=dict(orientation="h", y=-0.2))
    return fig


def _rgb(image: np.ndarray) -> np.ndarray:
    """uint8 (C, H, W) with 1 or 3 channels -> (H, W, 3) for go.Image."""
    hwc = np.transpose(image, (1, 2, 0))
    return np.repeat(hwc, 3, axis=2) if hwc.shape[2] == 1 else hwc


def _bar_colors(n_classes: int, predicted: int, true: int) -> list[str]:
    """Correct prediction green; a wrong prediction red, the true class outlined in green."""
    colors = ["#c7c7c7"] * n_classes
    colors[true] = "#2ca02c"
    if predicted != true:
        colors[predicted] = "#d62728"
    return colors


def image_grid_figure(images: np.ndarray, proba: np.ndarray, y_true, class_names, cols: int = 2) -> go.Figure:
    """Test images, each beside its class-probability bars (correct green, wrong prediction red)."""
    n, k = len(images), proba.shape[1]
    rows = -(-n // cols)
    fig = make_subplots(rows=rows, cols=2 * cols, column_widths=[0.12, 0.38] * cols, horizontal_spacing=0.03, vertical_spacing=0.06)
    for i in range(n):
        r, c = i // cols + 1, 2 * (i % cols) + 1
        pred, true = int(proba[i].argmax()), int(y_true[i])
        fig.add_trace(go.Image(z=_rgb(images[i]), hoverinfo="skip"), row=r, col=c)
        fig.add_trace(
            go.Bar(
                x=list(range(k)), y=proba[i], marker_color=_bar_colors(k, pred, true), showlegend=False,
                hovertemplate="%{customdata}: %{y:.1%}<extra></extra>", customdata=list(class_names),
            ),
            row=r, col=c + 1,
        )
        fig.update_xaxes(showticklabels=False, row=r, col=c)
        fig.update_yaxes(showticklabels=False, row=r, col=c)
        fig.update_yaxes(range=[0, 1.05], tickvals=[0.5, 1], tickformat=".0%", ticklabelposition="inside", tickfont=dict(size=9), row=r, col=c + 1)  # outside, labels sat on the image
        fig.update_xaxes(tickmode="array", tickvals=list(range(k)), ticktext=[str(n)[:5] for n in class_names], tickfont=dict(size=10), row=r, col=c + 1)
    fig.update_layout(
        title="Test images and the model's class probabilities (green: correct, red: wrong guess)",
        height=150 * rows + 70, margin=dict(l=10, r=10, t=50, b=20), font=FONT, bargap=0.15,
    )
    return fig


def mistakes_figure(images: np.ndarray, y_true, y_pred, confidence, class_names) -> go.Figure:
    """The model's most confident mistakes, each titled 'says X (p%), is Y'."""
    n = max(len(images), 1)
    titles = [f"says {class_names[p]} ({c:.0%})<br>is {class_names[t]}" for t, p, c in zip(y_true, y_pred, confidence)]
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles or None, horizontal_spacing=0.02)
    for i, image in enumerate(images):
        fig.add_trace(go.Image(z=_rgb(image), hoverinfo="skip"), row=1, col=i + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_annotations(font_size=12)
    title = "Most confident mistakes on the test set" if len(images) else "No mistakes on the test set"
    fig.update_layout(title=title, height=230, margin=dict(l=10, r=10, t=80, b=10), font=FONT)
    return fig


NEURON_SCALE = [[0.0, "#f08c1a"], [0.5, "#ffffff"], [1.0, "#1f77b4"]]  # negative orange, positive blue


def _neuron_box(z: np.ndarray, cx: float, cy: float, name: str) -> go.Heatmap:
    """One neuron's map as a unit square centred at (cx, cy), scaled to [-1, 1]."""
    res = int(np.sqrt(z.size))
    peak = max(float(np.abs(z).max()), 1e-9)
    return go.Heatmap(
        z=(z / peak).reshape(res, res).astype(np.float32), x0=cx - 0.5 + 0.5 / res, dx=1 / res, y0=cy - 0.5 + 0.5 / res,
        dy=1 / res, coloraxis="coloraxis", name=name, hovertemplate=f"{name}<extra></extra>",
    )


def network_figure(grid: np.ndarray, layers: list[np.ndarray], proba: np.ndarray, weights: list[np.ndarray],
                   max_neurons: int = 8) -> go.Figure:
    """TF-Playground-style diagram: a heatmap per neuron over the input plane, edges by weight (blue +, orange -)."""
    inputs = grid.T  # (2, n_points): x1 and x2 themselves
    output = proba[1:2] * 2 - 1 if proba.shape[0] == 2 else proba * 2 - 1
    columns = [("input", inputs, ["x1", "x2"])]
    columns += [(f"layer {i + 1}", a, [f"layer {i + 1}, neuron {j + 1}" for j in range(len(a))]) for i, a in enumerate(layers)]
    out_names = ["P(class 1)"] if proba.shape[0] == 2 else [f"P(class {k})" for k in range(len(proba))]
    columns.append(("output", output, out_names))
    fig, centres = go.Figure(), []
    for c, (_, maps, names) in enumerate(columns):
        shown = min(len(maps), max_neurons)
        ys = [(shown - 1) / 2 * 1.4 - 1.4 * i for i in range(shown)]
        centres.append([(c * 3.0, y) for y in ys])
        for i in range(shown):
            fig.add_trace(_neuron_box(maps[i], c * 3.0, ys[i], names[i]))
        if len(maps) > shown:
            fig.add_annotation(x=c * 3.0, y=ys[-1] - 1.0, text=f"+{len(maps) - shown} more", showarrow=False, font=dict(size=11))
    for c, w in enumerate(weights):  # Linear c joins column c to column c + 1
        _add_edges(fig, centres[c], centres[c + 1], w)
    for c, (title, _, _) in enumerate(columns):
        fig.add_annotation(x=c * 3.0, y=max(y for _, y in centres[c]) + 1.0, text=f"<b>{title}</b>", showarrow=False)
    fig.update_layout(
        coloraxis=dict(colorscale=NEURON_SCALE, cmin=-1, cmax=1, showscale=False), showlegend=False, font=FONT,
        height=170 + 95 * max(len(c) for c in centres), margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
        title="Inside the network: each square is one neuron's output over the input plane",
    )
    fig.update_xaxes(visible=False, scaleanchor="y")
    fig.update_yaxes(visible=False)
    return fig


def _add_edges(fig: go.Figure, left: list, right: list, w: np.ndarray) -> None:
    """Lines between shown neurons, grouped into a few traces by sign and thickness."""
    peak = max(float(np.abs(w).max()), 1e-9)
    buckets: dict[tuple[str, int], list] = {}
    for i, (x1, y1) in enumerate(right):
        for j, (x0, y0) in enumerate(left):
            value = w[i, j] if i < w.shape[0] and j < w.shape[1] else 0.0
            key = ("#1f77b4" if value > 0 else "#f08c1a", int(3 * abs(value) / peak))
            buckets.setdefault(key, []).extend([(x0 + 0.5, y0), (x1 - 0.5, y1), (None, None)])
    for (color, level), points in buckets.items():
        xs, ys = zip(*points)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", line=dict(color=color, width=0.6 + 1.8 * level),
                                 opacity=0.35 + 0.2 * level))
