"""The one settings table drives the config's fields, links, settings files, widgets and classroom hiding."""
from dataclasses import fields
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.app.widgets import CONTROL_NAMES, config_state
from playground.config import SETTINGS, Config, DataConfig, ModelConfig, TrainConfig
from playground.teaching.export import settings_from_json, settings_json

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
CFG = Config(DataConfig("spiral", 400, 0.1, 0.25, 3, 9),
             ModelConfig((12, 6), "relu", True, 0.1, False, features=("x1", "x1_sq", "sin_x2")),
             TrainConfig("rmsprop", 0.003, 32, 40, 0.001, "nll", seed=4))
PARTS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}


def test_every_config_field_has_exactly_one_row_and_every_row_of_a_part_is_a_field():
    field_names = {(part, f.name) for part, cls in PARTS.items() for f in fields(cls)}
    rows = {(row.part, name) for name, row in SETTINGS.items() if row.part}
    assert field_names == rows


def test_links_and_settings_files_carry_every_row_and_come_back_equal():
    query = CFG.to_query()
    assert set(query) == {name for name, row in SETTINGS.items() if row.part}
    assert Config.from_query(query) == CFG
    assert settings_from_json(settings_json(CFG)) == CFG


def test_range_messages_use_the_tables_labels():
    for name, bad in (("lr", 99.0), ("batch_size", 0), ("epochs", 0), ("seed", -1)):
        with pytest.raises(ValueError, match=SETTINGS[name].label):
            TrainConfig(**{name: bad})


def test_classroom_hiding_offers_the_rows_with_widgets():
    assert set(CONTROL_NAMES) == {name for name, row in SETTINGS.items() if row.part and row.widget}
    assert "upload" not in CONTROL_NAMES and {"lr", "hidden", "dataset"} <= set(CONTROL_NAMES)


def test_the_2d_sidebar_is_the_table_labels_keys_and_limits():
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in config_state(CFG, "2d").items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    widgets = {w.key: w for kind in ("selectbox", "slider", "select_slider", "number_input", "checkbox", "button_group")
               for w in at.get(kind) if w.key}
    for name in ("n_samples", "test_fraction", "random_state", "features", "hidden", "activation", "batchnorm", "dropout",
                 "bias", "optimizer", "lr", "batch_size", "epochs", "weight_decay", "loss", "seed"):
        row = SETTINGS[name]
        widget = widgets[row.key]
        assert widget.label == row.label and row.help.split(".")[0] in widget.help, name
        if row.limits and row.widget in ("slider", "number_input"):
            assert widget.max == (row.widget_limits or row.limits)[1], name
    assert widgets["width_1"].label == "Layer 2" and widgets["width_1"].max == SETTINGS["width"].widget_limits[1]
    assert "standardize" not in widgets  # the 2-D page's points are not standardised
    assert widgets["features"].value == list(CFG.model.features)


def test_hiding_every_control_keeps_every_value_of_the_link():
    """?hide=<every hideable setting>: no settings widget is left, and Train trains the link's config."""
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in {**CFG.to_query(), "hide": ",".join(CONTROL_NAMES), "epochs": "2"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    left = [w.key for kind in ("selectbox", "slider", "select_slider", "number_input", "checkbox", "button_group")
            for w in at.sidebar.get(kind)]
    assert left == []
    at.button(key="train").click().run()
    run = next(iter(at.session_state["runs"].values()))
    assert run.cfg == CFG.replace(epochs=2)
