"""The app's pages and page config, shared by both entry points (streamlit_app.py and deploy/streamlit_app.py)."""
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
# (file under pages/, title, icon); the first page opens by default.
PAGES = [
    ("playground_2d.py", "2-D playground", ":material/scatter_plot:"),
    ("tabular.py", "Tables and regression", ":material/table_chart:"),
    ("images.py", "Images", ":material/image:"),
    ("race.py", "Optimizer race", ":material/sprint:"),
    ("mistakes.py", "Mistake lab", ":material/bug_report:"),
]


def run() -> None:
    """Page config, then the navigation over pages/ (absolute paths: an entry point may live in another folder)."""
    st.set_page_config(page_title="PyTorch playground", page_icon=":material/neurology:", layout="wide")
    pages = [
        st.Page(ROOT / "pages" / file, title=title, icon=icon, default=i == 0)
        for i, (file, title, icon) in enumerate(PAGES)
    ]
    st.navigation(pages).run()
