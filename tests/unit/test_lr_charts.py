"""The learning-rate finder's chart: loss against learning rate on a log axis, the suggestion marked and labelled."""
import json

from playground.engine.lr_finder import LRFinding
from playground.viz.lr_charts import lr_finder_option


def _found(**kw) -> LRFinding:
    lrs = [1e-6 * 10 ** (i / 10) for i in range(60)]
    losses = [0.7 - 0.4 * i / 60 for i in range(60)]
    return LRFinding(lrs=lrs, losses=losses, start=1e-6, end=10.0, **kw)


def test_the_suggestion_is_marked_on_a_log_axis():
    option = lr_finder_option(_found(suggestion=0.01, raw_suggestion=0.0126, exploded_at=1.0))
    json.dumps(option)  # plain JSON: no callbacks
    assert option["xAxis"]["type"] == "log" and option["xAxis"]["min"] == 1e-6 and option["xAxis"]["max"] == 10.0
    assert option["xAxis"]["name"] == "learning rate (log scale)" and option["yAxis"]["name"] == "loss"
    assert option["title"]["text"] == "Loss against learning rate"
    curve = option["series"][0]
    assert len(curve["data"]) == 60 and curve["data"][0] == [1e-6, 0.7]
    suggested, exploded = curve["markLine"]["data"]
    assert suggested["xAxis"] == 0.01 and suggested["label"]["formatter"] == "suggested 0.01"
    assert exploded["xAxis"] == 1.0 and exploded["label"]["formatter"] == "loss exploded"
    x, y = curve["markPoint"]["data"][0]["coord"]
    assert x == 0.01 and y == round(_found().losses[40], 5)  # on the curve, at the swept rate nearest to 0.01


def test_no_suggestion_draws_the_curve_alone():
    option = lr_finder_option(_found())
    assert "markLine" not in option["series"][0] and "markPoint" not in option["series"][0]
