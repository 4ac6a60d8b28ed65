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
class LossChoice(Choice):
    """A loss plus the output layer it expects and how its outputs become probabilities."""

    to_proba: Callable[[torch.Tensor], torch.Tensor] = lambda out: torch.softmax(out, dim=1)


LOSSES: dict[str, LossChoice] = {
    "cross_entropy": LossChoice(nn.CrossEntropyLoss, "Cross-entropy", "softmax + negative log-likelihood on raw scores"),
}


def build_model(cfg, n_in: int, n_out: int) -> nn.Sequential:
    """Linear [-> BatchNorm] -> activation [-> Dropout] per hidden layer, then a Linear head."""
    layers: list[nn.Module] = []
    width_in = n_in
    for width in cfg.hidden:
        layers.append(nn.Linear(width_in, width))
        if cfg.batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[cfg.activation].make())
        if cfg.dropout > 0:
            layers.append(nn.Dropout(cfg.dropout))
        width_in = width
    layers.append(nn.Linear(width_in, n_out))
    return nn.Sequential(*layers)


def build_optimizer(cfg, params) -> torch.optim.Optimizer:
    """The optimizer a TrainConfig names, over the given parameters."""
    return OPTIMIZERS[cfg.optimizer].make(params, cfg.lr, cfg.weight_decay)


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
