"""The tutorials this playground grew out of, as one-click presets with the figure each reports."""
from __future__ import annotations

from dataclasses import dataclass

from playground.config import Config, DataConfig, ModelConfig, TrainConfig


@dataclass(frozen=True)
class Preset:
    """A tutorial's whole setup, and the number its figure reports (checked by benchmarks/presets.py)."""

    label: str
    page: str  # "2d" or "tabular"
    config: Config
    figure: str  # the tutorial's figure, in words
    metric: str  # "test_score", "train_score" or "weight": what to compare with the figure
    goal: tuple[float, float]  # the range that counts as reproducing it


PRESETS: dict[str, Preset] = {
    "blobs_4d": Preset(
        "Blobs 4-D",
        "tabular",
        Config(
            DataConfig("blobs_4d", n_samples=1000, noise=2.5, test_fraction=0.15, n_classes=3, random_state=95),
            ModelConfig(hidden=(8,), activation="relu"),
            TrainConfig("sgd", lr=0.01, batch_size=64, epochs=10, loss="cross_entropy"),
        ),
        "about 98% test accuracy",
        "test_score",
        (0.95, 1.0),
    ),
    "pima": Preset(
        "Pima Indians diabetes",
        "tabular",
        Config(
            DataConfig("pima", test_fraction=0.2, random_state=7),
            ModelConfig(hidden=(12, 8), activation="relu"),
            TrainConfig("adam", lr=0.001, batch_size=10, epochs=100, loss="bce"),
        ),
        "about 75% accuracy (measured on its training data)",
        "train_score",
        (0.72, 0.82),
    ),
    "linear": Preset(
        "Linear regression",
        "tabular",
        Config(
            DataConfig("linear", n_samples=1000, noise=0.5, test_fraction=0.2, n_classes=0),
            ModelConfig(hidden=(), bias=False),
            TrainConfig("sgd", lr=0.01, batch_size=16, epochs=20, loss="mse"),
        ),
        "learned weight close to 2",
        "weight",
        (1.95, 2.05),
    ),
    "two_clusters": Preset(
        "Two clusters (BatchNorm + RMSprop)",
        "2d",
        Config(
            DataConfig("two_clusters", n_samples=400, noise=0.2, test_fraction=0.25),
            ModelConfig(hidden=(10,), activation="relu", batchnorm=True),
            TrainConfig("rmsprop", lr=0.01, batch_size=16, epochs=30, loss="softmax_ce"),
        ),
        "clean separation (about 100% test accuracy)",
        "test_score",
        (0.98, 1.0),
    ),
}


def measure(preset: Preset, run) -> float:
    """The number to compare with the tutorial's figure, read off a finished run."""
    if preset.metric == "weight":
        return next(run.model.parameters()).flatten()[0].item()
    return getattr(run.history, preset.metric)[-1]
