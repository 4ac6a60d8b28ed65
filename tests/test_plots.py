import numpy as np

from playground import plots
from playground.config import DataConfig
from playground.data import load_dataset
from playground.training import History


def _data(k=3):
    return load_dataset(DataConfig("blobs", n_classes=k))


def test_boundary_grid_covers_the_data():
    d = _data()
    X = np.vstack([d.X_train, d.X_test])
    xs, ys, grid = plots.boundary_grid(X, resolution=40)
    assert grid.shape == (1600, 2) and grid.dtype == np.float32
    assert xs[0] < X[:, 0].min() and xs[-1] > X[:, 0].max() and ys[0] < X[:, 1].min() and ys[-1] > X[:, 1].max()


def test_curves_figure_has_train_and_test_loss_and_accuracy():
    h = History()
    for e in range(4):
        h.append(e, dict(train_loss=1 / (e + 1), test_loss=1.2 / (e + 1), train_score=0.5 + e / 10, test_score=0.5 + e / 12))
    fig = plots.curves_figure(h, n_epochs=10)
    names = [t.name for t in fig.data]
    assert names == ["train loss", "test loss", "train accuracy", "test accuracy"]
    assert list(fig.data[0].y) == h.train_loss and list(fig.data[3].y) == h.test_score
    assert fig.layout.xaxis.range == (0, 10)
    assert fig.layout.xaxis.title.text == "epoch" and "loss" in fig.layout.yaxis.title.text


def test_proba_bars_one_bar_per_class_true_class_outlined():
    fig = plots.proba_bars(np.array([0.2, 0.7, 0.1]), ["a", "b", "c"], true_class=1)
    bar = fig.data[0]
    assert list(bar.y) == ["a", "b", "c"] and list(bar.x) == [0.2, 0.7, 0.1]
    assert bar.marker.line.color[1] == "black" and bar.marker.line.color[0] != "black"
    assert list(bar.text) == ["20%", "70%", "10%"]
