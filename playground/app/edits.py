"""Points clicked in or out of the 2-D plane's training set: kept per plane in session state, carried into the config.

The edits belong to one plane (dataset, samples, noise, split, seed): another plane has its own, and coming back
brings them back. A run that is training when the data changes trains on with the new data (Run.adopt).
"""
from __future__ import annotations

import dataclasses

import streamlit as st

from playground.app.session import dataset, session_runs
from playground.config import Config, DataConfig
from playground.server import claims

EDITS_KEY = "edits"  # session state: (the data settings without edits, the edits)
WHY = "points were added or removed by hand while it trained"


def base_of(data: DataConfig) -> DataConfig:
    """The data settings without the edits: the plane the edits belong to."""
    return dataclasses.replace(data, edits=()) if data.edits else data


def edits_for(base: DataConfig) -> tuple:
    """This plane's edits (none for another plane)."""
    saved = st.session_state.get(EDITS_KEY)
    return saved[1] if saved and saved[0] == base else ()


def edits_state(cfg: Config) -> dict:
    """The session state that shows cfg's edits (for presets, links and settings files: config_state)."""
    return {EDITS_KEY: (base_of(cfg.data), cfg.data.edits)}


def set_edits(cfg: Config, edits: tuple) -> str | None:
    """Make `edits` this plane's; a run of cfg that has started trains on with the new data. A message if refused."""
    try:
        new = cfg.replace(edits=tuple(edits))
    except ValueError as err:
        return str(err)
    st.session_state[EDITS_KEY] = (base_of(cfg.data), new.data.edits)
    runs = session_runs()
    run = runs.get(cfg)
    if run is not None and run.started and run.replay_of is None:
        claims.claim(run)  # the script run this click interrupted may be taking a step: wait, and it takes no more
        run.adopt(new, dataset(new.data), WHY)
        runs.put(new, run)
    return None
