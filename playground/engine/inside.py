"""What each neuron computes: activations over the input plane from one batched forward pass."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground.engine.models import ACTIVATIONS, FEATURES, LOSSES, RAW_FEATURES, Features
from playground.engine.evaluation import evaluating, forward_keeping

_ACTIVATION_TYPES = tuple({type(choice.make()) for choice in ACTIVATIONS.values()})


def neuron_maps(model: nn.Sequential, grid: np.ndarray, loss: str = "cross_entropy") -> tuple[list[np.ndarray], np.ndarray]:
    """([per hidden layer: (n_neurons, n_points)], (n_classes, n_points) output probabilities, or (1, n_points) values).

    One forward pass of the whole grid, layer by layer, keeping each hidden layer's activation (no loop over
    grid points or neurons).
    """
    with evaluating(model):
        out, kept = forward_keeping(model, torch.as_tensor(grid, dtype=torch.float32, device=next(model.parameters()).device),
                                    lambda layer: isinstance(layer, _ACTIVATION_TYPES))
    captured = list(kept.values())
    to_proba = LOSSES[loss].to_proba
    proba = to_proba(out) if to_proba else out  # regression: the predicted value
    return [a.cpu().numpy().T for a in captured], proba.cpu().numpy().T


def layer_weights(model: nn.Sequential) -> list[np.ndarray]:
    """The weight matrix (out, in) of every Linear layer, input side first."""
    return [m.weight.detach().cpu().numpy() for m in model if isinstance(m, nn.Linear)]


def input_maps(model: nn.Sequential, grid: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """((n_inputs, n_points) what the first layer is fed over the grid, the inputs' labels): the raw x1 and x2,
    or the chosen features when the model maps the points to them first."""
    first = model[0]
    if not isinstance(first, Features):
        return np.asarray(grid, dtype=np.float32).T, [FEATURES[name].label for name in RAW_FEATURES]
    with torch.no_grad():
        values = first(torch.as_tensor(grid, dtype=torch.float32))
    return values.numpy().T, [FEATURES[name].label for name in first.names]


def feature_maps(model: nn.Sequential, image: torch.Tensor) -> tuple[list[np.ndarray], np.ndarray | None]:
    """What a CNN sees in one image (C, H, W, already normalised): each conv block's output channels, and the first
    conv layer's filters. ([per block: (channels, H, W) after its activation], (out, in, k, k) filters or None)."""
    convs = [i for i, m in enumerate(model) if isinstance(m, nn.Conv2d)]
    # each block's activation: the first activation module after its Conv2d (and its BatchNorm2d, if any)
    acts = [next(model[j] for j in range(i + 1, len(model)) if isinstance(model[j], _ACTIVATION_TYPES)) for i in convs]
    with evaluating(model):
        _, kept = forward_keeping(model, image.unsqueeze(0).to(next(model.parameters()).device), lambda layer: layer in acts)
    captured = [kept[m] for m in acts]
    filters = model[convs[0]].weight.detach().cpu().numpy() if convs else None
    return [c[0].cpu().numpy() for c in captured], filters
