"""Real-browser test of the images page on MNIST offline: live training, image grid, drawing a digit."""
from conftest import ARTIFACTS, IDLE, drawn_colours, settle

GRID = "[data-testid='stEChartsChart'][aria-label^='Test images and the model']"
# Pixels of the grid's canvases (ECharts may draw in several) below its title and subtitle (image_charts.TITLE_TOP):
# near-black ones are the MNIST images' background, green ones (#2ca02c) the bars of the true classes.
PIXELS = """
sel => {
  let black = 0, green = 0;
  for (const c of document.querySelector(sel).querySelectorAll('canvas')) {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 4 * c.width * Math.round(48 * devicePixelRatio); i < d.length; i += 4) {
      if (d[i + 3] < 200) continue;
      if (d[i] < 30 && d[i + 1] < 30 && d[i + 2] < 30) black++;
      if (Math.abs(d[i] - 44) < 25 && Math.abs(d[i + 1] - 160) < 25 && Math.abs(d[i + 2] - 44) < 25) green++;
    }
  }
  return [black, green, devicePixelRatio];
}
"""


EPOCHS = 40  # long enough (several seconds) for frames of the run in progress: the page redraws once a second


def test_mnist_trains_live_and_a_drawn_digit_gets_probabilities(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 2600})
    page = context.new_page()
    page.goto(f"{server[0]}/images")
    page.wait_for_selector(IDLE, timeout=90_000)
    assert page.locator("h1").first.inner_text() == "Images"
    box = page.locator(".st-key-images_epochs input")
    box.fill(str(EPOCHS))
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)
    page.locator(".st-key-train button").first.click()
    # live: a frame of the run in progress (an epoch before the last), not only the finished one
    page.wait_for_selector(f"text=/Epoch ([1-9]|[1-3][0-9]) \\/ {EPOCHS}/", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "images_training.png"))
    page.wait_for_selector(f"text=Finished {EPOCHS} epochs", timeout=120_000)
    page.wait_for_selector(IDLE)
    assert page.locator(GRID).count() == 1
    page.wait_for_selector(f"{GRID}[aria-label*='epoch {EPOCHS}:']")  # the finished run's frame
    page.wait_for_selector(f"[data-testid='stEChartsChart'][aria-label^='Confusion matrix (test), epoch {EPOCHS}:']")
    page.locator(GRID).scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # ECharts draws the decoded images on its next frame
    black, green, ratio = page.evaluate(PIXELS, GRID)
    assert black > 8 * 0.5 * 56 * 56 * ratio**2  # eight 28 x 28 images drawn twice as large, mostly black
    assert green > 8 * 20 * ratio**2  # a green bar beside each of them: its true class

    canvas = page.locator(".st-key-canvas canvas, canvas.upper-canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 140, box["y"] + 60
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 17):
        page.mouse.move(x, y + step * 11)
    page.mouse.up()
    page.wait_for_selector("[data-testid='stEChartsChart'][aria-label^='The model says']", timeout=30_000)
    page.wait_for_selector(IDLE)
    page.screenshot(path=str(ARTIFACTS / "images_drawn.png"))
    context.close()


def test_a_cnn_shows_what_it_sees_in_a_test_image(projector):
    """MNIST through one conv block: the filters and the block's channels as small pictures, beside the bars."""
    page = projector("/images")
    for key, value in (("images_n_blocks", 1), ("images_epochs", 2)):
        box = page.locator(f".st-key-{key} input")
        box.fill(str(value))
        box.press("Enter")
        settle(page)
    sees = "[data-testid='stEChartsChart'][aria-label^='What the CNN sees in test image']"
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 2 epochs", timeout=90_000)
    page.wait_for_selector(f"{sees}[aria-label*='epoch 2:']", timeout=30_000)  # the finished run's frame (it may
    chart = page.locator(sees).first  # come a moment after the status line)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # ECharts draws the decoded pictures on its next frame
    assert drawn_colours(chart) > 30
    assert page.locator("[data-testid='stEChartsChart'][aria-label^='Test image #']").count() >= 1  # its bars beside
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "images_cnn_sees.png"))


def test_the_code_of_the_mnist_mlp_downloads_as_a_script_and_a_notebook(browser, server, tmp_path):
    import nbformat

    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.goto(f"{server[0]}/images")
    page.wait_for_selector(IDLE, timeout=90_000)
    page.get_by_text("Take it with you: the code").click()
    page.wait_for_selector(".st-key-dl_notebook button", timeout=30_000)
    files = {}
    for key, name in (("dl_script", "playground_run.py"), ("dl_notebook", "playground_run.ipynb")):
        with page.expect_download() as download:
            page.locator(f".st-key-{key} button").first.click()
        download.value.save_as(tmp_path / name)
        files[key] = (tmp_path / name).read_text()
    book = nbformat.reads(files["dl_notebook"], as_version=4)
    nbformat.validate(book)
    assert [c.cell_type for c in book.cells] == ["markdown", "code"] * 7
    assert "mnist_data()" in files["dl_script"] and "mnist_data()" in book.cells[5].source  # the page's MNIST 5,000
    assert book.cells[0].source.splitlines()[0] == "# " + files["dl_script"].splitlines()[0].strip('"')  # one title
    page.screenshot(path=str(ARTIFACTS / "images_code.png"))
    context.close()
