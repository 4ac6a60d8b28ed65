"""Image datasets: offline loaders, batched Normalize, and torchvision loading/downloading on files the tests write
in the official formats (IDX, CIFAR pickles), served from a local HTTP server; no network."""
import gzip
import hashlib
import pickle
import socket
import struct
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision import datasets

from playground.data import fetch
from playground.data.fetch import DataUnavailable
from playground.data.catalog import IMAGE_DATASETS
from playground.data.images import ImageTable, load_digits_images, load_mnist_5k, load_torchvision, normalize

OFFLINE_HINT = "Digits (8x8) and MNIST (5,000 samples) work offline"
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _no_progress(done, total):
    pytest.fail("a download was attempted although the files are there")


def _check_table(t: ImageTable, shape, n_train, n_test):
    assert t.X_train.shape == (n_train, *shape) and t.X_test.shape == (n_test, *shape)
    assert t.X_train.dtype == t.X_test.dtype == np.uint8
    assert t.y_train.dtype == t.y_test.dtype == np.int64
    assert t.y_train.shape == (n_train,) and t.y_test.shape == (n_test,)
    assert t.mean == t.std == (0.5,) * shape[0] and t.shape == shape


# ---- offline datasets ----

def test_digits_images():
    t = load_digits_images()
    _check_table(t, (1, 8, 8), 1437, 360)
    assert t.class_names == tuple("0123456789") and t.n_classes == 10
    assert t.X_train.min() == 0 and t.X_train.max() == 255
    assert set(np.unique(t.y_train)) == set(np.unique(t.y_test)) == set(range(10))
    share_train, share_test = np.bincount(t.y_train) / 1437, np.bincount(t.y_test) / 360
    np.testing.assert_allclose(share_train, share_test, atol=0.01)  # stratified
    again = load_digits_images()
    np.testing.assert_array_equal(again.X_train, t.X_train)
    np.testing.assert_array_equal(again.y_test, t.y_test)


def test_digits_are_sklearn_digits_rescaled():
    from sklearn.datasets import load_digits

    raw = load_digits().images
    t = load_digits_images()
    every = np.concatenate([t.X_train, t.X_test])[:, 0]
    expected = np.round(raw * 255 / 16).astype(np.uint8)
    assert sorted(map(bytes, every)) == sorted(map(bytes, expected))  # the same images, in some order


def test_mnist_5k():
    t = load_mnist_5k()
    _check_table(t, (1, 28, 28), 4000, 1000)
    assert t.class_names == tuple("0123456789")
    assert t.X_train.min() == 0 and t.X_train.max() == 255
    assert list(np.bincount(t.y_train)) == [400] * 10 and list(np.bincount(t.y_test)) == [100] * 10  # stratified
    t.X_train[:] = 0  # a caller scribbling on its arrays must not change the next load
    again = load_mnist_5k()
    np.testing.assert_array_equal(again.X_test, t.X_test)
    assert again.X_train.max() == 255
    assert (again.X_train > 0).mean() > 0.1  # real digits: a fair share of ink


# ---- normalize ----

def test_normalize_one_channel_batch():
    x = torch.arange(256, dtype=torch.uint8).reshape(4, 1, 8, 8)
    out = normalize(x, (0.5,), (0.5,))
    assert out.dtype == torch.float32 and out.shape == (4, 1, 8, 8)
    assert out.min().item() == -1.0 and out.max().item() == 1.0
    torch.testing.assert_close(out, (x.float() / 255 - 0.5) / 0.5)


def test_normalize_three_channels_per_channel_values():
    x = torch.randint(0, 256, (5, 3, 4, 4), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    mean, std = (0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261)
    expected = (x.float() / 255 - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    torch.testing.assert_close(normalize(x, mean, std), expected)
    half = normalize(x, (0.5,) * 3, (0.5,) * 3)
    assert half.min() >= -1 and half.max() <= 1


# ---- MNIST-style IDX files ----

def _idx_files(n_train=20, n_test=10, seed=0) -> dict[str, tuple[bytes, np.ndarray]]:
    """Tiny IDX files (magic 2051 images / 2049 labels, big-endian sizes): name -> (bytes, array)."""
    rng = np.random.default_rng(seed)
    files = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        X = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        y = (np.arange(n) % 10).astype(np.uint8)
        files[f"{prefix}-images-idx3-ubyte"] = (struct.pack(">IIII", 2051, n, 28, 28) + X.tobytes(), X)
        files[f"{prefix}-labels-idx1-ubyte"] = (struct.pack(">II", 2049, n) + y.tobytes(), y)
    return files


def _check_idx_table(t: ImageTable, files):
    _check_table(t, (1, 28, 28), 20, 10)
    np.testing.assert_array_equal(t.X_train[:, 0], files["train-images-idx3-ubyte"][1])
    np.testing.assert_array_equal(t.y_train, files["train-labels-idx1-ubyte"][1])
    np.testing.assert_array_equal(t.X_test[:, 0], files["t10k-images-idx3-ubyte"][1])
    np.testing.assert_array_equal(t.y_test, files["t10k-labels-idx1-ubyte"][1])


@pytest.fixture
def no_urlopen(monkeypatch):
    def refuse(*args, **kwargs):
        pytest.fail("urlopen was called although the data is in the cache")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", refuse)


@pytest.mark.parametrize("name, cls", [("mnist", datasets.MNIST), ("fashion_mnist", datasets.FashionMNIST)])
def test_mnist_family_loads_written_idx_files(tmp_path, name, cls, no_urlopen):
    raw = tmp_path / cls.__name__ / "raw"
    raw.mkdir(parents=True)
    files = _idx_files()
    for filename, (data, _) in files.items():
        (raw / filename).write_bytes(data)
    t = load_torchvision(name, root=tmp_path, progress=_no_progress)
    _check_idx_table(t, files)
    assert t.class_names == tuple(cls.classes) and t.n_classes == 10


def _serve_gz(www: Path, files) -> list[tuple[str, str]]:
    """Gzip each IDX file into www; returns torchvision-style resources [(name.gz, md5)]."""
    resources = []
    for filename, (data, _) in files.items():
        gz = gzip.compress(data, mtime=0)
        (www / f"{filename}.gz").write_bytes(gz)
        resources.append((f"{filename}.gz", _md5(gz)))
    return resources


def test_mnist_downloads_with_progress_then_uses_the_cache(http_server, tmp_path, monkeypatch):
    url, www, hits = http_server
    files = _idx_files()
    resources = _serve_gz(www, files)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"{url}/"])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    calls = []
    root = tmp_path / "cache"
    t = load_torchvision("mnist", root=root, progress=lambda done, total: calls.append((done, total)))
    _check_idx_table(t, files)
    assert len(hits) == 4
    dones = [done for done, _ in calls]
    assert dones == sorted(dones) and len(set(dones)) > 4  # increasing, in chunks for every file
    gz_bytes = sum((www / name).stat().st_size for name, _ in resources)
    assert calls[-1] == (gz_bytes, gz_bytes)
    raw = root / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(MNIST_FILES)  # no .gz or temporary files left
    again = load_torchvision("mnist", root=root, progress=_no_progress)
    assert len(hits) == 4
    np.testing.assert_array_equal(again.X_train, t.X_train)


def test_registry_loads_downloaded_dataset_with_keywords(http_server, tmp_path, monkeypatch):
    url, www, hits = http_server
    files = _idx_files(seed=1)
    dead = f"http://127.0.0.1:{_closed_port()}/"
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [dead, f"{url}/"])  # the first mirror is down: try the next
    monkeypatch.setattr(datasets.FashionMNIST, "resources", _serve_gz(www, files))
    t = IMAGE_DATASETS["fashion_mnist"].load(root=tmp_path / "cache", timeout=2.0)
    _check_idx_table(t, files)
    assert t.class_names[0] == "T-shirt/top"


def test_md5_mismatch_leaves_nothing_torchvision_would_use(http_server, tmp_path, monkeypatch):
    url, www, hits = http_server
    resources = _serve_gz(www, _idx_files())
    resources[0] = (resources[0][0], "0" * 32)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"{url}/"])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    root = tmp_path / "cache"
    with pytest.raises(DataUnavailable, match="checksum mismatch") as err:
        load_torchvision("mnist", root=root)
    assert OFFLINE_HINT in str(err.value)
    assert list((root / "MNIST" / "raw").iterdir()) == []
    with pytest.raises(RuntimeError, match="not found"):
        datasets.MNIST(root, download=False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_offline_fails_fast_with_the_offline_datasets_named(tmp_path, monkeypatch, name):
    dead = f"http://127.0.0.1:{_closed_port()}/"
    monkeypatch.setattr(datasets.MNIST, "mirrors", [dead, dead])
    monkeypatch.setattr(datasets.CIFAR10, "url", dead + datasets.CIFAR10.filename)
    start = time.monotonic()
    with pytest.raises(DataUnavailable, match="offline") as err:
        load_torchvision(name, root=tmp_path, timeout=1.0)
    assert time.monotonic() - start < 2.0
    assert OFFLINE_HINT in str(err.value)


def test_silent_server_times_out_instead_of_hanging(tmp_path, monkeypatch):
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setattr(datasets.MNIST, "mirrors", [f"http://127.0.0.1:{silent.getsockname()[1]}/"])
        start = time.monotonic()
        with pytest.raises(DataUnavailable, match="timed out"):
            load_torchvision("mnist", root=tmp_path, timeout=0.5)
        assert time.monotonic() - start < 1.5


def test_unknown_name():
    with pytest.raises(ValueError, match="cifar10"):
        load_torchvision("imagenet")


# ---- CIFAR-10 pickled batches ----

def _write_cifar(folder: Path, per_batch=3, n_test=4, seed=0):
    """The python-version CIFAR-10 files; returns (train pixels (n, 3072), labels, test pixels, labels, md5s)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    md5s, parts = {}, {}
    for name, n in [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", n_test)]:
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=n)]
        parts[name] = (data, labels)
        # Keys load as str, as torchvision reads the official (Python 2) pickles with encoding="latin1".
        (folder / name).write_bytes(pickle.dumps({"batch_label": name, "data": data, "labels": labels}))
    label_names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": label_names, "num_vis": 3072}))
    for path in folder.iterdir():
        md5s[path.name] = _md5(path.read_bytes())
    train = [parts[f"data_batch_{i}"] for i in range(1, 6)]
    X_train, y_train = np.vstack([d for d, _ in train]), sum((l for _, l in train), [])
    return X_train, np.array(y_train), parts["test_batch"][0], np.array(parts["test_batch"][1]), md5s


def _patch_cifar_md5s(monkeypatch, md5s):
    cls = datasets.CIFAR10
    monkeypatch.setattr(cls, "train_list", [[f"data_batch_{i}", md5s[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(cls, "test_list", [["test_batch", md5s["test_batch"]]])
    monkeypatch.setattr(cls, "meta", {**cls.meta, "md5": md5s["batches.meta"]})


def _check_cifar_table(t: ImageTable, X_train, y_train, X_test, y_test):
    _check_table(t, (3, 32, 32), 15, 4)
    np.testing.assert_array_equal(t.X_train, X_train.reshape(-1, 3, 32, 32))
    np.testing.assert_array_equal(t.X_train[:, 0].reshape(15, -1), X_train[:, :1024])  # first plane is red
    np.testing.assert_array_equal(t.X_test, X_test.reshape(-1, 3, 32, 32))
    np.testing.assert_array_equal(t.y_train, y_train)
    np.testing.assert_array_equal(t.y_test, y_test)
    assert t.class_names[0] == "airplane" and t.n_classes == 10
    assert t.X_train.flags.c_contiguous


def test_cifar10_loads_written_batches(tmp_path, monkeypatch, no_urlopen):
    *arrays, md5s = _write_cifar(tmp_path / "cifar-10-batches-py")
    _patch_cifar_md5s(monkeypatch, md5s)
    _check_cifar_table(load_torchvision("cifar10", root=tmp_path, progress=_no_progress), *arrays)


def test_cifar10_downloads_the_tarball(http_server, tmp_path, monkeypatch):
    url, www, hits = http_server
    *arrays, md5s = _write_cifar(tmp_path / "src" / "cifar-10-batches-py")
    tgz = www / "cifar.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    _patch_cifar_md5s(monkeypatch, md5s)
    monkeypatch.setattr(datasets.CIFAR10, "url", f"{url}/cifar.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", _md5(tgz.read_bytes()))
    calls = []
    root = tmp_path / "cache"
    t = load_torchvision("cifar10", root=root, progress=lambda *a: calls.append(a))
    _check_cifar_table(t, *arrays)
    assert calls[-1] == (tgz.stat().st_size, tgz.stat().st_size) and len(hits) == 1
    assert [p.name for p in root.iterdir()] == ["cifar-10-batches-py"]  # the tarball and temp folder are gone
    load_torchvision("cifar10", root=root, progress=_no_progress)
    assert len(hits) == 1


# ---- registry and engine rules ----

def test_registry():
    assert list(IMAGE_DATASETS) == ["digits", "mnist_5k", "mnist", "fashion_mnist", "cifar10"]
    assert [k for k, s in IMAGE_DATASETS.items() if s.offline] == ["digits", "mnist_5k"]
    assert IMAGE_DATASETS["cifar10"].shape == (3, 32, 32)
    assert all(s.n_classes == 10 and s.label and s.about for s in IMAGE_DATASETS.values())
    for key in ("digits", "mnist_5k"):
        t = IMAGE_DATASETS[key].load()
        assert t.shape == IMAGE_DATASETS[key].shape and t.n_classes == IMAGE_DATASETS[key].n_classes
