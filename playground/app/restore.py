"""Settings coming in from a link or a settings file: fitted to what the page's widgets can show, each change said.

A value the settings accept but a widget cannot show (lr=0.05 between two steps, 1000 neurons where the page
offers 64) is moved to the nearest value the widget offers, and a note says so: a widget never shows one value
while training uses another. A dataset that belongs on another page is not used; the rest of the settings are.
"""
from __future__ import annotations

import math

import streamlit as st

from playground import config as C
from playground.app.session import set_widgets
from playground.app.text import plain
from playground.app.sidebar import PAGE_DATASETS
from playground.app.widgets import DEFAULTS, PAGE_DEFAULTS, config_state
from playground.config import SETTINGS, Config
from playground.data.catalog import DATASETS, IMAGE_DATASETS
from playground.engine.models import RAW_FEATURES

PAGE_TITLES = {"2d": "2-D playground", "tabular": "Tables and regression", "images": "Images"}
from playground.app.boards.plane import SWITCHES
from playground.app.presenter import PARAM as PRESENT

VIEW_PARAMS = {"hide", PRESENT, *SWITCHES}  # what a page shows, not a setting of the run


def _nearest(value: float, options) -> float:
    """The option nearest to value; on a log scale when both are positive (learning rates, batch sizes)."""
    def distance(option):
        if option > 0 and value > 0:
            return abs(math.log(option) - math.log(value))
        return abs(option - value) + (1e9 if option != value else 0.0)  # 0 only for 0
    return min(options, key=distance)


def _on_grid(value: float, row: C.Setting) -> float:
    """A slider's value moved onto its step grid (from the low end of its range)."""
    lo, hi = row.limits
    return round(min(max(lo + round((value - lo) / row.step) * row.step, lo), hi), 10)


def _fitted(name: str, value, page: str):
    """The value a setting's widget can show: a step it offers, a slider position, a width the page allows."""
    row = SETTINGS[name]
    if row.steps:
        return value if value in row.steps else _nearest(value, row.steps)
    if row.widget == "slider" and row.step and row.limits:
        return _on_grid(value, row)
    if row.widget_limits and page != "images":
        return min(max(value, row.widget_limits[0]), row.widget_limits[1])
    return value


def _changed(name: str, old, new, i: int | None = None) -> str:
    row = SETTINGS[name]
    label = row.label.format(i=i + 1) if i is not None else row.label
    return f"{label} {old:g} is not offered here: {new:g} is used."


def fit_to_page(cfg: Config, page: str) -> tuple[Config, list[str]]:
    """cfg with every value moved to one the page's widgets offer, and a line for each change."""
    notes, changes = [], {}
    spec = DATASETS.get(cfg.data.dataset)
    for name, row in SETTINGS.items():
        value = getattr(getattr(cfg, row.part), name) if row.part and row.widget else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # no widget, a checkbox, a list (the widths and blocks follow) or a name
        if name in ("noise", "n_samples") and (spec is None or spec.size):
            continue  # a fixed table's or an image set's: not a widget of this dataset
        new = _fitted(name, value, page)
        if new != value:
            changes[name] = type(value)(new)
            notes.append(_changed(name, value, new))
    hidden = tuple(_fitted("width", w, page) for w in cfg.model.hidden)
    for i, (old, new) in enumerate(zip(cfg.model.hidden, hidden)):
        if old != new:
            notes.append(_changed("width", old, new, i))
    blocks = []
    for i, block in enumerate(cfg.model.conv):
        fitted = tuple(type(v)(_fitted(item, v, page)) for item, v in zip(SETTINGS["conv"].items, block))
        notes += [_changed(item, old, new, i) for item, old, new in zip(SETTINGS["conv"].items, block, fitted) if old != new]
        blocks.append(fitted)
    try:
        return cfg.replace(**changes, hidden=hidden, conv=tuple(blocks)), notes
    except ValueError as err:  # the nearest values do not fit together (say BatchNorm and a batch of 1)
        return cfg, [str(err)]


def _elsewhere(cfg: Config, page: str) -> str | None:
    """Where cfg's dataset is offered, when that is not this page."""
    if cfg.data.dataset in PAGE_DATASETS[page]:
        return None
    other = next((p for p, names in PAGE_DATASETS.items() if cfg.data.dataset in names), None)
    label = (DATASETS.get(cfg.data.dataset) or IMAGE_DATASETS.get(cfg.data.dataset)).label
    where = f"the {PAGE_TITLES[other]} page" if other else "another page"
    return f"The dataset {label} belongs on {where}, so this page keeps its own dataset; the other settings are used."


def restore(cfg: Config, page: str) -> list[str]:
    """Fill the page's widgets with cfg as far as the page can show it; returns a line for each thing changed."""
    moved = _elsewhere(cfg, page)
    cfg, notes = fit_to_page(cfg, page)
    parts = ("model", "train") if moved else ("data", "model", "train")
    set_widgets(config_state(cfg, page, parts))
    if page != "2d" and cfg.model.features != RAW_FEATURES:  # a 2-D config's: this page's network takes the columns
        notes.append(f"{SETTINGS['features'].label} work on the {PAGE_TITLES['2d']} page only; here the network "
                     "takes the data's own columns.")
    return [moved, *notes] if moved else notes


def apply_link(page: str) -> None:
    """On a session's first run, fill the widgets from the URL's settings (a shared link), saying what was changed.

    The message has a place in every run (empty after the first), so the page below keeps its element order and
    no stale copy of the board shows while the next run trains.
    """
    box = st.empty()
    flag = f"link_applied_{page}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in VIEW_PARAMS}
    if not params:
        return
    if "dataset" not in params:  # a link naming no dataset sets the others on the page's own (not the 2-D default)
        default = PAGE_DEFAULTS.get(page, DEFAULTS).data.dataset
        params["dataset"] = default if default in PAGE_DATASETS[page] else PAGE_DATASETS[page][0]
    try:
        notes = restore(Config.from_query(params), page)
    except ValueError as err:
        box.warning(f"The link's settings could not be used ({plain(err)}); showing the defaults instead.", icon=":material/link_off:")
        return
    if notes:
        box.warning("From the link: " + " ".join(notes), icon=":material/link:")
