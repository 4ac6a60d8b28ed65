"""The loss landscape around a trained network (Li et al., 2018): the training loss over a 2-D slice through the final
weights along two fixed random directions, each filter-normalised (a direction's filter, a row of a weight matrix, has
the norm of the weight's own filter, so the slice looks the same whatever the layers' scales), and paths of weights
projected onto that slice. No Streamlit, no charts: arrays only.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


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
