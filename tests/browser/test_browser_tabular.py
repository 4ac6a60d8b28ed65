"""Real-browser tests of the tables-and-regression page: presets and a CSV upload."""
import re

import numpy as np

from conftest import ARTIFACTS, IDLE, choose
from playground.app.navigation import PAGES


def _open(page, server):
    page.goto(f"{server[0]}/tabular")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_selector("h1:has-text('Tables and regression')")


def _click(page, key):
    page.locator(f".st-key-{key} button").first.click()
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def _metric(page, label) -> str:
    box = page.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text()


def test_direct_link_opens_the_page_with_the_app_navigation(page, server):
    _open(page, server)
    links = page.locator("[data-testid='stSidebarNav'] a").all()
    # the entry point's navigation (every page, by its title), not the pages/ folder's file names
    assert [a.inner_text().splitlines()[-1] for a in links] == [title for _, title, _ in PAGES]
    assert [a.inner_text().splitlines()[-1] for a in links if a.get_attribute("aria-current") == "page"] == ["Tables and regression"]


def test_blobs_4d_preset_reproduces_98_percent(page, server):
    _open(page, server)
    _click(page, "preset_blobs_4d")
    _click(page, "train")
    page.wait_for_selector("text=Finished 10 epochs", timeout=60_000)
    assert float(_metric(page, "Test accuracy").rstrip("%")) >= 95
    for chart in ("Confusion matrix (test)", "Test rows", "Row #"):  # the live board's ECharts charts, each on a canvas
        assert page.locator(f"[data-testid='stEChartsChart'][aria-label^='{chart}'] canvas").count() >= 1, chart
    page.screenshot(path=str(ARTIFACTS / "tabular_blobs4d.png"), full_page=True)


def test_linear_regression_preset_shows_weight_two(page, server):
    _open(page, server)
    _click(page, "preset_linear")
    _click(page, "train")
    page.wait_for_selector("text=Finished 20 epochs", timeout=60_000)
    assert abs(float(_metric(page, "weight of x")) - 2) < 0.05
    assert page.locator("[data-testid='stEChartsChart'][aria-label^=\"The model's fit after epoch 20\"] canvas").count() == 1
    page.screenshot(path=str(ARTIFACTS / "tabular_linear.png"), full_page=True)


def test_csv_upload_trains(page, server, tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    label = np.where(X[:, 0] - X[:, 2] > 0, "spam", "ham")
    path = tmp_path / "mail.csv"
    path.write_text("f1;f2;f3;kind\n" + "\n".join(f"{a:.3f};{b:.3f};{c:.3f};{k}" for (a, b, c), k in zip(X, label)))
    _open(page, server)
    choose(page, "tabular_dataset", re.compile("Your CSV file"))
    page.locator(".st-key-tabular_csv_file [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.wait_for_selector("text=Ready to train on 200 rows", timeout=30_000)
    _click(page, "train")
    page.wait_for_selector("text=Finished", timeout=60_000)
    assert float(_metric(page, "Test accuracy").rstrip("%")) > 80
    page.screenshot(path=str(ARTIFACTS / "tabular_upload.png"), full_page=True)


def test_choosing_and_uploading_a_csv_keeps_every_setting(page, server, tmp_path):
    """The uploader's message stops the sidebar above the network and training widgets for one run; when they
    come back they show the learner's values (they once came back at their minimums: SGD, 1 epoch, split 0.10)."""
    path = tmp_path / "small.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 7},{'x' if i % 2 else 'y'}\n" for i in range(60)))
    _open(page, server)
    box = page.locator(".st-key-tabular_epochs input")
    box.fill("33")
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)
    choose(page, "tabular_optimizer", "RMSprop")
    before = {key: page.locator(f".st-key-tabular_{key} input").first.input_value()
              for key in ("optimizer", "epochs", "n_layers", "test_fraction", "lr", "batch_size")}
    assert before["optimizer"] == "RMSprop" and before["epochs"] == "33"
    choose(page, "tabular_dataset", re.compile("Your CSV file"))
    assert page.locator(".st-key-tabular_epochs input").count() == 0  # the sidebar stops at the uploader's message
    page.locator(".st-key-tabular_csv_file [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.wait_for_selector("text=Ready to train on 60 rows", timeout=30_000)
    page.wait_for_selector(IDLE)
    after = {key: page.locator(f".st-key-tabular_{key} input").first.input_value() for key in before}
    assert after == before
    page.wait_for_selector("text=Epoch 0 / 33")  # and the run is built from what the widgets show
