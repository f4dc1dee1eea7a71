"""Reading and writing tables: encodings, delimiters, lossless numbers, safe exports."""

from __future__ import annotations

import pandas as pd
import pytest

from triage.errors import DataError
from triage.io import check_writable, escape_formulas, read_table, write_table


def test_numbers_are_converted_only_when_nothing_is_lost(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text(
        "account,amount,price,phone,code,qty\n"
        "40817810099910004312,1.10,12.5,+79161234567,007,3\n"
        "40817810099910004313,2.00,3.25,89161234567,010,\n",
        encoding="utf-8",
    )
    frame = read_table(src)
    assert frame["account"].tolist() == ["40817810099910004312", "40817810099910004313"]
    assert frame["amount"].tolist() == ["1.10", "2.00"]  # trailing zeros as written
    assert frame["price"].tolist() == [12.5, 3.25]
    assert frame["phone"].tolist() == ["+79161234567", "89161234567"]
    assert frame["code"].tolist() == ["007", "010"]
    assert str(frame["qty"].dtype) == "Int64"
    assert frame["qty"].iloc[0] == 3
    assert pd.isna(frame["qty"].iloc[1])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "koi8-r", "utf-16"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_any_common_encoding_and_delimiter(tmp_path, encoding, sep):
    src = tmp_path / "crm.csv"
    text = f"Запрос{sep}Регион\nпривод левый астра{sep}Москва\nколодки{sep}Тверская область\n"
    src.write_bytes(text.encode(encoding))
    frame = read_table(src)
    assert list(frame.columns) == ["Запрос", "Регион"]
    assert frame["Регион"].tolist() == ["Москва", "Тверская область"]


def test_blank_lines_are_rows_not_lost(tmp_path):
    src = tmp_path / "one_column.csv"
    src.write_text("text\nпривод\n\nколодки\n", encoding="utf-8")
    assert len(read_table(src)) == 3


def test_a_row_with_extra_fields_is_named(tmp_path):
    src = tmp_path / "extra.csv"
    src.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(
        DataError, match=r"extra\.csv: line 3 \(data row 2\) has 3 fields, the header has 2"
    ):
        read_table(src)


def test_formula_cells_and_headers_are_escaped():
    frame = pd.DataFrame(
        {'=HYPERLINK("http://x")': ["=1+1", "@SUM(A1)", "-2+3", "+7 916 123-45-67", "ok"]}
    )
    out = escape_formulas(frame)
    assert list(out.columns) == ['\'=HYPERLINK("http://x")']
    assert out.iloc[:, 0].tolist() == ["'=1+1", "'@SUM(A1)", "'-2+3", "+7 916 123-45-67", "ok"]
    assert frame.iloc[0, 0] == "=1+1"  # the input is not modified


def test_xlsx_export_refuses_to_truncate(tmp_path):
    frame = pd.DataFrame({"text": ["short", "x" * 40_000]})
    with pytest.raises(DataError, match=r"row 2, column text: 40,000 characters"):
        write_table(frame, tmp_path / "o.xlsx")


def test_unwritable_destinations_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        check_writable(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataError, match="cannot create its folder"):
        write_table(pd.DataFrame({"a": [1]}), blocker / "sub" / "o.csv")


def test_round_trip_through_every_format(tmp_path):
    frame = pd.DataFrame({"id": ["L1", "L2"], "text": ["привод", "=cmd"], "n": [1, 2]})
    for suffix in (".csv", ".xlsx", ".parquet"):
        path = write_table(frame, tmp_path / f"o{suffix}")
        back = read_table(path)
        assert back["id"].tolist() == ["L1", "L2"]
        assert back["text"].iloc[0] == "привод"
        assert back["text"].iloc[1] in ("'=cmd", "=cmd")  # escaped except in Parquet
