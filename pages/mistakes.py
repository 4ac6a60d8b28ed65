"""Mistake lab: a classic training bug committed on purpose, raced live against the correct loop."""
import streamlit as st

from playground.app import navigation, session as ui
from playground.app.boards import mistakes as lab
from playground.app.text import plain

navigation.ensure_navigation()
st.title("Mistake lab")
st.caption(
    "The bugs the tutorials warn about, made on purpose: the same network, the same starting weights and the same "
    "batches, trained once with the correct loop and once with the mistake, side by side."
)

name = lab.choose_mistake()
cfg, error = lab.settings_row(name)
if error:
    st.error(f"{plain(error)} Nothing was trained; change that setting to continue.")
    st.stop()

data = ui.dataset(cfg.data)
race = lab.current_race(name, cfg, data)
lab.control_buttons(name, cfg)
lab.explain(name, cfg, data.n_classes)
board = lab.Board(data)
if ui.is_training(lab.PAGE):
    lab.race_live(race, board.draw)
else:
    board.draw(race)
