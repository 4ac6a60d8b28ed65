"""Real-browser test of the network view's interactions on the 2-D page (1280 x 720): hover a neuron for its map,
click it to see that map on the plane, click a weight's handle and set it. Screenshots go to artifacts/."""
import time

import numpy as np

from conftest import ARTIFACTS, IDLE, settle
from playground.app.boards.plane import NETWORK_HEIGHT, NETWORK_WIDTH
from playground.viz import network_charts

NETWORK = "[data-testid='stEChartsChart'][aria-label^='Inside the network']"
PLANE = "[data-testid='stEChartsChart'][aria-label*='the plane shaded by']"  # the plane, whatever it shows
NEURON_TITLE = "Layer 1, neuron 3's output"
SIZES = (2, 8, 8, 1)  # the default network: x1, x2 -> 8 -> 8 -> P(class 1)


def _positions() -> dict:
    """{series id: [(x, y) px of each item from the chart's top left]}, as the page lays the default network out."""
    grid = np.zeros((4, 2), dtype=np.float32)
    layers = [np.ones((n, 4)) for n in SIZES[1:-1]]
    weights = [np.ones((b, a)) for a, b in zip((2, 8, 8), (8, 8, 2))]
    option, _ = network_charts.network_option(grid, layers, np.full((2, 4), 0.5), weights, width=NETWORK_WIDTH[False],
                                              height=NETWORK_HEIGHT, selectable=True)
    return {s["id"]: [tuple(item["value"]) for item in s["data"]] for s in option["series"]}


def _plane_label(page) -> str:
    return page.locator(PLANE).first.get_attribute("aria-label").split(":")[0]


def _origin(page) -> dict:
    """Where the network view's canvas is on screen now (a click on a button below may have scrolled the page)."""
    return page.locator(f"{NETWORK} canvas").first.bounding_box()


def _hover(page, where) -> None:
    origin = _origin(page)
    page.mouse.move(origin["x"] + where[0], origin["y"] + where[1])


def _click(page, where, plane_title: str | None = None) -> float:
    """Click at a chart position and wait for the plane to be titled plane_title, if given, then for the script run
    to end; returns the seconds from the click to the new title (polled every 20 ms)."""
    origin = _origin(page)
    start = time.monotonic()
    page.mouse.click(origin["x"] + where[0], origin["y"] + where[1])
    if plane_title:
        page.wait_for_function(f"document.querySelector(\"{PLANE}\")?.getAttribute('aria-label')"
                               f".startsWith({plane_title!r} + ':')", timeout=10_000, polling=20)
    seconds = time.monotonic() - start
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=30_000)
    return seconds


def test_hover_click_a_neuron_and_set_a_weight(projector):
    page = projector("?epochs=3&seed=4646")
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 3 epochs", timeout=60_000)
    settle(page)
    spots = _positions()
    targets = network_charts.neuron_targets(SIZES)
    neuron = spots[network_charts.NEURONS][targets.index((1, 2))]  # layer 1, neuron 3
    tip = page.locator(f"{NETWORK} img[src^='data:image/png']").first
    for attempt in range(3):  # the view is drawn anew (keyed, clickable) when training ends: a hover then may miss
        page.mouse.move(0, 0)
        _hover(page, neuron)  # hover: the neuron's map, large, in a tooltip
        try:
            tip.wait_for(state="visible", timeout=4_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: hover again once the chart has settled
            if attempt == 2:
                raise
            settle(page)
    assert page.locator(NETWORK).get_by_text("layer 1, neuron 3").first.is_visible()
    assert tip.evaluate("img => img.complete && img.naturalWidth") == network_charts.TIP_RESOLUTION  # decoded, not sanitized away
    assert tip.bounding_box()["width"] == network_charts.TIP_PX
    page.screenshot(path=str(ARTIFACTS / "network_hover.png"))

    latency = _click(page, neuron, NEURON_TITLE)  # click: its map on the plane
    assert latency < 5
    back = page.get_by_role("button", name="Back to the output")
    assert back.count() == 1
    page.screenshot(path=str(ARTIFACTS / "network_neuron_on_plane.png"))
    back_latency = _click(page, neuron, "Decision boundary, epoch 3")  # the same neuron again: back to the output
    assert back.count() == 0
    _click(page, neuron, NEURON_TITLE)
    back.click()
    settle(page)
    assert _plane_label(page) == "Decision boundary, epoch 3"

    handle = spots[network_charts.WEIGHTS][network_charts.weight_targets(SIZES).index((0, 1, 0))]  # x1 -> layer 1, neuron 2
    _hover(page, handle)
    page.locator(NETWORK).get_by_text("x1 → layer 1, neuron 2").first.wait_for(state="visible", timeout=5_000)
    _click(page, handle)
    box = page.get_by_role("spinbutton", name="Weight from x1 to layer 1, neuron 2")
    box.wait_for(timeout=10_000)
    before = page.locator(PLANE).first.screenshot()
    box.fill("4.5")
    box.press("Enter")
    settle(page)
    page.get_by_text("Some weights were set by hand").wait_for(timeout=10_000)
    assert float(page.get_by_role("spinbutton", name="Weight from x1 to layer 1, neuron 2").input_value()) == 4.5
    assert page.locator(PLANE).first.screenshot() != before  # the boundary follows the edited network
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "network_weight_set.png"))
    print(f"click to the plane's new title: {latency:.2f} s (a neuron), {back_latency:.2f} s (clicked again)")
