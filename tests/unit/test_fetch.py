"""The real Pima loading code against a local HTTP server serving a CSV the test writes (no network)."""
import time

import numpy as np
import pytest

from playground.data import fetch
from playground.data.fetch import DataUnavailable, content_sha256, load_pima


def _pima_like(n=60, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.round(rng.uniform(0, 200, size=(n, 8)), 1)
    X[:, 6] = np.round(rng.uniform(0, 2, size=n), 3)
    y = (X[:, 1] > 100).astype(float)
    return np.column_stack([X, y])


def _csv(values: np.ndarray, header=False) -> bytes:
    lines = [",".join(f"{v:g}" for v in row) for row in values]
    if header:
        lines.insert(0, ",".join(fetch.PIMA_FEATURES + ("Outcome",)))
    return ("\n".join(lines) + "\n").encode()


def test_downloads_once_checks_and_reuses_the_cache(http_server, tmp_path):
    url, www, hits = http_server
    values = _pima_like()
    (www / "pima.csv").write_bytes(_csv(values))
    cache = tmp_path / "cache"
    table = load_pima(f"{url}/pima.csv", cache, content_sha256(values))
    assert table.X.shape == (60, 8) and table.y.dtype == np.int64
    assert table.feature_names[1] == "Glucose" and table.class_names == ("no diabetes", "diabetes")
    np.testing.assert_allclose(table.X, values[:, :8])
    assert (cache / fetch.PIMA_FILE).exists() and len(hits) == 1
    (www / "pima.csv").unlink()  # the source is gone: the cache must serve
    again = load_pima(f"{url}/pima.csv", cache, content_sha256(values))
    np.testing.assert_array_equal(again.y, table.y)
    assert len(hits) == 1


def test_header_row_is_accepted_with_the_same_checksum(http_server, tmp_path):
    url, www, _ = http_server
    values = _pima_like(seed=1)
    (www / "pima.csv").write_bytes(_csv(values, header=True))
    table = load_pima(f"{url}/pima.csv", tmp_path / "c", content_sha256(values))
    assert table.X.shape == (60, 8)


def test_wrong_content_is_refused_and_not_cached(http_server, tmp_path):
    url, www, _ = http_server
    (www / "pima.csv").write_bytes(_csv(_pima_like(seed=2)))
    with pytest.raises(DataUnavailable, match="checksum"):
        load_pima(f"{url}/pima.csv", tmp_path / "c", content_sha256(_pima_like(seed=3)))
    assert not (tmp_path / "c" / fetch.PIMA_FILE).exists()


def test_offline_without_cache_fails_fast_and_offers_the_upload(tmp_path):
    with socket_closed_port() as port:
        start = time.monotonic()
        with pytest.raises(DataUnavailable) as err:
            load_pima(f"http://127.0.0.1:{port}/pima.csv", tmp_path / "c")
    assert time.monotonic() - start < fetch.TIMEOUT_SECONDS + 1
    message = str(err.value)
    assert "offline" in message and "Upload the CSV" in message


class socket_closed_port:
    """A localhost port with nothing listening (bound, then closed)."""

    def __enter__(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        return self.port

    def __exit__(self, *exc):
        return False
