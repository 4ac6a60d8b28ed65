"""The 2-D page as TensorFlow Playground users know it: its datasets, regression, its display switches, presenter mode."""
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from apptest_helpers import assert_landscape_centre_is_the_training_loss, data_url_image, echarts_specs, metrics

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def _app(query: dict | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _plane(at) -> dict:
    return next(spec for title, spec, _ in echarts_specs(at) if title.startswith(("Decision boundary", "Predicted value")))


def _colours(spec) -> np.ndarray:
    """The distinct colours of the plane's newest shading image."""
    return np.unique(data_url_image(spec["graphic"][-1]["style"]["image"]).reshape(-1, 3), axis=0)


def test_regression_on_the_plane_trains_with_mse_and_shows_values():
    at = _app(dict(dataset="tf_plane", n_samples="400", noise="0", test_fraction="0.5", epochs="40", loss="mse",
                   hidden="4", lr="0.03", optimizer="sgd", batch_size="10"))
    assert not at.exception
    at.button(key="train").click().run()
    assert not at.exception
    plane = _plane(at)
    assert plane["title"]["text"] == "Predicted value, epoch 40"
    assert plane["visualMap"]["dimension"] == 2 and plane["visualMap"]["min"] == -1  # points painted by their target
    train = next(s for s in plane["series"] if s["name"] == "train")
    assert len(train["data"][0]) == 3 and train["large"] is False  # (x1, x2, target): a colour per point
    image = data_url_image(plane["graphic"][-1]["style"]["image"]).astype(int)
    # the value rises from the bottom left to the top right: orange there, blue here (the image's top row is high x2)
    bottom_left, top_right = image[-1, 0], image[0, -1]
    assert bottom_left[0] > bottom_left[2] and top_right[2] > top_right[0]
    m = metrics(at)
    assert set(m) >= {"Train R²", "Test R²"} and float(m["Test R²"]) > 0.9
    assert any(label.startswith("Test point #") for label in m)  # the inspected point: its predicted value and target


def test_discretize_paints_one_shade_per_class_and_a_link_can_set_it():
    smooth = _colours(_plane(_app(epochs=5)))
    assert len(smooth) > 10  # faded where unsure
    at = _app({"discretize": "true"})
    assert at.toggle(key="discretize").value is True
    assert len(_colours(_plane(at))) <= 2  # the winning class's colour, at one strength
    at.toggle(key="discretize").set_value(False).run()
    assert len(_colours(_plane(at))) > 10


def test_show_test_data_switch_hides_the_test_points():
    at = _app()
    outlines = {s["itemStyle"]["borderColor"] for s in _plane(at)["series"] if s["type"] == "scatter" and s["name"] != "chosen point"}
    assert outlines == {"#ffffff", "#000000"}  # white: train, black: test
    at.toggle(key="show_test").set_value(False).run()
    outlines = {s["itemStyle"]["borderColor"] for s in _plane(at)["series"] if s["type"] == "scatter" and s["name"] != "chosen point"}
    assert outlines == {"#ffffff"}
    assert not at.warning  # a display switch is not a setting of the run: no "From the link" note


def test_regenerate_draws_new_points_of_the_same_dataset():
    at = _app(dataset="tf_spiral")
    before = _plane(at)["series"][0]["data"]
    seed = at.number_input(key="random_state").value
    at.button(key="regenerate").click().run()
    assert not at.exception
    assert at.number_input(key="random_state").value == seed + 1
    assert at.selectbox(key="dataset").value == "tf_spiral"
    assert _plane(at)["series"][0]["data"] != before


def test_network_view_switch_turns_the_view_off():
    at = _app()
    assert any(title.startswith("Inside the network") for title, _, _ in echarts_specs(at))
    at.toggle(key="inside").set_value(False).run()
    assert not any(title.startswith("Inside the network") for title, _, _ in echarts_specs(at))


def test_presenter_mode_link_keeps_the_classroom_settings():
    at = _app({"present": "true", "hide": "lr", "dataset": "tf_xor", "epochs": "30"})
    assert not at.exception
    assert at.toggle(key="present").value is True
    assert not at.title  # on a projector the buttons are title enough
    assert at.selectbox(key="dataset").value == "tf_xor" and at.number_input(key="epochs").value == 30
    assert not [w for w in at.select_slider if w.key == "lr"]  # still hidden
    assert not at.warning  # "present" is not a setting: nothing to report about the link
    plain = _app({"dataset": "tf_xor"})
    assert plain.title[0].value == "2-D playground"


def _edits_state(base, edits) -> dict:
    return {"edit": True, "edits": (base, edits)}


def test_points_clicked_in_and_out_are_drawn_counted_and_undone():
    from playground.config import DataConfig

    base = DataConfig()
    edits = ((0.5, 0.5, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), (-1.0, 1.0, 0.0, 1.0))
    at = _app(**_edits_state(base, edits))
    assert not at.exception
    assert any("2 points added and 1 removed by hand" in c.value for c in at.caption)
    train = [p for s in _plane(at)["series"] if s.get("itemStyle", {}).get("borderColor") == "#ffffff" for p in s["data"]]
    assert len(train) == base.n_train + 1 and [0.5, 0.5] in train and [-1.0, 1.0] in train
    clicks = next(s for s in _plane(at)["series"] if s.get("id") == "clicks")
    assert clicks["selectedMode"] == "multiple" and len(clicks["data"]) == 25 * 25  # a click anywhere picks a cell
    at.button(key="undo_edit").click().run()
    assert any("1 point added and 1 removed by hand" in c.value for c in at.caption)


def test_a_run_whose_points_change_trains_on_and_is_never_shared_as_its_config():
    from playground.config import DataConfig

    base = DataConfig()
    edits = ((0.5, 0.5, 1.0, 1.0), (1.5, -0.5, 0.0, 1.0))
    at = _app(epochs=6, random_state=111, **_edits_state(dataclasses_replace(base, random_state=111), edits))
    at.button(key="train").click().run()  # a frame per script run while it trains (the plane takes clicks)
    assert not at.exception
    assert "Finished 6 epochs" in at.success[0].value
    at.button(key="undo_edit").click().run()  # the data changes under the finished run: it is taken on, not restarted
    assert at.button(key="train").label == "Train 6 more"
    at.button(key="train").click().run()
    assert "Finished 12 epochs" in at.success[0].value
    other = _app(epochs=12, random_state=111, **_edits_state(dataclasses_replace(base, random_state=111), edits[:1]))
    assert not other.success  # another session: nothing in the shared store for this config (its run changed by hand)
    assert "Untrained network" in other.info[0].value


def dataclasses_replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def test_training_health_shows_each_layers_measured_state():
    """The view's numbers are the engine's for the run's network: the share of saturated units of each tanh layer."""
    import re


    from playground.engine.health import run_health

    at = _app({"dataset": "tf_circle", "n_samples": "400", "noise": "0", "test_fraction": "0.5", "hidden": "6,6",
               "activation": "tanh", "init": "tf_playground", "epochs": "20", "lr": "0.1", "optimizer": "sgd"}, health=True)
    at.button(key="train").click().run()
    assert not at.exception
    specs = {title: spec for title, spec, _ in echarts_specs(at)}
    histograms = next(spec for title, spec in specs.items() if title.startswith("layer 1 (Tanh): outputs"))
    shown = [float(re.search(r"(\d+)% saturated", t["text"]).group(1)) for t in histograms["title"] if "saturated" in t["text"]]
    run = next(iter(at.session_state["runs"]._items.values()))
    measured = [100 * layer.saturated for layer in run_health(run.model, run._data, "cross_entropy")]
    assert len(shown) == 2 and all(abs(s - m) <= 0.5 for s, m in zip(shown, measured))
    assert any(title.startswith("Update size / weight size") for title in specs)
    assert at.toggle(key="health").value is True


def test_training_health_on_the_tables_and_images_pages():
    """The same view on the other training pages (the images page's CNN: its conv block is a hidden layer too)."""
    import re

    for page, key, state in (("tabular.py", "tabular_health", {"tabular_dataset": "iris", "tabular_epochs": 3}),
                             ("images.py", "images_health", {"images_dataset": "digits", "images_epochs": 1, "images_n_blocks": 1})):
        at = AppTest.from_file(APP, default_timeout=120)
        for k, v in state.items():
            at.session_state[k] = v
        at.run()
        at.switch_page(f"pages/{page}").run()
        at.toggle(key=key).set_value(True).run()
        at.button(key="train").click().run()
        assert not at.exception, page
        titles = [title for title, _, _ in echarts_specs(at)]
        assert any(re.match(r"layer 1 \((Tanh|ReLU)\): outputs, \d+% (saturated|dead)", t) for t in titles), (page, titles)
        assert any(t.startswith("Update size / weight size") for t in titles), page


def _landscape(at) -> dict | None:
    return next((spec for title, spec, _ in echarts_specs(at) if title.startswith("Loss landscape")), None)


def test_loss_landscape_switch_shows_the_finished_runs_slice_with_its_path():
    """Off by default (it costs nothing then); on, after training: the value at the centre is the final weights'
    training loss measured here afresh, the path is the replay frames' and ends at the centre; a rerun reuses it."""
    at = _app(epochs=12)
    assert _landscape(at) is None and at.toggle(key="landscape").value is False
    at.toggle(key="landscape").set_value(True).run()
    assert _landscape(at) is None and any("appears when the run has finished" in c.value for c in at.caption)
    at.button(key="train").click().run()
    assert not at.exception
    spec = _landscape(at)
    run = next(reversed(at.session_state["runs"].values()))
    assert_landscape_centre_is_the_training_loss(spec, run.model, run._data)
    path = next(s["data"] for s in spec["series"] if s["type"] == "line")
    assert len(path) == len(run.frames) == 13 and path[-1] == [0, 0] and path[0] != [0, 0]
    timing = next(c.value for c in at.caption if "computed in" in c.value)
    at.run()  # drawn again: the same landscape, not computed anew
    assert next(c.value for c in at.caption if "computed in" in c.value) == timing
    assert run.landscape() is run.landscape()


def test_training_health_shows_a_relu_layer_with_a_very_negative_bias_as_all_dead():
    import torch
    from torch import nn

    at = _app({"hidden": "8,8", "activation": "relu", "epochs": "3"}, health=True)
    at.button(key="train").click().run()
    titles = [t for title, _, _ in echarts_specs(at) for t in title.split(" / ")]
    first = next(t for t in titles if t.startswith("layer 1 (ReLU): outputs"))
    assert not first.endswith("100% dead"), first
    run = next(reversed(at.session_state["runs"].values()))
    with torch.no_grad():
        next(m for m in run.model if isinstance(m, nn.Linear)).bias.fill_(-100)  # every unit of layer 1 below zero
    at.run()
    titles = [t for title, _, _ in echarts_specs(at) for t in title.split(" / ")]
    assert "layer 1 (ReLU): outputs, 100% dead" in titles
    assert any(t.startswith("gradients, weight-gradient norm 0") for t in titles)  # nothing flows back through it
