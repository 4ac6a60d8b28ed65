"""2-D live training: epochs per second with no display vs. redrawing at the page's display rate.

The spiral with two hidden layers of 8 tanh neurons, SGD lr 0.03, batch 10, 250 training points.
"With display" does in-process what the page does each frame: predict the boundary grid and the
test points, build the three plotly figures and serialise them to JSON (what st.plotly_chart
sends), at most every plots.REDRAW_SECONDS. Run: .venv/bin/python benchmarks/live_2d.py
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import plotly.io as pio  # noqa: E402
import torch  # noqa: E402

from playground import plots  # noqa: E402
from playground.config import Config, DataConfig, ModelConfig, TrainConfig  # noqa: E402
from playground.data import load_dataset  # noqa: E402
from playground.training import Run  # noqa: E402

REDRAW_SECONDS = plots.REDRAW_SECONDS  # the pages' live redraw interval
CFG = Config(
    DataConfig("spiral", n_samples=500, noise=0.1, test_fraction=0.5),
    ModelConfig(hidden=(8, 8), activation="tanh"),
    TrainConfig("sgd", lr=0.03, batch_size=10, epochs=300),
)


def draw(run, data, xs, ys, grid) -> None:
    proba_test = run.proba(data.X_test)
    idx = int(proba_test.max(1).argmin())
    figures = (
        plots.boundary_figure(xs, ys, run.proba(grid), data, highlight=idx),
        plots.proba_bars(proba_test[idx], data.class_names, int(data.y_test[idx])),
        plots.curves_figure(run.history, CFG.train.epochs),
    )
    for fig in figures:
        pio.to_json(fig)


def epochs_per_second(display: bool) -> tuple[float, int]:
    data = load_dataset(CFG.data)
    xs, ys, grid = plots.boundary_grid(np.vstack([data.X_train, data.X_test]))
    run, frames, last = Run(CFG, data), 0, 0.0
    start = time.perf_counter()
    for snap in run.snapshots():
        if display and (snap.done or time.perf_counter() - last >= REDRAW_SECONDS):
            draw(run, data, xs, ys, grid)
            frames, last = frames + 1, time.perf_counter()
    elapsed = time.perf_counter() - start
    return CFG.train.epochs / elapsed, frames


def main() -> None:
    torch.set_num_threads(1)
    assert len(load_dataset(CFG.data).y_train) == 250
    epochs_per_second(display=False)  # warm-up: first-call costs must not count against either mode
    runs = [epochs_per_second(display) for display in (False, True, False, True)]  # alternate: the machine is noisy
    bare = max(runs[0][0], runs[2][0])
    live, frames = max(runs[1], runs[3])
    print("spiral, 2-8-8-2 tanh, SGD lr 0.03, batch 10, 250 training points, 300 epochs, 1 thread")
    print(f"{'mode':<34} {'epochs/s':>9}")
    print(f"{'no display':<34} {bare:>9.1f}")
    label = f"display every {REDRAW_SECONDS}s ({frames} frames)"
    print(f"{label:<34} {live:>9.1f}")
    print(f"{'display cost':<34} {1 - live / bare:>8.1%}   (target <= 20%)")
    print(f"{'live epochs/s vs 60 target':<34} {live / 60:>8.2f}x  (target >= 1x)")


if __name__ == "__main__":
    main()
