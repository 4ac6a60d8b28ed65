"""AppTest page tests for the tables-and-regression page."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import echarts_specs, heatmap_array, metrics, run_app
from playground.data import fetch
from playground.viz import table_charts

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "tabular.py")


def _app(**state) -> AppTest:
    return run_app(PAGE, state, prefix="tabular_")


def _charts(at) -> dict:
    """ECharts options by the title's first part ("Test rows", "Confusion matrix (test)", "Row #3", "curves")."""
    out = {}
    for title, spec, alt in echarts_specs(at):
        out.setdefault("curves" if title.startswith("Loss /") else title.split(":")[0], dict(spec, alt=alt))
    return out


_metrics = metrics


def test_blobs_4d_preset_reproduces_the_tutorial():
    at = _app()
    at.button(key="preset_blobs_4d").click().run()
    assert at.selectbox(key="tabular_dataset").value == "blobs_4d"
    assert at.number_input(key="tabular_width_0").value == 8 and at.select_slider(key="tabular_batch_size").value == 64
    at.button(key="train").click().run()
    assert not at.exception
    # the preset's one seed reaches 98%; other seeds (as another processor's trajectory) 95-99%: the
    # figure's median is checked in test_presets; here the page shows a high accuracy
    assert float(_metrics(at)["Test accuracy"].rstrip("%")) >= 90
    charts = _charts(at)
    assert "Confusion matrix (test)" in charts and "Test rows" in charts
    cm = heatmap_array(charts["Confusion matrix (test)"])
    assert cm.sum() == 150 and cm.shape == (3, 3)  # every test row counted once
    accuracy = float(_metrics(at)["Test accuracy"].rstrip("%"))
    assert f"{np.trace(cm) / cm.sum():.1%}" == f"{accuracy / 100:.1%}"  # the matrix agrees with the metric
    pca = charts["Test rows"]
    assert pca["xAxis"]["name"].startswith("PC 1")
    n_points = sum(len(s["data"]) for s in pca["series"])
    n_wrong = sum(len(s["data"]) for s in pca["series"] if s["name"] == table_charts.WRONG_NAME)
    assert n_points == 150 and n_wrong == cm.sum() - np.trace(cm)  # every test row, mistakes as crosses
    assert "after epoch" in pca["alt"]
    bars = [c for c in charts if c.startswith("Row #")]
    assert len(bars) == 3  # probability bars for picked rows
    assert abs(sum(b["value"] for b in charts[bars[0]]["series"][0]["data"]) - 1) < 0.01  # probabilities sum to one


def test_linear_regression_preset_learns_weight_two_and_shows_it():
    at = _app()
    at.button(key="preset_linear").click().run()
    assert at.selectbox(key="tabular_loss").value == "mse" and not at.checkbox(key="tabular_bias").value
    at.button(key="train").click().run()
    assert not at.exception
    weight = float(_metrics(at)["weight of x"])
    assert abs(weight - 2) < 0.05
    assert _metrics(at)["bias"].startswith("none")
    fit = _charts(at)["The model's fit"]
    assert [s["name"] for s in fit["series"]] == ["train", "test", "model"]
    line = np.array(fit["series"][2]["data"])
    assert np.allclose(np.diff(line[:, 1]) / np.diff(line[:, 0]), weight, atol=0.02)  # the line drawn is the learned weight
    assert float(_metrics(at)["Test R²"]) > 0.9


def test_iris_with_standardised_features_trains_and_says_so():
    at = _app(dataset="iris", standardize=True, epochs=30)
    at.button(key="train").click().run()
    assert not at.exception
    assert any("standardised" in c.value for c in at.caption)
    assert float(_metrics(at)["Test accuracy"].rstrip("%")) > 80


@pytest.mark.parametrize(
    "state, words",
    [
        (dict(dataset="iris", loss="bce"), "exactly 2 classes"),
        (dict(dataset="wine", loss="mse"), "regression loss"),
        (dict(dataset="linear", loss="cross_entropy"), "numeric target"),
    ],
)
def test_impossible_losses_are_prevented_with_one_line(state, words):
    at = _app(**state)
    assert not at.exception
    assert words in at.error[0].value
    assert not [b for b in at.button if b.key == "train"]


def test_choosing_a_regression_dataset_switches_to_a_regression_loss():
    at = _app(dataset="iris")
    at.selectbox(key="tabular_dataset").set_value("linear").run()
    assert at.selectbox(key="tabular_loss").value == "mse" and not at.error


def test_pima_offline_without_cache_offers_the_upload(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(fetch, "PIMA_URL", "http://127.0.0.1:9/pima.csv")  # port 9: nothing listens
    monkeypatch.setattr(fetch.load_pima, "__defaults__", ("http://127.0.0.1:9/pima.csv", None, fetch.PIMA_SHA256))
    at = _app(dataset="pima")
    assert not at.exception
    assert "offline" in at.error[0].value and "Upload the CSV" in at.error[0].value


def test_pima_preset_runs_end_to_end_on_test_written_data(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    X = np.round(rng.uniform(0, 100, size=(200, 8)), 1)
    y = (X[:, 1] + rng.normal(0, 10, 200) > 50).astype(float)
    values = np.column_stack([X, y])
    (tmp_path / fetch.PIMA_FILE).write_text("\n".join(",".join(f"{v:g}" for v in row) for row in values) + "\n")
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(fetch.load_pima, "__defaults__", (fetch.PIMA_URL, None, fetch.content_sha256(values)))
    at = _app()
    at.button(key="preset_pima").click().run()
    at.number_input(key="tabular_epochs").set_value(5).run()
    at.button(key="train").click().run()
    assert not at.exception, at.exception
    assert at.success and "Finished 5 epochs" in at.success[0].value
    assert _metrics(at)["Test accuracy"].endswith("%")
    assert "Confusion matrix (test)" in _charts(at)


def test_page_is_reachable_through_the_app_navigation():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/tabular.py").run()
    assert not at.exception
    assert at.title[0].value == "Tables and regression"
