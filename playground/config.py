"""Frozen, hashable run settings, and the one settings table they are checked, linked, saved and shown from.

Like TensorFlow Playground's State.PROPS, SETTINGS has one row per setting: its Config field (also its URL
parameter and settings-JSON key), its label and help, its limits and the steps a widget offers. The widgets,
share links, settings files, the exported script's arguments and classroom hiding are all derived from it.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields

from playground.data.edits import check_edits
from playground.data.catalog import DATASETS, IMAGE_DATASETS, PLANE
from playground.engine.models import ACTIVATIONS, FEATURES, INITS, LOSSES, OPTIMIZERS, RAW_FEATURES

# The learning rates the widgets offer: 1-3 steps over the lr limits (a page may offer a stretch of them, lr_steps)
LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_STEPS = (1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, 1024)  # 10: the Pima tutorial's
DECAY_STEPS = (0.0, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0)
SEEDS = (0, 2**31 - 1)


def lr_steps(low: float = LR_STEPS[0], high: float = LR_STEPS[-1]) -> tuple[float, ...]:
    """The learning-rate steps from low to high."""
    return tuple(v for v in LR_STEPS if low <= v <= high)


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str  # the Config field, its URL parameter and settings-JSON key; the widget's key unless `control` says
    part: str | None  # "data", "model" or "train"; None for a widget inside another setting (a layer's width)
    label: str  # the widget's label, and the value's name in messages
    help: str  # the widget's tooltip
    widget: str = ""  # the Streamlit widget that sets it ("slider", "selectbox", ...); "" for none
    limits: tuple | None = None  # (low, high) a value must lie in; for a tuple setting, its length
    steps: tuple | None = None  # the values a widget offers when they are not a plain range
    step: float | None = None  # the slider's or number box's step
    choices: dict | None = None  # a registry (name -> entry with .label and .about) the value must name
    text: str = "value"  # how a link writes it: "value", "ints" (8,8), "names" (x1_sq,x2_sq) or "blocks" (16x3x2x0;32x3x2x0)
    control: str = ""  # the widget key, when it is not the field's name (hidden is set by n_layers)
    items: tuple[str, ...] = ()  # the rows of the widgets inside it (the layer widths), hidden along with it
    widget_limits: tuple | None = None  # a narrower range the 2-D and tables pages offer
    script: bool = False  # the exported script takes it as a command-line option (--lr 0.1)

    @property
    def key(self) -> str:
        return self.control or self.name


def _table(*rows: Setting) -> dict[str, Setting]:
    return {row.name: row for row in rows}


SETTINGS: dict[str, Setting] = _table(
    # data
    Setting("dataset", "data", "Dataset", "The data to learn from.", "selectbox"),
    Setting("n_classes", "data", "Classes", "How many groups of points (colours) the network must tell apart.", "slider"),
    Setting("n_samples", "data", "Number of samples", "How many points to generate in total (train + test). More points: a "
            "clearer picture, slower epochs.", "slider", (50, 2000), step=50, script=True),
    Setting("noise", "data", "Noise", "How much random jitter blurs the data. 0 gives clean shapes; high noise makes classes "
            "overlap.", "slider", step=0.05, script=True),  # its range and label come from the dataset (catalog.DatasetSpec)
    Setting("test_fraction", "data", "Test split", "Share of the rows held out for testing. The network never trains on "
            "them, so the test score shows how well it generalises to new data.", "slider", (0.1, 0.9), step=0.05, script=True),
    Setting("random_state", "data", "Data seed", "Same seed, same train/test split (and the same points for generated "
            "data).", "number_input", SEEDS, script=True),
    Setting("standardize", "data", "Standardise features", "Rescale every feature to mean 0 and standard deviation 1 (using "
            "the training split only). Features on very different scales (like a glucose level and a pedigree score) "
            "otherwise slow learning down.", "checkbox", script=True),
    Setting("upload", "data", "Uploaded file", "The content hash of an uploaded CSV and its reading options."),
    Setting("edits", "data", "Points edited by hand", "Training points added or removed by clicking on the 2-D plane, in "
            "order: x1, x2, class (or value), and 1 to add or 0 to remove the nearest.", text="blocks"),
    # model
    Setting("features", "model", "Input features", "What the network is fed about each point: its coordinates x1 and "
            "x2, and ready-made features of them. With x1² and x2² even a network without hidden layers can draw a "
            "circle. Choose at least one.", "pills", choices=FEATURES, text="names"),
    Setting("conv", "model", "Conv blocks", "Convolution blocks before the dense layers: each slides small filters over the "
            "image to find edges and shapes. 0 gives a plain MLP on the flattened pixels.", "number_input", (0, 4),
            text="blocks", control="n_blocks", items=("channels", "kernel", "pool", "conv_dropout")),
    Setting("channels", None, "B{i} ch.", "Block {i}: how many filters (output channels).", "number_input", (1, 128),
            control="conv_ch"),
    Setting("kernel", None, "B{i} kernel", "Block {i}: filter size in pixels (padding keeps the image size).", "selectbox",
            (1, 7), steps=(1, 3, 5, 7), control="conv_k"),
    Setting("pool", None, "B{i} pool", "Block {i}: max-pool factor; 2 halves the width and height, 1 means no pooling.",
            "selectbox", (1, 4), steps=(1, 2, 3, 4), control="conv_pool"),
    Setting("conv_dropout", None, "B{i} drop", "Block {i}: dropout after the block while training.", "selectbox", (0.0, 0.9),
            steps=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5), control="conv_drop"),
    Setting("hidden", "model", "Hidden layers", "Layers of neurons between input and output. 0 hidden layers is a linear "
            "model (logistic regression for classes): one straight boundary.", "number_input", (0, 6), text="ints",
            control="n_layers", items=("width",)),
    # the images page offers the tutorials' 128- and 512-unit layers
    Setting("width", None, "Layer {i}", "Neurons in hidden layer {i}. More neurons can draw more complicated boundaries.",
            "number_input", (1, 1024), widget_limits=(1, 64)),
    Setting("activation", "model", "Activation", "The non-linearity after each hidden layer.", "selectbox",
            choices=ACTIVATIONS),
    Setting("init", "model", "Initial weights", "How the starting weights are drawn. The same network can learn quickly or "
            "get stuck depending on where it starts.", "selectbox", choices=INITS),
    Setting("batchnorm", "model", "BatchNorm", "Normalise each hidden layer's outputs over the batch: often trains faster "
            "and tolerates larger learning rates.", "checkbox"),
    Setting("dropout", "model", "Dropout", "While training, switch off this share of hidden neurons at random, so the "
            "network cannot rely on any single one: a guard against overfitting. Turned off for evaluation.", "slider",
            (0.0, 0.9), step=0.05),
    Setting("bias", "model", "Bias terms", "Give every neuron a bias (an offset added to its weighted sum). Without it, "
            "every boundary and fitted line must pass through the origin.", "checkbox"),
    # training
    Setting("optimizer", "train", "Optimizer", "The rule that turns gradients into weight updates.", "selectbox",
            choices=OPTIMIZERS),
    Setting("lr", "train", "Learning rate", "How big each update step is (log scale). Too small: learning crawls. Too big: "
            "the loss jumps around or blows up.", "select_slider", (LR_STEPS[0], LR_STEPS[-1]), LR_STEPS, script=True),
    Setting("batch_size", "train", "Batch size", "How many training points are averaged for each update. Small batches: "
            "many noisy steps per epoch; large batches: few smooth steps.", "select_slider", (1, 1024), BATCH_STEPS, script=True),
    Setting("epochs", "train", "Epochs", "How many times training goes through every training point.", "number_input",
            (1, 10_000), step=10, script=True),
    Setting("weight_decay", "train", "L2 weight decay", "Pulls every weight a little towards zero each step: keeps the "
            "boundary smooth and fights overfitting.", "select_slider", (0.0, 1.0), DECAY_STEPS, script=True),
    Setting("l1", "train", "L1 regularisation", "Adds the sum of the weights' sizes, times this rate, to the loss: pushes "
            "unneeded weights to exactly zero, so the network keeps only the inputs and neurons it needs.",
            "select_slider", (0.0, 1.0), DECAY_STEPS, script=True),
    Setting("loss", "train", "Loss", "What training minimises.", "selectbox", choices=LOSSES),
    Setting("seed", "train", "Weight seed", "Seeds the starting weights and the shuffling: the same settings and seed give "
            "the same run. Reset picks the next seed.", "number_input", SEEDS, script=True),
)
LIMITS = {name: row.limits for name, row in SETTINGS.items() if row.limits}
HIDE_ALIASES = {"n_layers": "hidden", "n_blocks": "conv"}  # the names links used before the table


def hideable() -> list[str]:
    """The settings a classroom link may hide (?hide=lr,optimizer): every one a widget sets."""
    return [name for name, row in SETTINGS.items() if row.part and row.widget]


def _check_range(name: str, value, label: str | None = None) -> None:
    lo, hi = LIMITS[name]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{label or SETTINGS[name].label} must be a finite number, got {value}.")
    if not lo <= value <= hi:
        raise ValueError(f"{label or SETTINGS[name].label} must be between {lo:g} and {hi:g}, got {value:g}.")


def _check_choice(name: str, value: str) -> None:
    choices = SETTINGS[name].choices
    if value not in choices:
        raise ValueError(f"Unknown {name} {value!r}; choose one of {', '.join(choices)}.")


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
    edits: tuple[tuple[float, float, float, float], ...] = ()  # training points clicked in or out (data/edits.py)

    def __post_init__(self):
        _check_range("test_fraction", self.test_fraction)
        _check_range("random_state", self.random_state)
        if self.edits:
            spec = DATASETS.get(self.dataset)
            if not (spec and spec.kind == PLANE):
                raise ValueError("Points can be added or removed by hand on the 2-D datasets only.")
            object.__setattr__(self, "edits", check_edits(self.edits, self.n_classes))
        if self.dataset == UPLOAD:
            if not self.upload:
                raise ValueError("Upload a CSV file first.")
            return  # sizes and classes are known only once the file is read
        if self.dataset not in DATASETS and self.dataset not in IMAGE_DATASETS:
            names = ", ".join([*DATASETS, *IMAGE_DATASETS])
            raise ValueError(f"Unknown dataset {self.dataset!r}; choose one of {names}.")
        # Settings that do not apply to this dataset take one value, so that equal data has equal configs
        for name, value in self.fixed_by_dataset().items():
            object.__setattr__(self, name, value)
        if self.dataset in IMAGE_DATASETS:
            return
        spec = DATASETS[self.dataset]
        lo, hi = spec.classes
        if not lo <= self.n_classes <= hi:
            raise ValueError(f"{self.dataset} needs between {lo} and {hi} classes, got {self.n_classes}.")
        if not spec.size:
            _check_range("n_samples", self.n_samples)
            lo_noise, hi_noise = spec.noise_range
            if not (math.isfinite(self.noise) and lo_noise <= self.noise <= hi_noise):
                raise ValueError(f"{spec.noise_label} must be between {lo_noise:g} and {hi_noise:g}, got {self.noise}.")
        if min(self.n_test, self.n_train) < max(2, 2 * self.n_classes):
            raise ValueError(
                f"With {self.n_samples} samples and a {self.test_fraction:.0%} test split, the train "
                f"or test set has fewer than 2 points per class; use more samples or a split nearer 50%."
            )

    def fixed_by_dataset(self) -> dict:
        """The data settings this dataset fixes (the catalog says which), with their one value."""
        if self.dataset in IMAGE_DATASETS:  # fixed splits: only the name matters
            return {"n_classes": IMAGE_DATASETS[self.dataset].n_classes, "n_samples": 0, "noise": 0.0,
                    "test_fraction": 0.2, "random_state": 0, "standardize": False}
        spec, fixed = DATASETS[self.dataset], {}
        if spec.classes[0] == spec.classes[1]:
            fixed["n_classes"] = spec.classes[0]
        if spec.size:  # a fixed table: sample count and noise do not apply
            fixed.update(n_samples=spec.size, noise=0.0)
        return fixed

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
    # What the network is fed of each 2-D point (names of FEATURES), in the registry's order: equal sets, equal configs
    features: tuple[str, ...] = RAW_FEATURES
    init: str = "default"  # how the starting weights are drawn (INITS)

    def __post_init__(self):
        try:  # inf or 1e400 from a link cannot become a layer size
            object.__setattr__(self, "hidden", tuple(int(w) for w in self.hidden))
            object.__setattr__(self, "conv", tuple((int(c), int(k), int(p), float(d)) for c, k, p, d in self.conv))
        except (OverflowError, ValueError, TypeError):
            raise ValueError("Layer sizes and conv blocks must be finite whole numbers (a block is channels x kernel x "
                             "pool x dropout).") from None
        _check_range("hidden", len(self.hidden), "Number of hidden layers")
        for i, width in enumerate(self.hidden, 1):
            _check_range("width", width, f"Neurons in layer {i}")
        _check_range("conv", len(self.conv), "Number of conv blocks")
        for i, (channels, kernel, pool, dropout) in enumerate(self.conv, 1):
            _check_range("channels", channels, f"Channels of conv block {i}")
            _check_range("kernel", kernel, f"Kernel size of conv block {i}")
            _check_range("pool", pool, f"Max-pool of conv block {i}")
            _check_range("conv_dropout", dropout, f"Dropout of conv block {i}")
        _check_choice("activation", self.activation)
        _check_choice("init", self.init)
        _check_range("dropout", self.dropout)
        object.__setattr__(self, "features", _check_features(self.features))


def _check_features(names) -> tuple[str, ...]:
    """The chosen input features in the registry's order; ValueError for none, an unknown name or a repeat."""
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names:
        raise ValueError("Choose at least one input feature: the network needs something to look at.")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown input feature {unknown[0]!r}; choose from {', '.join(FEATURES)}.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"Each input feature can be chosen once; {', '.join(repeated)} is repeated.")
    return tuple(name for name in FEATURES if name in names)


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
    l1: float = 0.0  # L1 regularisation rate (the sum of |weight| added to the loss)

    def __post_init__(self):
        _check_choice("optimizer", self.optimizer)
        _check_choice("loss", self.loss)
        for name in ("lr", "batch_size", "epochs", "weight_decay", "seed", "l1"):
            _check_range(name, getattr(self, name))


@dataclass(frozen=True)
class Config:
    """Everything that determines a run; equal configs give equal runs."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self):
        if self.model.batchnorm and (self.model.hidden or self.model.conv) and self.train.batch_size < 2:
            raise ValueError("BatchNorm needs batches of at least 2 samples; raise the batch size or turn BatchNorm off.")
        spec = DATASETS.get(self.data.dataset)
        if self.model.features != RAW_FEATURES and not (spec and spec.kind == PLANE):
            chosen = ", ".join(FEATURES[name].label for name in self.model.features)
            raise ValueError(f"Input features ({chosen}) are made from a 2-D point's x1 and x2, so they work on the 2-D "
                             "playground's datasets only; this dataset's network takes its own columns.")

    def to_query(self) -> dict[str, str]:
        """Flat string params, one per setting of the table, for a share link or a settings file."""
        return {name: _write(row, getattr(getattr(self, row.part), name)) for name, row in SETTINGS.items() if row.part}

    @classmethod
    def from_query(cls, params) -> Config:
        """Inverse of to_query; missing params take defaults, bad ones raise ValueError."""
        parts = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
        kwargs = {part: {} for part in parts}
        for name, row in SETTINGS.items():
            if row.part and name in params:
                default = next(f.default for f in fields(parts[row.part]) if f.name == name)
                kwargs[row.part][name] = _read(row, default, params[name])
        spec = DATASETS.get(kwargs["data"].get("dataset", DataConfig.dataset))
        if spec and "noise" not in kwargs["data"]:  # the default noise, within this dataset's own range
            lo, hi = spec.noise_range
            kwargs["data"]["noise"] = min(max(DataConfig.noise, lo), hi)
        return cls(**{part: part_cls(**kwargs[part]) for part, part_cls in parts.items()})

    def replace(self, **changes) -> Config:
        """A copy with some fields changed, whichever part they belong to."""
        parts = {"data": self.data, "model": self.model, "train": self.train}
        for key, part in parts.items():
            mine = {k: v for k, v in changes.items() if k in {f.name for f in fields(part)}}
            if mine:
                parts[key] = dataclasses.replace(part, **mine)
        return Config(**parts)


def _write(row: Setting, value) -> str:
    """One setting's value as link text."""
    if row.text == "blocks":
        return ";".join("x".join(f"{v:g}" for v in block) for block in value)
    if row.text in ("ints", "names"):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _read(row: Setting, default, text) -> object:
    """Inverse of _write: link text as the setting's value (its default's type); ValueError when it is none."""
    text = str(text)
    try:
        if row.text == "blocks":
            return tuple(tuple(float(v) for v in block.split("x")) for block in text.split(";") if block.strip())
        if row.text == "ints":
            return tuple(int(w) for w in text.split(",") if w.strip())
        if row.text == "names":
            return tuple(name.strip() for name in text.split(",") if name.strip())
        if isinstance(default, bool):
            return text.lower() in {"1", "true", "yes"}
        return type(default)(text)
    except ValueError:
        raise ValueError(f"Link parameter {row.name}={text!r} is not a valid value.") from None
