"""The learning-rate finder (fastai's LR range test) on a copy of a run's network: properties, not exact numbers."""
import math

import numpy as np
import pytest
import torch

from playground import config as C
from playground.config import Config, DataConfig
from playground.data.tables import load_dataset
from playground.engine.lr_finder import EXPLODE, find_lr, snap
from playground.engine.run import Run

MOONS = Config()  # the 2-D page's default: moons, a small ReLU network, Adam


def _data(cfg):
    return load_dataset(cfg.data)


def _weights(model) -> dict:
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_the_real_run_is_untouched():
    cfg = MOONS.replace(epochs=3)
    data = _data(cfg)
    run = Run(cfg, data)
    for _ in run.snapshots():  # a run part way through: its weights and optimizer state must stay as they are
        break
    before, rng = _weights(run.model), torch.get_rng_state()
    found = find_lr(cfg, data)
    after = _weights(run.model)
    assert found.suggestion is not None
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert torch.equal(rng, torch.get_rng_state())  # nor the caller's random stream (Dropout masks, seeding)
    assert [s.epoch for s in run.snapshots()][-1] == 3  # and the run trains on


def test_the_learning_rate_rises_exponentially_from_start():
    found = find_lr(MOONS, _data(MOONS), start=1e-6, end=10, steps=50)
    lrs = np.asarray(found.lrs)
    assert lrs[0] == pytest.approx(1e-6)
    ratios = lrs[1:] / lrs[:-1]
    assert np.allclose(ratios, (10 / 1e-6) ** (1 / 49))  # one constant factor per mini-batch
    assert len(found.losses) == len(found.lrs) and found.seconds > 0


def test_the_sweep_stops_when_the_loss_explodes_and_the_suggestion_lies_below():
    cfg = MOONS.replace(optimizer="sgd")
    found = find_lr(cfg, _data(cfg), end=1e4, steps=120)
    assert found.stopped and found.exploded_at is not None and len(found.lrs) < 120
    last = found.losses[-1]
    assert not math.isfinite(last) or last > EXPLODE * min(found.losses[:-1])
    assert found.lrs[0] <= found.raw_suggestion < found.exploded_at
    assert found.suggestion < found.exploded_at and found.suggestion in C.LR_STEPS


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_the_suggestion_trains_well_on_an_easy_problem(optimizer):
    cfg = MOONS.replace(optimizer=optimizer, epochs=15)
    data = _data(cfg)
    found = find_lr(cfg, data)
    assert found.lrs[0] <= found.suggestion <= found.lrs[-1]

    def final_loss(lr):
        run = Run(cfg.replace(lr=lr), data)
        for _ in run.snapshots():
            pass
        return run.history.train_loss[-1]

    suggested, tiny = final_loss(found.suggestion), final_loss(1e-5)
    # lr 1e-5 barely moves from the untrained loss (about 0.69); the suggestion learns the moons' shape
    assert suggested < 0.8 * tiny, (found.suggestion, suggested, tiny)


def test_regression_gets_a_suggestion():
    cfg = MOONS.replace(dataset="tf_plane", loss="mse", noise=0.0)
    found = find_lr(cfg, _data(cfg))
    assert found.suggestion is not None and not found.message


def test_a_network_that_cannot_learn_gets_a_message_not_a_suggestion():
    cfg = MOONS.replace(init="zeros")  # every weight 0: ReLU units stay dead, the loss stays at log 2
    found = find_lr(cfg, _data(cfg))
    assert found.suggestion is None and "hardly fell" in found.message


def test_a_sweep_that_diverges_at_once_says_so():
    cfg = MOONS.replace(optimizer="sgd")
    found = find_lr(cfg, _data(cfg), start=1e3, end=1e6)
    assert found.suggestion is None and found.stopped and "only" in found.message


def test_a_loss_that_cannot_fit_the_data_is_refused():
    cfg = MOONS.replace(dataset="tf_plane", loss="cross_entropy")
    with pytest.raises(ValueError):
        find_lr(cfg, _data(cfg))


def test_images_keep_to_their_caps():
    cfg = Config(DataConfig("digits"), C.Config().model, C.Config().train).replace(batch_size=64)
    found = find_lr(cfg, _data(cfg), steps=30, max_seconds=20)
    assert len(found.lrs) <= 30 and found.seconds < 20
    slow = find_lr(cfg, _data(cfg), steps=1000, max_seconds=0.05)
    assert "time limit" in slow.stopped and len(slow.lrs) < 1000


def test_snap_picks_the_nearest_step_on_a_log_scale():
    assert snap(0.0385) == 0.03 and snap(0.06) == 0.1 and snap(1e-9) == 1e-5 and snap(1e9) == 10.0


def test_a_loss_that_is_not_a_number_at_once_gets_a_message_and_a_chart_without_points():
    """Targets of 1e25 (an uploaded CSV may have them): the first loss overflows; a message, never a traceback."""
    import dataclasses

    from playground.viz.lr_charts import lr_finder_option

    cfg = Config(DataConfig("linear", 200, 0.1), C.ModelConfig((4,)), C.TrainConfig("sgd", 0.01, 16, 2, loss="mse"))
    data = _data(cfg)
    huge = dataclasses.replace(data, y_train=data.y_train * np.float32(1e25), y_test=data.y_test * np.float32(1e25))
    found = find_lr(cfg, huge)
    assert found.lrs == [] and found.suggestion is None and "not a number at the very first step" in found.message
    assert lr_finder_option(found)["series"][0]["data"] == []


def test_a_sweep_cut_by_its_time_limit_says_so():
    found = find_lr(MOONS, _data(MOONS), steps=100, max_seconds=0.0)
    assert found.stopped.startswith("it reached its time limit") and found.exploded_at is None
    assert found.suggestion is None and "time limit" in found.message and "blew up" not in found.message
