"""The learning-rate finder on the 2-D and tables pages: the button sweeps, the chart marks the suggestion, Use sets
the learning-rate widget, and the run on the page is untouched."""
from pathlib import Path

import torch
from streamlit.testing.v1 import AppTest

from apptest_helpers import echarts_specs, run_app
from playground import config as C

ROOT = Path(__file__).resolve().parents[2]
PAGE_2D = str(ROOT / "pages" / "playground_2d.py")  # the page itself: through streamlit_app.py AppTest loses a sidebar button's click


def _finder_chart(at) -> tuple[dict, str] | None:
    return next(((spec, alt) for _, spec, alt in echarts_specs(at) if alt.startswith("Learning-rate finder")), None)


def _weights(at) -> dict:
    run = at.session_state["runs"].values()[-1]
    return {k: v.clone() for k, v in run.model.state_dict().items()}


def _find_and_use(at, page: str, lr_key: str) -> float:
    """Press Find, check the chart and its suggestion, press Use; returns the suggestion."""
    assert _finder_chart(at) is None
    before = _weights(at)
    at.button(key=f"lr_find_{page}").click().run()
    assert not at.exception
    spec, alt = _finder_chart(at)
    curve = spec["series"][0]
    assert spec["xAxis"]["type"] == "log" and spec["xAxis"]["name"].startswith("learning rate")
    suggestion = curve["markLine"]["data"][0]["xAxis"]
    assert suggestion in C.LR_STEPS and f"suggested {suggestion:g}" in alt
    assert curve["markLine"]["data"][0]["label"]["formatter"] == f"suggested {suggestion:g}"
    lrs = [x for x, _ in curve["data"]]
    assert lrs == sorted(lrs) and lrs[0] <= suggestion <= lrs[-1]
    after = _weights(at)
    assert all(torch.equal(before[k], after[k]) for k in before)  # the page's network is untouched
    assert at.session_state["runs"].values()[-1].snapshot is None  # and still untrained
    use = at.button(key=f"lr_use_{page}")
    assert use.label == f"Use lr = {suggestion:g}"
    use.click().run()
    assert not at.exception
    assert at.select_slider(key=lr_key).value == suggestion
    assert _finder_chart(at) is not None  # the result is kept for these settings: shown again, not recomputed
    assert at.button(key=f"lr_use_{page}").disabled  # already in use
    return suggestion


def test_2d_page_finds_a_learning_rate_and_use_sets_the_widget():
    at = run_app(PAGE_2D, {"lr": 0.00001})
    assert at.button(key="lr_find_2d").label == "Find a learning rate"
    suggestion = _find_and_use(at, "2d", "lr")
    assert suggestion > 0.00001
    at.button(key="train").click().run()  # the run with the suggestion trains as any other
    assert not at.exception and at.session_state["runs"].values()[-1].cfg.train.lr == suggestion


def test_tables_page_finds_a_learning_rate():
    at = run_app(str(ROOT / "pages" / "tabular.py"), {"dataset": "iris", "lr": 0.00001}, prefix="tabular_")
    _find_and_use(at, "tabular", "tabular_lr")


def test_an_untrainable_network_gets_a_message_not_a_suggestion():
    at = run_app(PAGE_2D, {"init": "zeros", "activation": "relu"})
    at.button(key="lr_find_2d").click().run()
    assert not at.exception
    assert any("hardly fell" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "lr_use_2d"]


def _finder_alone():
    """The finder by itself, with a result for the default settings, while the 2-D page trains."""
    import streamlit as st

    from playground.app.lr_finder import lr_finder
    from playground.config import Config
    from playground.data.tables import load_dataset

    cfg = Config().replace(lr=0.00001)
    st.session_state.training = st.session_state.get("training_now", False) and "2d"
    lr_finder("2d", cfg, load_dataset(cfg.data))


def test_the_finder_is_disabled_while_training():
    at = AppTest.from_function(_finder_alone, default_timeout=60).run()
    at.button(key="lr_find_2d").click().run()
    assert not at.button(key="lr_find_2d").disabled and not at.button(key="lr_use_2d").disabled
    at.session_state["training_now"] = True
    at.run()
    assert at.button(key="lr_find_2d").disabled and at.button(key="lr_use_2d").disabled
    assert at.get("echarts_chart")  # the last result stays in view


def test_images_page_finds_a_learning_rate_for_an_mlp_on_digits():
    at = run_app(str(ROOT / "pages" / "images.py"), {"dataset": "digits", "optimizer": "adam", "lr": 0.00001},
                 prefix="images_")
    assert not at.exception
    _find_and_use(at, "images", "images_lr")
