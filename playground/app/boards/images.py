"""The images board: layer table, test images with probability bars, confusion matrix, mistakes, drawing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch
from sklearn.metrics import confusion_matrix

from playground.server import device
from playground.data import images
from playground.viz import charts, image_charts, palette
from playground.config import DataConfig
from playground.data.catalog import IMAGE_DATASETS
from playground.data.tables import load_dataset
from playground.data.types import Dataset
from playground.data.drawing import to_digit_image
from playground.engine.inside import feature_maps
from playground.engine.models import LOSSES, layer_table
from playground.engine.run import Run
from playground.app.session import is_training
from playground.app.boards.common import Slot, metric_slots, show_curves, show_progress, show_status
from playground.app.boards.health import HealthView, health_switch

MAX_LOOKED_AT = 50  # test images offered to look into
N_SHOWN = 8  # test images with bars
N_MISTAKES = 8
DRAWABLE = {"digits", "mnist_5k", "mnist"}


@st.cache_resource(max_entries=3, show_spinner="Loading images...")
def image_dataset(name: str) -> Dataset:
    """uint8 images shared by every session (never written to); batches are normalised on the fly."""
    return load_dataset(DataConfig(name))


def download_prompt(name: str) -> None:
    """For a dataset not on disk yet: a Download button with a live progress bar."""
    spec = IMAGE_DATASETS[name]
    st.info(f"**{spec.label}** is not on this machine yet. {spec.about}")
    if not st.button("Download", key=f"download_{name}", type="primary", help="Fetch it once into the cache folder; it is reused afterwards."):
        st.stop()
    bar = st.progress(0.0, text="Connecting...")

    def progress(done: int, total: int | None) -> None:
        frac = min(done / total, 1.0) if total else 0.0
        bar.progress(frac, text=f"Downloaded {done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else ""))

    try:
        spec.load(progress=progress)
    except images.DataUnavailable as err:
        st.error(str(err))
        st.stop()
    st.rerun()


class ImagesBoard:
    """Placeholders laid out once per script run; draw(run) refills them (ECharts charts updated in place)."""

    def __init__(self, data: Dataset, cfg, dataset_name: str, on: str):
        self.data, self.cfg = data, cfg
        st.caption(f"{data.notes[0]} Training on {device.describe(on)}.")
        self.layer_box = st.container()
        self.status, self.progress = Slot(), Slot()
        self.metrics = metric_slots()
        left, right = st.columns([3, 2], gap="medium")
        with left:
            self.grid = Slot()
        with right:
            self.confusion = Slot()
        self.mistakes = Slot()
        self.curves = Slot()
        self.cnn = bool(cfg.model.conv)
        if self.cnn:  # what each conv block sees in one test image (CNN Explainer's view)
            pick, bars = st.columns([1, 2], vertical_alignment="bottom")
            self.seen = pick.selectbox("Image to look into", list(range(min(MAX_LOOKED_AT, len(data.y_test)))),
                                       key=f"cnn_image_{dataset_name}", format_func=lambda i: f"Test image #{i}",
                                       help="Which test image's feature maps to show: each conv block's channels, live.")
            with bars:
                self.sees_bars = Slot()
            self.sees = Slot()
        self.health = HealthView(health_switch("images_health"))
        self.drawable = dataset_name in DRAWABLE

    def layers(self, run: Run) -> None:
        with self.layer_box.expander("Network layers: output shapes and parameter counts", expanded=False):
            table = pd.DataFrame(layer_table(run.model, self.data.input_shape))
            st.dataframe(table, hide_index=True, width="stretch")
            st.caption(f"{table['parameters'].sum():,} parameters in all.")

    def draw(self, run: Run) -> None:
        """Redraw from the run's model and history (about once a second)."""
        d = self.data
        epoch = run.snapshot.epoch if run.snapshot else 0
        show_status(self.status, run, is_training("images"))
        show_progress(self.progress, self.metrics, run)
        proba = run.proba(d.X_test)
        y_pred = proba.argmax(1)
        shown = np.arange(min(N_SHOWN, len(d.y_test)))
        right = int((y_pred[shown] == d.y_test[shown]).sum())
        self.grid.echarts_chart(
            image_charts.image_grid_option(d.X_test[shown], proba[shown], d.y_test[shown], d.class_names),
            height=image_charts.image_grid_height(d.X_test[shown], d.class_names),
            alt=f"Test images and the model's class probabilities, epoch {epoch}: {right} of {len(shown)} "
                "guessed right (green: correct, red: wrong guess)",
        )
        cm = confusion_matrix(d.y_test, y_pred, labels=list(range(d.n_classes)))
        accuracy = np.trace(cm) / max(cm.sum(), 1)
        self.confusion.echarts_chart(
            charts.confusion_option(cm, d.class_names), height=charts.confusion_height(d.class_names),
            alt=f"Confusion matrix (test), epoch {epoch}: {accuracy:.1%} of {cm.sum()} test images on the diagonal",
        )
        wrong = np.nonzero(y_pred != d.y_test)[0]
        worst = wrong[np.argsort(-proba[wrong].max(1))][:N_MISTAKES]
        self.mistakes.echarts_chart(
            image_charts.mistakes_option(d.X_test[worst], d.y_test[worst], y_pred[worst], proba[worst].max(1), d.class_names),
            height=image_charts.mistakes_height(d.X_test[worst]),
            alt=f"Most confident mistakes, epoch {epoch}: {len(wrong)} of {len(d.y_test)} test images wrong"
            if len(worst) else f"No mistakes on the test set, epoch {epoch}",
        )
        loss = LOSSES[run.cfg.train.loss].label
        show_curves(self.curves, run, loss)
        self.health.draw(run, d, run.cfg.train.loss)
        if self.cnn:
            self._draw_feature_maps(run, proba, epoch)

    def _draw_feature_maps(self, run: Run, proba, epoch: int) -> None:
        d, i = self.data, self.seen
        image = torch.as_tensor(d.X_test[i : i + 1])
        image = (d.transform(image) if d.transform else image.float())[0]
        maps, filters = feature_maps(run.model, image)
        title = f"What the CNN sees in test image #{i} (true: {d.class_names[d.y_test[i]]}), epoch {epoch}"
        option, height = image_charts.feature_maps_option(maps, filters, title)
        self.sees.echarts_chart(option, height=height, alt=f"{title}: each conv block's channels as small pictures")
        self.sees_bars.echarts_chart(charts.bars_option(proba[i], d.class_names, int(d.y_test[i]), title=f"Test image #{i}"),
                                     height=charts.bars_height(len(d.class_names)),
                                     alt=f"Test image #{i}: class probabilities after epoch {epoch}")

    def drawing(self, run: Run) -> None:
        """Draw a digit with the mouse and see the current model's class probabilities at once."""
        if not self.drawable:
            return
        from streamlit_drawable_canvas import st_canvas

        st.subheader("Draw a digit")
        left, right = st.columns([1, 2])
        with left:
            result = st_canvas(
                stroke_width=22, stroke_color=palette.WHITE, background_color=palette.BLACK,  # white on black, as MNIST's digits
                height=palette.DRAWING_SIZE, width=palette.DRAWING_SIZE,
                drawing_mode="freedraw", key="canvas", update_streamlit=True, return_image_data=True,
            )
            st.caption("Draw one digit, large and centred; the bin icon above the canvas clears it.")
        _, height, _ = self.data.input_shape
        image = None if result.image_data is None else to_digit_image(result.image_data, size=height, box=height * 5 // 7 if height > 8 else 8)
        with right:
            if image is None:
                st.info("Draw a digit on the black square: the bars show what the current model thinks it is.")
                return
            proba = run.proba(image[None])[0]
            title = f"The model says {self.data.class_names[proba.argmax()]} ({proba.max():.0%})"
            st.echarts_chart(charts.bars_option(proba, self.data.class_names, title=title),
                             height=charts.bars_height(self.data.n_classes), key="drawn_bars",
                             alt=f"{title}: the current model's class probabilities for the drawn digit")
            st.image(np.repeat(image[0][..., None], 3, axis=2), caption=f"What the model sees ({height}x{height}, like the training digits)", width=140)
