"""Real-browser test of the learning-rate finder on the 2-D page at 1280 x 720: Find draws the sweep in the sidebar,
Use sets the learning-rate slider, and the board stays on one screen, untrained."""
from conftest import ARTIFACTS, BOUNDARY, drawn_colours, settle

FINDER = "[data-testid='stEChartsChart'][aria-label^='Learning-rate finder']"


def _lr_shown(page) -> str:
    return page.locator(".st-key-lr [data-testid='stSliderThumbValue']").first.inner_text()


def test_find_a_learning_rate_and_use_it(projector):
    page = projector("?lr=0.00001")
    assert _lr_shown(page) == "1e-05"
    find = page.locator(".st-key-lr_find_2d button").first
    find.scroll_into_view_if_needed()
    find.click()
    page.wait_for_selector(FINDER, timeout=30_000)
    settle(page)
    chart = page.locator(FINDER).first
    chart.scroll_into_view_if_needed()
    assert drawn_colours(chart) > 10  # the curve and its marks are drawn, not a blank box
    suggested = chart.get_attribute("aria-label").split("suggested ")[1]
    use = page.locator(".st-key-lr_use_2d button").first
    assert use.inner_text() == f"Use lr = {suggested}"
    page.mouse.move(640, 700)  # no tooltip over the sidebar in the picture
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "2d_lr_finder.png"))
    use.click()
    settle(page)
    assert _lr_shown(page) == suggested
    assert page.locator(".st-key-lr_use_2d button").first.is_disabled()  # in use now
    assert page.locator(FINDER).count() == 1  # still shown, for these settings
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(BOUNDARY).first.bounding_box()  # the board has not moved off the projector's screen
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720
    assert page.get_by_text("Untrained network", exact=False).count() >= 1  # the sweep trained a copy, not this run
    page.screenshot(path=str(ARTIFACTS / "2d_lr_finder_used.png"))
