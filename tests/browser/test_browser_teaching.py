"""Real-browser tests of the teaching tools: replay, inside view, code export, share link, optimizer race."""
import re
import time
from urllib.parse import urlencode

from conftest import ARTIFACTS, IDLE, boundary_title, drawn_colours

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.tables import load_dataset
from playground.teaching.export import script, settings_from_json, settings_json


def _settle(page):
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def _open(browser, url: str, height: int = 1600):
    """A new session (browser context) on url, waited until its first script run is over."""
    page = browser.new_context(viewport={"width": 1400, "height": height}).new_page()
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    return page


def _number(page, key, value):
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Enter")
    _settle(page)


def _download(page, key, path):
    """Click the download button with widget key `key`; the file it gives, saved at path."""
    with page.expect_download() as download:
        page.locator(f".st-key-{key} button").first.click()
    download.value.save_as(path)
    return path


def test_replay_inside_view_and_code_download(page, server, tmp_path):
    _number(page, "epochs", 40)
    _number(page, "seed", 777)
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 40 epochs", timeout=60_000)
    _settle(page)
    # replay: drag the slider to the far left (epoch 0)
    slider = page.locator("[class*='st-key-replay_2d_'] input[type='range']").first
    slider.focus()
    page.keyboard.press("Home")
    _settle(page)
    page.wait_for_selector("text=Replay: the network after epoch 0 of 40")
    assert boundary_title(page) == "Decision boundary, epoch 0"
    # Play animates from there to the end; the slider then stands at the last epoch too
    page.locator(".st-key-play_2d button").first.click()
    page.wait_for_selector("text=Finished 40 epochs", timeout=60_000)
    _settle(page)
    replay = page.locator("[class*='st-key-replay_2d_']").first
    assert replay.locator("input[type='range']").first.get_attribute("aria-valuetext") == "40", replay.inner_text()
    slider = replay.locator("input[type='range']").first
    slider.focus()
    page.keyboard.press("Home")
    _settle(page)
    page.wait_for_selector("text=Replay: the network after epoch 0 of 40")
    assert page.locator(".st-key-inside input").is_checked()  # the network view is on by default
    network = page.locator("[data-testid='stEChartsChart'][aria-label^='Inside the network after epoch 0:'] canvas")
    assert network.count() == 1  # the view of the replayed epoch, drawn by ECharts
    page.screenshot(path=str(ARTIFACTS / "teaching_replay_inside.png"), full_page=True)
    page.get_by_text("Take it with you").click()
    source = _download(page, "dl_script", tmp_path / "script.py").read_text()
    page.get_by_role("tab", name="Files").click()
    cfg = settings_from_json(_download(page, "dl_settings", tmp_path / "settings.json").read_text())
    assert (cfg.train.epochs, cfg.train.seed) == (40, 777)  # the settings typed above...
    data = load_dataset(cfg.data)
    assert source == script(cfg, data.n_features, data.n_classes)  # ...and the download is the script of exactly these


def test_a_classroom_link_opens_with_its_settings_and_hidden_controls(browser, server, tmp_path):
    cfg = Config(DataConfig("xor", 300, 0.1), ModelConfig((6, 6), "relu"), TrainConfig("adagrad", 0.1, 16, 30, seed=5))
    page = _open(browser, f"{server[0]}/?{urlencode({**cfg.to_query(), 'hide': 'optimizer,lr'})}", height=1200)
    page.wait_for_selector("h1:has-text('2-D playground')")
    # a page's first run on a fresh server is followed by a second one (ensure_navigation): wait for the settled values
    from playwright.sync_api import expect  # imported here: without playwright the fixtures skip (or fail in CI)

    expect(page.locator(".st-key-dataset input").first).to_have_value("XOR", timeout=20_000)
    expect(page.locator(".st-key-width_0 input")).to_have_value("6", timeout=20_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "teaching_link.png"), full_page=True)
    assert page.locator(".st-key-optimizer").count() == 0 and page.locator(".st-key-lr").count() == 0
    page.get_by_text("Take it with you").click()
    page.get_by_role("tab", name="Files").click()
    assert settings_from_json(_download(page, "dl_settings", tmp_path / "settings.json").read_text()) == cfg  # every setting
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 30 epochs", timeout=60_000)
    page.context.close()


def _race_epoch(page) -> int | None:
    """The epoch the race's progress bar shows ("Epoch N / M"), or None while there is none."""
    bar = page.locator("[data-testid='stProgress']")
    found = re.search(r"Epoch (\d+) /", bar.first.inner_text()) if bar.count() else None
    return int(found.group(1)) if found else None


def test_optimizer_race_runs_live_in_the_browser(browser, server):
    page = _open(browser, f"{server[0]}/race")
    _number(page, "race_epochs", 1000)  # a long race: watched while it runs, then stopped
    page.get_by_role("button", name=re.compile("^Race")).first.click()
    seen, deadline = [], time.monotonic() + 60
    while len(set(seen)) < 3 and time.monotonic() < deadline:  # the epoch shown climbs, frame after frame
        epoch = _race_epoch(page)
        if epoch is not None:
            seen.append(epoch)
        page.wait_for_timeout(100)
    assert len(set(seen)) >= 3 and seen == sorted(seen), seen
    page.locator(".st-key-race_stop button").first.click()
    page.wait_for_selector("text=/Stopped after epoch \\d+/", timeout=30_000)
    _settle(page)
    stopped = int(re.search(r"Stopped after epoch (\d+)", page.get_by_text(re.compile("Stopped after epoch")).first.inner_text()).group(1))
    assert max(seen) <= stopped < 1000  # stopped mid-race, keeping every epoch raced so far
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "teaching_race.png"), full_page=True)
    page.context.close()


def _lanes_at(page, epoch: int) -> None:
    """Wait until both of the mistake lab's boundaries picture `epoch` (their accessible names: "correct loop · epoch 3: ...")."""
    for lane in ("correct loop", "with the mistake"):
        page.wait_for_selector(f"[data-testid='stEChartsChart'][aria-label^='{lane} · epoch {epoch}:']", timeout=30_000)


def test_mistake_lab_races_the_buggy_loop_beside_the_correct_one(browser, server):
    page = _open(browser, f"{server[0]}/mistakes")
    _lanes_at(page, 0)  # untrained, side by side
    page.get_by_role("button", name=re.compile("^Run")).first.click()
    page.wait_for_selector("text=/Finished after epoch \\d+/", timeout=120_000)
    _settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    epochs = int(re.search(r"Finished after epoch (\d+)", page.get_by_text(re.compile("Finished after epoch")).first.inner_text()).group(1))
    assert epochs > 0
    _lanes_at(page, epochs)  # both lanes raced to the end
    page.wait_for_selector(f"[data-testid='stEChartsChart'][aria-label^='Loss and test accuracy of both loops up to epoch {epochs}']")
    for lane in ("correct loop", "with the mistake"):  # each lane measured on the test points
        value = page.locator("[data-testid='stMetric']", has_text=f"Test accuracy, {lane}").first
        assert value.locator("[data-testid='stMetricValue']").inner_text().endswith("%")
    page.screenshot(path=str(ARTIFACTS / "teaching_mistakes.png"), full_page=True)
    page.context.close()


def test_settings_and_weights_files_round_trip_in_the_browser(page, server, tmp_path):
    cfg = Config(DataConfig("circles", 300, 0.1), ModelConfig((5,), "sigmoid"), TrainConfig("adamw", 0.01, 32, 20, seed=8))
    settings = tmp_path / "settings.json"
    settings.write_text(settings_json(cfg))
    page.get_by_text("Take it with you").click()
    page.get_by_role("tab", name="Files").click()
    page.locator(".st-key-up_settings_2d [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(settings))
    page.wait_for_selector("text=Settings restored.", timeout=30_000)
    _settle(page)
    assert page.locator(".st-key-dataset input").first.input_value() == "Circles"
    assert page.locator(".st-key-width_0 input").input_value() == "5"
    with page.expect_download() as download:
        page.locator(".st-key-dl_weights button").first.click()
    weights = tmp_path / "weights.pt"
    download.value.save_as(weights)
    page.get_by_role("tab", name="Files").click()
    page.locator(".st-key-up_weights_2d [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(weights))
    page.wait_for_selector("text=Weights loaded", timeout=30_000)
    hostile = tmp_path / "evil.pt"
    hostile.write_bytes(b"\x80\x04\x95not a state dict")
    page.locator(".st-key-up_weights_2d [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(hostile))
    page.wait_for_selector("text=cannot be used", timeout=30_000)


LANDSCAPE = "[data-testid='stEChartsChart'][aria-label^='Loss landscape:']"


def test_a_finished_race_shows_its_loss_landscape(browser, server):
    page = _open(browser, f"{server[0]}/race")
    _number(page, "race_epochs", 15)
    assert page.locator(LANDSCAPE).count() == 0
    page.get_by_role("button", name=re.compile("^Race")).first.click()
    page.wait_for_selector("text=/Race finished after 15 epochs/", timeout=60_000)
    chart = page.locator(LANDSCAPE).first
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    label = chart.get_attribute("aria-label")
    assert "with the path of each optimizer" in label and re.search(r"loss \d\.\d+ at the centre", label), label
    assert drawn_colours(chart) > 50  # shading, contour lines and two coloured paths, not a blank box
    assert page.get_by_text(re.compile(r"This slice: \d+ × \d+ losses, computed in \d\.\d\d s")).count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    chart.screenshot(path=str(ARTIFACTS / "race_landscape.png"))
    page.context.close()


def test_the_2d_page_shows_a_runs_loss_landscape_after_training(projector):
    page = projector("?landscape=true&epochs=20")
    page.get_by_text("The loss landscape appears when the run has finished.").wait_for(timeout=30_000)
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=Finished 20 epochs", timeout=60_000)
    chart = page.locator(LANDSCAPE).first
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert "the path of the run" in chart.get_attribute("aria-label")
    assert drawn_colours(chart) > 50
    page.screenshot(path=str(ARTIFACTS / "2d_landscape.png"))


def test_training_health_draws_each_layer_live_on_the_2d_page(projector):
    page = projector("?health=true&hidden=6,6&activation=tanh&epochs=200")  # seconds long: frames mid-run
    health = "[data-testid='stEChartsChart'][aria-label^='Training health']"
    ratios = "[data-testid='stEChartsChart'][aria-label^='Each hidden layer']"
    page.locator(".st-key-train button").first.click()
    page.wait_for_selector("text=/Epoch ([1-9]|[1-9][0-9]|1[0-9][0-9]) \\/ 200/", timeout=60_000)  # while it trains
    page.locator(health).first.wait_for(timeout=30_000)
    page.wait_for_selector("text=Finished 200 epochs", timeout=120_000)
    for chart in (page.locator(health).first, page.locator(ratios).first):
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        assert drawn_colours(chart) > 20  # histograms and lines, not a blank box
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "2d_health.png"))


def test_run_history_lists_compares_and_restores_runs(projector):
    page = projector("?epochs=8&seed=21")
    for _ in range(2):  # two runs: the second with new weights (Reset picks another seed)
        page.locator(".st-key-train button").first.click()
        page.wait_for_selector("text=Finished 8 epochs", timeout=60_000)
        _settle(page)
        page.locator(".st-key-reset button").first.click()
        _settle(page)
    page.get_by_text("Run history: 2 finished runs this session").first.click()
    _settle(page)
    overlay = page.locator("[data-testid='stEChartsChart'][aria-label^='Loss curves of runs 1, 2']").first
    overlay.wait_for(timeout=30_000)
    overlay.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert drawn_colours(overlay) > 20
    page.locator(".st-key-history_restore_button_2d button").first.click()  # back to run 2's settings
    page.wait_for_selector("text=Run 2's settings restored.", timeout=30_000)
    _settle(page)
    assert page.get_by_text("Finished 8 epochs").count() >= 1  # kept: shown at once, not trained again
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "2d_run_history.png"))
