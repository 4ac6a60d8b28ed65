"""The exported notebook: valid nbformat in the tutorial's sections, standalone, and executed in a real Jupyter
kernel it reproduces the app's final test loss (as the script does, tests/unit/test_export.py)."""
import re

import nbformat
import pytest
import torch
from nbclient import NotebookClient

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.tables import load_dataset
from playground.engine.run import Run
from playground.teaching.export import script
from playground.teaching.notebook import notebook

CASES = {  # few epochs each: seconds of training
    "2d-spiral-bn-dropout": Config(
        DataConfig("spiral", n_samples=300, noise=0.1, n_classes=3, random_state=4),
        ModelConfig((16, 16), "relu", batchnorm=True, dropout=0.2, features=("x1", "x2", "sin_x1")),
        TrainConfig("momentum", 0.03, 10, 4, 1e-4, "cross_entropy", 3, l1=0.001),
    ),
    "2d-plane-regression": Config(DataConfig("tf_plane", 300, 0.1, 0.5, 0), ModelConfig((4,)), TrainConfig("sgd", 0.03, 10, 3, loss="mse")),
    "table-iris-standardised": Config(
        DataConfig("iris", test_fraction=0.3, random_state=2, standardize=True),
        ModelConfig((8,), "gelu"),
        TrainConfig("adamw", 0.01, 8, 5, loss="nll", seed=5),
    ),
    "images-digits-mlp": Config(DataConfig("digits"), ModelConfig((32,), "relu", dropout=0.1), TrainConfig("adam", 0.003, 64, 3, seed=1)),
}
SECTIONS = ["Settings", "Data", "Model", "Loss and optimizer", "Training loop", "Plots"]
BLOCK_PLAYGROUND = "import sys\nsys.modules['playground'] = None  # any import of the playground now fails: the notebook stands alone"


def _trained(cfg):
    data = load_dataset(cfg.data)
    run = Run(cfg, data)
    for _ in run.snapshots():
        pass
    return run, data


def _book(cfg, data):
    book = nbformat.reads(notebook(cfg, data.n_features, data.n_classes), as_version=4)
    nbformat.validate(book)
    return book


def _outputs(book, kind: str) -> list:
    return [out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == kind]


@pytest.mark.parametrize("name", CASES)
def test_the_notebook_run_in_a_fresh_kernel_reproduces_the_apps_final_test_loss(name, tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # importing streamlit sets Agg, which a kernel would inherit: no plots
    monkeypatch.setenv("OMP_NUM_THREADS", str(torch.get_num_threads()))  # the app's thread count: same sums, any machine
    run, data = _trained(CASES[name])
    book = _book(CASES[name], data)
    book.cells.insert(0, nbformat.v4.new_code_cell(BLOCK_PLAYGROUND))
    NotebookClient(book, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(out.text for out in _outputs(book, "stream") if out.name == "stdout")
    final = float(re.search(r"final test loss: ([\d.e+-]+)", printed).group(1))
    assert final == pytest.approx(run.history.test_loss[-1], rel=1e-4, abs=1e-6)
    assert len(re.findall(r"^epoch \d+: test loss", printed, flags=re.M)) == CASES[name].train.epochs
    pictures = [out for out in _outputs(book, "display_data") if "image/png" in out.data]
    assert len(pictures) == (1 if name.startswith("table") else 2)  # loss curves, then the boundary or the test images
    assert not _outputs(book, "error")


@pytest.mark.parametrize("name", CASES)
def test_the_notebook_is_the_scripts_code_in_the_tutorials_sections(name):
    cfg = CASES[name]
    data = load_dataset(cfg.data)
    book = _book(cfg, data)
    kinds = [cell.cell_type for cell in book.cells]
    assert kinds[:2] == ["markdown", "code"] and kinds[2:] == ["markdown", "code"] * len(SECTIONS)
    assert book.cells[0].source.startswith("# " + cfg.data.dataset)
    headings = [cell.source.splitlines()[0] for cell in book.cells[2::2]]
    assert headings == [f"## {section}" for section in SECTIONS]
    code = "\n".join(cell.source for cell in book.cells if cell.cell_type == "code")
    assert "argparse" not in code and "args." not in code and not re.search(r"^\s*(import|from) playground", code, re.M)
    settings = dict(line.split(" = ", 1) for line in book.cells[3].source.splitlines())
    assert settings["epochs"].startswith(f"{cfg.train.epochs}  #") and settings["lr"].startswith(f"{cfg.train.lr!r}  #")
    rest = "\n".join(cell.source for cell in book.cells[4:] if cell.cell_type == "code")
    assert all(re.search(rf"\b{name}\b", rest) for name in settings)  # every setting is read below it
    # the script's lines, with plain variables for its options: the two cannot drift apart
    lines = {line.strip() for line in script(cfg, data.n_features, data.n_classes).splitlines() if "args." in line}
    assert {line.replace("args.", "") for line in lines if "parser" not in line} <= {line.strip() for line in code.splitlines()}


def test_the_notebook_refuses_what_the_script_refuses():
    for dataset in ("pima", "mnist"):
        with pytest.raises(ValueError, match="does not cover"):
            notebook(Config(DataConfig(dataset)), 8, 2)
