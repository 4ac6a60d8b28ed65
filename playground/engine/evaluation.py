"""Evaluating a model: predictions, probabilities, loss and score over data in bounded chunks (no training)."""
from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np
import torch
from torch import nn

from playground.engine.models import LOSSES


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """Eval mode and no grad inside; the previous mode restored after (a run may be mid-epoch)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def forward_keeping(model: nn.Sequential, x: torch.Tensor, keep) -> tuple[torch.Tensor, dict]:
    """model(x), layer by layer, and {layer: its output} for the layers for which keep(layer) is true.

    No forward hooks: a hook is the module's, so a forward pass of the same model in another thread (a script run
    still finishing its step) would add its outputs to ours.
    """
    kept = {}
    for layer in model:
        x = layer(x)
        if keep(layer):
            kept[layer] = x
    return x, kept


EVAL_CHUNK = 2048  # rows per forward pass when evaluating: bounds memory on big image sets


def _prepared(X, device, transform):
    x = torch.as_tensor(X, device=device)
    return transform(x) if transform else x.float()


def _outputs(model: nn.Module, X, transform=None) -> torch.Tensor:
    device = next(model.parameters()).device
    with evaluating(model):
        return torch.cat([model(_prepared(X[i : i + EVAL_CHUNK], device, transform)) for i in range(0, len(X), EVAL_CHUNK)])


def predict_proba(model: nn.Module, X, loss: str = "cross_entropy", transform=None) -> np.ndarray:
    """Class probabilities for the rows of X, as a float32 numpy array."""
    return LOSSES[loss].to_proba(_outputs(model, X, transform)).float().cpu().numpy()


def predict(model: nn.Module, X, loss: str = "cross_entropy", transform=None) -> np.ndarray:
    """Predicted class (or value, for regression) for the rows of X."""
    return LOSSES[loss].predict(_outputs(model, X, transform)).cpu().numpy()


def score(choice, out: torch.Tensor, y: torch.Tensor) -> float:
    """Accuracy for classification; R² (1 - residual/total variance) for regression."""
    pred = choice.predict(out)
    if choice.task == "classification":
        return (pred == y).float().mean().item()
    total = ((y - y.mean()) ** 2).sum()
    return (1 - ((y - pred) ** 2).sum() / total.clamp_min(1e-12)).item()


def chunk_outputs(model, X, transform=None) -> Iterator[torch.Tensor]:
    """The model's outputs on X, EVAL_CHUNK rows at a time; eval mode and no grad only while each is computed,
    so a caller may yield between two chunks without leaving the model (or its thread) in eval mode."""
    for i in range(0, len(X), EVAL_CHUNK):
        with evaluating(model):
            out = model(_prepared(X[i : i + EVAL_CHUNK], X.device, transform))
        yield out


def measured(choice, loss_fn, chunks: list, y) -> tuple[float, float]:
    with torch.no_grad():
        out = torch.cat(chunks)
        return loss_fn(out, choice.target(y)).item(), score(choice, out, y)


def evaluate(model, choice, loss_fn, X, y, transform=None) -> tuple[float, float]:
    """(mean loss, score) of the model on one split, in chunks."""
    return measured(choice, loss_fn, list(chunk_outputs(model, X, transform)), y)
