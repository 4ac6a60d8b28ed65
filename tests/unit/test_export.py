"""The exported script reproduces the app's run; settings survive JSON."""
import os
import re
import subprocess
import sys

import pytest
import torch

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.tables import load_dataset
from playground.config import SETTINGS
from playground.teaching.export import script, settings_from_json, settings_json
from playground.engine.run import Run

CASES = {
    "moons-adam": Config().replace(epochs=8),
    "spiral-bn-dropout-sgd": Config(
        DataConfig("spiral", n_samples=300, noise=0.1, n_classes=3, random_state=4),
        ModelConfig((16, 16), "relu", batchnorm=True, dropout=0.2),
        TrainConfig("momentum", 0.03, 10, 6, 1e-4, "cross_entropy", 3),
    ),
    "linear-mse-no-bias": Config(
        DataConfig("linear", 500, 0.5, 0.2, 0), ModelConfig((), bias=False), TrainConfig("sgd", 0.01, 16, 5, loss="mse")
    ),
    "iris-standardised-nll": Config(
        DataConfig("iris", test_fraction=0.3, random_state=2, standardize=True),
        ModelConfig((8,), "gelu"),
        TrainConfig("adamw", 0.01, 8, 6, loss="nll", seed=5),
    ),
    "xor-bce": Config(DataConfig("xor"), ModelConfig((4, 4), "tanh"), TrainConfig("rmsprop", 0.01, 32, 5, loss="bce")),
    "circles-l1": Config(DataConfig("circles"), ModelConfig((8,), "relu"), TrainConfig("sgd", 0.1, 16, 5, l1=0.01)),
    "spiral-every-feature": Config(
        DataConfig("spiral", n_samples=200, noise=0.1, random_state=1),
        ModelConfig((6,), "tanh", features=("x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2")),
        TrainConfig("adam", 0.03, 16, 5, seed=2),
    ),
    "tf-xor-tf-init": Config(
        DataConfig("tf_xor", 500, 0.0, 0.5), ModelConfig((4, 2), "tanh", init="tf_playground"), TrainConfig("sgd", 0.03, 10, 5)
    ),
    "tf-plane-regression": Config(DataConfig("tf_plane", 300, 0.1, 0.5, 0), ModelConfig((4,)), TrainConfig("sgd", 0.03, 10, 4, loss="mse")),
    "sine-curve": Config(DataConfig("sine", 300, 0.1), ModelConfig((6,), "relu"), TrainConfig(epochs=4)),
    "moons-points-clicked-in-and-out": Config(
        DataConfig("moons", 200, 0.1, edits=((0.5, 0.5, 1, 1), (-0.2, 0.3, 0, 1), (0.0, 0.0, 0, 0), (1.5, -0.5, 1, 1))),
        ModelConfig((6,), "tanh"), TrainConfig(epochs=4),
    ),
    "blobs-xavier": Config(DataConfig("blobs", n_classes=3), ModelConfig((8,), "tanh", init="xavier"), TrainConfig(epochs=4)),
    "circles-squares-no-hidden-layer": Config(
        DataConfig("circles"), ModelConfig((), features=("x2_sq", "x1_sq")), TrainConfig("sgd", 0.1, 16, 5, l1=0.001)
    ),
    # the images page's offline sets: the fixed split, ToTensor + Normalize, Flatten (and conv blocks)
    "digits-mlp-dropout": Config(DataConfig("digits"), ModelConfig((32,), "relu", dropout=0.1), TrainConfig("adam", 0.003, 64, 3)),
    "mnist-5k-mlp-nll": Config(DataConfig("mnist_5k"), ModelConfig((32,), "relu"), TrainConfig("sgd", 0.05, 64, 1, loss="nll")),
}


@pytest.mark.parametrize("name", CASES)
def test_exported_script_reproduces_the_apps_final_test_loss(name, tmp_path):
    cfg = CASES[name]
    data = load_dataset(cfg.data)
    run = Run(cfg, data)
    for _ in run.snapshots():
        pass
    path = tmp_path / "playground_run.py"
    path.write_text(script(cfg, data.n_features, data.n_classes))
    threads = {**os.environ, "OMP_NUM_THREADS": str(torch.get_num_threads())}  # the app's: same sums on any machine
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=threads)
    assert out.returncode == 0, out.stderr
    final = float(re.search(r"final test loss: ([\d.e+-]+)", out.stdout).group(1))
    assert final == pytest.approx(run.history.test_loss[-1], rel=1e-4, abs=1e-6)


def test_the_scripts_options_are_the_settings_tables_script_rows(tmp_path):
    """python playground_run.py --epochs 2 --lr 0.1 changes the run; every option has the table's label in its help."""
    cfg = CASES["xor-bce"]
    path = tmp_path / "playground_run.py"
    path.write_text(script(cfg, 2, 2))
    usage = subprocess.run([sys.executable, str(path), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    rows = [row for row in SETTINGS.values() if row.script]
    assert rows and all(f"--{row.name.replace('_', '-')}" in usage.stdout for row in rows), usage.stdout
    out = subprocess.run([sys.executable, str(path), "--epochs", "2", "--lr", "0.1"], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert len(re.findall(r"^epoch \d+:", out.stdout, flags=re.M)) == 2


@pytest.mark.parametrize("dataset", ["pima", "mnist"])  # a downloaded table; an image set that needs a download
def test_script_refuses_datasets_it_cannot_rebuild(dataset):
    with pytest.raises(ValueError, match="does not cover"):
        script(Config(DataConfig(dataset)), 8, 2)


def test_script_says_conv_blocks_are_not_covered_yet():
    with pytest.raises(ValueError, match="does not cover conv blocks yet"):
        script(Config(DataConfig("digits"), ModelConfig((16,), conv=((4, 3, 2, 0.0),))), 64, 10)


def test_an_image_scripts_options_leave_out_the_data_settings():
    """An image set's split is fixed (images.py): no --test-fraction or --random-state that would not apply."""
    source = script(CASES["digits-mlp-dropout"], 64, 10)
    assert "--lr" in source and "--epochs" in source
    assert not re.search(r"--(test-fraction|random-state|standardize|n-samples|noise)", source)


def test_settings_round_trip_through_json():
    cfg = CASES["spiral-bn-dropout-sgd"]
    assert settings_from_json(settings_json(cfg)) == cfg


@pytest.mark.parametrize("text", [b"\x89PNG...", "[1, 2]", '{"lr": "0.1"}', '{"playground_settings": 1, "lr": "fast"}'])
def test_bad_settings_files_are_refused_with_a_message(text):
    with pytest.raises(ValueError):
        settings_from_json(text)
