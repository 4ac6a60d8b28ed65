"""Real-browser test of the images page on MNIST offline: live training, image grid, drawing a digit."""
from conftest import ARTIFACTS, IDLE


def test_mnist_trains_live_and_a_drawn_digit_gets_probabilities(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 2600})
    page = context.new_page()
    page.goto(f"{server[0]}/images")
    page.wait_for_selector(IDLE, timeout=90_000)
    assert page.locator("h1").first.inner_text() == "Images"
    box = page.locator(".st-key-images_epochs input")
    box.fill("12")
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=/Epoch [1-9]/", timeout=30_000)  # live: the counter moves during the run
    page.screenshot(path=str(ARTIFACTS / "images_training.png"))
    page.wait_for_selector("text=Finished 12 epochs", timeout=120_000)
    page.wait_for_selector(IDLE)
    assert page.locator("text=Test images and the model's class probabilities").count() == 1
    assert page.locator("[class*='st-key-grid_'] .bars .point path").count() >= 80  # 8 images x 10 bars

    canvas = page.locator(".st-key-canvas canvas, canvas.upper-canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 140, box["y"] + 60
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 17):
        page.mouse.move(x, y + step * 11)
    page.mouse.up()
    page.wait_for_selector("text=/The model says \\d/", timeout=30_000)
    page.wait_for_selector(IDLE)
    page.screenshot(path=str(ARTIFACTS / "images_drawn.png"))
    context.close()
