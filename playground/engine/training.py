"""The training loop as a generator of snapshots, and its History (evaluation lives in evaluation.py)."""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
from torch import nn

from playground.engine.evaluation import EVAL_CHUNK, chunk_outputs, evaluate, measured
from playground.engine.models import has_batchnorm

# Bump when a change to the engine changes results, so stored runs are not reused.
ENGINE_VERSION = 1
# Mid-epoch snapshots on big epochs, so the page can redraw within an epoch.
STEPS_PER_PARTIAL_SNAPSHOT = 50
# ...and a tick whenever this long has passed since the loop last yielded (slow batches, a big test set):
# however long an epoch is, the caller gets control back this often, so a Stop acts within about this long.
TICK_SECONDS = 0.25


class Thinned(dict):
    """epoch -> something kept of that epoch (weights for replay, a point of a path), at most `most` entries, spread
    evenly over the whole run plus the latest epoch: past the budget the stride doubles (0, 2, 4, ... then 0, 4, 8, ...),
    so early epochs stay."""

    def __init__(self, most: int, items: dict | None = None):
        super().__init__(items or {})
        self.most, self.stride = most, 1

    def add(self, epoch: int, make) -> None:
        """Keep make() for epoch (made only when kept; nothing when the budget is under two)."""
        if self.most < 2 or epoch in self:
            return
        self[epoch] = make()
        while len(self) > self.most:
            self.stride *= 2
            self._drop_off_stride(keep=epoch)
        self._drop_off_stride(keep=epoch)  # the previous latest epoch, if it was off the stride

    def _drop_off_stride(self, keep: int) -> None:
        for epoch in [e for e in self if e % self.stride and e != keep]:
            del self[epoch]


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
    seconds: float = 0.0  # time spent training and measuring (Run adds it up; a copy in the shared store keeps it)

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
    """Where a run stands: yielded after each epoch and every few dozen steps inside one.

    A tick (tick=True) only hands control back mid-epoch, at most TICK_SECONDS after the previous
    yield: the history is as it was and no frame is due; a live loop may stop (or draw) there.
    """

    epoch: int  # completed epochs
    step: int  # optimizer steps taken
    n_epochs: int
    history: History
    done: bool = False
    diverged: str | None = None  # a plain-language message when the loss blew up
    tick: bool = False

    @property
    def progress(self) -> float:
        return self.epoch / self.n_epochs


def _row(train_loss, train_score, test_loss, test_score) -> dict:
    """One epoch's History row."""
    return dict(train_loss=train_loss, test_loss=test_loss, train_score=train_score, test_score=test_score)


class _OwnRandomness:
    """A training loop's own stream of random numbers (Dropout masks), kept across its yields.

    Between two yields the caller may draw from the same global generator (another run built
    with torch.manual_seed, trained, or raced, before Train resumes this one), so each yield
    swaps the caller's state back in and each resume swaps this loop's state back: a stopped
    and resumed run gets exactly an uninterrupted run's masks. (Two threads training at the
    same moment still share the generator.) One copy of a few KB per yield, none per batch.
    """

    def __init__(self, device: torch.device):
        self.cuda = device if device.type == "cuda" else None
        self.mine = self.theirs = None

    def _state(self):
        return torch.get_rng_state(), (torch.cuda.get_rng_state(self.cuda) if self.cuda else None)

    def _set(self, state) -> None:
        torch.set_rng_state(state[0])
        if self.cuda:
            torch.cuda.set_rng_state(state[1], self.cuda)

    def enter(self) -> None:
        """The loop runs on: keep the caller's state, continue this loop's (the first time: start from the caller's)."""
        self.theirs = self._state()
        if self.mine is not None:
            self._set(self.mine)

    def leave(self) -> None:
        """The loop yields: keep its state, give the caller's back as the caller left it."""
        self.mine = self._state()
        self._set(self.theirs)


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


def batches(order: torch.Tensor, batch_size: int, skip_ones: bool) -> Iterator[tuple[int, torch.Tensor]]:
    """(start, row indices) of each batch of one pass over `order`; under BatchNorm a last batch of one row is
    skipped (BatchNorm cannot normalise it)."""
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        if not (skip_ones and len(idx) < 2):
            yield start, idx


def l1_weights(model: nn.Module) -> list[torch.Tensor]:
    """What L1 regularisation shrinks: the weight matrices and kernels (not biases or BatchNorm)."""
    return [p for p in model.parameters() if p.dim() > 1]


def penalised(loss: torch.Tensor, weights: list[torch.Tensor], l1: float) -> torch.Tensor:
    """The batch's loss plus l1 * sum(|w|) over `weights` (l1_weights), as backward() receives it."""
    return loss + l1 * sum(p.abs().sum() for p in weights) if l1 else loss


def train(model, optimizer, choice, tensors, n_epochs, batch_size, generator, history, transform=None,
          l1: float = 0.0) -> Iterator[Snapshot]:
    """The tutorials' loop: per batch zero_grad, forward, loss, backward, step; test eval each epoch.

    `n_epochs` is a number, or a callable read after every epoch: a loop suspended at its last
    snapshot trains on when the callable's value has grown (Run.extend), exactly as if the
    longer run had been asked for from the start. Inside an epoch (its batches, then its test
    evaluation chunk by chunk) a tick comes whenever TICK_SECONDS have passed since the last
    yield; the first row (the untrained network on the whole training set) has none.
    A loop suspended at any yield and resumed later, from any thread, ends exactly as an
    uninterrupted one: yields change nothing, and the Dropout stream is the loop's own.
    `l1` adds l1 * sum(|w|) over the weight matrices and kernels (not biases or BatchNorm) to each batch's
    loss before backward(); the losses recorded are the data's alone, as TensorFlow Playground shows them.
    """
    planned = n_epochs if callable(n_epochs) else lambda: n_epochs
    X_train, y_train, X_test, y_test = tensors
    loss_fn, target = choice.make(), choice.target
    weights = l1_weights(model)
    prep = transform or (lambda x: x.float())
    n, tally = len(X_train), _Tally(choice, y_train)
    drop_tiny = has_batchnorm(model)
    step, last_good = 0, copy.deepcopy(model.state_dict())
    randomness, clock = _OwnRandomness(X_train.device), time.monotonic
    randomness.enter()
    resumed = clock()  # when the loop last got control back: a tick is due TICK_SECONDS later

    def hand_over(snap: Snapshot):
        nonlocal resumed
        randomness.leave()
        yield snap
        randomness.enter()
        resumed = clock()

    def tick(epoch: int):
        return hand_over(Snapshot(epoch - 1, step, planned(), history, tick=True))

    def metrics(epoch: int, train_loss, train_score):
        """The epoch's row: the test set measured chunk by chunk, with a tick between two when one is due."""
        chunks = []
        for out in chunk_outputs(model, X_test, transform):
            chunks.append(out)
            if len(chunks) * EVAL_CHUNK < len(X_test) and clock() - resumed >= TICK_SECONDS:
                yield from tick(epoch)
        return _row(train_loss, train_score, *measured(choice, loss_fn, chunks, y_test))

    if not history.epoch:  # the untrained model, measured on the whole training set once: the first frame
        # (no tick before it: the race takes a loop's first yield for this row)
        train_metrics = evaluate(model, choice, loss_fn, X_train, y_train, transform)
        history.append(0, _row(*train_metrics, *evaluate(model, choice, loss_fn, X_test, y_test, transform)))
        yield from hand_over(Snapshot(0, 0, planned(), history))
    epoch = history.epoch[-1]
    while epoch < planned():
        epoch += 1
        model.train()
        order = torch.randperm(n, generator=generator).to(X_train.device)
        for start, idx in batches(order, batch_size, drop_tiny):
            y_batch = y_train[idx]
            optimizer.zero_grad()
            out = model(prep(X_train[idx]))
            loss = loss_fn(out, target(y_batch))
            value = loss.item()  # one read per batch serves the NaN check and the running sums
            if not math.isfinite(value):
                model.load_state_dict(last_good)
                yield from hand_over(Snapshot(epoch - 1, step, planned(), history, done=True, diverged=_diverged(epoch, value)))
                return
            penalised(loss, weights, l1).backward()
            optimizer.step()
            step += 1
            tally.add(out, y_batch, value)
            if step % STEPS_PER_PARTIAL_SNAPSHOT == 0:
                history.batch_epoch.append(epoch - 1 + min(start + batch_size, n) / n)
                history.batch_loss.append(tally.window_mean())
                yield from hand_over(Snapshot(epoch - 1, step, planned(), history))
            elif clock() - resumed >= TICK_SECONDS:  # one clock read per batch: tens of nanoseconds
                yield from tick(epoch)
        if tally.window_n:
            history.batch_epoch.append(float(epoch))
            history.batch_loss.append(tally.window_mean())
        row = yield from metrics(epoch, *tally.epoch(n))
        rule = divergence(history.train_loss + [row["train_loss"]])
        if rule or not np.isfinite(row["test_loss"]):
            model.load_state_dict(last_good)
            message = _diverged(epoch, row["train_loss"], history.train_loss[0], stuck=rule == "stuck")
            yield from hand_over(Snapshot(epoch - 1, step, planned(), history, done=True, diverged=message))
            return
        last_good = copy.deepcopy(model.state_dict())
        history.append(epoch, row)
        yield from hand_over(Snapshot(epoch, step, planned(), history, done=epoch >= planned()))


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
