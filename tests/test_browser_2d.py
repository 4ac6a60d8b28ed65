"""Real-browser tests: streamlit run + Debian's Chromium via Playwright. Screenshots go to artifacts/."""
import re
import time

from conftest import ARTIFACTS, IDLE

BOUNDARY_TITLE = "[class*='st-key-boundary_'] .gtitle"


def _epoch(page) -> int:
    text = page.locator("[data-testid='stProgress']").first.inner_text()
    return int(re.search(r"Epoch (\d+)", text).group(1))


def _set_number(page, key: str, value) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)


def test_opens_on_the_2d_playground_with_data_drawn(page, server):
    assert page.locator("h1").first.inner_text() == "2-D playground"
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(BOUNDARY_TITLE).first.text_content().startswith("Decision boundary")
    # the data points are drawn as plotly markers on top of the heatmap
    assert page.locator("[class*='st-key-boundary_'] .scatterlayer .point").count() > 250
    page.screenshot(path=str(ARTIFACTS / "2d_start.png"), full_page=True)


def test_train_updates_live_then_stop_keeps_the_state(page, server):
    _set_number(page, "epochs", 1000)
    _set_number(page, "seed", 4242)
    page.locator(".st-key-train button").first.click()
    # the progress line is back (it may already be past epoch 0 when the browser first paints it)
    page.wait_for_function("/Epoch \\d+ \\//.test(document.querySelector(\"[data-testid='stProgress']\")?.innerText ?? '')",
                           timeout=20_000)
    titles, epochs = set(), []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(titles) < 3:
        titles.add(page.locator(BOUNDARY_TITLE).first.text_content())
        epochs.append(_epoch(page))
        page.wait_for_timeout(250)
    assert len(titles) >= 3, f"boundary did not redraw live: {titles}"
    assert epochs == sorted(epochs) and epochs[-1] > 0
    page.screenshot(path=str(ARTIFACTS / "2d_training.png"), full_page=True)

    page.locator(".st-key-stop button").first.click()
    page.wait_for_selector(IDLE, timeout=20_000)
    page.wait_for_selector("text=Stopped after epoch")
    stopped_at = _epoch(page)
    assert 0 < stopped_at < 1000
    page.wait_for_timeout(1500)
    assert _epoch(page) == stopped_at  # really stopped
    assert page.locator(BOUNDARY_TITLE).first.text_content() == f"Decision boundary, epoch {stopped_at}"
    loss_points = page.locator("[class*='st-key-curves_'] .scatterlayer .trace").count()
    assert loss_points == 5  # train/test loss, batch loss, train/test accuracy
    assert not page.locator(".st-key-train button").first.is_disabled()
    page.screenshot(path=str(ARTIFACTS / "2d_stopped.png"), full_page=True)


def test_server_log_is_clean(page, server):
    page.wait_for_timeout(500)
    log = server[1].read_text()
    assert "Traceback" not in log and "torch.classes" not in log, log[-3000:]


def test_two_clusters_preset_separates_cleanly(page, server):
    page.locator(".st-key-preset_two_clusters button").first.click()
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 30 epochs", timeout=60_000)
    value = page.locator("[data-testid='stMetric']", has_text="Test accuracy").first.locator("[data-testid='stMetricValue']")
    assert value.inner_text() == "100.0%"
    page.screenshot(path=str(ARTIFACTS / "2d_two_clusters.png"), full_page=True)
