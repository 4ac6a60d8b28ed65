"""Uploaded CSV bytes -> named columns of string cells: size and binary checks, separator, header row."""
from __future__ import annotations

import csv
import io
import math
import re

import numpy as np
import pandas as pd

# One size limit for every upload (CSV, settings, weights): .streamlit/config.toml's server.maxUploadSize
# (tests/unit/test_upload_limit.py checks they agree). Streamlit's browser check counts a megabyte as 10^6
# bytes (1024^2 only on Windows and on the server), so no browser sends more than MAX_UPLOAD_MB * 10^6 bytes;
# the reader, the weights check and every message use that same number.
MAX_UPLOAD_MB = 5
MB = 10**6
MAX_BYTES = MAX_UPLOAD_MB * MB
MISSING = {"", "?", "na", "n/a", "#n/a", "nan", "null", "none"}  # compared lower-cased
SEPARATORS = (";", "\t", ",")  # on a tie ';' wins: ';' files often hold decimal commas
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
FLOAT32_MAX = float(np.finfo(np.float32).max)  # larger values would become inf in X
SNIFF_LINES, SNIFF_CHARS = 50, 64 * 1024  # the separator is judged on the file's first non-blank lines
_LINE = re.compile(r"[^\r\n]+")  # a line as pandas splits them (on \n and \r only)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # never in text; typical of images, zips, .xlsx
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class CsvError(ValueError):
    """A user-facing message: what is wrong with the file and what to do."""


def read_cells(raw: bytes, header: bool | None, max_bytes: int) -> tuple[pd.DataFrame, list[str]]:
    """Named columns of stripped strings (NaN where missing), plus notes on how the file was read."""
    text = _decode(raw, max_bytes)
    separator = _detect_separator(text)
    names, body, note = _split_header(_parse_cells(text, separator), header)
    body.columns = names
    read = f"Read {len(body)} data row(s) and {len(names)} column(s) separated by {SEPARATOR_NAMES[separator]}."
    return body, [read, note]


def _decode(raw: bytes, max_bytes: int) -> str:
    """The file's text; size and binary checks run first so the parser never sees huge or binary input."""
    if len(raw) > max_bytes:
        raise CsvError(f"The file is {_megabytes(len(raw), up=True)}, larger than the "
                       f"{_megabytes(max_bytes)} limit. Upload a smaller file, for example a sample of its rows.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_utf16(raw)  # Excel's "Unicode text" export
    else:
        try:
            text = raw.decode("utf-8-sig")  # -sig drops the byte-order mark Excel puts first
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # older Windows exports; latin-1 maps every byte
    if _CONTROL.search(text):
        raise _not_text()
    if not text.strip():
        raise CsvError("The file is empty: it has no rows or columns. Choose a CSV file that holds your data.")
    return text


def _decode_utf16(raw: bytes) -> str:
    """UTF-16 text with a byte-order mark, or the not-a-text-file error."""
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError:
        raise _not_text() from None


def _not_text() -> CsvError:
    """The error for images, zips, Excel workbooks and other binary files."""
    return CsvError("This is not a text CSV file: it contains binary data, as images, zip files and Excel "
                    "workbooks (.xlsx) do. Open it in a spreadsheet program and save it as "
                    "'CSV (comma separated values)', then upload that file.")


def _megabytes(n_bytes: int, up: bool = False) -> str:
    """'5 MB', '5.1 MB': file sizes round up so a file just over the limit never looks equal to it."""
    value = math.ceil(n_bytes / MB * 10) / 10 if up else round(n_bytes / MB, 1)
    return f"{value:g} MB"


def _detect_separator(text: str) -> str:
    """The separator that splits the first lines into the most cells, the same number on every line."""
    lines = _first_lines(text)
    scores = {sep: _separator_score(lines, sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=scores.get)  # max keeps the first of equal scores
    return best if scores[best][1] > 1 else ","


def _first_lines(text: str) -> list[str]:
    """The first SNIFF_LINES non-blank lines (or about SNIFF_CHARS of them), whole, however many blank lines come first."""
    lines, size = [], 0
    for match in _LINE.finditer(text):  # lazy: a file of blank lines is passed over without copying it
        line = match.group()
        if line.strip():
            lines.append(line)
            size += len(line)
            if len(lines) == SNIFF_LINES or size >= SNIFF_CHARS:
                break
    return lines


def _separator_score(lines: list[str], separator: str) -> tuple[bool, int]:
    """(every line has the same number (>1) of cells, the most common number of cells)."""
    widths = [len(row) for row in csv.reader(lines, delimiter=separator)]
    modal = max(set(widths), key=widths.count, default=0)
    return len(set(widths)) == 1 and modal > 1, modal  # one cell per line is no evidence for a separator


def _parse_cells(text: str, separator: str) -> pd.DataFrame:
    """Every cell as a stripped string, NaN where missing; parser failures become CsvErrors."""
    try:
        cells = pd.read_csv(io.StringIO(text), sep=separator, header=None, dtype=str,
                            na_filter=False, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as err:
        raise CsvError(_parser_message(err, separator)) from None
    return cells.astype(object).map(_clean_cell)


def _clean_cell(cell):
    """The cell with runs of whitespace (even quoted line breaks) made one space; NaN when missing."""
    if not isinstance(cell, str):
        return np.nan
    cell = " ".join(cell.split())  # names and values must fit on one line in pickers and messages
    return np.nan if cell.lower() in MISSING else cell


def _parser_message(err: Exception, separator: str) -> str:
    """A plain sentence for a pandas parser error."""
    ragged = _RAGGED.search(str(err))
    if ragged:
        expected, line, saw = ragged.groups()
        return (f"Line {line} of the file has {saw} cells but the first line has {expected}. Every row needs "
                f"the same number of cells, separated by {SEPARATOR_NAMES[separator]}; fix or delete that line.")
    detail = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return (f"The file could not be read as a table ({detail}). Check that it is a CSV file with one row "
            "per line and that every opening quote mark is closed.")


def _split_header(cells: pd.DataFrame, header: bool | None) -> tuple[list[str], pd.DataFrame, str]:
    """Column names, the data rows, and a note; header=None guesses from the first row."""
    if header is None:
        header = len(cells) > 0 and _looks_like_header(cells)
    if not header:
        names = [f"col{j + 1}" for j in range(cells.shape[1])]
        return names, cells, "No header row, so the columns are named col1, col2, ..."
    names = _unique_names(cells.iloc[0])
    return names, cells.iloc[1:].reset_index(drop=True), "Used the first row as column names."


def _looks_like_header(cells: pd.DataFrame) -> bool:
    """True when the first row has text above numbers, or is all text that never repeats below it."""
    first, rest = cells.iloc[0], cells.iloc[1:]
    text = [c for c in cells if isinstance(first[c], str) and numbers(first[[c]]) is None]
    if any(numbers(rest[c]) is not None for c in text):
        return True
    # all-text tables: names are unique to the first row, while values (like 'red') recur
    all_text = len(text) == first.notna().sum() > 0
    return all_text and all(first[c] not in set(rest[c].dropna()) for c in text)


def _unique_names(row: pd.Series) -> list[str]:
    """Header cells as names: blanks become colN, repeats get _2, _3, ..."""
    names: list[str] = []
    for j, cell in enumerate(row):
        base = cell if isinstance(cell, str) else f"col{j + 1}"
        name, k = base, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


# --- a column of cells as numbers: header detection here, column types in csv_upload -----------------

def numbers(column: pd.Series) -> pd.Series | None:
    """The column as float64, NaN for missing or infinite cells; None when any cell is text."""
    values = pd.to_numeric(column, errors="coerce")
    if values[column.notna()].isna().any():
        return None
    values = values.astype(np.float64)
    return values.where(values.abs() <= FLOAT32_MAX)  # inf, and overflow to inf in float32, count as missing
