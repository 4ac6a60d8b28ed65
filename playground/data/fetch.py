"""The one downloader (chunked, checked, written atomically), and the Pima table: fetched once, then cached on disk."""
from __future__ import annotations

import hashlib
import http.client
import io
import os
import tempfile
import urllib.request
from pathlib import Path
from typing import Callable

import numpy as np

from playground.data.types import Table

PIMA_URL = "https://raw.githubusercontent.com/jbrownlee/Datasets/master/pima-indians-diabetes.data.csv"
# SHA-256 of the parsed values (rounded to 3 decimals, float64), not of the bytes, so the same
# table with a header row or Windows line endings is accepted too.
PIMA_SHA256 = "3e5bd23b2c24c83178bcc3a4649e4339c1a248d5bead9c896b19af974b2cdee5"
PIMA_FILE = "pima-indians-diabetes.data.csv"
PIMA_FEATURES = ("Pregnancies", "Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI", "DiabetesPedigreeFunction", "Age")
TIMEOUT_SECONDS = 5  # offline must fail fast, never hang the page
Progress = Callable[[int, int | None], None]  # (bytes so far, expected bytes or None)
CHUNK_BYTES = 64 * 1024
MISMATCH = "checksum mismatch (damaged or not the expected file)"


class DataUnavailable(ValueError):
    """The data cannot be had right now; the message says why and what to do instead."""


class DownloadFailed(Exception):
    """One download that failed: "<url>: <why>"; `mismatch` when the file arrived but failed its check."""

    def __init__(self, url: str, why: str, mismatch: bool = False):
        super().__init__(f"{url}: {why}")
        self.why, self.mismatch = why, mismatch


class Meter:
    """One progress callback over several downloads: bytes so far, and the sizes announced so far."""

    def __init__(self, callback: Progress | None):
        self.callback, self.done, self.total = callback, 0, 0

    def open(self, size: int | None) -> None:
        """A download starts: its size joins the total (unknown if any size is)."""
        self.total = None if size is None or self.total is None else self.total + size
        self.add(0)

    def add(self, n: int) -> None:
        """n more bytes arrived."""
        self.done += n
        if self.callback:
            self.callback(self.done, self.total)


def download(url: str, dest: Path, check: Callable[[Path], bool], timeout: float = TIMEOUT_SECONDS,
             meter: Meter | None = None) -> None:
    """Download url to dest in chunks; dest appears only once check(file) passed. DownloadFailed otherwise.

    The bytes go to a temporary file beside dest, which replaces it at once (os.replace): a cut-off
    or failed download never leaves a half file where a later run would take it for the real one.
    """
    meter = meter or Meter(None)
    tmp = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            dest.parent.mkdir(parents=True, exist_ok=True)  # only once a server answered: offline leaves no folders
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
            with os.fdopen(fd, "wb") as out:
                length = response.headers.get("Content-Length")
                meter.open(int(length) if length and length.isdigit() else None)
                while chunk := response.read(CHUNK_BYTES):
                    out.write(chunk)
                    meter.add(len(chunk))
        if not check(Path(tmp)):
            raise DownloadFailed(url, MISMATCH, mismatch=True)
        os.replace(tmp, dest)
        tmp = None
    except (OSError, http.client.HTTPException, ValueError) as err:  # URLError, refused, timeout, cut off
        raise DownloadFailed(url, str(getattr(err, "reason", None) or err)) from None
    finally:
        if tmp is not None:
            os.unlink(tmp)


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


def _is_pima(path: Path, sha256: str) -> bool:
    """Whether the file parses as a table with this content checksum."""
    try:
        return content_sha256(_parse(path.read_bytes())) == sha256
    except ValueError:
        return False


def _download(url: str, dest: Path, sha256: str) -> None:
    """Fetch the Pima CSV to dest, or DataUnavailable saying why and what to do instead."""
    try:
        download(url, dest, lambda path: _is_pima(path, sha256))
    except DownloadFailed as err:
        if err.mismatch:
            raise DataUnavailable(f"The file downloaded from {url} is not the expected Pima data (checksum mismatch), "
                                  "so it was not used.") from None
        raise DataUnavailable(
            f"Could not download the Pima Indians diabetes data ({err.why}): this machine "
            "seems to be offline. Upload the CSV on this page instead (8 numeric columns, then the 0/1 outcome), "
            f"or put the file at {dest}. Iris, Wine, Breast cancer and the generated datasets work offline."
        ) from None


def load_pima(url: str = PIMA_URL, cache_dir: Path | None = None, sha256: str = PIMA_SHA256) -> Table:
    """The Pima Indians diabetes table: from the disk cache, else downloaded once and checked."""
    path = (cache_dir or data_dir()) / PIMA_FILE
    if not path.exists():
        _download(url, path, sha256)
    values = _parse(path.read_bytes())
    if content_sha256(values) != sha256:
        raise DataUnavailable(f"The cached Pima file {path} is damaged (checksum mismatch); delete it to download it again.")
    return Table(values[:, :8], values[:, 8].astype(np.int64), PIMA_FEATURES, ("no diabetes", "diabetes"), "Outcome")
