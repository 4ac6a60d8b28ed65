"""AppTest page tests for the optimizer race."""
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from apptest_helpers import assert_landscape_centre_is_the_training_loss, data_url_image, echarts_specs, series_points

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "race.py")


def _app(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in state.items():
        at.session_state[key if key.startswith("race_") else f"race_{key}"] = value
    return at.run()


def _charts(at) -> dict:
    """ECharts options by kind: curves, accuracy, landscape, and one boundary per lane (boundary 0, 1, ...)."""
    out, n = {}, 0
    for title, spec, alt in echarts_specs(at):
        spec = dict(spec, title_text=title, alt=alt)
        if title.startswith("Loss landscape"):
            out["landscape"] = spec
        elif title.startswith("Loss"):
            out["curves"] = spec
        elif title.startswith("Test accuracy"):
            out["accuracy"] = spec
        else:  # the lanes' boundaries
            out[f"boundary {n}"], n = spec, n + 1
    return out


def _xs(curves: dict, name: str) -> list:
    return [x for x, _ in series_points(curves, name)]


def _race(at) -> AppTest:
    return at.button(key="race_start").click().run()


def test_page_renders_with_buttons_and_a_tooltip_on_every_widget():
    at = _app()
    assert not at.exception and not at.error
    assert at.title[0].value == "Optimizer race"
    assert at.multiselect(key="race_optimizers").value == ["sgd", "adam"]
    assert [at.button(key=k).label for k in ("race_start", "race_stop")] == ["Race", "Stop"]
    assert at.button(key="race_stop").disabled
    widgets = [*at.multiselect, *at.selectbox, *at.slider, *at.select_slider, *at.number_input, *at.checkbox, *at.button]
    assert len(widgets) > 10
    assert not [w.label for w in widgets if not w.help]


def test_short_race_draws_a_curve_pair_per_optimizer_boundaries_and_the_summary():
    at = _app(optimizers=["sgd", "adam", "rmsprop"], epochs=4)
    _race(at)
    assert not at.exception and not at.error
    assert "Race finished after 4 epochs" in at.success[0].value
    assert at.session_state["training"] is False
    charts = _charts(at)
    series = charts["curves"]["series"]
    lanes = ("SGD (lr 0.1)", "Adam (lr 0.01)", "RMSprop (lr 0.003)")
    assert [t["name"] for t in series] == [f"{o}: {s} loss" for o in lanes for s in ("train", "test")]
    assert [t["lineStyle"]["type"] for t in series] == ["solid", "dashed"] * 3
    assert len({t["lineStyle"]["color"] for t in series}) == 3  # one colour per lane
    assert _xs(charts["curves"], "SGD (lr 0.1): train loss") == [0, 1, 2, 3, 4]
    assert charts["curves"]["xAxis"][0]["name"] == "epoch" and "loss" in charts["curves"]["yAxis"][0]["name"]
    assert "up to epoch 4" in charts["curves"]["alt"]
    assert [charts[f"boundary {i}"]["title_text"] for i in range(3)] == [
        f"{o}: epoch 4" for o in ("SGD (lr 0.1)", "Adam (lr 0.01)", "RMSprop (lr 0.003)")]
    assert all(data_url_image(charts[f"boundary {i}"]["graphic"][-1]["style"]["image"]).shape == (60, 60, 3) for i in range(3))
    assert "accuracy" not in charts
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "Adam", "RMSprop"]
    assert {"train loss", "test loss", "test accuracy", "wall time (s)", "diverged"} <= set(table.columns)
    assert (table["wall time (s)"] > 0).all() and list(table["diverged"]) == ["no"] * 3


def test_tabular_data_gets_accuracy_bars_instead_of_boundaries():
    at = _app(dataset="iris", standardize=True, epochs=3)
    _race(at)
    assert not at.exception and not at.error
    charts = _charts(at)
    assert set(charts) == {"curves", "accuracy", "landscape"}  # the landscape is over weights: any data has one
    assert charts["accuracy"]["yAxis"]["data"] == ["SGD (lr 0.1)", "Adam (lr 0.01)"]
    table = at.dataframe[0].value
    bars = [bar["value"] for bar in charts["accuracy"]["series"][0]["data"]]
    assert bars == pytest.approx(list(table["test accuracy"]), abs=1e-4)  # the bars are the table's accuracies
    assert len(at.dataframe[0].value) == 2


def test_a_diverging_optimizer_is_reported_while_the_other_finishes():
    at = _app(optimizers=["sgd", "adam"], lr_sgd=10.0, epochs=12)
    _race(at)
    assert not at.exception
    assert "SGD (lr 10)" in at.error[0].value and "diverged" in at.error[0].value
    table = at.dataframe[0].value
    assert table["diverged"][0].startswith("yes") and table["diverged"][1] == "no" and table["epochs"][1] == 12


def test_stop_keeps_partial_results_and_race_continues(pause_live_after):
    pause_live_after(3)  # each live loop pauses like Stop after 3 rounds
    at = _app(epochs=200)
    _race(at)
    assert not at.exception
    assert "Stopped after epoch 2" in at.info[0].value
    assert len(_xs(_charts(at)["curves"], "SGD (lr 0.1): train loss")) == 3
    assert not at.button(key="race_start").disabled
    at.number_input(key="race_epochs").set_value(200).run()  # touching a widget keeps the race
    assert "Stopped after epoch 2" in at.info[0].value
    _race(at)
    xs = _xs(_charts(at)["curves"], "SGD (lr 0.1): train loss")
    assert xs == list(range(6))  # continued, not restarted


def test_changed_settings_keep_the_last_race_until_race_is_pressed():
    at = _app(epochs=2)
    _race(at)
    at.selectbox(key="race_dataset").set_value("xor").run()
    assert not at.exception
    assert any("earlier settings" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 2
    _race(at)
    assert not at.exception and "Race finished after 2 epochs" in at.success[0].value


@pytest.mark.parametrize(
    "state, words",
    [
        (dict(optimizers=["adam"]), "at least 2"),
        (dict(optimizers=["sgd", "momentum", "adam", "adamw", "rmsprop"]), "At most 4"),
        (dict(optimizers=[]), "at least 2"),
        (dict(batchnorm=True, batch_size=1), "BatchNorm needs batches"),
        (dict(dataset="blobs", n_classes_blobs=6, n_samples=50, test_fraction=0.1), "points per class"),
    ],
)
def test_bad_choices_show_a_message_not_a_traceback(state, words):
    at = _app(**state)
    assert not at.exception
    assert words in at.error[0].value
    assert not [b for b in at.button if b.key == "race_start"]


def test_picking_one_optimizer_after_a_race_shows_the_message_then_recovers():
    at = _app(epochs=2)
    _race(at)
    at.multiselect(key="race_optimizers").set_value(["adam"]).run()
    assert not at.exception and "at least 2" in at.error[0].value
    at.multiselect(key="race_optimizers").set_value(["adam", "adagrad"]).run()
    assert not at.exception and not at.error
    assert at.select_slider(key="race_lr_adagrad").value == 0.03


def test_a_finished_race_draws_every_optimizer_on_one_loss_landscape():
    """One slice through the leader's final weights: its value there is the leader's final training loss (measured
    here afresh), every lane's path starts at the same shared starting weights and the leader's ends at the centre."""
    at = _race(_app(epochs=8))
    assert not at.exception
    spec = _charts(at)["landscape"]
    race = at.session_state["race"]
    leader = race.leader()
    assert_landscape_centre_is_the_training_loss(spec, leader.model, race.data)
    assert leader.label in spec["title_text"]
    paths = {s["name"]: s["data"] for s in spec["series"] if s["type"] == "line"}
    assert set(paths) == {c.label for c in race.contestants}
    starts = {tuple(p[0]) for p in paths.values()}
    assert len(starts) == 1  # the same starting weights, projected once
    assert all(len(p) == 9 for p in paths.values())  # epochs 0..8
    assert paths[leader.label][-1] == [0, 0]
    assert any(s["type"] == "lines" and s["data"] for s in spec["series"])  # contour lines
    assert spec["graphic"][0]["style"]["image"].startswith("data:image/png;base64,")


def test_the_landscape_can_be_drawn_along_the_paths_main_directions():
    at = _race(_app(epochs=8))
    assert _charts(at)["landscape"]["xAxis"]["name"] == "random direction 1"
    at.button_group(key="race_landscape_kind").set_value("paths").run()
    assert not at.exception
    spec = _charts(at)["landscape"]
    assert spec["xAxis"]["name"] == "main direction 1 of the paths"
    words = next(c.value for c in at.caption if "This slice:" in c.value)
    share = int(re.search(r"(\d+)% of their movement", words).group(1))
    assert 50 < share <= 100
