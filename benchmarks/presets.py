"""Train every tutorial preset headless and print: the tutorial's figure, ours, seconds.

Run: .venv/bin/python benchmarks/presets.py   (Pima needs its CSV cached or a network once)
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from playground.data.tables import load_dataset  # noqa: E402
from playground.teaching.presets import PRESETS, measure  # noqa: E402
from playground.engine.run import Run  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    print(f"{'preset':<36} {'tutorial figure':<52} {'ours':>8} {'in range':>9} {'test':>7} {'seconds':>8}")
    for preset in PRESETS.values():
        start = time.perf_counter()
        try:
            run = Run(preset.config, load_dataset(preset.config.data))
            for _ in run.snapshots():
                pass
        except ValueError as err:  # e.g. Pima offline with no cache
            print(f"{preset.label:<36} {preset.figure:<52} {'-':>8} {'n/a':>9} {'-':>7} {'-':>8}  ({str(err)[:60]}...)")
            continue
        value = measure(preset, run)
        shown = f"{value:.4f}" if preset.metric == "weight" else f"{value:.1%}"
        ok = preset.goal[0] <= value <= preset.goal[1]
        test = run.history.test_score[-1]
        test_shown = f"{test:.3f}" if preset.metric == "weight" else f"{test:.1%}"
        print(f"{preset.label:<36} {preset.figure:<52} {shown:>8} {'yes' if ok else 'NO':>9} {test_shown:>7} {time.perf_counter() - start:8.2f}")


if __name__ == "__main__":
    main()
