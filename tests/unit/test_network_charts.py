"""The "See inside the network" ECharts view: a square image per shown neuron, coloured lines per weight."""
import json

import numpy as np
import pytest

from apptest_helpers import data_url_image
from playground.viz import boundary
from playground.viz import network_charts

GRID = boundary.boundary_grid(np.random.default_rng(0).uniform(-2, 2, size=(100, 2)), resolution=24)[2]
X1, X2 = GRID[:, 0], GRID[:, 1]
ORANGE, BLUE = (np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in ("#f08c1a", "#1f77b4"))


def _option(layers, proba, weights, **kw):
    option, height = network_charts.network_option(GRID, layers, proba, weights, **kw)
    json.dumps(option)  # plain JSON: what st.echarts_chart sends
    return option, height


def _flat(graphic):
    for element in graphic:
        yield element
        yield from _flat(element.get("children", []))


def _of(option, kind):
    """The graphic elements of a kind: the neurons' squares (images at the top level), or lines, texts (anywhere)."""
    elements = option["graphic"] if kind == "image" else _flat(option["graphic"])
    return [g for g in elements if g["type"] == kind]


def _texts(option):
    return [t["style"]["text"] for t in _of(option, "text")]


def _net(widths=(3,), n_classes=2, seed=0):
    """Random maps and weights for a 2 -> widths -> n_classes network (proba a softmax over the grid)."""
    rng = np.random.default_rng(seed)
    layers = [rng.normal(size=(w, len(GRID))) for w in widths]
    logits = rng.normal(size=(n_classes, len(GRID)))
    proba = np.exp(logits) / np.exp(logits).sum(0)
    sizes = (2, *widths, n_classes)
    weights = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    return layers, proba, weights


def _colour(image, where) -> str:
    r, _, b = image[where].astype(int)
    return "blue" if b - r > 60 else "orange" if r - b > 60 else "white"


def test_one_image_per_shown_neuron_capped_with_a_count_of_the_rest():
    option, _ = _option(*_net(widths=(12, 3), n_classes=2), max_neurons=8)
    names = [g["name"] for g in _of(option, "image")]
    assert len(names) == 2 + 8 + 3 + 1  # inputs, 8 of 12, all 3, one output square for two classes: P(class 1)
    assert names[:3] == ["x1", "x2", "layer 1, neuron 1"] and names[-1] == "P(class 1)"
    assert "layer 1, neuron 9" not in names
    assert [t for t in _texts(option) if "more" in t] == ["+4 more"]
    option, _ = _option(*_net(widths=(4,), n_classes=3))
    assert len(_of(option, "image")) == 2 + 4 + 3 and not [t for t in _texts(option) if "more" in t]
    assert option["animation"] is False


def test_a_neurons_square_is_blue_where_it_is_positive_and_orange_where_negative_scaled_by_its_own_peak():
    layers = [np.stack([0.001 * X1, X2 - 0.5, np.zeros_like(X1)])]  # tiny but signed; a shifted x2; a dead neuron
    option, _ = _option(layers, *_net(widths=(3,))[1:])
    images = {g["name"]: data_url_image(g["style"]["image"]) for g in _of(option, "image")}
    first, second, dead = (images[f"layer 1, neuron {j}"] for j in (1, 2, 3))
    assert first.shape == (24, 24, 3)
    assert _colour(first, (12, 0)) == "orange" and _colour(first, (12, -1)) == "blue"  # x1 < 0 left, x1 > 0 right
    assert np.abs(first[12, -1].astype(int) - BLUE).max() <= 6  # its own peak is full blue, however small the values
    assert np.abs(first[12, 0].astype(int) - ORANGE).max() <= 6
    assert _colour(second, (0, 12)) == "blue" and _colour(second, (-1, 12)) == "orange"  # highest x2 on the top row
    rows = [_colour(second, (i, 12)) for i in range(24)]
    above = np.sort(np.unique(X2))[::-1] > 0.5
    assert [r == "blue" for r in rows if r != "white"] == [a for a, r in zip(above, rows) if r != "white"]
    assert (dead == 255).all()  # zero everywhere: white
    x1 = images["x1"]
    assert _colour(x1, (5, 0)) == "orange" and _colour(x1, (5, -1)) == "blue"


def _ends(option):
    """{image name: (left-side point, right-side point)} of each neuron's square."""
    out = {}
    for g in _of(option, "image"):
        x, y, size = g["x"], g["y"], g["style"]["width"]
        out[g["name"]] = ((x, y + size / 2), (x + size, y + size / 2))
    return out


def _edge_map(option):
    """{(from neuron, to neuron): line} by the lines' end points."""
    ends = _ends(option)
    right = {v[1]: k for k, v in ends.items()}
    left = {v[0]: k for k, v in ends.items()}
    return {(right[(s["x1"], s["y1"])], left[(s["x2"], s["y2"])]): line
            for line in _of(option, "line") for s in [line["shape"]]}


def _position(name: str) -> tuple[int, int]:
    """(column, row) of a neuron by its name: x1, x2 / layer L, neuron J / P(class k)."""
    if name in ("x1", "x2"):
        return 0, int(name[1]) - 1
    if name.startswith("layer"):
        return int(name.split()[1].rstrip(",")), int(name.rsplit(" ", 1)[1]) - 1
    return -1, int(name.split()[1].rstrip(")"))


def test_edges_follow_the_weights_sign_and_size_and_join_only_shown_neurons():
    layers, proba, weights = _net(widths=(10, 3), n_classes=3, seed=3)
    weights[1][2, 4] = 5.0  # the largest |w| of the second layer: its thickest, most opaque line
    option, _ = _option(layers, proba, weights, max_neurons=8)
    edges = _edge_map(option)
    assert len(edges) == 2 * 8 + 8 * 3 + 3 * 3  # only between shown neurons: 8 of layer 1's 10
    for (a, b), line in edges.items():
        (column, j), (_, i) = _position(a), _position(b)
        assert line["style"]["stroke"] == ("#1f77b4" if weights[column][i, j] > 0 else "#f08c1a")
    for column in range(3):  # within a layer, a larger |w| never gets a thinner or fainter line
        layer = [(abs(weights[column][_position(b)[1], _position(a)[1]]), e["style"]) for (a, b), e in edges.items()
                 if _position(a)[0] == column]
        layer.sort(key=lambda item: item[0])
        assert [s["lineWidth"] for _, s in layer] == sorted(s["lineWidth"] for _, s in layer)
        assert [s["opacity"] for _, s in layer] == sorted(s["opacity"] for _, s in layer)
    second = {k: v for k, v in edges.items() if k[0].startswith("layer 1")}
    assert max(second, key=lambda k: second[k]["style"]["lineWidth"]) == ("layer 1, neuron 5", "layer 2, neuron 3")
    assert max(e["style"]["lineWidth"] for e in second.values()) == pytest.approx(5.0)  # the layer's peak: full width
    first = [e["style"]["lineWidth"] for e in _of(option, "line")[: 2 * 8]]
    assert first == sorted(first)  # weakest drawn first: the strong lines lie on top


def test_two_classes_show_p_class_1_with_the_weights_of_its_logit_difference():
    layers, proba, weights = _net(widths=(2,), n_classes=2)
    weights[1] = np.array([[0.5, -0.2], [-0.5, 0.3]])  # row 1 - row 0: [-1.0, 0.5]
    edges = _edge_map(_option(layers, proba, weights)[0])
    into = {a: e for (a, b), e in edges.items() if b == "P(class 1)"}
    assert into["layer 1, neuron 1"]["style"]["stroke"] == "#f08c1a" and into["layer 1, neuron 2"]["style"]["stroke"] == "#1f77b4"
    assert into["layer 1, neuron 1"]["style"]["lineWidth"] > into["layer 1, neuron 2"]["style"]["lineWidth"]
    weights[1] = np.array([[-0.7, 0.1]])  # one sigmoid output (BCE): its own row
    edges = _edge_map(_option(layers, proba, weights)[0])
    assert edges[("layer 1, neuron 1", "P(class 1)")]["style"]["stroke"] == "#f08c1a"


def test_each_changed_square_has_the_previous_frames_image_beneath_it():
    layers, proba, weights = _net(widths=(3,))
    first, _ = _option(layers, proba, weights)
    assert [g for g in first["graphic"] if g.get("name") == "previous frame"] == []  # a first frame: nothing beneath
    before = network_charts.neuron_images(first)
    assert list(before) == ["x1", "x2", "layer 1, neuron 1", "layer 1, neuron 2", "layer 1, neuron 3", "P(class 1)"]
    layers[0][1] *= -1  # one neuron changes
    second, _ = _option(layers, proba, weights, under=before)
    [group] = [g for g in second["graphic"] if g.get("name") == "previous frame"]
    [old] = group["children"]
    new = next(g for g in second["graphic"] if g.get("name") == "layer 1, neuron 2")
    assert old["style"]["image"] == before["layer 1, neuron 2"] != new["style"]["image"]
    assert (old["x"], old["y"], old["style"]["width"]) == (new["x"], new["y"], new["style"]["width"])  # exactly beneath
    assert second["graphic"].index(group) < second["graphic"].index(new)  # drawn first: the new square covers it
    assert len(_of(second, "image")) == 6  # still one square per neuron


def test_labels_titles_and_geometry():
    option, height = _option(*_net(widths=(8, 8), n_classes=2))
    texts = _texts(option)
    assert option["title"]["text"] == "Inside the network: each square is one neuron's output over the input plane"
    assert {"x1", "x2", "input", "layer 1", "layer 2", "output", "P(class 1)"} <= set(texts)
    for widths, n_classes in (((8, 8), 2), ((8,) * 6, 5), ((), 2)):
        option, height = _option(*_net(widths=widths, n_classes=n_classes))
        squares = [(g["x"], g["y"], g["style"]["width"], g["style"]["height"]) for g in _of(option, "image")]
        size = squares[0][2]
        assert all(w == h == size for _, _, w, h in squares)  # never squashed: square, one size
        assert size == network_charts.BOX if len(widths) <= 2 else 40 <= size < network_charts.BOX  # smaller only for many layers
        columns = sorted({x for x, _, _, _ in squares})
        assert min(b - a for a, b in zip(columns, columns[1:])) >= 1.8 * size  # nearly as much room for the lines as for squares
        assert columns[-1] + size + network_charts.OUTPUT_LABEL <= network_charts.WIDTH  # output names included
        assert all(0 <= y and y + h <= height for x, y, w, h in squares)
        for i, a in enumerate(squares):  # no two squares overlap
            assert all(a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
                       for b in squares[i + 1:])
    assert _option(*_net(widths=(8, 8)))[1] > _option(*_net(widths=(2,)))[1]  # taller for more neurons in a column


@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_real_model_maps_go_through(n_classes):
    import torch

    from playground.config import ModelConfig
    from playground.engine.inside import layer_weights, neuron_maps
    from playground.engine.models import build_model

    torch.manual_seed(0)
    model = build_model(ModelConfig(hidden=(8, 8), activation="tanh"), (2,), n_classes)
    layers, proba = neuron_maps(model, GRID)
    option, _ = _option(layers, proba, layer_weights(model))
    assert len(_of(option, "image")) == 2 + 8 + 8 + (1 if n_classes == 2 else n_classes)
    assert len(_of(option, "line")) == 2 * 8 + 8 * 8 + 8 * (1 if n_classes == 2 else n_classes)


def test_a_narrow_column_gets_smaller_squares_inside_its_width_and_height():
    for widths in ((8, 8), (8,) * 4, (3,)):
        option, height = _option(*_net(widths=widths, n_classes=2), width=285, height=370)
        squares = [(g["x"], g["y"], g["style"]["width"]) for g in _of(option, "image")]
        assert height <= 370 and all(y + size <= height for _, y, size in squares)
        assert max(x + size for x, _, size in squares) + network_charts.OUTPUT_LABEL <= 285
        assert squares[0][2] >= (18 if len(widths) <= 2 else 10)  # still a picture, not a dot
        assert option["title"]["text"] == network_charts.SHORT_TITLE  # the long title would not fit


def test_regression_shows_the_predicted_value_as_the_output():
    layers, _, weights = _net(widths=(3,), n_classes=2)
    values = GRID[:, :1].T * 0.5  # (1, n_points): a value per point
    option, _ = _option(layers, values, [weights[0], weights[1][:1]])
    assert "value" in _texts(option) and "P(class 1)" not in _texts(option)


def test_input_features_get_one_labelled_square_each_with_room_for_their_names():
    import torch

    from playground.config import ModelConfig
    from playground.engine.inside import input_maps, layer_weights, neuron_maps
    from playground.engine.models import FEATURES, build_model

    torch.manual_seed(0)
    default = build_model(ModelConfig(hidden=(4,)), (2,), 2)
    layers, proba = neuron_maps(default, GRID)
    assert _option(layers, proba, layer_weights(default), inputs=input_maps(default, GRID)) == \
        _option(layers, proba, layer_weights(default))  # a default network looks as it did: x1 and x2
    names = tuple(FEATURES)  # all seven
    model = build_model(ModelConfig(hidden=(4,), features=names), (2,), 2)
    layers, proba = neuron_maps(model, GRID)
    option, height = _option(layers, proba, layer_weights(model), inputs=input_maps(model, GRID))
    labels = [FEATURES[n].label for n in names]
    squares = _of(option, "image")
    assert [g["name"] for g in squares[:7]] == labels and len(squares) == 7 + 4 + 1
    assert set(labels) <= set(_texts(option))
    edges = _edge_map(option)
    assert len(edges) == 7 * 4 + 4 * 1 and all((label, "layer 1, neuron 1") in edges for label in labels)
    sq = data_url_image(next(g for g in squares if g["name"] == "x1²")["style"]["image"])
    assert _colour(sq, (12, 0)) == "blue" and _colour(sq, (12, -1)) == "blue" and _colour(sq, (12, 12)) == "white"
    left = min(g["x"] for g in squares)
    assert left >= network_charts.LABEL_PX * len("sin(x1)") + 6  # the longest name fits left of its square
    assert max(g["x"] + g["style"]["width"] for g in squares) + network_charts.OUTPUT_LABEL <= network_charts.WIDTH
    assert all(g["y"] + g["style"]["height"] <= height for g in squares)


# The view's interactions: hover tooltips, click targets, and a chart selection mapped back to neurons and weights


def _series(option, sid):
    return next((s for s in option.get("series", []) if s.get("id") == sid), None)


def test_each_shown_neuron_has_a_hover_target_on_its_square_with_its_map_in_the_tooltip():
    option, _ = _option(*_net(widths=(12, 3)), max_neurons=8, width=305, height=370)
    images = _of(option, "image")
    neurons = _series(option, network_charts.NEURONS)
    assert len(neurons["data"]) == len(images) == 2 + 8 + 3 + 1
    box = images[0]["style"]["width"]
    assert neurons["symbol"] == "rect" and neurons["symbolSize"] == box
    for item, image in zip(neurons["data"], images):
        assert item["name"] == image["name"]
        assert item["value"] == [image["x"] + box / 2, image["y"] + box / 2]  # on the axes in pixels: the square's centre
        assert f'<img src="{image["style"]["image"]}" width="{network_charts.TIP_PX}"' in item["tooltip"]["formatter"]
    assert option["grid"]["left"] == option["grid"]["top"] == 0 and option["yAxis"]["inverse"]
    assert option["xAxis"]["max"] == 305 and not option["xAxis"]["show"]
    # while training: hover only; nothing to click, and no handles (a smaller frame)
    assert "selectedMode" not in neurons and _series(option, network_charts.WEIGHTS) is None


def test_tooltips_may_show_a_finer_map():
    layers, proba, weights = _net(widths=(3,))
    fine = boundary.boundary_grid(GRID, network_charts.TIP_RESOLUTION, margin=0)[2]
    rng = np.random.default_rng(1)
    tips = network_charts.tip_images((fine.T, ["x1", "x2"]), [rng.normal(size=(3, len(fine)))], rng.uniform(size=(2, len(fine))))
    assert set(tips) == {"x1", "x2", "layer 1, neuron 1", "layer 1, neuron 2", "layer 1, neuron 3", "P(class 1)"}
    assert data_url_image(tips["x1"]).shape[:2] == (network_charts.TIP_RESOLUTION,) * 2
    option, _ = _option(layers, proba, weights, tips=tips)
    item = _series(option, network_charts.NEURONS)["data"][0]
    assert tips["x1"] in item["tooltip"]["formatter"] and item["name"] == "x1"


def test_selectable_view_has_a_handle_on_each_weight_line_named_by_its_target():
    layers, proba, weights = _net(widths=(8, 8))
    option, _ = _option(layers, proba, weights, width=305, height=370, selectable=True)
    neurons, handles = _series(option, network_charts.NEURONS), _series(option, network_charts.WEIGHTS)
    assert neurons["selectedMode"] == handles["selectedMode"] == "single"
    sizes = network_charts.column_sizes(2, (8, 8), 2)
    assert sizes == (2, 8, 8, 1)
    targets = network_charts.weight_targets(sizes)
    assert len(handles["data"]) == len(targets) == 2 * 8 + 8 * 8 + 8
    centres = {item["name"]: item["value"] for item in neurons["data"]}
    box = neurons["symbolSize"]
    shown = [weights[0], weights[1], weights[2][1:2] - weights[2][0:1]]  # two classes: P(class 1)'s weights are row 1 - row 0
    names = [["x1", "x2"], *[[f"layer {k}, neuron {i + 1}" for i in range(8)] for k in (1, 2)], ["P(class 1)"]]
    for item, (c, i, j) in zip(handles["data"], targets):
        source, target = names[c][j], names[c + 1][i]
        assert item["name"] == f"{source} → {target}"
        assert item["tooltip"]["formatter"] == f"weight {shown[c][i, j]:.2f}: {source} → {target}"
        (x0, y0), (x1, y1), (x, y) = centres[source], centres[target], item["value"]
        x0 += box / 2  # lines leave a square's right side and enter the next one's left side
        x1 -= box / 2
        assert x0 < x < x1
        assert abs((y - y0) * (x1 - x0) - (y1 - y0) * (x - x0)) / np.hypot(x1 - x0, y1 - y0) < 0.2  # on its own line
    points = np.array([item["value"] for item in handles["data"]])
    gaps = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1)) + np.eye(len(points)) * 1e9
    assert gaps.min() > 4  # no two handles on one spot (at the midpoints, crossing lines would share theirs)


def test_a_selection_maps_back_to_neurons_and_weights_and_is_drawn_selected():
    sizes = network_charts.column_sizes(2, (8, 3), 4)
    neurons = network_charts.neuron_targets(sizes)
    assert neurons[:3] == [(0, 0), (0, 1), (1, 0)] and neurons[-1] == (3, 3) and len(neurons) == 2 + 8 + 3 + 4
    assert network_charts.weight_targets(sizes)[:3] == [(0, 0, 0), (0, 0, 1), (0, 1, 0)]
    assert network_charts.neuron_targets((2, 12, 1), max_neurons=8)[-1] == (2, 0)  # only the shown squares
    selected = [dict(series_id="neurons", series_index=0, data_indices=[4]),
                dict(series_id="weights", series_index=1, data_indices=[17]), dict(series_id="other", data_indices=[1])]
    assert network_charts.picked_items(selected) == {"neurons": 4, "weights": 17}
    assert network_charts.picked_items([dict(series_id="neurons", data_indices=[])]) == {}  # clicked again: unselected
    assert network_charts.picked_items(None) == {}
    option, _ = _option(*_net(widths=(8, 3), n_classes=4), selectable=True, picked={"neurons": 4, "weights": 17})
    assert [i for i, d in enumerate(_series(option, "neurons")["data"]) if d.get("selected")] == [4]
    assert [i for i, d in enumerate(_series(option, "weights")["data"]) if d.get("selected")] == [17]


def test_hover_tooltips_add_no_new_images_while_training():
    layers, proba, weights = _net(widths=(8, 8))
    option, _ = _option(layers, proba, weights, width=305, height=370)
    squares = {g["style"]["image"] for g in _of(option, "image")}
    tips = {item["tooltip"]["formatter"].split('src="')[1].split('"')[0] for item in _series(option, "neurons")["data"]}
    assert tips == squares
    assert len(json.dumps(option)) < 2 * len(json.dumps({k: v for k, v in option.items() if k != "series"}))
