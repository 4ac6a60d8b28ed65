"""The images board's ECharts options: test images beside their bars, the confusion heatmap, the mistakes row."""
import json

import numpy as np

from apptest_helpers import data_url_image
from playground.viz import charts
from playground.viz import image_charts

DIGITS = tuple(str(d) for d in range(10))


def _images(n, channels=1, size=8, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, channels, size, size), dtype=np.uint8)


def _shown(image_url: str, image: np.ndarray) -> np.ndarray:
    """The decoded picture, one pixel per source pixel again (the PNG enlarges each to a square)."""
    scale = image_charts.image_scale(image)
    pixels = data_url_image(image_url)
    assert pixels.shape == (image.shape[1] * scale, image.shape[2] * scale, 3)
    assert (pixels == pixels[::scale, ::scale].repeat(scale, 0).repeat(scale, 1)).all()  # whole squares, no smoothing
    return pixels[::scale, ::scale]


def test_grid_has_an_image_and_a_bar_chart_per_test_image_coloured_by_right_and_wrong():
    images = _images(3)
    proba = np.array([[0.1, 0.7, 0.2] + [0] * 7, [0.6, 0.1, 0.3] + [0] * 7, [0.2, 0.2, 0.6] + [0] * 7])
    y_true = [1, 2, 2]  # right, wrong (says 0, is 2), right
    option = image_charts.image_grid_option(images, proba, y_true, DIGITS)
    json.dumps(option, allow_nan=False)  # plain JSON: what st.echarts_chart sends
    assert [g["type"] for g in option["graphic"]] == ["image"] * 3
    assert len(option["grid"]) == len(option["series"]) == len(option["xAxis"]) == 3
    assert all(s["type"] == "bar" and s["xAxisIndex"] == s["yAxisIndex"] == i for i, s in enumerate(option["series"]))

    def colours(i):
        series = option["series"][i]
        return [b["itemStyle"]["color"] if isinstance(b, dict) else series["itemStyle"]["color"] for b in series["data"]]

    def values(i):
        return [b["value"] if isinstance(b, dict) else b for b in option["series"][i]["data"]]

    grey, green, red = "#c7c7c7", "#2ca02c", "#d62728"
    assert colours(0) == [grey, green] + [grey] * 8  # right: the true (and predicted) class green
    assert colours(1) == [red, grey, green] + [grey] * 7  # wrong: the guess red, the true class green
    assert values(1)[:3] == [60.0, 10.0, 30.0]  # in percent, as the axis labels say
    assert option["xAxis"][0]["data"] == list(DIGITS)
    assert option["title"]["text"].startswith("Test images and the model's class probabilities")
    assert "green: correct" in option["title"]["subtext"] and "red: wrong guess" in option["title"]["subtext"]
    assert option["animation"] is False
    for image, graphic in zip(images, option["graphic"]):
        assert (_shown(graphic["style"]["image"], image) == image[0][..., None]).all()  # grey: the same value in R, G, B


def test_each_image_sits_against_its_bars_two_to_a_row():
    images = _images(4, size=28)
    option = image_charts.image_grid_option(images, np.full((4, 10), 0.1), [0, 1, 2, 3], DIGITS, cols=2)
    for graphic, grid in zip(option["graphic"], option["grid"]):
        assert float(graphic["right"][:-1]) == 100 - float(grid["left"][:-1])  # the image's right edge on the bars' left
        assert graphic["top"] == grid["top"] and graphic["style"]["height"] == grid["height"]
        assert grid["outerBoundsMode"] == "none"  # exactly where placed: the theme must not move the bars off their image
    tops = [g["top"] for g in option["grid"]]
    assert tops[0] == tops[1] < tops[2] == tops[3]
    lefts = [float(g["left"][:-1]) for g in option["grid"]]
    assert lefts[0] == lefts[2] < 50 < lefts[1] == lefts[3]
    height = image_charts.image_grid_height(images, DIGITS, cols=2)
    last = option["grid"][-1]
    assert last["top"] + last["height"] < height <= last["top"] + last["height"] + 60  # room for the labels, not much more


def test_colour_images_keep_their_channels():
    images = _images(2, channels=3, size=32)
    option = image_charts.image_grid_option(images, np.full((2, 10), 0.1), [0, 1], DIGITS)
    for image, graphic in zip(images, option["graphic"]):
        assert (_shown(graphic["style"]["image"], image) == np.transpose(image, (1, 2, 0))).all()


def test_confusion_heatmap_holds_the_counts_and_the_accuracy_in_its_title():
    cm = np.array([[50, 2, 0], [3, 40, 5], [0, 0, 0]])
    option = charts.confusion_option(cm, ["cat", "dog", "a class with a very long name indeed"])
    json.dumps(option, allow_nan=False)
    assert option["title"]["text"] == f"Confusion matrix (test): {90 / 100:.1%}"
    series = option["series"][0]
    assert series["type"] == "heatmap" and series["label"]["show"]  # the counts written in the cells
    got = np.zeros_like(cm)
    for cell in series["data"]:
        predicted, true, count = cell["value"] if isinstance(cell, dict) else cell
        got[true, predicted] = count
    assert (got == cm).all() and len(series["data"]) == cm.size
    dark = [c for c in series["data"] if isinstance(c, dict)]
    assert [c["value"][2] for c in dark] == [50, 40] and all(c["label"]["color"] == "#ffffff" for c in dark)  # readable on dark blue
    assert option["xAxis"]["name"] == "predicted class" and option["yAxis"]["name"] == "true class"
    assert option["yAxis"]["inverse"]  # the first class in the top row
    names = option["xAxis"]["data"]
    assert names[:2] == ["cat", "dog"] and len(names[2]) <= charts.NAME_CHARS and names[2].endswith("…")
    assert option["visualMap"]["max"] == 50 and option["visualMap"]["show"] is False
    assert charts.confusion_option(cm, ["a", "b", "c"], title="Confusion matrix")["title"]["text"] == "Confusion matrix: 90.0%"


def test_mistakes_show_each_image_with_what_the_model_says_and_what_it_is():
    images = _images(3, size=28)
    names = ("T-shirt/top", "Trouser", "Pullover")
    option = image_charts.mistakes_option(images, [0, 1, 2], [1, 2, 0], [0.97, 0.5, 0.444], names)
    json.dumps(option, allow_nan=False)
    assert option["title"]["text"] == "Most confident mistakes on the test set"
    shown = [g for g in option["graphic"] if g["type"] == "image"]
    captions = [g["style"]["text"] for g in option["graphic"] if g["type"] == "text"]
    assert len(shown) == 3
    assert captions == ["says Trouser (97%)\nis T-shirt/…", "says Pullover (50%)\nis Trouser", "says T-shirt/… (44%)\nis Pullover"]
    for image, graphic in zip(images, shown):
        assert (_shown(graphic["style"]["image"], image) == image[0][..., None]).all()
    lefts = [float(g["left"][:-1]) for g in shown]
    assert lefts == sorted(lefts) and lefts[-1] < 50  # in a row, left to right, each in its place of eight
    assert image_charts.mistakes_height(images) > shown[0]["top"] + shown[0]["style"]["height"] + 30  # the captions fit


def test_no_mistakes_says_so():
    none = np.zeros((0, 1, 28, 28), np.uint8)
    option = image_charts.mistakes_option(none, [], [], [], DIGITS)
    assert option["title"]["text"] == "No mistakes on the test set" and option["graphic"] == []
    assert image_charts.mistakes_height(none) < image_charts.mistakes_height(_images(1, size=28))


def test_images_are_drawn_near_the_same_size_whatever_their_resolution():
    sizes = [image_charts.image_scale(_images(1, size=s)[0]) * s for s in (8, 28, 32)]
    assert all(abs(size - image_charts.IMAGE_PX) <= 12 for size in sizes), sizes
    assert image_charts.image_png(_images(1)[0], 8) == image_charts.image_png(_images(1)[0], 8)  # the same URL: the browser's cache holds
