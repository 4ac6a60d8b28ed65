import numpy as np
import pytest

from playground.config import DataConfig
from playground.data import DATASETS, load_dataset

CASES = [(name, n) for name, spec in DATASETS.items() for n in sorted({spec.classes[0], spec.classes[1]})]


@pytest.mark.parametrize("name, n_classes", CASES)
def test_shapes_types_and_classes(name, n_classes):
    cfg = DataConfig(name, n_samples=300, noise=0.1, test_fraction=0.3, n_classes=n_classes, random_state=1)
    d = load_dataset(cfg)
    assert d.X_train.shape == (cfg.n_train, 2) and d.X_test.shape == (cfg.n_test, 2)
    assert d.X_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert d.n_classes == n_classes
    # stratified: every class in both splits, in roughly equal shares
    for y in (d.y_train, d.y_test):
        counts = np.bincount(y, minlength=n_classes)
        assert counts.min() > 0 and counts.max() - counts.min() <= max(3, 0.2 * counts.mean())
    assert np.isfinite(d.X_train).all()


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_points_other_seed_other_points(name):
    k = DATASETS[name].classes[0]
    a = load_dataset(DataConfig(name, n_classes=k, random_state=3))
    b = load_dataset(DataConfig(name, n_classes=k, random_state=3))
    c = load_dataset(DataConfig(name, n_classes=k, random_state=4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", DATASETS)
def test_noise_blurs_the_shape(name):
    """Points of a clean dataset sit closer to their own class than noisy ones do."""
    def spread(noise):
        k = DATASETS[name].classes[0]
        d = load_dataset(DataConfig(name, n_samples=600, noise=noise, n_classes=k, random_state=0))
        # mean distance to the nearest neighbour of the same class, over train points
        X, y = d.X_train, d.y_train
        dist = np.linalg.norm(X[:, None] - X[None], axis=-1) + np.eye(len(X)) * 1e9
        return np.mean([dist[i, y == y[i]].min() for i in range(len(X))])

    assert spread(0.6) > spread(0.0)


def test_xor_labels_follow_the_sign_rule_without_noise():
    d = load_dataset(DataConfig("xor", noise=0.0))
    assert ((d.X_train[:, 0] * d.X_train[:, 1] > 0) == d.y_train.astype(bool)).all()


def test_moons_is_sklearns_generator():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
    d = load_dataset(DataConfig("moons", n_samples=300, noise=0.2, random_state=0))
    all_X = np.vstack([d.X_train, d.X_test]) + np.array([0.5, 0.25], dtype=np.float32)
    assert np.allclose(np.sort(all_X[:, 0]), np.sort(X[:, 0]), atol=1e-5)
