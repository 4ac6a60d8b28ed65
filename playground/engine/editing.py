"""Weights set by hand (TensorFlow Playground lets you click a weight and type a value): the model changed in place,
the run marked as edited, and its loss and score measured again for the edited network."""
from __future__ import annotations

import torch
from torch import nn

from playground.engine.evaluation import evaluate
from playground.engine.models import LOSSES


WEIGHTS_SET = "weights were set by hand"  # Run.edited's reason


def _linear(model: nn.Sequential, layer: int) -> nn.Linear:
    return [m for m in model if isinstance(m, nn.Linear)][layer]


def _two_class_output(model: nn.Sequential, layer: int) -> bool:
    """The network view shows two softmax outputs as one square, P(class 1), fed by row 1 minus row 0 (see
    network_charts._columns): a weight into it is that difference."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return layer == len(linears) - 1 and linears[-1].out_features == 2


def shown_weight(model: nn.Sequential, layer: int, i: int, j: int) -> float:
    """The weight from neuron j to neuron i of Linear layer `layer`, as the network view shows it."""
    w = _linear(model, layer).weight.detach()
    return float(w[1, j] - w[0, j]) if _two_class_output(model, layer) else float(w[i, j])


def set_weight(run, layer: int, i: int, j: int, value: float) -> None:
    """Set one weight as the network view shows it (two classes: row 1 becomes row 0 + value); the run is then
    marked edited (never published as a trained result) and its loss and score are measured again."""
    w = _linear(run.model, layer).weight
    with torch.no_grad():
        if _two_class_output(run.model, layer):
            w[1, j] = w[0, j] + value
        else:
            w[i, j] = value
    run.edited = WEIGHTS_SET
    run.edited_metrics = (len(run.history.epoch), measure(run))


def measure(run) -> dict:
    """Train and test loss and score of the run's model as it is now (whole splits, in chunks)."""
    d, choice = run._data, LOSSES[run.cfg.train.loss]
    loss_fn, device = choice.make(), next(run.model.parameters()).device
    out = {}
    for split, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
        X, y = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
        out[f"{split}_loss"], out[f"{split}_score"] = evaluate(run.model, choice, loss_fn, X, y, d.transform)
    return out


def current_metrics(run) -> dict:
    """The numbers to show: the history's last row, or after a hand edit (and no training since) the edited network's."""
    edited = getattr(run, "edited_metrics", None)
    if edited and edited[0] == len(run.history.epoch):
        return edited[1]
    return run.history.last()
