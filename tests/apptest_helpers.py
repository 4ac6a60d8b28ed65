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


def plotly_specs(at: AppTest) -> list[tuple[str, list, dict]]:
    """(title, trace names, spec) of every plotly chart on the page, in page order."""
    out = []
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        title = (spec["layout"].get("title") or {}).get("text", "")
        out.append((title, [t.get("name") for t in spec["data"]], spec))
    return out


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def plotly_array(value) -> np.ndarray:
    """A plotly data array: a list, or plotly's base64 typed-array dict."""
    if isinstance(value, dict):
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return arr.reshape([int(n) for n in str(value.get("shape", len(arr))).split(",")])
    return np.asarray(value)
