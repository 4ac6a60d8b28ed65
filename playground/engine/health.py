"""Training health per hidden layer, as Karpathy's "makemore part 3" plots it by hand: activations and the share of
saturated (tanh, sigmoid) or dead (ReLU) units, gradients and their norm, and the size of each update against the
weights (log10; healthy near -3). One forward (layer by layer) and backward pass on a fixed probe batch: the model's weights
and gradients are left as they were.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.engine.evaluation import forward_keeping

SATURATED = 0.97  # |tanh| above this (or a sigmoid within 0.015 of 0 or 1): the unit's gradient all but vanishes
BINS = 30
SATURATING = (nn.Tanh, nn.Sigmoid)
RECTIFYING = (nn.ReLU,)  # a unit that outputs 0 for every probe point passes no gradient: dead


@dataclass(frozen=True)
class LayerHealth:
    """One hidden layer on the probe batch."""

    name: str  # "layer 1 (Tanh)"
    activations: tuple[np.ndarray, np.ndarray]  # histogram (counts, bin edges) of its outputs
    saturated: float | None  # share of outputs saturated (tanh/sigmoid), else None
    dead: float | None  # share of units zero for every probe point (ReLU), else None
    gradients: tuple[np.ndarray, np.ndarray]  # histogram of the loss's gradient at its outputs
    grad_norm: float  # the norm of the gradient of the loss with respect to the layer's weight matrix
    weight_std: float


def _saturated(module: nn.Module, out: torch.Tensor) -> float | None:
    if isinstance(module, nn.Tanh):
        return float((out.abs() > SATURATED).float().mean())
    if isinstance(module, nn.Sigmoid):
        return float(((out - 0.5).abs() > SATURATED / 2).float().mean())
    return None


def _histogram(values: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    v = values.detach().flatten().float().cpu().numpy()
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    return np.histogram(v, bins=BINS, range=(lo, hi if hi > lo else lo + 1e-6))


def layer_health(model: nn.Sequential, X: torch.Tensor, y: torch.Tensor, loss_fn, target=lambda y: y) -> list[LayerHealth]:
    """Per hidden layer (each activation module after a Linear or Conv2d): its health on the probe batch (X, y).

    The pass runs on a private copy of the model in eval mode (no dropout noise, BatchNorm's running statistics): the
    run's own model, its mode and its .grad are never touched, even while another thread trains it (a script run still
    finishing its step).
    """
    probe = copy.deepcopy(model).eval()
    activations = [m for m in probe if isinstance(m, (*SATURATING, *RECTIFYING, nn.LeakyReLU, nn.GELU))]
    weights = [m for m in probe if isinstance(m, (nn.Linear, nn.Conv2d))]
    for p in probe.parameters():
        p.grad = None
    out, outputs = forward_keeping(probe, X, lambda layer: layer in activations)
    for kept in outputs.values():
        kept.retain_grad()
    loss_fn(out, target(y)).backward()
    result = []
    for i, (module, weight) in enumerate(zip(activations, weights)):
        out = outputs[module]
        dead = float((out.reshape(len(out), -1) <= 0).all(0).float().mean()) if isinstance(module, RECTIFYING) else None
        grad = out.grad if out.grad is not None else torch.zeros_like(out)
        result.append(LayerHealth(
            f"layer {i + 1} ({type(module).__name__})", _histogram(out.detach()), _saturated(module, out), dead,
            _histogram(grad), float(weight.weight.grad.norm()), float(weight.weight.detach().std()),
        ))
    return result


def update_ratios(before: list[torch.Tensor], after: list[torch.Tensor], steps: int) -> list[float]:
    """log10 of (the std of one step's change / the std of the weights) per weight matrix, from two copies `steps`
    optimizer steps apart (Karpathy's update-to-data ratio; about -3 is healthy, far above: steps too large)."""
    ratios = []
    for b, a in zip(before, after):
        change = (a - b).float().std() / max(steps, 1)
        ratios.append(float(torch.log10(change / a.float().std().clamp_min(1e-12)).clamp_min(-12)))
    return ratios


PROBE_ROWS = 256  # the fixed probe batch: the first training rows


def run_health(model: nn.Module, data, loss: str) -> list[LayerHealth]:
    """layer_health on the run's probe batch (its first PROBE_ROWS training rows), with its loss."""
    from playground.engine.models import LOSSES

    device = next(model.parameters()).device
    X = torch.as_tensor(data.X_train[:PROBE_ROWS], device=device)
    X = data.transform(X) if data.transform else X.float()
    choice = LOSSES[loss]
    return layer_health(model, X, torch.as_tensor(data.y_train[:PROBE_ROWS], device=device), choice.make(), choice.target)


def weight_matrices(model: nn.Module) -> list[torch.Tensor]:
    """Copies of the hidden layers' weights (every Linear and Conv2d but the output layer), input side first."""
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][:-1]
    return [m.weight.detach().clone() for m in layers]


class UpdateLog:
    """The update-to-weight ratio of each hidden layer over a run, from weight copies taken as it trains."""

    MAX_POINTS = 300

    def __init__(self):
        self.steps: list[int] = []
        self.ratios: list[list[float]] = []  # per record: per hidden layer, log10
        self._last: tuple[list[torch.Tensor], int] | None = None

    def record(self, model: nn.Module, step: int) -> None:
        weights = weight_matrices(model)
        if self._last and step > self._last[1]:
            self.steps.append(step)
            self.ratios.append(update_ratios(self._last[0], weights, step - self._last[1]))
            if len(self.steps) > self.MAX_POINTS:  # keep every second point: a long run stays a bounded curve
                self.steps, self.ratios = self.steps[::2], self.ratios[::2]
        if not self._last or step != self._last[1]:
            self._last = (weights, step)
