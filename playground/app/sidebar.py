"""A settings page's sidebar: its tutorial presets, then the Data, Network and Training widgets, read into a Config."""
from __future__ import annotations

import streamlit as st

from playground.app.session import is_training, set_widgets
from playground.app.widgets import Widgets, config_state
from playground.config import UPLOAD, Config
from playground.data import catalog
from playground.data.catalog import IMAGE_DATASETS
from playground.teaching.presets import PRESETS


IMAGE_NAMES = list(IMAGE_DATASETS)


# Each settings page's datasets, by the catalog's kinds; a preset or link belongs to the page that offers its dataset
PAGE_DATASETS = {"2d": catalog.names(catalog.PLANE), "tabular": [*catalog.names(catalog.TABLE), UPLOAD], "images": IMAGE_NAMES}


TABULAR_DATASETS = PAGE_DATASETS["tabular"]


def page_of(cfg: Config) -> str:
    """The page whose datasets include cfg's."""
    return next(page for page, names in PAGE_DATASETS.items() if cfg.data.dataset in names)


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
