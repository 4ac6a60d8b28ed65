"""Take it with you: the script and notebook, weights and settings as files, settings and share links in and out."""
from __future__ import annotations

import io
from urllib.parse import urlencode

import streamlit as st
import torch

from playground.teaching import export
from playground.teaching.notebook import notebook
from playground.data.csv_upload import MAX_BYTES, MAX_UPLOAD_MB
from playground.config import SETTINGS, Config
from playground.app.restore import restore
from playground.app.session import is_training
from playground.app.text import plain
from playground.app.widgets import CONTROL_NAMES

# The one upload limit (.streamlit/config.toml's maxUploadSize, as Streamlit's browser counts it): about 1.2
# million float32 weights. Larger networks (the CIFAR-10 CNN preset: 4.2 million) cannot be loaded back.
MAX_WEIGHTS_BYTES = MAX_BYTES


def _weights_bytes(run) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in run.model.state_dict().items()}, buffer)
    return buffer.getvalue()


def _load_weights(run, raw: bytes) -> str | None:
    """Load an uploaded state_dict into this session's model; a message when it cannot be used."""
    if len(raw) > MAX_WEIGHTS_BYTES:
        return (f"That file is over the {MAX_UPLOAD_MB} MB upload limit, so it cannot be loaded: only networks with "
                f"up to about {MAX_WEIGHTS_BYTES // 4 / 1e6:.1f} million weights fit.")
    try:
        state = torch.load(io.BytesIO(raw), weights_only=True, map_location="cpu")  # never the full pickle loader
        run.model.load_state_dict(state)
    except Exception as err:  # a hostile or foreign file: refuse, whatever it raised
        return f"Those weights cannot be used for this network ({type(err).__name__}): save them from the same settings."
    return None


def _say(page: str, kind: str, text: str) -> None:
    st.session_state.setdefault(f"upload_messages_{page}", []).append((kind, text))


def _apply_settings(page: str) -> None:
    """Uploader callback (runs before the widgets exist, so it may set their values)."""
    file = st.session_state.get(f"up_settings_{page}")
    if not hasattr(file, "getvalue"):  # cleared (None or a deleted file)
        return
    try:
        notes = restore(export.settings_from_json(file.getvalue()), page)
    except ValueError as err:
        _say(page, "error", plain(err))
        return
    if notes:
        _say(page, "warning", "Settings restored, with changes: " + " ".join(notes))
    else:
        _say(page, "success", "Settings restored.")


def _apply_weights(page: str, run) -> None:
    """Uploader callback: load the file into this session's own model, or say why not."""
    file = st.session_state.get(f"up_weights_{page}")
    if hasattr(file, "getvalue") and is_training(page):  # its loop owns the model now: never swap weights under it
        _say(page, "error", "Stop training first, then load the weights: the model is busy learning.")
    elif hasattr(file, "getvalue"):
        problem = _load_weights(run, file.getvalue())
        _say(page, "error", problem) if problem else _say(page, "success", "Weights loaded: the pictures above now use them.")


def _code(cfg: Config, data) -> None:
    """The script shown, and downloads of it and of the same code as a Jupyter notebook."""
    try:
        source = export.script(cfg, data.n_features, data.n_classes)
    except ValueError as err:
        st.info(str(err))
        return
    left, right = st.columns(2)
    left.download_button("Download the script", source, "playground_run.py", "text/x-python", key="dl_script",
                         help="A standalone PyTorch script: same data, seed, model and loop as this run.")
    right.download_button("Download the notebook (.ipynb)", notebook(cfg, data.n_features, data.n_classes),
                          "playground_run.ipynb", "application/x-ipynb+json", key="dl_notebook",
                          help="The same code as a Jupyter notebook, in sections (settings, data, model, loss and "
                          "optimizer, loop, plots) with notes between them.")
    st.code(source, language="python")


def take_it_with_you(cfg: Config, run, data, page: str, code_only: bool = False) -> None:
    """An expander with the script, downloads, uploads and the share link, filled only while open.

    Closed, it costs the page nothing: no script is generated and the browser loads no code
    highlighter (0.45 s of a new page load on one core, measured). code_only: the code and its downloads alone.
    """
    title = "Take it with you: the code" if code_only else "Take it with you: code, weights, settings, share link"
    box = st.expander(title, key=f"take_{page}", on_change="rerun")
    if not box.open:
        return
    with box:
        if code_only:
            _code(cfg, data)
            return
        code_tab, files_tab, link_tab = st.tabs(["Show me the code", "Files", "Share link"])
        with code_tab:
            _code(cfg, data)
        with files_tab:
            left, right = st.columns(2)
            left.download_button("Download weights (state_dict)", lambda: _weights_bytes(run), "weights.pt", key="dl_weights",
                                 help="The current weights as a PyTorch state_dict (torch.load(..., weights_only=True)).")
            left.download_button("Download settings (JSON)", export.settings_json(cfg), "settings.json", "application/json",
                                 key="dl_settings", help="Every setting of this page, to restore later or share.")
            right.file_uploader("Restore settings (JSON)", type=["json"], key=f"up_settings_{page}", on_change=_apply_settings,
                                args=(page,), help="A settings.json saved from this playground: every widget takes its value.")
            right.file_uploader("Load weights (.pt)", type=["pt", "pth"], key=f"up_weights_{page}", on_change=_apply_weights,
                                args=(page, run), disabled=is_training(page),
                                help=f"A state_dict saved from the same settings, up to {MAX_UPLOAD_MB} MB (about "
                                f"{MAX_WEIGHTS_BYTES // 4 / 1e6:.1f} million weights); loaded with weights_only=True.")
            for kind, text in st.session_state.pop(f"upload_messages_{page}", []):
                getattr(right, kind)(text)
        with link_tab:
            hide = st.multiselect("Hide these controls for students", CONTROL_NAMES, key=f"hide_{page}",
                                  format_func=lambda name: SETTINGS[name].label,
                                  help="A classroom link: the chosen controls keep the link's values and are not shown.")
            params = cfg.to_query() | ({"hide": ",".join(hide)} if hide else {})
            base = (st.context.url or "http://localhost:8501/").split("?")[0]  # no URL under AppTest
            st.code(f"{base}?{urlencode(params)}", language=None)
            st.caption("Anyone opening this link gets exactly these settings.")
