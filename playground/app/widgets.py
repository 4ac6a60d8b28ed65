"""The settings sidebar: widgets -> Config for each page, tutorial presets, the CSV uploader."""
from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st

from playground import config as C
from playground.data import csv_upload
from playground.config import UPLOAD, Config, DataConfig, ModelConfig, TrainConfig
from playground.data.catalog import DATASETS, IMAGE_DATASETS
from playground.engine.models import LOSSES, RAW_FEATURES
from playground.teaching.presets import PRESETS
from playground.app.edits import edits_for, edits_state
from playground.app.session import SAVED, set_widgets, widget_key
from playground.app.text import plain

DEFAULTS = Config()
PAGE_DEFAULTS = {"images": PRESETS["mnist_mlp"].config}


def _dataset_label(name: str) -> str:
    if name in IMAGE_DATASETS:
        return IMAGE_DATASETS[name].label
    return "Your CSV file (upload)" if name == UPLOAD else DATASETS[name].label


def _dataset_about(name: str) -> str:
    if name in IMAGE_DATASETS:
        return IMAGE_DATASETS[name].about
    return "a table of your own, any number of columns" if name == UPLOAD else DATASETS[name].about


CONTROL_NAMES = C.hideable()


def hidden_controls() -> set[str]:
    """Settings a classroom link hides (?hide=lr,optimizer), by their names in the settings table."""
    names = {name.strip() for name in st.query_params.get("hide", "").split(",")}
    return {C.HIDE_ALIASES.get(name, name) for name in names} & set(CONTROL_NAMES)


def dataset_key(name: str, dataset: str) -> str:
    """The widget key of a setting whose range depends on the dataset, so each dataset keeps its own value.

    Classes always; noise where its range is not the usual 0-1 (a cluster spread, the noise of y).
    """
    spec = DATASETS.get(dataset)
    if name == "n_classes" or (name == "noise" and spec and spec.noise_range != (0.0, 1.0)):
        return f"{C.SETTINGS[name].key}_{dataset}"
    return C.SETTINGS[name].key


def _widget_args(row: C.Setting, i: int | None, narrow: bool) -> dict:
    """Label, help, options and range of a setting's widget, from its row of the settings table."""
    label = row.label.format(i=i + 1) if i is not None else row.label
    help_text = row.help.format(i=i + 1) if i is not None else row.help
    kw = {"label": label}
    if row.choices:
        choices = row.choices
        kw.update(options=list(choices), format_func=lambda n: choices[n].label)
        help_text += " " + "; ".join(f"{c.label}: {c.about}" for c in choices.values()) + "."
    elif row.steps:
        kw["options"] = list(row.steps)
        if row.widget == "select_slider":
            kw["format_func"] = lambda v: f"{v:g}"
    elif row.limits and row.widget in ("slider", "number_input"):
        lo, hi = row.widget_limits if narrow and row.widget_limits else row.limits
        kw.update(min_value=lo, max_value=hi)
    if row.step is not None:
        kw["step"] = row.step
    return kw | {"help": help_text}


def _default(key: str, value):
    """Seed a widget's key from its saved copy, else the default (never pass value= too).

    Streamlit forgets a widget's state after a run that did not draw it (an error message
    stopped the page, another page was open); the saved copy in plain session state survives.
    """
    # Set it again even when Streamlit still holds it: a widget the last run did not draw (the CSV uploader's
    # message stopped the sidebar above it) is new in the browser, which would show its minimum while the
    # server kept the learner's value. A value set through session state is sent with the widget.
    st.session_state[key] = st.session_state[key] if key in st.session_state else st.session_state.get(SAVED + key, value)
    return key


def _fits(value, kw: dict) -> bool:
    """Whether a value is one the widget can show: among its options, or within its range."""
    if "options" in kw:
        return all(v in kw["options"] for v in value) if isinstance(value, (list, tuple)) else value in kw["options"]
    try:
        return kw["min_value"] <= value <= kw["max_value"]
    except (TypeError, KeyError):
        return True  # no range to check (a checkbox, a text)


def _place_key(key: str) -> str:
    """Plain session state beside a target widget: the column names it last showed and the target's position."""
    return f"target_place:{key}"


class Widgets:
    """The settings widgets of one page; keys carry the page's prefix so pages keep their own values."""

    def __init__(self, page: str, disabled: bool, forgiving: bool = False):
        self.page, self.disabled, self.forgiving = page, disabled, forgiving
        self.defaults = PAGE_DEFAULTS.get(page, DEFAULTS)
        self.hidden = hidden_controls()

    def key(self, name: str) -> str:
        return widget_key(self.page, name)

    def widget(self, widget, label, name, default, **kw):
        """Any settings widget, keyed by page, seeded from (and saved to) its plain-state copy.

        A forgiving page shows the default instead of a value its widget cannot show (not an option, out of range).
        """
        key = _default(self.key(name), default)
        if self._hidden(name):  # a classroom link fixed this control: keep its value, show nothing
            return st.session_state[key]
        if self.forgiving and not _fits(st.session_state[key], kw):
            st.session_state[key] = default
        value = widget(label, key=key, disabled=self.disabled, **kw)
        st.session_state[SAVED + key] = value
        return value

    def setting(self, name: str, default, key: str | None = None, i: int | None = None, **overrides):
        """The widget of one row of the settings table (the i-th of a list setting's, say a layer width)."""
        row = C.SETTINGS[name]
        widget = overrides.pop("widget", None) or getattr(st, row.widget)  # a page may show it another way
        kw = _widget_args(row, i, narrow=self.page != "images") | overrides
        key = key or (f"{row.key}_{i}" if i is not None else row.key)
        return self.widget(widget, kw.pop("label"), key, default, **kw)

    def _hidden(self, key: str) -> bool:
        """Whether a classroom link hides this widget: its setting's, or one inside it (a layer width, a dataset's noise)."""
        for name in self.hidden:
            row = C.SETTINGS[name]
            for base in (row.key, *(C.SETTINGS[item].key for item in row.items)):
                if key == base or key.startswith(base + "_"):
                    return True
        return False

    def data(self, datasets: list[str]) -> DataConfig:
        d = self.defaults.data
        name = self.setting(
            "dataset", d.dataset if d.dataset in datasets else datasets[0], options=datasets, format_func=_dataset_label,
            on_change=self._match_loss,
            help=C.SETTINGS["dataset"].help + " " + "; ".join(f"{_dataset_label(n)}: {_dataset_about(n)}" for n in datasets) + ".",
        )
        if name == UPLOAD:
            return self.upload()
        if name in IMAGE_DATASETS:
            return DataConfig(name)
        spec = DATASETS[name]
        lo, hi = spec.classes
        n_classes = lo
        if lo < hi:
            n_classes = self.setting("n_classes", lo, dataset_key("n_classes", name), min_value=lo, max_value=hi)
        n_samples, noise = d.n_samples, 0.0
        if not spec.size:
            n_samples = self.setting("n_samples", d.n_samples)
            lo_noise, hi_noise = spec.noise_range
            noise = self.setting("noise", max(lo_noise, d.noise), dataset_key("noise", name), label=spec.noise_label,
                                 min_value=lo_noise, max_value=hi_noise)
        test_fraction, random_state, standardize = self._split_widgets()
        base = DataConfig(name, n_samples, noise, test_fraction, n_classes, random_state, standardize)
        if self.page != "2d":
            return base
        if not spec.size and not self._hidden(C.SETTINGS["random_state"].key):
            st.button("Regenerate data", key=self.key("regenerate"), on_click=self._next_data_seed, disabled=self.disabled,
                      help="New random points of the same dataset (the next data seed), as TensorFlow Playground's button.")
        edits = edits_for(base)  # points clicked in or out of this plane
        return dataclasses.replace(base, edits=edits) if edits else base

    def _next_data_seed(self) -> None:
        key = self.key(C.SETTINGS["random_state"].key)
        set_widgets({key: (int(st.session_state.get(key, 0)) + 1) % C.SEEDS[1]})

    def _split_widgets(self) -> tuple[float, int, bool]:
        d = self.defaults.data
        test_fraction = self.setting("test_fraction", d.test_fraction)
        random_state = self.setting("random_state", d.random_state)
        standardize = False if self.page == "2d" else self.setting("standardize", False)
        return test_fraction, int(random_state), standardize

    def upload(self) -> DataConfig:
        """The CSV uploader and its reading options; the parsed table stays in this session only."""
        file = st.file_uploader(
            "CSV file", type=["csv", "txt", "tsv"], key=self.key("csv_file"), disabled=self.disabled,
            help=f"A table with one row per example. Up to {csv_upload.MAX_UPLOAD_MB} MB; comma, semicolon "
            "or tab separated; numeric feature columns (text columns can be one-hot encoded).",
        )
        if file is None:
            raise ValueError("Upload a CSV file in the sidebar to train on your own data.")
        raw = file.getvalue()
        header = self.widget(
            st.selectbox, "First row is a header", "csv_header", "auto", options=["auto", "yes", "no"],
            format_func={"auto": "Detect it", "yes": "Yes: column names", "no": "No: data"}.get,
            help="Whether the first line holds column names. 'Detect it' looks for text above numbers.",
        )
        header = {"auto": None, "yes": True, "no": False}[header]
        columns = csv_upload.sniff_columns(raw, header=header)
        file_id = hashlib.sha256(raw).hexdigest()[:12]  # a new file must not inherit the last file's target
        self._keep_target_place(f"csv_target_{file_id}", columns)
        target = self.widget(
            st.selectbox, "Target column", f"csv_target_{file_id}", columns[-1], options=columns,
            help="The column to predict. Every other usable column is an input feature.",
        )
        st.session_state[_place_key(self.key(f"csv_target_{file_id}"))] = (columns, columns.index(target))
        missing = self.widget(
            st.radio, "Missing values", "csv_missing", "drop", options=["drop", "impute"], horizontal=True,
            format_func={"drop": "Drop the row", "impute": "Fill in (median)"}.get,
            help="Rows with an empty cell are dropped, or the empty cell is filled with its column's median.",
        )
        categorical = self.widget(
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

    def _keep_target_place(self, name: str, columns: list[str]) -> None:
        """When the column names change (the header setting), the target stays the column at the same position.

        Selectbox values are names: left alone, a name the new names lack would fall back to the first column
        (say a class label becoming a regression on col1).
        """
        key, place = self.key(name), st.session_state.get(_place_key(self.key(name)))
        if place is None or place[0] == columns:
            return
        shown, position = place
        if position < len(columns):
            set_widgets({key: columns[position]})
        else:  # the header setting never changes the number of columns; should that change, say what happened
            set_widgets({key: columns[-1]})
            st.warning(plain(f"The target column '{shown[position]}' is not in the file as it is read now, so the last "
                             f"column, '{columns[-1]}', is the target; choose another below."))  # names are the file's text

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
        blocks = []
        for i in range(int(self.setting("conv", len(defaults)))):
            block = defaults[i] if i < len(defaults) else (16, 3, 2, 0.0)
            values = []
            for col, item, default in zip(st.columns(4), C.SETTINGS["conv"].items, block):
                with col:
                    values.append(self.setting(item, default, i=i))
            c, k, p, drop = values
            blocks.append((int(c), int(k), int(p), float(drop)))
        return tuple(blocks)

    def model(self) -> ModelConfig:
        m = self.defaults.model
        features = RAW_FEATURES  # made from a point's x1 and x2: the 2-D page's alone
        if self.page == "2d":
            features = tuple(self.setting("features", list(m.features), selection_mode="multi"))
        conv = self.conv_blocks() if self.page == "images" else ()
        widths = []
        n_layers = int(self.setting("hidden", len(m.hidden)))
        cols = st.columns(3)
        for i in range(n_layers):
            with cols[i % 3]:
                widths.append(int(self.setting("width", m.hidden[i] if i < len(m.hidden) else 8, i=i)))
        values = {name: self.setting(name, getattr(m, name)) for name in ("activation", "init", "batchnorm", "dropout", "bias")}
        return ModelConfig(tuple(widths), conv=conv, features=features, **values)

    def train(self) -> TrainConfig:
        t = self.defaults.train
        names = [name for name, row in C.SETTINGS.items() if row.part == "train"]  # in the table's order
        values = {name: self.setting(name, getattr(t, name)) for name in names}
        return TrainConfig(**{name: type(getattr(t, name))(value) for name, value in values.items()})


def config_state(cfg: Config, page: str, parts=("data", "model", "train")) -> dict:
    """The widget values that show cfg's parts on a page (the inverse of the widgets), for presets, links and files."""
    w, state = Widgets(page, False), {}
    spec = DATASETS.get(cfg.data.dataset)
    for name, row in C.SETTINGS.items():
        if not (row.part in parts and row.widget):
            continue
        value = getattr(getattr(cfg, row.part), name)
        if row.items:  # a list setting: its length, then each element's widgets (a layer's width, a block's four)
            state[row.key] = len(value)
            for i, element in enumerate(value):
                values = element if isinstance(element, tuple) else (element,)
                state.update({f"{C.SETTINGS[item].key}_{i}": v for item, v in zip(row.items, values)})
        elif row.text == "names":  # a multi-choice widget holds a list
            state[row.key] = list(value)
        elif name == "noise":
            if spec and not spec.size:
                state[dataset_key(name, cfg.data.dataset)] = value
        else:
            state[dataset_key(name, cfg.data.dataset)] = value
    if "data" in parts and page == "2d":
        state.update(edits_state(cfg))
    return {w.key(k): v for k, v in state.items()}


