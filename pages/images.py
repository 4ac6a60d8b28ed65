"""Images: digits, MNIST, Fashion-MNIST and CIFAR-10 with MLPs and CNNs; draw your own digit."""
import streamlit as st

from playground.server import device
from playground.data import images
from playground.app import navigation, run_view, session as ui
from playground.app.lr_finder import lr_finder
from playground.app.boards.images import ImagesBoard, download_prompt, image_dataset
from playground.app.sidebar import IMAGE_NAMES, sidebar_config
from playground.app.history import run_history
from playground.app.take_away import take_it_with_you
from playground.app.text import plain

PAGE = "images"
navigation.ensure_navigation()
st.title("Images")
st.caption("Handwritten digits, clothes and photos: MLPs on flattened pixels or small CNNs, watched while they learn.")

cfg, error = sidebar_config(PAGE, datasets=IMAGE_NAMES)
with st.sidebar:
    on = st.selectbox(
        "Device", device.available(), key="images_device", disabled=ui.is_training(PAGE),
        help="Where the network trains: a CUDA GPU when this machine has one, otherwise the CPU.",
    )
if error:
    st.error(f"{plain(error)} Nothing was trained; change that setting in the sidebar to continue.")
    st.stop()
if not images.is_available(cfg.data.dataset):
    download_prompt(cfg.data.dataset)

data = image_dataset(cfg.data.dataset)
try:
    run = ui.current_run(cfg, data, on)
except ValueError as err:  # a pool that shrinks the image away, a network over the size cap, a wrong loss
    st.error(plain(err))
    st.stop()
lr_finder(PAGE, cfg, data, on)


def make_board() -> ImagesBoard:
    board = ImagesBoard(data, cfg, cfg.data.dataset, on)
    board.layers(run)
    return board


board, view = run_view.board_for(run, PAGE, make_board, redraw_seconds=1.0)  # image frames cost more: one a second
board.drawing(view)
take_it_with_you(cfg, view, data, PAGE, code_only=True)  # the code of MLPs on the offline sets (see teaching/pieces.py)
run_history(PAGE, cfg, run, classes=data.n_classes > 0)
