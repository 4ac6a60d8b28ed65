"""The 2-D playground: pick data and a network, train it, watch the boundary form."""
import streamlit as st

from playground.viz import charts
from playground.app import edits, navigation, presenter, run_view, session as ui
from playground.app.restore import apply_link
from playground.app.take_away import take_it_with_you
from playground.app.history import run_history
from playground.app.lr_finder import lr_finder
from playground.app.sidebar import sidebar_config
from playground.app.boards.plane import Board2D
from playground.app.text import plain

PAGE = "2d"
navigation.ensure_navigation()
apply_link(PAGE)
title, buttons = st.columns([1, 1.5], vertical_alignment="center")
if not presenter.presenting():  # on a projector every line counts: the buttons are title enough
    title.title("2-D playground")

cfg, error = sidebar_config(PAGE)
if error:
    st.error(f"{plain(error)} Nothing was trained; change that setting in the sidebar to continue.")
    st.stop()

data = ui.dataset(cfg.data)
problem = ui.loss_problem(cfg, data)
if problem:
    st.error(plain(problem))
    st.stop()
run = ui.current_run(cfg, data)
lr_finder(PAGE, cfg, data)
plane = ui.dataset(edits.base_of(cfg.data)) if cfg.data.edits else data  # the plane the clicked points lie on
_, view = run_view.board_for(run, PAGE, lambda: Board2D(data, cfg, plane), charts.REDRAW_SECONDS, buttons=buttons,
                             replay_below=True)
take_it_with_you(cfg, view, data, PAGE)
run_history(PAGE, cfg, run, classes=data.n_classes > 0)
