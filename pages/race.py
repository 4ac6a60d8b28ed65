"""Optimizer race: 2-4 optimizers train the same network from the same weights on the same batches, live."""
import streamlit as st

from playground.app import navigation, session as ui
from playground.app.boards import race as ui_race
from playground.app.text import plain

navigation.ensure_navigation()
st.title("Optimizer race")
st.caption(
    "Pick 2-4 optimizers, each with its own learning rate, and press **Race**: each trains its own copy of the same "
    "network, from the same starting weights, on the same batches in the same order, side by side."
)

cfg, error = ui_race.sidebar_race_config()
if error:
    if ui.is_training(ui_race.PAGE):
        st.session_state.training = False
    st.error(f"{plain(error)} Nothing was raced; change that setting in the sidebar to continue.")
    st.stop()

data = ui.dataset(cfg.data)
for note in data.notes:
    st.caption(plain(note))
if ui.scale_tip(cfg, data):
    st.caption(ui.scale_tip(cfg, data))
race, problem = ui_race.current_race(cfg, data)
if problem:
    st.error(plain(problem))
ui_race.control_buttons(race, cfg)
if race is None:
    st.info("Press **Race** to start.")
    st.stop()
if race.cfg != cfg:
    st.caption("Showing the last race, run with earlier settings; press **Race** to race with the current ones.")
board = ui_race.RaceBoard(race)
if ui.is_training(ui_race.PAGE):
    ui_race.race_live(race, board.draw)
else:
    board.draw(race)
