"""The mistake lab: the tutorials' classic bugs committed on purpose, raced against the correct loop."""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
from torch import nn

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data import catalog
from playground.data.catalog import DATASETS
from playground.engine.models import ACTIVATIONS, LOSSES, OPTIMIZERS, has_batchnorm, seeded_model
from playground.engine.training import History, predict_proba

# Mistake 4: the buggy loop's learning rate is this many times the correct one. At 30x (lr 3) the
# run is chaotic and on some processors ended only 1.5x above the correct loop; at 100x (lr 10) it
# ended 13-270x above it (12 seeds on each of moons, circles, XOR, spiral; 1 and 2 threads).
LR_FACTOR = 100
BATCH_SIZE = 16
N_SAMPLES, NOISE = 300, 0.2
DATASETS_2D = catalog.names(catalog.PLANE)


@dataclass(frozen=True)
class Bug:
    """How a loop differs from the tutorial's; the defaults are the correct loop."""

    zero_grad: bool = True  # optimizer.zero_grad() before each backward()
    eval_mode: bool = True  # model.eval() before measuring on the test set
    loss: str = "cross_entropy"  # "softmax_ce": a Softmax layer in front of CrossEntropyLoss
    lr_factor: float = 1.0  # the learning rate times this


@dataclass(frozen=True)
class Mistake:
    """A registry entry: label, tooltip line, the two sentences on the page, the bug, its line in the snippet."""

    label: str
    about: str
    explanation: str  # exactly two sentences
    bug: Bug
    line: str  # the correct line of SNIPPET (after formatting) ...
    buggy_line: str  # ... and what the mistake turns it into
    look_for: str  # what to watch in the race
    model: ModelConfig = ModelConfig((16, 16), "tanh")


MISTAKES: dict[str, Mistake] = {
    "no_zero_grad": Mistake(
        "Forgetting optimizer.zero_grad()",
        "gradients pile up from step to step instead of being cleared",
        "PyTorch adds every new gradient to the one already stored in `.grad`, so without `optimizer.zero_grad()` "
        "each step follows the sum of all gradients so far instead of the current one. "
        "The steps grow ever larger and keep pushing in stale directions, so the loss bounces up instead of settling.",
        Bug(zero_grad=False),
        "        optimizer.zero_grad()",
        "        # optimizer.zero_grad()   <- forgotten: gradients add up",
        "the red loss falls at first, then climbs and swings as the summed gradients take over.",
    ),
    "no_eval": Mistake(
        "Forgetting model.eval() when testing",
        "Dropout and BatchNorm stay in training mode while the test set is measured",
        "In training mode Dropout switches off a random half of the neurons and BatchNorm normalises with the "
        "statistics of the batch at hand, so the test predictions are noisy and depend on which points are measured together. "
        "Both loops learn exactly the same weights here; only the measurement is wrong, and it makes the network look worse "
        "and jumpier than it is.",
        Bug(eval_mode=False),
        "    model.eval()",
        "    # model.eval()   <- forgotten: Dropout and BatchNorm stay in training mode",
        "the train losses lie on top of each other (same weights), the red test curves sit higher and jitter, "
        "and the red boundary, predicted in training mode, is speckled by Dropout.",
        ModelConfig((64, 64), "relu", batchnorm=True, dropout=0.5),
    ),
    "double_softmax": Mistake(
        "Softmax before CrossEntropyLoss",
        "a Softmax output layer although CrossEntropyLoss applies softmax itself",
        "`nn.CrossEntropyLoss` applies softmax itself, so a Softmax layer at the end of the network squashes the scores twice. "
        "The squashed scores lie between 0 and 1, so the loss cannot get near 0 and its gradients shrink: learning slows "
        "down and stalls.",
        Bug(loss="softmax_ce"),
        "    nn.Linear({width}, {n_classes}),",
        "    nn.Linear({width}, {n_classes}), nn.Softmax(dim=1),   # <- softmax before CrossEntropyLoss",
        "the red loss levels off far above the green one (it cannot fall below about 0.31 with 2 classes), "
        "and the red boundary stays blurrier.",
    ),
    "large_lr": Mistake(
        "A learning rate far too large",
        f"the learning rate is {LR_FACTOR} times the one the correct loop uses",
        f"Each step moves the weights by the learning rate times the gradient, and here that step is {LR_FACTOR} times "
        "as long as in the correct loop. "
        "The steps overshoot the valley they should settle in, so the loss bounces around or blows up instead of going down.",
        Bug(lr_factor=LR_FACTOR),
        "optimizer = torch.optim.SGD(model.parameters(), lr={lr:g})",
        "optimizer = torch.optim.SGD(model.parameters(), lr={big_lr:g})   # <- " + f"{LR_FACTOR}x too large",
        "the red loss jumps up and down (or grows until the run stops) while the green one falls smoothly.",
    ),
}

SNIPPET = """\
model = nn.Sequential(
{layers}
    nn.Linear({width}, {n_classes}),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr={lr:g})

for epoch in range(epochs):
    model.train()
    for X, y in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        test_loss = loss_fn(model(X_test), y_test)
"""


def _hidden_lines(model: ModelConfig, n_features: int) -> list[str]:
    """One snippet line per hidden layer: Linear [-> BatchNorm1d] -> activation [-> Dropout]."""
    lines, width_in = [], n_features
    for width in model.hidden:
        parts = [f"nn.Linear({width_in}, {width})"]
        if model.batchnorm:
            parts.append(f"nn.BatchNorm1d({width})")
        parts.append(f"nn.{ACTIVATIONS[model.activation].make.__name__}()")
        if model.dropout:
            parts.append(f"nn.Dropout({model.dropout:g})")
        lines.append("    " + ", ".join(parts) + ",")
        width_in = width
    return lines


def snippet(mistake: Mistake, cfg: Config, n_classes: int, buggy: bool = False, n_features: int = 2) -> str:
    """The tutorial loop as Python source; buggy=True swaps in the mistake's one line."""
    fields = dict(
        layers="\n".join(_hidden_lines(cfg.model, n_features)), width=cfg.model.hidden[-1] if cfg.model.hidden else n_features,
        n_classes=n_classes, lr=cfg.train.lr, big_lr=cfg.train.lr * LR_FACTOR,
    )
    code = SNIPPET.format(**fields)
    if buggy:
        line, buggy_line = mistake.line.format(**fields), mistake.buggy_line.format(**fields)
        if line not in code:
            raise ValueError(f"The snippet has no line {line!r} to change.")
        code = code.replace(line, buggy_line, 1)
    return code


def changed_lines(mistake: Mistake, cfg: Config, n_classes: int) -> list[str]:
    """The lines the mistake changes in the snippet (removed and added), for checking it is exactly one."""
    a, b = (snippet(mistake, cfg, n_classes, buggy).splitlines() for buggy in (False, True))
    return [d for d in difflib.ndiff(a, b) if d[:2] in ("- ", "+ ")]


def settings(mistake: Mistake, dataset: str = "moons", epochs: int = 50, lr: float = 0.1, seed: int = 0) -> Config:
    """The race's Config: a 2-D dataset of 300 points, the mistake's network, plain SGD; ValueError on bad input."""
    if dataset not in DATASETS_2D:
        raise ValueError(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS_2D)}.")
    data = DataConfig(dataset, N_SAMPLES, NOISE, n_classes=DATASETS[dataset].classes[0])
    return Config(data, mistake.model, TrainConfig("sgd", float(lr), BATCH_SIZE, int(epochs), 0.0, "cross_entropy", int(seed)))


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
    `frames()` again after an interruption resumes where it stopped.
    """

    def __init__(self, cfg: Config, data, mistake: Mistake):
        if data.n_features != 2 or data.n_classes < 2:
            raise ValueError("The mistake lab needs a 2-D dataset with classes (moons, circles, ...).")
        self.cfg, self.mistake, self.n_epochs = cfg, mistake, cfg.train.epochs
        model = seeded_model(cfg.model, data.input_shape, data.n_classes, seed=cfg.train.seed)
        buggy = copy.deepcopy(model)
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
