"""CNN feature maps: each conv block's channels for one image, the first filters, and their picture."""
import json

import numpy as np
import torch

from playground.config import ModelConfig
from playground.engine.inside import feature_maps
from playground.engine.models import build_model
from playground.viz import image_charts


def test_each_blocks_channels_are_its_activation_output_and_the_filters_the_first_conv():
    torch.manual_seed(0)
    model = build_model(ModelConfig((16,), "relu", conv=((6, 3, 2, 0.0), (4, 3, 1, 0.2))), (1, 8, 8), 10)
    image = torch.randn(1, 8, 8)
    maps, filters = feature_maps(model, image)
    assert [m.shape for m in maps] == [(6, 8, 8), (4, 4, 4)]  # before block 1's pooling, after it for block 2
    expected = torch.relu(model[0](image.unsqueeze(0)))[0].detach().numpy()
    np.testing.assert_allclose(maps[0], expected, rtol=1e-5, atol=1e-6)
    assert (maps[1] >= 0).all() and filters.shape == (6, 1, 3, 3)
    assert torch.equal(torch.as_tensor(filters), model[0].weight.detach())


def test_feature_maps_picture_has_a_row_per_block_and_the_filters_first():
    maps = [np.random.default_rng(0).normal(size=(20, 8, 8)), np.ones((3, 4, 4))]
    filters = np.random.default_rng(1).normal(size=(20, 1, 5, 5))
    option, height = image_charts.feature_maps_option(maps, filters, "What the CNN sees in test image #3")
    json.dumps(option)
    texts = [g["style"]["text"] for g in option["graphic"] if g["type"] == "text"]
    assert texts[0].startswith("Filters of conv block 1 (16 of 20") and texts[2].startswith("Conv block 2: what its 3 channels")
    assert sum(g["type"] == "image" for g in option["graphic"]) == 16 + 16 + 3
    assert height == image_charts.TITLE_TOP + 3 * image_charts.MAP_ROW
