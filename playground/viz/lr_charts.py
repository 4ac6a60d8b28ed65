"""The learning-rate finder's chart as an ECharts option (a plain dict): the smoothed loss against the learning rate
on a log axis, with the suggested learning rate marked (engine/lr_finder.py sweeps)."""
from __future__ import annotations

import math

from playground.viz.palette import BASE, BLUE, GREY, ORANGE, RED, SMALL_TITLE_SIZE, X_NAME_GAP

HEIGHT = 260  # px: it fits the sidebar's width beside the 2-D board


def _loss_at(lrs: list[float], losses: list[float], lr: float) -> float:
    """The recorded loss at the swept learning rate nearest to lr (the marked point sits on the curve)."""
    i = min(range(len(lrs)), key=lambda k: abs(math.log(lrs[k] / lr)))
    return round(losses[i], 5)


def lr_finder_option(found, title: str = "Loss against learning rate") -> dict:
    """Smoothed loss against learning rate (log axis); the suggestion as a dashed line and a point, labelled;
    where the loss exploded, a grey line."""
    curve = dict(type="line", name="smoothed loss", showSymbol=False, lineStyle=dict(color=BLUE, width=2),
                 itemStyle=dict(color=BLUE), data=[[float(f"{lr:.4g}"), round(loss, 5)] for lr, loss in zip(found.lrs, found.losses)])
    lines = []
    if found.suggestion is not None:
        lines.append(dict(xAxis=found.suggestion, lineStyle=dict(color=ORANGE, type="dashed", width=2),
                          label=dict(formatter=f"suggested {found.suggestion:g}", color=ORANGE, fontWeight="bold",
                                     position="insideEndTop")))
        curve["markPoint"] = dict(symbol="circle", symbolSize=10, itemStyle=dict(color=ORANGE), label=dict(show=False),
                                  data=[dict(name="suggested", coord=[found.suggestion,
                                                                      _loss_at(found.lrs, found.losses, found.suggestion)])])
    if found.exploded_at is not None:
        lines.append(dict(xAxis=float(f"{found.exploded_at:.4g}"), lineStyle=dict(color=GREY, type="dotted"),
                          label=dict(formatter="loss exploded", color=RED, position="insideEndBottom")))
    if lines:
        curve["markLine"] = dict(silent=True, symbol="none", data=lines)
    return dict(
        BASE, title=dict(text=title, textStyle=dict(fontSize=SMALL_TITLE_SIZE)),
        grid=dict(left=50, right=14, top=36, bottom=48, outerBoundsMode="none"),  # the labels fit these margins
        xAxis=dict(type="log", logBase=10, min=found.start, max=found.end, name="learning rate (log scale)",
                   nameLocation="middle", nameGap=X_NAME_GAP, axisLabel=dict(fontSize=11, hideOverlap=True),
                   splitLine=dict(show=False)),
        yAxis=dict(type="value", name="loss", nameLocation="middle", nameGap=34, scale=True,
                   axisLabel=dict(fontSize=11)),
        tooltip=dict(trigger="axis"), series=[curve],
    )
