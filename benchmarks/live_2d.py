"""2-D live training: epochs per second with no display vs. redrawing at the page's display rate.

The spiral with two hidden layers of 8 tanh neurons, SGD lr 0.03, batch 10, 250 training points.
"With display" does in-process what the page does each frame: predict the boundary grid and the
test points, encode the boundary image and build the ECharts option, serialised to JSON (what
st.echarts_chart sends), at most every charts.REDRAW_SECONDS; every
charts.SLOW_SECONDS the network view (on by default), bars and loss curve (class Page, which
benchmarks/tf_playground.py uses too). The server's share only: the browser's work is measured by
browser_latency.py. Run: .venv/bin/python benchmarks/live_2d.py
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from playground.viz import boundary, charts, health_charts, network_charts  # noqa: E402
from playground.config import Config, DataConfig, ModelConfig, TrainConfig  # noqa: E402
from playground.data.tables import load_dataset  # noqa: E402
from playground.engine.health import UpdateLog, run_health  # noqa: E402
from playground.engine.inside import layer_weights, neuron_maps  # noqa: E402
from playground.engine.run import Run  # noqa: E402

REDRAW_SECONDS = charts.REDRAW_SECONDS  # the 2-D page's live redraw interval
CFG = Config(
    DataConfig("spiral", n_samples=500, noise=0.1, test_fraction=0.5),
    ModelConfig(hidden=(8, 8), activation="tanh"),
    TrainConfig("sgd", lr=0.03, batch_size=10, epochs=300),
)


class Page:
    """What the 2-D page computes for its frames, in-process: the boundary every REDRAW_SECONDS; the network view
    (on by default), bars and loss curve every charts.SLOW_SECONDS; the training-health view too when `health`."""

    def __init__(self, data, health: bool = False):
        self.data = data
        every = np.vstack([data.X_train, data.X_test])
        self.xs, self.ys, self.grid = boundary.boundary_grid(every, boundary.LIVE_RESOLUTION)
        self.small_grid = boundary.boundary_grid(every, resolution=24)[2]
        self.points, self.images = boundary.point_series(data), boundary.BoundaryImages()
        self.log = UpdateLog() if health else None
        self.drawn = self.slow = float("-inf")
        self.frames = 0

    def frame(self, run, last: bool = False) -> None:
        now = time.perf_counter()
        if not last and now - self.drawn < REDRAW_SECONDS:
            return
        self.drawn, self.frames = now, self.frames + 1
        d, loss = self.data, run.cfg.train.loss
        proba = run.proba(d.X_test)
        idx = int(proba.max(1).argmin())
        layers = self.images.add(boundary.boundary_png(run.proba(self.grid), len(self.xs), len(self.ys)), now)
        options = [boundary.boundary_option(self.xs, self.ys, layers, self.points, d, highlight=idx)]
        if self.log is not None:  # the update sizes every frame, as the page records them
            self.log.record(run.model, run.snapshot.step if run.snapshot else 0)
        if last or now - self.slow >= charts.SLOW_SECONDS:
            self.slow = now
            maps, out = neuron_maps(run.model, self.small_grid, loss)
            options += [network_charts.network_option(self.small_grid, maps, out, layer_weights(run.model), width=305)[0],
                        charts.bars_option(proba[idx], d.class_names, int(d.y_test[idx])),
                        charts.curves_option(run.history, run.cfg.train.epochs, with_score=False)]
            if self.log is not None:
                health = run_health(run.model, d, loss)
                options += [health_charts.histograms_option(health)[0],
                            health_charts.ratios_option(self.log, [x.name for x in health])]
        for option in options:
            json.dumps(option)  # what st.echarts_chart sends


def epochs_per_second(display: bool, health: bool = False) -> tuple[float, int]:
    data = load_dataset(CFG.data)
    run, page = Run(CFG, data), Page(data, health)
    start = time.perf_counter()
    for snap in run.snapshots():
        if display:
            page.frame(run, last=snap.done)
    elapsed = time.perf_counter() - start
    return CFG.train.epochs / elapsed, page.frames


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
