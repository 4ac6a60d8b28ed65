import numpy as np
import torch

from playground.config import ModelConfig
from playground.engine.inside import input_maps, layer_weights, neuron_maps
from playground.engine.models import build_model


def test_maps_match_a_manual_forward_pass():
    torch.manual_seed(0)
    model = build_model(ModelConfig(hidden=(4, 3), activation="tanh"), (2,), 3)
    grid = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    layers, proba = neuron_maps(model, grid)
    assert [a.shape for a in layers] == [(4, 50), (3, 50)] and proba.shape == (3, 50)
    x = torch.as_tensor(grid)
    first = torch.tanh(model[0](x))
    np.testing.assert_allclose(layers[0], first.detach().numpy().T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(proba.sum(0), 1, atol=1e-5)
    assert [w.shape for w in layer_weights(model)] == [(4, 2), (3, 4), (3, 3)]


def test_hooks_are_removed_after_the_pass():
    model = build_model(ModelConfig(hidden=(4,), activation="relu"), (2,), 2)
    neuron_maps(model, np.zeros((3, 2), np.float32))
    assert all(not m._forward_hooks for m in model)


def test_input_maps_are_the_raw_points_or_the_chosen_features_with_their_labels():
    grid = np.random.default_rng(1).uniform(-2, 2, size=(40, 2)).astype(np.float32)
    maps, labels = input_maps(build_model(ModelConfig(hidden=(3,)), (2,), 2), grid)
    assert labels == ["x1", "x2"] and np.array_equal(maps, grid.T)
    model = build_model(ModelConfig(hidden=(3,), features=("x2_sq", "x1_x2", "sin_x1")), (2,), 2)
    maps, labels = input_maps(model, grid)
    assert labels == ["x2²", "x1·x2", "sin(x1)"]  # the registry's order, as the first layer's columns
    expected = np.stack([grid[:, 1] ** 2, grid[:, 0] * grid[:, 1], np.sin(grid[:, 0])])
    np.testing.assert_allclose(maps, expected, rtol=1e-5, atol=1e-6)
    assert maps.shape[0] == layer_weights(model)[0].shape[1]  # one map per column the first layer weighs


def test_neuron_maps_ignore_a_forward_pass_of_the_same_model_from_elsewhere():
    """A script run still finishing its training step runs the same model in another thread: its forward pass,
    interleaved with the view's (here from inside a hook, so deterministically), must not mix into the maps."""
    import torch

    from playground.config import ModelConfig
    from playground.engine.inside import neuron_maps
    from playground.engine.models import build_model

    torch.manual_seed(0)
    model = build_model(ModelConfig((8, 6), "tanh"), (2,), 2)
    busy = []

    def elsewhere(_module, _inputs, _out):
        if not busy:
            busy.append(True)
            model(torch.zeros(10, 2))  # a training batch of 10
            busy.pop()

    hook = model[1].register_forward_hook(elsewhere)
    try:
        layers, output = neuron_maps(model, np.zeros((576, 2), dtype=np.float32))
    finally:
        hook.remove()
    assert [layer.shape for layer in layers] == [(8, 576), (6, 576)] and output.shape == (2, 576)
