"""Frozen, hashable run settings: validated on creation, round-trip through URL params."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields

from playground.data.catalog import DATASETS, IMAGE_DATASETS
from playground.engine import models

# Widget ranges live here so the page and the validation agree.
# The learning rates the widgets offer: 1-3 steps over LIMITS["lr"] (a page may offer a stretch of them, lr_steps)
LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def lr_steps(low: float = LR_STEPS[0], high: float = LR_STEPS[-1]) -> tuple[float, ...]:
    """The learning-rate steps from low to high."""
    return tuple(v for v in LR_STEPS if low <= v <= high)


LIMITS = {
    "n_samples": (50, 2000),
    "test_fraction": (0.1, 0.9),
    "n_layers": (0, 6),
    "width": (1, 64),
    "wide_width": (1, 1024),  # image pages: the tutorials' 128- and 512-unit layers
    "n_blocks": (0, 4),
    "channels": (1, 128),
    "kernel": (1, 7),
    "pool": (1, 4),
    "dropout": (0.0, 0.9),
    "lr": (1e-5, 10.0),
    "batch_size": (1, 1024),
    "epochs": (1, 10_000),
    "weight_decay": (0.0, 1.0),
    "seed": (0, 2**31 - 1),
}


def _check_range(name: str, value, label: str | None = None) -> None:
    lo, hi = LIMITS[name]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{label or name} must be a finite number, got {value}.")
    if not lo <= value <= hi:
        raise ValueError(f"{label or name} must be between {lo:g} and {hi:g}, got {value:g}.")


UPLOAD = "upload"  # DataConfig.dataset for a user's CSV; DataConfig.upload names its content


@dataclass(frozen=True)
class DataConfig:
    """Which dataset, how many points, how noisy, how it is split and scaled."""

    dataset: str = "moons"
    n_samples: int = 300
    noise: float = 0.2
    test_fraction: float = 0.3
    n_classes: int = 2
    random_state: int = 0
    standardize: bool = False
    upload: str = ""  # content hash of an uploaded CSV and its reading options

    def __post_init__(self):
        _check_range("test_fraction", self.test_fraction, "Test split")
        _check_range("seed", self.random_state, "Data seed")
        if self.dataset == UPLOAD:
            if not self.upload:
                raise ValueError("Upload a CSV file first.")
            return  # sizes and classes are known only once the file is read
        if self.dataset in IMAGE_DATASETS:  # fixed splits: only the name matters
            for name, value in (("n_classes", IMAGE_DATASETS[self.dataset].n_classes), ("n_samples", 0),
                                ("noise", 0.0), ("test_fraction", 0.2), ("random_state", 0), ("standardize", False)):
                object.__setattr__(self, name, value)
            return
        if self.dataset not in DATASETS:
            names = ", ".join([*DATASETS, *IMAGE_DATASETS])
            raise ValueError(f"Unknown dataset {self.dataset!r}; choose one of {names}.")
        spec = DATASETS[self.dataset]
        lo, hi = spec.classes
        if lo == hi:  # fixed class count: canonicalise so equal data has equal configs
            object.__setattr__(self, "n_classes", lo)
        elif not lo <= self.n_classes <= hi:
            raise ValueError(f"{self.dataset} needs between {lo} and {hi} classes, got {self.n_classes}.")
        if spec.size:  # a fixed table: sample count and noise do not apply
            object.__setattr__(self, "n_samples", spec.size)
            object.__setattr__(self, "noise", 0.0)
        else:
            _check_range("n_samples", self.n_samples, "Number of samples")
            lo_noise, hi_noise = spec.noise_range
            if not (math.isfinite(self.noise) and lo_noise <= self.noise <= hi_noise):
                raise ValueError(f"{spec.noise_label} must be between {lo_noise:g} and {hi_noise:g}, got {self.noise}.")
        if min(self.n_test, self.n_train) < max(2, 2 * self.n_classes):
            raise ValueError(
                f"With {self.n_samples} samples and a {self.test_fraction:.0%} test split, the train "
                f"or test set has fewer than 2 points per class; use more samples or a split nearer 50%."
            )

    @property
    def n_test(self) -> int:
        return math.ceil(self.n_samples * self.test_fraction)  # sklearn's train_test_split rounding

    @property
    def n_train(self) -> int:
        return self.n_samples - self.n_test


@dataclass(frozen=True)
class ModelConfig:
    """The network's shape: hidden widths, activation, normalisation, dropout."""

    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    batchnorm: bool = False
    dropout: float = 0.0
    bias: bool = True
    # Conv blocks before the dense layers, each (channels, kernel, pool, dropout): images only.
    conv: tuple[tuple[int, int, int, float], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(w) for w in self.hidden))
        object.__setattr__(self, "conv", tuple((int(c), int(k), int(p), float(d)) for c, k, p, d in self.conv))
        _check_range("n_layers", len(self.hidden), "Number of hidden layers")
        for i, width in enumerate(self.hidden, 1):
            _check_range("wide_width", width, f"Neurons in layer {i}")
        _check_range("n_blocks", len(self.conv), "Number of conv blocks")
        for i, (channels, kernel, pool, dropout) in enumerate(self.conv, 1):
            _check_range("channels", channels, f"Channels of conv block {i}")
            _check_range("kernel", kernel, f"Kernel size of conv block {i}")
            _check_range("pool", pool, f"Max-pool of conv block {i}")
            _check_range("dropout", dropout, f"Dropout of conv block {i}")
        if self.activation not in models.ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.activation!r}; choose one of {', '.join(models.ACTIVATIONS)}.")
        _check_range("dropout", self.dropout, "Dropout")


@dataclass(frozen=True)
class TrainConfig:
    """How the network is trained: optimizer, step size, batches, epochs, seed."""

    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int = 16
    epochs: int = 100
    weight_decay: float = 0.0
    loss: str = "cross_entropy"
    seed: int = 0

    def __post_init__(self):
        if self.optimizer not in models.OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(models.OPTIMIZERS)}.")
        if self.loss not in models.LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}; choose one of {', '.join(models.LOSSES)}.")
        _check_range("lr", self.lr, "Learning rate")
        _check_range("batch_size", self.batch_size, "Batch size")
        _check_range("epochs", self.epochs, "Epochs")
        _check_range("weight_decay", self.weight_decay, "Weight decay")
        _check_range("seed", self.seed, "Weight seed")


@dataclass(frozen=True)
class Config:
    """Everything that determines a run; equal configs give equal runs."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self):
        if self.model.batchnorm and (self.model.hidden or self.model.conv) and self.train.batch_size < 2:
            raise ValueError("BatchNorm needs batches of at least 2 samples; raise the batch size or turn BatchNorm off.")

    def to_query(self) -> dict[str, str]:
        """Flat string params, one per field, for a share link."""
        out = {}
        for part in (self.data, self.model, self.train):
            for f in fields(part):
                value = getattr(part, f.name)
                if f.name == "conv":
                    out[f.name] = ";".join("x".join(f"{v:g}" for v in block) for block in value)
                elif isinstance(value, tuple):
                    out[f.name] = ",".join(map(str, value))
                elif isinstance(value, bool):
                    out[f.name] = "1" if value else "0"
                else:
                    out[f.name] = str(value)
        return out

    @classmethod
    def from_query(cls, params) -> Config:
        """Inverse of to_query; missing params take defaults, bad ones raise ValueError."""
        parts = {}
        for name, part_cls in (("data", DataConfig), ("model", ModelConfig), ("train", TrainConfig)):
            kwargs = {}
            for f in fields(part_cls):
                if f.name in params:
                    kwargs[f.name] = _parse(f.name, f.default, params[f.name])
            parts[name] = part_cls(**kwargs)
        return cls(**parts)

    def replace(self, **changes) -> Config:
        """A copy with some fields changed, whichever part they belong to."""
        parts = {"data": self.data, "model": self.model, "train": self.train}
        for key, part in parts.items():
            mine = {k: v for k, v in changes.items() if k in {f.name for f in fields(part)}}
            if mine:
                parts[key] = dataclasses.replace(part, **mine)
        return Config(**parts)


def _parse(name: str, default, text: str):
    text = str(text)
    try:
        if name == "conv":
            return tuple(tuple(float(v) for v in block.split("x")) for block in text.split(";") if block.strip())
        if isinstance(default, tuple) or name == "hidden":
            return tuple(int(w) for w in text.split(",") if w.strip())
        if isinstance(default, bool):
            return text.lower() in {"1", "true", "yes"}
        return type(default)(text)
    except ValueError:
        raise ValueError(f"Link parameter {name}={text!r} is not a valid value.") from None
