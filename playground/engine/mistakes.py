"""The mistake lab's engine: the tutorials' loop with a classic bug switched on, raced against the correct loop.

What each bug is called and how the page explains it are teaching.mistakes' job; here only the loops run.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
from torch import nn

from playground.config import Config, TrainConfig
from playground.engine.models import LOSSES, OPTIMIZERS, has_batchnorm, seeded_model
from playground.engine.evaluation import predict_proba
from playground.engine.training import History

BATCH_SIZE = 16


@dataclass(frozen=True)
class Bug:
    """How a loop differs from the tutorial's; the defaults are the correct loop."""

    zero_grad: bool = True  # optimizer.zero_grad() before each backward()
    eval_mode: bool = True  # model.eval() before measuring on the test set
    loss: str = "cross_entropy"  # "softmax_ce": a Softmax layer in front of CrossEntropyLoss
    lr_factor: float = 1.0  # the learning rate times this
    init_scale: float = 1.0  # the starting weights (not the biases) times this
    batchnorm: bool = True  # False: the network's BatchNorm layers left out (the Linear layers keep their weights)


def train_step(model: nn.Module, optimizer, loss_fn, X: torch.Tensor, y: torch.Tensor, zero_grad: bool = True):
    """One step as the tutorials write it: zero_grad, forward, loss, backward, step (no step on a non-finite loss)."""
    if zero_grad:
        optimizer.zero_grad()
    out = model(X)
    loss = loss_fn(out, y)
    if torch.isfinite(loss):
        loss.backward()
        optimizer.step()
    return out, loss


def measure(model: nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, eval_mode: bool = True) -> tuple[float, float]:
    """(loss, accuracy) on one split as the tutorials measure it; eval_mode=False forgets model.eval()."""
    if eval_mode:
        model.eval()
    with torch.no_grad():
        out = model(X)
        return loss_fn(out, y).item(), (out.argmax(1) == y).float().mean().item()


def _saved(model: nn.Module) -> dict:
    """A copy of the weights and buffers to fall back on (cheaper than deepcopy)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _stopped(epoch: int, what: str, value: float) -> str:
    return (
        f"This run stopped in epoch {epoch}: its {what} became {value:g} (not a finite number), so its weights are "
        f"broken. Shown: the weights after epoch {epoch - 1}; the other run carries on."
    )


class Lane:
    """One of the two runs: its own model, optimizer and loss, the loop's flags, and its history."""

    def __init__(self, model: nn.Module, train_cfg: TrainConfig, bug: Bug):
        self.model, self.bug = model, bug
        self.choice = LOSSES[bug.loss]
        self.loss_fn = self.choice.make()
        self.lr = train_cfg.lr * bug.lr_factor
        self.optimizer = OPTIMIZERS[train_cfg.optimizer].make(model.parameters(), self.lr, train_cfg.weight_decay)
        self.history = History()
        self.stopped: str | None = None  # the message when a non-finite loss ended this run
        self._batchnorm = has_batchnorm(model)
        self._last_good = _saved(model)

    def start(self, X_train, y_train, X_test, y_test) -> None:
        """Row 0 of the history: the untrained network, measured the way this loop measures."""
        train_loss, train_acc = measure(self.model, self.loss_fn, X_train, y_train, self.bug.eval_mode)
        test_loss, test_acc = measure(self.model, self.loss_fn, X_test, y_test, self.bug.eval_mode)
        self.history.append(0, dict(train_loss=train_loss, test_loss=test_loss, train_score=train_acc, test_score=test_acc))

    def epoch(self, epoch: int, order: torch.Tensor, X_train, y_train, X_test, y_test) -> None:
        """One pass over the training batches in `order`, then the test measurement; a non-finite loss stops the run."""
        self.model.train()
        loss_sum, hits, seen = 0.0, 0.0, 0
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start : start + BATCH_SIZE]
            if self._batchnorm and len(idx) < 2:
                continue  # BatchNorm cannot normalise a batch of one
            out, loss = train_step(self.model, self.optimizer, self.loss_fn, X_train[idx], y_train[idx], self.bug.zero_grad)
            if not torch.isfinite(loss):
                return self._stop(epoch, "training loss", loss.item())
            loss_sum += loss.item() * len(idx)
            hits += (out.argmax(1) == y_train[idx]).sum().item()
            seen += len(idx)
        test_loss, test_acc = measure(self.model, self.loss_fn, X_test, y_test, self.bug.eval_mode)
        if not np.isfinite(test_loss) or not all(torch.isfinite(p).all() for p in self.model.parameters()):
            return self._stop(epoch, "test loss", test_loss)
        self._last_good = _saved(self.model)
        row = dict(train_loss=loss_sum / max(seen, 1), test_loss=test_loss, train_score=hits / max(seen, 1), test_score=test_acc)
        self.history.append(epoch, row)

    def _stop(self, epoch: int, what: str, value: float) -> None:
        self.model.load_state_dict(self._last_good)
        self.stopped = _stopped(epoch, what, value)

    def proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities for rows of X as this loop gets them (without model.eval(): in training mode)."""
        if self.bug.eval_mode:
            return predict_proba(self.model, X, self.bug.loss)
        model = copy.deepcopy(self.model).train()  # a copy: a training-mode pass updates BatchNorm's running statistics
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(0)
            return self.choice.to_proba(model(torch.as_tensor(X, dtype=torch.float32))).float().numpy()


class Race:
    """The correct loop and the one with the mistake: same starting weights, same batches, stepped epoch by epoch.

    Both runs also share each epoch's Dropout masks, so they differ only by the mistake. Iterating
    `frames()` again after an interruption resumes where it stopped. `mistake` is a teaching.mistakes
    Mistake; the loops read only its `bug`.
    """

    def __init__(self, cfg: Config, data, mistake):
        if data.n_features != 2 or data.n_classes < 2:
            raise ValueError("The mistake lab needs a 2-D dataset with classes (moons, circles, ...).")
        self.cfg, self.mistake, self.n_epochs = cfg, mistake, cfg.train.epochs
        model = seeded_model(cfg.model, data.input_shape, data.n_classes, seed=cfg.train.seed)
        buggy = copy.deepcopy(model)
        if mistake.bug.init_scale != 1:  # weights initialised far too large: the same weights, scaled up
            with torch.no_grad():
                for layer in buggy:
                    if isinstance(layer, nn.Linear):
                        layer.weight.mul_(mistake.bug.init_scale)
        if not mistake.bug.batchnorm:  # no BatchNorm: the same Linear layers and activations, the BatchNorm layers left out
            buggy = nn.Sequential(*(layer for layer in buggy if not isinstance(layer, nn.BatchNorm1d)))
        head = LOSSES[mistake.bug.loss].head
        if head:  # double softmax: the same weights with a Softmax layer on top
            buggy = nn.Sequential(*buggy, head())
        self.correct, self.buggy = Lane(model, cfg.train, Bug()), Lane(buggy, cfg.train, mistake.bug)
        self.tensors = tuple(torch.as_tensor(a) for a in (data.X_train, data.y_train, data.X_test, data.y_test))
        self.generator = torch.Generator().manual_seed(cfg.train.seed)  # one batch order for both runs
        self.epoch, self.done = 0, False
        self._loop: Iterator[int] | None = None

    @property
    def lanes(self) -> tuple[Lane, Lane]:
        return self.correct, self.buggy

    @property
    def started(self) -> bool:
        return self._loop is not None

    def frames(self) -> Iterator[int]:
        """The suspended loop: yields each finished epoch (0 = untrained); the same generator every call."""
        if self._loop is None:
            self._loop = self._run()
        return self._loop

    def _run(self) -> Iterator[int]:
        for lane in self.lanes:
            lane.start(*self.tensors)
        yield 0
        for epoch in range(1, self.n_epochs + 1):
            order = torch.randperm(len(self.tensors[0]), generator=self.generator)
            for lane in self.lanes:
                if lane.stopped:
                    continue
                with torch.random.fork_rng(devices=[]):  # the same Dropout masks in both runs
                    torch.manual_seed(self.cfg.train.seed * 100_003 + epoch)
                    lane.epoch(epoch, order, *self.tensors)
            self.epoch = epoch
            self.done = epoch == self.n_epochs or all(lane.stopped for lane in self.lanes)
            yield epoch
            if self.done:
                return
