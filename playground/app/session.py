"""A session's state: the shared caches, its runs, which page trains, and the settings widgets' saved values."""
from __future__ import annotations

import logging
import os
import sqlite3

import streamlit as st

from playground.server import claims
from playground.config import UPLOAD, Config, DataConfig
from playground.data.tables import load_dataset, split_table
from playground.data.types import Table
from playground.engine.models import LOSSES
from playground.server.store import Bounded
from playground.server.disk_store import DEFAULT_MB, DiskStore
from playground.engine import stored
from playground.engine.run import Run
from playground.engine.training import ENGINE_VERSION

RUNS_PER_SESSION = 4
log = logging.getLogger(__name__)


@st.cache_resource
def result_store() -> Bounded | DiskStore:
    """Finished runs of every session: immutable state_dicts and histories, bounded. In this process (64 runs), or,
    with PLAYGROUND_STORE (or [store] path in secrets.toml) set to a directory, shared by every server process on the host that names the same one
    (PLAYGROUND_STORE_MB megabytes, 512 unless set)."""
    directory = _store_setting("PLAYGROUND_STORE", "path")
    if not directory:
        return Bounded(max_entries=64)
    try:
        size_mb = float(_store_setting("PLAYGROUND_STORE_MB", "size_mb") or DEFAULT_MB)
        return DiskStore(directory, stored.dumps, stored.loads, size_mb=size_mb)
    except (ValueError, OSError, sqlite3.Error) as err:  # a bad size, a directory it may not write: serve on, alone
        log.error("PLAYGROUND_STORE %s cannot be used (%s: %s); finished runs stay in this process", directory,
                  type(err).__name__, err)
        return Bounded(max_entries=64)


def _store_setting(env: str, name: str) -> str:
    """The environment variable, else `name` under [store] in .streamlit/secrets.toml, else ""."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    try:
        section = st.secrets.get("store") or {}
    except FileNotFoundError:  # no secrets.toml (Streamlit's StreamlitSecretNotFoundError is one)
        return ""
    return str(section.get(name, "")).strip()


@st.cache_data(max_entries=32, show_spinner=False)
def dataset(data_cfg: DataConfig):
    """The dataset for a DataConfig; training settings are not part of this key."""
    return load_dataset(data_cfg)


def tabular_dataset(cfg: Config):
    """(Dataset, None), or (None, a message) when the data cannot be had (offline download, bad file)."""
    try:
        if cfg.data.dataset == UPLOAD:
            t = st.session_state[f"upload_{cfg.data.upload}"]
            table = Table(t.X, t.y, t.feature_names, t.class_names, t.target_name)
            return split_table(table, cfg.data, notes=t.messages), None
        return dataset(cfg.data), None
    except ValueError as err:  # DataUnavailable and friends carry a message for the page
        return None, str(err)


def is_training(page: str) -> bool:
    """Whether this page's run is training (the flag holds the page's id, or False)."""
    return st.session_state.get("training", False) == page


SAVED = "saved:"  # prefix of the plain-state copy each settings widget's value is kept in


def set_widgets(values: dict) -> None:
    """Set settings widgets' values (presets, links, Reset): the widget keys and their saved copies."""
    for key, value in values.items():
        st.session_state[key] = value
        st.session_state[SAVED + key] = value


def widget_key(page: str, name: str) -> str:
    """Widget keys carry the page's prefix so each page keeps its own settings (the 2-D page has none)."""
    return name if page == "2d" else f"{page}_{name}"


def scale_tip(cfg: Config, data) -> str | None:
    """A hint to standardise when feature scales differ a hundredfold (one column drowns the rest)."""
    if cfg.data.standardize or data.n_features < 2 or data.X_train.ndim != 2:
        return None
    spread = data.X_train.std(axis=0)
    if spread.min() > 0 and spread.max() / spread.min() > 100:
        return "Tip: these features differ in scale more than a hundredfold; tick **Standardise features** to help training."
    return None


def loss_problem(cfg: Config, data) -> str | None:
    """A one-line reason the chosen loss cannot train on this data, or None."""
    return LOSSES[cfg.train.loss].problem(data.n_classes)


def session_runs() -> Bounded:
    """This session's own runs, the most recently used last (a few: each holds a model and its history)."""
    return st.session_state.setdefault("runs", Bounded(RUNS_PER_SESSION))


def current_run(cfg: Config, data, on: str = "cpu") -> Run:
    """This session's run for cfg: its own (maybe stopped) run, else one rebuilt from the store, else new."""
    runs = session_runs()
    run = runs.get(cfg)
    if run is None or not (run.started or run.edited):  # an untrained network edited by hand stays this session's
        run = _from_store(cfg, data, on) or run or Run(cfg, data, on)
    runs.put(cfg, run)  # the most recently used: past RUNS_PER_SESSION the least recently used run goes
    claims.claim(run)  # a stopped script run still training it stops before its next step (see claims.py)
    return run


def _from_store(cfg: Config, data, on: str) -> Run | None:
    """A run rebuilt from the shared store, else None; a stored result that does not fit cfg's network (a shared
    store's directory holds whatever was put there) is dropped as a miss."""
    found = result_store().get((ENGINE_VERSION, cfg))  # (named apart from the engine's `stored` module)
    if not found:
        return None
    try:
        return Run.finished(cfg, data, *found, device=on)
    except (RuntimeError, ValueError, TypeError, KeyError) as err:  # load_state_dict's mismatches among them
        log.warning("stored run for %s does not fit its network, dropped: %s", cfg, err)
        result_store().pop((ENGINE_VERSION, cfg))
        return None


def finish(run: Run) -> None:
    """Publish a finished run to the shared store as immutable copies, unless it was changed by hand (points clicked
    in while it trained, weights set): other sessions would take it for what training on its settings gives."""
    if not run.edited:
        result_store().put((ENGINE_VERSION, run.cfg), run.result())
    st.session_state.training = False


def start_training(page: str) -> None:
    """Train (Race, Run): this page's live loop runs in the next script run."""
    st.session_state.training = page


def stop_training() -> None:
    """Stop: the live loop ends at its next step or frame (see live()); everything learned so far is kept."""
    st.session_state.training = False


