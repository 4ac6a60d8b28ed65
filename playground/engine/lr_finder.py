"""The learning-rate finder: fastai's LR range test (Smith 2015, fastai's `lr_find`) on a copy of a run's network.

A fresh network with the run's starting weights (the same seed) trains for a few dozen mini-batches while the
learning rate grows exponentially from `start` to `end`, one step per batch; the loss is smoothed as fastai does
(an exponential moving average with beta = 0.98 and bias correction), and the sweep stops once the smoothed loss
passes 4x its lowest value or stops being a number. The suggestion is fastai's "minimum / 10": a tenth of the
learning rate where the smoothed loss was lowest, which still lies on the falling part of the curve, snapped to
the nearest step the learning-rate widget offers. The real run's network, optimizer and batches are never touched.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from playground import config as C
from playground.engine.models import LOSSES, build_optimizer, has_batchnorm, seeded_model
from playground.engine.training import batches, l1_weights, penalised

BETA = 0.98  # fastai's smoothing of the recorded loss
EXPLODE = 4.0  # stop once the smoothed loss is this many times its lowest
SKIP_START, SKIP_END = 0.1, 5  # fastai looks for the minimum past the first tenth and before the last five points
END = 10.0  # the sweep's highest learning rate (it starts at the widget's lowest step)
MIN_FALL = 0.9  # the lowest smoothed loss must be below this share of the first one, or the loss never fell


@dataclass
class LRFinding:
    """A sweep's record: learning rates and smoothed losses, the suggestion (None with `message` when there is none)."""

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)  # smoothed, as fastai plots them
    suggestion: float | None = None  # snapped to the widget's steps
    raw_suggestion: float | None = None  # the minimum's learning rate / 10, before snapping
    stopped: str = ""  # why the sweep ended before `end` ("" when it swept the whole range)
    exploded_at: float | None = None  # the learning rate at which the loss exploded, if it did
    message: str = ""  # why there is no suggestion, in words
    seconds: float = 0.0
    start: float = 0.0
    end: float = 0.0


def snap(lr: float, choices=C.LR_STEPS) -> float:
    """The choice nearest to lr on a log scale (within the widget's range)."""
    return min(choices, key=lambda c: abs(math.log(c) - math.log(lr)))


def _batches(n: int, batch_size: int, generator: torch.Generator, skip_ones: bool):
    """Index batches over shuffled rows, epoch after epoch, for as long as asked (the sweep cycles through the data)."""
    while True:
        yield from (idx for _, idx in batches(torch.randperm(n, generator=generator), batch_size, skip_ones))


def find_lr(cfg, data, start: float = C.LR_STEPS[0], end: float = END, steps: int = 100, max_seconds: float = 10.0,
            choices=C.LR_STEPS, device: str = "cpu") -> LRFinding:
    """fastai's LR range test for cfg on data's training split; see the module's docstring. ValueError for a loss
    that cannot train on this data or a network over the size cap, as a Run gives.

    It starts at the slider's lowest step rather than fastai's 1e-7: a suggestion is a tenth of the best rate, so rates
    below the slider's range can never be suggested, and the steps they would take serve the range that can.
    """
    problem = LOSSES[cfg.train.loss].problem(data.n_classes)
    if problem:
        raise ValueError(problem)
    began = time.perf_counter()
    found = LRFinding(start=start, end=end)
    with torch.random.fork_rng(devices=[]):  # Dropout's masks and the seeding leave the caller's random stream alone
        model = seeded_model(cfg.model, data.input_shape, data.n_classes, cfg.train.loss, cfg.train.seed).to(device)
        optimizer = build_optimizer(cfg.train, model.parameters())  # its lr is set before every step
        _sweep(found, model, optimizer, cfg.train, data, steps, max_seconds, device)
    _suggest(found, choices)
    found.seconds = time.perf_counter() - began
    return found


def _sweep(found: LRFinding, model, optimizer, train_cfg, data, steps: int, max_seconds: float, device: str) -> None:
    """One mini-batch per learning rate, rising exponentially; records the smoothed loss; stops when it explodes."""
    choice = LOSSES[train_cfg.loss]
    loss_fn, target = choice.make(), choice.target
    X, y = torch.as_tensor(data.X_train, device=device), torch.as_tensor(data.y_train, device=device)
    prep = data.transform or (lambda x: x.float())
    weights = l1_weights(model)  # what L1 adds to the loss, as in training
    batches = _batches(len(X), train_cfg.batch_size, torch.Generator().manual_seed(train_cfg.seed), has_batchnorm(model))
    deadline = time.perf_counter() + max_seconds
    average, best = 0.0, math.inf
    model.train()
    for i in range(steps):
        lr = found.start * (found.end / found.start) ** (i / max(steps - 1, 1))
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx = next(batches).to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(prep(X[idx])), target(y[idx]))
        value = loss.item()
        if not math.isfinite(value):
            found.stopped, found.exploded_at = "the loss stopped being a number (it overflowed)", lr
            return
        average = BETA * average + (1 - BETA) * value
        smoothed = average / (1 - BETA ** (i + 1))  # bias correction: the average starts at 0
        found.lrs.append(lr)
        found.losses.append(smoothed)
        if smoothed > EXPLODE * best:
            found.stopped, found.exploded_at = f"the loss exploded (past {EXPLODE:g}x its lowest value)", lr
            return
        best = min(best, smoothed)
        penalised(loss, weights, train_cfg.l1).backward()
        optimizer.step()
        if time.perf_counter() > deadline:
            found.stopped = f"it reached its time limit of {max_seconds:g} s"
            return


def _suggest(found: LRFinding, choices) -> None:
    """fastai's "minimum / 10", from the points past the first tenth and before the last five; a message when the
    sweep is too short or its loss never fell."""
    n = len(found.losses)
    first, last = int(SKIP_START * n), n - SKIP_END
    if n == 0:
        found.message = ("The loss was not a number at the very first step, at the smallest learning rate: the data "
                         "(or the targets) are too large for the network. Standardise the features, or scale the target.")
        return
    if last - first < 5:
        if found.exploded_at is None:  # the time limit ended it
            found.message = (f"The sweep reached its time limit after {n} steps, too few to see where the loss falls: "
                             "this network is slow to train here; try a smaller one or a shorter sweep's worth of data.")
        else:
            found.message = (f"The loss blew up after only {n} steps (learning rate {found.lrs[-1]:.2g}), so there is "
                             "no falling stretch to pick from. Try a smaller batch size, BatchNorm, or Adam.")
        return
    losses = np.asarray(found.losses[first:last])
    lowest = int(losses.argmin())
    if found.exploded_at is None and found.stopped and lowest == len(losses) - 1:
        found.message = (f"The sweep reached its time limit after {n} steps while the loss was still falling, so where "
                         "it is lowest is not known yet: no suggestion from a partial sweep.")
        return
    if not losses[lowest] < MIN_FALL * found.losses[0]:
        found.message = (f"The loss hardly fell anywhere in the sweep (lowest {losses[lowest]:.3g}, from {found.losses[0]:.3g}): "
                         f"either {n} mini-batches are too few for this network to show where it learns (Adam shows it "
                         "sooner than SGD), or it cannot learn as it is set up (look at the initial weights, the "
                         "activation, the loss).")
        return
    found.raw_suggestion = found.lrs[first + lowest] / 10
    found.suggestion = snap(found.raw_suggestion, choices)
