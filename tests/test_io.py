"""Reading and writing tables: encodings, delimiters, lossless numbers, safe exports."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from triage.errors import DataError, TriageWarning, UsageError
from triage.io import (
    check_writable,
    escape_formulas,
    read_table,
    read_table_checked,
    to_number,
    write_table,
    write_text_atomic,
)


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


def test_numbers_padded_with_unicode_spaces_are_numbers(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("qty,price\n1\u00a0,2.5\u2009\n,\u00a03\n", encoding="utf-8")
    frame = read_table(src)
    assert str(frame["qty"].dtype) == "Int64"
    assert frame["qty"].iloc[0] == 1 and pd.isna(frame["qty"].iloc[1])
    assert frame["price"].tolist() == [2.5, 3.0]


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
    message = r"extra\.csv:3: the row has 3 field\(s\), the header has 2"
    with pytest.raises(DataError, match=message):
        read_table(src)


def test_rows_set_aside_are_counted_with_their_lines(tmp_path):
    src = tmp_path / "mixed.csv"
    src.write_text("a,b\n1,2\n3,4,5\n\n6\n7,8\n", encoding="utf-8")
    aside = tmp_path / "aside.csv"
    with pytest.warns(TriageWarning, match=r"2 of 4 data rows read; 2 set aside in .*aside\.csv"):
        frame, report = read_table_checked(src, quarantine=aside)
    assert frame["a"].tolist() == [1, 7]
    assert (report.records, report.rows, report.quarantined, report.blank_lines) == (4, 2, 2, 1)
    assert report.lines == 6
    quarantined = pd.read_csv(aside)
    assert quarantined["line"].tolist() == [3, 5]
    assert quarantined["text"].tolist() == ["3,4,5", "6"]
    assert quarantined["reason"].str.contains("the header has 2").all()


def test_a_clean_file_writes_an_empty_quarantine_and_warns_nothing(tmp_path):
    src = tmp_path / "clean.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    aside = tmp_path / "aside.csv"
    aside.write_text("stale\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = read_table(src, quarantine=aside)
    assert len(frame) == 1 and frame.attrs["read_report"]["quarantined"] == 0
    assert aside.read_text() == "line,last_line,reason,text\n"
    with pytest.raises(UsageError, match="would overwrite the input file"):
        read_table(src, quarantine=src)


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("a,b\n1,2,\n3,4,\n", "every data row ends with an extra comma that the header lacks"),
        ("a;b;\n1;2;\n3;4;\n", "the header and every row end with an extra semicolon"),
    ],
)
def test_trailing_delimiter_exports_are_repaired_with_a_warning(tmp_path, text, repaired):
    src = tmp_path / "t.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.warns(TriageWarning, match=repaired):
        frame = read_table(src)
    assert list(frame.columns) == ["a", "b"]
    assert frame.values.tolist() == [[1, 2], [3, 4]]


def test_a_row_with_an_extra_field_among_others_is_not_repaired(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("a,b\n1,2,\n3,4\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"t\.csv:2: the row has 3 field"):
        read_table(src)


def test_quote_never_closed_is_refused_at_the_line_it_opens(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('id,text\n1,ok\n2,"never closed\n3,x\n4,y\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"q\.csv:3: a quote opened on this line is never closed"):
        read_table(src)


def test_quoted_value_holding_rows_is_read_with_a_warning(tmp_path):
    src = tmp_path / "late.csv"
    src.write_text('id,text,region\n1,"swallowed\n2,t,М\n3,x",М\n4,t,М\n', encoding="utf-8")
    with pytest.warns(TriageWarning, match=r"lines 2-4\); if a quote there is never closed"):
        frame = read_table(src)
    assert frame["id"].tolist() == [1, 4]


def test_legit_multiline_values_and_crlf_are_one_row_each(tmp_path):
    src = tmp_path / "multi.csv"
    src.write_bytes('id,text\r\n1,"привод\r\nлевый"\r\n2,"a\rb"\r\n'.encode())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame, report = read_table_checked(src)
    assert frame["text"].tolist() == ["привод\r\nлевый", "a\rb"]
    assert (report.records, report.lines) == (2, 5)  # a bare CR is a line break too


def test_duplicate_and_blank_column_names(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b, a \n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"dup\.csv:1: column name 'a' appears twice"):
        read_table(dup)
    xlsx = tmp_path / "dup.xlsx"
    pd.DataFrame([["a", "a"], ["1", "2"]]).to_excel(xlsx, index=False, header=False)
    with pytest.raises(DataError, match="column name 'a' appears twice"):
        read_table(xlsx)
    blank = tmp_path / "blank.csv"
    blank.write_text("a,,c\n1,2,3\n", encoding="utf-8")
    with pytest.warns(TriageWarning, match="column\\(s\\) 2 have no name"):
        assert list(read_table(blank).columns) == ["a", "Unnamed: 1", "c"]


def test_a_workbooks_other_sheets_are_named(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="leads", index=False)
        pd.DataFrame({"b": [2]}).to_excel(writer, sheet_name="archive", index=False)
    with pytest.warns(TriageWarning, match="first sheet 'leads' only.*'archive'"):
        assert read_table(path)["a"].tolist() == [1]


def test_russian_numbers_are_parsed():
    written = pd.Series(
        ["1 234,50", "1\u00a0234,50", "1\u2009234", "12 345 ₽", "1.234,50", "1,234.50", "-5",
         "−7", "1,5", "500 руб.", "1.234.567", "около 500", "n/a", "", None]
    )  # fmt: skip
    numbers = to_number(written).tolist()
    assert numbers[:11] == [1234.5, 1234.5, 1234.0, 12345.0, 1234.5, 1234.5, -5.0, -7.0, 1.5,
                            500.0, 1234567.0]  # fmt: skip
    assert all(pd.isna(v) for v in numbers[11:])
    assert to_number(pd.Series([1, None], dtype="Int64")).tolist()[0] == 1.0


def test_formula_cells_and_headers_are_escaped():
    frame = pd.DataFrame(
        {'=HYPERLINK("http://x")': ["=1+1", "@SUM(A1)", "-2+3", "+7 916 123-45-67", "ok"]}
    )
    out = escape_formulas(frame)
    assert list(out.columns) == ['\'=HYPERLINK("http://x")']
    assert out.iloc[:, 0].tolist() == ["'=1+1", "'@SUM(A1)", "'-2+3", "+7 916 123-45-67", "ok"]
    assert frame.iloc[0, 0] == "=1+1"  # the input is not modified


@pytest.mark.parametrize(
    "cell", ["-1-1", "+-1", " =1+1", "\u00a0=1+1", "\n@SUM(A1)", "\t1", "\r=1", "＝1+1", "-x"]
)
def test_every_formula_start_is_neutralised(cell):
    assert escape_formulas(pd.DataFrame({"t": [cell]}))["t"].iloc[0] == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-5", "-1.5", "-1,5", "+7 916 123-45-67", "+7 (916) 123-45-67", " -5", "8-916", "a=b"]
)
def test_numbers_and_phones_are_left_alone(cell):
    assert escape_formulas(pd.DataFrame({"t": [cell]}))["t"].iloc[0] == cell


def test_a_value_with_a_bare_carriage_return_is_quoted(tmp_path):
    path = write_table(pd.DataFrame({"t": ["\r=1+1", "ok"], "n": [1, 2]}), tmp_path / "o.csv")
    assert path.read_bytes() == b'"t","n"\n"\'\r=1+1",1\n"ok",2\n'
    plain = write_table(pd.DataFrame({"t": ["a\nb", "ok"]}), tmp_path / "p.csv")
    assert plain.read_bytes() == b't\n"a\nb"\nok\n'  # ordinary tables are written as always


def test_streamed_csv_quotes_a_bare_carriage_return_in_a_later_chunk(tmp_path):
    import csv
    import io

    from triage.io.stream import ChunkWriter

    out = tmp_path / "scored.csv"
    with ChunkWriter(out) as writer:
        writer.write(pd.DataFrame({"t": ["ok", "=2"], "n": [1, 2]}))
        writer.write(pd.DataFrame({"t": ["\r=1+1", "привод\rлевый"], "n": [3, 4]}))
        writer.close()
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    assert rows == [["t", "n"], ["ok", "1"], ["'=2", "2"], ["'\r=1+1", "3"], ["привод\rлевый", "4"]]


def test_writes_are_atomic_and_keep_permissions(tmp_path, monkeypatch):
    path = tmp_path / "o.csv"
    write_table(pd.DataFrame({"a": [1]}), path)
    path.chmod(0o640)
    write_table(pd.DataFrame({"a": [2]}), path)
    assert path.stat().st_mode & 0o777 == 0o640
    write_text_atomic("<html></html>", tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text() == "<html></html>"

    def interrupted(self, target, *args, **kwargs):
        Path(target).write_text("a\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_table(pd.DataFrame({"a": [3]}), tmp_path / "o.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv", "page.html"]


def test_xlsx_keeps_carriage_returns_and_control_characters(tmp_path):
    cells = ["a\rb", "c\x01d", "_x000D_ as text", "  spaces  ", "line\nbreak"]
    path = write_table(pd.DataFrame({"t": cells}), tmp_path / "o.xlsx")
    assert read_table(path, infer_numbers=False)["t"].tolist() == cells
    with pytest.warns(TriageWarning, match="the last 1 row"):
        write_table(pd.DataFrame({"t": ["x", ""]}), tmp_path / "tail.xlsx")


def test_output_that_is_an_input_is_refused(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n")
    with pytest.raises(UsageError, match="would overwrite the input file"):
        check_writable(tmp_path / "." / "in.csv", inputs=[None, src])
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    with pytest.raises(UsageError, match="would overwrite the input file"):
        check_writable(link, inputs=[src])
    assert check_writable(tmp_path / "out.csv", inputs=[src]) == tmp_path / "out.csv"


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
