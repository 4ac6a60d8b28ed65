import pytest
import torch
from torch import nn

from playground.config import Config, ModelConfig
from playground.data import load_dataset
from playground.models import ACTIVATIONS, OPTIMIZERS, build_model, build_optimizer, n_parameters
from playground.training import Run


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
