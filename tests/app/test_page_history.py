"""Run history on the training pages: finished runs listed against the current settings, overlaid, restorable."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import echarts_specs
from playground.viz.charts import smoothed

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def _app(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _table(at):
    return next(df.value for df in at.dataframe if "differs from now" in df.value.columns)


def _train_two_learning_rates(at) -> AppTest:
    at.button(key="train").click().run()
    at.select_slider(key="lr").set_value(0.1).run()
    at.button(key="train").click().run()
    assert not at.exception
    return at


def test_two_finished_runs_are_listed_with_what_differs_and_overlaid():
    at = _train_two_learning_rates(_app(epochs=6, lr=0.01, seed=101, history_2d=True))  # a seed of its own: not cached
    table = _table(at)
    assert list(table["run"]) == [1, 2]
    assert list(table["differs from now"]) == ["Learning rate 0.01", "the current settings"]
    assert list(table["epochs"]) == [6, 6] and list(table["source"]) == ["trained here"] * 2
    run = next(reversed(at.session_state["runs"].values()))
    assert table["test loss"].iloc[-1] == pytest.approx(run.history.test_loss[-1])
    assert (table["time (s)"] > 0).all()
    title_specs = {title: spec for title, spec, _ in echarts_specs(at)}
    overlay = next(spec for title, spec in title_specs.items() if title.startswith("Loss: train (solid)"))
    names = {s["name"] for s in overlay["series"]}
    assert {"run 1: train loss", "run 1: test loss", "run 2: train loss", "run 2: test loss"} <= names
    assert "Run history: 2 finished runs this session" in [e.label for e in at.expander]


def test_smoothing_is_tensorboards_debiased_moving_average():
    assert smoothed([1.0, 2.0, 3.0], 0.0) == [1.0, 2.0, 3.0]
    out = smoothed([4.0, 0.0, float("nan"), 0.0], 0.5)
    assert out[0] == pytest.approx(4.0)  # debiased: the first point is itself, not pulled towards 0
    assert out[1] == pytest.approx((0.5 * 0.5 * 4) / (1 - 0.25))
    assert out[2] != out[2] and out[3] < out[1]  # a gap stays a gap


def test_restore_puts_an_earlier_runs_settings_back_and_shows_it_at_once():
    at = _train_two_learning_rates(_app(epochs=6, lr=0.01, seed=102, history_2d=True))
    at.selectbox(key="history_restore_2d").set_value(1).run()
    at.button(key="history_restore_button_2d").click().run()
    assert not at.exception
    assert at.select_slider(key="lr").value == 0.01
    assert any("Run 1's settings restored." in s.value for s in at.success)
    assert list(_table(at)["differs from now"]) == ["the current settings", "Learning rate 0.1"]
    assert any(s.value.startswith("Finished 6 epochs") for s in at.success)  # the run is kept: no training again


def test_a_run_shown_from_the_shared_cache_counts_too():
    first = _app(epochs=5, seed=103)
    first.button(key="train").click().run()
    other = _app(epochs=5, seed=103, history_2d=True)  # another session: the same settings come from the cache
    table = _table(other)
    assert list(table["source"]) == ["from the cache"] and list(table["epochs"]) == [5]


def test_the_history_is_on_the_tables_page_too_with_r2_for_regression():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["tabular_dataset"] = "linear"
    at.session_state["tabular_epochs"] = 3
    at.session_state["tabular_loss"] = "mse"
    at.session_state["history_tabular"] = True
    at.run()
    at.switch_page("pages/tabular.py").run()
    at.button(key="train").click().run()
    assert not at.exception
    table = _table(at)
    assert {"train R²", "test R²"} <= set(table.columns) and len(table) == 1
