"""Input features (TF Playground's x1, x2, x1², x2², x1·x2, sin x1, sin x2): values, config, the model's first layer."""
import numpy as np
import pytest
import torch
from torch import nn

from seeds import median_over_seeds
from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.tables import load_dataset
from playground.engine.models import FEATURES, RAW_FEATURES, Features, build_model
from playground.engine.run import Run

POINTS = np.random.default_rng(0).uniform(-3, 3, size=(50, 2)).astype(np.float32)
X1, X2 = POINTS[:, 0], POINTS[:, 1]
EXPECTED = {"x1": X1, "x2": X2, "x1_sq": X1 * X1, "x2_sq": X2 * X2, "x1_x2": X1 * X2, "sin_x1": np.sin(X1), "sin_x2": np.sin(X2)}


def test_the_registry_is_tf_playgrounds_inputs_in_its_order():
    assert list(FEATURES) == list(EXPECTED) and RAW_FEATURES == ("x1", "x2")
    assert [FEATURES[n].label for n in ("x1", "x1_sq", "x1_x2", "sin_x2")] == ["x1", "x1²", "x1·x2", "sin(x2)"]
    assert all(f.about for f in FEATURES.values())


@pytest.mark.parametrize("name", EXPECTED)
def test_each_feature_is_its_formula_of_the_points(name):
    values = FEATURES[name].fn(torch.as_tensor(POINTS)).numpy()
    np.testing.assert_allclose(values, EXPECTED[name], rtol=1e-6, atol=1e-6)


def test_the_features_module_stacks_the_chosen_columns_in_its_order_and_has_no_weights():
    names = ("sin_x2", "x1_x2", "x1")
    module = Features(names)
    out = module(torch.as_tensor(POINTS))
    assert out.shape == (50, 3) and not list(module.parameters()) and not module.state_dict()
    np.testing.assert_allclose(out.numpy(), np.stack([EXPECTED[n] for n in names], 1), rtol=1e-6, atol=1e-6)


def test_equal_sets_of_features_give_equal_configs_in_the_registrys_order():
    a, b = ModelConfig(features=["x2_sq", "x1_sq", "x1"]), ModelConfig(features=("x1", "x1_sq", "x2_sq"))
    assert a == b and hash(a) == hash(b) and a.features == ("x1", "x1_sq", "x2_sq")
    assert ModelConfig().features == RAW_FEATURES


@pytest.mark.parametrize("features, words", [
    ((), "Choose at least one input feature"),
    (("x1", "x3"), "Unknown input feature 'x3'"),
    (("x1_sq", "x1", "x1_sq"), "x1_sq is repeated"),
])
def test_bad_feature_choices_raise_a_readable_value_error(features, words):
    with pytest.raises(ValueError, match=words):
        ModelConfig(features=features)


@pytest.mark.parametrize("dataset", ["iris", "mnist"])
def test_features_other_than_x1_x2_belong_to_the_2d_datasets(dataset):
    with pytest.raises(ValueError, match="2-D playground's datasets only"):
        Config(DataConfig(dataset), ModelConfig(features=("x1_sq",)))
    Config(DataConfig(dataset), ModelConfig(features=("x1", "x2")))  # the raw inputs: the table's own columns
    Config(DataConfig("spiral"), ModelConfig(features=("x1_sq",)))


def test_the_model_maps_raw_points_to_its_features_first_and_a_default_model_is_unchanged():
    model = build_model(ModelConfig(hidden=(4,), features=("x1", "x2_sq", "sin_x1")), (2,), 3)
    assert isinstance(model[0], Features) and model[0].names == ("x1", "x2_sq", "sin_x1")
    assert model[1].in_features == 3 and model(torch.zeros(5, 2)).shape == (5, 3)
    default = build_model(ModelConfig(hidden=(4,)), (2,), 3)
    assert [type(m) for m in default] == [nn.Linear, nn.Tanh, nn.Linear] and default[0].in_features == 2
    torch.manual_seed(0)
    one = build_model(ModelConfig(hidden=(4,), features=("x1", "x1_sq")), (2,), 3)
    torch.manual_seed(0)
    two = build_model(ModelConfig(hidden=(4,), features=("x2", "x2_sq")), (2,), 3)
    assert torch.equal(one[1].weight, two[1].weight)  # the feature map draws nothing from the seed


def test_features_need_two_d_points():
    with pytest.raises(ValueError, match="2-D points"):
        build_model(ModelConfig(features=("x1_sq",)), (4,), 3)


def _test_accuracy(features, seed: int) -> float:
    cfg = Config(DataConfig("circles", 300, 0.1, random_state=seed), ModelConfig((), features=features),
                 TrainConfig("adam", 0.03, 16, 60, seed=seed))
    run = Run(cfg, load_dataset(cfg.data))
    for _ in run.snapshots():
        pass
    return run.history.test_score[-1]


def test_squared_inputs_let_a_network_without_hidden_layers_learn_a_circle():
    """TF Playground's lesson: x1² + x2² makes the ring linearly separable.

    Margins from 12 seeds at 1 and 2 threads: squared inputs 0.978-1.0, raw inputs 0.33-0.59.
    """
    assert median_over_seeds(lambda s: _test_accuracy(("x1_sq", "x2_sq"), s), range(3)) > 0.9
    assert median_over_seeds(lambda s: _test_accuracy(RAW_FEATURES, s), range(3)) < 0.75
