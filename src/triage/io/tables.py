"""Reading and writing tables: CSV in any encoding and delimiter, XLSX, Parquet.

Reading contract (:func:`read_table`, :func:`read_table_checked`): every data
row of the file either comes out as a row of the frame or is set aside in a
quarantine file with its line and the reason; nothing is dropped, padded or
shifted silently.  CSV records are counted by a parser that understands
quotes, so a row with a line break inside a quoted value is one row.  A file
whose structure is broken (rows with more or fewer fields than the header, a
quote that is never closed, duplicate column names) is refused with a
:class:`~triage.errors.DataError` naming ``file:line`` and the fix -- or, with
a quarantine file, its broken rows are set aside and counted in a
:class:`~triage.errors.TriageWarning`.  One export habit is repaired, with a
warning saying so: every data row ending with one extra empty field that the
header lacks (Excel, 1C).  Quoted values spanning lines that look like rows
(a quote closed far too late) are read as written, with a warning naming the
lines.  See ``docs/data-integrity.md``.

Writing contract (:func:`write_table`, :func:`write_text_atomic`): outputs are
written to a temporary file in the destination folder and renamed into place
only when complete, so an interrupted write leaves the earlier file (or none),
never a truncated one.  CSV/XLSX text cells that a spreadsheet would run as a
formula are neutralised (OWASP CSV-injection guidance); CSV values holding any
line break are quoted; XLSX cells keep carriage returns and control
characters (written as Excel's ``_xHHHH_`` escapes and read back).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage.errors import DataError, TriageWarning, UsageError

__all__ = [
    "TABLE_SUFFIXES",
    "WRITE_SUFFIXES",
    "ReadReport",
    "check_writable",
    "escape_formulas",
    "read_table",
    "read_table_checked",
    "require_columns",
    "to_bool",
    "to_number",
    "write_table",
    "write_text_atomic",
]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq")
#: What :func:`write_table` writes.
WRITE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".pq")
_DELIMITERS = [",", ";", "\t", "|"]
# Longest CSV value accepted (the csv module's default is 128 KiB); longer is a runaway quote.
_FIELD_LIMIT = 16 * 1024 * 1024
# Rows listed by line in a refusal or a quarantine warning.
_SHOWN = 3
# Text columns read as pandas' default string dtype ("str": Arrow-backed, NaN for missing).
_STR_TYPES = {pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ReadReport:
    """What reading one table found: every data record read or set aside.

    Attributes
    ----------
    path : str
        The file.
    records : int
        Data records in the file (the header and blank lines not counted).
    rows : int
        Rows returned.
    quarantined : int
        Records set aside (``records == rows + quarantined``).
    quarantine : str or None
        Where they were written.
    blank_lines : int
        Empty lines skipped (in a file of one column they are rows instead).
    lines : int
        Physical lines of a CSV file (0 for XLSX and Parquet).
    repairs : tuple of str
        What was repaired, in words (also given as warnings).
    """

    path: str
    records: int
    rows: int
    quarantined: int = 0
    quarantine: str | None = None
    blank_lines: int = 0
    lines: int = 0
    repairs: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Problem:
    """A record that cannot be read as a row: its lines and why."""

    start: int
    end: int
    reason: str
    quote: bool = False


@dataclass
class _Parsed:
    """The header and data rows of a table, before they become a frame."""

    header: list[str]
    rows: list[list[str]]
    records: int = 0
    blank_lines: int = 0
    lines: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)
    problems: list[_Problem] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- decoding


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
    return raw.decode("latin-1")  # decodes every byte


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and makes the first records agree with it.

    Each candidate parses the first records with quotes understood; the one
    under which the header has several fields and the most records have as
    many wins (ties: more columns, then the order of :data:`_DELIMITERS`).  A
    table of one column is read with commas.
    """
    sample = text[:65_536]
    best, best_score = ",", (False, -1.0, 0)
    for delimiter in _DELIMITERS:
        counts = _field_counts(sample, delimiter)
        if not counts:
            continue
        header, rows = counts[0], counts[1:] or counts[:1]
        agree = sum(c == header for c in rows) / len(rows)
        score = (header > 1, agree, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _field_counts(sample: str, delimiter: str, records: int = 50) -> list[int]:
    """Field counts of the first non-blank records of ``sample`` under ``delimiter``."""
    counts: list[int] = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        for fields in reader:
            if fields:
                counts.append(len(fields))
            if len(counts) > records:
                break
    except csv.Error:
        pass
    return counts


# --------------------------------------------------------------------------- numbers

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
    # Converted from the stripped text the patterns matched: pandas itself does
    # not strip a no-break space ("1\xa0"), which str.strip does.
    as_str = values.astype(str).str.strip()
    if as_str.str.match(_INT_RE).all():
        return pd.to_numeric(as_str, errors="raise").astype("Int64").reindex(column.index)
    if (as_str.str.match(_INT_RE) | as_str.str.match(_DEC_RE)).all():
        digits = as_str.str.replace(r"[^0-9]", "", regex=True).str.lstrip("0").str.len()
        if (digits <= 15).all():
            numbers = pd.to_numeric(as_str, errors="raise").astype("float64")
            return numbers.reindex(column.index)
    return column


# Currency words and signs around an amount: "12 345 ₽", "1 234,50 руб.", "RUB 100".
_CURRENCY = re.compile(r"^(?:₽|руб\.?|р\.|rub|\$|€)\s*|\s*(?:₽|руб\.?|р\.|rub|\$|€)$", re.I)
# Group separators between digits: spaces (also no-break and thin ones) and apostrophes.
_GROUP_SEP = re.compile(r"(?<=\d)[\s\u00a0\u2009\u202f'’](?=\d)")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _clean_number(text: str) -> str | None:
    """One number as written by a person or a CRM, in plain form, or None."""
    value = _CURRENCY.sub("", text.strip()).strip()
    value = _GROUP_SEP.sub("", value).replace("\u2212", "-")
    dots, commas = value.count("."), value.count(",")
    if dots and commas:  # the last separator is the decimal one: 1.234,50 / 1,234.50
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        value = value.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif commas > 1 or dots > 1:  # 1,234,567 / 1.234.567: thousands only
        value = value.replace(",", "").replace(".", "")
    else:  # a single comma is the Russian decimal separator: 1,5
        value = value.replace(",", ".")
    return value if _PLAIN_NUMBER.fullmatch(value) else None


def to_number(values: pd.Series) -> pd.Series:
    """Parse numbers as Russian CRMs and people write them into floats.

    Plain numbers (``-5``, ``1234.5``), a comma as the decimal separator
    (``1,5``), spaces -- also no-break and thin ones -- or apostrophes between
    digit groups (``1 234,50``), dots or commas as thousands separators
    (``1.234,50``, ``1,234.50``, ``1.234.567``) and a currency sign or word
    (``12 345 ₽``, ``500 руб.``).  A single comma is always the decimal
    separator (``1,234`` is 1.234).  Anything else becomes NaN: compare the
    result with the input to count what could not be read.

    Examples
    --------
    >>> written = ["1 234,50", "12\\u00a0345 ₽", "1.234,50", "-5", "около 500", None]
    >>> to_number(pd.Series(written)).tolist()
    [1234.5, 12345.0, 1234.5, -5.0, nan, nan]
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("Float64").astype("float64")
    codes, uniques = pd.factorize(values.astype("string"))
    cleaned = [_clean_number(str(u)) for u in uniques]
    parsed = np.array(
        [float(c) if c is not None else np.nan for c in cleaned] + [np.nan], dtype="float64"
    )
    return pd.Series(parsed[np.where(codes >= 0, codes, len(cleaned))], index=values.index)


def to_bool(series: pd.Series) -> pd.Series:
    """Parse yes/no-like values into a nullable boolean column."""
    truthy = {"1", "true", "yes", "y", "да", "t"}
    falsy = {"0", "false", "no", "n", "нет", "f"}
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(truthy).fillna(False).to_numpy(dtype=bool)] = True
    out[text.isin(falsy).fillna(False).to_numpy(dtype=bool)] = False
    return out


# --------------------------------------------------------------------------- reading


def read_table(
    path: str | Path,
    *,
    what: str = "table",
    infer_numbers: bool = True,
    quarantine: str | Path | None = None,
) -> pd.DataFrame:
    """Read a CSV (any common encoding and delimiter), XLSX or Parquet file.

    Parameters
    ----------
    path : str or Path
        The file to read.  The format is chosen by its suffix.
    what : str
        What the file is ("leads", "catalog"), used in messages.
    infer_numbers : bool
        Turn columns of plain numbers into numbers (default).  With False every
        CSV/XLSX column stays text, exactly as written.
    quarantine : str or Path, optional
        Where to set aside records that cannot be read as rows (a .csv, .xlsx
        or .parquet file with their line, the reason and their text).
        Without it such a file is refused.

    Returns
    -------
    DataFrame
        Text columns as strings, columns of plain numbers as numbers, empty
        cells as missing values.  Every data row of the file that is not in
        the quarantine.  ``frame.attrs["read_report"]`` holds the
        :class:`ReadReport` as a dict.

    Raises
    ------
    DataError
        The file is missing, empty, unreadable or malformed; the message names
        it, the line and the fix.

    Warns
    -----
    TriageWarning
        Rows were set aside (with their count and the quarantine file), or
        the file was repaired (saying how).
    """
    frame, report = read_table_checked(
        path, what=what, infer_numbers=infer_numbers, quarantine=quarantine
    )
    frame.attrs["read_report"] = asdict(report)  # plain data: attrs travel into Parquet files
    return frame


def read_table_checked(
    path: str | Path,
    *,
    what: str = "table",
    infer_numbers: bool = True,
    quarantine: str | Path | None = None,
) -> tuple[pd.DataFrame, ReadReport]:
    """Like :func:`read_table`, returning the frame and its :class:`ReadReport`."""
    path = _check_readable(Path(path), what)
    if quarantine is not None:
        quarantine = check_writable(quarantine, inputs=[path])
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        frame = _read_parquet(path, what)
        if quarantine is not None:
            _write_quarantine(quarantine, [], "")
        return frame, ReadReport(str(path), records=len(frame), rows=len(frame))
    if suffix in (".xlsx", ".xlsm"):
        parsed = _read_excel(path, what)
    else:
        parsed = _read_csv(path, what, tsv=suffix == ".tsv")
    report = _settle(path, what, parsed, quarantine)
    frame = _frame(parsed)
    if infer_numbers:
        frame = frame.apply(_maybe_numeric)
    return frame, report


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


def _read_parquet(path: Path, what: str) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # any parser failure is a data problem of this file
        raise DataError(
            f"{path}: cannot read the {what} file ({type(exc).__name__}: {exc})"
        ) from None
    header = [str(c).strip() for c in frame.columns]
    _refuse_duplicates(header, path)
    frame.columns = header
    return frame


def _read_excel(path: Path, what: str) -> _Parsed:
    """The first sheet of a workbook as header and rows of text (``_xHHHH_`` unescaped)."""
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            sheets = [str(s) for s in book.sheet_names]
            # Only a truly empty cell is missing: "null", "NA", "n/a" are text someone typed.
            raw = pd.read_excel(
                book,
                sheet_name=sheets[0],
                header=None,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
            )
    except Exception as exc:  # any parser failure is a data problem of this file
        raise DataError(
            f"{path}: cannot read the {what} file ({type(exc).__name__}: {exc})"
        ) from None
    if len(sheets) > 1:
        _warn(
            f"{path}: read the first sheet {sheets[0]!r} only; the workbook's other sheet(s) "
            f"{', '.join(map(repr, sheets[1:6]))} are not read"
        )
    if raw.empty:
        raise DataError(f"{path}: the {what} file is empty")
    cells = raw.astype(object).where(raw.notna(), "")
    table = [[_xlsx_unescape(str(v)) for v in row] for row in cells.itertuples(index=False)]
    parsed = _Parsed(header=table[0], rows=table[1:], records=len(table) - 1)
    _fix_header(parsed, path, ",")
    return parsed


def _read_csv(path: Path, what: str, *, tsv: bool) -> _Parsed:
    """Header and rows of a delimited text file; broken records listed as problems."""
    text = _decode_bytes(path.read_bytes(), path)
    if not text.strip():
        raise DataError(f"{path}: the {what} file is empty")
    delimiter = "\t" if tsv else _sniff_delimiter(text)
    parsed = _parse_records(text, delimiter, path)
    _fix_header(parsed, path, delimiter)
    _check_rows(parsed, delimiter)
    if parsed.problems:
        _describe_quote_lines(parsed, text)
    return parsed


def _parse_records(text: str, delimiter: str, path: Path) -> _Parsed:
    """Split a text into records with a quote-aware parser, keeping their line numbers.

    Lines are split at CR, LF and CRLF only (``reader.line_num`` counts them).
    """
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    parsed = _Parsed(header=[], rows=[])
    rows, spans = parsed.rows, parsed.spans
    end = 0
    while True:
        start = end + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            end = reader.line_num
            if header is None:
                raise DataError(f"{path}:{start}: the header line cannot be read ({exc})") from None
            parsed.records += 1
            parsed.problems.append(_Problem(start, end, _quote_reason(str(exc), end), quote=True))
            continue
        end = reader.line_num
        if header is None:
            if any(f.strip() for f in fields):
                header = fields
            continue
        if not fields or (len(fields) == 1 and len(header) > 1 and not fields[0].strip()):
            if len(header) > 1:
                parsed.blank_lines += 1
                continue
            fields = [""]
        rows.append(fields)
        spans.append((start, end))
    if header is None:
        raise DataError(f"{path}: no header line")
    parsed.records += len(rows)
    parsed.header = header
    parsed.lines = end
    return parsed


def _quote_reason(message: str, end: int) -> str:
    if "end of data" in message:
        return (
            f"a quote opened on this line is never closed: the rest of the file (to line {end}) "
            "would run into one value; close the quote"
        )
    return (
        f"a quote opened on this line is not closed properly (line {end}: {message}), so the "
        f"lines up to {end} would run into one value; close the quote, and double each quote "
        'inside a value ("")'
    )


def _fix_header(parsed: _Parsed, path: Path, delimiter: str) -> None:
    """Strip names, drop an empty trailing column, name blank ones, refuse duplicates."""
    header = [h.strip() for h in parsed.header]
    rows = parsed.rows
    if (
        len(header) > 1
        and not header[-1]
        and all(len(r) == len(header) and not r[-1].strip() for r in rows)
    ):
        header = header[:-1]
        parsed.rows = rows = [r[:-1] for r in rows]
        parsed.repairs.append(
            f"the header and every row end with an extra {_name(delimiter)}: "
            "the empty last column was dropped"
        )
    blank = [i for i, name in enumerate(header) if not name]
    if blank:
        header = [name or f"Unnamed: {i}" for i, name in enumerate(header)]
        _warn(
            f"{path}:1: column(s) {', '.join(str(i + 1) for i in blank)} have no name in the "
            f"header; read as {', '.join(repr(header[i]) for i in blank)}"
        )
    _refuse_duplicates(header, path)
    parsed.header = header


def _refuse_duplicates(header: Sequence[str], path: Path) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise DataError(
                f"{path}:1: column name {name!r} appears twice (columns {seen[name] + 1} and "
                f"{i + 1}); rename one of them in the header so each column has its own name"
            )
        seen[name] = i


def _name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(delimiter, delimiter)


def _check_rows(parsed: _Parsed, delimiter: str) -> None:
    """Repair trailing-delimiter exports; list rows whose field count is wrong."""
    n = len(parsed.header)
    rows = parsed.rows
    spans = parsed.spans
    if rows and all(len(r) == n + 1 and not r[-1].strip() for r in rows):
        parsed.rows = [r[:-1] for r in rows]
        parsed.repairs.append(
            f"every data row ends with an extra {_name(delimiter)} that the header lacks "
            f"(an Excel/1C export habit): the empty last field of each of the {len(rows):,} "
            "rows was dropped"
        )
        return
    keep: list[list[str]] = []
    bad = [len(r) != n for r in rows]
    suspect: list[tuple[int, int]] = []
    for i, row in enumerate(rows):
        start, end = spans[i]
        if bad[i]:
            parsed.problems.append(_Problem(start, end, _count_reason(rows, i, n, bad)))
            continue
        if n >= 3 and start != end and _holds_rows(row, delimiter, n):
            suspect.append((start, end))
        keep.append(row)
    parsed.rows = keep
    if suspect:
        where = ", ".join(f"{a}-{b}" for a, b in suspect[:_SHOWN])
        parsed.notes.append(
            f"{len(suspect):,} quoted value(s) run over several lines that look like rows "
            f"(lines {where}{', ...' if len(suspect) > _SHOWN else ''}); if a quote there is "
            "never closed, rows were read as part of one value -- check those lines"
        )


def _count_reason(rows: list[list[str]], i: int, n: int, bad: list[bool]) -> str:
    """Why row ``i`` has the wrong number of fields, with the likely cause."""
    m = len(rows[i])
    text = f"the row has {m} field(s), the header has {n}"
    for j in (i - 1, i + 1):
        if 0 <= j < len(rows) and bad[j] and m < n and len(rows[j]) + m - 1 == n:
            return (
                f"{text}: with the {'previous' if j < i else 'next'} line it makes one row, "
                "split by a line break inside a value that is not in quotes; quote the value"
            )
    if m > n:
        return f"{text}: {_plural_hint(m - n)} inside a value that is not in quotes?"
    return f"{text}: a cut-off row, or a missing delimiter?"


def _plural_hint(extra: int) -> str:
    return "a delimiter" if extra == 1 else f"{extra} delimiters"


def _holds_rows(row: list[str], delimiter: str, n: int) -> bool:
    """Whether a multi-line quoted value of ``row`` holds lines with a full row of fields."""
    for value in row:
        if "\n" not in value and "\r" not in value:
            continue
        for line in re.split(r"\r\n|\r|\n", value)[1:]:
            if line.count(delimiter) >= n - 1:
                return True
    return False


def _describe_quote_lines(parsed: _Parsed, text: str) -> None:
    """Point quote problems at the line where the runaway quote opens."""
    physical: list[str] | None = None
    for k, problem in enumerate(parsed.problems):
        if not problem.quote or problem.start == problem.end:
            continue
        if physical is None:
            physical = list(io.StringIO(text, newline=""))
        opened = problem.start
        inside = False
        for number in range(problem.start, problem.end + 1):
            before = inside
            inside ^= physical[number - 1].count('"') % 2 == 1
            if inside and not before:
                opened = number
        if opened != problem.start:
            parsed.problems[k] = _Problem(opened, problem.end, problem.reason, quote=True)
    parsed.problems.sort(key=lambda p: p.start)


def _frame(parsed: _Parsed) -> pd.DataFrame:
    """The rows as a frame of strings (pandas' ``str`` dtype); empty cells missing."""
    n = len(parsed.header)
    cells = np.array(parsed.rows, dtype=object).reshape(len(parsed.rows), n)
    data = {name: _text_column(cells[:, j].tolist()) for j, name in enumerate(parsed.header)}
    return pd.DataFrame(data, columns=parsed.header)


def _text_column(values: list[str]) -> pd.Series:
    array = pa.array(values, type=pa.large_string())
    array = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.large_string()), array)
    return pd.Series(array.to_pandas(types_mapper=_STR_TYPES.get))


def _settle(path: Path, what: str, parsed: _Parsed, quarantine: Path | None) -> ReadReport:
    """Refuse a file with broken rows, or set them aside; warn about repairs; the report."""
    for message in (*parsed.repairs, *parsed.notes):
        _warn(f"{path}: {message}")
    problems = parsed.problems
    if problems and quarantine is None:
        raise _refusal(path, what, problems)
    if quarantine is not None:
        _write_quarantine(quarantine, problems, _text_of(path) if problems else "")
    if problems:
        shown = ", ".join(str(p.start) for p in problems[:_SHOWN])
        _warn(
            f"{path}: {len(parsed.rows):,} of {parsed.records:,} data rows read; "
            f"{len(problems):,} set aside in {quarantine} (line(s) {shown}"
            f"{', ...' if len(problems) > _SHOWN else ''}: {problems[0].reason})"
        )
    return ReadReport(
        str(path),
        records=parsed.records,
        rows=len(parsed.rows),
        quarantined=len(problems),
        quarantine=None if quarantine is None else str(quarantine),
        blank_lines=parsed.blank_lines,
        lines=parsed.lines,
        repairs=tuple(parsed.repairs),
    )


def _refusal(path: Path, what: str, problems: list[_Problem]) -> DataError:
    first = problems[0]
    more = len(problems) - 1
    others = f" ({more:,} more such row(s), e.g. line {problems[1].start})" if more else ""
    aside = (
        ", or set such rows aside with --quarantine FILE" if what in ("leads", "requests") else ""
    )
    name = "the file" if what == "table" else f"the {what} file"
    return DataError(f"{path}:{first.start}: {first.reason}{others}; correct {name}{aside}")


def _text_of(path: Path) -> str:
    return _decode_bytes(path.read_bytes(), path)


def _write_quarantine(path: Path, problems: list[_Problem], text: str) -> None:
    """The set-aside records with their first line, last line, reason and text as written."""
    physical = list(io.StringIO(text, newline="")) if problems else []
    frame = pd.DataFrame(
        {
            "line": pd.Series([p.start for p in problems], dtype="int64"),
            "last_line": pd.Series([p.end for p in problems], dtype="int64"),
            "reason": pd.Series([p.reason for p in problems], dtype=object),
            "text": pd.Series(
                ["".join(physical[p.start - 1 : p.end]).rstrip("\r\n") for p in problems],
                dtype=object,
            ),
        }
    )
    write_table(frame, path)


def _warn(message: str) -> None:
    warnings.warn(message, TriageWarning, stacklevel=4)


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


# --------------------------------------------------------------------------- writing

# A cell a spreadsheet runs as a formula starts (after any white space) with "=", "@",
# "+" or "-" -- or with a tab or carriage return.  "+"/"-" followed by a plain number
# ("-5", "-1.5") or "+" followed by a phone number ("+7 916 123-45-67") is data.
_ALWAYS_RISKY = re.compile(r"^[\t\r]|^\s*[=@\uff1d\uff20]")
_SIGN_START = re.compile(r"^\s*[+\-\uff0b\uff0d]")
_SAFE_SIGNED = re.compile(r"\s*(?:[+\-]\d+(?:[.,]\d+)?(?:[eE][+\-]?\d+)?|\+\d[\d ()\-]*)\s*")
# Characters an XLSX cell cannot hold as such (XML 1.0), and text that looks like an escape.
_XLSX_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_XLSX_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Line breaks that csv's QUOTE_MINIMAL with "\n" line ends does not quote.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


# First characters that may start a formula (after white space, also checked).
_STARTERS = ["=", "@", "+", "-", "\t", "\r", "\uff1d", "\uff20", "\uff0b", "\uff0d"]


def _is_risky(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (see :func:`escape_formulas`)."""
    if _ALWAYS_RISKY.search(text):
        return True
    return bool(_SIGN_START.search(text)) and not _SAFE_SIGNED.fullmatch(text)


def _risky(text: pd.Series) -> pd.Series:
    """Which strings of a text column a spreadsheet would run as a formula."""
    first = text.str.slice(0, 1)
    suspect = (first.isin(_STARTERS) | first.str.isspace()).fillna(False)
    out = np.zeros(len(text), dtype=bool)
    positions = np.flatnonzero(suspect.to_numpy(dtype=bool))
    if len(positions):  # rare: only cells starting with a sign or white space are parsed
        values = text.iloc[positions].tolist()
        out[positions] = [_is_risky(v) for v in values]
    return pd.Series(out, index=text.index)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with a quote.

    Cells starting -- after any leading white space -- with ``=``, ``@``, or
    with ``+``/``-`` followed by anything but a plain number (``-5``,
    ``-1.5``) or, after ``+``, a phone number (``+7 916 123-45-67``), and cells
    starting with a tab or carriage return, are written as ``'=...`` so that
    Excel and LibreOffice show them as text (OWASP CSV injection guidance).
    Column names are treated the same way.  The input is not modified.

    Examples
    --------
    >>> cells = [" =1+1", "-1-1", "+-1", "-5", "+7 916 123-45-67"]
    >>> escape_formulas(pd.DataFrame({"t": cells}))["t"].tolist()
    ["' =1+1", "'-1-1", "'+-1", '-5', '+7 916 123-45-67']
    """
    out = frame.copy()
    names = pd.Series([str(c) for c in out.columns], dtype="string")
    out.columns = [
        "'" + str(c) if risky else c for c, risky in zip(out.columns, _risky(names), strict=True)
    ]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not _is_text(column):
            continue
        as_str = column.astype("string")
        risky = _risky(as_str)
        if risky.any():
            values = column.to_numpy(dtype=object, copy=True)
            values[risky.to_numpy()] = ("'" + as_str[risky].astype(str)).to_numpy(dtype=object)
            out.isetitem(position, values)
    return out


def _is_text(column: pd.Series) -> bool:
    return bool(pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column))


def write_table(frame: pd.DataFrame, path: str | Path, *, escape: bool = True) -> Path:
    """Write a table as CSV (UTF-8), XLSX or Parquet, chosen by the suffix; atomically.

    The table is written to a temporary file in the same folder and renamed
    into place when complete: an interrupted or failed write leaves any
    earlier file at ``path`` as it was.  CSV and XLSX exports are protected
    against formula injection unless ``escape=False``.  CSV values with a line
    break of any kind are quoted; XLSX cells keep carriage returns and control
    characters as Excel's ``_xHHHH_`` escapes.  Parent folders are created.

    Raises
    ------
    DataError
        The file cannot be written, or a value does not fit an Excel cell.
    """
    path = check_writable(path)
    suffix = path.suffix.lower()
    out = frame if suffix in (".parquet", ".pq") or not escape else escape_formulas(frame)
    if suffix in (".parquet", ".pq"):
        out = out.copy(deep=False)
        out.attrs = _plain_attrs(dict(frame.attrs))
    if suffix == ".xlsx":
        out = _xlsx_cells(out, path)
        _warn_blank_tail(out, path)
    writer: dict[str, Callable[[Path], Any]] = {
        ".parquet": lambda tmp: out.to_parquet(tmp, index=False),
        ".pq": lambda tmp: out.to_parquet(tmp, index=False),
        ".csv": lambda tmp: _write_csv(out, tmp),
        ".xlsx": lambda tmp: out.to_excel(tmp, index=False, engine="openpyxl"),
    }
    with _atomic(path) as tmp:
        writer[suffix](tmp)
    return path


def _write_csv(frame: pd.DataFrame, path: Path | IO[str], *, header: bool = True) -> None:
    """UTF-8 CSV with "\\n" line ends; every text value quoted if any holds a bare CR.

    Python's csv quotes values containing the delimiter, the quote or "\\n"
    (the line end), but not a carriage return or the other Unicode line
    breaks; such a value would split its row in most readers.  Only tables
    holding one are written with every text value quoted, so ordinary tables
    stay byte-for-byte what they were.
    """
    odd = any(
        _is_text(column)
        and bool(column.astype("string").str.contains(_OTHER_BREAKS.pattern, regex=True).any())
        for _, column in frame.items()
    ) or any(_OTHER_BREAKS.search(str(c)) for c in frame.columns)
    quoting: Literal[0, 2] = 2 if odd else 0  # csv.QUOTE_NONNUMERIC, csv.QUOTE_MINIMAL
    frame.to_csv(
        path, index=False, header=header, lineterminator="\n", quoting=quoting, encoding="utf-8"
    )


def _plain_attrs(attrs: dict[Any, Any]) -> dict[Any, Any]:
    """The attrs Parquet can keep (JSON-able); notes like a reader's report are plain dicts."""
    import json

    kept = {}
    for key, value in attrs.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        kept[key] = value
    return kept


def write_text_atomic(text: str, path: str | Path) -> Path:
    """Write UTF-8 text (an HTML page, a JSON document) atomically, like :func:`write_table`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"{path}: cannot create its folder ({exc.strerror or exc})") from None
    with _atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path``, renamed onto it when the block completes.

    On any error -- and on KeyboardInterrupt -- the temporary file is removed
    and ``path`` is left as it was.
    """
    try:
        fd, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}"
        )
    except OSError as exc:
        raise DataError(f"{path}: cannot write ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except UnicodeEncodeError as exc:
        tmp.unlink(missing_ok=True)
        bad = exc.object[exc.start : exc.end]
        raise DataError(
            f"{path}: a value holds {bad!r}, which cannot be written as UTF-8 ({exc.reason})"
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """Permissions of the file being replaced, or the default ones for a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def check_writable(
    path: str | Path,
    *,
    suffixes: tuple[str, ...] = WRITE_SUFFIXES,
    inputs: Iterable[str | Path | None] = (),
) -> Path:
    """Make sure ``path`` can be written (its folder is created); raise if not.

    Called before long work so that a bad ``--out`` fails at once.

    Parameters
    ----------
    path : str or Path
        The output.
    suffixes : tuple of str
        The suffixes allowed.
    inputs : iterable of paths
        Files the same command reads; ``path`` must not be one of them (None is skipped).

    Raises
    ------
    UsageError
        The suffix is not one of ``suffixes``, or ``path`` is one of ``inputs``.
    DataError
        The path is a folder or a read-only file, or its folder cannot be
        created or written.
    """
    path = Path(path)
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise UsageError(
                f"{path}: the output would overwrite the input file {source}; "
                "choose another output name"
            )
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
    if path.exists() and not os.access(path, os.W_OK):
        raise DataError(f"{path}: the file is read-only")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


_EXCEL_CELL_LIMIT = 32_767


def _xlsx_cells(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Text cells escaped for XLSX (``_xHHHH_``); cells too long for Excel refused."""
    out = frame.copy()
    out.columns = [_xlsx_escape(c) if isinstance(c, str) else c for c in out.columns]
    for position, name in enumerate(out.columns):
        column = out.iloc[:, position]
        if not _is_text(column):
            continue
        as_str = column.astype("string")
        lengths = as_str.str.len()
        too_long = (lengths > _EXCEL_CELL_LIMIT).to_numpy(dtype=bool, na_value=False)
        if too_long.any():
            row = int(too_long.nonzero()[0][0])
            raise DataError(
                f"{path}: row {row + 1}, column {name}: {int(lengths.iloc[row]):,} characters "
                f"do not fit an Excel cell ({_EXCEL_CELL_LIMIT:,}); write .csv or .parquet instead"
            )
        special = as_str.str.contains(_XLSX_ESCAPE, na=False).to_numpy(dtype=bool)
        if special.any():
            values = column.to_numpy(dtype=object, copy=True)
            values[special] = [_xlsx_escape(str(v)) for v in as_str[special]]
            out.isetitem(position, values)
    return out


def _warn_blank_tail(frame: pd.DataFrame, path: Path) -> None:
    """A sheet ends at its last cell with a value: trailing rows without one are not kept."""
    filled = (frame.astype("string").fillna("") != "").any(axis=1).to_numpy(dtype=bool)
    blank_tail = len(filled) - (int(filled.nonzero()[0][-1]) + 1 if filled.any() else 0)
    if blank_tail:
        _warn(
            f"{path}: the last {blank_tail:,} row(s) have no value in any column; a workbook "
            "does not keep empty rows at its end -- write .csv or .parquet to keep them"
        )


def _xlsx_escape(text: str) -> str:
    return _XLSX_ESCAPE.sub(
        lambda m: "_x005F" + m.group(0) if len(m.group(0)) > 1 else f"_x{ord(m.group(0)):04X}_",
        text,
    )


def _xlsx_unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return _XLSX_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
