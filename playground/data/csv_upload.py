"""Uploaded CSV bytes -> a clean numeric table for training, or a CsvError a student can act on (csv_cells reads the bytes)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from playground.data.csv_cells import MAX_BYTES, MAX_UPLOAD_MB, MB, CsvError, numbers, read_cells

__all__ = ["MAX_BYTES", "MAX_UPLOAD_MB", "MB", "CsvError", "CsvTable", "read_csv_table", "sniff_columns"]

MIN_ROWS = 10
# The most classes a target may have, and whole-number targets with more distinct values are quantities
# (regression). Past 20 the board stops working as a picture: the confusion matrix's k x k cells drop under
# 17 px in its 460 px chart (no room for their counts), the test rows' legend takes more rows than the
# plot, the ten class colours repeat, and every redraw's cost grows with k^2 (200 classes: about 20 s of
# browser CPU per frame).
MAX_CLASSES = 20
MAX_CATEGORIES = 50  # text columns with more distinct values are likely IDs or free text
MAX_LISTED = 30  # column names listed in one error message
_COMMA_NUMBER = r"[+-]?\d+(,\d+)*"  # '3,5' or '1,000' (no point): commas in numbers


@dataclass(frozen=True)
class CsvTable:
    """A clean numeric table: finite float32 features and a class-index or float32 target."""

    X: np.ndarray  # float32, shape (n_rows, n_features), finite
    y: np.ndarray  # int64 class indices for classification, float32 for regression
    feature_names: tuple[str, ...]
    target_name: str
    class_names: tuple[str, ...] | None  # None for regression
    messages: tuple[str, ...]  # plain-language notes on what loading did

    @property
    def task(self) -> str:
        """'classification' when the target has class names, else 'regression'."""
        return "regression" if self.class_names is None else "classification"


def sniff_columns(raw: bytes, *, header: bool | None = None) -> list[str]:
    """Column names as the user will see them in a 'target column' picker (after header detection)."""
    frame, _ = read_cells(raw, header, MAX_BYTES)
    return list(frame.columns)


def read_csv_table(raw: bytes, target: str | None = None, *, header: bool | None = None,
                   missing: str = "drop", categorical: str = "onehot", task: str | None = None,
                   max_bytes: int = MAX_BYTES) -> CsvTable:
    """Raw CSV bytes -> a clean numeric CsvTable, or a CsvError that says what to fix."""
    _check_options(missing, categorical, task)
    frame, notes = read_cells(raw, header, max_bytes)
    target = _pick_target(list(frame.columns), target)
    n_file_rows = len(frame)
    frame = _typed(frame)
    task, note = _decide_task(frame[target], task, target)
    notes.append(note)
    frame = _drop_missing_target(frame, target, notes)
    features = _usable_features(frame.drop(columns=target), categorical, notes)
    features, y = _drop_or_fill(features, frame[target], missing, notes)
    has_text = not all(is_numeric_dtype(features[c]) for c in features)
    features = _one_hot(features, notes)
    _check_shape(features, n_file_rows, one_hot=has_text, dropping=missing == "drop")
    y, class_names = _encode_target(y, task, target)
    notes.append(f"Ready to train on {len(y)} rows and {features.shape[1]} feature column(s).")
    return CsvTable(X=features.to_numpy(np.float32), y=y,
                    feature_names=tuple(str(c) for c in features.columns), target_name=target,
                    class_names=class_names, messages=tuple(notes))


def _check_options(missing: str, categorical: str, task: str | None) -> None:
    """Bad option strings are programming errors (ValueError), not messages for the student."""
    for name, value, allowed in (("missing", missing, ("drop", "impute")),
                                 ("categorical", categorical, ("onehot", "reject")),
                                 ("task", task, (None, "classification", "regression"))):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")


# --- cells -> target column -------------------------------------------------------------------------

def _pick_target(names: list[str], target: str | None) -> str:
    """The target column's name: the last column by default."""
    if target is None:
        target = names[-1]
    elif target not in names:
        raise CsvError(f"There is no column called '{target}'. The columns in this file are: "
                       f"{_listing(names)}. Choose one of those as the target.")
    if len(names) < 2:
        raise CsvError(f"The file has only one column ('{target}'), the target, so there are no feature "
                       "columns to learn from. Add columns that describe each row, then upload again.")
    return target


def _listing(names: list[str]) -> str:
    """Names joined for a sentence, cut short when there are very many."""
    shown = ", ".join(f"'{n}'" for n in names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


# --- string cells -> typed columns ----------------------------------------------------------------

def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns as float64; text columns stay strings."""
    columns = {}
    for name, column in frame.items():
        values = numbers(column)
        if values is None:
            _check_comma_numbers(name, column)
        columns[name] = column if values is None else values
    return pd.DataFrame(columns)


def _check_comma_numbers(name: str, column: pd.Series) -> None:
    """Numbers written with commas (3,5 or 1,000) would silently become text categories; stop instead."""
    values = column.dropna().astype(str)
    if values.str.fullmatch(_COMMA_NUMBER).all() and values.str.contains(",").any():
        example = values[values.str.contains(",")].iloc[0]
        raise CsvError(f"Column '{name}' has numbers written with a comma, like '{example}'. Use a point as the "
                       "decimal mark (3.5, not 3,5) and no thousands separators: change the number format or "
                       "region setting in your spreadsheet program and export the CSV again.")


# --- target -----------------------------------------------------------------------------------------

def _decide_task(target: pd.Series, task: str | None, name: str) -> tuple[str, str]:
    """'classification' or 'regression' for this target, and a note saying why."""
    numeric = is_numeric_dtype(target)
    if task == "regression" and not numeric:
        example = next(v for v in target.dropna() if numbers(pd.Series([v])) is None)
        raise CsvError(f"The target '{name}' contains text (like '{example}'), so it cannot be "
                       "predicted as a number. Choose classification, or pick a numeric target column.")
    if task == "classification" or not numeric:
        _check_class_count(target, name, numeric)
    if task:
        return task, f"Treating '{name}' as {task}, as chosen."
    if not numeric:
        return "classification", f"The target '{name}' contains text, so this is classification."
    values = target.dropna()
    n_distinct = values.nunique()
    if n_distinct <= MAX_CLASSES and (values == values.round()).all():
        return "classification", (f"The target '{name}' has {n_distinct} different whole numbers, so each is treated "
                                  f"as a class (classification); a target with fractions or more than {MAX_CLASSES} "
                                  "different values is predicted as a number (regression).")
    return "regression", f"The target '{name}' holds numbers with {n_distinct} different values, so this is regression."


def _check_class_count(target: pd.Series, name: str, numeric: bool) -> None:
    """A class target may have at most MAX_CLASSES different values (counted over the whole column)."""
    n_distinct = target.nunique()  # missing cells are not a class
    if n_distinct <= MAX_CLASSES:
        return
    instead = ("predict it as a number (regression) instead, or pick another target column" if numeric else
               f"pick another target column: one with at most {MAX_CLASSES} different values, or a numeric column, "
               "which is predicted as a number (regression)")
    raise CsvError(f"The target '{name}' has {n_distinct} different values, more than the {MAX_CLASSES} classes this "
                   f"page can tell apart (each class needs its own colour and row of the confusion matrix): {instead}.")


def _drop_missing_target(frame: pd.DataFrame, target: str, notes: list[str]) -> pd.DataFrame:
    """Rows whose target is missing teach nothing, so they always go (whatever `missing` says)."""
    if frame.empty:
        raise CsvError("The file has a header row but no data rows. Add the data below the column names.")
    keep = frame[target].notna()
    if not keep.any():
        raise CsvError(f"The target column '{target}' has no values. Pick a column that holds the answers.")
    if not keep.all():
        notes.append(f"Dropped {int((~keep).sum())} row(s) with a missing target value.")
    return frame[keep].reset_index(drop=True)


def _encode_target(y: pd.Series, task: str, name: str) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """float32 values for regression; int64 indices into the sorted class names for classification."""
    if task == "regression":
        return y.to_numpy(np.float32), None
    classes = sorted(set(y))  # numbers sort as numbers (2 before 10), text alphabetically
    if len(classes) < 2:
        raise CsvError(f"The target '{name}' has only one class ('{_class_name(classes[0])}') in the usable rows, "
                       "but classification needs at least two different classes to tell apart.")
    index = {value: k for k, value in enumerate(classes)}
    return y.map(index).to_numpy(np.int64), tuple(_class_name(c) for c in classes)


def _class_name(value) -> str:
    """The class as text: 3.0 -> '3', 2.5 -> '2.5', 'cat' -> 'cat'."""
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(float(value))


# --- features ---------------------------------------------------------------------------------------

def _usable_features(features: pd.DataFrame, categorical: str, notes: list[str]) -> pd.DataFrame:
    """Drop empty and ID-like columns; refuse text columns when asked to."""
    empty = [c for c in features if features[c].isna().all()]
    if empty:
        notes.append(f"Ignored {_columns(empty)}: no values.")
    features = features.drop(columns=empty)
    text = [c for c in features if not is_numeric_dtype(features[c])]
    if text and categorical == "reject":
        verb, them = ("contains", "it") if len(text) == 1 else ("contain", "them")
        raise CsvError(f"{_columns(text).capitalize()} {verb} text, not numbers. Remove {them}, or allow "
                       "text columns to be one-hot encoded (one 0/1 column per value).")
    many = [c for c in text if features[c].nunique() > MAX_CATEGORIES]
    if many:
        notes.append(f"Ignored {_columns(many)}: more than {MAX_CATEGORIES} different text values, "
                     "so probably an ID or free text rather than categories.")
    if features.shape[1] == len(many):
        raise CsvError("No usable feature columns are left (they were empty, or text with too many different "
                       "values to be categories). Add numeric columns or columns with a few repeated categories.")
    return features.drop(columns=many)


def _columns(names: list[str]) -> str:
    """'column 'a'' or 'columns 'a', 'b'' for a sentence."""
    return ("column " if len(names) == 1 else "columns ") + _listing(names)


def _drop_or_fill(features: pd.DataFrame, y: pd.Series, missing: str,
                  notes: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """missing='drop' drops incomplete rows; 'impute' fills the gaps."""
    if missing == "impute":
        return _impute(features, notes), y
    keep = features.notna().all(axis=1)
    if not keep.all():
        notes.append(f"Dropped {int((~keep).sum())} row(s) with missing or infinite feature values.")
    return features[keep], y[keep]


def _impute(features: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Numbers get their column's median (robust to outliers), text its most common value."""
    gaps = [c for c in features if features[c].isna().any()]
    if not gaps:
        return features
    fill = {c: features[c].median() if is_numeric_dtype(features[c]) else features[c].mode().iloc[0]
            for c in gaps}
    notes.append(f"Filled in {int(features.isna().sum().sum())} missing or infinite value(s): numbers with "
                 "their column's median, text with its most common value.")
    return features.fillna(fill)


def _one_hot(features: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Text columns become one 0/1 column per value, named 'column=value'."""
    text = [c for c in features if not is_numeric_dtype(features[c])]
    if not text:
        return features
    notes.append(f"One-hot encoded {_columns(text)}: each different value became its own 0/1 column.")
    return pd.get_dummies(features, columns=text, prefix_sep="=", dtype=float)


def _check_shape(features: pd.DataFrame, n_file_rows: int, one_hot: bool, dropping: bool) -> None:
    """Enough rows to train and test, and more rows than weights per output."""
    n_rows, n_features = features.shape
    if n_rows == 0:
        raise CsvError("No rows are left after removing rows with missing values. Choose to fill in (impute) "
                       "missing values instead, or remove the columns that are mostly empty.")
    if n_rows < MIN_ROWS:
        why = " after removing rows with missing values" if n_rows < n_file_rows else ""
        fix = ", or fill in (impute) missing values instead of dropping rows" if why and dropping else ""
        raise CsvError(f"Only {n_rows} usable row(s) are left{why} (the file has {n_file_rows}), but at least "
                       f"{MIN_ROWS} are needed to train and test a model. Add more rows{fix}.")
    if n_features >= n_rows:
        counted = " (after one-hot encoding text columns)" if one_hot else ""
        raise CsvError(f"There are {n_features} feature columns{counted} but only {n_rows} rows: too few rows "
                       "to learn that many weights. The data needs more rows than columns; add rows or "
                       "remove columns.")
