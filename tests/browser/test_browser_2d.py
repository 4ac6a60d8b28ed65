"""Real-browser tests: streamlit run + Debian's Chromium via Playwright. Screenshots go to artifacts/."""
import re

from conftest import ARTIFACTS, BOUNDARY, IDLE

CURVES = "[data-testid='stEChartsChart'][aria-label^='Loss curves']"
NETWORK = "[data-testid='stEChartsChart'][aria-label^='Inside the network']"
# Every animation frame: is the boundary on screen and painted (most of 5 x 5 pixels of its plot area have colour
# in some layer: ECharts draws in several canvases), which ECharts instance draws it, which epoch its accessible
# name says it pictures. The plot area: live_charts puts it 55 px from the left, 40 from the top, 20 and 75 from
# the right and the bottom.
SAMPLER = """
() => {
  window.__samples = [];
  const paintedShare = chart => {
    const canvases = [...(chart?.querySelectorAll('canvas') ?? [])];
    if (!canvases.length || !canvases[0].width) return 0;
    const r = window.devicePixelRatio || 1, W = canvases[0].width / r, H = canvases[0].height / r;
    let painted = 0;
    for (let i = 1; i <= 5; i++) for (let j = 1; j <= 5; j++) {
      const x = Math.round((55 + (W - 75) * i / 6) * r), y = Math.round((40 + (H - 115) * j / 6) * r);
      if (canvases.some(c => { const [R, G, B, A] = c.getContext('2d').getImageData(x, y, 1, 1).data;
                                return A > 0 && !(R === 255 && G === 255 && B === 255); })) painted++;
    }
    return painted / 25;
  };
  const tick = () => {
    const chart = document.querySelector("%s");
    window.__samples.push([paintedShare(chart) > 0.5, chart?.getAttribute('_echarts_instance_') ?? null,
                           chart?.getAttribute('aria-label') ?? null]);
    if (!window.__stopSampling) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
""" % BOUNDARY


def _epoch(page) -> int:
    text = page.locator("[data-testid='stProgress']").first.inner_text()
    return int(re.search(r"Epoch (\d+)", text).group(1))


def _pictured_epoch(page) -> int:
    """The epoch the boundary pictures, read from its accessible name (its alt text)."""
    return int(re.search(r"epoch (\d+)", page.locator(BOUNDARY).first.get_attribute("aria-label")).group(1))


def _set_number(page, key: str, value) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)


def test_opens_on_the_2d_playground_with_data_drawn(page, server):
    assert page.locator("h1").first.inner_text() == "2-D playground"
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(BOUNDARY).first.get_attribute("aria-label").startswith("Decision boundary, epoch 0")
    assert page.locator(f"{BOUNDARY} canvas").count() == 1  # drawn by ECharts on a canvas
    page.screenshot(path=str(ARTIFACTS / "2d_start.png"), full_page=True)


def test_train_updates_live_in_place_never_blank_then_stop_keeps_the_state(page, server):
    _set_number(page, "epochs", 1000)
    _set_number(page, "seed", 4242)
    page.evaluate(SAMPLER)
    page.locator(".st-key-train button").first.click()
    page.wait_for_function(f"/epoch [1-9]/.test(document.querySelector(\"{BOUNDARY}\")?.getAttribute('aria-label') ?? '')",
                           timeout=20_000)
    page.wait_for_timeout(2500)
    page.screenshot(path=str(ARTIFACTS / "2d_training.png"), full_page=True)
    page.locator(".st-key-stop button").first.click()
    page.wait_for_selector(IDLE, timeout=20_000)
    page.evaluate("window.__stopSampling = true")
    samples = page.evaluate("window.__samples")
    assert len(samples) > 20
    blank = [i for i, (painted, _, _) in enumerate(samples) if not painted]
    assert not blank, f"{len(blank)} of {len(samples)} animation frames had no boundary on screen"
    assert len({instance for _, instance, _ in samples}) == 1  # one chart, updated in place, never rebuilt
    pictured = [int(re.search(r"epoch (\d+)", label).group(1)) for _, _, label in samples]
    assert pictured == sorted(pictured) and len(set(pictured)) >= 5  # the picture moved on, epoch by epoch

    page.wait_for_selector("text=Stopped after epoch")
    stopped_at = _epoch(page)
    assert 0 < stopped_at < 1000
    page.wait_for_timeout(1500)
    assert _epoch(page) == stopped_at  # really stopped
    # The stopped run is redrawn once, every chart naming the epoch the progress line names: the stopped
    # script run takes no step after the new one claimed the run (playground/claims.py; before, a loaded
    # machine showed a chart one epoch off the numbers)
    assert _pictured_epoch(page) == stopped_at
    curves = page.locator(CURVES).first.get_attribute("aria-label")
    assert int(re.search(r"up to epoch (\d+)", curves).group(1)) == stopped_at
    assert not page.locator(".st-key-train button").first.is_disabled()
    page.screenshot(path=str(ARTIFACTS / "2d_stopped.png"), full_page=True)


def _inside_viewport(page, selector: str, width: int, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def test_projector_screen_shows_network_boundary_and_loss_without_scrolling(projector):
    """At 1280 x 720 with the sidebar open, and in presenter mode: after Train, the three pictures are all on screen."""
    for query, name in (("?epochs=1000", "2d_projector"), ("?present=true&epochs=1000", "2d_presenter")):
        page = projector(query)
        page.locator(".st-key-train button").first.click()
        page.wait_for_selector(CURVES, timeout=30_000)  # the loss curve comes with the first epoch
        page.wait_for_timeout(1000)
        assert page.evaluate("window.scrollY") == 0
        for selector in (BOUNDARY, NETWORK, CURVES):
            assert _inside_viewport(page, selector, 1280, 720), (name, selector, page.locator(selector).first.bounding_box())
        assert page.locator(".st-key-stop button").first.is_enabled()  # still training: this is the screen while it learns
        sidebar = page.locator("[data-testid='stSidebar']").first.bounding_box()
        presenting = "present" in query
        assert (sidebar is None or sidebar["x"] + sidebar["width"] <= 0) if presenting else sidebar["width"] > 200
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        page.locator(".st-key-stop button").first.click()


def test_click_on_the_plane_adds_points_while_it_trains(projector):
    """Click mode: each click adds a training point where it lands, and the run trains on from where it was."""
    page = projector("?edit=true&epochs=2000&random_state=17")
    page.locator(".st-key-train button").first.click()
    page.wait_for_function("() => /Epoch ([1-9]\\d+)/.test(document.querySelector('[data-testid=stProgress]')?.innerText)",
                           timeout=30_000)
    counts = []
    for k in range(3):
        before = _epoch(page)
        box = page.locator(BOUNDARY).first.bounding_box()  # the plot area: 55 px from the left, 40 from the top
        page.mouse.click(box["x"] + 55 + (0.2 + 0.3 * k) * (box["width"] - 75), box["y"] + 40 + 0.15 * (box["height"] - 115))
        page.wait_for_function(f"() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')].some("
                               f"c => c.innerText.startsWith('{k + 1} point'))", timeout=15_000)
        counts.append(k + 1)
        assert _epoch(page) >= before  # trained on, not restarted
    page.wait_for_timeout(1000)
    assert _epoch(page) > before and page.locator(".st-key-stop button").first.is_enabled()  # still training
    page.screenshot(path=str(ARTIFACTS / "2d_clicked_points.png"))
    page.locator(".st-key-stop button").first.click()
    assert counts == [1, 2, 3]


def test_tf_playground_regression_with_its_switches(projector):
    """TensorFlow Playground's multi-Gaussian regression, from a link with its switches: the value is pictured and scored."""
    page = projector("?dataset=tf_multi_gauss&n_samples=600&noise=0&test_fraction=0.5&loss=mse&epochs=30"
                     "&hidden=8,8&discretize=true&show_test=false")
    plane = "[data-testid='stEChartsChart'][aria-label^='Predicted value']"
    page.locator(plane).first.wait_for(timeout=30_000)  # the link's regression dataset, pictured by value
    assert page.locator(".st-key-discretize input").is_checked() and not page.locator(".st-key-show_test input").is_checked()
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 30 epochs", timeout=60_000)
    assert page.locator(plane).first.get_attribute("aria-label").startswith("Predicted value, epoch 30")
    metrics = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    assert "Test R²" in metrics and "Test accuracy" not in metrics
    page.screenshot(path=str(ARTIFACTS / "2d_regression.png"))


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


def test_step_one_epoch_then_train_more_after_the_end(page, server):
    _set_number(page, "epochs", 3)
    _set_number(page, "seed", 4343)
    page.locator(".st-key-step button").first.click()
    page.wait_for_selector("text=Stopped after epoch 1", timeout=30_000)
    page.wait_for_selector(IDLE)
    assert _pictured_epoch(page) == 1
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 3 epochs", timeout=30_000)
    page.wait_for_selector(IDLE)
    more = page.locator(".st-key-train button").first
    assert more.inner_text() == "Train 3 more" and not more.is_disabled()
    more.click()
    page.wait_for_selector("text=Finished 6 epochs", timeout=30_000)
    page.wait_for_selector(IDLE)
    assert _pictured_epoch(page) == 6 and page.locator(".st-key-epochs input").first.input_value() == "6"
    page.screenshot(path=str(ARTIFACTS / "2d_train_more.png"), full_page=True)


def test_input_feature_pills_change_the_network(page, server):
    pills = page.locator(".st-key-features")
    for name in ("x1²", "x2²", "x1·x2", "x1", "x2"):  # choose three features, then drop the raw inputs
        pills.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(300)
        page.wait_for_selector(IDLE)
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_text(re.compile(r"Network: 3 → 8 → 8 → 2 neurons")).wait_for(timeout=10_000)
    pills.get_by_role("button", name="x1²", exact=True).click()  # the others stay chosen
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)
    page.get_by_text(re.compile(r"Network: 2 → 8 → 8 → 2 neurons")).wait_for(timeout=10_000)
    assert page.locator(".st-key-inside input").is_checked()  # the network view is on by default
    network = page.locator("[data-testid='stEChartsChart'][aria-label^='Inside the network']").first
    network.wait_for(timeout=10_000)
    assert page.locator("[data-testid='stException']").count() == 0
    network.screenshot(path=str(ARTIFACTS / "2d_features_network.png"))
