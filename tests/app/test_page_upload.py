"""CSV upload on the tables page: every case ends in a trained model or a clear message."""
import hashlib
import tomllib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import echarts_specs

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "tabular.py")


def _good_csv(n=120, sep=",", header=True, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    lines = [sep.join(["a", "b", "c", "label"])] if header else []
    lines += [sep.join([*(f"{v:.3f}" for v in row), lab]) for row, lab in zip(X, y)]
    return ("\n".join(lines) + "\n").encode()


def _upload(content: bytes, name="data.csv", **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["tabular_dataset"] = "upload"
    at.session_state["tabular_epochs"] = 20
    for key, value in state.items():
        at.session_state[f"tabular_{key}"] = value
    at.run()
    _csv_uploader(at).set_value((name, content, "text/csv")).run()
    return at


def _csv_uploader(at: AppTest):
    return [u for u in at.get("file_uploader") if u.key == "tabular_csv_file"][0]


def _target(at: AppTest) -> str:
    return [s.value for s in at.selectbox if s.label == "Target column"][0]


def _train(at: AppTest) -> AppTest:
    at.button(key="train").click().run()
    assert not at.exception, at.exception
    return at


def test_before_any_upload_the_page_asks_for_a_file():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["tabular_dataset"] = "upload"
    at.run()
    assert not at.exception and "Upload a CSV file" in at.error[0].value


def test_the_uploader_help_states_the_configs_limit():
    limit = tomllib.loads((Path(PAGE).parents[1] / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["tabular_dataset"] = "upload"
    at.run()
    assert f"Up to {limit} MB" in _csv_uploader(at).help


def test_a_good_csv_trains_with_named_classes():
    at = _train(_upload(_good_csv()))
    assert "Finished 20 epochs" in at.success[0].value
    acc = float([m.value for m in at.metric if m.label == "Test accuracy"][0].rstrip("%"))
    assert acc > 80
    assert _target(at) == "label"
    assert any("Ready to train on 120 rows" in c.value for c in at.caption)


def test_semicolons_without_header_and_a_chosen_target():
    at = _upload(_good_csv(sep=";", header=False), csv_header="no")
    assert not at.error
    assert _target(at) == "col4"
    assert "Finished" in _train(at).success[0].value


def test_missing_values_are_dropped_or_filled_with_a_count():
    rows = _good_csv().decode().splitlines()
    rows[3] = ",".join(["", *rows[3].split(",")[1:]])
    rows[7] = ",".join(["NA", *rows[7].split(",")[1:]])
    raw = ("\n".join(rows) + "\n").encode()
    dropped = _upload(raw)
    assert any("2 row" in c.value and "dropped" in c.value.lower() for c in dropped.caption)
    filled = _upload(raw, csv_missing="impute")
    assert any("median" in c.value.lower() for c in filled.caption)
    assert "Finished" in _train(filled).success[0].value


def test_text_feature_columns_are_one_hot_encoded_or_refused():
    rows = _good_csv().decode().splitlines()
    rows[0] += ",colour"
    rows[1:] = [r + ("," + ("red", "green", "blue")[i % 3]) for i, r in enumerate(rows[1:])]
    # the target must stay last for the default: move colour before label
    rows = [",".join(r.split(",")[:3] + [r.split(",")[4], r.split(",")[3]]) for r in rows]
    raw = ("\n".join(rows) + "\n").encode()
    at = _upload(raw)
    assert any("one-hot" in c.value.lower() for c in at.caption)
    assert "Finished" in _train(at).success[0].value
    refused = _upload(raw, csv_text="reject")
    assert "colour" in refused.error[0].value


def test_numeric_target_becomes_regression_with_mse():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 2))
    y = 3 * X[:, 0] - X[:, 1] + rng.normal(0, 0.1, 150)
    raw = ("x1,x2,price\n" + "\n".join(f"{a:.4f},{b:.4f},{c:.4f}" for (a, b), c in zip(X, y)) + "\n").encode()
    at = _upload(raw)
    assert at.selectbox(key="tabular_loss").value == "mse" and not at.error
    at = _train(at)
    assert float([m.value for m in at.metric if m.label == "Test R²"][0]) > 0.5


def test_a_whole_number_target_is_classes_and_its_note_points_to_nothing_missing():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(90, 2))
    grade = np.digitize(X[:, 0], [-0.5, 0.5]) + 1  # 1, 2 or 3
    raw = ("x1,x2,grade\n" + "\n".join(f"{a:.3f},{b:.3f},{g}" for (a, b), g in zip(X, grade)) + "\n").encode()
    at = _upload(raw)
    notes = [c.value for c in at.caption if "whole numbers" in c.value]
    assert notes and "classification" in notes[0] and "choose regression" not in notes[0].lower()
    assert at.selectbox(key="tabular_loss").value == "cross_entropy"
    at.selectbox(key="tabular_loss").set_value("mse").run()  # MSE cannot make it a regression: the page keeps classes
    assert at.selectbox(key="tabular_loss").value == "cross_entropy" and not at.exception
    assert "Finished" in _train(at).success[0].value


def test_a_text_target_with_200_labels_is_refused_and_another_column_can_be_picked():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(1000, 2))
    raw = ("x1,x2,city\n" + "\n".join(f"{a:.3f},{b:.3f},town{i % 200}" for i, (a, b) in enumerate(X)) + "\n").encode()
    at = _upload(raw)
    assert not at.exception
    assert "200 different values" in at.error[0].value and "another target column" in at.error[0].value
    assert not [b for b in at.button if b.key == "train"] and not echarts_specs(at)  # nothing heavy is drawn
    [s for s in at.selectbox if s.label == "Target column"][0].set_value("x1").run()
    assert not at.error and at.selectbox(key="tabular_loss").value == "mse"  # a numeric column: regression
    assert "Finished" in _train(at).success[0].value


def _one_feature_csv(extra: str) -> bytes:
    """100 rows of one numeric feature x, a class label, and one more column that cannot be a feature."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=100)
    cells = {"empty": lambda i: "", "ids": lambda i: f"user{i:03d}"}[extra]
    return ("x,other,label\n" + "\n".join(f"{v:.3f},{cells(i)},{'big' if v > 0 else 'small'}"
                                           for i, v in enumerate(x)) + "\n").encode()


@pytest.mark.parametrize("extra, missing", [("empty", "drop"), ("empty", "impute"), ("ids", "drop")],
                         ids=["empty-column", "empty-column-filled-in", "id-text-column"])
def test_one_feature_left_trains_and_pictures_its_test_rows_by_class(extra, missing):
    at = _upload(_one_feature_csv(extra), csv_missing=missing)
    assert any("Ignored column 'other'" in c.value for c in at.caption)
    assert any("1 feature column(s)" in c.value for c in at.caption)
    at = _train(at)
    assert "Finished" in at.success[0].value
    (rows,) = [spec for title, spec, _ in echarts_specs(at) if title.startswith("Test rows")]
    assert rows["xAxis"]["name"] == "x" and rows["yAxis"][0]["data"] == ["big", "small"]
    n_test = sum(len(s["data"]) for s in rows["series"])
    cm = [spec for title, spec, _ in echarts_specs(at) if title.startswith("Confusion")][0]
    assert n_test == sum(cell["value"][2] if isinstance(cell, dict) else cell[2] for cell in cm["series"][0]["data"])


def test_two_features_are_pictured_as_themselves_without_pca():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 2))
    raw = ("height,weight,label\n" + "\n".join(f"{a:.3f},{b:.3f},{'p' if a > b else 'q'}" for a, b in X) + "\n").encode()
    at = _train(_upload(raw))
    (rows,) = [spec for title, spec, _ in echarts_specs(at) if title.startswith("Test rows")]
    assert (rows["xAxis"]["name"], rows["yAxis"]["name"]) == ("height", "weight")


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not a text"),
        (("a,b,label\n" + "\n".join(f"{i},{i * 2},same" for i in range(30)) + "\n").encode(), "one class"),
        (("," .join(f"c{i}" for i in range(40)) + "\n" + "\n".join(",".join(str((r * i) % 7) for i in range(40)) for r in range(12)) + "\n").encode(), "row"),
        (b"x" * (6 * 1024 * 1024), "MB"),
        (b"\n" * 70_000 + b"a,b,label\n", "no data rows"),
    ],
    ids=["empty", "binary", "one-class", "more-columns-than-rows", "too-big", "blank-lines"],
)
def test_bad_files_end_in_a_clear_message(raw, words):
    at = _upload(raw)
    assert not at.exception
    assert at.error and words.lower() in at.error[0].value.lower(), [e.value for e in at.error]
    assert not [b for b in at.button if b.key == "train"]


def test_a_class_with_a_single_row_cannot_be_split():
    raw = _good_csv().decode().rstrip("\n") + "\n0.1,0.2,0.3,rare\n"
    at = _upload(raw.encode())
    assert not at.exception
    assert "rare" in at.error[0].value and "at least 2 rows" in at.error[0].value


def _header(at: AppTest, value: str) -> AppTest:
    at.selectbox(key="tabular_csv_header").set_value(value).run()
    assert not at.exception
    return at


def test_toggling_the_header_keeps_the_target_column_by_its_position():
    at = _upload(_good_csv())
    assert _target(at) == "label"
    assert _target(_header(at, "no")) == "col4"  # the same (last) column under its new name, not col1
    assert _target(_header(at, "yes")) == "label"
    assert any("contains text, so this is classification" in c.value for c in at.caption)
    assert "Finished" in _train(at).success[0].value


def test_a_chosen_target_survives_the_header_toggle_both_ways():
    at = _upload(_good_csv(header=False))  # all numbers: no header detected, columns col1..col4
    [s for s in at.selectbox if s.label == "Target column"][0].set_value("col2").run()
    first_row = _good_csv(header=False).decode().splitlines()[0].split(",")
    assert _target(_header(at, "yes")) == first_row[1]  # the first row became the names: still the second column
    assert _target(_header(at, "auto")) == "col2"
    assert any("regression" in c.value for c in at.caption)


def test_a_target_that_cannot_be_kept_is_said_in_a_message():
    raw = _good_csv()
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["tabular_dataset"] = "upload"
    file_id = hashlib.sha256(raw).hexdigest()[:12]
    at.session_state[f"target_place:tabular_csv_target_{file_id}"] = (["w", "x", "y", "z", "extra"], 4)  # not in 4 columns
    at.run()
    _csv_uploader(at).set_value(("data.csv", raw, "text/csv")).run()
    assert not at.exception and _target(at) == "label"
    assert "'extra' is not in the file" in at.warning[0].value and "'label', is the target" in at.warning[0].value


def test_a_new_file_does_not_inherit_the_last_files_target():
    at = _upload(_good_csv())
    target = [s for s in at.selectbox if s.label == "Target column"][0]
    target.set_value("a").run()
    other = ("h,w,kind\n" + "\n".join(f"{i % 7},{i % 5},{'x' if i % 2 else 'y'}" for i in range(60)) + "\n").encode()
    rows = ("a,b,c,label\n" + "\n".join(f"{i},{i % 3},{i % 4},{'p' if i % 2 else 'q'}" for i in range(60)) + "\n").encode()
    _csv_uploader(at).set_value(("rows.csv", rows, "text/csv")).run()
    assert _target(at) == "label"  # same column count as before, still the new file's last column
    _csv_uploader(at).set_value(("other.csv", other, "text/csv")).run()
    assert _target(at) == "kind"
