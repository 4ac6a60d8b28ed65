"""Hostile links and settings files: each gets a one-line message, keeps what can be kept, and never a traceback.

The corpus is written by the tests (links as query parameters, files as bytes), as the CSV tests write theirs.
"""
import io
import json
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.teaching.export import settings_json

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TABULAR = str(ROOT / "pages" / "tabular.py")


def _app(query: dict, path: str = APP, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(path, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def _messages(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.warning, *at.error, *at.success])


@pytest.mark.parametrize("query, widget, key, shown", [
    ({"lr": "0.05"}, "select_slider", "lr", 0.03),  # between 0.03 and 0.1: the nearer on a log scale
    ({"batch_size": "3"}, "select_slider", "batch_size", 4),
    ({"weight_decay": "0.5"}, "select_slider", "weight_decay", 1.0),
    ({"hidden": "65"}, "number_input", "width_0", 64),  # the 2-D page offers 1-64 neurons a layer
    ({"test_fraction": "0.33"}, "slider", "test_fraction", 0.35),
])
def test_a_link_value_between_steps_moves_to_the_nearest_and_says_so(query, widget, key, shown):
    at = _app(query)
    assert not at.exception
    assert getattr(at, widget)(key=key).value == pytest.approx(shown)
    assert "is not offered here" in _messages(at) and f"{shown:g} is used" in _messages(at)


def test_two_huge_layers_become_the_widest_the_page_offers():
    at = _app({"hidden": "1000,1000"})
    assert not at.exception
    assert [at.number_input(key=f"width_{i}").value for i in range(2)] == [64, 64]
    at.button(key="train").click().run()
    run = next(iter(at.session_state["runs"].values()))
    assert run.cfg.model.hidden == (64, 64)  # what the widgets show is what trains


@pytest.mark.parametrize("query", [{"conv": "infx3x2x0"}, {"conv": "1e400x1x1x0"}, {"hidden": "inf"}, {"lr": "nan"}])
def test_an_infinite_or_overflowing_link_value_is_refused_with_a_message(query):
    for path in (APP, TABULAR):
        at = _app(query, path)
        assert not at.exception
        assert "could not be used" in _messages(at)


@pytest.mark.parametrize("dataset, label", [("mnist", "Images"), ("iris", "Tables and regression")])
def test_a_dataset_of_another_page_is_not_used_and_the_rest_is(dataset, label):
    at = _app({"dataset": dataset, "n_samples": "150", "optimizer": "rmsprop"})
    assert not at.exception
    assert f"belongs on the {label} page" in _messages(at)
    assert at.selectbox(key="dataset").value == "moons"
    assert at.slider(key="n_samples").value == 300  # the page's data settings stay its own
    assert at.selectbox(key="optimizer").value == "rmsprop"  # the training settings are used


def test_a_dataset_with_its_own_noise_range_gets_a_noise_inside_it():
    at = _app({"dataset": "blobs_4d"}, TABULAR)
    assert not at.exception and not _messages(at)
    assert at.slider(key="tabular_noise_blobs_4d").value == 0.5


def test_a_link_value_written_as_markdown_is_shown_as_text():
    at = _app({"hidden": "![px](http://127.0.0.1:9/pixel.png) [Click here to fix](https://example.com)"})
    assert not at.exception
    shown = _messages(at)
    assert "could not be used" in shown
    assert "![" not in shown and "](" not in shown.replace("\\](", "") and "\\[Click here to fix\\]" in shown


def _upload_settings(at: AppTest, raw: bytes) -> AppTest:
    at.session_state["take_2d"] = True
    at.run()
    at.get("file_uploader")[0].set_value(("settings.json", raw, "application/json")).run()
    return at


@pytest.mark.parametrize("raw, words", [
    (b"[" * 100_000 + b"]" * 100_000, "bigger than a settings file"),
    (b"[" * 5_000 + b"]" * 5_000, "not a settings file"),  # deeper than Python's JSON reader can go
    (json.dumps({"playground_settings": 1, "lr": [0.1]}).encode(), "not single values"),
    (b"\xff\xfe not json", "not a settings file"),
])
def test_a_hostile_settings_file_gets_a_message(raw, words):
    at = _upload_settings(_app({}), raw)
    assert not at.exception
    assert words in _messages(at)


def test_a_2d_settings_file_on_the_tables_page_says_what_it_used():
    cfg = Config(DataConfig("spiral"), ModelConfig((12, 6), "relu"), TrainConfig("rmsprop", 0.003, 32, 40))
    at = AppTest.from_file(TABULAR, default_timeout=90)
    at.session_state["take_tabular"] = True
    at.run()
    at.get("file_uploader")[0].set_value(("settings.json", settings_json(cfg).encode(), "application/json")).run()
    assert not at.exception
    assert "belongs on the 2-D playground page" in _messages(at)
    assert at.selectbox(key="tabular_optimizer").value == "rmsprop" and at.number_input(key="tabular_width_0").value == 12
    assert at.selectbox(key="tabular_dataset").value != "spiral"


def test_weights_cannot_be_loaded_into_a_run_that_is_training(pause_live_after):
    at = _app({"epochs": "50"}, state={"take_2d": True})
    buffer = io.BytesIO()
    torch.save({k: v for k, v in next(iter(at.session_state["runs"].values())).model.state_dict().items()}, buffer)
    pause_live_after(2)
    at.session_state["training"] = "2d"  # as if Train were pressed and its loop were running
    uploader = next(u for u in at.get("file_uploader") if "weights" in u.proto.label.lower())
    assert uploader.proto.disabled is False  # not training yet in this run's widgets
    at.run()
    uploader = next(u for u in at.get("file_uploader") if "weights" in u.proto.label.lower())
    at.session_state["training"] = "2d"
    uploader.set_value(("w.pt", buffer.getvalue(), "application/octet-stream")).run()
    assert not at.exception
    assert "Stop training first" in _messages(at)


def test_a_link_naming_no_dataset_sets_the_rest_on_the_pages_own_dataset():
    at = _app({"epochs": "300", "optimizer": "rmsprop"}, TABULAR)
    assert not at.exception and not _messages(at)  # no "belongs on another page" for a dataset the link never named
    assert at.number_input(key="tabular_epochs").value == 300 and at.selectbox(key="tabular_optimizer").value == "rmsprop"
    assert at.selectbox(key="tabular_dataset").value == "blobs_4d"


def test_a_link_with_input_features_fills_the_pills_and_trains_them():
    at = _app({"features": "x2_sq,x1_sq", "hidden": "", "epochs": "2"})
    assert not at.exception and not _messages(at)
    assert at.pills(key="features").value == ["x1_sq", "x2_sq"]
    at.button(key="train").click().run()
    run = next(iter(at.session_state["runs"].values()))
    assert run.cfg.model.features == ("x1_sq", "x2_sq") and run.cfg.model.hidden == ()


@pytest.mark.parametrize("query, words", [
    ({"features": ""}, "Choose at least one input feature"),
    ({"features": "x1,x3"}, "Unknown input feature 'x3'"),
])
def test_a_link_with_impossible_input_features_gets_a_message(query, words):
    at = _app(query)
    assert not at.exception
    assert "could not be used" in _messages(at) and words in _messages(at)
    assert at.pills(key="features").value == ["x1", "x2"]


@pytest.mark.parametrize("query, words", [
    ({"features": "x1_sq"}, "2-D playground's datasets only"),  # on the page's own dataset: the link cannot be used
    ({"dataset": "iris", "features": "x1_sq,sin_x2"}, "2-D playground's datasets only"),
    ({"dataset": "circles", "features": "x1_sq", "optimizer": "rmsprop"}, "Input features work on the 2-D playground page only"),
])
def test_input_features_on_the_tables_page_get_a_clear_message(query, words):
    at = _app(query, TABULAR)
    assert not at.exception
    assert words in _messages(at)
    assert not at.get("button_group")  # the tables page offers no input features
    at.button(key="train").click().run()  # what it trains: the table's own columns
    assert not at.exception
    assert next(iter(at.session_state["runs"].values())).cfg.model.features == ("x1", "x2")
