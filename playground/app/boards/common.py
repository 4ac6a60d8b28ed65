"""What every board shows the same way: the status line, progress and metrics, the curves, and Slot (an element replaced in place)."""
from __future__ import annotations

import streamlit as st

from playground.engine.editing import WEIGHTS_SET, current_metrics
from playground.engine.run import Run
from playground.viz import charts


def _fmt(value, pct=False) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if pct else f"{value:.3f}"


HAND_SET = ("Some weights were set by hand: the numbers above are for the edited network, the curves show training "
            "before the edit, and this run is not shared with other sessions.")


def show_status(placeholder, run: Run, training: bool) -> None:
    """One line on where the run stands: untrained, diverged, finished (maybe from the cache) or stopped."""
    snap = run.snapshot
    if run.edited == WEIGHTS_SET and not training and run.replay_of is None and not (snap and snap.diverged):
        on = " Press **Train** to train on from these weights," if not run.done or run.extendable else ""
        placeholder.warning(f"{HAND_SET}{on} Press **Reset** for new random weights.")
    elif run.replay_of is not None:
        placeholder.info(f"Replay: the network after epoch {snap.epoch} of {run.replay_of.snapshot.epoch}. "
                         "Slide to the right end for the finished run.")
    elif snap is None:
        placeholder.info("Untrained network with random weights. Press **Train** to watch it learn, or **Step** for one epoch at a time.")
    elif snap.diverged:
        placeholder.error(snap.diverged)
    elif snap.done:
        cached = " It was trained before, so it is shown from the cache." if run.from_store else ""
        epochs = f"{snap.epoch} epoch{'s' if snap.epoch != 1 else ''}"
        more = (" Press **Train more** to keep training it." if run.extendable else
                " Press **Train more** to train a longer run (from the start: a run from the cache cannot continue).")
        mine = f" Its {run.edited}, so it is this session's alone (not shared from the cache)." if run.edited else ""
        placeholder.success(f"Finished {epochs}.{cached}{mine}{more} Change a setting, or press Reset for new weights.")
    elif training:
        placeholder.empty()
    else:
        placeholder.info(f"Stopped after epoch {snap.epoch}. Press **Train** to continue, **Step** for one more epoch, "
                         "or **Reset** for new weights.")


def show_progress(progress, metrics, run: Run) -> None:
    """The progress bar with its epoch counter, and train/test loss and score as numbers."""
    epoch = run.snapshot.epoch if run.snapshot else 0
    progress.progress(epoch / run.cfg.train.epochs, text=f"Epoch {epoch} / {run.cfg.train.epochs}")
    last = current_metrics(run)
    name, pct = ("accuracy", True) if run.n_classes else ("R²", False)
    labels = (("Train loss", "train_loss", False), ("Test loss", "test_loss", False),
              (f"Train {name}", "train_score", pct), (f"Test {name}", "test_score", pct))
    for ph, (label, key, is_pct) in zip(metrics, labels):
        ph.metric(label, _fmt(last.get(key), is_pct))


CURVES_HEIGHT = 330


class Slot:
    """A place for one element that live frames redraw: filled on the first draw, then replaced in place.

    Unlike st.empty(), a slot sends nothing until it draws: on a rerun (Train, Stop) an st.empty()
    would first replace what is on screen with an empty element, and a chart would vanish until the
    next frame; a chart drawn again at the same place keeps its ECharts instance. A call identical
    to the last one sends nothing at all (the browser redraws nothing). Any st.* element method works:
    slot.echarts_chart(...), slot.metric(...), slot.info(...), slot.empty().
    """

    def __init__(self):
        self._place, self._element, self._last = st.container(), None, None

    def __getattr__(self, method: str):
        def draw(*args, **kw):
            call = (method, args, kw)
            if call != self._last:
                self._last = call
                self._element = getattr(self._element or self._place, method)(*args, **kw)

        return draw


def show_curves(placeholder, run: Run, loss_label: str, score_label: str = "accuracy", compact: bool = False,
                height: int = CURVES_HEIGHT) -> None:
    """The loss and score curves (ECharts, updated in place); before the first epoch one line says they will come.

    compact: the loss alone (beside the 2-D plane, where the score is a number above it).
    """
    if not run.history.epoch:
        placeholder.caption("Training curves (loss and score against epochs) appear here once training starts.")
        return
    option = charts.curves_option(run.history, run.cfg.train.epochs, loss_label, score_label, with_score=not compact)
    what = "Loss curves" if compact else f"Loss and {score_label} curves"
    placeholder.echarts_chart(option, height=height, alt=f"{what} up to epoch {run.history.epoch[-1]}")


def metric_slots(n: int = 4) -> list[Slot]:
    """A row of n places for numbers (loss, accuracy), each redrawn in place."""
    slots = []
    for column in st.columns(n):
        with column:
            slots.append(Slot())
    return slots
