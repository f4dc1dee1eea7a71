"""`triage decode` on the command line: one text, files, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from triage.cli import main
from triage.schema import DECODED_COLUMNS

DATA = Path(__file__).parent / "data"
MINI = str(DATA / "mini_catalog.csv")


def _decode_file(src, column, out) -> int:
    """``triage decode --input SRC --text-column COLUMN --catalog MINI --out OUT``."""
    argv = ["--input", str(src), "--text-column", column, "--catalog", MINI, "--out", str(out)]
    return main(["decode", *argv])


def test_single_text_prints_result_and_candidates(capsys):
    assert main(["decode", "--catalog", MINI, "привод левый астра джей"]) == 0
    out = capsys.readouterr().out
    assert "decoded" in out
    assert "S1" in out or "S7" in out
    assert "candidates" in out


def test_single_text_as_json(capsys):
    assert main(["decode", "--catalog", MINI, "--json", "граната на пежо 308"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["decoded_status"] == "other_make"
    assert payload["decoded_make"] == "Peugeot"


def test_file_keeps_every_row_and_column_in_order(tmp_path, capsys):
    src = tmp_path / "requests.csv"
    pd.DataFrame(
        {
            "id": [3, 1, 2, 4],
            "note": ["a", "b", "c", "d"],
            "text": ["привод левый астра j", "", "ищу работу", "колодки передние корса д"],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "decoded.csv"
    assert _decode_file(src, "text", out) == 0
    result = pd.read_csv(out, keep_default_na=False)
    assert list(result.columns) == ["id", "note", "text", *DECODED_COLUMNS]
    assert result["id"].tolist() == [3, 1, 2, 4]
    assert result["decoded_status"].tolist() == ["decoded", "empty", "not_a_part", "decoded"]
    assert "decoded 4 rows" in capsys.readouterr().err


def test_excel_style_cp1251_semicolon_csv_just_works(tmp_path):
    src = tmp_path / "excel.csv"
    src.write_bytes(
        "№;Запрос клиента\n1;граната на киа рио\n2;мозги на инсигнию b\n".encode("cp1251")
    )
    out = tmp_path / "out.parquet"
    assert _decode_file(src, "Запрос клиента", out) == 0
    result = pd.read_parquet(out)
    assert result["decoded_status"].tolist() == ["other_make", "decoded"]
    assert result.loc[1, "decoded_sku"] == "S11"


def test_formula_injection_is_neutralised_in_csv(tmp_path):
    src = tmp_path / "r.csv"
    pd.DataFrame({"text": ['=HYPERLINK("http://x")', "+7 916 123-45-67"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    assert _decode_file(src, "text", out) == 0
    raw = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw
    assert "'+7 916" not in raw  # a phone number is not a formula


def test_huge_request_and_nulls_do_not_crash(tmp_path):
    src = tmp_path / "r.csv"
    pd.DataFrame({"text": ["привод " * 15000, None, "колодки"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    assert _decode_file(src, "text", out) == 0
    assert len(pd.read_csv(out)) == 3


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["decode"], 2, "give a request TEXT or --input"),
        (["decode", "--input", "x.csv", "--out", "o.csv"], 2, "--text-column"),
        (["decode", "--input", "x.csv", "--text-column", "t"], 2, "--out"),
        (["decode", "привод левый астра j"], 2, "give --catalog FILE"),
        (["decode", "--top-k", "0", "x"], 2, "--top-k"),
        (["decode", "--top-k", "many", "x"], 2, "expected a whole number"),
        (
            ["decode", "--catalog", "/nonexistent/cat.csv", "x"],
            1,
            "/nonexistent/cat.csv: catalog file not found",
        ),
    ],
)
def test_usage_and_data_errors(argv, code, message, capsys):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_missing_text_column_names_file_and_columns(tmp_path, capsys):
    src = tmp_path / "r.csv"
    src.write_text("id,request\n1,привод\n", encoding="utf-8")
    assert _decode_file(src, "text", tmp_path / "o.csv") == 1
    err = capsys.readouterr().err
    assert "r.csv" in err and "missing column(s) text" in err and "request" in err


def test_empty_and_binary_files_are_data_errors(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _decode_file(empty, "t", tmp_path / "o.csv") == 1
    assert "empty.csv: the requests file is empty" in capsys.readouterr().err
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip at all")
    assert _decode_file(bad, "t", tmp_path / "o.csv") == 1
    assert "bad.xlsx: cannot read the requests file" in capsys.readouterr().err


def test_help_lists_subcommands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("decode", "synth", "charter", "agreement", "demo"):
        assert command in out


def test_unwritable_out_fails_before_any_work(tmp_path, capsys):
    src = tmp_path / "r.csv"
    src.write_text("text\nпривод\n", encoding="utf-8")
    folder = tmp_path / "looks_like.csv"
    folder.mkdir()
    assert _decode_file(src, "text", folder) == 1  # a folder, not a file
    err = capsys.readouterr().err
    assert "is a folder" in err and "Traceback" not in err
    assert _decode_file(src, "text", "/proc/nope/o.csv") == 1
    assert "/proc/nope/o.csv" in capsys.readouterr().err


def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    """Sets must never decide the evidence: run under two hash seeds, compare bytes."""
    import os
    import subprocess
    import sys

    src = tmp_path / "r.csv"
    texts = [
        "maslianij fil'tr astra h",
        "fil'tr maslianij na korsu d",
        "штука которая колесо крутит астра",
    ]
    pd.DataFrame({"text": texts}).to_csv(src, index=False)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"o{seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        argv = [
            "decode",
            "--input",
            str(src),
            "--text-column",
            "text",
            "--catalog",
            MINI,
            "--out",
            str(out),
        ]
        code = "import sys; from triage.cli import main; sys.exit(main(sys.argv[1:]))"
        subprocess.run(
            [sys.executable, "-c", code, *argv], check=True, env=env, capture_output=True
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_price_list_export_is_a_catalog(capsys):
    catalog = str(DATA / "pricelist_ru_catalog.csv")  # columns Артикул, Наименование, Цена
    assert main(["decode", "--catalog", catalog, "--json", "фильтр салона шевроле круз"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["decoded_status"], payload["decoded_sku"]) == ("decoded", "K1231A")
