"""Training health on a probe batch: saturated and dead units, gradients, update-to-weight ratios (issue 15's numbers)."""
import math

import torch
from torch import nn

from playground.config import ModelConfig
from playground.engine.health import layer_health, update_ratios
from playground.engine.models import build_model


def _probe(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g) * 2
    return X, (X[:, 0] * X[:, 1] > 0).long()


def test_huge_initial_weights_saturate_the_first_tanh_layer():
    torch.manual_seed(0)
    model = build_model(ModelConfig((16, 16), "tanh"), (2,), 2)
    X, y = _probe()
    calm = layer_health(model, X, y, nn.CrossEntropyLoss())
    with torch.no_grad():
        model[0].weight.mul_(20)  # weights initialised far too large
    hot = layer_health(model, X, y, nn.CrossEntropyLoss())
    assert calm[0].saturated < 0.3 and hot[0].saturated > 0.5
    assert hot[0].name == "layer 1 (Tanh)" and hot[0].dead is None
    # saturated units pass little gradient back: the first layer learns far slower for the size of its weights
    assert hot[0].grad_norm / hot[0].weight_std < 0.5 * calm[0].grad_norm / calm[0].weight_std


def test_a_relu_layer_with_a_very_negative_bias_is_all_dead():
    torch.manual_seed(0)
    model = build_model(ModelConfig((8, 8), "relu"), (2,), 2)
    X, y = _probe()
    assert layer_health(model, X, y, nn.CrossEntropyLoss())[0].dead < 1
    with torch.no_grad():
        model[0].bias.fill_(-100)
    health = layer_health(model, X, y, nn.CrossEntropyLoss())
    assert health[0].dead == 1.0 and health[0].saturated is None
    assert health[0].grad_norm == 0  # no gradient reaches a dead layer's weights


def test_the_probe_leaves_gradients_and_mode_as_they_were():
    torch.manual_seed(0)
    model = build_model(ModelConfig((4,), "tanh", dropout=0.5), (2,), 2)
    X, y = _probe(32)
    nn.CrossEntropyLoss()(model(X), y).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.train()
    health = layer_health(model, X, y, nn.CrossEntropyLoss())
    assert model.training and all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads))
    counts, edges = health[0].activations
    assert counts.sum() == 32 * 4 and len(edges) == len(counts) + 1


def test_update_ratio_of_plain_sgd_is_its_step_over_the_weights():
    torch.manual_seed(0)
    w = torch.randn(8, 8)
    grad = torch.randn(8, 8)
    lr = 1e-3
    after = w - lr * grad
    ratio = update_ratios([w], [after], steps=1)[0]
    assert math.isclose(ratio, math.log10((lr * grad).std() / after.std()), rel_tol=1e-5)
    assert -3.5 < ratio < -2.5  # the healthy range Karpathy's plot marks
    assert update_ratios([w], [w - 10 * lr * grad], steps=10)[0] == pytest_approx(ratio)


def pytest_approx(value):
    import pytest

    return pytest.approx(value, rel=1e-3)


def test_the_probe_never_writes_into_the_run_model():
    """The probe runs on a private copy: no .grad appears on the run's model (another thread may be training it)."""
    torch.manual_seed(0)
    model = build_model(ModelConfig((4,), "relu", batchnorm=True), (2,), 2)
    X, y = _probe(32)
    model.train()
    layer_health(model, X, y, nn.CrossEntropyLoss())
    assert all(p.grad is None for p in model.parameters()) and model.training
