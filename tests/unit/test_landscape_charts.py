"""The loss landscape's chart: shading on a log scale that survives infinite losses, contour lines, paths, centre."""
import numpy as np

from playground.engine.landscape import Landscape
from playground.viz.landscape_charts import DECADES, landscape_option, log_losses


def _landscape(losses):
    n = len(losses)
    alphas = np.linspace(-1, 1, n)
    path = np.array([[0.3, -0.2], [0.1, -0.1], [0.0, 0.0]])
    return Landscape(alphas, np.asarray(losses, float), (("SGD", path),), "SGD", float(losses[n // 2][n // 2]), 0.1)


def test_log_losses_clip_to_a_few_decades_and_count_non_finite_losses_as_highest():
    losses = np.array([[0.01, 1e6], [np.inf, np.nan]])
    logs, low, high = log_losses(losses)
    assert low == -2 and high == -2 + DECADES
    assert logs[0, 0] == low and (logs[0, 1:] == high).all() and (logs[1] == high).all()


def test_the_option_has_the_shading_contours_each_path_and_the_centre():
    a = np.linspace(-1, 1, 21)
    losses = 0.1 + a[None, :] ** 2 + 2 * a[:, None] ** 2  # a bowl, lowest at the centre
    option = landscape_option(_landscape(losses), {"SGD": "#123456"}, "Loss landscape")
    kinds = [s["type"] for s in option["series"]]
    assert kinds.count("lines") == 1 and len(option["series"][0]["data"]) >= 5  # closed contour rings
    path = next(s for s in option["series"] if s["type"] == "line")
    assert path["name"] == "SGD" and path["data"][-1] == [0.0, 0.0] and path["lineStyle"]["color"] == "#123456"
    assert "0.1" in option["title"]["subtext"] and option["xAxis"]["max"] == 1.0
    ring = option["series"][0]["data"][0]["coords"]
    radii = [x * x + 2 * y * y for x, y in ring]
    assert max(radii) - min(radii) < 0.05 * max(radii)  # a contour line follows one loss: an ellipse of the bowl
