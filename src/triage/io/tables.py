"""Reading and writing tables: CSV in any encoding and delimiter, XLSX, Parquet.

Every reader raises :class:`~triage.errors.DataError` naming the file (and the
row and field where it can) instead of letting a parser traceback escape.
Every writer protects CSV/XLSX exports against formula injection.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from triage.errors import DataError, UsageError

__all__ = [
    "TABLE_SUFFIXES",
    "WRITE_SUFFIXES",
    "check_writable",
    "escape_formulas",
    "read_table",
    "require_columns",
    "to_bool",
    "write_table",
]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq")
#: What :func:`write_table` writes.
WRITE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".pq")
_DELIMITERS = [",", ";", "\t", "|"]
# A cell that a spreadsheet would run as a formula.  "+" and "-" followed only by
# digits, spaces and phone punctuation are numbers or phone numbers, not formulas.
_FORMULA_START = re.compile(r"^[=@\t\r]|^[+\-](?![\d\s().\-]*$)")


def _cyrillic_plausibility(text: str) -> float:
    """Share of Cyrillic letters that are lower case: high for real Russian text.

    KOI8-R bytes read as cp1251 (and the reverse) come out mostly upper case.
    """
    cyr = [ch for ch in text if "\u0400" <= ch <= "\u04ff"]
    if not cyr:
        return 0.0
    return sum(ch.islower() for ch in cyr) / len(cyr)


def _decode_bytes(raw: bytes, path: Path) -> str:
    """Decode a text file: UTF-16 by its BOM, UTF-8, then the best Cyrillic code page."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{path}: the file says UTF-16 but does not decode as it") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("cp1251", "koi8-r"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_cyrillic_plausibility(text[:100_000]), encoding, text))
    if candidates:
        return max(candidates, key=lambda c: c[0])[2]
    try:
        return raw.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise DataError(
            f"{path}: cannot decode the file as UTF-8 or a Cyrillic code page"
        ) from None


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:65_536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


_INT_RE = r"^-?[1-9]\d{0,14}$|^-?0$"
_DEC_RE = r"^-?\d{1,15}\.\d*[1-9]$"


def _maybe_numeric(column: pd.Series) -> pd.Series:
    """Turn a text column into numbers when that loses nothing.

    Whole numbers of up to 15 digits become nullable integers, decimals of up to
    15 digits without trailing zeros become floats; anything else — leading
    zeros, a plus sign (phones), 16+ digit account or article numbers, "1.10" —
    keeps the column as text, exactly as written.
    """
    values = column.dropna()
    if values.empty:
        return column
    as_str = values.astype(str).str.strip()
    if as_str.str.match(_INT_RE).all():
        return pd.to_numeric(column, errors="raise").astype("Int64")
    if (as_str.str.match(_INT_RE) | as_str.str.match(_DEC_RE)).all():
        digits = as_str.str.replace(r"[^0-9]", "", regex=True).str.lstrip("0").str.len()
        if (digits <= 15).all():
            return pd.to_numeric(column, errors="raise").astype("float64")
    return column


def read_table(
    path: str | Path, *, what: str = "table", infer_numbers: bool = True
) -> pd.DataFrame:
    """Read a CSV (any common encoding and delimiter), XLSX or Parquet file.

    Parameters
    ----------
    path : str or Path
        The file to read.  The format is chosen by its suffix.
    what : str
        What the file is ("leads", "catalog"), used in error messages.
    infer_numbers : bool
        Turn columns of plain numbers into numbers (default).  With False every
        CSV/XLSX column stays text, exactly as written.

    Returns
    -------
    DataFrame
        Text columns as strings, columns of plain numbers as numbers, empty
        cells as missing values.  Every row of the file is kept.

    Raises
    ------
    DataError
        The file is missing, empty, unreadable or malformed; the message names it.
    """
    path = _check_readable(Path(path), what)
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        else:
            frame = _read_csv(path, what, tsv=suffix == ".tsv")
    except DataError:
        raise
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, path, what) from None
    except Exception as exc:  # any parser failure is a data problem of this file
        raise DataError(
            f"{path}: cannot read the {what} file ({type(exc).__name__}: {exc})"
        ) from None
    if infer_numbers and suffix not in (".parquet", ".pq"):
        frame = frame.apply(_maybe_numeric)
    return _check_header(frame, path)


def _check_readable(path: Path, what: str) -> Path:
    """The path, if it names an existing, non-empty file of a known table type."""
    if not path.exists():
        raise DataError(f"{path}: {what} file not found")
    if path.is_dir():
        raise DataError(f"{path}: expected a {what} file, got a directory")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataError(
            f"{path}: unsupported {what} file type {suffix or '(none)'!r}; "
            f"use one of {', '.join(TABLE_SUFFIXES)}"
        )
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the {what} file is empty")
    return path


def _read_csv(path: Path, what: str, *, tsv: bool) -> pd.DataFrame:
    """A delimited text file as a frame of strings (empty cells missing)."""
    text = _decode_bytes(path.read_bytes(), path)
    if not text.strip():
        raise DataError(f"{path}: the {what} file is empty")
    delimiter = "\t" if tsv else _sniff_delimiter(text)
    return pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        on_bad_lines="error",
        skip_blank_lines=False,
    )


def _parser_error(exc: pd.errors.ParserError, path: Path, what: str) -> DataError:
    """The parser's complaint as a DataError naming the line and the field counts."""
    detail = " ".join(str(exc).split())
    line = re.search(r"line (\d+)", detail)
    fields = re.search(r"Expected (\d+) fields in line \d+, saw (\d+)", detail)
    if line and fields:
        return DataError(
            f"{path}: line {line.group(1)} (data row {int(line.group(1)) - 1}) has "
            f"{fields.group(2)} fields, the header has {fields.group(1)}"
        )
    where = f" line {line.group(1)}:" if line else ""
    return DataError(f"{path}:{where} malformed {what} file ({detail})")


def _check_header(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Column names stripped; duplicated names refused."""
    frame.columns = [str(c).strip() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise DataError(f"{path}: duplicate column names {duplicated}")
    return frame


def require_columns(
    frame: pd.DataFrame, columns: Iterable[str], *, source: str | Path, what: str = "table"
) -> None:
    """Raise a DataError naming the file and the missing columns, if any."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        available = ", ".join(map(str, frame.columns[:30]))
        raise DataError(
            f"{source}: {what} is missing column(s) {', '.join(missing)}; "
            f"columns present: {available}"
        )


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with a quote.

    Cells starting with ``=``, ``@``, tab or carriage return, or with ``+``/``-``
    followed by anything but a number, are written as ``'=...`` so that Excel and
    LibreOffice show them as text (OWASP CSV injection guidance).
    """
    out = frame.copy()
    out.columns = ["'" + str(c) if _FORMULA_START.search(str(c)) else c for c in out.columns]
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        as_str = column.astype("string")
        risky = as_str.str.contains(_FORMULA_START, na=False)
        if risky.any():
            out[name] = column.astype(object)
            out.loc[risky, name] = "'" + as_str[risky].astype(str)
    return out


def write_table(frame: pd.DataFrame, path: str | Path, *, escape: bool = True) -> Path:
    """Write a table as CSV (UTF-8), XLSX or Parquet, chosen by the suffix.

    CSV and XLSX exports are protected against formula injection unless
    ``escape=False``.  Parent folders are created.
    """
    path = check_writable(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame.to_parquet(path, index=False)
            return path
        out = escape_formulas(frame) if escape else frame
        if suffix == ".csv":
            out.to_csv(path, index=False, lineterminator="\n")
            return path
        _check_excel_cells(out, path)
        out.to_excel(path, index=False, engine="openpyxl")
    except OSError as exc:
        raise DataError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def check_writable(path: str | Path, *, suffixes: tuple[str, ...] = WRITE_SUFFIXES) -> Path:
    """Make sure ``path`` can be written (its folder is created); raise if not.

    Called before long work so that a bad ``--out`` fails at once.

    Raises
    ------
    UsageError
        The suffix is not one of ``suffixes``.
    DataError
        The path is a folder, or its folder cannot be created or written.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: is a folder; give a file name")
    if path.suffix.lower() not in suffixes:
        raise UsageError(
            f"{path}: cannot write {path.suffix or 'a file without suffix'}; "
            f"use {', '.join(suffixes)}"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"{path}: cannot create its folder ({exc.strerror or exc})") from None
    if not os.access(path.parent, os.W_OK):
        raise DataError(f"{path}: the folder is not writable")
    return path


_EXCEL_CELL_LIMIT = 32_767


def _check_excel_cells(frame: pd.DataFrame, path: Path) -> None:
    for name in frame.columns:
        column = frame[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        lengths = column.astype("string").str.len()
        too_long = lengths > _EXCEL_CELL_LIMIT
        if too_long.any():
            row = int(too_long.to_numpy(dtype=bool, na_value=False).nonzero()[0][0])
            raise DataError(
                f"{path}: row {row + 1}, column {name}: {int(lengths.iloc[row]):,} characters "
                f"do not fit an Excel cell ({_EXCEL_CELL_LIMIT:,}); write .csv or .parquet instead"
            )


def to_bool(series: pd.Series) -> pd.Series:
    """Parse yes/no-like values into a nullable boolean column."""
    truthy = {"1", "true", "yes", "y", "да", "t"}
    falsy = {"0", "false", "no", "n", "нет", "f"}
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(truthy).fillna(False).to_numpy(dtype=bool)] = True
    out[text.isin(falsy).fillna(False).to_numpy(dtype=bool)] = False
    return out
