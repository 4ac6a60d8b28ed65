"""The tutorials this playground grew out of, as one-click presets with the figure each reports."""
from __future__ import annotations

from dataclasses import dataclass

from playground.config import Config, DataConfig, ModelConfig, TrainConfig


@dataclass(frozen=True)
class Preset:
    """A tutorial's whole setup, and the number its figure reports (checked by benchmarks/presets.py)."""

    label: str
    config: Config
    figure: str  # the tutorial's figure, in words
    metric: str  # "test_score", "train_score", "weight" or "loss_drop": what to compare with the figure
    goal: tuple[float, float]  # the range that counts as reproducing it


PRESETS: dict[str, Preset] = {
    "blobs_4d": Preset(
        "Blobs 4-D",
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
        Config(
            DataConfig("two_clusters", n_samples=400, noise=0.2, test_fraction=0.25),
            ModelConfig(hidden=(10,), activation="relu", batchnorm=True),
            TrainConfig("rmsprop", lr=0.01, batch_size=16, epochs=30, loss="softmax_ce"),
        ),
        "clean separation (about 100% test accuracy)",
        "test_score",
        (0.98, 1.0),
    ),
    "tf_playground": Preset(
        "TensorFlow Playground's defaults",
        Config(
            DataConfig("tf_circle", n_samples=500, noise=0.0, test_fraction=0.5),
            ModelConfig(hidden=(4, 2), activation="tanh", init="tf_playground"),
            TrainConfig("sgd", lr=0.03, batch_size=10, epochs=300, loss="cross_entropy"),
        ),
        "its circle learned: 100% test accuracy within a few hundred epochs (benchmarks/tf_playground.py)",
        "test_score",
        (0.98, 1.0),
    ),
    "mnist_mlp": Preset(
        "MNIST MLP (784-128-64-10)",
        Config(
            DataConfig("mnist_5k"),
            ModelConfig(hidden=(128, 64), activation="relu"),
            # The tutorial's 5 epochs over 60,000 images are 4,690 SGD steps; over the 4,000
            # training digits that work offline the same number of steps is 75 epochs.
            TrainConfig("sgd", lr=0.003, batch_size=64, epochs=75, loss="nll"),
        ),
        "training loss from 2.3 to about 0.3 in its 4,690 SGD steps, the test image beside its probability bars",
        "loss_drop",
        (0.8, 1.0),
    ),
    "cifar_cnn": Preset(
        "CIFAR-10 CNN",
        Config(
            DataConfig("cifar10"),
            ModelConfig(hidden=(512,), activation="relu", dropout=0.5, conv=((32, 3, 1, 0.3), (32, 3, 2, 0.0))),
            TrainConfig("momentum", lr=0.001, batch_size=32, epochs=20, loss="cross_entropy"),
        ),
        "about 70% test accuracy (needs the CIFAR-10 download)",
        "test_score",
        (0.65, 0.80),
    ),
}


def measure(preset: Preset, run) -> float:
    """The number to compare with the tutorial's figure, read off a finished run."""
    if preset.metric == "weight":
        return next(run.model.parameters()).flatten()[0].item()
    if preset.metric == "loss_drop":  # the share of the starting loss that training removed
        return 1 - run.history.train_loss[-1] / run.history.train_loss[0]
    return getattr(run.history, preset.metric)[-1]
