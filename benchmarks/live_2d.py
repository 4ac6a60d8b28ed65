"""2-D live training: epochs per second with no display vs. redrawing at the page's display rate.

The spiral with two hidden layers of 8 tanh neurons, SGD lr 0.03, batch 10, 250 training points.
"With display" does in-process what the page does each frame: predict the boundary grid and the
test points, encode the boundary image and build the ECharts option, serialised to JSON (what
st.echarts_chart sends), at most every charts.REDRAW_SECONDS; the bars and curves every
charts.SLOW_SECONDS. The server's share only: the browser's work is measured by
browser_latency.py. Run: .venv/bin/python benchmarks/live_2d.py
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from playground.viz import boundary, charts, health_charts  # noqa: E402
from playground.config import Config, DataConfig, ModelConfig, TrainConfig  # noqa: E402
from playground.data.tables import load_dataset  # noqa: E402
from playground.engine.health import UpdateLog, run_health  # noqa: E402
from playground.engine.run import Run  # noqa: E402

REDRAW_SECONDS = charts.REDRAW_SECONDS  # the 2-D page's live redraw interval
CFG = Config(
    DataConfig("spiral", n_samples=500, noise=0.1, test_fraction=0.5),
    ModelConfig(hidden=(8, 8), activation="tanh"),
    TrainConfig("sgd", lr=0.03, batch_size=10, epochs=300),
)


def draw(run, data, xs, ys, grid, points, images, slow: bool, health: UpdateLog | None = None) -> None:
    proba_test = run.proba(data.X_test)
    idx = int(proba_test.max(1).argmin())
    layers = images.add(boundary.boundary_png(run.proba(grid), len(xs), len(ys)), time.perf_counter())
    options = [boundary.boundary_option(xs, ys, layers, points, data, highlight=idx)]
    if slow:
        options += [charts.bars_option(proba_test[idx], data.class_names, int(data.y_test[idx])),
                    charts.curves_option(run.history, CFG.train.epochs)]
    if slow and health is not None:  # the training-health view, as the 2-D board draws it when its switch is on
        layers = run_health(run.model, data, CFG.train.loss)
        health.record(run.model, run.snapshot.step)
        options += [health_charts.histograms_option(layers)[0], health_charts.ratios_option(health, [x.name for x in layers])]
    for option in options:
        json.dumps(option)


def epochs_per_second(display: bool, health: bool = False) -> tuple[float, int]:
    data = load_dataset(CFG.data)
    xs, ys, grid = boundary.boundary_grid(np.vstack([data.X_train, data.X_test]), boundary.LIVE_RESOLUTION)
    points, images = boundary.point_series(data), boundary.BoundaryImages()
    run, frames, last, last_slow = Run(CFG, data), 0, 0.0, 0.0
    log = UpdateLog() if health else None
    start = time.perf_counter()
    for snap in run.snapshots():
        if display and (snap.done or time.perf_counter() - last >= REDRAW_SECONDS):
            slow = snap.done or time.perf_counter() - last_slow >= charts.SLOW_SECONDS
            draw(run, data, xs, ys, grid, points, images, slow, UpdateLog() if health and log is None else log)
            frames, last = frames + 1, time.perf_counter()
            last_slow = last if slow else last_slow
    elapsed = time.perf_counter() - start
    return CFG.train.epochs / elapsed, frames


def main() -> None:
    torch.set_num_threads(1)
    assert len(load_dataset(CFG.data).y_train) == 250
    epochs_per_second(display=False)  # warm-up: first-call costs must not count against either mode
    modes = [(False, False), (True, False), (True, True)] * 2  # alternate: the machine is noisy
    runs = [epochs_per_second(*mode) for mode in modes]
    bare = max(runs[0][0], runs[3][0])
    live, frames = max(runs[1], runs[4])
    with_health = max(runs[2][0], runs[5][0])
    print("spiral, 2-8-8-2 tanh, SGD lr 0.03, batch 10, 250 training points, 300 epochs, 1 thread")
    print(f"{'mode':<34} {'epochs/s':>9}")
    print(f"{'no display':<34} {bare:>9.1f}")
    label = f"display every {REDRAW_SECONDS:.3f}s ({frames} frames)"
    print(f"{label:<34} {live:>9.1f}")
    print(f"{'display cost':<34} {1 - live / bare:>8.1%}   (target <= 20%)")
    print(f"{'+ training health view open':<34} {with_health:>9.1f}")
    print(f"{'health view cost (vs display)':<34} {1 - with_health / live:>8.1%}   (target <= 10%; 0% closed: not run)")
    print(f"{'live epochs/s vs 60 target':<34} {live / 60:>8.2f}x  (target >= 1x)")


if __name__ == "__main__":
    main()
