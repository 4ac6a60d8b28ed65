"""Weights set by hand: one weight changes as the network view shows it, the run is marked, its numbers are measured
again, and an edited run is never published to the shared store as a trained result."""
import numpy as np
import pytest
import torch
from torch import nn

from playground.config import Config
from playground.data.tables import load_dataset
from playground.engine import editing
from playground.engine.evaluation import predict_proba
from playground.engine.run import Run


def _trained(cfg=None, epochs=2) -> Run:
    cfg = (cfg or Config()).replace(epochs=epochs)
    run = Run(cfg, load_dataset(cfg.data))
    for _ in run.snapshots():
        pass
    return run


def _weights(run):
    return [m.weight.detach().clone() for m in run.model if isinstance(m, nn.Linear)]


def test_one_weight_changes_the_run_is_marked_and_its_numbers_are_measured_again():
    run = _trained()
    before, trained_numbers = _weights(run), run.history.last()
    assert not run.edited and editing.current_metrics(run) == trained_numbers
    editing.set_weight(run, 0, 1, 0, 4.5)  # x1 -> layer 1, neuron 2
    after = _weights(run)
    assert after[0][1, 0] == 4.5 and editing.shown_weight(run.model, 0, 1, 0) == 4.5
    changed = [(k, tuple(i)) for k, (a, b) in enumerate(zip(before, after)) for i in torch.nonzero(a != b)]
    assert changed == [(0, (1, 0))]
    assert run.edited
    numbers = editing.current_metrics(run)
    assert numbers == editing.measure(run) and numbers != trained_numbers
    assert run.history.last() == trained_numbers  # the curves keep what training measured


def test_two_class_output_weights_are_the_difference_the_view_shows():
    run = _trained()
    last = len(run.cfg.model.hidden)
    w = _weights(run)[last]
    assert w.shape[0] == 2
    assert editing.shown_weight(run.model, last, 0, 3) == pytest.approx(float(w[1, 3] - w[0, 3]))
    p_before = predict_proba(run.model, run._data.X_test)
    editing.set_weight(run, last, 0, 3, -2.0)
    w2 = _weights(run)[last]
    assert w2[0, 3] == w[0, 3] and float(w2[1, 3] - w2[0, 3]) == pytest.approx(-2.0)
    assert not np.allclose(predict_proba(run.model, run._data.X_test), p_before)


def test_training_on_after_an_edit_shows_training_numbers_again_and_stays_edited():
    run = _trained(epochs=2)
    editing.set_weight(run, 0, 0, 0, 3.0)
    run.extend(3)
    for _ in run.snapshots():
        pass
    assert run.edited and editing.current_metrics(run) == run.history.last()


def test_an_edited_run_is_never_published(monkeypatch):
    from playground.app import session
    from playground.server.store import Bounded

    store = Bounded(max_entries=4)
    monkeypatch.setattr(session, "result_store", lambda: store)
    monkeypatch.setattr(session.st, "session_state", type("State", (), {})())
    trained, edited = _trained(epochs=1), _trained(Config().replace(seed=7), epochs=1)
    editing.set_weight(edited, 0, 0, 0, 1.0)
    session.finish(trained)
    session.finish(edited)
    assert store.get((session.ENGINE_VERSION, trained.cfg)) is not None
    assert store.get((session.ENGINE_VERSION, edited.cfg)) is None
