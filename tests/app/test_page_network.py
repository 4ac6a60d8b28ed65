"""The 2-D page's network view interactions under AppTest. AppTest cannot click chart items, so these tests keep
a pick in session state (what the chart's on_select callback stores) or call that callback with a selection."""
from pathlib import Path

from apptest_helpers import echarts_specs, metrics, run_app

from playground.app.boards import network_view
from playground.viz import network_charts

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
SIZES = (2, 8, 8, 1)  # the default network
NEURON = network_charts.neuron_targets(SIZES).index((1, 2))  # layer 1, neuron 3
WEIGHT = network_charts.weight_targets(SIZES).index((0, 1, 0))  # x1 -> layer 1, neuron 2


def _trained(**state):
    at = run_app(APP, dict(epochs=3, **state), timeout=90)
    at.button(key="train").click().run()
    assert not at.exception and "Finished 3 epochs" in at.success[0].value
    return at


def _chart(at, starts: str) -> dict:
    return next(dict(spec, alt=alt, title_text=title) for title, spec, alt in echarts_specs(at) if alt.startswith(starts))


def _plane(at) -> dict:
    return next(dict(spec, alt=alt, title_text=title) for title, spec, alt in echarts_specs(at) if "the plane shaded by" in alt)


def _pick(at, **picks):
    at.session_state[network_view.PICKS] = {"gen": 0, "sizes": SIZES, "neurons": None, "weights": None, **picks}
    return at.run()


def _weight_box(at):
    return next((n for n in at.number_input if n.label.startswith("Weight from")), None)


def test_a_finished_run_is_clickable_with_handles_and_a_picked_neuron_takes_the_plane():
    at = _trained(random_state=201)
    network = _chart(at, "Inside the network")
    ids = [s["id"] for s in network["series"]]
    assert ids == ["neurons", "weights"] and network["series"][0]["selectedMode"] == "single"
    assert _plane(at)["title_text"] == "Decision boundary, epoch 3"
    _pick(at, neurons=NEURON)
    assert not at.exception
    plane = _plane(at)
    assert plane["title_text"] == "Layer 1, neuron 3's output"
    assert plane["alt"].startswith("Layer 1, neuron 3's output: the plane shaded by this neuron's output")
    assert plane["series"][0]["data"]  # the points stay on top
    assert [d.get("selected") for d in _chart(at, "Inside the network")["series"][0]["data"]].index(True) == NEURON
    at.button(key="network_back").click().run()
    assert _plane(at)["title_text"] == "Decision boundary, epoch 3" and not [b for b in at.button if b.key == "network_back"]
    assert at.session_state[network_view.PICKS]["gen"] == 1  # a fresh chart key: the old selection goes


def test_the_chart_callback_keeps_the_selection_and_a_second_click_unselects(monkeypatch):
    state = {network_view.PICKS: {"gen": 0}}
    monkeypatch.setattr(network_view.st, "session_state", state)
    key = network_view.chart_key()
    state[key] = {"selection": {"selected": [{"series_id": "neurons", "series_index": 0, "data_indices": [NEURON]},
                                             {"series_id": "weights", "series_index": 1, "data_indices": [WEIGHT]}]}}
    network_view.on_select(key)
    assert state[network_view.PICKS]["neurons"] == NEURON and state[network_view.PICKS]["weights"] == WEIGHT
    state[key] = {"selection": {"selected": [{"series_id": "weights", "series_index": 1, "data_indices": [WEIGHT]}]}}
    network_view.on_select(key)  # the neuron clicked again
    assert state[network_view.PICKS]["neurons"] is None and state[network_view.PICKS]["weights"] == WEIGHT


def test_setting_a_picked_weight_redraws_from_the_edited_model_and_says_so():
    at = _trained(random_state=202)
    trained = metrics(at)
    boundary_before = _plane(at)["graphic"][-1]["style"]["image"]
    _pick(at, weights=WEIGHT)
    box = _weight_box(at)
    assert box.label == "Weight from x1 to layer 1, neuron 2" and -5 <= box.value <= 5
    network_before = _chart(at, "Inside the network")
    box.set_value(4.5).run()
    assert not at.exception
    assert "set by hand" in at.warning[0].value and "not shared" in at.warning[0].value
    assert _weight_box(at).value == 4.5
    assert metrics(at)["Test loss"] != trained["Test loss"]  # measured again for the edited network
    assert _plane(at)["graphic"][-1]["style"]["image"] != boundary_before
    handles = _chart(at, "Inside the network")["series"][1]["data"]
    assert handles[WEIGHT]["tooltip"]["formatter"] == "weight 4.50: x1 → layer 1, neuron 2"
    assert handles[WEIGHT] != network_before["series"][1]["data"][WEIGHT]


def test_an_edited_run_trained_on_is_not_shared_with_other_sessions():
    at = _trained(random_state=203)
    _pick(at, weights=WEIGHT)
    _weight_box(at).set_value(-4.0).run()
    at.button(key="train").click().run()  # Train 3 more, from the edited weights
    assert not at.exception and "set by hand" in at.warning[0].value
    other = run_app(APP, dict(epochs=6, random_state=203), timeout=90)  # another session, the same settings
    assert "Untrained" in other.info[0].value  # nothing in the store for them: training alone never made it


def test_no_picks_while_another_network_is_shown():
    at = _trained(random_state=204)
    at.session_state[network_view.PICKS] = {"gen": 0, "sizes": (2, 4, 1), "neurons": 3, "weights": 5}
    at.run()
    assert _plane(at)["title_text"] == "Decision boundary, epoch 3" and _weight_box(at) is None
