"""One upload limit: .streamlit/config.toml's maxUploadSize is the number the CSV reader, the weights check and the help use."""
import tomllib
from pathlib import Path

import pytest

from playground.app import take_away
from playground.data import csv_cells
from playground.data.csv_upload import CsvError, read_csv_table

ROOT = Path(__file__).resolve().parents[2]


def _max_upload_mb(path: Path) -> int:
    return tomllib.loads(path.read_text())["server"]["maxUploadSize"]


def test_the_config_and_the_code_name_the_same_limit():
    limit = _max_upload_mb(ROOT / ".streamlit" / "config.toml")
    assert csv_cells.MAX_UPLOAD_MB == limit
    assert csv_cells.MAX_BYTES == limit * 10**6  # Streamlit's browser counts 10^6 bytes to the MB
    assert take_away.MAX_WEIGHTS_BYTES == csv_cells.MAX_BYTES


def test_a_deployment_config_if_any_names_the_same_limit():
    configs = [p for p in (ROOT / "deploy").rglob("config.toml")] + [ROOT / ".streamlit" / "config.toml"]
    assert {_max_upload_mb(p) for p in configs if "maxUploadSize" in p.read_text()} == {csv_cells.MAX_UPLOAD_MB}


def _csv_of(n_bytes: int) -> bytes:
    """A valid CSV of exactly n_bytes: its last cell padded with spaces (cells are stripped)."""
    raw = b"x,label\n" + b"".join(f"{i},{i % 2}\n".encode() for i in range(20))
    return raw + b" " * (n_bytes - len(raw) - 1) + b"\n"


def test_the_reader_takes_a_file_at_the_limit_and_refuses_one_byte_more():
    assert read_csv_table(_csv_of(csv_cells.MAX_BYTES)).X.shape == (20, 1)
    with pytest.raises(CsvError, match=f"larger than the {csv_cells.MAX_UPLOAD_MB} MB limit"):
        read_csv_table(_csv_of(csv_cells.MAX_BYTES + 1))


def test_weights_over_the_limit_are_refused_naming_it_and_at_the_limit_are_tried():
    over = take_away._load_weights(None, bytes(csv_cells.MAX_BYTES + 1))
    assert f"{csv_cells.MAX_UPLOAD_MB} MB upload limit" in over
    at_limit = take_away._load_weights(None, bytes(csv_cells.MAX_BYTES))  # not refused for its size: torch.load fails
    assert "upload limit" not in at_limit and "cannot be used for this network" in at_limit
