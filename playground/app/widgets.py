"""The settings sidebar: widgets -> Config for each page, tutorial presets, the CSV uploader."""
from __future__ import annotations

import hashlib

import streamlit as st

from playground import config as C
from playground.data import csv_upload
from playground.config import UPLOAD, Config, DataConfig, ModelConfig, TrainConfig
from playground.data import catalog
from playground.data.catalog import DATASETS, IMAGE_DATASETS
from playground.engine.models import ACTIVATIONS, LOSSES, OPTIMIZERS
from playground.teaching.presets import PRESETS
from playground.app.session import SAVED, is_training, set_widgets, widget_key

LR_STEPS = C.lr_steps()
BATCH_STEPS = (1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, 1024)  # 10: the Pima tutorial's
DECAY_STEPS = (0.0, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0)
DEFAULTS = Config()
PAGE_DEFAULTS = {"images": PRESETS["mnist_mlp"].config}
IMAGE_NAMES = list(IMAGE_DATASETS)
# Each settings page's datasets, by the catalog's kinds; a preset or link belongs to the page that offers its dataset
PAGE_DATASETS = {"2d": catalog.names(catalog.PLANE), "tabular": [*catalog.names(catalog.TABLE), UPLOAD], "images": IMAGE_NAMES}
TABULAR_DATASETS = PAGE_DATASETS["tabular"]


def page_of(cfg: Config) -> str:
    """The page whose datasets include cfg's."""
    return next(page for page, names in PAGE_DATASETS.items() if cfg.data.dataset in names)


def _dataset_label(name: str) -> str:
    if name in IMAGE_DATASETS:
        return IMAGE_DATASETS[name].label
    return "Your CSV file (upload)" if name == UPLOAD else DATASETS[name].label


def _dataset_about(name: str) -> str:
    if name in IMAGE_DATASETS:
        return IMAGE_DATASETS[name].about
    return "a table of your own, any number of columns" if name == UPLOAD else DATASETS[name].about


CONTROL_NAMES = [
    "dataset", "n_samples", "noise", "test_fraction", "random_state", "standardize", "n_layers", "activation", "batchnorm",
    "dropout", "bias", "optimizer", "lr", "batch_size", "epochs", "weight_decay", "loss", "seed",
]


def hidden_controls() -> set[str]:
    """Controls a classroom link hides (?hide=lr,optimizer)."""
    return {name.strip() for name in st.query_params.get("hide", "").split(",") if name.strip() in CONTROL_NAMES}


def _default(key: str, value):
    """Seed a widget's key from its saved copy, else the default (never pass value= too).

    Streamlit forgets a widget's state after a run that did not draw it (an error message
    stopped the page, another page was open); the saved copy in plain session state survives.
    """
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(SAVED + key, value)
    return key


class Widgets:
    """The settings widgets of one page; keys carry the page's prefix so pages keep their own values."""

    def __init__(self, page: str, disabled: bool):
        self.page, self.disabled = page, disabled
        self.defaults = PAGE_DEFAULTS.get(page, DEFAULTS)
        self.hidden = hidden_controls()

    def key(self, name: str) -> str:
        return widget_key(self.page, name)

    def _w(self, widget, label, name, default, **kw):
        key = _default(self.key(name), default)
        if self._hidden(name):  # a classroom link fixed this control: keep its value, show nothing
            return st.session_state[key]
        value = widget(label, key=key, disabled=self.disabled, **kw)
        st.session_state[SAVED + key] = value
        return value

    def _hidden(self, name: str) -> bool:
        family = {"width": "n_layers", "noise": "noise", "n_classes": "dataset"}
        base = next((control for prefix, control in family.items() if name.startswith(prefix)), name)
        return base in self.hidden

    def data(self, datasets: list[str]) -> DataConfig:
        d = self.defaults.data
        name = self._w(
            st.selectbox, "Dataset", "dataset", d.dataset if d.dataset in datasets else datasets[0], options=datasets,
            format_func=_dataset_label,
            on_change=self._match_loss,
            help="The data to learn from. " + "; ".join(f"{_dataset_label(n)}: {_dataset_about(n)}" for n in datasets) + ".",
        )
        if name == UPLOAD:
            return self.upload()
        if name in IMAGE_DATASETS:
            return DataConfig(name)
        spec = DATASETS[name]
        lo, hi = spec.classes
        n_classes = lo
        if lo < hi:
            n_classes = self._w(st.slider, "Classes", f"n_classes_{name}", lo, min_value=lo, max_value=hi,
                                help="How many groups of points (colours) the network must tell apart.")
        n_samples, noise = d.n_samples, 0.0
        if not spec.size:
            n_samples = self._w(
                st.slider, "Number of samples", "n_samples", d.n_samples, min_value=C.LIMITS["n_samples"][0],
                max_value=C.LIMITS["n_samples"][1], step=50,
                help="How many points to generate in total (train + test). More points: a clearer picture, slower epochs.",
            )
            noise_key = "noise" if spec.noise_range == (0.0, 1.0) else f"noise_{name}"
            noise = self._w(
                st.slider, spec.noise_label, noise_key, max(spec.noise_range[0], d.noise), min_value=spec.noise_range[0],
                max_value=spec.noise_range[1], step=0.05,
                help="How much random jitter blurs the data. 0 gives clean shapes; high noise makes classes overlap.",
            )
        test_fraction, random_state, standardize = self._split_widgets()
        return DataConfig(name, n_samples, noise, test_fraction, n_classes, random_state, standardize)

    def _split_widgets(self) -> tuple[float, int, bool]:
        d = self.defaults.data
        test_fraction = self._w(
            st.slider, "Test split", "test_fraction", d.test_fraction, min_value=C.LIMITS["test_fraction"][0],
            max_value=C.LIMITS["test_fraction"][1], step=0.05,
            help="Share of the rows held out for testing. The network never trains on them, so the test "
            "score shows how well it generalises to new data.",
        )
        random_state = self._w(
            st.number_input, "Data seed", "random_state", d.random_state, min_value=0, max_value=C.LIMITS["seed"][1],
            help="Same seed, same train/test split (and the same points for generated data).",
        )
        if self.page == "2d":
            return test_fraction, int(random_state), False
        standardize = self._w(
            st.checkbox, "Standardise features", "standardize", False,
            help="Rescale every feature to mean 0 and standard deviation 1 (using the training split only). "
            "Features on very different scales (like a glucose level and a pedigree score) otherwise slow learning down.",
        )
        return test_fraction, int(random_state), standardize

    def upload(self) -> DataConfig:
        """The CSV uploader and its reading options; the parsed table stays in this session only."""
        file = st.file_uploader(
            "CSV file", type=["csv", "txt", "tsv"], key=self.key("csv_file"), disabled=self.disabled,
            help=f"A table with one row per example. Up to {csv_upload.MAX_BYTES // csv_upload.MB} MB; comma, semicolon "
            "or tab separated; numeric feature columns (text columns can be one-hot encoded).",
        )
        if file is None:
            raise ValueError("Upload a CSV file in the sidebar to train on your own data.")
        raw = file.getvalue()
        header = self._w(
            st.selectbox, "First row is a header", "csv_header", "auto", options=["auto", "yes", "no"],
            format_func={"auto": "Detect it", "yes": "Yes: column names", "no": "No: data"}.get,
            help="Whether the first line holds column names. 'Detect it' looks for text above numbers.",
        )
        header = {"auto": None, "yes": True, "no": False}[header]
        columns = csv_upload.sniff_columns(raw, header=header)
        file_id = hashlib.sha256(raw).hexdigest()[:12]  # a new file must not inherit the last file's target
        target = self._w(
            st.selectbox, "Target column", f"csv_target_{file_id}", columns[-1], options=columns,
            help="The column to predict. Every other usable column is an input feature.",
        )
        missing = self._w(
            st.radio, "Missing values", "csv_missing", "drop", options=["drop", "impute"], horizontal=True,
            format_func={"drop": "Drop the row", "impute": "Fill in (median)"}.get,
            help="Rows with an empty cell are dropped, or the empty cell is filled with its column's median.",
        )
        categorical = self._w(
            st.radio, "Text columns", "csv_text", "onehot", options=["onehot", "reject"], horizontal=True,
            format_func={"onehot": "One-hot encode", "reject": "Refuse"}.get,
            help="Non-numeric feature columns become one 0/1 column per value, or the file is refused.",
        )
        table = csv_upload.read_csv_table(raw, target, header=header, missing=missing, categorical=categorical)
        digest = hashlib.sha256(raw + repr((target, header, missing, categorical)).encode()).hexdigest()[:16]
        st.session_state[f"upload_{digest}"] = table  # this session's own: never in a shared cache
        n_classes = len(table.class_names) if table.class_names else 0
        self._fit_loss_to(n_classes)  # the loss widget comes later in this run, so it may still change
        test_fraction, random_state, standardize = self._split_widgets()
        return DataConfig(UPLOAD, len(table.y), 0.0, test_fraction, n_classes, random_state, standardize, digest)

    def _match_loss(self) -> None:
        """Dataset callback: when the task changes (classes <-> regression), switch to a loss that fits it."""
        spec = DATASETS.get(st.session_state[self.key("dataset")])
        if spec and self.page != "images":
            self._fit_loss_to(spec.classes[0])

    def _fit_loss_to(self, n_classes: int) -> None:
        loss_key = self.key("loss")
        if LOSSES[st.session_state.get(loss_key, "cross_entropy")].problem(n_classes):
            set_widgets({loss_key: "cross_entropy" if n_classes else "mse"})

    def conv_blocks(self) -> tuple:
        """Conv block editor: per block its channels, kernel size, max-pool and dropout."""
        defaults = self.defaults.model.conv
        n_blocks = self._w(
            st.number_input, "Conv blocks", "n_blocks", len(defaults), min_value=0, max_value=C.LIMITS["n_blocks"][1],
            help="Convolution blocks before the dense layers: each slides small filters over the image to find "
            "edges and shapes. 0 gives a plain MLP on the flattened pixels.",
        )
        blocks = []
        for i in range(int(n_blocks)):
            c, k, p, d = defaults[i] if i < len(defaults) else (16, 3, 2, 0.0)
            cols = st.columns(4)
            with cols[0]:
                c = self._w(st.number_input, f"B{i + 1} ch.", f"conv_ch_{i}", c, min_value=1, max_value=C.LIMITS["channels"][1],
                            help=f"Block {i + 1}: how many filters (output channels).")
            with cols[1]:
                k = self._w(st.selectbox, f"B{i + 1} kernel", f"conv_k_{i}", k, options=[1, 3, 5, 7],
                            help=f"Block {i + 1}: filter size in pixels (padding keeps the image size).")
            with cols[2]:
                p = self._w(st.selectbox, f"B{i + 1} pool", f"conv_pool_{i}", p, options=[1, 2, 3, 4],
                            help=f"Block {i + 1}: max-pool factor; 2 halves the width and height, 1 means no pooling.")
            with cols[3]:
                d = self._w(st.selectbox, f"B{i + 1} drop", f"conv_drop_{i}", d, options=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
                            help=f"Block {i + 1}: dropout after the block while training.")
            blocks.append((int(c), int(k), int(p), float(d)))
        return tuple(blocks)

    def model(self) -> ModelConfig:
        m = self.defaults.model
        conv = self.conv_blocks() if self.page == "images" else ()
        n_layers = self._w(
            st.number_input, "Hidden layers", "n_layers", len(m.hidden), min_value=0, max_value=C.LIMITS["n_layers"][1],
            help="Layers of neurons between input and output. 0 hidden layers is a linear model "
            "(logistic regression for classes): one straight boundary.",
        )
        widths = []
        cols = st.columns(3)
        max_width = C.LIMITS["wide_width" if self.page == "images" else "width"][1]
        for i in range(int(n_layers)):
            default = m.hidden[i] if i < len(m.hidden) else 8
            with cols[i % 3]:
                widths.append(self._w(
                    st.number_input, f"Layer {i + 1}", f"width_{i}", default, min_value=1, max_value=max_width,
                    help=f"Neurons in hidden layer {i + 1}. More neurons can draw more complicated boundaries.",
                ))
        activation = self._w(
            st.selectbox, "Activation", "activation", m.activation, options=list(ACTIVATIONS),
            format_func=lambda n: ACTIVATIONS[n].label,
            help="The non-linearity after each hidden layer. " + "; ".join(f"{a.label}: {a.about}" for a in ACTIVATIONS.values()) + ".",
        )
        batchnorm = self._w(
            st.checkbox, "BatchNorm", "batchnorm", m.batchnorm,
            help="Normalise each hidden layer's outputs over the batch: often trains faster and tolerates larger learning rates.",
        )
        dropout = self._w(
            st.slider, "Dropout", "dropout", m.dropout, min_value=0.0, max_value=C.LIMITS["dropout"][1], step=0.05,
            help="While training, switch off this share of hidden neurons at random, so the network cannot rely on "
            "any single one: a guard against overfitting. Turned off for evaluation.",
        )
        bias = self._w(
            st.checkbox, "Bias terms", "bias", m.bias,
            help="Give every neuron a bias (an offset added to its weighted sum). Without it, every boundary "
            "and fitted line must pass through the origin.",
        )
        return ModelConfig(tuple(int(w) for w in widths), activation, batchnorm, dropout, bias, conv)

    def train(self) -> TrainConfig:
        t = self.defaults.train
        optimizer = self._w(
            st.selectbox, "Optimizer", "optimizer", t.optimizer, options=list(OPTIMIZERS),
            format_func=lambda n: OPTIMIZERS[n].label,
            help="The rule that turns gradients into weight updates. " + "; ".join(f"{o.label}: {o.about}" for o in OPTIMIZERS.values()) + ".",
        )
        lr = self._w(
            st.select_slider, "Learning rate", "lr", t.lr, options=LR_STEPS, format_func=lambda v: f"{v:g}",
            help="How big each update step is (log scale). Too small: learning crawls. Too big: the loss jumps around or blows up.",
        )
        batch_size = self._w(
            st.select_slider, "Batch size", "batch_size", t.batch_size, options=BATCH_STEPS,
            help="How many training points are averaged for each update. Small batches: many noisy steps per epoch; "
            "large batches: few smooth steps.",
        )
        epochs = self._w(
            st.number_input, "Epochs", "epochs", t.epochs, min_value=1, max_value=C.LIMITS["epochs"][1], step=10,
            help="How many times training goes through every training point.",
        )
        weight_decay = self._w(
            st.select_slider, "L2 weight decay", "weight_decay", t.weight_decay, options=DECAY_STEPS, format_func=lambda v: f"{v:g}",
            help="Pulls every weight a little towards zero each step: keeps the boundary smooth and fights overfitting.",
        )
        loss = self._w(
            st.selectbox, "Loss", "loss", t.loss, options=list(LOSSES), format_func=lambda n: LOSSES[n].label,
            help="What training minimises. " + "; ".join(f"{c.label}: {c.about}" for c in LOSSES.values()) + ".",
        )
        seed = self._w(
            st.number_input, "Weight seed", "seed", t.seed, min_value=0, max_value=C.LIMITS["seed"][1],
            help="Seeds the starting weights and the shuffling: the same settings and seed give the same run. "
            "Reset picks the next seed.",
        )
        return TrainConfig(optimizer, float(lr), int(batch_size), int(epochs), float(weight_decay), loss, int(seed))


def config_state(cfg: Config, page: str) -> dict:
    """The widget values that show cfg on a page (the inverse of the widgets), for presets."""
    w = Widgets(page, False)
    d, m, t = cfg.data, cfg.model, cfg.train
    state = {
        "dataset": d.dataset, f"n_classes_{d.dataset}": d.n_classes, "n_samples": d.n_samples, "test_fraction": d.test_fraction,
        "random_state": d.random_state, "standardize": d.standardize, "n_layers": len(m.hidden), "activation": m.activation,
        "batchnorm": m.batchnorm, "dropout": m.dropout, "bias": m.bias, "optimizer": t.optimizer, "lr": t.lr,
        "batch_size": t.batch_size, "epochs": t.epochs, "weight_decay": t.weight_decay, "loss": t.loss, "seed": t.seed,
        **{f"width_{i}": width for i, width in enumerate(m.hidden)},
        "n_blocks": len(m.conv),
    }
    for i, (channels, kernel, pool, drop) in enumerate(m.conv):
        state.update({f"conv_ch_{i}": channels, f"conv_k_{i}": kernel, f"conv_pool_{i}": pool, f"conv_drop_{i}": drop})
    spec = DATASETS.get(d.dataset)
    if spec and not spec.size:
        state["noise" if spec.noise_range == (0.0, 1.0) else f"noise_{d.dataset}"] = d.noise
    return {w.key(k): v for k, v in state.items()}


def apply_preset(name: str) -> None:
    """Button callback: fill every widget of the preset's page with the tutorial's settings."""
    preset = PRESETS[name]
    set_widgets(config_state(preset.config, page_of(preset.config)))
    st.session_state.training = False


def preset_buttons(page: str) -> None:
    """One button per tutorial preset of this page."""
    names = [n for n, p in PRESETS.items() if page_of(p.config) == page]
    if not names:
        return
    st.subheader("Tutorial presets")
    for name in names:
        p = PRESETS[name]
        st.button(
            p.label, key=f"preset_{name}", on_click=apply_preset, args=(name,), disabled=is_training(page), width="stretch",
            help=f"Fill every setting with the tutorial's (its figure: {p.figure}). You can change anything afterwards.",
        )


def sidebar_config(page: str = "2d", datasets: list[str] | None = None):
    """Draw the settings in the sidebar; return the Config, or None and a message saying what is wrong."""
    widgets = Widgets(page, is_training(page))
    datasets = datasets or PAGE_DATASETS[page]
    with st.sidebar:
        preset_buttons(page)
        try:
            st.header("Data")
            data_cfg = widgets.data(datasets)
            st.header("Network")
            model_cfg = widgets.model()
            st.header("Training")
            train_cfg = widgets.train()
            return Config(data_cfg, model_cfg, train_cfg), None
        except ValueError as err:
            return None, str(err)


