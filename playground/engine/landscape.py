"""The loss landscape around a trained network (Li et al., 2018): the training loss over a 2-D slice through the final
weights along two fixed random directions, each filter-normalised (a direction's filter, a row of a weight matrix, has
the norm of the weight's own filter, so the slice looks the same whatever the layers' scales), and paths of weights
projected onto that slice. No Streamlit, no charts: arrays only.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

BUDGET_SECONDS = 1.0  # the surface's grid is as fine as this many seconds of loss evaluations allow ...
GRID = (15, 41)  # ... between these many points a side (odd: the final weights are a grid point)
SPAN = (0.25, 1.0)  # the slice reaches this far along each direction (1: a whole filter's norm), wide enough for the paths
MARGIN = 1.25  # the slice reaches this much further than the farthest projected path point


@dataclass(frozen=True)
class Directions:
    """A way to choose the slice's two directions, with its words for the page and the chart."""

    label: str  # the choice's name on the page
    summary: str  # what it is, for the choice's help
    about: str  # what the picture then shows ({explained}: the paths' share of movement the two directions hold)
    axis: str  # the chart's axis names ({i}: 1 or 2)


DIRECTIONS = {  # Li et al.'s two: random ones for the surface, the paths' own for trajectories
    "random": Directions(
        "Random (the surface)", "two random directions, filter-normalised (the surface as it is around the end)",
        "Two random directions (Li et al.'s, filter-normalised) show the surface as it is around the end but catch "
        "only a little of the weights' movement, so paths look short.",
        "random direction {i}"),
    "paths": Directions(
        "Along the paths (PCA)", "the paths' two main directions (PCA of the weights along them: the plane they moved in most)",
        "These two directions are the plane the paths moved in most (PCA of their weights: {explained:.0%} of their "
        "movement), so the paths show in full; the shading is the slice through the end along them.",
        "main direction {i} of the paths"),
}

def _weights(model: nn.Module) -> list[torch.Tensor]:
    """The parameters the slice moves: every weight and bias (BatchNorm's running statistics stay)."""
    return [p for p in model.parameters()]


def directions(model: nn.Module, seed: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Two random directions shaped like the parameters, filter-normalised; biases and other 1-D ones set to 0
    (as Li et al. do), so the slice depends only on the seed and the weights' scales."""
    g = torch.Generator().manual_seed(seed)
    pair = []
    for _ in range(2):
        d = []
        for p in _weights(model):
            if p.dim() <= 1:
                d.append(torch.zeros_like(p))
                continue
            r = torch.randn(p.shape, generator=g).to(p)
            flat_r, flat_p = r.reshape(len(r), -1), p.detach().reshape(len(p), -1)
            scale = flat_p.norm(dim=1, keepdim=True) / flat_r.norm(dim=1, keepdim=True).clamp_min(1e-12)
            d.append((flat_r * scale).reshape(p.shape))
        pair.append(d)
    return pair[0], pair[1]


def surface(model: nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, dirs, span: float = 1.0,
            n: int = 21) -> tuple[np.ndarray, np.ndarray]:
    """(alphas, losses (n, n)): the loss at weights + a * d1 + b * d2 for a, b in -span..span (n each; rows: b).

    The model's weights are put back afterwards; evaluation mode, no gradients.
    """
    d1, d2 = dirs
    params = _weights(model)
    origin = [p.detach().clone() for p in params]
    alphas = np.linspace(-span, span, n)
    losses = np.empty((n, n))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for i, b in enumerate(alphas):
                for j, a in enumerate(alphas):
                    for p, o, u, v in zip(params, origin, d1, d2):
                        p.copy_(o + float(a) * u + float(b) * v)
                    losses[i, j] = float(loss_fn(model(X), y))
    finally:
        with torch.no_grad():
            for p, o in zip(params, origin):
                p.copy_(o)
        model.train(was_training)
    return alphas, losses


def project(states: list[list[torch.Tensor]], origin: list[torch.Tensor], dirs) -> np.ndarray:
    """(len(states), 2): each state's offset from the origin, as coordinates along the two directions (least squares:
    filter-normalised random directions are nearly, not exactly, orthogonal)."""
    d1, d2 = (torch.cat([t.flatten() for t in d]) for d in dirs)
    basis = torch.stack([d1, d2], dim=1).double()
    o = torch.cat([t.flatten() for t in origin]).double()
    offsets = torch.stack([torch.cat([t.flatten() for t in s]).double() - o for s in states], dim=1)
    coords = torch.linalg.lstsq(basis, offsets).solution
    return coords.T.numpy()


@dataclass(frozen=True)
class Landscape:
    """A finished run's (or race's) loss landscape, ready to draw."""

    alphas: np.ndarray  # the grid's coordinates along each direction
    losses: np.ndarray  # (n, n) training loss; rows: direction 2, columns: direction 1
    paths: tuple[tuple[str, np.ndarray], ...]  # (label, (k, 2) coordinates from the first kept epoch to the last)
    centre: str  # whose final weights the slice passes through
    centre_loss: float  # the training loss there: losses at the grid's middle
    seconds: float  # how long computing it took
    kind: str = "random"  # a key of DIRECTIONS
    explained: float | None = None  # "paths": the share of the paths' movement the two directions hold


def _cpu(states) -> list[list[torch.Tensor]]:
    return [[t.detach().cpu() for t in state] for state in states]


def _grid_side(seconds_per_loss: float, budget: float) -> int:
    n = int(np.sqrt(budget / max(seconds_per_loss, 1e-9)))
    n = int(np.clip(n, *GRID))
    return n if n % 2 else n - 1


def path_directions(model: nn.Module, paths: list[list[list[torch.Tensor]]]) -> tuple[tuple, float]:
    """((d1, d2) shaped like the parameters, the share of variance they explain): the two principal components of
    every path state's offset from the final weights (Li et al.'s directions for optimizer trajectories), unit length.
    Fewer than two independent offsets: the missing direction is 0."""
    origin = torch.cat([p.detach().cpu().flatten() for p in model.parameters()]).double()
    offsets = [torch.cat([t.flatten() for t in state]).double() - origin for states in paths for state in states]
    matrix = torch.stack(offsets) if offsets else torch.zeros(1, len(origin), dtype=torch.float64)
    matrix = matrix - matrix.mean(0, keepdim=True)
    _, values, vh = torch.linalg.svd(matrix, full_matrices=False)
    total = float((values**2).sum())
    explained = float((values[:2] ** 2).sum()) / total if total > 0 else 0.0
    pair = []
    for k in range(2):
        flat = vh[k] if k < len(vh) and values[k] > 1e-12 * max(float(values[0]), 1e-300) else torch.zeros_like(origin)
        shaped, at = [], 0
        for p in model.parameters():
            shaped.append(flat[at : at + p.numel()].reshape(p.shape).to(p))
            at += p.numel()
        pair.append(shaped)
    return (pair[0], pair[1]), explained


def landscape(model: nn.Module, choice, X: torch.Tensor, y: torch.Tensor, paths: dict[str, list[list[torch.Tensor]]],
              centre: str, seed: int = 0, transform=None, budget: float = BUDGET_SECONDS, kind: str = "random") -> Landscape:
    """The training loss (the data's loss of LOSSES entry `choice`, in eval mode, over all of X) on a slice through
    the model's weights along two directions (`kind`, see DIRECTIONS: filter-normalised random ones fixed by `seed`, or
    the paths' principal components), with `paths` (label -> states, each the parameters in model.parameters()
    order) projected onto it. The grid is as fine as `budget` seconds allow."""
    if kind not in DIRECTIONS:
        raise ValueError(f"Unknown directions {kind!r}; choose one of {', '.join(DIRECTIONS)}.")
    start = time.perf_counter()
    # a private copy: the slice moves the weights point by point, and the session's model may be read meanwhile (a
    # new script run drawing it) or trained on (Train more); the copy is the centre, in eval mode throughout
    model = copy.deepcopy(model).eval()
    loss_fn, target = choice.make(), choice.target(y)
    inputs = transform(X) if transform is not None else X.float()
    explained = None
    if kind == "paths":
        dirs, explained = path_directions(model, [states for states in paths.values() if states])
    else:
        dirs = directions(model, seed)
    origin = [p.detach().cpu().clone() for p in model.parameters()]
    cpu_dirs = tuple(_cpu([d])[0] for d in dirs)
    projected = tuple((label, project(_cpu(states), origin, cpu_dirs)) for label, states in paths.items() if states)
    reach = max((float(np.abs(c).max()) for _, c in projected), default=0.0)
    span = float(np.clip(MARGIN * reach, *SPAN)) if kind == "random" else max(MARGIN * reach, 1e-3)
    with torch.no_grad():
        tick = time.perf_counter()
        loss_fn(model(inputs), target)
        once = time.perf_counter() - tick
    n = _grid_side(once, budget)
    alphas, losses = surface(model, loss_fn, inputs, target, dirs, span, n)
    return Landscape(alphas, losses, projected, centre, float(losses[n // 2, n // 2]), time.perf_counter() - start,
                     kind, explained)
