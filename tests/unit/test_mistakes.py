"""Mistake lab engine: each bug changes exactly its line, and has the effect the tutorials warn about."""
import copy
import dataclasses
import itertools
import re

import numpy as np
import pytest
import torch
from torch import nn

from playground.data.tables import load_dataset
from playground.engine.mistakes import Bug, Race, measure, train_step
from playground.teaching.mistakes import MISTAKES, changed_lines, settings, snippet
from seeds import SEEDS, median_over_seeds


def _race(name, epochs, mistake=None, **kw) -> Race:
    mistake = mistake or MISTAKES[name]
    cfg = settings(mistake, epochs=epochs, **kw)
    return Race(cfg, load_dataset(cfg.data), mistake)


def _finished(name, epochs, **kw) -> Race:
    race = _race(name, epochs, **kw)
    for _ in race.frames():
        pass
    return race


def test_six_mistakes_each_explained_in_exactly_two_sentences():
    assert list(MISTAKES) == ["no_zero_grad", "no_eval", "double_softmax", "large_lr", "huge_init", "no_batchnorm"]
    for mistake in MISTAKES.values():
        sentences = re.split(r"(?<=[.!?])\s+", mistake.explanation.strip())
        assert len(sentences) == 2 and sentences[-1].endswith("."), mistake.label
        assert mistake.label and mistake.about and mistake.look_for


@pytest.mark.parametrize("name", list(MISTAKES))
def test_each_mistake_changes_exactly_one_flag_and_one_line(name):
    mistake = MISTAKES[name]
    differs = [f.name for f in dataclasses.fields(Bug) if getattr(mistake.bug, f.name) != getattr(Bug(), f.name)]
    assert len(differs) == 1
    cfg = settings(mistake)
    removed, added = changed_lines(mistake, cfg, 2)
    assert removed.startswith("- ") and added.startswith("+ ") and "<-" in added
    assert snippet(mistake, cfg, 2).count("\n") == snippet(mistake, cfg, 2, buggy=True).count("\n")


@pytest.mark.parametrize("name", list(MISTAKES))
def test_both_runs_start_from_identical_weights(name):
    race = _race(name, 1)
    linear = [[m for m in lane.model if isinstance(m, nn.Linear)] for lane in race.lanes]
    assert linear[0] and len(linear[0]) == len(linear[1])
    scale = MISTAKES[name].bug.init_scale  # the huge-weights mistake: the same weights, scaled
    for correct, buggy in zip(*linear):
        assert torch.equal(correct.weight * scale, buggy.weight) and torch.equal(correct.bias, buggy.bias)
    kinds = [[type(m) for m in lane.model if not isinstance(m, nn.BatchNorm1d)] for lane in race.lanes]
    assert kinds[1][: len(kinds[0])] == kinds[0]  # the same layers (the double softmax adds one on top) ...
    dropped = sum(isinstance(m, nn.BatchNorm1d) for m in race.correct.model) - sum(isinstance(m, nn.BatchNorm1d) for m in race.buggy.model)
    assert dropped == (0 if MISTAKES[name].bug.batchnorm else len(MISTAKES[name].model.hidden))  # ... but BatchNorm
    assert race.correct.model is not race.buggy.model
    assert race.buggy.lr == race.correct.lr * MISTAKES[name].bug.lr_factor


def test_without_zero_grad_each_gradient_is_the_sum_of_all_earlier_ones():
    race = _race("no_zero_grad", 1)
    X, y = race.tensors[0], race.tensors[1]
    for zero_grad in (True, False):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        total = [torch.zeros_like(p) for p in model.parameters()]
        for step in range(5):
            xb, yb = X[16 * step : 16 * (step + 1)], y[16 * step : 16 * (step + 1)]
            fresh = copy.deepcopy(model)  # this step's own gradient, at the current weights
            nn.CrossEntropyLoss()(fresh(xb), yb).backward()
            total = [t + p.grad for t, p in zip(total, fresh.parameters())]
            expected = total if not zero_grad else [p.grad for p in fresh.parameters()]
            train_step(model, optimizer, nn.CrossEntropyLoss(), xb, yb, zero_grad=zero_grad)
            for p, e in zip(model.parameters(), expected):
                torch.testing.assert_close(p.grad, e)


def test_forgetting_eval_changes_the_measurement_not_the_weights():
    race = _finished("no_eval", 6)
    correct, buggy = race.correct, race.buggy
    for a, b in zip(correct.model.parameters(), buggy.model.parameters()):
        assert torch.equal(a, b)  # same weights, batches and Dropout masks
    assert correct.history.train_loss[1:] == buggy.history.train_loss[1:]
    assert correct.history.test_loss[1:] != buggy.history.test_loss[1:]
    X_test, y_test = race.tensors[2], race.tensors[3]
    model = copy.deepcopy(correct.model)
    in_eval = measure(model, nn.CrossEntropyLoss(), X_test, y_test, eval_mode=True)
    twice = measure(model, nn.CrossEntropyLoss(), X_test, y_test, eval_mode=True)
    in_train = measure(model.train(), nn.CrossEntropyLoss(), X_test, y_test, eval_mode=False)
    assert in_eval == twice and in_train != in_eval  # eval mode is deterministic; training mode is not the same
    grid = np.random.default_rng(0).uniform(-1.5, 1.5, size=(200, 2)).astype(np.float32)
    assert not np.allclose(correct.proba(grid), buggy.proba(grid), atol=1e-3)  # the buggy picture: Dropout on


def test_forgetting_eval_scores_worse_over_a_full_race():
    def measure(seed):
        race = _finished("no_eval", 30, seed=seed)
        good, bad = race.correct.history, race.buggy.history  # single epochs may spike: medians and means over epochs
        return np.median(bad.test_loss[10:]) - np.median(good.test_loss[10:]), np.mean(good.test_score[10:]) - np.mean(bad.test_score[10:])

    # 8 seeds x 1 and 2 threads: loss gap 0.09-0.14, accuracy gap 0.04-0.07
    loss_gap, accuracy_gap = median_over_seeds(measure, SEEDS[:3])
    assert loss_gap > 0.03 and accuracy_gap > 0.01


def test_double_softmax_shrinks_gradients_and_learns_slower():
    def measure(seed):
        race = _race("double_softmax", 30, seed=seed)
        X, y = race.tensors[0], race.tensors[1]
        norms = []
        for lane in race.lanes:
            model = copy.deepcopy(lane.model)
            lane.loss_fn(model(X), y).backward()
            norms.append(torch.cat([p.grad.flatten() for p in model.parameters()]).norm().item())
        for _ in race.frames():
            pass
        data_y = race.tensors[3].numpy()
        honest = [-np.log(lane.proba(race.tensors[2].numpy())[np.arange(len(data_y)), data_y]).mean() for lane in race.lanes]
        good, bad = race.correct.history, race.buggy.history
        return (norms[1] / norms[0], honest[1] - honest[0], bad.train_loss[-1] / good.train_loss[-1],
                good.test_score[-1] - bad.test_score[-1])

    # 8 seeds x 1 and 2 threads: gradient ratio 0.46-0.53, honest-loss gap 0.05-0.16 (the buggy run's own
    # probabilities fit the test set worse), train-loss ratio 1.47-2.36, accuracy gap 0.01-0.07
    gradient_ratio, honest_gap, loss_ratio, accuracy_gap = median_over_seeds(measure)
    assert gradient_ratio < 0.6 and honest_gap > 0.03 and loss_ratio > 1.3 and accuracy_gap >= 0


@pytest.mark.parametrize("dataset", ["moons", "xor"])
def test_far_too_large_learning_rate_ends_much_higher_or_stops(dataset):
    # At 30x the lesson failed on another processor (1.55x). At 100x, 12 seeds each on moons, circles, XOR
    # and spiral, 1 and 2 threads: the buggy run ended 13-270x above the correct one (median ~70x).
    for seed in SEEDS:
        race = _finished("large_lr", 15, dataset=dataset, seed=seed)
        good, bad = race.correct.history, race.buggy.history
        assert race.buggy.stopped or bad.train_loss[-1] > 3 * good.train_loss[-1], seed
        assert race.buggy.stopped or max(bad.train_loss) > 3 * bad.train_loss[0], seed  # it bounced far above its start
        assert good.train_loss[-1] < good.train_loss[0]


def test_non_finite_loss_stops_only_that_run_with_a_message():
    exploding = dataclasses.replace(MISTAKES["large_lr"], bug=Bug(lr_factor=float("inf")))
    race = _race(None, 5, mistake=exploding)
    frames = list(race.frames())
    assert frames == [0, 1, 2, 3, 4, 5] and race.done
    assert race.correct.stopped is None and race.correct.history.epoch == [0, 1, 2, 3, 4, 5]
    assert "not a finite number" in race.buggy.stopped
    assert len(race.buggy.history.epoch) < 6
    assert all(torch.isfinite(p).all() for p in race.buggy.model.parameters())  # the last good weights
    assert np.isfinite(race.buggy.proba(race.tensors[2].numpy())).all()


def test_stopped_race_resumes_exactly():
    full = _finished("no_zero_grad", 6)
    part = _race("no_zero_grad", 6)
    assert list(itertools.islice(part.frames(), 3)) == [0, 1, 2]  # Stop after epoch 2
    assert not part.done and part.correct.history.epoch == [0, 1, 2]
    assert list(part.frames()) == [3, 4, 5, 6]  # Run again: continues
    for a, b in zip(full.lanes, part.lanes):
        assert a.history.train_loss == b.history.train_loss and a.history.test_loss == b.history.test_loss


@pytest.mark.parametrize("kw, message", [
    (dict(dataset="iris"), "Unknown dataset"),
    (dict(epochs=0), "Epochs"),
    (dict(lr=float("nan")), "Learning rate"),
    (dict(lr=0.0), "Learning rate"),
    (dict(seed=-1), "seed"),
])
def test_bad_settings_are_refused_with_a_message(kw, message):
    with pytest.raises(ValueError, match=message):
        settings(MISTAKES["no_zero_grad"], **kw)


def test_huge_initial_weights_saturate_the_first_layer_and_learn_worse():
    """Over 3 seeds on each dataset: most of the red run's first tanh layer starts saturated (Training health's
    measure), the green one's hardly; the red median final test loss is the higher one."""
    from playground.data.tables import load_dataset
    from playground.engine.health import run_health

    for dataset in ("moons", "circles"):
        correct, buggy = [], []
        for seed in SEEDS[:3]:
            race = _race("huge_init", 1, dataset=dataset, seed=seed)
            data = load_dataset(race.cfg.data)
            start = [run_health(lane.model, data, "cross_entropy")[0].saturated for lane in race.lanes]
            assert start[0] < 0.2 and start[1] > 0.5, (dataset, seed, start)
            race = _finished("huge_init", 50, dataset=dataset, seed=seed)
            correct.append(race.correct.history.test_loss[-1])
            buggy.append(race.buggy.history.test_loss[-1])
        assert sorted(buggy)[1] > sorted(correct)[1], dataset


def test_a_deep_sigmoid_net_without_batchnorm_loses_its_gradient_and_stays_at_chance():
    """Training health's weight-gradient norms: without BatchNorm the first layer's is over 50x smaller than the last
    layer's at the start, and after 50 epochs the red run's median test accuracy (3 seeds) is still near a coin toss
    while the green one's is far above it."""
    from playground.engine.health import run_health

    for dataset in ("moons", "xor"):
        correct, buggy = [], []
        for seed in SEEDS[:3]:
            race = _race("no_batchnorm", 1, dataset=dataset, seed=seed)
            norms = [layer.grad_norm for layer in run_health(race.buggy.model, load_dataset(race.cfg.data), "cross_entropy")]
            assert len(norms) == 4 and norms[0] * 50 < norms[-1], (dataset, seed, norms)
            race = _finished("no_batchnorm", 50, dataset=dataset, seed=seed)
            correct.append(race.correct.history.test_score[-1])
            buggy.append(race.buggy.history.test_score[-1])
        assert sorted(buggy)[1] < 0.65 and sorted(correct)[1] > 0.8, (dataset, correct, buggy)
