"""The mistake lab's lessons: each classic bug's name, its two-sentence explanation and its line in the tutorial loop.

The registry pairs these texts with the engine's Bug flags (engine.mistakes runs the loops); snippet()
shows the loop as code, and settings() builds the race's Config for a mistake.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data import catalog
from playground.data.catalog import DATASETS
from playground.engine.mistakes import BATCH_SIZE, Bug
from playground.engine.models import ACTIVATIONS

# Mistake 4: the buggy loop's learning rate is this many times the correct one. At 30x (lr 3) the
# run is chaotic and on some processors ended only 1.5x above the correct loop; at 100x (lr 10) it
# ended 13-270x above it (12 seeds on each of moons, circles, XOR, spiral; 1 and 2 threads).
LR_FACTOR = 100
# Mistake 5: the buggy loop's starting weights are this many times PyTorch's. At 20x, 58-78% of the first tanh layer's
# outputs start saturated and its median final test loss was 2-3x the correct loop's (3 seeds on moons, circles, XOR,
# spiral); at 10x only 39-55%, at 5x 15-26%.
INIT_SCALE = 20
# Mistake 6: four sigmoid layers of 16. Without BatchNorm the first layer's weight gradient starts 300-3000x smaller than
# the last's and in 50 epochs at lr 0.1 the run stays at chance on moons, circles, XOR and spiral (3 seeds each), while
# with it moons and XOR reach 86-96% test accuracy.
DEEP_SIGMOID = ModelConfig((16, 16, 16, 16), "sigmoid", batchnorm=True)
N_SAMPLES, NOISE = 300, 0.2
DATASETS_2D = catalog.names(catalog.PLANE, classify_only=True)  # each lesson reads a boundary of classes


@dataclass(frozen=True)
class Mistake:
    """A registry entry: label, tooltip line, the two sentences on the page, the bug, its line in the snippet."""

    label: str
    about: str
    explanation: str  # exactly two sentences
    bug: Bug
    line: str  # the correct line of SNIPPET (after formatting) ...
    buggy_line: str  # ... and what the mistake turns it into
    look_for: str  # what to watch in the race
    model: ModelConfig = ModelConfig((16, 16), "tanh")


MISTAKES: dict[str, Mistake] = {
    "no_zero_grad": Mistake(
        "Forgetting optimizer.zero_grad()",
        "gradients pile up from step to step instead of being cleared",
        "PyTorch adds every new gradient to the one already stored in `.grad`, so without `optimizer.zero_grad()` "
        "each step follows the sum of all gradients so far instead of the current one. "
        "The steps grow ever larger and keep pushing in stale directions, so the loss bounces up instead of settling.",
        Bug(zero_grad=False),
        "        optimizer.zero_grad()",
        "        # optimizer.zero_grad()   <- forgotten: gradients add up",
        "the red loss falls at first, then climbs and swings as the summed gradients take over.",
    ),
    "no_eval": Mistake(
        "Forgetting model.eval() when testing",
        "Dropout and BatchNorm stay in training mode while the test set is measured",
        "In training mode Dropout switches off a random half of the neurons and BatchNorm normalises with the "
        "statistics of the batch at hand, so the test predictions are noisy and depend on which points are measured together. "
        "Both loops learn exactly the same weights here; only the measurement is wrong, and it makes the network look worse "
        "and jumpier than it is.",
        Bug(eval_mode=False),
        "    model.eval()",
        "    # model.eval()   <- forgotten: Dropout and BatchNorm stay in training mode",
        "the train losses lie on top of each other (same weights), the red test curves sit higher and jitter, "
        "and the red boundary, predicted in training mode, is speckled by Dropout.",
        ModelConfig((64, 64), "relu", batchnorm=True, dropout=0.5),
    ),
    "double_softmax": Mistake(
        "Softmax before CrossEntropyLoss",
        "a Softmax output layer although CrossEntropyLoss applies softmax itself",
        "`nn.CrossEntropyLoss` applies softmax itself, so a Softmax layer at the end of the network squashes the scores twice. "
        "The squashed scores lie between 0 and 1, so the loss cannot get near 0 and its gradients shrink: learning slows "
        "down and stalls.",
        Bug(loss="softmax_ce"),
        "    nn.Linear({width}, {n_classes}),",
        "    nn.Linear({width}, {n_classes}), nn.Softmax(dim=1),   # <- softmax before CrossEntropyLoss",
        "the red loss levels off far above the green one (it cannot fall below about 0.31 with 2 classes), "
        "and the red boundary stays blurrier.",
    ),
    "large_lr": Mistake(
        "A learning rate far too large",
        f"the learning rate is {LR_FACTOR} times the one the correct loop uses",
        f"Each step moves the weights by the learning rate times the gradient, and here that step is {LR_FACTOR} times "
        "as long as in the correct loop. "
        "The steps overshoot the valley they should settle in, so the loss bounces around or blows up instead of going down.",
        Bug(lr_factor=LR_FACTOR),
        "optimizer = torch.optim.SGD(model.parameters(), lr={lr:g})",
        "optimizer = torch.optim.SGD(model.parameters(), lr={big_lr:g})   # <- " + f"{LR_FACTOR}x too large",
        "the red loss jumps up and down (or grows until the run stops) while the green one falls smoothly.",
    ),
    "huge_init": Mistake(
        "Weights initialised far too large",
        f"the starting weights are {INIT_SCALE} times PyTorch's default",
        "A tanh neuron whose weighted sum is large sits on a flat end of its S-curve, where its slope, and so every "
        "gradient that flows back through it, is almost 0. "
        f"With starting weights {INIT_SCALE} times too large most first-layer neurons start there (saturated), so they "
        "barely learn: Training health shows their outputs piled up at -1 and +1.",
        Bug(init_scale=INIT_SCALE),
        "# the layers start from PyTorch's default weights (uniform, about 1/sqrt(inputs) at most)",
        "with torch.no_grad(): [m.weight.mul_({init_scale}) for m in model if isinstance(m, nn.Linear)]   "
        f"# <- {INIT_SCALE}x too large",
        "switch on Training health: the red run's first layer is mostly saturated (outputs at -1 and +1, gradients near "
        "0), and its loss falls later and ends higher.",
    ),
    "no_batchnorm": Mistake(
        "No BatchNorm in a deep sigmoid net",
        "four sigmoid layers without the BatchNorm that keeps their inputs centred",
        "A sigmoid's slope is at most 0.25, so each of the four layers passes back at most a quarter of the gradient "
        "it receives and the first layer's gradient is hundreds of times smaller than the last's: the early layers "
        "hardly move. "
        "BatchNorm re-centres and re-scales every layer's inputs into the sigmoid's steep middle, so the gradient "
        "reaches the first layer and the network learns.",
        Bug(batchnorm=False),
        "    return nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out), nn.Sigmoid()",
        "    return nn.Linear(n_in, n_out), nn.Sigmoid()   # <- no BatchNorm: the gradient fades layer by layer",
        "the red loss stays flat at the loss of guessing (0.69 with two classes) while the green one falls; switch on "
        "Training health: the "
        "red run's weight-gradient norms shrink layer by layer towards the input and its update sizes sit far below "
        "the 1e-3 line.",
        DEEP_SIGMOID,
    ),
}

SNIPPET = """\
{blocks}model = nn.Sequential(
{layers}
    nn.Linear({width}, {n_classes}),
)
# the layers start from PyTorch's default weights (uniform, about 1/sqrt(inputs) at most)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr={lr:g})

for epoch in range(epochs):
    model.train()
    for X, y in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        test_loss = loss_fn(model(X_test), y_test)
"""


DEEP = 3  # from this many hidden layers on, the snippet builds them with a block() helper, one line for all


def _layer_parts(model: ModelConfig, width_in, width) -> str:
    """One hidden layer as source: Linear [-> BatchNorm1d] -> activation [-> Dropout]."""
    parts = [f"nn.Linear({width_in}, {width})"]
    if model.batchnorm:
        parts.append(f"nn.BatchNorm1d({width})")
    parts.append(f"nn.{ACTIVATIONS[model.activation].make.__name__}()")
    if model.dropout:
        parts.append(f"nn.Dropout({model.dropout:g})")
    return ", ".join(parts)


def _hidden_lines(model: ModelConfig, n_features: int) -> tuple[str, list[str]]:
    """(the block() helper or "", the lines of nn.Sequential's hidden layers): one line per layer, or for a deep
    network one line of block() calls, so that a change to every layer (no BatchNorm) is one changed line."""
    widths_in = (n_features, *model.hidden[:-1])
    if len(model.hidden) >= DEEP:
        helper = f"def block(n_in, n_out):  # one hidden layer\n    return {_layer_parts(model, 'n_in', 'n_out')}\n\n"
        return helper, ["    " + ", ".join(f"*block({a}, {b})" for a, b in zip(widths_in, model.hidden)) + ","]
    return "", [f"    {_layer_parts(model, a, b)}," for a, b in zip(widths_in, model.hidden)]


def snippet(mistake: Mistake, cfg: Config, n_classes: int, buggy: bool = False, n_features: int = 2) -> str:
    """The tutorial loop as Python source; buggy=True swaps in the mistake's one line."""
    blocks, layers = _hidden_lines(cfg.model, n_features)
    fields = dict(
        blocks=blocks, layers="\n".join(layers), width=cfg.model.hidden[-1] if cfg.model.hidden else n_features,
        n_classes=n_classes, lr=cfg.train.lr, big_lr=cfg.train.lr * LR_FACTOR, init_scale=INIT_SCALE,
    )
    code = SNIPPET.format(**fields)
    if buggy:
        line, buggy_line = mistake.line.format(**fields), mistake.buggy_line.format(**fields)
        if line not in code:
            raise ValueError(f"The snippet has no line {line!r} to change.")
        code = code.replace(line, buggy_line, 1)
    return code


def changed_lines(mistake: Mistake, cfg: Config, n_classes: int) -> list[str]:
    """The lines the mistake changes in the snippet (removed and added), for checking it is exactly one."""
    a, b = (snippet(mistake, cfg, n_classes, buggy).splitlines() for buggy in (False, True))
    return [d for d in difflib.ndiff(a, b) if d[:2] in ("- ", "+ ")]


def settings(mistake: Mistake, dataset: str = "moons", epochs: int = 50, lr: float = 0.1, seed: int = 0) -> Config:
    """The race's Config: a 2-D dataset of 300 points, the mistake's network, plain SGD; ValueError on bad input."""
    if dataset not in DATASETS_2D:
        raise ValueError(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS_2D)}.")
    data = DataConfig(dataset, N_SAMPLES, NOISE, n_classes=DATASETS[dataset].classes[0])
    return Config(data, mistake.model, TrainConfig("sgd", float(lr), BATCH_SIZE, int(epochs), 0.0, "cross_entropy", int(seed)))
