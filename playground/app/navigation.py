"""The app's pages and page config, shared by both entry points (streamlit_app.py and deploy/streamlit_app.py)."""
import gc
from pathlib import Path

import streamlit as st

from playground.app import presenter
from playground.server import device

ROOT = Path(__file__).resolve().parents[2]
# (file under pages/, title, icon); the first page opens by default.
PAGES = [
    ("playground_2d.py", "2-D playground", ":material/scatter_plot:"),
    ("tabular.py", "Tables and regression", ":material/table_chart:"),
    ("images.py", "Images", ":material/image:"),
    ("race.py", "Optimizer race", ":material/sprint:"),
    ("mistakes.py", "Mistake lab", ":material/bug_report:"),
]


_READY = []


def setup() -> None:
    """Once per process: torch's thread count for this machine, and the libraries' objects out of the collector's view.

    The libraries' ~500k long-lived objects (torch, scikit-learn, streamlit) leave the garbage collector's
    view: a full collection then scans only what sessions create (0.2 s -> under 1 ms).
    """
    if not _READY:
        device.configure()
        gc.freeze()
        _READY.append(True)


def run() -> None:
    """Page config, then the navigation over pages/ (absolute paths: an entry point may live in another folder)."""
    setup()
    st.set_page_config(page_title="PyTorch playground", page_icon=":material/neurology:", layout="wide",
                       initial_sidebar_state=presenter.sidebar_state())
    presenter.apply_style()
    with st.sidebar:
        presenter.presenter_toggle()
    pages = [
        st.Page(ROOT / "pages" / file, title=title, icon=icon, default=i == 0)
        for i, (file, title, icon) in enumerate(PAGES)
    ]
    st.navigation(pages).run()


def ensure_navigation() -> None:
    """Route a page through streamlit_app.py's st.navigation.

    On a fresh server, a direct link to a page (say /tabular) runs that file in Streamlit's
    legacy pages/ mode, without the entry point's page config and navigation; one rerun fixes it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    setup()
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
