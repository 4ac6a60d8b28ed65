"""Model builder and the registries behind the widgets: input features, activations, initialisations, optimizers, losses."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np
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

@dataclass(frozen=True)
class InitChoice:
    """How a layer's starting weights are drawn: torch code run on each Linear and Conv2d layer `m` (the exported
    script runs the same text), after torch's own initialisation has drawn them; "" keeps torch's."""

    code: str
    label: str
    about: str

    def apply(self, model: nn.Module) -> None:
        if self.code:
            for m in model.modules():
                if isinstance(m, (nn.Linear, nn.Conv2d)):
                    exec(self.code, {"nn": nn, "m": m})  # our own constant text (INITS), the script's very lines


INITS: dict[str, InitChoice] = {
    "default": InitChoice("", "PyTorch's default", "uniform in +-1/sqrt(inputs of the layer) (Kaiming uniform)"),
    "tf_playground": InitChoice(
        "nn.init.uniform_(m.weight, -0.5, 0.5)\nif m.bias is not None:\n    nn.init.constant_(m.bias, 0.1)",
        "TensorFlow Playground's", "weights uniform in -0.5..0.5, biases 0.1, whatever the layer's size"),
    "xavier": InitChoice("nn.init.xavier_uniform_(m.weight)\nif m.bias is not None:\n    nn.init.zeros_(m.bias)",
                         "Xavier (Glorot)", "uniform, scaled by the layer's inputs and outputs; biases 0: made for tanh"),
    "zeros": InitChoice("nn.init.zeros_(m.weight)\nif m.bias is not None:\n    nn.init.zeros_(m.bias)",
                        "All zeros", "every weight 0: every neuron of a layer stays the same, so the network cannot "
                        "learn (the symmetry problem)"),
}


@dataclass(frozen=True)
class OptimizerChoice:
    """A torch.optim class with its fixed extra settings (momentum), its label and a tooltip line."""

    cls: type
    label: str
    about: str
    extra: tuple[tuple[str, float], ...] = ()

    def make(self, params, lr: float, weight_decay: float) -> torch.optim.Optimizer:
        return self.cls(params, lr=lr, weight_decay=weight_decay, **dict(self.extra))

    def code(self, lr: str, weight_decay: str) -> str:
        """The same construction as Python source, for the exported script (lr and weight_decay as expressions)."""
        extra = "".join(f", {k}={v!r}" for k, v in self.extra)
        return f"torch.optim.{self.cls.__name__}(model.parameters(), lr={lr}, weight_decay={weight_decay}{extra})"


OPTIMIZERS: dict[str, OptimizerChoice] = {
    "sgd": OptimizerChoice(torch.optim.SGD, "SGD", "plain gradient descent"),
    "momentum": OptimizerChoice(torch.optim.SGD, "SGD + momentum", "gradient descent that keeps 90% of its previous step", (("momentum", 0.9),)),
    "adam": OptimizerChoice(torch.optim.Adam, "Adam", "adaptive steps per weight; a safe default"),
    "adamw": OptimizerChoice(torch.optim.AdamW, "AdamW", "Adam with decoupled weight decay"),
    "rmsprop": OptimizerChoice(torch.optim.RMSprop, "RMSprop", "divides steps by recent gradient size"),
    "adagrad": OptimizerChoice(torch.optim.Adagrad, "Adagrad", "steps shrink for often-updated weights"),
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


@dataclass(frozen=True)
class Feature:
    """An input feature of a 2-D point: its label, a tooltip line, and its formula as torch code of x, the (N, 2) points.

    The code is the function itself (compiled once below) and the exported script's line: the two cannot differ.
    """

    label: str
    about: str
    code: str
    fn: Callable[[torch.Tensor], torch.Tensor]


def _feature(label: str, about: str, code: str) -> Feature:
    return Feature(label, about, code, eval(f"lambda x: {code}", {"torch": torch}))  # our own constant text, never input


# TensorFlow Playground's INPUTS (x, y, xSquared, ySquared, xTimesY, sinX, sinY), in its order
FEATURES: dict[str, Feature] = {
    "x1": _feature("x1", "the point's first coordinate", "x[:, 0]"),
    "x2": _feature("x2", "the point's second coordinate", "x[:, 1]"),
    "x1_sq": _feature("x1²", "x1 squared: large on both sides, far left and far right", "x[:, 0] ** 2"),
    "x2_sq": _feature("x2²", "x2 squared: large far up and far down", "x[:, 1] ** 2"),
    "x1_x2": _feature("x1·x2", "the product: positive in two opposite quadrants, negative in the other two", "x[:, 0] * x[:, 1]"),
    "sin_x1": _feature("sin(x1)", "waves along x1", "torch.sin(x[:, 0])"),
    "sin_x2": _feature("sin(x2)", "waves along x2", "torch.sin(x[:, 1])"),
}
RAW_FEATURES = ("x1", "x2")  # the points as they are: no feature layer


class Features(nn.Module):
    """(N, 2) points -> (N, len(names)) chosen features, one column each; no parameters."""

    def __init__(self, names):
        super().__init__()
        self.names = tuple(names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([FEATURES[name].fn(x) for name in self.names], dim=1)

    def extra_repr(self) -> str:
        return repr(self.names)  # Features(('x1_sq', 'x2_sq')): also the exported script's line


MAX_PARAMETERS = 5_000_000  # a memory guard: 5M float32 weights + Adam state is about 60 MB per session


def _conv_blocks(cfg, channels: int) -> list[nn.Module]:
    """Conv2d ('same' padding) [-> BatchNorm2d] -> activation [-> MaxPool2d] [-> Dropout] per block."""
    layers: list[nn.Module] = []
    for out_channels, kernel, pool, dropout in cfg.conv:
        layers.append(nn.Conv2d(channels, out_channels, kernel, padding=kernel // 2, bias=cfg.bias))
        if cfg.batchnorm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(ACTIVATIONS[cfg.activation].make())
        if pool > 1:
            layers.append(nn.MaxPool2d(pool))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        channels = out_channels
    return layers


def conv_output_shape(cfg, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """(C, H, W) after the conv blocks; ValueError when a pool would shrink the image below 1 pixel."""
    if not cfg.conv:
        return tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError("Conv blocks need images; this dataset has plain feature columns. Remove the conv blocks.")
    channels, height, width = input_shape
    for i, (out_channels, kernel, pool, _) in enumerate(cfg.conv, 1):
        if kernel // 2 * 2 + height < kernel or kernel // 2 * 2 + width < kernel:
            raise ValueError(f"Conv block {i}: a {kernel}x{kernel} kernel does not fit the {height}x{width} image.")
        height, width = height + 2 * (kernel // 2) - kernel + 1, width + 2 * (kernel // 2) - kernel + 1
        if height // pool < 1 or width // pool < 1:
            raise ValueError(
                f"Conv block {i}: a {pool}x{pool} max-pool would shrink the {height}x{width} image below 1 pixel. "
                "Use a smaller pool or fewer conv blocks."
            )
        channels, height, width = out_channels, height // pool, width // pool
    return channels, height, width


def build_model(cfg, input_shape, n_classes: int, loss: str = "cross_entropy") -> nn.Sequential:
    """[Features | conv blocks ->] [Flatten ->] Linear [-> BatchNorm] -> activation [-> Dropout] per hidden layer -> Linear -> the loss's head."""
    input_shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
    layers: list[nn.Module] = _conv_blocks(cfg, input_shape[0]) if cfg.conv else []
    shape = conv_output_shape(cfg, input_shape)
    if cfg.features != RAW_FEATURES:  # a default network keeps its layers (and state_dict names) as they were
        if input_shape != (2,):
            raise ValueError(f"Input features need 2-D points (x1, x2); this data has shape {input_shape}.")
        layers.append(Features(cfg.features))
        shape = (len(cfg.features),)
    if len(shape) > 1:
        layers.append(nn.Flatten())
    width_in = int(np.prod(shape))
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
    model = nn.Sequential(*layers)
    INITS[cfg.init].apply(model)
    return model


INIT_LOCK = threading.Lock()  # torch's global RNG is shared by every session thread


def seeded_model(cfg, input_shape, n_classes: int, loss: str = "cross_entropy", seed: int = 0) -> nn.Sequential:
    """build_model with the initial weights torch.manual_seed(seed) gives, on any thread; refused if too large."""
    with INIT_LOCK:
        torch.manual_seed(seed)
        model = build_model(cfg, input_shape, n_classes, loss)
    check_size(model)
    return model


def check_size(model: nn.Module) -> None:
    """Refuse models whose weights alone would crowd a shared server's memory."""
    n = n_parameters(model)
    if n > MAX_PARAMETERS:
        raise ValueError(
            f"This network has {n:,} weights, more than the {MAX_PARAMETERS:,} this playground allows. "
            "Use fewer or narrower layers, or a max-pool before the dense layers."
        )


def layer_table(model: nn.Sequential, input_shape) -> list[dict]:
    """Each layer's name, output shape and parameter count, from one forward pass of a dummy batch."""
    rows, x = [], torch.zeros(2, *input_shape)  # 2 rows: BatchNorm needs more than one
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            rows.append({"layer": repr(layer), "output shape": " x ".join(map(str, x.shape[1:])), "parameters": n_parameters(layer)})
    model.train(was_training)
    return rows


def build_optimizer(cfg, params) -> torch.optim.Optimizer:
    """The optimizer a TrainConfig names, over the given parameters."""
    return OPTIMIZERS[cfg.optimizer].make(params, cfg.lr, cfg.weight_decay)


BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def has_batchnorm(model: nn.Module) -> bool:
    """Whether the model normalises with batch statistics (a batch of one cannot be trained then)."""
    return any(isinstance(m, BATCHNORM) for m in model.modules())


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
