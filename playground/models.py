"""Model builder and the registries behind the widgets: activations, optimizers, losses."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn


@dataclass(frozen=True)
class Choice:
    """A registry entry: what it builds, its widget label, and a tooltip line."""

    make: Callable
    label: str
    about: str


ACTIVATIONS: dict[str, Choice] = {
    "relu": Choice(nn.ReLU, "ReLU", "max(0, x): fast and the usual default"),
    "tanh": Choice(nn.Tanh, "Tanh", "smooth S-curve from -1 to 1: pretty boundaries on small nets"),
    "sigmoid": Choice(nn.Sigmoid, "Sigmoid", "S-curve from 0 to 1: learns slowly in deep nets"),
    "leaky_relu": Choice(nn.LeakyReLU, "LeakyReLU", "like ReLU but keeps a small slope below 0"),
    "gelu": Choice(nn.GELU, "GELU", "a smooth ReLU used by transformers"),
    "linear": Choice(nn.Identity, "Linear (none)", "no non-linearity: the net can only draw straight lines"),
}

OPTIMIZERS: dict[str, Choice] = {
    "sgd": Choice(lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd), "SGD", "plain gradient descent"),
    "momentum": Choice(
        lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd),
        "SGD + momentum",
        "gradient descent that keeps 90% of its previous step",
    ),
    "adam": Choice(lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd), "Adam", "adaptive steps per weight; a safe default"),
    "adamw": Choice(lambda p, lr, wd: torch.optim.AdamW(p, lr=lr, weight_decay=wd), "AdamW", "Adam with decoupled weight decay"),
    "rmsprop": Choice(lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, weight_decay=wd), "RMSprop", "divides steps by recent gradient size"),
    "adagrad": Choice(lambda p, lr, wd: torch.optim.Adagrad(p, lr=lr, weight_decay=wd), "Adagrad", "steps shrink for often-updated weights"),
}


@dataclass(frozen=True)
class LossChoice:
    """A loss with everything around it: the output layer it expects, the target format,
    how outputs become predictions and probabilities, and which tasks it fits."""

    make: Callable[[], nn.Module]
    label: str
    about: str
    task: str = "classification"
    head: Callable[[], nn.Module] | None = None  # layer appended after the last Linear
    binary: bool = False  # one sigmoid output: exactly two classes
    target: Callable = lambda y: y  # the labels as this loss wants them
    to_proba: Callable | None = lambda out: torch.softmax(out, dim=1)
    predict: Callable = lambda out: out.argmax(1)

    def n_out(self, n_classes: int) -> int:
        return 1 if self.binary or self.task == "regression" else n_classes

    def problem(self, n_classes: int) -> str | None:
        """Why this loss cannot train on data with n_classes classes (0: regression), or None."""
        if self.task == "regression" and n_classes:
            return f"{self.label} is a regression loss, but this dataset has {n_classes} classes: use cross-entropy."
        if self.task == "classification" and not n_classes:
            return f"{self.label} needs classes, but this dataset has a numeric target: use MSE for regression."
        if self.binary and n_classes != 2:
            return f"{self.label} has one sigmoid output, so it handles exactly 2 classes, not {n_classes}: use cross-entropy."
        return None


def _column(y):
    return y.float().unsqueeze(1)


LOSSES: dict[str, LossChoice] = {
    "cross_entropy": LossChoice(nn.CrossEntropyLoss, "Cross-entropy", "softmax + negative log-likelihood on raw scores (logits)"),
    "nll": LossChoice(
        nn.NLLLoss, "LogSoftmax + NLLLoss", "the MNIST tutorial's pair: a LogSoftmax output layer, then negative log-likelihood",
        head=lambda: nn.LogSoftmax(dim=1), to_proba=torch.exp,
    ),
    "bce": LossChoice(
        nn.BCELoss, "Sigmoid + BCELoss", "one sigmoid output (the probability of class 1) and binary cross-entropy",
        head=nn.Sigmoid, binary=True, target=_column,
        to_proba=lambda out: torch.cat([1 - out, out], dim=1), predict=lambda out: (out[:, 0] > 0.5).long(),
    ),
    "softmax_ce": LossChoice(
        nn.CrossEntropyLoss, "Softmax + cross-entropy", "a Softmax output fed to CrossEntropyLoss, as one tutorial does "
        "(cross-entropy applies softmax again, so learning is slower)", head=lambda: nn.Softmax(dim=1), to_proba=lambda out: out,
    ),
    "mse": LossChoice(
        nn.MSELoss, "Mean squared error", "regression: the average squared distance to the target",
        task="regression", target=_column, to_proba=None, predict=lambda out: out[:, 0],
    ),
}


def build_model(cfg, n_in: int, n_classes: int, loss: str = "cross_entropy") -> nn.Sequential:
    """Linear [-> BatchNorm] -> activation [-> Dropout] per hidden layer, a Linear out, the loss's head."""
    layers: list[nn.Module] = []
    width_in = n_in
    for width in cfg.hidden:
        layers.append(nn.Linear(width_in, width, bias=cfg.bias))
        if cfg.batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[cfg.activation].make())
        if cfg.dropout > 0:
            layers.append(nn.Dropout(cfg.dropout))
        width_in = width
    choice = LOSSES[loss]
    layers.append(nn.Linear(width_in, choice.n_out(n_classes), bias=cfg.bias))
    if choice.head:
        layers.append(choice.head())
    return nn.Sequential(*layers)


def build_optimizer(cfg, params) -> torch.optim.Optimizer:
    """The optimizer a TrainConfig names, over the given parameters."""
    return OPTIMIZERS[cfg.optimizer].make(params, cfg.lr, cfg.weight_decay)


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
