import numpy as np
import torch

from playground.config import ModelConfig
from playground.engine.inside import layer_weights, neuron_maps
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
