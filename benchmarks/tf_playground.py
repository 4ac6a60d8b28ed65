"""Ours against TensorFlow Playground on its own defaults: the test accuracy it reaches, and the wall time to reach it.

TensorFlow Playground's defaults: inputs x1 and x2, 2 -> 4 -> 2 -> 1 tanh, SGD lr 0.03, batch 10, no
regularisation, noise 0, half the 500 points for training. Its figures are in tf_playground_reference.json,
measured from its own build (tensorflow/playground, `npm run build`, not part of this repository):
- its test accuracy after each of 1000 epochs, 5 seeds, from its own nn.ts and dataset.ts run in node
  with its page's seeding and training step (the page's shown losses matched this to 3 decimals, 688 of 688);
- its speed in headless Chromium: one epoch per animation frame, at most 60 a second (60 on a quiet
  machine; 37-52 measured while this machine was busy).

The target on each dataset is its median final test accuracy (epoch 1000); its time is the median epoch at
which a seed first reaches it, at 60 epochs a second. Ours: the same settings on the same generator
(tf_playground.py), 5 seeds, up to 1000 epochs; the time until the test accuracy first reaches the target,
training alone and with the page's drawing done in-process each frame (boundary at 30 a second; network view,
bars and curves at 4). Ours with PyTorch's default initial weights and with TensorFlow Playground's
(uniform -0.5..0.5, biases 0.1: the "Initial weights" setting).
Run: .venv/bin/python benchmarks/tf_playground.py [--seeds 5] [--epochs 1000]
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from playground.config import Config, DataConfig, ModelConfig, TrainConfig  # noqa: E402
from playground.data.tables import load_dataset  # noqa: E402
from playground.engine.run import Run  # noqa: E402
from live_2d import Page  # noqa: E402  (the 2-D page's frames, built in-process)

REFERENCE = Path(__file__).with_name("tf_playground_reference.json")
DATASETS = {"circle": "tf_circle", "xor": "tf_xor", "gauss": "tf_gauss", "spiral": "tf_spiral"}
TF_QUIET_EPOCHS_PER_SECOND = 60  # one epoch per animation frame (measured 59.3-60.0 at load 0.5)


def config(dataset: str, seed: int, init: str, epochs: int) -> Config:
    return Config(DataConfig(dataset, 500, 0.0, 0.5, 2, random_state=seed), ModelConfig((4, 2), "tanh", init=init),
                  TrainConfig("sgd", 0.03, 10, epochs, seed=seed))


def ours(dataset: str, seed: int, init: str, epochs: int, target: float, display: bool) -> tuple[int | None, float | None]:
    """(epoch, seconds) when the test accuracy first reaches the target, or (None, None) within `epochs`."""
    cfg = config(dataset, seed, init, epochs)
    data = load_dataset(cfg.data)
    page = Page(data) if display else None
    start = time.perf_counter()
    run = Run(cfg, data)
    for snap in run.snapshots():
        if page:
            page.frame(run)
        if run.history.test_score and run.history.epoch[-1] > 0 and run.history.test_score[-1] >= target - 1e-9:
            return run.history.epoch[-1], time.perf_counter() - start
    return None, None


def tf(reference: dict, name: str) -> tuple[float, float, float, int]:
    """(target accuracy, median epochs to it, its seconds at 60/s, seeds reaching it) from the reference figures."""
    curves = reference["datasets"][name]["test_accuracy"]
    target = statistics.median(curve[-1] for curve in curves)
    firsts = [next((i + 1 for i, acc in enumerate(curve) if acc >= target - 1e-9), None) for curve in curves]
    reached = [f for f in firsts if f is not None]
    epochs = statistics.median(reached)
    return target, epochs, epochs / TF_QUIET_EPOCHS_PER_SECOND, len(reached)


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--datasets", default=",".join(DATASETS), help="which of circle,xor,gauss,spiral")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the app's sessions train
    ours("tf_gauss", 0, "default", 3, 1.01, display=True)  # warm-up: torch's first optimizer step imports modules (~2 s)
    reference = json.loads(REFERENCE.read_text())
    print(f"TensorFlow Playground: {reference['source']}; its figures measured {reference['measured'][:10]}")
    print(f"ours: torch {torch.__version__}, 1 thread, load average {os.getloadavg()[0]:.1f} at start\n")
    head = (f"{'dataset':<8} {'target':>7} | {'TF epochs':>9} {'TF s':>6} {'TF n':>5} | {'init':<14} {'epochs':>6} "
            f"{'train s':>8} {'page s':>7} {'n':>4} {'page/TF':>8}")
    print(head + "\n" + "-" * len(head))
    for name in args.datasets.split(","):
        dataset = DATASETS[name]
        target, tf_epochs, tf_seconds, tf_n = tf(reference, name)
        for init in ("tf_playground", "default"):
            plain = [ours(dataset, seed, init, args.epochs, target, display=False) for seed in range(args.seeds)]
            page = [ours(dataset, seed, init, args.epochs, target, display=True) for seed in range(args.seeds)]
            n = sum(e is not None for e, _ in page)
            page_s = _median(s for _, s in page) if n * 2 > args.seeds else None  # a median needs most seeds there
            ratio = page_s / tf_seconds if page_s is not None else None
            print(f"{name:<8} {target:>7.1%} | {tf_epochs:>9.0f} {tf_seconds:>6.2f} {tf_n:>3}/{len(reference['datasets'][name]['seeds'])} | "
                  f"{init:<14} {_fmt(_median(e for e, _ in page), '>6.0f')} {_fmt(_median(s for _, s in plain), '>8.2f')} "
                  f"{_fmt(page_s, '>7.2f')} {n:>2}/{args.seeds} {_fmt(ratio, '>8.2f')}")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}. TF s: its median epochs at {TF_QUIET_EPOCHS_PER_SECOND} epochs/s "
          "(a quiet machine; a busy one is slower). page s: ours with the page's frames built in-process; the browser's "
          "drawing is its own process (browser_latency.py). page/TF below 1: ours is there sooner.")


if __name__ == "__main__":
    main()
