"""The training loop as a generator of snapshots, and the resumable Run that owns it."""
from __future__ import annotations

import contextlib
import copy
import math
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
from torch import nn

from playground.engine.models import LOSSES, build_optimizer, has_batchnorm, seeded_model

# Bump when a change to the engine changes results, so stored runs are not reused.
ENGINE_VERSION = 1
# Mid-epoch snapshots on big epochs, so the page can redraw within an epoch.
STEPS_PER_PARTIAL_SNAPSHOT = 50


@dataclass
class History:
    """Per-epoch metrics; row 0 is the untrained model."""

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_score: list = field(default_factory=list)  # accuracy, or R² for regression
    test_score: list = field(default_factory=list)
    # Mean loss of the training batches since the previous snapshot, at fractional epochs:
    # the curve moves within an epoch, not only at its end.
    batch_epoch: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)

    def append(self, epoch: int, metrics: dict) -> None:
        self.epoch.append(epoch)
        for name, value in metrics.items():
            getattr(self, name).append(value)

    def last(self) -> dict:
        names = ("train_loss", "test_loss", "train_score", "test_score")
        return {n: getattr(self, n)[-1] for n in names} if self.epoch else {}

    def copy(self) -> History:
        return copy.deepcopy(self)


@dataclass(frozen=True)
class Snapshot:
    """Where a run stands: yielded after each epoch and every few dozen steps inside one."""

    epoch: int  # completed epochs
    step: int  # optimizer steps taken
    n_epochs: int
    history: History
    done: bool = False
    diverged: str | None = None  # a plain-language message when the loss blew up

    @property
    def progress(self) -> float:
        return self.epoch / self.n_epochs


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """Eval mode and no grad inside; the previous mode restored after (a run may be mid-epoch)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


EVAL_CHUNK = 2048  # rows per forward pass when evaluating: bounds memory on big image sets
# Image sets whose float32 copy fits in this many bytes are normalised once per run; bigger
# ones (full MNIST, CIFAR-10) stay uint8 and are normalised batch by batch.
PRELOAD_BYTES = 64 * 2**20
MAX_FRAMES = 60  # saved epochs for replay per run...
FRAME_BYTES = 4 * 2**20  # ...within this many bytes of weights (big CNNs keep few or none)


def _prepared(X, device, transform):
    x = torch.as_tensor(X, device=device)
    return transform(x) if transform else x.float()


def _outputs(model: nn.Module, X, transform=None) -> torch.Tensor:
    device = next(model.parameters()).device
    with evaluating(model):
        return torch.cat([model(_prepared(X[i : i + EVAL_CHUNK], device, transform)) for i in range(0, len(X), EVAL_CHUNK)])


def predict_proba(model: nn.Module, X, loss: str = "cross_entropy", transform=None) -> np.ndarray:
    """Class probabilities for the rows of X, as a float32 numpy array."""
    return LOSSES[loss].to_proba(_outputs(model, X, transform)).float().cpu().numpy()


def predict(model: nn.Module, X, loss: str = "cross_entropy", transform=None) -> np.ndarray:
    """Predicted class (or value, for regression) for the rows of X."""
    return LOSSES[loss].predict(_outputs(model, X, transform)).cpu().numpy()


def score(choice, out: torch.Tensor, y: torch.Tensor) -> float:
    """Accuracy for classification; R² (1 - residual/total variance) for regression."""
    pred = choice.predict(out)
    if choice.task == "classification":
        return (pred == y).float().mean().item()
    total = ((y - y.mean()) ** 2).sum()
    return (1 - ((y - pred) ** 2).sum() / total.clamp_min(1e-12)).item()


def evaluate(model, choice, loss_fn, X, y, transform=None) -> tuple[float, float]:
    """(mean loss, score) of the model on one split, in chunks."""
    with evaluating(model):
        out = torch.cat([model(_prepared(X[i : i + EVAL_CHUNK], X.device, transform)) for i in range(0, len(X), EVAL_CHUNK)])
        return loss_fn(out, choice.target(y)).item(), score(choice, out, y)


class _Tally:
    """Running sums over one epoch's batches: the tutorials' running_loss, plus accuracy or R².

    Training metrics come from the batches already computed (as the tutorials report them),
    so an epoch costs no extra pass over the training set.
    """

    def __init__(self, choice, y_train: torch.Tensor):
        self.choice = choice
        y = y_train.float()
        self.total_var = ((y - y.mean()) ** 2).sum()  # for R²
        self.loss_sum, self.hits, self.n = 0.0, 0.0, 0
        self.window_sum, self.window_n = 0.0, 0

    def add(self, out: torch.Tensor, y: torch.Tensor, loss: float) -> None:
        """One batch: its outputs, targets and (already read out) mean loss; one or two tensor ops."""
        size = len(y)
        self.loss_sum, self.n = self.loss_sum + loss * size, self.n + size
        pred = self.choice.predict(out.detach())
        self.hits = self.hits + ((pred == y).sum() if self.choice.task == "classification" else ((y - pred) ** 2).sum())
        self.window_sum, self.window_n = self.window_sum + loss, self.window_n + 1

    def window_mean(self) -> float:
        """Mean batch loss since the last call (the light 'batches' curve)."""
        mean = float(self.window_sum) / max(self.window_n, 1)
        self.window_sum, self.window_n = 0.0, 0
        return mean

    def epoch(self, n_train: int) -> tuple[float, float]:
        """(train loss, train score) over the epoch; starts the next epoch's sums."""
        loss = float(self.loss_sum) / max(self.n, 1)
        if self.choice.task == "classification":
            score = float(self.hits) / max(self.n, 1)
        else:  # residuals summed over the seen rows, scaled to the whole training set
            score = 1 - float(self.hits) * n_train / max(self.n, 1) / max(float(self.total_var), 1e-12)
        self.loss_sum, self.hits, self.n = 0.0, 0.0, 0
        return loss, score


def train(model, optimizer, choice, tensors, n_epochs, batch_size, generator, history, transform=None) -> Iterator[Snapshot]:
    """The tutorials' loop: per batch zero_grad, forward, loss, backward, step; test eval each epoch.

    `n_epochs` is a number, or a callable read after every epoch: a loop suspended at its last
    snapshot trains on when the callable's value has grown (Run.extend), exactly as if the
    longer run had been asked for from the start.
    """
    planned = n_epochs if callable(n_epochs) else lambda: n_epochs
    X_train, y_train, X_test, y_test = tensors
    loss_fn, target = choice.make(), choice.target
    prep = transform or (lambda x: x.float())
    n, tally = len(X_train), _Tally(choice, y_train)
    drop_tiny = has_batchnorm(model)
    step, last_good = 0, copy.deepcopy(model.state_dict())

    def metrics(train_loss, train_score):
        test_loss, test_score = evaluate(model, choice, loss_fn, X_test, y_test, transform)
        return dict(train_loss=train_loss, test_loss=test_loss, train_score=train_score, test_score=test_score)

    if not history.epoch:  # the untrained model, measured on the whole training set once: the first frame
        history.append(0, metrics(*evaluate(model, choice, loss_fn, X_train, y_train, transform)))
        yield Snapshot(0, 0, planned(), history)
    epoch = history.epoch[-1]
    while epoch < planned():
        epoch += 1
        model.train()
        order = torch.randperm(n, generator=generator).to(X_train.device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            if drop_tiny and len(idx) < 2:
                continue  # BatchNorm cannot normalise a batch of one
            y_batch = y_train[idx]
            optimizer.zero_grad()
            out = model(prep(X_train[idx]))
            loss = loss_fn(out, target(y_batch))
            value = loss.item()  # one read per batch serves the NaN check and the running sums
            if not math.isfinite(value):
                model.load_state_dict(last_good)
                yield Snapshot(epoch - 1, step, planned(), history, done=True, diverged=_diverged(epoch, value))
                return
            loss.backward()
            optimizer.step()
            step += 1
            tally.add(out, y_batch, value)
            if step % STEPS_PER_PARTIAL_SNAPSHOT == 0:
                history.batch_epoch.append(epoch - 1 + min(start + batch_size, n) / n)
                history.batch_loss.append(tally.window_mean())
                yield Snapshot(epoch - 1, step, planned(), history)
        if tally.window_n:
            history.batch_epoch.append(float(epoch))
            history.batch_loss.append(tally.window_mean())
        row = metrics(*tally.epoch(n))
        rule = divergence(history.train_loss + [row["train_loss"]])
        if rule or not np.isfinite(row["test_loss"]):
            model.load_state_dict(last_good)
            message = _diverged(epoch, row["train_loss"], history.train_loss[0], stuck=rule == "stuck")
            yield Snapshot(epoch - 1, step, planned(), history, done=True, diverged=message)
            return
        last_good = copy.deepcopy(model.state_dict())
        history.append(epoch, row)
        yield Snapshot(epoch, step, planned(), history, done=epoch >= planned())


BLOW_UP = 10  # an epoch whose training loss is this many times the untrained loss has diverged
STUCK_HIGH, STUCK_EPOCHS = 3, 5  # ...and so has a run whose loss stays above 3x that for 5 epochs in a row


def divergence(train_losses: list[float]) -> str | None:
    """The rule a run with these epoch losses (untrained first, newest last) breaks: "blew_up", "stuck" or None."""
    floor = max(train_losses[0], 0.1)
    if not np.isfinite(train_losses[-1]) or train_losses[-1] > BLOW_UP * floor:
        return "blew_up"  # NaN or infinite, or far above where training started: big steps that overshoot every time
    recent = train_losses[1:][-STUCK_EPOCHS:]
    if len(recent) == STUCK_EPOCHS and all(v > STUCK_HIGH * floor for v in recent):
        return "stuck"
    return None


def _diverged(epoch: int, loss, start: float | None = None, stuck: bool = False) -> str:
    value = float(loss.detach() if torch.is_tensor(loss) else loss)
    if not np.isfinite(value):
        what = "overflowed to infinity or NaN (not a number)"
    elif stuck:
        what = f"has stayed above {STUCK_HIGH}x the untrained network's {start:.3g} for {STUCK_EPOCHS} epochs (now {value:.3g})"
    else:
        what = f"grew to {value:.3g}, more than {BLOW_UP}x the untrained network's {start:.3g}"
    return (
        f"Training diverged in epoch {epoch}: the loss {what}. The steps are too large, so every update "
        "overshoots. Try a learning rate 10x smaller, or an adaptive optimizer such as Adam. "
        f"Showing the last good state (after epoch {epoch - 1})."
    )


class Run:
    """One session's training run for one config: the model, its optimizer and the suspended loop.

    Iterating `snapshots()` again after an interruption resumes exactly where it stopped,
    so a stopped-then-resumed run matches an uninterrupted one step for step.
    """

    from_store = False  # True when rebuilt from a stored result rather than trained here
    replay_of: Run | None = None  # set on a view_at() replay of another run

    def __init__(self, cfg, data, device: str = "cpu"):
        problem = LOSSES[cfg.train.loss].problem(data.n_classes)
        if problem:
            raise ValueError(problem)
        self.cfg = cfg
        self.n_classes = data.n_classes
        self.model = seeded_model(cfg.model, data.input_shape, data.n_classes, cfg.train.loss, cfg.train.seed)
        self.model.to(device)
        self.history = History()
        self.snapshot: Snapshot | None = None
        self.frames: dict[int, dict] = {}  # epoch -> CPU state_dict, for replay; thinned on long runs
        state_bytes = sum(v.numel() * v.element_size() for v in self.model.state_dict().values())
        self._max_frames = min(MAX_FRAMES, FRAME_BYTES // max(state_bytes, 1))
        self._stride = 1  # epochs between saved frames; doubles whenever the budget is reached
        self._loop: Iterator[Snapshot] | None = None
        self._target = cfg.train.epochs  # the epochs to train in all; extend() raises it
        self._data, self._device = data, device

    @classmethod
    def finished(cls, cfg, data, state_dict: dict, history: History, snapshot: Snapshot, frames: dict | None = None,
                 device: str = "cpu") -> Run:
        """A run rebuilt from a stored result: a fresh module of this session's own."""
        run = cls(cfg, data, device)
        run.model.load_state_dict(state_dict)
        run.history = history.copy()
        run.snapshot = Snapshot(snapshot.epoch, snapshot.step, snapshot.n_epochs, run.history, True, snapshot.diverged)
        run.frames = dict(frames or {})  # the states inside are never modified, so sharing them is safe
        run.from_store = True
        return run

    def _record_frame(self, snap: Snapshot) -> None:
        """Keep the weights every `stride` epochs, evenly over the whole run, plus the latest epoch;
        past the budget the stride doubles (0, 2, 4, ... then 0, 4, 8, ...), so early epochs stay replayable."""
        if self._max_frames < 2 or snap.epoch in self.frames:
            return
        self.frames[snap.epoch] = {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        while len(self.frames) > self._max_frames:
            self._stride *= 2
            self._drop_off_stride(keep=snap.epoch)
        self._drop_off_stride(keep=snap.epoch)  # the previous latest epoch, if it was off the stride

    def _drop_off_stride(self, keep: int) -> None:
        for epoch in [e for e in self.frames if e % self._stride and e != keep]:
            del self.frames[epoch]

    def view_at(self, epoch: int) -> Run:
        """This run as it stood after `epoch` (a saved frame): its own model, history up to then."""
        history = self.history.copy()
        keep = [i for i, e in enumerate(history.epoch) if e <= epoch]
        for name in ("epoch", "train_loss", "test_loss", "train_score", "test_score"):
            setattr(history, name, [getattr(history, name)[i] for i in keep])
        batches = [i for i, e in enumerate(history.batch_epoch) if e <= epoch]
        history.batch_epoch = [history.batch_epoch[i] for i in batches]
        history.batch_loss = [history.batch_loss[i] for i in batches]
        snap = Snapshot(epoch, 0, self.cfg.train.epochs, history, done=True)
        view = Run.finished(self.cfg, self._data, self.frames[epoch], history, snap, device=self._device)
        view.replay_of = self
        return view

    @property
    def done(self) -> bool:
        return self.snapshot is not None and self.snapshot.done

    @property
    def started(self) -> bool:
        return self._loop is not None or self.snapshot is not None

    def snapshots(self) -> Iterator[Snapshot]:
        """The live loop; the same suspended generator every call until it is finished."""
        if self.done:  # finished here or rebuilt from the store: nothing left to train
            return
        if self._loop is None:
            self._loop = self._start()
        for snap in self._loop:
            self.snapshot = snap
            self._record_frame(snap)
            yield snap
            if snap.done:  # leave the loop suspended at its last snapshot: extend() may ask for more epochs
                return

    @property
    def extendable(self) -> bool:
        """Whether extend() can train this finished run on exactly (not diverged, its loop still here)."""
        return self.done and not self.snapshot.diverged and self._loop is not None

    def extend(self, n_epochs: int) -> None:
        """Train this finished run on to n_epochs in all: the same result as a run asked for n_epochs from the start."""
        if not self.extendable or n_epochs <= self.snapshot.epoch:
            raise ValueError(f"This run cannot be trained on to {n_epochs} epochs.")
        self.cfg = self.cfg.replace(epochs=n_epochs)
        self._target = n_epochs
        self.snapshot = Snapshot(self.snapshot.epoch, self.snapshot.step, n_epochs, self.history)

    def _start(self) -> Iterator[Snapshot]:
        cfg, d, dev = self.cfg.train, self._data, self._device
        X_train, X_test = torch.as_tensor(d.X_train, device=dev), torch.as_tensor(d.X_test, device=dev)
        transform = d.transform
        if transform is not None and (X_train.numel() + X_test.numel()) * 4 <= PRELOAD_BYTES:
            X_train, X_test, transform = transform(X_train), transform(X_test), None  # small: normalise once
        tensors = (X_train, torch.as_tensor(d.y_train, device=dev), X_test, torch.as_tensor(d.y_test, device=dev))
        optimizer = build_optimizer(cfg, self.model.parameters())
        generator = torch.Generator().manual_seed(cfg.seed)
        return train(self.model, optimizer, LOSSES[cfg.loss], tensors, lambda: self._target, cfg.batch_size, generator,
                     self.history, transform)

    def proba(self, X) -> np.ndarray:
        """Class probabilities for raw rows (or uint8 images) of this run's data."""
        return predict_proba(self.model, X, self.cfg.train.loss, self._data.transform)

    def predict(self, X) -> np.ndarray:
        """Predicted classes (or values) for raw rows of this run's data."""
        return predict(self.model, X, self.cfg.train.loss, self._data.transform)

    def result(self) -> tuple[dict, History, Snapshot, dict]:
        """Immutable copies to put in the shared store: CPU state_dict, history, last snapshot, replay frames."""
        state = {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        return state, self.history.copy(), self.snapshot, dict(self.frames)
