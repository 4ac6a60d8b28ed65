"""The training-health view's options: a row per hidden layer with its state in words, the ratios with the guide line."""
import json

import torch
from torch import nn

from playground.config import ModelConfig
from playground.engine.health import UpdateLog, layer_health
from playground.engine.models import build_model
from playground.viz import health_charts


def test_histograms_name_each_layers_state_and_flag_a_sick_one():
    torch.manual_seed(0)
    model = build_model(ModelConfig((8, 8), "relu"), (2,), 2)
    with torch.no_grad():
        model[2].bias.fill_(-50)  # the second hidden layer dies
    X = torch.randn(64, 2)
    layers = layer_health(model, X, (X[:, 0] > 0).long(), nn.CrossEntropyLoss())
    option, height = health_charts.histograms_option(layers)
    json.dumps(option)
    titles = [t["text"] for t in option["title"]]
    assert titles[0].startswith("layer 1 (ReLU): outputs, ") and titles[2] == "layer 2 (ReLU): outputs, 100% dead"
    assert option["title"][2]["textStyle"]["color"] == health_charts.RED and "color" not in option["title"][0]["textStyle"]
    assert len(option["grid"]) == 4 and len(option["series"]) == 4 and height == health_charts.TOP + 2 * health_charts.ROW
    assert sum(n for _, n in option["series"][0]["data"]) == 64 * 8  # every output of the probe counted


def test_ratios_draw_one_line_per_layer_with_the_healthy_guide():
    torch.manual_seed(0)
    model = build_model(ModelConfig((4, 4), "tanh"), (2,), 2)
    log = UpdateLog()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    X = torch.randn(32, 2)
    for step in range(1, 6):
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(X), (X[:, 0] > 0).long()).backward()
        optimizer.step()
        log.record(model, step)
    option = health_charts.ratios_option(log, ["layer 1 (Tanh)", "layer 2 (Tanh)"])
    json.dumps(option)
    assert [s["name"] for s in option["series"]] == ["layer 1 (Tanh)", "layer 2 (Tanh)"]
    assert [x for x, _ in option["series"][0]["data"]] == [2, 3, 4, 5]  # a ratio from the second record on
    assert option["series"][0]["markLine"]["data"] == [{"yAxis": -3.0}]
    assert all(-6 < y < 0 for _, y in option["series"][1]["data"])


def test_tiny_gradients_keep_their_own_scale():
    """Gradients of 1e-8 are drawn on an axis of 1e-8, not rounded to 0 (which squashed them into one bar at 0)."""
    import numpy as np

    from playground.engine.health import LayerHealth

    grads = np.histogram(np.random.default_rng(0).normal(scale=1e-8, size=500), bins=30)
    acts = np.histogram(np.linspace(-1, 1, 500), bins=30)
    option, _ = health_charts.histograms_option([LayerHealth("layer 1 (Tanh)", acts, 0.1, None, grads, 1e-8, 0.5)])
    centres = [x for x, _ in option["series"][1]["data"]]
    assert len(set(centres)) == 30 and max(map(abs, centres)) < 1e-7
