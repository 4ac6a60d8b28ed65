"""The training loop as a generator of snapshots, and the resumable Run that owns it."""
from __future__ import annotations

import contextlib
import copy
import threading
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
from torch import nn

from playground.models import LOSSES, build_model, build_optimizer, check_size

# Bump when a change to the engine changes results, so stored runs are not reused.
ENGINE_VERSION = 1
# Mid-epoch snapshots on big epochs, so the page can redraw within an epoch.
STEPS_PER_PARTIAL_SNAPSHOT = 50
_INIT_LOCK = threading.Lock()  # torch's global RNG is shared by every session thread


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


def train(model, optimizer, choice, tensors, n_epochs, batch_size, generator, history, transform=None) -> Iterator[Snapshot]:
    """The tutorials' loop: per batch zero_grad, forward, loss, backward, step; eval each epoch."""
    X_train, y_train, X_test, y_test = tensors
    loss_fn, target = choice.make(), choice.target
    prep = transform or (lambda x: x.float())
    n = len(X_train)
    running, n_running = 0.0, 0
    drop_tiny = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    step, epoch = 0, 0
    last_good = copy.deepcopy(model.state_dict())

    def metrics():
        train_loss, train_score = evaluate(model, choice, loss_fn, X_train, y_train, transform)
        test_loss, test_score = evaluate(model, choice, loss_fn, X_test, y_test, transform)
        return dict(train_loss=train_loss, test_loss=test_loss, train_score=train_score, test_score=test_score)

    if not history.epoch:
        history.append(0, metrics())
        yield Snapshot(0, 0, n_epochs, history)  # the untrained model: the first frame
    for epoch in range(1, n_epochs + 1):
        model.train()
        order = torch.randperm(n, generator=generator).to(X_train.device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            if drop_tiny and len(idx) < 2:
                continue  # BatchNorm cannot normalise a batch of one
            optimizer.zero_grad()
            loss = loss_fn(model(prep(X_train[idx])), target(y_train[idx]))
            if not torch.isfinite(loss):
                model.load_state_dict(last_good)
                yield Snapshot(epoch - 1, step, n_epochs, history, done=True, diverged=_diverged(epoch, loss))
                return
            loss.backward()
            optimizer.step()
            step += 1
            running, n_running = running + loss.detach(), n_running + 1
            if step % STEPS_PER_PARTIAL_SNAPSHOT == 0:
                history.batch_epoch.append(epoch - 1 + min(start + batch_size, n) / n)
                history.batch_loss.append(float(running) / n_running)
                running, n_running = 0.0, 0
                yield Snapshot(epoch - 1, step, n_epochs, history)
        if n_running:
            history.batch_epoch.append(float(epoch))
            history.batch_loss.append(float(running) / n_running)
            running, n_running = 0.0, 0
        row = metrics()
        if not np.isfinite(row["train_loss"]) or not np.isfinite(row["test_loss"]):
            model.load_state_dict(last_good)
            yield Snapshot(epoch - 1, step, n_epochs, history, done=True, diverged=_diverged(epoch, row["train_loss"]))
            return
        last_good = copy.deepcopy(model.state_dict())
        history.append(epoch, row)
        yield Snapshot(epoch, step, n_epochs, history, done=epoch == n_epochs)


def _diverged(epoch: int, loss) -> str:
    value = float(loss.detach() if torch.is_tensor(loss) else loss)
    return (
        f"Training diverged in epoch {epoch}: the loss became {value} instead of a number. "
        "The steps were too large, so the weights overflowed. Try a learning rate 10x smaller, "
        "or an adaptive optimizer such as Adam. Showing the last good state "
        f"(after epoch {epoch - 1})."
    )


class Run:
    """One session's training run for one config: the model, its optimizer and the suspended loop.

    Iterating `snapshots()` again after an interruption resumes exactly where it stopped,
    so a stopped-then-resumed run matches an uninterrupted one step for step.
    """

    from_store = False  # True when rebuilt from a stored result rather than trained here

    def __init__(self, cfg, data, device: str = "cpu"):
        problem = LOSSES[cfg.train.loss].problem(data.n_classes)
        if problem:
            raise ValueError(problem)
        self.cfg = cfg
        self.n_classes = data.n_classes
        with _INIT_LOCK:
            torch.manual_seed(cfg.train.seed)
            self.model = build_model(cfg.model, data.input_shape, data.n_classes, cfg.train.loss)
        check_size(self.model)
        self.model.to(device)
        self.history = History()
        self.snapshot: Snapshot | None = None
        self._loop: Iterator[Snapshot] | None = None
        self._data, self._device = data, device

    @classmethod
    def finished(cls, cfg, data, state_dict: dict, history: History, snapshot: Snapshot, device: str = "cpu") -> Run:
        """A run rebuilt from a stored result: a fresh module of this session's own."""
        run = cls(cfg, data, device)
        run.model.load_state_dict(state_dict)
        run.history = history.copy()
        run.snapshot = Snapshot(snapshot.epoch, snapshot.step, snapshot.n_epochs, run.history, True, snapshot.diverged)
        run.from_store = True
        return run

    @property
    def done(self) -> bool:
        return self.snapshot is not None and self.snapshot.done

    @property
    def started(self) -> bool:
        return self._loop is not None or self.snapshot is not None

    def snapshots(self) -> Iterator[Snapshot]:
        """The live loop; the same suspended generator every call until it is finished."""
        if self._loop is None:
            self._loop = self._start()
        for snap in self._loop:
            self.snapshot = snap
            yield snap

    def _start(self) -> Iterator[Snapshot]:
        cfg, d, dev = self.cfg.train, self._data, self._device
        tensors = (
            torch.as_tensor(d.X_train, device=dev),
            torch.as_tensor(d.y_train, device=dev),
            torch.as_tensor(d.X_test, device=dev),
            torch.as_tensor(d.y_test, device=dev),
        )
        optimizer = build_optimizer(cfg, self.model.parameters())
        generator = torch.Generator().manual_seed(cfg.seed)
        return train(
            self.model, optimizer, LOSSES[cfg.loss], tensors, cfg.epochs, cfg.batch_size, generator, self.history, d.transform
        )

    def proba(self, X) -> np.ndarray:
        """Class probabilities for raw rows (or uint8 images) of this run's data."""
        return predict_proba(self.model, X, self.cfg.train.loss, self._data.transform)

    def predict(self, X) -> np.ndarray:
        """Predicted classes (or values) for raw rows of this run's data."""
        return predict(self.model, X, self.cfg.train.loss, self._data.transform)

    def result(self) -> tuple[dict, History, Snapshot]:
        """Immutable copies to put in the shared store: CPU state_dict, history, last snapshot."""
        state = {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        return state, self.history.copy(), self.snapshot
