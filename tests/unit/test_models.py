import pytest
import torch
from torch import nn

from playground.config import Config, ModelConfig
from playground.data.tables import load_dataset
from playground.engine.models import ACTIVATIONS, OPTIMIZERS, build_model, build_optimizer, has_batchnorm, n_parameters, seeded_model
from playground.engine.run import Run


def test_layers_follow_the_config():
    model = build_model(ModelConfig(hidden=(5, 3), activation="relu", batchnorm=True, dropout=0.2), 2, 4)
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout, nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout, nn.Linear]
    assert [m.out_features for m in model if isinstance(m, nn.Linear)] == [5, 3, 4]
    assert model(torch.zeros(7, 2)).shape == (7, 4)


def test_no_hidden_layers_is_logistic_regression():
    model = build_model(ModelConfig(hidden=()), 2, 2)
    assert len(model) == 1 and n_parameters(model) == 2 * 2 + 2


def _final_loss(**changes):
    cfg = Config().replace(epochs=15, **changes)
    run = Run(cfg, load_dataset(cfg.data))
    for _ in run.snapshots():
        pass
    return run.history.train_loss[0], run.history.train_loss[-1]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_builds_and_learns(activation):
    first, last = _final_loss(activation=activation, optimizer="adam", lr=0.01)
    assert last < 0.8 * first


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_builds_and_learns(optimizer):
    lr = {"sgd": 0.1, "momentum": 0.05, "adagrad": 0.1}.get(optimizer, 0.01)
    first, last = _final_loss(optimizer=optimizer, lr=lr, activation="relu")
    assert last < 0.8 * first


def test_weight_decay_shrinks_the_weights():
    def weight_norm(wd):
        cfg = Config().replace(epochs=30, weight_decay=wd, optimizer="sgd", lr=0.1)
        run = Run(cfg, load_dataset(cfg.data))
        for _ in run.snapshots():
            pass
        return sum(p.norm() ** 2 for p in run.model.parameters()).item()

    assert weight_norm(0.1) < 0.7 * weight_norm(0.0)


def test_optimizer_gets_lr_and_weight_decay():
    cfg = Config().replace(optimizer="adamw", lr=0.003, weight_decay=0.01)
    opt = build_optimizer(cfg.train, build_model(cfg.model, 2, 2).parameters())
    assert isinstance(opt, torch.optim.AdamW)
    assert opt.param_groups[0]["lr"] == 0.003 and opt.param_groups[0]["weight_decay"] == 0.01
    momentum = build_optimizer(cfg.replace(optimizer="momentum").train, build_model(cfg.model, 2, 2).parameters())
    assert momentum.param_groups[0]["momentum"] == 0.9


def test_cnn_blocks_follow_the_config_and_the_table_shows_shapes():
    from playground.engine.models import layer_table

    cfg = ModelConfig(hidden=(512,), activation="relu", dropout=0.5, conv=((32, 3, 1, 0.3), (32, 3, 2, 0.0)))
    model = build_model(cfg, (3, 32, 32), 10)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Conv2d", "ReLU", "Dropout", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Dropout", "Linear"]
    table = layer_table(model, (3, 32, 32))
    assert table[5]["output shape"] == "32 x 16 x 16" and table[6]["output shape"] == "8192"
    assert table[7]["parameters"] == 8192 * 512 + 512
    assert sum(r["parameters"] for r in table) == n_parameters(model)
    assert model(torch.zeros(4, 3, 32, 32)).shape == (4, 10)


def test_mlp_on_images_flattens_first():
    model = build_model(ModelConfig(hidden=(128, 64), activation="relu"), (1, 28, 28), 10, "nll")
    assert isinstance(model[0], nn.Flatten) and isinstance(model[-1], nn.LogSoftmax)
    assert n_parameters(model) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10


def test_a_pool_that_shrinks_the_image_below_one_pixel_is_refused():
    from playground.engine.models import conv_output_shape

    cfg = ModelConfig(hidden=(), conv=((8, 3, 2, 0), (8, 3, 2, 0), (8, 3, 2, 0), (8, 3, 2, 0)))
    with pytest.raises(ValueError, match="below 1 pixel"):
        conv_output_shape(cfg, (1, 8, 8))
    assert conv_output_shape(cfg, (1, 28, 28)) == (8, 1, 1)


def test_conv_on_a_table_is_refused():
    with pytest.raises(ValueError, match="need images"):
        build_model(ModelConfig(conv=((4, 3, 1, 0),)), (5,), 2)


def test_oversized_models_are_refused():
    from playground.engine.models import check_size

    with pytest.raises(ValueError, match="weights, more than"):
        check_size(build_model(ModelConfig(hidden=(1024, 1024, 1024, 1024, 1024, 1024)), (784,), 10))


def test_batchnorm_is_detected_in_mlps_and_cnns_with_public_classes_only():
    assert has_batchnorm(build_model(ModelConfig((8,), batchnorm=True), (2,), 2))
    assert not has_batchnorm(build_model(ModelConfig((8,)), (2,), 2))
    assert has_batchnorm(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)))


def test_seeded_model_gives_the_same_weights_on_any_thread_and_refuses_huge_ones():
    import threading

    cfg = ModelConfig((8, 8))
    here = seeded_model(cfg, (2,), 2, seed=5).state_dict()
    there = {}
    t = threading.Thread(target=lambda: there.update(seeded_model(cfg, (2,), 2, seed=5).state_dict()))
    t.start()
    t.join()
    assert all(torch.equal(here[k], there[k]) for k in here)
    with pytest.raises(ValueError, match="weights"):
        seeded_model(ModelConfig((64,)), (100_000,), 10)  # 6.4M weights in the first layer


def test_initialisations_draw_the_starting_weights_they_promise():
    from playground.config import ModelConfig
    from playground.engine.models import INITS, build_model

    def weights(init):
        torch.manual_seed(0)
        model = build_model(ModelConfig((16, 16), "tanh", init=init), (2,), 2)
        return [m for m in model if isinstance(m, torch.nn.Linear)]

    assert set(INITS) == {"default", "tf_playground", "xavier", "zeros"}
    for layer in weights("tf_playground"):
        assert layer.weight.abs().max() <= 0.5 and layer.weight.abs().max() > 0.4 and (layer.bias == 0.1).all()
    first, second, _ = weights("xavier")
    assert second.weight.abs().max() <= (6 / 32) ** 0.5 and (second.bias == 0).all()
    assert all((layer.weight == 0).all() for layer in weights("zeros"))
    default = weights("default")[1]  # torch's own: +-1/sqrt(16)
    assert default.weight.abs().max() <= 0.25 and default.bias.abs().max() > 0


def test_zero_initial_weights_cannot_break_the_symmetry():
    """Every hidden neuron starts equal, so each gets the same gradient and they stay equal: the lesson of "All zeros"."""
    from playground.config import Config, DataConfig, ModelConfig, TrainConfig
    from playground.data.tables import load_dataset
    from playground.engine.run import Run

    cfg = Config(DataConfig("tf_circle", 200, 0.0, 0.5), ModelConfig((4,), "tanh", init="zeros"), TrainConfig("sgd", 0.1, 10, 5))
    run = Run(cfg, load_dataset(cfg.data))
    for _ in run.snapshots():
        pass
    hidden = run.model[0].weight.detach()
    assert torch.allclose(hidden, hidden[:1].expand_as(hidden))  # four copies of one neuron
