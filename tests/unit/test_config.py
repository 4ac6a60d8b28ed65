import pytest

from playground.config import Config, DataConfig, ModelConfig, TrainConfig


def test_configs_are_frozen_and_hashable():
    cfg = Config()
    assert hash(cfg) == hash(Config())
    with pytest.raises(Exception):
        cfg.train.lr = 1.0  # frozen


def test_hidden_is_normalised_to_a_tuple():
    assert ModelConfig(hidden=[4, 5]).hidden == (4, 5)
    assert hash(ModelConfig(hidden=[4, 5])) == hash(ModelConfig(hidden=(4, 5)))


def test_fixed_class_datasets_ignore_the_class_count():
    assert DataConfig("moons", n_classes=5) == DataConfig("moons", n_classes=2)
    assert DataConfig("blobs", n_classes=5).n_classes == 5


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: DataConfig("nope"), "Unknown dataset"),
        (lambda: DataConfig("blobs", n_classes=9), "between 3 and 6 classes"),
        (lambda: DataConfig(n_samples=10), "Number of samples"),
        (lambda: DataConfig(noise=float("nan")), "Noise must be between"),
        (lambda: DataConfig("blobs", n_classes=6, n_samples=50, test_fraction=0.1), "fewer than 2 points per class"),
        (lambda: ModelConfig(hidden=(8,) * 7), "hidden layers"),
        (lambda: ModelConfig(hidden=(0,)), "Neurons in layer 1"),
        (lambda: ModelConfig(activation="swish!"), "Unknown activation"),
        (lambda: TrainConfig(lr=100.0), "Learning rate"),
        (lambda: TrainConfig(optimizer="lbfgs?"), "Unknown optimizer"),
    ],
)
def test_bad_settings_raise_a_readable_value_error(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_batchnorm_needs_batches_of_two():
    with pytest.raises(ValueError, match="BatchNorm"):
        Config(model=ModelConfig(batchnorm=True), train=TrainConfig(batch_size=1))


def test_query_round_trip_restores_every_field():
    cfg = Config(
        DataConfig("blobs", 500, 0.35, 0.25, 4, 7),
        ModelConfig((3, 16, 5), "gelu", True, 0.2),
        TrainConfig("rmsprop", 0.003, 32, 40, 1e-4, "cross_entropy", 11),
    )
    params = cfg.to_query()
    assert all(isinstance(v, str) for v in params.values())
    assert Config.from_query(params) == cfg


def test_query_with_no_hidden_layers_round_trips():
    cfg = Config(model=ModelConfig(hidden=()))
    assert Config.from_query(cfg.to_query()).model.hidden == ()


def test_bad_query_value_says_which_parameter():
    with pytest.raises(ValueError, match="lr"):
        Config.from_query({"lr": "fast"})


def test_replace_changes_the_right_part():
    cfg = Config().replace(lr=0.1, dataset="xor", hidden=(2,))
    assert (cfg.train.lr, cfg.data.dataset, cfg.model.hidden) == (0.1, "xor", (2,))
    assert cfg.train.optimizer == Config().train.optimizer


def test_conv_blocks_round_trip_and_are_validated():
    cfg = Config(model=ModelConfig(hidden=(512,), conv=((32, 3, 1, 0.3), (32, 3, 2, 0.0))))
    assert Config.from_query(cfg.to_query()) == cfg
    with pytest.raises(ValueError, match="Kernel size of conv block 1"):
        ModelConfig(conv=((8, 9, 1, 0.0),))
    with pytest.raises(ValueError, match="conv blocks"):
        ModelConfig(conv=((8, 3, 1, 0.0),) * 5)


def test_learning_rate_steps_are_one_ladder_within_the_limits():
    from playground import config as C

    assert C.lr_steps() == C.LR_STEPS and (C.LR_STEPS[0], C.LR_STEPS[-1]) == C.LIMITS["lr"]
    assert C.lr_steps(0.001, 1.0) == (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
    assert list(C.LR_STEPS) == sorted(C.LR_STEPS)
