"""The training-health view as ECharts options (plain dicts): per hidden layer its activations and gradients as
histograms, with the share of saturated or dead units in words; and every layer's update-to-weight ratio over
time on a log scale, with the 1e-3 guide line (engine/health.py measures them)."""
from __future__ import annotations

from playground.viz.palette import BASE, BLUE, GREY, ORANGE, RED, SMALL_TITLE_SIZE, lane_color

ROW = 96  # px per hidden layer's row of histograms
TOP = 30
HEALTHY = -3.0  # log10 of the update-to-weight ratio Karpathy's plot marks as healthy


def _state(layer) -> str:
    if layer.saturated is not None:
        return f"{layer.saturated:.0%} saturated"
    if layer.dead is not None:
        return f"{layer.dead:.0%} dead"
    return ""


def _bars(histogram, color: str, grid: int) -> dict:
    counts, edges = histogram
    centres = [float(f"{(a + b) / 2:.4g}") for a, b in zip(edges, edges[1:])]  # significant digits: gradients are tiny
    return dict(type="bar", xAxisIndex=grid, yAxisIndex=grid, barCategoryGap="0%", itemStyle=dict(color=color),
                data=[[c, int(n)] for c, n in zip(centres, counts)], large=True)


def histograms_option(layers, title: str = "") -> tuple[dict, int]:
    """(option, height): per hidden layer a row: its outputs' histogram (left) and its gradients' (right)."""
    grids, x_axes, y_axes, series, titles = [], [], [], [], []
    head = 32 if title else 0  # a title above the rows (the mistake lab: which loop)
    if title:
        titles.append(dict(text=title, left="2%", top=6, textStyle=dict(fontSize=SMALL_TITLE_SIZE)))
    for i, layer in enumerate(layers):
        top = head + TOP + i * ROW
        state = _state(layer)
        flag = RED if (layer.saturated or 0) > 0.5 or (layer.dead or 0) > 0.5 else None
        titles.append(dict(text=f"{layer.name}: outputs" + (f", {state}" if state else ""), top=top - 22, left="2%",
                           textStyle=dict(fontSize=SMALL_TITLE_SIZE - 2, **({"color": flag} if flag else {}))))
        titles.append(dict(text=f"gradients, weight-gradient norm {layer.grad_norm:.2g}", top=top - 22, left="52%",
                           textStyle=dict(fontSize=SMALL_TITLE_SIZE - 2)))
        for j, (histogram, color, left) in enumerate(((layer.activations, BLUE, "4%"), (layer.gradients, ORANGE, "54%"))):
            grids.append(dict(left=left, width="42%", top=top, height=ROW - 50))
            index = 2 * i + j
            x_axes.append(dict(type="value", gridIndex=index, scale=True, splitLine=dict(show=False),
                               axisLabel=dict(fontSize=10, hideOverlap=True)))
            y_axes.append(dict(type="value", gridIndex=index, show=False))
            series.append(_bars(histogram, color, index))
    height = head + TOP + len(layers) * ROW
    return dict(BASE, title=titles, grid=grids, xAxis=x_axes, yAxis=y_axes, series=series, tooltip=dict(show=False)), height


def ratios_option(log, names: list[str]) -> dict:
    """Each hidden layer's log10 update-to-weight ratio against training steps, with the healthy -3 marked."""
    series = [dict(type="line", name=name, showSymbol=False, lineStyle=dict(color=lane_color(i), width=2),
                   itemStyle=dict(color=lane_color(i)), data=[[s, round(r[i], 3)] for s, r in zip(log.steps, log.ratios)])
              for i, name in enumerate(names)]
    if series:
        series[0]["markLine"] = dict(silent=True, symbol="none", lineStyle=dict(color=GREY, type="dashed"),
                                     label=dict(formatter="1e-3: healthy"), data=[dict(yAxis=HEALTHY)])
    return dict(
        BASE, title=dict(text="Update size / weight size (log10)", textStyle=dict(fontSize=SMALL_TITLE_SIZE)),
        grid=dict(left=50, right=20, top=40, bottom=70), legend=dict(bottom=0),
        xAxis=dict(type="value", name="training step", nameLocation="middle", nameGap=25, scale=True),
        yAxis=dict(type="value", name="log10 ratio", nameLocation="middle", nameGap=35, scale=True),
        tooltip=dict(trigger="axis"), series=series,
    )
