"""Take it with you: share links (with a classroom option), settings JSON, weights, the code tab."""
import io
import pickle
import re
import subprocess
import sys
from pathlib import Path

import torch
from streamlit.testing.v1 import AppTest

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.teaching.export import settings_json
from apptest_helpers import notebook_cell_kinds, record_downloads

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
LINKED = Config(
    DataConfig("spiral", 400, 0.1, 0.25, 3, 9), ModelConfig((12, 6), "relu", True, 0.1), TrainConfig("rmsprop", 0.003, 32, 40, 0.001, seed=4)
)


def _app(query=None) -> AppTest:
    """The app with "Take it with you" open (it is filled only while open)."""
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.session_state["take_2d"] = True
    return at.run()


def test_take_it_with_you_is_empty_until_opened():
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception and not at.code and not at.get("download_button")
    at.session_state["take_2d"] = True
    at.run()
    assert any("nn.Sequential" in c.value for c in at.code) and at.get("download_button")


NOTEBOOK_KINDS = ["markdown", "code"] * 7  # title and imports, then settings, data, model, loss and optimizer, loop, plots


def test_the_code_tab_offers_the_script_and_the_notebook(monkeypatch):
    offered = record_downloads(monkeypatch)
    at = _app(LINKED.to_query())
    assert not at.exception
    assert {b.label for b in at.get("download_button")} >= {"Download the script", "Download the notebook (.ipynb)"}
    assert notebook_cell_kinds(offered["dl_notebook"]) == NOTEBOOK_KINDS
    assert "# spiral: 2-12-6-3 network" in offered["dl_notebook"] and "lr = 0.003" in offered["dl_notebook"]


def _shown(at) -> dict:
    return {
        "dataset": at.selectbox(key="dataset").value, "n_classes": at.slider(key="n_classes_spiral").value,
        "n_samples": at.slider(key="n_samples").value, "noise": at.slider(key="noise").value,
        "hidden": (at.number_input(key="width_0").value, at.number_input(key="width_1").value),
        "optimizer": at.selectbox(key="optimizer").value, "lr": at.select_slider(key="lr").value,
        "batchnorm": at.checkbox(key="batchnorm").value, "seed": at.number_input(key="seed").value,
    }


def test_a_share_link_restores_every_setting():
    at = _app(LINKED.to_query())
    assert not at.exception
    assert _shown(at) == {
        "dataset": "spiral", "n_classes": 3, "n_samples": 400, "noise": 0.1, "hidden": (12, 6), "optimizer": "rmsprop",
        "lr": 0.003, "batchnorm": True, "seed": 4,
    }
    link = [c.value for c in at.code if "?" in c.value and "dataset=spiral" in c.value]
    assert link and "lr=0.003" in link[0]


def test_a_classroom_link_hides_the_chosen_controls_but_keeps_their_values():
    at = _app({**LINKED.to_query(), "hide": "optimizer,lr"})
    assert not at.exception
    keys = {w.key for w in [*at.selectbox, *at.select_slider]}
    assert "optimizer" not in keys and "lr" not in keys and "activation" in keys
    at.button(key="train").click().run()  # trains with the link's hidden values
    run = next(iter(at.session_state["runs"].values()))
    assert (run.cfg.train.optimizer, run.cfg.train.lr) == ("rmsprop", 0.003)


def test_a_bad_link_warns_and_falls_back_to_defaults():
    at = _app({"lr": "fast"})
    assert not at.exception
    assert "could not be used" in at.warning[0].value
    assert at.select_slider(key="lr").value == Config().train.lr


def test_settings_json_upload_restores_the_widgets():
    at = _app()
    at.get("file_uploader")[0].set_value(("settings.json", settings_json(LINKED).encode(), "application/json")).run()
    assert not at.exception
    assert "Settings restored." in [s.value for s in at.success]
    assert _shown(at)["optimizer"] == "rmsprop" and _shown(at)["hidden"] == (12, 6)


def test_weights_upload_accepts_its_own_and_refuses_hostile_or_foreign_files():
    at = _app()
    run = next(iter(at.session_state["runs"].values()))
    good = io.BytesIO()
    torch.save({k: torch.ones_like(v) for k, v in run.model.state_dict().items()}, good)

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    hostile = pickle.dumps(Evil())
    foreign = io.BytesIO()
    torch.save({"layer.weight": torch.zeros(3, 3)}, foreign)
    for raw, words in ((hostile, "cannot be used"), (foreign.getvalue(), "cannot be used"), (good.getvalue(), "Weights loaded")):
        at.get("file_uploader")[1].set_value(("w.pt", raw, "application/octet-stream")).run()  # fresh element each run
        assert not at.exception
        messages = [m.value for m in [*at.error, *at.success]]
        assert any(words in m for m in messages), (words, messages)
    run = next(iter(at.session_state["runs"].values()))
    assert all(torch.all(p == 1) for p in run.model.parameters())


def test_the_code_tab_shows_a_runnable_script(tmp_path):
    at = _app({"epochs": "5"})
    at.button(key="train").click().run()
    source = [c.value for c in at.code if "nn.Sequential" in c.value]
    assert source and "optimizer.zero_grad()" in source[0] and "parser.add_argument('--epochs', type=int, default=5," in source[0]
    path = tmp_path / "from_the_page.py"
    path.write_text(source[0])
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    final = float(re.search(r"final test loss: ([\d.e+-]+)", out.stdout).group(1))
    shown = float(next(m.value for m in at.metric if m.label == "Test loss"))
    assert abs(final - shown) <= 0.0005 + 1e-9  # the script the page shows trains the run the page shows
