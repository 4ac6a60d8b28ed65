"""A big uploaded table stays light in the browser: its pictures draw a bounded sample, its row picker a bounded list."""
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from apptest_helpers import echarts_specs, heatmap_array
from playground.app.boards.tables import MAX_PICTURED, MAX_ROW_CHOICES

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "tabular.py")


def _points(spec: dict) -> int:
    return sum(len(s.get("data", [])) for s in spec["series"] if s.get("type") == "scatter")


def test_a_12000_row_upload_pictures_a_sample_and_counts_every_row():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12_000, 3))
    kind = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")
    body = "\n".join(f"{a:.3f},{b:.3f},{c:.3f},{k}" for (a, b, c), k in zip(X, kind))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["tabular_dataset"] = "upload"
    at.run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "tabular_csv_file")
    uploader.set_value(("big.csv", f"a,b,c,kind\n{body}\n".encode(), "text/csv")).run()
    assert not at.exception
    n_test = 3600  # 30% of 12,000
    picture = next(spec for title, spec, _ in echarts_specs(at) if title.startswith("Test rows"))
    assert _points(picture) == MAX_PICTURED < n_test
    confusion = next(spec for title, spec, _ in echarts_specs(at) if title.startswith("Confusion"))
    assert heatmap_array(confusion).sum() == n_test  # the numbers count every row
    assert len(at.multiselect(key=next(m.key for m in at.multiselect)).options) == MAX_ROW_CHOICES
    assert any(f"{MAX_PICTURED:,} of the {n_test:,} test rows" in c.value for c in at.caption)
