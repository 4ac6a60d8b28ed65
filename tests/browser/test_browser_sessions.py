"""Real-browser test: two sessions at once never see each other's uploads, models or half-finished runs."""
import re

import numpy as np

from conftest import ARTIFACTS, IDLE, boundary_title, choose, settle

SEED = 613_577  # used by no other test: no finished run of these settings is in the shared store
EPOCHS = 1000


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    return page


def _set_number(page, key, value):
    box = page.locator(f".st-key-{key} input").first
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def _choose_upload(page):
    choose(page, "tabular_dataset", re.compile("Your CSV file"))


def _metric(page, label):
    box = page.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text()


def _epoch(page):
    text = page.locator("[data-testid='stProgress']").first.inner_text()
    return int(re.search(r"Epoch (\d+)", text).group(1))


def test_two_sessions_keep_uploads_and_runs_apart(browser, server, tmp_path):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(120, 2))
    path = tmp_path / "private.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{p:.3f},{q:.3f},{int(p > q)}" for p, q in X))

    a = _open(browser, f"{server[0]}/tabular")
    b = _open(browser, f"{server[0]}/tabular")
    for page in (a, b):
        page.wait_for_selector("h1:has-text('Tables and regression')", timeout=60_000)
        settle(page)
    try:
        # A uploads a CSV; B, on the same page with the upload option at the same time, has no file
        _choose_upload(a)
        a.locator(".st-key-tabular_csv_file [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
        a.wait_for_selector("text=Ready to train on 120 rows", timeout=30_000)
        _choose_upload(b)
        b.wait_for_selector("text=Upload a CSV file", timeout=30_000)
        assert b.locator(".st-key-tabular_csv_file", has_text="private.csv").count() == 0  # no file listed
        assert b.locator("text=private.csv").count() == 0
        assert b.locator("text=Ready to train").count() == 0
        assert a.locator(".st-key-tabular_csv_file", has_text="private.csv").count() == 1  # A still has its file
        assert b.locator("[data-testid='stException']").count() == 0

        # A trains the 2-D page with its own seed and stops mid-run
        a.goto(server[0])
        a.wait_for_selector(IDLE, timeout=60_000)
        _set_number(a, "epochs", EPOCHS)
        _set_number(a, "seed", SEED)
        a.locator(".st-key-train button").first.click()
        a.wait_for_function("document.querySelector(\"[data-testid='stProgress']\")?.innerText.match(/Epoch [1-9]/)",
                            timeout=30_000)
        a.locator(".st-key-stop button").first.click()
        a.wait_for_selector("text=Stopped after epoch", timeout=30_000)
        a.wait_for_selector(IDLE, timeout=30_000)
        stopped_at = _epoch(a)
        assert 0 < stopped_at < EPOCHS
        assert _metric(a, "Test accuracy") != "—"

        # B opens the very same settings: it sees an untrained network, not A's partial run or model
        b.goto(server[0])
        b.wait_for_selector(IDLE, timeout=60_000)
        _set_number(b, "epochs", EPOCHS)
        _set_number(b, "seed", SEED)
        b.wait_for_selector("text=Untrained network", timeout=30_000)
        assert b.locator("text=Stopped after epoch").count() == 0
        assert _epoch(b) == 0
        assert boundary_title(b) == "Decision boundary, epoch 0"
        assert _metric(b, "Test accuracy") == "—"
        assert not b.locator(".st-key-train button").first.is_disabled()
        b.screenshot(path=str(ARTIFACTS / "sessions_b_untrained.png"), full_page=True)

        # ...and A, meanwhile, still has its own stopped run
        a.wait_for_timeout(500)
        assert a.locator(f"text=Stopped after epoch {stopped_at}").count() == 1
        pictured = int(boundary_title(a).rsplit(" ", 1)[1])
        assert pictured == stopped_at  # the picture is of the epoch the status names (see test_browser_2d)
        for page in (a, b):
            assert page.locator("[data-testid='stException']").count() == 0
    finally:
        a.context.close()
        b.context.close()
