"""Optimizer race: 2-4 optimizers train copies of one network on the same batches, in lockstep."""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import torch

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.catalog import DATASETS
from playground.engine.models import LOSSES, OPTIMIZERS, seeded_model
from playground.engine.evaluation import predict_proba
from playground.engine.landscape import Landscape, landscape
from playground.engine.training import History, Snapshot, Thinned, train

MIN_CONTESTANTS, MAX_CONTESTANTS = 2, 4
PATH_POINTS = 100  # each lane keeps its weights at most this many times, evenly over the race: its path on the landscape
PATH_BYTES = 4 * 2**20  # ...within this many bytes of weights a lane (as a run's replay frames: wide networks keep fewer)


@dataclass(frozen=True)
class Entry:
    """One contestant's settings: an optimizer from the registry and its learning rate."""

    optimizer: str
    lr: float

    @property
    def label(self) -> str:
        return f"{OPTIMIZERS[self.optimizer].label} (lr {self.lr:g})"


@dataclass(frozen=True)
class RaceConfig:
    """Everything a race shares (data, network, batches, epochs, seed) plus the contestants."""

    data: DataConfig
    model: ModelConfig
    entries: tuple[Entry, ...]
    epochs: int = 50
    batch_size: int = 16
    seed: int = 0
    weight_decay: float = 0.0
    loss: str = "cross_entropy"

    def __post_init__(self):
        object.__setattr__(self, "entries", tuple(self.entries))
        n = len(self.entries)
        if n < MIN_CONTESTANTS:
            raise ValueError(f"Pick at least {MIN_CONTESTANTS} optimizers to race (you picked {n}).")
        if n > MAX_CONTESTANTS:
            raise ValueError(f"At most {MAX_CONTESTANTS} optimizers can race at once (you picked {n}); remove {n - MAX_CONTESTANTS}.")
        spec = DATASETS.get(self.data.dataset)
        if spec is None or spec.classes[0] == 0:
            raise ValueError("The race runs on the 2-D and table datasets with classes, not on regression, images or uploads.")
        for entry in self.entries:  # TrainConfig and Config check every range and combination
            Config(self.data, self.model, self.train_config(entry))

    def train_config(self, entry: Entry) -> TrainConfig:
        """The TrainConfig one contestant trains with."""
        return TrainConfig(entry.optimizer, float(entry.lr), self.batch_size, self.epochs, self.weight_decay, self.loss, self.seed)


class Contestant:
    """One lane: its copy of the network, its optimizer, its suspended training loop and its clock."""

    def __init__(self, entry: Entry, model, cfg: RaceConfig, tensors, transform=None):
        self.entry, self.model, self.n_epochs = entry, model, cfg.epochs
        self.optimizer = OPTIMIZERS[entry.optimizer].make(model.parameters(), entry.lr, cfg.weight_decay)
        self.history = History()
        generator = torch.Generator().manual_seed(cfg.seed)  # the same batch order in every lane
        self._loop = train(model, self.optimizer, LOSSES[cfg.loss], tensors, cfg.epochs, cfg.batch_size, generator, self.history, transform)
        self.snapshot: Snapshot | None = None
        self.wall_time = 0.0  # seconds spent in this lane's own training and evaluation
        weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
        # epoch -> CPU copies of the parameters: the weights' path over the race
        self.path = Thinned(min(PATH_POINTS, PATH_BYTES // max(weight_bytes, 1)))
        self._exhausted = False

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def epoch(self) -> int:
        return self.snapshot.epoch if self.snapshot else 0

    @property
    def done(self) -> bool:
        return self._exhausted or (self.snapshot is not None and self.snapshot.done)

    @property
    def diverged(self) -> str | None:
        return self.snapshot.diverged if self.snapshot else None

    def advance(self) -> None:
        """Train to the end of the next epoch (the first call measures the untrained network)."""
        if self.done:
            return
        start = time.perf_counter()
        try:
            for snap in self._loop:
                previous, self.snapshot = self.snapshot, snap
                if snap.done or previous is None or snap.epoch > previous.epoch:
                    self.path.add(snap.epoch, lambda: [p.detach().cpu().clone() for p in self.model.parameters()])
                    break  # mid-epoch snapshots are skipped: lanes meet at epoch ends
            else:
                self._exhausted = True
        finally:
            self.wall_time += time.perf_counter() - start


class Race:
    """The contestants of one RaceConfig; step() moves every unfinished lane on by one epoch."""

    def __init__(self, cfg: RaceConfig, data):
        problem = LOSSES[cfg.loss].problem(data.n_classes)
        if problem:
            raise ValueError(problem)
        self.cfg, self.data = cfg, data
        base = seeded_model(cfg.model, data.input_shape, data.n_classes, cfg.loss, cfg.seed)
        X_train, X_test = torch.as_tensor(data.X_train), torch.as_tensor(data.X_test)
        tensors = (X_train, torch.as_tensor(data.y_train), X_test, torch.as_tensor(data.y_test))
        self.contestants = [Contestant(e, copy.deepcopy(base), cfg, tensors, data.transform) for e in cfg.entries]
        self._landscapes: dict[str, Landscape] = {}

    @property
    def done(self) -> bool:
        return all(c.done for c in self.contestants)

    @property
    def started(self) -> bool:
        return any(c.snapshot is not None for c in self.contestants)

    @property
    def epoch(self) -> int:
        """The furthest epoch any lane has finished."""
        return max(c.epoch for c in self.contestants)

    def step(self) -> None:
        """One round: every lane still racing trains one more epoch; diverged lanes stay where they stopped."""
        for c in self.contestants:
            c.advance()

    def run(self) -> Race:
        """Race to the finish (headless use and tests)."""
        while not self.done:
            self.step()
        return self

    def proba(self, contestant: Contestant, X):
        """Class probabilities of one lane's network for raw rows of the race's data."""
        return predict_proba(contestant.model, X, self.cfg.loss, self.data.transform)

    def leader(self) -> Contestant | None:
        """The lane with the lowest test loss so far among those still sound; None when none is (all diverged)."""
        measured = [c for c in self.contestants if c.history.epoch and not c.diverged]
        return min(measured, key=lambda c: c.history.test_loss[-1]) if measured else None

    def landscape(self, kind: str = "random") -> Landscape | None:
        """The finished race's loss landscape: one slice through the leader's final weights along two directions
        (`kind`: random ones fixed by the race's seed, or the main directions of all the lanes' paths), every lane's
        path projected onto it; computed once. None before the end, or when every lane diverged."""
        leader = self.leader()
        if not self.done or leader is None:
            return None
        if kind not in self._landscapes:
            paths = {c.label: [c.path[e] for e in sorted(c.path)] for c in self.contestants}
            X, y = torch.as_tensor(self.data.X_train), torch.as_tensor(self.data.y_train)
            self._landscapes[kind] = landscape(leader.model, LOSSES[self.cfg.loss], X, y, paths, leader.label,
                                               self.cfg.seed, self.data.transform, kind=kind)
        return self._landscapes[kind]

    def summary(self) -> list[dict]:
        """One row per lane: final losses, test accuracy, wall time and whether it diverged."""
        rows = []
        for c in self.contestants:
            last = c.history.last()
            rows.append({
                "optimizer": OPTIMIZERS[c.entry.optimizer].label,
                "learning rate": c.entry.lr,
                "epochs": c.epoch,
                "train loss": last.get("train_loss"),
                "test loss": last.get("test_loss"),
                "test accuracy": last.get("test_score"),
                "wall time (s)": round(c.wall_time, 3),
                "diverged": f"yes, in epoch {c.epoch + 1}" if c.diverged else "no",
            })
        return rows
