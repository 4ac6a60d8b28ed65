"""AppTest page tests for the images page (offline datasets; downloads tested in test_images.py)."""
import socket
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.data import images
from playground.data.catalog import IMAGE_DATASETS
from apptest_helpers import echarts_specs, notebook_cell_kinds, record_downloads, series_points

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "images.py")


def _app(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in state.items():
        at.session_state[f"images_{key}"] = value
    return at.run()


def _titles(at) -> list[str]:
    return [title for title, _, _ in echarts_specs(at)]


def _metric(at, label) -> str:
    return [m.value for m in at.metric if m.label == label][0]


def test_opens_on_mnist_offline_with_the_tutorial_mlp():
    at = _app()
    assert not at.exception
    assert at.selectbox(key="images_dataset").value == "mnist_5k"
    assert [at.number_input(key=f"images_width_{i}").value for i in range(2)] == [128, 64]
    assert at.selectbox(key="images_loss").value == "nll"
    assert any("Normalize((0.5,), (0.5,))" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table["output shape"]) == ["784", "128", "128", "64", "64", "10", "10"]
    titles = _titles(at)
    assert any(t.startswith("Test images") for t in titles) and any(t.startswith("Confusion") for t in titles)
    charts = {title.split(" ")[0]: spec for title, spec, _ in echarts_specs(at)}
    assert [g["type"] for g in charts["Test"]["graphic"]] == ["image"] * 8 and len(charts["Test"]["series"]) == 8
    counts = [cell["value"][2] if isinstance(cell, dict) else cell[2] for cell in charts["Confusion"]["series"][0]["data"]]
    assert len(counts) == 100 and sum(counts) == 1000  # every MNIST 5k test image in one of the 10 x 10 cells


def test_digits_train_and_show_mistakes_and_curves():
    at = _app(dataset="digits", optimizer="adam", lr=0.01, epochs=5)
    at.button(key="train").click().run()
    assert not at.exception
    assert "Finished 5 epochs" in at.success[0].value
    assert float(_metric(at, "Test accuracy").rstrip("%")) > 85
    titles = _titles(at)
    assert any("confident mistakes" in t or "No mistakes" in t for t in titles)
    alts = [alt for _, _, alt in echarts_specs(at)]
    assert sum(alt.startswith(("Test images", "Confusion matrix", "Most confident mistakes", "No mistakes")) and "epoch 5" in alt
               for alt in alts) == 3  # each live chart names the epoch it pictures
    curves = [spec for title, spec, _ in echarts_specs(at) if title.startswith("Loss")]
    assert [x for x, _ in series_points(curves[0], "train loss")] == [0, 1, 2, 3, 4, 5]


def test_cnn_builder_shows_the_layer_table_and_trains():
    at = _app(dataset="digits", n_blocks=1, conv_ch_0=8, conv_k_0=3, conv_pool_0=2, conv_drop_0=0.0, n_layers=1, width_0=32,
              optimizer="adam", lr=0.01, epochs=3, loss="cross_entropy")
    assert not at.exception
    shapes = list(at.dataframe[0].value["output shape"])
    assert shapes[:3] == ["8 x 8 x 8", "8 x 8 x 8", "8 x 4 x 4"] and "128" in shapes
    at.button(key="train").click().run()
    assert not at.exception and "Finished 3 epochs" in at.success[0].value


def test_a_pool_that_shrinks_the_image_away_is_refused_before_training():
    at = _app(dataset="digits", n_blocks=4, **{f"conv_pool_{i}": 2 for i in range(4)})
    assert not at.exception
    assert "below 1 pixel" in at.error[0].value
    assert not [b for b in at.button if b.key == "train"]


def test_an_oversized_network_is_refused_with_a_message():
    at = _app(n_layers=6, **{f"width_{i}": 1024 for i in range(6)})  # about 6 million weights
    assert not at.exception
    assert "weights, more than" in at.error[0].value
    assert not [b for b in at.button if b.key == "train"]


def test_download_datasets_offer_a_download_and_fail_fast_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    from torchvision import datasets

    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    at = _app(dataset="fashion_mnist")
    assert not at.exception
    assert "not on this machine yet" in at.info[0].value
    at.button(key="download_fashion_mnist").click().run(timeout=60)
    assert not at.exception
    assert "offline" in at.error[0].value and "MNIST (5,000 samples)" in at.error[0].value


@pytest.fixture
def no_network(tmp_path, monkeypatch):
    """An empty download cache, and any attempt to reach the network fails the test."""
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "empty-cache"))
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"network access: {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield calls
    assert calls == []  # an attempt caught inside the loader still fails the test


@pytest.mark.parametrize("name", ["digits", "mnist_5k"])
def test_offline_sets_are_available(name, no_network):
    spec = IMAGE_DATASETS[name]
    assert spec.offline and images.is_available(name)
    images._mnist_5k_raw.cache_clear()  # mnist_5k is parsed again here, with no network
    t = spec.load()
    assert t.shape == spec.shape and t.n_classes == spec.n_classes == 10
    assert len(t.X_train) > len(t.X_test) > 0 and t.X_train.dtype == np.uint8
    assert set(np.unique(t.y_train)) == set(np.unique(t.y_test)) == set(range(spec.n_classes))  # every class, both sides
    at = _app(dataset=name)  # the page offers Train at once, no Download
    assert not at.exception
    keys = [b.key for b in at.button]
    assert "train" in keys and f"download_{name}" not in keys


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_download_sets_are_not_available_in_an_empty_cache(name, no_network):
    assert not IMAGE_DATASETS[name].offline and not images.is_available(name)
    at = _app(dataset=name)
    assert not at.exception
    assert "not on this machine yet" in at.info[0].value and f"download_{name}" in [b.key for b in at.button]


def test_cnn_feature_maps_of_a_chosen_test_image():
    """A CNN's board shows what each conv block sees in the chosen image: the filters row, then a row per block."""
    at = _app(dataset="digits", n_blocks=2, conv_ch_0=6, conv_k_0=3, conv_pool_0=2, conv_drop_0=0.0, conv_ch_1=4,
              conv_k_1=3, conv_pool_1=1, conv_drop_1=0.0, n_layers=1, width_0=16, optimizer="adam", lr=0.01, epochs=1,
              loss="cross_entropy")
    at.button(key="train").click().run()
    assert not at.exception
    at.selectbox(key="cnn_image_digits").set_value(4).run()
    specs = {title: spec for title, spec, _ in echarts_specs(at)}
    title = next(t for t in specs if t.startswith("What the CNN sees in test image #4"))
    texts = [g["style"]["text"] for g in specs[title]["graphic"] if g["type"] == "text"]
    assert texts[0].startswith("Filters of conv block 1") and len(texts) == 3  # filters, block 1, block 2
    assert any(t.startswith("Test image #4") for t in specs)  # its probability bars beside


def test_the_code_of_an_mlp_as_script_and_notebook_and_not_yet_for_a_cnn(monkeypatch):
    offered = record_downloads(monkeypatch)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["images_dataset"] = "digits"
    at.session_state["take_images"] = True
    at.run()
    assert not at.exception
    assert {b.label for b in at.get("download_button")} == {"Download the script", "Download the notebook (.ipynb)"}
    assert notebook_cell_kinds(offered["dl_notebook"]) == ["markdown", "code"] * 7
    assert "skd.load_digits()" in offered["dl_script"] and any("nn.Flatten" in c.value for c in at.code)
    at.session_state["images_n_blocks"] = 1  # a CNN: said plainly, nothing offered
    at.run()
    assert not at.exception and not at.get("download_button") and not at.code
    assert any("does not cover conv blocks yet" in i.value for i in at.info)
