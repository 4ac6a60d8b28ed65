"""Points clicked in or out of the 2-D training set: checked, applied in order, carried by the config, and a run that
trains on while they change goes on from where it was (and is never shared as if its config alone made it)."""
import numpy as np
import pytest

from playground.config import Config, DataConfig, ModelConfig, TrainConfig
from playground.data.edits import MAX_EDITS, apply_edits, check_edits
from playground.data.tables import load_dataset
from playground.engine.run import Run


def test_edits_apply_in_order_to_the_training_set_only():
    X = np.array([[0, 0], [1, 1], [2, 2]], dtype=np.float32)
    y = np.array([0, 1, 1])
    X2, y2 = apply_edits(X, y, [(5, 5, 0, 1), (4.9, 5.2, 0, 0), (0.1, -0.1, 0, 0), (3, 3, 1, 1)])
    # the added (5, 5) was removed again (nearest to the second click), then (0, 0), then (3, 3) added
    assert X2.tolist() == [[1, 1], [2, 2], [3, 3]] and y2.tolist() == [1, 1, 1] and X2.dtype == np.float32
    only = np.array([[0, 0]], dtype=np.float32)
    assert apply_edits(only, np.array([1]), [(0, 0, 0, 0)])[0].shape == (1, 2)  # never the last point


def test_config_carries_checks_and_links_the_edits():
    cfg = Config(DataConfig("moons", edits=((0.5, -0.25, 1, 1), (0, 0, 0, 0))))
    assert Config.from_query(cfg.to_query()) == cfg
    assert cfg != Config()  # another cache key: another run
    d = load_dataset(cfg.data)
    plain = load_dataset(Config().data)
    assert len(d.X_train) == len(plain.X_train) and d.X_train[-1].tolist() == [0.5, -0.25]
    np.testing.assert_array_equal(d.X_test, plain.X_test)  # the test set is never edited
    with pytest.raises(ValueError, match="class must be one of 0..1"):
        DataConfig("moons", edits=((0, 0, 2, 1),))
    with pytest.raises(ValueError, match="2-D datasets only"):
        DataConfig("iris", edits=((0, 0, 1, 1),))
    with pytest.raises(ValueError, match="1 \\(add\\) or 0 \\(remove\\)"):
        DataConfig("moons", edits=((0, 0, 1, 3),))
    with pytest.raises(ValueError, match=f"At most {MAX_EDITS}"):
        check_edits([(0, 0, 1, 1)] * (MAX_EDITS + 1), 2)
    assert DataConfig("tf_plane", n_classes=0, edits=((1, 2, -0.7, 1),)).edits == ((1.0, 2.0, -0.7, 1.0),)  # a value


def test_a_run_adopting_new_data_trains_on_from_where_it_was():
    cfg = Config(DataConfig("tf_xor", 200, 0.0, 0.5), ModelConfig((4,), "tanh"), TrainConfig("sgd", 0.03, 10, 6))
    run = Run(cfg, load_dataset(cfg.data))
    for _ in run.snapshots():
        if run.history.epoch and run.history.epoch[-1] == 3:
            break
    weights = run.model[0].weight.detach().clone()
    new = cfg.replace(edits=((4.0, 4.0, 0, 1),) * 20)  # a cluster of the wrong class in the top right
    run.adopt(new, load_dataset(new.data), "points were added by hand")
    assert run.cfg == new and run.edited and torch_equal(run.model[0].weight, weights)  # the same weights go on
    for _ in run.snapshots():
        pass
    assert run.history.epoch == [0, 1, 2, 3, 4, 5, 6] and run.done  # continued, not restarted
    assert run.proba(np.array([[4.0, 4.0]], dtype=np.float32))[0, 0] > 0.5  # it learned the new points' class


def torch_equal(a, b) -> bool:
    return bool((a.detach() == b).all())
