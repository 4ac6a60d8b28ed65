"""csv_table: uploaded CSV bytes -> CsvTable, or a one-paragraph CsvError. Every CSV is built here."""
import numpy as np
import pytest

from playground.data.csv_upload import MAX_BYTES, CsvError, CsvTable, read_csv_table, sniff_columns


def make_csv(rows, sep=",", newline="\n") -> bytes:
    """Rows of cells -> CSV bytes."""
    return newline.join(sep.join(str(cell) for cell in row) for row in rows).encode() + newline.encode()


def numeric_rows(n_rows=20, n_features=2, target=lambda i: i % 2):
    """A header and n_rows rows of distinct numbers plus a target column."""
    header = [f"x{j + 1}" for j in range(n_features)] + ["label"]
    return [header] + [[round(i * 0.5 + j, 2) for j in range(n_features)] + [target(i)] for i in range(n_rows)]


def csv_error(raw, **kwargs) -> str:
    """The CsvError message for this input; it must be a single paragraph."""
    with pytest.raises(CsvError) as info:
        read_csv_table(raw, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message and message
    return message


# --- separators, header, target -------------------------------------------------------------------

def test_comma_csv_gives_float32_features_and_int64_classes():
    table = read_csv_table(make_csv(numeric_rows()))
    assert isinstance(table, CsvTable)
    assert table.X.dtype == np.float32 and table.X.shape == (20, 2) and np.isfinite(table.X).all()
    assert table.y.dtype == np.int64 and set(table.y) == {0, 1}
    assert table.feature_names == ("x1", "x2") and table.target_name == "label"
    assert table.class_names == ("0", "1") and table.task == "classification"
    assert table.X[3].tolist() == [1.5, 2.5]
    assert any("commas" in m for m in table.messages)


def test_semicolon_separator_is_detected():
    table = read_csv_table(make_csv(numeric_rows(), sep=";"))
    assert table.X.shape == (20, 2) and table.feature_names == ("x1", "x2")
    assert any("semicolons" in m for m in table.messages)


def test_tab_separator_is_detected():
    table = read_csv_table(make_csv(numeric_rows(), sep="\t"))
    assert table.X.shape == (20, 2) and table.feature_names == ("x1", "x2")


def test_windows_line_endings_byte_order_mark_and_quotes_are_handled():
    rows = [['"size, cm"', "label"]] + [[f'"{i}.5"', "a" if i % 2 else "b"] for i in range(12)]
    raw = b"\xef\xbb\xbf" + make_csv(rows, newline="\r\n")
    table = read_csv_table(raw)
    assert table.feature_names == ("size, cm",) and table.X[:, 0].tolist()[:2] == [0.5, 1.5]


def test_latin1_text_is_accepted():
    rows = [["taille", "catégorie"]] + [[i, "élevé" if i % 2 else "bas"] for i in range(12)]
    table = read_csv_table(make_csv(rows).decode().encode("latin-1"))
    assert table.target_name == "catégorie" and table.class_names == ("bas", "élevé")


def test_header_is_detected_when_first_row_is_text_above_numbers():
    assert sniff_columns(make_csv(numeric_rows())) == ["x1", "x2", "label"]


def test_all_numeric_file_has_no_header_and_columns_named_col1_col2():
    raw = make_csv(numeric_rows()[1:])
    assert sniff_columns(raw) == ["col1", "col2", "col3"]
    table = read_csv_table(raw)
    assert table.X.shape == (20, 2) and table.target_name == "col3"


def test_all_text_header_is_detected_when_its_names_never_recur():
    rows = [["colour", "size", "animal"]] + [[c, s, a] for c, s, a in
                                             zip(["red", "blue"] * 6, ["big", "small", "tiny"] * 4, ["cat", "dog"] * 6)]
    assert sniff_columns(make_csv(rows)) == ["colour", "size", "animal"]
    assert sniff_columns(make_csv(rows[1:])) == ["col1", "col2", "col3"]


def test_header_false_keeps_the_first_row_as_data():
    raw = make_csv([[f"{i}.0", i % 2] for i in range(12)])
    assert sniff_columns(raw, header=False) == ["col1", "col2"]
    assert read_csv_table(raw, header=False).X.shape == (12, 1)


def test_header_true_forces_the_first_row_to_be_names():
    rows = numeric_rows()[1:]  # all numbers: auto-detection would see no header
    raw = make_csv(rows)
    assert sniff_columns(raw, header=True) == [str(cell) for cell in rows[0]]
    assert read_csv_table(raw, header=True).X.shape == (19, 2)


def test_blank_and_repeated_header_names_are_made_unique():
    rows = [["", "x", "x", "label"]] + [[i, i * 2, i * 3, i % 2] for i in range(12)]
    assert sniff_columns(make_csv(rows)) == ["col1", "x", "x_2", "label"]


def test_target_defaults_to_the_last_column():
    assert read_csv_table(make_csv(numeric_rows())).target_name == "label"


def test_target_by_name_is_taken_out_of_the_features():
    table = read_csv_table(make_csv(numeric_rows()), target="x1")
    assert table.target_name == "x1" and table.feature_names == ("x2", "label")
    assert table.task == "regression"


def test_unknown_target_names_the_available_columns():
    message = csv_error(make_csv(numeric_rows()), target="price")
    assert "price" in message and "'x1', 'x2', 'label'" in message


# --- task detection ----------------------------------------------------------------------------------

def test_text_target_is_classification_with_sorted_class_names():
    table = read_csv_table(make_csv(numeric_rows(target=lambda i: ["setosa", "virginica", "apple"][i % 3])))
    assert table.class_names == ("apple", "setosa", "virginica")
    assert table.y[:3].tolist() == [1, 2, 0]


def test_whole_number_target_with_few_values_is_classification_sorted_as_numbers():
    table = read_csv_table(make_csv(numeric_rows(target=lambda i: [10, 2, 3][i % 3])))
    assert table.task == "classification" and table.class_names == ("2", "3", "10")
    assert table.y[:3].tolist() == [2, 0, 1]


def test_whole_number_target_note_says_the_rule_and_names_no_missing_control():
    table = read_csv_table(make_csv(numeric_rows(target=lambda i: i % 4)))
    (note,) = [m for m in table.messages if "whole numbers" in m]
    assert "4 different whole numbers" in note and "classification" in note
    assert "more than 20 different values is predicted as a number" in note
    assert "choose regression" not in note.lower()  # the page has no such control (the loss follows the task)


def test_whole_number_target_with_more_than_20_values_is_regression():
    table = read_csv_table(make_csv(numeric_rows(n_rows=30, target=lambda i: i)))
    assert table.task == "regression" and table.class_names is None
    assert table.y.dtype == np.float32 and table.y[:3].tolist() == [0.0, 1.0, 2.0]


def test_fractional_target_is_regression():
    table = read_csv_table(make_csv(numeric_rows(target=lambda i: (i % 2) + 0.5)))
    assert table.task == "regression" and table.y.dtype == np.float32


def test_task_can_be_forced_either_way():
    raw = make_csv(numeric_rows(target=lambda i: i % 3))
    forced = read_csv_table(raw, task="regression")
    assert forced.task == "regression" and forced.y.dtype == np.float32
    raw = make_csv(numeric_rows(target=lambda i: (i % 2) + 0.5))
    assert read_csv_table(raw, task="classification").class_names == ("0.5", "1.5")


def test_text_target_with_more_than_20_labels_is_refused_with_its_count():
    message = csv_error(make_csv(numeric_rows(n_rows=1000, target=lambda i: f"city{i % 200}")))
    assert "'label' has 200 different values" in message and "more than the 20 classes" in message
    assert "pick another target column" in message and "numeric column" in message


def test_text_target_with_20_labels_is_still_classification():
    table = read_csv_table(make_csv(numeric_rows(n_rows=60, target=lambda i: f"kind{i % 20:02d}")))
    assert table.task == "classification" and len(table.class_names) == 20


def test_missing_target_cells_are_not_counted_as_a_class():
    rows = numeric_rows(n_rows=60, target=lambda i: f"kind{i % 20:02d}")
    for row in rows[1:6]:
        row[-1] = "NA"
    assert len(read_csv_table(make_csv(rows)).class_names) == 20


def test_numeric_target_forced_to_200_classes_is_refused_pointing_to_regression():
    message = csv_error(make_csv(numeric_rows(n_rows=400, target=lambda i: i % 200)), task="classification")
    assert "200 different values" in message and "regression" in message


def test_text_target_forced_to_regression_is_refused():
    message = csv_error(make_csv(numeric_rows(target=lambda i: "ab"[i % 2])), task="regression")
    assert "text" in message and "classification" in message


def test_single_class_target_is_refused():
    message = csv_error(make_csv(numeric_rows(target=lambda i: "yes")))
    assert "only one class" in message and "at least two" in message


def test_one_class_after_dropping_rows_is_refused():
    rows = numeric_rows(n_rows=24, target=lambda i: "ab"[i >= 12])
    for row in rows[13:]:
        row[0] = "NA"  # every 'b' row has a missing feature
    assert "only one class" in csv_error(make_csv(rows))


# --- missing and infinite values -----------------------------------------------------------------

def rows_with_gaps():
    """20 rows; four have a missing x1 in the four spellings the loader must know."""
    rows = numeric_rows()
    for i, gap in zip((1, 3, 5, 7), ("", "NA", "?", "nan")):
        rows[i][0] = gap
    return rows


def test_missing_values_drop_their_rows_with_a_message():
    table = read_csv_table(make_csv(rows_with_gaps()))
    assert table.X.shape == (16, 2) and np.isfinite(table.X).all()
    assert any("Dropped 4 row(s)" in m for m in table.messages)


def test_missing_values_impute_the_column_median_with_a_message():
    rows = rows_with_gaps()
    table = read_csv_table(make_csv(rows), missing="impute")
    known = [row[0] for row in rows[1:] if row[0] not in ("", "NA", "?", "nan")]
    assert table.X.shape == (20, 2) and table.X[0, 0] == np.float32(np.median(known))
    assert any("Filled in 4" in m and "median" in m for m in table.messages)


def test_missing_text_feature_is_imputed_with_its_most_common_value():
    rows = [["x", "colour", "label"]] + [[i, ["red", "red", "blue"][i % 3], i % 2] for i in range(15)]
    rows[2][1] = ""
    table = read_csv_table(make_csv(rows), missing="impute")
    assert table.X[1, table.feature_names.index("colour=red")] == 1.0


def test_rows_with_a_missing_target_are_always_dropped():
    rows = numeric_rows(n_rows=22)
    rows[1][-1] = rows[2][-1] = "?"
    for missing in ("drop", "impute"):
        table = read_csv_table(make_csv(rows), missing=missing)
        assert table.X.shape == (20, 2)
        assert any("Dropped 2 row(s) with a missing target" in m for m in table.messages)


def test_nothing_left_after_dropping_is_refused_with_a_hint_to_impute():
    rows = numeric_rows()
    for i, row in enumerate(rows[1:]):
        row[i % 2] = "NA"  # every row misses x1 or x2
    assert "No rows are left" in csv_error(make_csv(rows))


def test_empty_target_column_is_refused():
    rows = [["x", "y"]] + [[i, ""] for i in range(12)]
    assert "has no values" in csv_error(make_csv(rows))


def test_infinite_and_float32_overflowing_values_count_as_missing():
    rows = numeric_rows()
    rows[1][0], rows[2][1], rows[3][0] = "inf", "-Infinity", "1e300"
    table = read_csv_table(make_csv(rows))
    assert table.X.shape == (17, 2) and np.isfinite(table.X).all()
    imputed = read_csv_table(make_csv(rows), missing="impute")
    assert imputed.X.shape == (20, 2) and np.isfinite(imputed.X).all()
    assert any("Filled in 3" in m for m in imputed.messages)


def test_infinite_regression_target_counts_as_missing():
    rows = numeric_rows(n_rows=30, target=lambda i: i + 0.5)
    rows[1][-1] = "inf"
    table = read_csv_table(make_csv(rows))
    assert table.task == "regression" and len(table.y) == 29 and np.isfinite(table.y).all()


def test_empty_feature_column_is_ignored_with_a_message():
    rows = [row[:1] + [""] + row[1:] for row in numeric_rows()]
    rows[0][1] = "notes"
    table = read_csv_table(make_csv(rows))
    assert "notes" not in table.feature_names and table.X.shape == (20, 2)
    assert any("column 'notes'" in m for m in table.messages)


# --- text features -----------------------------------------------------------------------------------

def colour_rows(n_rows=20):
    """A numeric and a text feature, and a class target."""
    return [["x", "colour", "label"]] + [[i, ["red", "green", "blue"][i % 3], i % 2] for i in range(n_rows)]


def test_text_features_are_one_hot_encoded_with_a_message():
    table = read_csv_table(make_csv(colour_rows()))
    assert table.feature_names == ("x", "colour=blue", "colour=green", "colour=red")
    assert table.X[:3, 1:].tolist() == [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    assert any("One-hot encoded column 'colour'" in m for m in table.messages)


def test_text_features_can_be_rejected_naming_the_columns():
    rows = [row + [("S", "M")[i % 2] if i else "size"] for i, row in enumerate(colour_rows())]
    rows = [row[:2] + row[3:] + row[2:3] for row in rows]  # keep 'label' last
    message = csv_error(make_csv(rows), categorical="reject")
    assert "'colour', 'size'" in message and "text" in message


def test_id_like_text_column_is_dropped_with_a_message():
    rows = [row + [f"user{i:03d}" if i else "user_id"] for i, row in enumerate(numeric_rows(n_rows=60))]
    rows = [row[:2] + row[3:] + row[2:3] for row in rows]
    table = read_csv_table(make_csv(rows))
    assert table.feature_names == ("x1", "x2")
    assert any("Ignored column 'user_id'" in m and "ID" in m for m in table.messages)


def test_only_id_like_features_is_refused():
    rows = [["name", "label"]] + [[f"person {i}", i % 2] for i in range(60)]
    assert "No usable feature columns" in csv_error(make_csv(rows))


def test_numbers_with_decimal_commas_are_explained():
    rows = [["x", "label"]] + [[f"{i},5", i % 2] for i in range(12)]
    message = csv_error(make_csv(rows, sep=";"))
    assert "comma" in message and "'0,5'" in message


# --- sizes -------------------------------------------------------------------------------------------

def test_more_feature_columns_than_rows_is_refused():
    message = csv_error(make_csv(numeric_rows(n_rows=12, n_features=15)))
    assert "15 feature columns" in message and "more rows than columns" in message


def test_one_hot_columns_count_towards_the_feature_limit():
    rows = [["x", "city", "label"]] + [[i, f"city{i % 12}", i % 2] for i in range(12)]
    assert "after one-hot encoding" in csv_error(make_csv(rows))


def test_fewer_than_ten_rows_is_refused():
    message = csv_error(make_csv(numeric_rows(n_rows=9)))
    assert "Only 9 usable row(s)" in message and "at least 10" in message


def test_header_only_file_is_refused():
    assert "no data rows" in csv_error(b"x,y,label\n")


def test_a_file_of_blank_lines_above_its_header_has_no_data_rows():
    # 70,000 blank lines fill the separator's sample (the first 64 KB) with nothing to judge
    for newline in (b"\n", b"\r\n"):
        raw = newline * 70_000 + b"x;y;label" + newline
        assert "header row but no data rows" in csv_error(raw)


def test_blank_lines_above_the_data_are_skipped_and_the_separator_still_found():
    raw = b"\n" * 70_000 + make_csv(numeric_rows(), sep=";")
    table = read_csv_table(raw)
    assert table.X.shape == (20, 2) and table.feature_names == ("x1", "x2")
    assert any("20 data row(s)" in m and "semicolons" in m for m in table.messages)


def test_only_a_target_column_is_refused():
    rows = [["label"]] + [[i % 2] for i in range(12)]
    assert "only one column" in csv_error(make_csv(rows))


# --- files that are not CSV at all ---------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"", b"  \n\r\n\t \n", b"\xef\xbb\xbf\n"])
def test_empty_file_is_refused(raw):
    assert csv_error(raw).startswith("The file is empty")
    with pytest.raises(CsvError, match="The file is empty"):
        sniff_columns(raw)


@pytest.mark.parametrize("raw", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",  # PNG image header
    b"\x89PNG\r\n\x1a\n",  # no NUL, and not valid UTF-8
    b"PK\x03\x04\x14\x00\x06\x00",  # .xlsx / zip
    b"x,y\n1,2\x00\n",
])
def test_binary_file_is_refused_as_not_a_text_csv(raw):
    assert "not a text CSV" in csv_error(raw)


def test_utf16_excel_export_is_read():
    text = "\n".join(",".join(map(str, row)) for row in numeric_rows()) + "\n"
    table = read_csv_table(text.encode("utf-16"))
    assert table.X.shape == (20, 2) and table.feature_names == ("x1", "x2")


def test_file_over_the_limit_is_refused_with_the_limit_in_mb():
    raw = b"x,y\n" + b"1,0\n" * (MAX_BYTES // 4)  # one line over 5 MB
    assert len(raw) > MAX_BYTES
    message = csv_error(raw)
    assert "5 MB limit" in message and "5.1 MB" in message


def test_size_is_checked_before_parsing():
    # binary content would give a different error, so the size message proves nothing was parsed
    message = csv_error(b"\x00" * 2 * 1024 * 1024, max_bytes=1024 * 1024)
    assert "1 MB limit" in message


# --- parser failures never escape raw ------------------------------------------------------------

def test_row_with_extra_cells_gives_a_plain_error():
    rows = numeric_rows()
    rows[5].append(99)
    message = csv_error(make_csv(rows))
    assert "Line 6" in message and "4 cells" in message and "3" in message


def test_ragged_semicolon_file_still_names_the_semicolon_separator():
    rows = numeric_rows()
    rows[5].append(99)
    message = csv_error(make_csv(rows, sep=";"))
    assert "Line 6" in message and "semicolons" in message


def test_quoted_line_break_in_a_name_becomes_a_space():
    rows = [['"body\nmass"', "label"]] + [[i, i % 2] for i in range(12)]
    assert sniff_columns(make_csv(rows)) == ["body mass", "label"]


def test_unclosed_quote_gives_a_plain_error():
    raw = make_csv(numeric_rows()) + b'1,"2,3\n'
    message = csv_error(raw)
    assert message.startswith("The file could not be read as a table")


def test_bad_options_are_programming_errors_not_csv_errors():
    with pytest.raises(ValueError) as info:
        read_csv_table(make_csv(numeric_rows()), missing="zero")
    assert not isinstance(info.value, CsvError)
