"""The live board's ECharts options: the boundary image, its geometry, thinned curves, labelled bars."""
import json

import numpy as np
import pytest

from apptest_helpers import data_url_image
from playground.viz import boundary, charts, palette
from playground.config import DataConfig
from playground.data.tables import load_dataset
from playground.engine.training import History

DATA = load_dataset(DataConfig("moons", n_samples=200))


def _grid(resolution=boundary.LIVE_RESOLUTION):
    return boundary.boundary_grid(np.vstack([DATA.X_train, DATA.X_test]), resolution)


def test_boundary_colours_run_from_pale_at_a_coin_toss_to_strong_when_certain():
    proba = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [0.75, 0.25]], dtype=np.float32)
    rgb = boundary.boundary_colors(proba).astype(int)
    orange, blue = (np.array([int(palette.class_color(c)[i : i + 2], 16) for i in (1, 3, 5)]) for c in (0, 1))
    assert np.abs(rgb[0] - (255 + 0.06 * (orange - 255))).max() <= 1  # a coin toss: almost white
    assert np.abs(rgb[1] - (255 + 0.6 * (orange - 255))).max() <= 1  # certain class 0: strong orange
    assert np.abs(rgb[2] - (255 + 0.6 * (blue - 255))).max() <= 1
    assert rgb[0].sum() > rgb[3].sum() > rgb[1].sum()  # 75% lies between


def test_boundary_image_has_one_pixel_per_cell_with_the_highest_x2_on_top():
    xs, ys, grid = _grid(8)
    proba = np.stack([(grid[:, 1] > 0), (grid[:, 1] <= 0)], 1).astype(np.float32)  # class 0 above x2 = 0
    image = data_url_image(boundary.boundary_png(proba, len(xs), len(ys)))
    assert image.shape == (8, 8, 3)
    top, bottom = image[0, 0].astype(int), image[-1, 0].astype(int)
    assert top[0] > top[2] and bottom[2] > bottom[0]  # orange (class 0) at the top, blue at the bottom


def test_boundary_option_fills_the_plot_area_with_equal_units_newest_image_on_top():
    xs, ys, grid = _grid()
    proba = np.full((len(grid), 2), 0.5, dtype=np.float32)
    images = [boundary.boundary_png(proba + [[d, -d]], len(xs), len(ys)) for d in (0.0, 0.2, 0.4)]
    points = boundary.point_series(DATA)
    option = boundary.boundary_option(xs, ys, images, points, DATA, highlight=3, title="Decision boundary, epoch 7")
    json.dumps(option)  # plain JSON: what st.echarts_chart sends
    assert [g["style"]["image"] for g in option["graphic"]] == images  # drawn in order: the newest on top
    area = option["grid"]
    assert area["outerBoundsMode"] == "none"  # exactly this rectangle, so the pixel-placed images match the axes
    assert all(g["x"] == area["left"] and g["y"] == area["top"] and g["style"]["width"] == area["width"]
               and g["style"]["height"] == area["height"] for g in option["graphic"])
    x_units, y_units = option["xAxis"]["max"] - option["xAxis"]["min"], option["yAxis"]["max"] - option["yAxis"]["min"]
    assert area["width"] / x_units == pytest.approx(area["height"] / y_units, rel=0.02)  # a circle looks round
    cell = (xs[-1] - xs[0]) / (len(xs) - 1)
    assert option["xAxis"]["min"] == pytest.approx(xs[0] - cell / 2, abs=1e-3)  # pixels centred on the grid's points
    assert max(area["width"], area["height"]) == palette.BOUNDARY_SIZE
    scatter = [s for s in option["series"] if s["name"].startswith("class")]
    assert sum(len(s["data"]) for s in scatter) == len(DATA.y_train) + len(DATA.y_test) and all(s["large"] for s in scatter)
    assert option["series"][-1]["name"] == "chosen point" and option["series"][-1]["data"] == [np.round(DATA.X_test[3], 3).tolist()]
    assert option["animation"] is False and option["title"]["text"] == "Decision boundary, epoch 7"


def test_curves_are_thinned_to_a_few_hundred_points_keeping_the_newest():
    history = History()
    for epoch in range(1001):
        history.append(epoch, dict(train_loss=1 / (epoch + 1), test_loss=1.1 / (epoch + 1), train_score=0.5, test_score=0.6))
    option = charts.curves_option(history, 1000)
    for series in option["series"]:
        assert 2 < len(series["data"]) <= charts.CURVE_POINTS and series["data"][0][0] == 0 and series["data"][-1][0] == 1000
    accuracy = next(s for s in option["series"] if s["name"] == "test accuracy")
    assert accuracy["data"][-1][1] == pytest.approx(60)  # accuracy drawn in percent
    assert option["xAxis"][0]["max"] == 1000 and option["animation"] is False


def test_bars_label_each_class_in_percent_and_outline_the_true_class():
    option = charts.bars_option(np.array([0.25, 0.75]), ["class 0", "class 1"], true_class=1, title="Test point #4")
    bars = option["series"][0]["data"]
    assert [b["label"]["formatter"] for b in bars] == ["25%", "75%"]
    assert bars[1]["itemStyle"]["borderWidth"] > 0 == bars[0]["itemStyle"]["borderWidth"]
    assert option["yAxis"]["data"] == ["class 0", "class 1"]


def test_boundary_layers_keep_an_anchor_sent_long_enough_ago_under_the_newest_images():
    images = boundary.BoundaryImages()
    layers = [images.add(f"img{i}", now=i * 0.05) for i in range(60)]  # 20 frames a second for 3 s
    assert layers[0] == ["img0"] and layers[5] == [f"img{i}" for i in range(6)]
    assert all(len(layer) <= boundary.IMAGE_LAYERS + 2 for layer in layers)
    for i, layer in enumerate(layers):
        assert layer[-1] == f"img{i}"  # the newest on top
        if i >= 30:  # after a second, an anchor (and the next one) lie under the newest six ...
            anchor = int(layer[0][3:])
            assert layer[2:] == [f"img{k}" for k in range(i - 5, i + 1)] or layer[1:] == [f"img{k}" for k in range(i - 5, i + 1)]
            assert (i - anchor) * 0.05 >= boundary.ANCHOR_SECONDS - 1e-9  # ... first sent at least a second ago
            assert all(anchor in [int(x[3:]) for x in layers[k]] for k in range(anchor, i + 1))  # and in every frame since


def _history(losses, accuracy=0.5) -> History:
    history = History()
    for epoch, loss in enumerate(losses):
        history.append(epoch, dict(train_loss=loss, test_loss=1.2 * loss, train_score=accuracy, test_score=accuracy))
    return history


def test_lanes_draw_one_colour_per_run_train_solid_test_dashed():
    lanes = [(f"lane {i}", palette.lane_color(i), _history([1.0, 0.5, 0.25])) for i in range(3)]
    option = charts.lanes_option(lanes, n_epochs=10, loss_label="cross-entropy loss")
    series = option["series"]
    assert [s["name"] for s in series] == [f"lane {i}: {split} loss" for i in range(3) for split in ("train", "test")]
    assert [s["lineStyle"]["type"] for s in series] == ["solid", "dashed"] * 3
    assert len({s["lineStyle"]["color"] for s in series}) == 3 and series[0]["lineStyle"]["color"] == series[1]["lineStyle"]["color"]
    assert series[1]["data"] == [[0, 1.2], [1, 0.6], [2, 0.3]]
    assert option["xAxis"][0]["max"] == 10 and len(option["grid"]) == 1  # the whole run's width, loss only


def test_lanes_with_accuracy_and_a_log_loss_leave_gaps_where_a_loss_cannot_be_drawn():
    correct, diverged = _history([1.0, 0.1, 0.01], accuracy=0.9), _history([1.0, 1e6, float("nan")], accuracy=0.5)
    lanes = [("correct loop", palette.CORRECT_COLOR, correct), ("with the mistake", palette.BUGGY_COLOR, diverged)]
    option = charts.lanes_option(lanes, 3, log_loss=True, accuracy=True)
    assert option["yAxis"][0]["type"] == "log" and "log scale" in option["yAxis"][0]["name"]
    bad = next(s for s in option["series"] if s["name"] == "with the mistake: train loss")
    assert bad["data"] == [[0, 1.0], [1, 1e6], [2, None]]  # NaN is a gap, not a broken chart
    accuracy = next(s for s in option["series"] if s["name"] == "correct loop: test accuracy")
    assert accuracy["xAxisIndex"] == 1 and accuracy["data"][-1] == [2, 90.0]  # the second panel, in %
    json.dumps(option, allow_nan=False)  # what the browser receives is valid JSON


def test_boundary_grid_covers_the_data_with_a_margin():
    X = np.vstack([DATA.X_train, DATA.X_test])
    xs, ys, grid = boundary.boundary_grid(X, resolution=40)
    assert grid.shape == (1600, 2) and grid.dtype == np.float32
    assert xs[0] < X[:, 0].min() and xs[-1] > X[:, 0].max() and ys[0] < X[:, 1].min() and ys[-1] > X[:, 1].max()
