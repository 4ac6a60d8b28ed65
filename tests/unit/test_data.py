import numpy as np
import pytest

from playground.config import DataConfig
from playground.data import catalog
from playground.data.catalog import DATASETS
from playground.data.tables import load_dataset

TWO_D = catalog.names(catalog.PLANE)
CLASSIFY_2D = [name for name in TWO_D if DATASETS[name].classes[0]]
CASES = [(name, n) for name in CLASSIFY_2D for n in sorted(set(DATASETS[name].classes))]


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


@pytest.mark.parametrize("name", TWO_D)
def test_same_seed_same_points_other_seed_other_points(name):
    k = DATASETS[name].classes[0]
    a = load_dataset(DataConfig(name, n_classes=k, random_state=3))
    b = load_dataset(DataConfig(name, n_classes=k, random_state=3))
    c = load_dataset(DataConfig(name, n_classes=k, random_state=4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", CLASSIFY_2D)
def test_noise_blurs_the_shape(name):
    """Points of a clean dataset sit closer to their own class than noisy ones do."""
    def spread(noise):
        k = DATASETS[name].classes[0]
        d = load_dataset(DataConfig(name, n_samples=600, noise=noise, n_classes=k, random_state=0))
        # mean distance to the nearest neighbour of the same class, over train points
        X, y = d.X_train, d.y_train
        dist = np.linalg.norm(X[:, None] - X[None], axis=-1) + np.eye(len(X)) * 1e9
        return np.mean([dist[i, y == y[i]].min() for i in range(len(X))])

    assert spread(min(0.6, DATASETS[name].noise_range[1])) > spread(0.0)


def test_xor_labels_follow_the_sign_rule_without_noise():
    d = load_dataset(DataConfig("xor", noise=0.0))
    assert ((d.X_train[:, 0] * d.X_train[:, 1] > 0) == d.y_train.astype(bool)).all()


def test_moons_is_sklearns_generator():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
    d = load_dataset(DataConfig("moons", n_samples=300, noise=0.2, random_state=0))
    all_X = np.vstack([d.X_train, d.X_test]) + np.array([0.5, 0.25], dtype=np.float32)
    assert np.allclose(np.sort(all_X[:, 0]), np.sort(X[:, 0]), atol=1e-5)


@pytest.mark.parametrize("name, rows, features, classes", [("iris", 150, 4, 3), ("wine", 178, 13, 3), ("breast_cancer", 569, 30, 2)])
def test_sklearn_tables_load_offline_with_names(name, rows, features, classes):
    d = load_dataset(DataConfig(name, test_fraction=0.2))
    assert len(d.y_train) + len(d.y_test) == rows and d.n_features == features
    assert d.n_classes == classes and len(d.class_names) == classes and len(d.feature_names) == features
    assert set(np.unique(d.y_test)) == set(range(classes))


def test_fixed_tables_ignore_sample_count_and_noise():
    assert DataConfig("iris", n_samples=900, noise=0.7) == DataConfig("iris")


def test_standardize_uses_train_statistics():
    d = load_dataset(DataConfig("wine", standardize=True))
    assert np.allclose(d.X_train.mean(0), 0, atol=1e-4) and np.allclose(d.X_train.std(0), 1, atol=1e-3)
    assert not np.allclose(d.X_test.mean(0), 0, atol=1e-4)  # the test split was not used to fit
    assert any("standardised" in n for n in d.notes)
    raw = load_dataset(DataConfig("wine"))
    assert raw.X_train.std(0).max() > 10  # proline is in the hundreds without scaling


def test_blobs_4d_matches_the_tutorial_call():
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=1000, n_features=4, centers=3, cluster_std=2.5, random_state=95)
    d = load_dataset(DataConfig("blobs_4d", n_samples=1000, noise=2.5, test_fraction=0.15, random_state=95))
    assert d.n_features == 4 and len(d.y_test) == 150 and d.n_classes == 3
    assert np.isclose(np.sort(np.vstack([d.X_train, d.X_test])[:, 2]), np.sort(X[:, 2]), atol=1e-4).all()


def test_linear_regression_data_has_slope_two():
    d = load_dataset(DataConfig("linear", n_samples=1000, noise=0.3, test_fraction=0.2))
    assert d.task == "regression" and d.n_classes == 0 and d.y_train.dtype == np.float32
    slope = np.polyfit(d.X_train[:, 0], d.y_train, 1)[0]
    assert abs(slope - 2) < 0.1
