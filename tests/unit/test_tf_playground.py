"""TensorFlow Playground's datasets follow its src/dataset.ts: shapes, ranges, labels and the meaning of noise."""
import numpy as np
import pytest

from playground.config import DataConfig
from playground.data import catalog, tf_playground as tfp
from playground.data.catalog import DATASETS
from playground.data.tables import load_dataset

CLASSIFY = ["tf_circle", "tf_xor", "tf_gauss", "tf_spiral", "sine", "cubic", "abs"]
REGRESS = ["tf_plane", "tf_multi_gauss"]


def test_every_generated_plane_dataset_is_on_the_2d_page():
    assert set(CLASSIFY + REGRESS) <= set(catalog.names(catalog.PLANE))
    assert all(DATASETS[name].classes == (0, 0) for name in REGRESS)
    assert all(DATASETS[name].noise_range == (0.0, 0.5) for name in CLASSIFY + REGRESS)  # its slider's 0-50%


def test_circle_is_a_disc_in_a_ring():
    X, y = tfp.make_tf_circle(500, noise=0.0, random_state=0)
    r = np.hypot(*X.T)
    assert np.bincount(y).tolist() == [250, 250]
    assert (r[y == 1] < 2.5).all() and ((r[y == 0] >= 3.5) & (r[y == 0] <= 5)).all()


def test_xor_follows_the_sign_rule_with_a_gap_at_the_axes():
    X, y = tfp.make_tf_xor(500, noise=0.0, random_state=0)
    assert (np.abs(X) >= 0.3).all() and (np.abs(X) <= 5.3).all()
    assert ((X[:, 0] * X[:, 1] >= 0) == y.astype(bool)).all()


def test_gauss_means_and_variance_grow_with_noise():
    X, y = tfp.make_tf_gauss(4000, noise=0.0, random_state=0)
    np.testing.assert_allclose(X[y == 1].mean(0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(0), [-2, -2], atol=0.1)
    assert X[y == 1].var(0) == pytest.approx([0.5, 0.5], rel=0.15)
    X, y = tfp.make_tf_gauss(4000, noise=0.5, random_state=0)
    assert X[y == 1].var(0) == pytest.approx([4, 4], rel=0.15)


def test_spiral_arms_mirror_each_other_out_to_radius_5():
    X, y = tfp.make_tf_spiral(500, noise=0.0, random_state=0)
    np.testing.assert_allclose(X[y == 0], -X[y == 1], atol=1e-12)  # the second arm is the first turned half a circle
    assert np.hypot(*X.T).max() == pytest.approx(5 * 249 / 250)


@pytest.mark.parametrize("curve", list(tfp.CURVES))
def test_curve_classes_lie_above_the_graph(curve):
    f = tfp.CURVES[curve][0]
    X, y = tfp.make_curve(curve, 500, noise=0.0, random_state=0)
    assert ((X[:, 1] > f(X[:, 0])) == y.astype(bool)).all()
    assert 0.2 < y.mean() < 0.8


def test_regression_targets_as_tf_playground():
    plane = tfp.make_tf_plane(300, noise=0.0, random_state=0)
    np.testing.assert_allclose(plane.y, plane.X.sum(1) / 10)
    bumps = tfp.make_tf_multi_gauss(3000, noise=0.0, random_state=0)
    assert np.abs(bumps.y).max() <= 1 and bumps.y.max() > 0.9 and bumps.y.min() < -0.9
    far = np.array([min(np.hypot(x - cx, z - cy) for cx, cy, _ in tfp.GAUSSIANS) for x, z in bumps.X]) >= 2
    assert far.any() and (bumps.y[far] == 0).all()  # beyond distance 2 of every bump the value is 0


@pytest.mark.parametrize("name", ["tf_circle", "tf_xor", "sine"])
def test_noise_relabels_points_near_the_boundary(name):
    make = DATASETS[name].make
    X_clean, y_clean = make(500, noise=0.0, random_state=3)
    X_noisy, y_noisy = make(500, noise=0.5, random_state=3)
    np.testing.assert_array_equal(X_clean, X_noisy)  # the same points (the same random draws)...
    assert (y_clean != y_noisy).mean() > 0.05  # ...with some labels read off a moved point


@pytest.mark.parametrize("name", REGRESS)
def test_regression_datasets_split_into_float_targets(name):
    d = load_dataset(DataConfig(name, 1200, 0.0, 0.5, 0, random_state=1))
    assert d.task == "regression" and d.y_train.dtype == np.float32 and d.X_train.shape == (600, 2)
    assert np.abs(d.X_train).max() <= 6
