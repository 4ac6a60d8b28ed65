"""Page tests: the real page script under streamlit's AppTest (no browser)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import data_url_image, echarts_specs, metrics, run_app, series_points

import playground.app.session as ui
from playground.data import catalog
from playground.engine.run import Run

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PAGES = Path(__file__).resolve().parents[2] / "pages"


def _app(**state) -> AppTest:
    return run_app(APP, state, timeout=TIMEOUT)


def _charts(at) -> dict:
    """ECharts options on the page by kind: boundary, bars, curves (each with its alt text under "alt")."""
    out = {}
    for title, spec, alt in echarts_specs(at):
        kind = ("curves" if title.startswith("Loss") else "boundary" if title.startswith(("Decision", "Predicted value"))
                else "network" if title.startswith("Inside the network") else "bars")
        out[kind] = dict(spec, alt=alt, title_text=title)
    return out


def _epochs(curves: dict, name: str = "train loss") -> list:
    return [x for x, _ in series_points(curves, name)]


_metrics = metrics


def test_page_renders_untrained_with_boundary_bars_and_no_empty_curves():
    at = _app()
    assert not at.exception
    assert at.title[0].value == "2-D playground"
    assert [at.button(key=k).label for k in ("train", "stop", "reset")] == ["Train", "Stop", "Reset"]
    assert "Press **Train**" in at.info[0].value
    charts = _charts(at)
    assert set(charts) == {"boundary", "bars", "network"}  # no empty curves chart before the first epoch: a line says why
    image = data_url_image(charts["boundary"]["graphic"][-1]["style"]["image"])
    assert image.shape == (60, 60, 3) and charts["boundary"]["animation"] is False
    assert (image.min(axis=2) > 90).all()  # class colours over white: pale where unsure, never dark
    assert any("appear here once training starts" in c.value for c in at.caption)
    assert _metrics(at)["Test loss"] == "—"


def test_every_widget_has_a_help_tooltip():
    at = _app()
    widgets = [*at.selectbox, *at.slider, *at.select_slider, *at.number_input, *at.checkbox, *at.button, *at.button_group]
    assert len(widgets) > 15
    missing = [w.label for w in widgets if not w.help]
    assert not missing


def test_short_training_run_draws_curves_metrics_and_finishes():
    at = _app(epochs=5, random_state=101)
    at.button(key="train").click().run()
    assert not at.exception
    assert "Finished 5 epochs" in at.success[0].value
    assert at.session_state["training"] is False
    curves = _charts(at)["curves"]
    assert _epochs(curves) == [0, 1, 2, 3, 4, 5]
    m = _metrics(at)
    assert float(m["Test loss"]) > 0 and m["Test accuracy"].endswith("%")
    boundary = _charts(at)["boundary"]
    assert boundary["title_text"] == "Decision boundary, epoch 5" and boundary["alt"].startswith("Decision boundary, epoch 5")


def test_stop_keeps_partial_history_and_train_continues(pause_live_after):
    pause_live_after(4)  # each live loop pauses like Stop after 4 snapshots
    at = _app(epochs=50, random_state=102)
    at.button(key="train").click().run()
    assert not at.exception
    assert "Stopped after epoch 3" in at.info[0].value
    assert _epochs(_charts(at)["curves"]) == [0, 1, 2, 3]
    assert at.button(key="train").disabled is False
    at.button(key="train").click().run()
    xs = _epochs(_charts(at)["curves"])
    assert len(xs) > 5 and xs == list(range(len(xs)))  # continued, not restarted
    assert f"Stopped after epoch {xs[-1]}" in at.info[0].value


def test_finished_config_shows_at_once_in_a_new_session():
    first = _app(epochs=4, random_state=103)
    first.button(key="train").click().run()
    loss = _metrics(first)["Test loss"]
    second = _app(epochs=4, random_state=103)  # another browser tab: no Train pressed
    assert not second.exception
    assert "trained before" in second.success[0].value
    assert _metrics(second)["Test loss"] == loss
    assert second.button(key="train").label == "Train 4 more"  # a longer run, from the start (no optimizer state here)
    assert "from the start" in second.success[0].value
    assert second.button(key="step").disabled  # one more epoch would mean training all of them again


def test_changing_only_training_settings_never_regenerates_data(monkeypatch):
    calls = []
    real = ui.load_dataset
    monkeypatch.setattr(ui, "load_dataset", lambda cfg: calls.append(cfg) or real(cfg))
    at = _app(random_state=104)
    assert len(calls) == 1
    at.select_slider(key="lr").set_value(0.3).run()
    at.selectbox(key="optimizer").set_value("sgd").run()
    assert len(calls) == 1
    at.slider(key="noise").set_value(0.4).run()
    assert len(calls) == 2


def test_reset_starts_from_new_weights():
    at = _app(epochs=3, random_state=105)
    at.button(key="train").click().run()
    assert at.success
    at.button(key="reset").click().run()
    assert at.session_state["seed"] == 1
    assert "Untrained" in at.info[0].value and not at.button(key="train").disabled


def test_diverging_run_explains_and_keeps_last_good_state():
    at = _app(epochs=40, random_state=106, optimizer="sgd", lr=10.0, activation="relu", n_layers=3, width_0=32, width_1=32, width_2=32)
    at.button(key="train").click().run()
    assert not at.exception
    assert "diverged" in at.error[0].value and "learning rate" in at.error[0].value
    losses = [y for _, y in series_points(_charts(at)["curves"], "train loss")]
    assert all(isinstance(v, float) for v in losses)  # NaN would arrive as None
    assert _metrics(at)["Test loss"] not in ("nan", "—")


@pytest.mark.parametrize(
    "state, words",
    [
        (dict(dataset="blobs", n_classes_blobs=6, n_samples=50, test_fraction=0.1), "points per class"),
        (dict(batchnorm=True, batch_size=1), "BatchNorm needs batches"),
        (dict(loss="mse"), "regression loss"),
    ],
)
def test_impossible_combinations_show_a_message_not_a_traceback(state, words):
    at = _app(**state)
    assert not at.exception
    assert words in at.error[0].value
    assert not [b for b in at.button if b.key == "train"]  # nothing to train until the setting is fixed


def test_every_dataset_and_no_hidden_layers_render():
    at = _app(n_layers=0)
    for name in catalog.names(catalog.PLANE):
        at.selectbox(key="dataset").set_value(name).run()
        assert not at.exception, name
        classes = catalog.DATASETS[name].classes[0]
        assert set(_charts(at)) == ({"boundary", "bars", "network"} if classes else {"boundary", "network"}), name
        assert at.selectbox(key="loss").value == ("cross_entropy" if classes else "mse"), name  # the loss follows the task


def test_two_clusters_preset_fills_every_widget_and_reaches_the_figure():
    at = _app()
    at.button(key="preset_two_clusters").click().run()
    assert at.selectbox(key="dataset").value == "two_clusters"
    assert at.selectbox(key="optimizer").value == "rmsprop" and at.selectbox(key="loss").value == "softmax_ce"
    assert at.checkbox(key="batchnorm").value and at.number_input(key="width_0").value == 10
    at.button(key="train").click().run()
    assert not at.exception
    assert _metrics(at)["Test accuracy"] == "100.0%"


def test_settings_survive_an_error_that_hid_the_sidebar():
    at = _app()
    at.number_input(key="epochs").set_value(70).run()
    at.selectbox(key="optimizer").set_value("rmsprop").run()
    at.selectbox(key="dataset").set_value("blobs").run()
    at.slider(key="n_classes_blobs").set_value(6).run()
    at.slider(key="n_samples").set_value(50).run()
    at.slider(key="test_fraction").set_value(0.1).run()
    assert "points per class" in at.error[0].value  # the network and training widgets were not drawn
    at.slider(key="n_samples").set_value(300).run()
    assert not at.error
    assert at.number_input(key="epochs").value == 70 and at.selectbox(key="optimizer").value == "rmsprop"
    assert at.slider(key="n_classes_blobs").value == 6
    run = next(reversed(at.session_state["runs"].values()))
    assert run.cfg.train.epochs == 70 and run.cfg.train.optimizer == "rmsprop"


def test_settings_survive_a_visit_to_another_page():
    at = _app()
    at.selectbox(key="dataset").set_value("xor").run()
    at.number_input(key="epochs").set_value(40).run()
    at.switch_page("pages/tabular.py").run()
    assert not at.exception
    at.switch_page("pages/playground_2d.py").run()
    assert at.selectbox(key="dataset").value == "xor" and at.number_input(key="epochs").value == 40


def test_training_on_one_page_does_not_start_training_on_another(pause_live_after):
    pause_live_after(2)  # were it to train, it would not train 1000 epochs
    at = _app(epochs=1000)
    at.session_state["training"] = "2d"  # as if Train was pressed and the user left mid-run
    at.switch_page("pages/tabular.py").run()
    assert not at.exception
    assert at.button(key="stop").disabled and not at.button(key="train").disabled


def test_replay_slider_shows_an_earlier_epoch():
    at = _app(epochs=30, random_state=107)
    at.button(key="train").click().run()
    slider = [s for s in at.select_slider if s.label.startswith("Replay")][0]
    assert slider.value == 30 and slider.options[0] == "0"
    slider.set_value(10).run()
    assert not at.exception
    assert "Replay: the network after epoch 10 of 30" in at.info[0].value
    assert _charts(at)["boundary"]["title_text"] == "Decision boundary, epoch 10"
    assert _epochs(_charts(at)["curves"]) == list(range(11))  # curves up to the replayed epoch
    at.button(key="play_2d").click().run()
    assert not at.exception


def test_see_inside_draws_one_map_per_neuron():
    at = _app(n_layers=2, width_0=5, width_1=3, inside=True)
    assert not at.exception
    charts = _charts(at)
    net = charts["network"]
    assert charts["bars"]["title_text"].startswith("Test point")  # the network view is its own chart
    assert net["alt"].startswith("Inside the network after epoch 0") and net["animation"] is False
    squares = [g for g in net["graphic"] if g["type"] == "image"]  # one per neuron (a group holds the weight lines)
    assert len(squares) == 2 + 5 + 3 + 1  # inputs, two hidden layers, P(class 1)
    assert all(data_url_image(g["style"]["image"]).shape == (24, 24, 3) for g in squares)  # each neuron's map
    lines = [child for g in net["graphic"] if g["type"] == "group" for child in g["children"] if child["type"] == "line"]
    assert len(lines) == 2 * 5 + 5 * 3 + 3 * 1  # weight edges


def _sidebar_order(node) -> list:
    """(kind, key or header text) of the sidebar's elements, in page order."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append((child.type, child.value if child.type == "header" else getattr(child, "key", None)))
        out += _sidebar_order(child)
    return out


def test_input_features_change_the_run_its_cache_key_and_the_network_views_inputs():
    at = _app(n_layers=1, width_0=3, inside=True, epochs=3, random_state=109)
    order = _sidebar_order(at.sidebar)
    assert order[order.index(("header", "Network")) + 1] == ("button_group", "features")  # the Network section's first
    pills = at.pills(key="features")
    assert pills.value == ["x1", "x2"] and pills.label == "Input features" and "x1²" in pills.options
    before = next(reversed(at.session_state["runs"].values())).cfg
    inputs = [g["name"] for g in _charts(at)["network"]["graphic"] if g["type"] == "image"][:2]
    assert before.model.features == ("x1", "x2") and inputs == ["x1", "x2"]
    pills.set_value(["x1_x2", "x1_sq", "x2_sq"]).run()  # chosen in any order: kept in the registry's
    assert not at.exception
    cfg = next(reversed(at.session_state["runs"].values())).cfg
    assert cfg.model.features == ("x1_sq", "x2_sq", "x1_x2") and cfg == before.replace(features=cfg.model.features)
    assert len(at.session_state["runs"].keys()) == 2 and (ui.ENGINE_VERSION, cfg) != (ui.ENGINE_VERSION, before)
    net = _charts(at)["network"]
    squares = [g["name"] for g in net["graphic"] if g["type"] == "image"]
    assert squares[:3] == ["x1²", "x2²", "x1·x2"] and len(squares) == 3 + 3 + 1
    lines = [c for g in net["graphic"] if g["type"] == "group" for c in g["children"] if c["type"] == "line"]
    assert len(lines) == 3 * 3 + 3 * 1
    assert any("Network: 3 → 3 → 2 neurons" in c.value for c in at.caption)
    at.button(key="train").click().run()
    assert not at.exception and "Finished 3 epochs" in at.success[0].value
    at.pills(key="features").set_value([]).run()
    assert not at.exception
    assert "Choose at least one input feature" in at.error[0].value
    assert not [b for b in at.button if b.key == "train"]


def test_no_page_script_has_a_bare_expression_streamlit_would_print():
    """Streamlit's magic writes a bare expression's value to the page (a conditional once showed `None`).

    Magic is off in .streamlit/config.toml as well; this keeps the scripts clean wherever they run.
    """
    import ast

    for path in [*PAGES.glob("*.py"), Path(APP)]:
        tree = ast.parse(path.read_text())
        docstring = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
        bare = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Expr) and node is not docstring
                and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]
        assert not bare, f"{path.name}: bare expressions on lines {bare}"


def test_train_more_continues_a_finished_run_exactly_and_the_setting_follows():
    at = _app(epochs=3, random_state=108)
    at.button(key="train").click().run()
    assert at.button(key="train").label == "Train 3 more" and "keep training" in at.success[0].value
    at.button(key="train").click().run()
    assert not at.exception
    assert "Finished 6 epochs" in at.success[0].value and at.number_input(key="epochs").value == 6
    assert _epochs(_charts(at)["curves"]) == list(range(7))
    longer = _app(epochs=6, random_state=108)  # another session asks for 6 epochs at once: the same run, from the cache
    assert "trained before" in longer.success[0].value and _metrics(longer)["Test loss"] == _metrics(at)["Test loss"]
    run = next(reversed(at.session_state["runs"].values()))
    fresh = Run(run.cfg, run._data)
    for _ in fresh.snapshots():
        pass
    assert fresh.history.test_loss == run.history.test_loss  # continued == uninterrupted


def test_step_trains_one_epoch_per_press_and_stops():
    at = _app(epochs=2, random_state=109)
    at.button(key="step").click().run()
    assert not at.exception and "Stopped after epoch 1" in at.info[0].value
    assert _epochs(_charts(at)["curves"]) == [0, 1] and _charts(at)["boundary"]["title_text"] == "Decision boundary, epoch 1"
    assert at.button(key="stop").disabled  # not training: Stop stays disabled
    at.button(key="step").click().run()
    assert "Finished 2 epochs" in at.success[0].value  # the last epoch finishes the run (and stores it)
    at.button(key="step").click().run()  # a finished run: one epoch more
    assert "Finished 3 epochs" in at.success[0].value and at.number_input(key="epochs").value == 3
