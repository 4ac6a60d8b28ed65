"""Tables and regression: the tutorials' tabular datasets, presets, and your own CSV."""
import streamlit as st

from playground.app import navigation, run_view, session as ui
from playground.app.restore import apply_link
from playground.app.take_away import take_it_with_you
from playground.app.history import run_history
from playground.app.lr_finder import lr_finder
from playground.app.sidebar import TABULAR_DATASETS, sidebar_config
from playground.app.boards.tables import TabularBoard
from playground.app.text import plain

PAGE = "tabular"
navigation.ensure_navigation()
apply_link(PAGE)
st.title("Tables and regression")
st.caption(
    "Classic tabular datasets, the tutorials' presets and your own CSV. More than 2 features are pictured by "
    "projecting the test rows to 2-D (PCA)."
)

cfg, error = sidebar_config(PAGE, datasets=TABULAR_DATASETS)
if error:
    st.error(f"{plain(error)} Nothing was trained; change that setting in the sidebar to continue.")
    st.stop()

data, problem = ui.tabular_dataset(cfg)
problem = problem or ui.loss_problem(cfg, data)
if problem:
    st.error(plain(problem))
    st.stop()
for note in data.notes:
    st.caption(plain(note))
if ui.scale_tip(cfg, data):
    st.caption(ui.scale_tip(cfg, data))
run = ui.current_run(cfg, data)
lr_finder(PAGE, cfg, data)
_, view = run_view.board_for(run, PAGE, lambda: TabularBoard(data, cfg))
take_it_with_you(cfg, view, data, PAGE)
run_history(PAGE, cfg, run, classes=data.n_classes > 0)
