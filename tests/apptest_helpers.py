"""Shared helpers for the AppTest page tests: start a page with preset state, read its charts and metrics."""
import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def run_app(path: str, state: dict, prefix: str = "", timeout: float = 90) -> AppTest:
    """The page at `path`, run once with session state preset (keys get the page's widget prefix)."""
    at = AppTest.from_file(path, default_timeout=timeout)
    for key, value in state.items():
        at.session_state[prefix + key] = value
    return at.run()


def echarts_specs(at: AppTest) -> list[tuple[str, dict, str]]:
    """(title, option, alt text) of every ECharts chart on the page, in page order."""
    out = []
    for el in at.get("echarts_chart"):
        spec = json.loads(el.proto.spec)
        titles = spec.get("title") or {}
        title = " / ".join(t.get("text", "") for t in (titles if isinstance(titles, list) else [titles]))
        out.append((title, spec, el.proto.alt))
    return out


def series_points(spec: dict, name: str) -> list:
    """The [x, y] points of the ECharts series called name."""
    return next(s["data"] for s in spec["series"] if s.get("name") == name)


def heatmap_array(spec: dict) -> np.ndarray:
    """The counts of an ECharts heatmap (its [column, row, value] items) as a rows x columns array."""
    items = next(s for s in spec["series"] if s["type"] == "heatmap")["data"]
    items = [item["value"] if isinstance(item, dict) else item for item in items]
    cells = np.zeros((max(i[1] for i in items) + 1, max(i[0] for i in items) + 1))
    for col, row, value in items:
        cells[row, col] = value
    return cells


def data_url_image(url: str) -> np.ndarray:
    """The pixels (rows, columns, RGB) of a PNG data URL, as the boundary's images carry them."""
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def assert_landscape_centre_is_the_training_loss(spec: dict, model, data) -> None:
    """The landscape chart's loss at its centre (its subtitle) is the model's cross-entropy on the training set,
    measured here afresh in eval mode."""
    import re

    import torch

    from playground.engine.models import LOSSES

    with torch.no_grad():
        model.eval()
        X, y = torch.as_tensor(data.X_train), torch.as_tensor(data.y_train)
        expected = float(LOSSES["cross_entropy"].make()(model(X), y))
    shown = float(re.search(r"loss at the centre \(×\) ([0-9.e+-]+)", spec["title"]["subtext"]).group(1))
    assert abs(shown - expected) <= 1e-3 * expected, (shown, expected)


def record_downloads(monkeypatch) -> dict:
    """key -> the data each st.download_button of the next runs offers (AppTest keeps the file bytes out of reach)."""
    from streamlit.delta_generator import DeltaGenerator

    offered, original = {}, DeltaGenerator.download_button

    def download_button(self, label, data, *args, **kwargs):
        offered[kwargs.get("key") or label] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", download_button)
    return offered


def notebook_cell_kinds(text: str) -> list[str]:
    """The cell types of a .ipynb text, after checking it against Jupyter's notebook schema."""
    import nbformat

    book = nbformat.reads(text, as_version=4)
    nbformat.validate(book)
    return [cell.cell_type for cell in book.cells]
