"""Streamlit glue: widgets -> Config, the shared caches, per-session runs and the Train/Stop/Reset state."""
from __future__ import annotations

import time
from collections import OrderedDict

import streamlit as st
import torch

from playground import config as C
from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data import DATASETS, load_dataset
from playground.models import ACTIVATIONS, OPTIMIZERS
from playground.store import ResultStore
from playground.training import ENGINE_VERSION, Run

# Tiny models run fastest on one thread, and one thread per session keeps a classroom's
# sessions from fighting over the cores.
torch.set_num_threads(1)

LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_STEPS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
DECAY_STEPS = (0.0, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0)
RUNS_PER_SESSION = 4
DEFAULTS = Config()


@st.cache_resource
def result_store() -> ResultStore:
    """Finished runs of every session: immutable state_dicts and histories, bounded."""
    return ResultStore(max_entries=64)


@st.cache_data(max_entries=32, show_spinner=False)
def dataset(data_cfg: DataConfig):
    """The dataset for a DataConfig; training settings are not part of this key."""
    return load_dataset(data_cfg)


def is_training() -> bool:
    return st.session_state.get("training", False)


def _default(key: str, value):
    """Seed a widget's value once through session state (never pass value= too)."""
    st.session_state.setdefault(key, value)
    return key


def _data_widgets(disabled: bool) -> DataConfig:
    d = DEFAULTS.data
    name = st.selectbox(
        "Dataset", list(DATASETS), key=_default("dataset", d.dataset), disabled=disabled,
        format_func=lambda n: DATASETS[n].label,
        help="The points to classify. " + "; ".join(f"{s.label}: {s.about}" for s in DATASETS.values()) + ".",
    )
    lo, hi = DATASETS[name].classes
    n_classes = lo
    if lo < hi:
        n_classes = st.slider(
            "Classes", lo, hi, key=_default(f"n_classes_{name}", lo), disabled=disabled,
            help="How many groups of points (colours) the network must tell apart.",
        )
    n_samples = st.slider(
        "Number of samples", *C.LIMITS["n_samples"], step=50, key=_default("n_samples", d.n_samples), disabled=disabled,
        help="How many points to generate in total (train + test). More points: a clearer picture, slower epochs.",
    )
    noise = st.slider(
        "Noise", *C.LIMITS["noise"], step=0.05, key=_default("noise", d.noise), disabled=disabled,
        help="How much random jitter blurs the shapes. 0 gives clean shapes; high noise makes classes overlap.",
    )
    test_fraction = st.slider(
        "Test split", *C.LIMITS["test_fraction"], step=0.05, key=_default("test_fraction", d.test_fraction), disabled=disabled,
        help="Share of the points held out for testing. The network never trains on them, so the test "
        "accuracy shows how well it generalises to new points.",
    )
    random_state = st.number_input(
        "Data seed", *C.LIMITS["seed"], key=_default("random_state", d.random_state), disabled=disabled,
        help="Same seed, same points. Change it to draw a new sample of the same shape.",
    )
    return DataConfig(name, n_samples, noise, test_fraction, n_classes, int(random_state))


def _model_widgets(disabled: bool) -> ModelConfig:
    m = DEFAULTS.model
    n_layers = st.number_input(
        "Hidden layers", *C.LIMITS["n_layers"], key=_default("n_layers", len(m.hidden)), disabled=disabled,
        help="Layers of neurons between input and output. 0 hidden layers is logistic regression: one straight boundary.",
    )
    widths = []
    cols = st.columns(3)
    for i in range(int(n_layers)):
        with cols[i % 3]:
            widths.append(
                st.number_input(
                    f"Layer {i + 1}", *C.LIMITS["width"], key=_default(f"width_{i}", 8), disabled=disabled,
                    help=f"Neurons in hidden layer {i + 1}. More neurons can draw more complicated boundaries.",
                )
            )
    activation = st.selectbox(
        "Activation", list(ACTIVATIONS), key=_default("activation", m.activation), disabled=disabled,
        format_func=lambda n: ACTIVATIONS[n].label,
        help="The non-linearity after each hidden layer. " + "; ".join(f"{a.label}: {a.about}" for a in ACTIVATIONS.values()) + ".",
    )
    batchnorm = st.checkbox(
        "BatchNorm", key=_default("batchnorm", m.batchnorm), disabled=disabled,
        help="Normalise each hidden layer's outputs over the batch: often trains faster and tolerates larger learning rates.",
    )
    dropout = st.slider(
        "Dropout", *C.LIMITS["dropout"], step=0.05, key=_default("dropout", m.dropout), disabled=disabled,
        help="While training, switch off this share of hidden neurons at random, so the network cannot rely on "
        "any single one: a guard against overfitting. Turned off for evaluation.",
    )
    return ModelConfig(tuple(int(w) for w in widths), activation, batchnorm, dropout)


def _train_widgets(disabled: bool) -> TrainConfig:
    t = DEFAULTS.train
    optimizer = st.selectbox(
        "Optimizer", list(OPTIMIZERS), key=_default("optimizer", t.optimizer), disabled=disabled,
        format_func=lambda n: OPTIMIZERS[n].label,
        help="The rule that turns gradients into weight updates. " + "; ".join(f"{o.label}: {o.about}" for o in OPTIMIZERS.values()) + ".",
    )
    lr = st.select_slider(
        "Learning rate", LR_STEPS, key=_default("lr", t.lr), disabled=disabled, format_func=lambda v: f"{v:g}",
        help="How big each update step is (log scale). Too small: learning crawls. Too big: the loss jumps around or blows up.",
    )
    batch_size = st.select_slider(
        "Batch size", BATCH_STEPS, key=_default("batch_size", t.batch_size), disabled=disabled,
        help="How many training points are averaged for each update. Small batches: many noisy steps per epoch; "
        "large batches: few smooth steps.",
    )
    epochs = st.number_input(
        "Epochs", *C.LIMITS["epochs"], step=10, key=_default("epochs", t.epochs), disabled=disabled,
        help="How many times training goes through every training point.",
    )
    weight_decay = st.select_slider(
        "L2 weight decay", DECAY_STEPS, key=_default("weight_decay", t.weight_decay), disabled=disabled,
        format_func=lambda v: f"{v:g}",
        help="Pulls every weight a little towards zero each step: keeps the boundary smooth and fights overfitting.",
    )
    seed = st.number_input(
        "Weight seed", *C.LIMITS["seed"], key=_default("seed", t.seed), disabled=disabled,
        help="Seeds the starting weights and the shuffling: the same settings and seed give the same run. "
        "Reset picks the next seed.",
    )
    return TrainConfig(optimizer, float(lr), int(batch_size), int(epochs), float(weight_decay), "cross_entropy", int(seed))


def sidebar_config() -> tuple[Config | None, str | None]:
    """Draw the settings in the sidebar; return the Config, or None and a message saying what is wrong."""
    disabled = is_training()
    with st.sidebar:
        try:
            st.header("Data")
            data_cfg = _data_widgets(disabled)
            st.header("Network")
            model_cfg = _model_widgets(disabled)
            st.header("Training")
            train_cfg = _train_widgets(disabled)
            return Config(data_cfg, model_cfg, train_cfg), None
        except ValueError as err:
            return None, str(err)


def current_run(cfg: Config, data) -> Run:
    """This session's run for cfg: its own (maybe stopped) run, else one rebuilt from the store, else new."""
    runs: OrderedDict = st.session_state.setdefault("runs", OrderedDict())
    run = runs.get(cfg)
    if run is None or not run.started:
        stored = result_store().get((ENGINE_VERSION, cfg))
        run = Run.finished(cfg, data, *stored) if stored else (run or Run(cfg, data))
    runs[cfg] = run
    runs.move_to_end(cfg)
    while len(runs) > RUNS_PER_SESSION:
        runs.popitem(last=False)
    return run


def finish(run: Run) -> None:
    """Publish a finished run to the shared store as immutable copies."""
    result_store().put((ENGINE_VERSION, run.cfg), run.result())
    st.session_state.training = False


def _start():
    st.session_state.training = True


def _stop():
    st.session_state.training = False


def _reset():
    st.session_state.training = False
    st.session_state.seed = (st.session_state.get("seed", 0) + 1) % C.LIMITS["seed"][1]


def control_buttons(run: Run) -> None:
    """Train / Stop / Reset in one row."""
    train_col, stop_col, reset_col, _ = st.columns([1, 1, 1, 4])
    training = is_training()
    train_col.button(
        "Train", key="train", type="primary", on_click=_start, disabled=training or run.done, width="stretch",
        help="Train the network and watch it learn. After a Stop, Train continues where it stopped.",
    )
    stop_col.button(
        "Stop", key="stop", on_click=_stop, disabled=not training, width="stretch",
        help="Pause training and keep everything learned so far.",
    )
    reset_col.button(
        "Reset", key="reset", on_click=_reset, width="stretch",
        help="Throw the trained weights away and start again from new random weights (the next weight seed).",
    )


REDRAW_SECONDS = 0.25  # a few frames a second: smooth to watch, cheap next to training


def train_live(run: Run, draw) -> None:
    """Resume the run's loop, calling draw(run) a few times a second; publish it when finished.

    Stop (or any widget) interrupts this at the next Streamlit call inside draw(); the run's
    suspended loop and history stay in session state, so Train picks up where it left off.
    """
    budget = st.session_state.get("snapshot_budget")  # tests' tiny-run knob: pause after N snapshots
    last_draw = 0.0
    for n, snap in enumerate(run.snapshots(), 1):
        if snap.done or time.monotonic() - last_draw >= REDRAW_SECONDS:
            draw(run)
            last_draw = time.monotonic()
        if budget and n >= budget and not snap.done:
            st.session_state.training = False
            st.rerun()
    if run.done:
        finish(run)
    st.session_state.training = False
    st.rerun()
