"""Mistake lab page tests: the real page script under streamlit's AppTest (no browser)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import data_url_image, echarts_specs, metrics, run_app

import playground.app.boards.mistakes as lab
from playground.teaching.mistakes import MISTAKES

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "mistakes.py")


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    """Races run at full speed in tests (the page stretches short ones to be watchable)."""
    monkeypatch.setattr(lab, "RACE_SECONDS", 0.0)


def _app(**state) -> AppTest:
    return run_app(PAGE, state, timeout=120)


def _charts(at) -> dict:
    """ECharts options by kind: 'curves', 'correct loop' and 'with the mistake' (the boundaries)."""
    return {("curves" if title.startswith("Loss") else title.split(" · ")[0]): dict(spec, title_text=title, alt=alt)
            for title, spec, alt in echarts_specs(at)}


def _points(curves: dict) -> dict:
    """Each curve's epochs, by name."""
    return {t["name"]: [x for x, _ in t["data"]] for t in curves["series"]}


_metrics = metrics


def test_page_renders_explanation_code_curves_and_both_boundaries():
    at = _app()
    assert not at.exception
    assert at.title[0].value == "Mistake lab"
    assert at.selectbox(key="mistakes_mistake").options == [m.label for m in MISTAKES.values()]
    first = next(iter(MISTAKES.values()))
    assert at.info[0].value == first.explanation
    correct, buggy = (c.value for c in at.code)
    assert "        optimizer.zero_grad()" in correct and "# optimizer.zero_grad()" in buggy
    assert set(_charts(at)) == {"curves", "correct loop", "with the mistake"}
    assert "Press **Run**" in at.info[1].value
    assert set(_metrics(at).values()) == {"—"}
    assert at.button(key="mistakes_stop").disabled and not at.button(key="mistakes_run").disabled


def test_every_widget_has_a_help_tooltip():
    at = _app()
    widgets = [*at.selectbox, *at.slider, *at.select_slider, *at.number_input, *at.button]
    assert len(widgets) == 7  # toggles (Training health) are checked in the health tests
    assert not [w.label for w in widgets if not w.help]


def test_short_race_draws_both_curves_both_boundaries_and_the_numbers():
    at = _app(mistakes_epochs=3)
    at.button(key="mistakes_run").click().run()
    assert not at.exception
    assert "Finished after epoch 3" in at.success[0].value
    assert at.session_state["training"] is False
    charts = _charts(at)
    points = _points(charts["curves"])
    for who in ("correct loop", "with the mistake"):
        assert points[f"{who}: train loss"] == [0, 1, 2, 3] and points[f"{who}: test accuracy"] == [0, 1, 2, 3]
        assert charts[who]["title_text"] == f"{who} · epoch 3"
        assert data_url_image(charts[who]["graphic"][-1]["style"]["image"]).shape == (60, 60, 3)
    assert charts["curves"]["xAxis"][0]["name"] == "epoch" and charts["curves"]["yAxis"][0]["type"] == "log"
    assert charts["curves"]["yAxis"][1]["name"] == "test accuracy (%)"
    m = _metrics(at)
    assert m["Test accuracy, correct loop"].endswith("%") and float(m["Test loss, with the mistake"]) > 0


@pytest.mark.parametrize("name", list(MISTAKES))
def test_each_mistake_races_without_exception(name):
    at = _app(mistakes_mistake=name, mistakes_epochs=2)
    assert at.info[0].value == MISTAKES[name].explanation
    correct, buggy = (c.value for c in at.code)
    assert correct != buggy and "<-" in buggy
    at.button(key="mistakes_run").click().run()
    assert not at.exception
    assert "Finished after epoch 2" in at.success[0].value
    assert _charts(at)["with the mistake"]["title_text"].endswith("epoch 2")


def test_stop_keeps_partial_histories_and_run_continues(pause_live_after):
    pause_live_after(3)  # each live loop pauses like Stop after 3 frames
    at = _app(mistakes_epochs=40)
    at.button(key="mistakes_run").click().run()
    assert not at.exception
    assert "Stopped after epoch 2" in at.info[1].value
    assert _points(_charts(at)["curves"])["with the mistake: test loss"] == [0, 1, 2]
    at.button(key="mistakes_run").click().run()
    xs = _points(_charts(at)["curves"])["correct loop: train loss"]
    assert xs == list(range(6))  # continued, not restarted
    assert "Stopped after epoch 5" in at.info[1].value


def test_a_finished_race_runs_again_from_the_start():
    at = _app(mistakes_epochs=2)
    at.button(key="mistakes_run").click().run()
    at.button(key="mistakes_run").click().run()
    assert not at.exception and "Finished after epoch 2" in at.success[0].value
    assert _points(_charts(at)["curves"])["correct loop: train loss"] == [0, 1, 2]


@pytest.mark.parametrize("key, value", [
    ("mistakes_epochs", 0), ("mistakes_epochs", 10_000), ("mistakes_lr", float("nan")), ("mistakes_lr", 0.5),
    ("mistakes_dataset", "iris"), ("mistakes_mistake", "bogus"), ("mistakes_seed", -3),
])
def test_bad_input_never_shows_a_traceback(key, value):
    at = _app(**{key: value})
    assert not at.exception
    assert len(at.get("echarts_chart")) == 3  # curves and both boundaries


def test_settings_errors_are_shown_as_a_message(monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("Learning rate must be between 1e-05 and 10, got 0.")

    monkeypatch.setattr(lab, "settings", refuse)
    at = _app()
    assert not at.exception
    assert "Learning rate must be between" in at.error[0].value and not at.get("echarts_chart")


def _health_titles(name: str) -> tuple:
    """Race the mistake for 2 epochs with Training health on; (the page, {lane: its health chart's title})."""
    at = _app(mistakes_epochs=2)
    at.selectbox(key="mistakes_mistake").set_value(MISTAKES[name].label).run()
    at.toggle(key="mistakes_health").set_value(True).run()
    at.button(key="mistakes_run").click().run()
    assert not at.exception
    titles = {}
    for title, _, _ in echarts_specs(at):
        for who in ("correct loop", "with the mistake"):
            if title.startswith(who + " / layer 1"):
                titles[who] = title
    return at, titles


def test_huge_weights_race_with_training_health_shows_the_saturated_first_layer():
    """The lesson's numbers on the page: the mistake's first tanh layer mostly saturated, the correct loop's hardly."""
    import re

    at, titles = _health_titles("huge_init")
    shares = {who: int(re.search(r"layer 1 \(Tanh\): outputs, (\d+)% saturated", title).group(1))
              for who, title in titles.items()}
    assert shares["with the mistake"] > 50 and shares["correct loop"] < 20, shares
    assert at.info[0].value == MISTAKES["huge_init"].explanation


def test_deep_sigmoid_race_without_batchnorm_shows_the_fading_gradient():
    """The lesson's numbers on the page: in the mistake's run the first layer's weight-gradient norm is far below the
    last layer's, and far below the correct loop's first layer."""
    import re

    at, titles = _health_titles("no_batchnorm")
    norms = {who: [float(n) for n in re.findall(r"weight-gradient norm ([0-9.e+-]+)", title)]
             for who, title in titles.items() if title.startswith(who + " / layer 1 (Sigmoid)")}
    bad, good = norms["with the mistake"], norms["correct loop"]
    assert len(bad) == len(good) == 4, norms
    assert bad[0] * 20 < bad[-1] and bad[0] * 20 < good[0], norms
    assert "BatchNorm1d" in at.code[0].value and "BatchNorm1d" not in at.code[1].value
