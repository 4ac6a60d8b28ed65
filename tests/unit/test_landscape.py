"""The loss landscape: filter-normalised directions, the slice through the final weights, paths projected onto it."""
import numpy as np
import torch
from torch import nn

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.tables import load_dataset
from playground.engine.landscape import directions, project, surface
from playground.engine.run import Run


def _trained():
    cfg = Config(DataConfig("moons", 200, 0.1), ModelConfig((8,), "tanh"), TrainConfig("sgd", 0.3, 16, 15))
    data = load_dataset(cfg.data)
    run = Run(cfg, data)
    for _ in run.snapshots():
        pass
    return run, data


def test_directions_are_filter_normalised_and_fixed_by_their_seed():
    run, _ = _trained()
    d1, d2 = directions(run.model, seed=3)
    again, _ = directions(run.model, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(d1, again))
    for p, d in zip(run.model.parameters(), d1):
        if p.dim() > 1:  # each filter (row) as long as the weight's own
            torch.testing.assert_close(d.reshape(len(d), -1).norm(dim=1), p.detach().reshape(len(p), -1).norm(dim=1))
        else:
            assert not d.any()
    assert not all(torch.equal(a, b) for a, b in zip(d1, d2))


def test_the_slice_passes_through_the_final_training_loss_and_leaves_the_weights():
    run, data = _trained()
    X, y = torch.as_tensor(data.X_train), torch.as_tensor(data.y_train)
    before = [p.detach().clone() for p in run.model.parameters()]
    alphas, losses = surface(run.model, nn.CrossEntropyLoss(), X, y, directions(run.model, 0), span=1.0, n=11)
    assert losses.shape == (11, 11) and alphas[5] == 0
    with torch.no_grad():
        run.model.eval()
        at_origin = float(nn.CrossEntropyLoss()(run.model(X), y))
    assert np.isclose(losses[5, 5], at_origin, rtol=1e-6)  # the landscape's value at the origin is the final loss
    assert losses[5, 5] <= np.percentile(losses, 25)  # trained weights sit low in their neighbourhood
    assert all(torch.equal(a, b) for a, b in zip(before, run.model.parameters()))


def test_a_path_projects_onto_the_directions():
    run, _ = _trained()
    dirs = directions(run.model, 1)
    origin = [p.detach().clone() for p in run.model.parameters()]
    moved = [o + 0.5 * u - 0.25 * v for o, u, v in zip(origin, *dirs)]
    coords = project([origin, moved], origin, dirs)
    np.testing.assert_allclose(coords, [[0, 0], [0.5, -0.25]], atol=1e-6)


def _race(entries, epochs=6):
    from playground.engine import race as R

    cfg = R.RaceConfig(DataConfig("moons", 200, 0.1), ModelConfig((8,), "tanh"), entries, epochs=epochs)
    return R.Race(cfg, load_dataset(cfg.data))


def test_a_race_has_one_landscape_after_its_end_through_the_leaders_weights():
    from playground.engine import race as R

    race = _race((R.Entry("sgd", 0.1), R.Entry("adam", 0.01)))
    race.step()
    assert race.landscape() is None  # not before the end
    race.run()
    found = race.landscape()
    assert found is race.landscape()  # computed once
    assert found.centre == race.leader().label
    paths = dict(found.paths)
    assert [len(c) for c in paths.values()] == [7, 7]  # epochs 0..6
    np.testing.assert_allclose(paths["SGD (lr 0.1)"][0], paths["Adam (lr 0.01)"][0])  # one start for all
    np.testing.assert_allclose(paths[found.centre][-1], [0, 0], atol=1e-9)
    n = len(found.alphas)
    assert n % 2 == 1 and found.losses.shape == (n, n) and found.centre_loss == found.losses[n // 2, n // 2]


def test_the_grid_is_as_fine_as_the_time_budget_allows():
    from playground.engine.landscape import GRID, landscape
    from playground.engine.models import LOSSES

    run, data = _trained()
    X, y = torch.as_tensor(data.X_train), torch.as_tensor(data.y_train)
    quick = landscape(run.model, LOSSES["cross_entropy"], X, y, {}, "run", budget=1e-6)
    assert len(quick.alphas) == GRID[0] and quick.paths == ()
    assert len(landscape(run.model, LOSSES["cross_entropy"], X, y, {}, "run", budget=60).alphas) == GRID[1]


def test_a_race_in_which_every_lane_diverged_has_no_landscape():
    from playground.engine import race as R

    race = _race((R.Entry("sgd", 0.1), R.Entry("adam", 0.01)))
    with torch.no_grad():  # broken weights: every lane's first loss is not a number (on any processor)
        for c in race.contestants:
            for p in c.model.parameters():
                p.fill_(float("nan"))
    race.run()
    assert all(c.diverged for c in race.contestants) and race.landscape() is None


def test_a_runs_landscape_follows_its_weights_trained_on_or_set_by_hand():
    from playground.engine.editing import set_weight

    run, _ = _trained()
    first = run.landscape()
    assert run.landscape() is first  # computed once for these weights
    set_weight(run, 0, 0, 0, 3.0)
    edited = run.landscape()
    assert edited is not first and edited.centre_loss != first.centre_loss
    run.extend(20)
    for _ in run.snapshots():
        pass
    assert run.landscape() is not edited and run.landscape() is run.landscape()


def test_a_regression_runs_landscape_uses_its_mse():
    cfg = Config(DataConfig("tf_plane", 200, 0.1, 0.5), ModelConfig((4,)), TrainConfig("sgd", 0.03, 10, 5, loss="mse"))
    data = load_dataset(cfg.data)
    run = Run(cfg, data)
    for _ in run.snapshots():
        pass
    found = run.landscape()
    with torch.no_grad():
        run.model.eval()
        X, y = torch.as_tensor(data.X_train), torch.as_tensor(data.y_train)
        expected = float(nn.MSELoss()(run.model(X).squeeze(-1), y.float()))
    assert np.isclose(found.centre_loss, expected, rtol=1e-5)


def test_along_the_paths_the_slice_is_the_plane_they_moved_in_most():
    """PCA directions: unit length, orthogonal, holding most of the paths' movement, so the projected path keeps its
    length (random directions shrink it); the centre is still the final training loss."""
    from playground.engine import race as R

    race = _race((R.Entry("sgd", 0.1), R.Entry("adam", 0.01))).run()
    random, paths = race.landscape("random"), race.landscape("paths")
    assert paths is race.landscape("paths") and paths.kind == "paths" and random.kind == "random"
    assert paths.explained > 0.5 and random.explained is None
    assert paths.centre_loss == random.centre_loss  # one centre: the leader's final weights

    def length(coords):
        return float(np.linalg.norm(np.diff(coords, axis=0), axis=1).sum())

    leader = race.leader()
    states = [leader.path[e] for e in sorted(leader.path)]
    true_start = float(torch.cat([(a - b).flatten() for a, b in zip(states[0], states[-1])]).norm())
    start = dict(paths.paths)[leader.label][0]
    assert np.hypot(*start) > 0.7 * true_start  # the start's distance from the end, mostly kept in the plane
    assert length(dict(paths.paths)[leader.label]) > 3 * length(dict(random.paths)[leader.label])


def test_path_directions_are_orthonormal():
    from playground.engine.landscape import path_directions

    run, _ = _trained()
    states = [[run.frames[e][n] for n, _ in run.model.named_parameters()] for e in sorted(run.frames)]
    (d1, d2), explained = path_directions(run.model, [states])
    u, v = (torch.cat([t.flatten() for t in d]).double() for d in (d1, d2))
    assert abs(float(u.norm()) - 1) < 1e-6 and abs(float(v.norm()) - 1) < 1e-6 and abs(float(u @ v)) < 1e-6
    assert 0 < explained <= 1


def test_the_session_model_keeps_its_weights_while_its_landscape_is_computed():
    """Another script run may draw or train the session's model meanwhile: every loss of the slice is taken on a
    private copy, so at each of them the model itself still has its final weights."""
    from types import SimpleNamespace

    from playground.engine.landscape import landscape

    run, data = _trained()
    final = [p.detach().clone() for p in run.model.parameters()]
    moved = []

    def checked_loss():
        def loss(out, y):
            moved.append(not all(torch.equal(a, b) for a, b in zip(final, run.model.parameters())))
            return nn.CrossEntropyLoss()(out, y)
        return loss

    choice = SimpleNamespace(make=checked_loss, target=lambda y: y)
    X, y = torch.as_tensor(data.X_train), torch.as_tensor(data.y_train)
    landscape(run.model, choice, X, y, {}, "run", budget=0.01)
    assert len(moved) > 100 and not any(moved)
