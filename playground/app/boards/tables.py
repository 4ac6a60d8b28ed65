"""The tabular / regression board: curves, confusion matrix, PCA picture (one feature: a strip per class), probability bars, the fit."""
from __future__ import annotations

import numpy as np
import streamlit as st
from sklearn.decomposition import PCA
from sklearn.metrics import confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from playground.viz import charts
from playground.viz import table_charts
from playground.engine.models import LOSSES, n_parameters
from playground.engine.run import Run
from playground.app.session import is_training
from playground.app.text import plain
from playground.app.boards.health import HealthView, health_switch
from playground.app.boards.common import Slot, metric_slots, show_curves, show_progress, show_status

MAX_ROWS = 6  # probability bars for at most this many picked test rows


def _projection(data):
    """Test rows in 2-D: the features themselves when there are two, else PCA fitted on train (one feature: None)."""
    if data.n_features == 1:  # no second direction to project to: the board draws a strip per class instead
        return None, ()
    if data.n_features == 2:
        return data.X_test, data.feature_names
    # PCA of standardised features: otherwise one large-valued column (insulin, proline) is the whole picture
    pca = make_pipeline(StandardScaler(), PCA(n_components=2)).fit(data.X_train)
    share = pca[-1].explained_variance_ratio_
    return pca.transform(data.X_test), (f"PC 1 ({share[0]:.0%} of variance)", f"PC 2 ({share[1]:.0%} of variance)")


MAX_PICTURED = 2000  # rows a picture draws: a 124k-row file's 25k test points made every frame lag in the browser
MAX_ROW_CHOICES = 500  # rows offered to inspect (a 25k-option list was as slow)


def _pictured(n: int) -> np.ndarray:
    """Which of n rows a picture draws: all, or MAX_PICTURED evenly spaced ones (the same every frame)."""
    return np.arange(n) if n <= MAX_PICTURED else np.linspace(0, n - 1, MAX_PICTURED).astype(int)


def _epoch(run: Run) -> int:
    return run.snapshot.epoch if run.snapshot else 0


class TabularBoard:
    """Placeholders laid out once per script run; draw(run) refills them (each chart updated in place)."""

    def __init__(self, data, cfg):
        self.data = data
        self.classify = data.task == "classification"
        self.status, self.progress = Slot(), Slot()
        self.metrics = metric_slots()
        self.shown, self.shown_train = _pictured(len(data.y_test)), _pictured(len(data.y_train))
        left, right = st.columns(2, gap="medium")
        with left:
            self.picture = Slot()
            if len(self.shown) < len(data.y_test):
                st.caption(f"{len(self.shown):,} of the {len(data.y_test):,} test rows are pictured (evenly spaced); "
                           "the numbers and the confusion matrix count them all.")
        with right:  # the regression side holds the learned weights (metrics), not a chart
            self.side = Slot() if self.classify else st.empty()
        if self.classify:
            self.coords, self.axis_labels = _projection(data)
            self.rows = st.multiselect(
                "Test rows to inspect", list(range(min(len(data.y_test), MAX_ROW_CHOICES))),
                default=list(range(min(3, len(data.y_test)))),
                max_selections=MAX_ROWS, key=f"rows_{hash(cfg.data)}", format_func=self._row_label,
                help="Pick up to 6 rows of the test set to see the probability the model gives each class, live.",
            )
            cols = st.columns(3)
            self.bars = []
            for i in range(len(self.rows)):
                with cols[i % 3]:
                    self.bars.append(Slot())
        self.curves = Slot()
        self.health = HealthView(health_switch("tabular_health"))

    def _row_label(self, i: int) -> str:
        return f"#{i} (true: {self.data.class_names[self.data.y_test[i]]})"

    def draw(self, run: Run) -> None:
        """Redraw everything from the run's model and history."""
        show_status(self.status, run, is_training("tabular"))
        show_progress(self.progress, self.metrics, run)
        (self._draw_classes if self.classify else self._draw_fit)(run)
        loss = LOSSES[run.cfg.train.loss]
        score = "accuracy" if self.classify else "R²"
        show_curves(self.curves, run, loss.label, score)
        self.health.draw(run, self.data, run.cfg.train.loss)

    def _draw_classes(self, run: Run) -> None:
        d, epoch, shown = self.data, _epoch(run), self.shown
        y_pred = run.predict(d.X_test)
        if self.coords is None:  # one feature: its value against the true class
            option = table_charts.strip_option(d.X_test[shown, 0], d.y_test[shown], y_pred[shown], d.class_names,
                                               d.feature_names[0], f"true {charts.short_name(d.target_name, 24)}")
            placed = f"by {d.feature_names[0]} and true class, "
        else:
            option = table_charts.projection_option(self.coords[shown], d.y_test[shown], y_pred[shown], d.class_names,
                                                    self.axis_labels)
            placed = ""
        self.picture.echarts_chart(option, height=table_charts.PICTURE_HEIGHT,
                                   alt=f"{option['title']['text']} after epoch {epoch}: the test rows {placed}coloured by predicted class")
        cm = confusion_matrix(d.y_test, y_pred, labels=list(range(d.n_classes)))
        option = charts.confusion_option(cm, d.class_names)
        self.side.echarts_chart(option, height=table_charts.PICTURE_HEIGHT,
                                alt=f"{option['title']['text']} after epoch {epoch}: true classes in rows, predicted in columns")
        proba = run.proba(d.X_test[self.rows]) if self.rows else []
        for slot, row, p in zip(self.bars, self.rows, proba):
            true = int(d.y_test[row])
            title = f"Row #{row}: true {d.class_names[true]}"
            slot.echarts_chart(charts.bars_option(p, d.class_names, true, title=title), height=charts.bars_height(d.n_classes),
                               alt=f"{title}: class probabilities after epoch {epoch}")

    def _draw_fit(self, run: Run) -> None:
        d = self.data
        if d.n_features == 1:
            x = np.linspace(min(d.X_train.min(), d.X_test.min()), max(d.X_train.max(), d.X_test.max()), 100, dtype=np.float32)
            y_line = run.predict(x[:, None])
            train, test = self.shown_train, self.shown
            option = table_charts.fit_option(d.X_train[train, 0], d.y_train[train], d.X_test[test, 0], d.y_test[test], x, y_line,
                                             d.feature_names[0], d.target_name)
        else:
            option = table_charts.pred_vs_true_option(d.y_test[self.shown], run.predict(d.X_test[self.shown]), d.target_name)
        self.picture.echarts_chart(option, height=table_charts.PICTURE_HEIGHT, alt=f"{option['title']['text']} after epoch {_epoch(run)}")
        with self.side.container():
            self._weights(run)

    def _weights(self, run: Run) -> None:
        if run.cfg.model.hidden:
            st.caption(f"The network has {n_parameters(run.model):,} weights; a linear model (0 hidden layers) shows them here.")
            return
        linear = run.model[0]
        st.markdown("**Learned parameters**")
        for name, w in zip(self.data.feature_names, linear.weight.detach()[0].tolist()):
            st.metric(f"weight of {plain(name)}", f"{w:.4f}")
        st.metric("bias", f"{linear.bias.item():.4f}" if linear.bias is not None else "none", help="Off when 'Bias terms' is unticked.")
