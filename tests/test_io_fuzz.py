"""Property tests of the reading and writing contracts (issue 8).

* any bytes given as a table give either rows or a one-line DataError, never another exception;
* any text given as a charter or a lead mapping gives a charter or a one-line DataError;
* what the CSV and XLSX writers write, the reader reads back cell for cell.
"""

from __future__ import annotations

import csv
import io
import string
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from triage.charter import Charter, load_charter, parse_charter
from triage.errors import DataError
from triage.io import escape_formulas, read_table, write_table
from triage.io.yaml import read_yaml

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _one_line(exc: DataError) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text


# --------------------------------------------------------------------------- the reader

# CSV-shaped text: the characters that break parsers, in lines of fields.
_CSV_CHARS = st.sampled_from(list("ab,;\t|\"'\r\n =+-@1., \x00\u00a0я"))
_CSV_TEXT = st.lists(
    st.lists(st.text(_CSV_CHARS, max_size=6), min_size=1, max_size=5).map(",".join),
    min_size=1,
    max_size=8,
).map("\n".join)


def _read_any(path: Path, quarantine: Path | None = None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            frame = read_table(path, quarantine=quarantine)
        except DataError as exc:
            _one_line(exc)
            return
    report = frame.attrs["read_report"]
    assert report["rows"] == len(frame)
    assert report["records"] == report["rows"] + report["quarantined"]


@FAST
@given(raw=st.binary(max_size=400))
def test_any_bytes_give_rows_or_a_one_line_error(folder, raw) -> None:
    path = folder / "any.csv"
    path.write_bytes(raw)
    _read_any(path)


@FAST
@given(text=_CSV_TEXT, encoding=st.sampled_from(["utf-8", "cp1251", "utf-16"]))
@example(text=",1\n,1\u00a0", encoding="utf-8")  # found by a random run: numbers with a NBSP
def test_csv_shaped_text_gives_rows_or_a_one_line_error(folder, text, encoding) -> None:
    path = folder / "shaped.csv"
    path.write_bytes(text.encode(encoding, "replace"))
    _read_any(path)
    _read_any(path, quarantine=folder / "aside.csv")


@FAST
@given(text=_CSV_TEXT)
def test_every_record_is_read_or_set_aside(folder, text) -> None:
    """Rows out plus rows set aside is the number of records a quote-aware parser counts."""
    path = folder / "counted.csv"
    path.write_text(text, encoding="utf-8", newline="")
    aside = folder / "counted_aside.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            frame = read_table(path, quarantine=aside, infer_numbers=False)
        except DataError as exc:  # an unreadable header or duplicate names: refused whole
            _one_line(exc)
            return
    report = frame.attrs["read_report"]
    assert report["rows"] + report["quarantined"] == report["records"]
    assert len(pd.read_csv(aside)) == report["quarantined"]


@settings(max_examples=30, deadline=None)
@given(raw=st.binary(min_size=1, max_size=300))
def test_any_bytes_as_xlsx_or_parquet_give_a_one_line_error(tmp_path_factory, raw) -> None:
    folder = tmp_path_factory.mktemp("bin")
    for suffix in (".xlsx", ".parquet"):
        path = folder / f"any{suffix}"
        path.write_bytes(raw)
        _read_any(path)


# --------------------------------------------------------------------------- the YAML reader

_YAML_CHARS = st.characters(codec=None, exclude_categories=())
_SCALARS = st.one_of(
    st.text(_YAML_CHARS, max_size=12),
    st.sampled_from(
        [
            "2026-02-30",
            "2026-13-01",
            "1e999",
            "0x1F",
            "!!binary aGVsbG8=",
            "&a x",
            "*a",
            '"\\ud800"',
            '"\\0"',
            '"\\x07"',
            "[",
            "{",
            "~",
            "'",
            "- a",
            "? x",
            "%TAG",
        ]
    ),
)
_TEMPLATE = (
    "charter: {0}\nversion: {1}\neffective_from: {2}\nsettings: {{duplicate_window_days: {3}}}\n"
    "criteria:\n  - id: {4}\n    title: {5}\n    rule: {{field: {6}, op: {7}, value: {8}}}\n"
)


@FAST
@given(text=st.text(_YAML_CHARS, max_size=200))
def test_any_text_gives_a_charter_or_a_one_line_error(text) -> None:
    try:
        charter = parse_charter(text)
    except DataError as exc:
        assert str(exc)  # CharterError lists several problems, one per line, each with its place
        assert "Traceback" not in str(exc)
        return
    assert isinstance(charter, Charter)


@FAST
@given(values=st.lists(_SCALARS, min_size=9, max_size=9))
def test_charter_shaped_text_gives_a_charter_or_an_error(values) -> None:
    text = _TEMPLATE.format(*values)
    try:
        charter = parse_charter(text)
    except DataError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    assert isinstance(charter, Charter)


@FAST
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_a_charter_or_mapping_file(folder, raw) -> None:
    path = folder / "any.yaml"
    path.write_bytes(raw)
    try:
        load_charter(path)
    except DataError as exc:
        assert "Traceback" not in str(exc)
    try:
        read_yaml(path, what="mapping")
    except DataError as exc:
        _one_line(exc)


# --------------------------------------------------------------------------- the writers

# Every text a cell may hold and UTF-8 can carry (lone surrogates cannot be written).
_CELL_CHARS = st.characters(codec="utf-8")
_TRICKY = st.sampled_from(
    ["\r", "\n", "\r\n", '"', ",", ";", "\t", "=", "+", "-", "@", " ", "_x000D_", "\u2028", "'"]
)
_CELL = st.lists(st.one_of(st.text(_CELL_CHARS, max_size=4), _TRICKY), max_size=5).map("".join)


def _frames(max_columns: int) -> st.SearchStrategy[pd.DataFrame]:
    def build(columns: int, rows: list[list[str]]) -> pd.DataFrame:
        names = [f"c{i}" for i in range(columns)]
        return pd.DataFrame([row[:columns] for row in rows], columns=names, dtype=object)

    return st.integers(1, max_columns).flatmap(
        lambda n: st.lists(st.lists(_CELL, min_size=n, max_size=n), min_size=1, max_size=6).map(
            lambda rows: build(n, rows)
        )
    )


def _as_read(frame: pd.DataFrame) -> list[list[object]]:
    """Cells as the reader gives them back: empty cells are missing values."""
    return [[None if (pd.isna(v) or v == "") else v for v in row] for row in frame.values.tolist()]


def _round_trip(frame: pd.DataFrame, path: Path) -> None:
    write_table(frame, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = read_table(path, infer_numbers=False)
    assert list(back.columns) == list(frame.columns)
    assert _as_read(back) == _as_read(escape_formulas(frame))


@FAST
@given(frame=_frames(4))
def test_csv_round_trips_every_cell(folder, frame) -> None:
    _round_trip(frame, folder / "round.csv")


@settings(max_examples=60, deadline=None)
@given(frame=_frames(3))
def test_xlsx_round_trips_every_cell(tmp_path_factory, frame) -> None:
    # A workbook ends at its last value: trailing empty rows are not kept (with a warning).
    assume(frame.iloc[-1].ne("").any())
    _round_trip(frame, tmp_path_factory.mktemp("x") / "round.xlsx")


@FAST
@given(frame=_frames(3))
def test_every_csv_reader_sees_the_same_rows(folder, frame) -> None:
    """Python's csv module agrees with triage on rows and cells: no line break escapes."""
    path = folder / "readers.csv"
    write_table(frame, path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    assert len(rows) == len(frame) + 1
    assert rows[1:] == escape_formulas(frame).values.tolist()


# What a formula needs and a number or phone number never holds.
_FORMULA_CHARS = set(string.ascii_letters + "=@*/^&!:;'\"$%<>[]{}|~")


@FAST
@given(cell=st.text(string.printable + "\u00a0\u2009\uff1d\uff0b", max_size=12))
def test_escaped_cells_never_start_a_formula(cell) -> None:
    out = escape_formulas(pd.DataFrame({"t": [cell]}))["t"].iloc[0]
    assert out in (cell, "'" + cell)
    if out != cell:
        return
    start = cell.lstrip()[:1]
    assert start not in ("=", "@", "\uff1d") and cell[:1] not in ("\t", "\r"), repr(cell)
    if start in ("+", "-", "\uff0b"):  # left as is: a number or a phone number, nothing to run
        assert not _FORMULA_CHARS & set(cell), repr(cell)
