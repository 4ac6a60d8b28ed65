"""Datasets fetched once from the web, verified by checksum, then cached on disk for offline use."""
from __future__ import annotations

import hashlib
import io
import os
import urllib.request
from pathlib import Path

import numpy as np

from playground.data.types import Table

PIMA_URL = "https://raw.githubusercontent.com/jbrownlee/Datasets/master/pima-indians-diabetes.data.csv"
# SHA-256 of the parsed values (rounded to 3 decimals, float64), not of the bytes, so the same
# table with a header row or Windows line endings is accepted too.
PIMA_SHA256 = "3e5bd23b2c24c83178bcc3a4649e4339c1a248d5bead9c896b19af974b2cdee5"
PIMA_FILE = "pima-indians-diabetes.data.csv"
PIMA_FEATURES = ("Pregnancies", "Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI", "DiabetesPedigreeFunction", "Age")
TIMEOUT_SECONDS = 5  # offline must fail fast, never hang the page


class DataUnavailable(ValueError):
    """The data cannot be had right now; the message says why and what to do instead."""


def data_dir() -> Path:
    """Where downloads are cached: $PLAYGROUND_DATA_DIR, else ~/.cache/torch-playground."""
    return Path(os.environ.get("PLAYGROUND_DATA_DIR") or Path.home() / ".cache" / "torch-playground")


def content_sha256(values: np.ndarray) -> str:
    return hashlib.sha256(np.round(values, 3).astype("<f8").tobytes()).hexdigest()


def _parse(raw: bytes) -> np.ndarray:
    text = raw.decode("utf-8", errors="replace")
    first = text.lstrip().split("\n", 1)[0]
    skip = 0 if first.replace(",", "").replace(".", "").replace("-", "").strip().isdigit() else 1  # a header row?
    return np.loadtxt(io.StringIO(text), delimiter=",", skiprows=skip, ndmin=2)


def _download(url: str, dest: Path, sha256: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read()
    except OSError as err:  # URLError, timeouts and refused connections are all OSErrors
        raise DataUnavailable(
            f"Could not download the Pima Indians diabetes data ({getattr(err, 'reason', err)}): this machine "
            "seems to be offline. Upload the CSV on this page instead (8 numeric columns, then the 0/1 outcome), "
            f"or put the file at {dest}. Iris, Wine, Breast cancer and the generated datasets work offline."
        ) from None
    try:
        ok = content_sha256(_parse(raw)) == sha256
    except ValueError:
        ok = False
    if not ok:
        raise DataUnavailable(f"The file downloaded from {url} is not the expected Pima data (checksum mismatch), so it was not used.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    tmp.write_bytes(raw)
    tmp.replace(dest)  # atomic: a half-written file is never taken for the cache


def load_pima(url: str = PIMA_URL, cache_dir: Path | None = None, sha256: str = PIMA_SHA256) -> Table:
    """The Pima Indians diabetes table: from the disk cache, else downloaded once and checked."""
    path = (cache_dir or data_dir()) / PIMA_FILE
    if not path.exists():
        _download(url, path, sha256)
    values = _parse(path.read_bytes())
    if content_sha256(values) != sha256:
        raise DataUnavailable(f"The cached Pima file {path} is damaged (checksum mismatch); delete it to download it again.")
    return Table(values[:, :8], values[:, 8].astype(np.int64), PIMA_FEATURES, ("no diabetes", "diabetes"), "Outcome")
