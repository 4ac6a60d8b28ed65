"""Text from a user's file (column names, labels) or a link is shown as text: never markup, links or images."""
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "tabular.py")
IMAGE = "![px](http://127.0.0.1:9/pixel.png)"
LINK = "[Click here to fix](https://example.com)"


def _upload(content: bytes) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["tabular_dataset"] = "upload"
    at.run()
    next(u for u in at.get("file_uploader") if u.key == "tabular_csv_file").set_value(("x.csv", content, "text/csv")).run()
    return at


def _shown(at: AppTest) -> list[str]:
    """Every message, caption and metric label on the page, as the Markdown Streamlit renders."""
    texts = [m.value for m in [*at.error, *at.warning, *at.info, *at.success, *at.caption]]
    return texts + [m.label for m in at.metric]


def _is_markup(text: str) -> bool:
    """Whether Markdown would turn part of text into an image or a link (an unescaped ![ or ]( )."""
    unescaped = text.replace("\\[", "").replace("\\]", "").replace("\\!", "")
    return "![" in unescaped or "](" in unescaped


def test_column_names_written_as_markdown_are_shown_as_text():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    y = np.where(X[:, 0] > 0, "a", "b")
    rows = "\n".join(f"{a:.3f},text{i % 3},{lab}" for i, ((a, _), lab) in enumerate(zip(X, y)))
    at = _upload(f"{LINK},b,{IMAGE}\n{rows}\n".encode())  # the target (last column) is named by the page's notes
    assert not at.exception
    shown = _shown(at)
    assert any("pixel" in text for text in shown)  # the names are shown...
    assert not [text for text in shown if _is_markup(text)]  # ...as text


def test_a_message_quoting_a_column_is_shown_as_text():
    content = f"a,{LINK}\n1,x\n2,y\n3,x\n".encode()  # too few rows for a class split: the message names the column
    at = _upload(content)
    assert not at.exception
    shown = _shown(at)
    assert shown and not [text for text in shown if _is_markup(text)]


def test_a_regression_weight_named_by_its_column_is_shown_as_text():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, size=120)
    rows = "\n".join(f"{a:.3f},{2 * a + 0.1 * rng.normal():.3f}" for a in x)
    at = _upload(f"{IMAGE},y\n{rows}\n".encode())
    at.session_state["tabular_n_layers"] = 0
    at.session_state["tabular_loss"] = "mse"
    at.session_state["tabular_epochs"] = 2
    at.button(key="train").click().run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert any("pixel" in label for label in labels) and not [label for label in labels if _is_markup(label)]
