"""The resumable Run: one session's model, optimizer and suspended training loop, with replay frames."""
from __future__ import annotations

import time
from typing import Iterator

import numpy as np
import torch

from playground.engine.models import LOSSES, build_optimizer, seeded_model
from playground.engine.evaluation import predict, predict_proba
from playground.engine.landscape import Landscape, landscape
from playground.engine.training import History, Snapshot, Thinned, train

# Image sets whose float32 copy fits in this many bytes are normalised once per run; bigger
# ones (full MNIST, CIFAR-10) stay uint8 and are normalised batch by batch.
PRELOAD_BYTES = 64 * 2**20
MAX_FRAMES = 60  # saved epochs for replay per run...
FRAME_BYTES = 4 * 2**20  # ...within this many bytes of weights (big CNNs keep few or none)


class Run:
    """One session's training run for one config: the model, its optimizer and the suspended loop.

    Iterating `snapshots()` again after an interruption resumes exactly where it stopped,
    so a stopped-then-resumed run matches an uninterrupted one step for step. Inside a long epoch
    the loop also yields ticks, at most TICK_SECONDS apart (see train()): a Stop never waits for an epoch's end.
    """

    from_store = False  # True when rebuilt from a stored result rather than trained here
    replay_of: Run | None = None  # set on a view_at() replay of another run
    # What was changed by hand ("" if nothing): a weight set (engine/editing.py) or the data changed while it trained
    # (adopt). Either way it is not what training on cfg gives, so it is never published to the shared store.
    edited = ""
    edited_metrics: tuple[int, dict] | None = None  # (history rows then, loss and score of the edited network)

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
        state_bytes = sum(v.numel() * v.element_size() for v in self.model.state_dict().values())
        self.frames = Thinned(min(MAX_FRAMES, FRAME_BYTES // max(state_bytes, 1)))  # epoch -> CPU state_dict, for replay
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
        run.frames = Thinned(run.frames.most, frames)  # the states inside are never modified, so sharing them is safe
        run.from_store = True
        return run

    def _record_frame(self, snap: Snapshot) -> None:
        """Keep the weights for replay, evenly over the whole run plus the latest epoch (see Thinned)."""
        self.frames.add(snap.epoch, lambda: {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()})

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
        while True:
            start = time.perf_counter()
            try:
                snap = next(self._loop)
            except StopIteration:
                return
            finally:  # the loop's own time, not the pictures drawn between its yields
                self.history.seconds += time.perf_counter() - start
            self.snapshot = snap
            if not snap.tick:  # a tick (mid-epoch, history unchanged) is only a place to stop or draw
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

    def adopt(self, cfg, data, why: str) -> None:
        """Train on with other data (points clicked in or out): the same weights, optimizer and batch order go on.

        The run no longer is what its config alone gives (its early epochs saw the old data), so `edited` says why
        (a weight set by hand, said before, stays said).
        """
        if data.n_classes != self.n_classes or data.input_shape != self._data.input_shape:
            raise ValueError("The new data must have the same inputs and classes.")
        self.cfg, self._data, self.edited = cfg.replace(epochs=self._target), data, self.edited or why
        if self._loop is not None and not self.done:  # the loop holds the old tensors: a new one resumes after the
            self._loop.close()  # history's last epoch (a finished run trains on the new data when extended)
            self._loop = self._start()

    def _start(self) -> Iterator[Snapshot]:
        cfg, d, dev = self.cfg.train, self._data, self._device
        X_train, X_test = torch.as_tensor(d.X_train, device=dev), torch.as_tensor(d.X_test, device=dev)
        transform = d.transform
        if transform is not None and (X_train.numel() + X_test.numel()) * 4 <= PRELOAD_BYTES:
            X_train, X_test, transform = transform(X_train), transform(X_test), None  # small: normalise once
        tensors = (X_train, torch.as_tensor(d.y_train, device=dev), X_test, torch.as_tensor(d.y_test, device=dev))
        if self._loop is None:  # a new loop; one taken on to new data (adopt) keeps its optimizer and batch order
            self._optimizer = build_optimizer(cfg, self.model.parameters())
            self._generator = torch.Generator().manual_seed(cfg.seed)
        optimizer, generator = self._optimizer, self._generator
        return train(self.model, optimizer, LOSSES[cfg.loss], tensors, lambda: self._target, cfg.batch_size, generator,
                     self.history, transform, l1=cfg.l1)

    def landscape(self, kind: str = "random") -> Landscape | None:
        """The finished run's loss landscape: a slice through its final weights along two directions (`kind`: random
        ones fixed by its seed, or its path's main directions), with its replay frames as the path of its weights;
        computed once for the weights it ends with (None before the end)."""
        if not self.done:
            return None
        # the weights it was computed for: trained on (Train more) or set by hand since, it is computed anew
        weights = tuple(float(p.detach().double().sum()) for p in self.model.parameters())
        kept = getattr(self, "_landscapes", None)
        if kept is None or kept[0] != weights:
            kept = self._landscapes = (weights, {})
        if kind not in kept[1]:
            names = [name for name, _ in self.model.named_parameters()]
            path = [[self.frames[e][name] for name in names] for e in sorted(self.frames)]
            d = self._data
            X, y = torch.as_tensor(d.X_train, device=self._device), torch.as_tensor(d.y_train, device=self._device)
            kept[1][kind] = landscape(self.model, LOSSES[self.cfg.train.loss], X, y, {"this run": path}, "this run",
                                      self.cfg.train.seed, d.transform, kind=kind)
        return kept[1][kind]

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
