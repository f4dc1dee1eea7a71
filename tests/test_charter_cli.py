"""The charter and agreement commands, through ``main([...])``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from triage.cli import main
from triage.config import get_settings

CHARTERS_DIR = get_settings().charters_dir

DATA = Path(__file__).parent / "data"
CRM = str(DATA / "crm_export_example.csv")
MAP = str(DATA / "crm_mapping.yaml")
AGREED = str(CHARTERS_DIR / "agreed.yaml")
MARKETING = str(CHARTERS_DIR / "marketing.yaml")
SALES = str(CHARTERS_DIR / "sales.yaml")
CRM_CHARTER = str(DATA / "charter_crm.yaml")


def test_check_prints_rules_in_words(capsys) -> None:
    assert main(["charter", "check", AGREED, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "opel_only" in out and "A part for an Opel" in out
    assert "decoded_make is one of Opel" in out
    assert "phone_valid equals true or email_valid equals true" in out
    assert "signal" in out


def test_check_russian(capsys) -> None:
    assert main(["charter", "check", AGREED]) == 0
    assert "Запчасть на Opel" in capsys.readouterr().out


def test_check_reports_problems_with_position(capsys) -> None:
    assert main(["charter", "check", str(DATA / "charter_bad.yaml")]) == 1
    err = capsys.readouterr().err
    assert (
        "charter_bad.yaml:4:31: criterion 'region': unknown op 'equals'; did you mean 'eq'?" in err
    )
    assert "charter_bad.yaml:5:5: duplicate criterion id 'region'" in err


def test_check_against_crm_export(capsys, tmp_path: Path) -> None:
    assert main(["charter", "check", CRM_CHARTER, "--leads", CRM, "--map", MAP]) == 0
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "charter: c\ncriteria:\n  - id: a\n    rule: {field: regoin, op: eq, value: x}\n",
        encoding="utf-8",
    )
    assert main(["charter", "check", str(bad), "--leads", CRM, "--map", MAP]) == 1
    err = capsys.readouterr().err
    assert (
        "c.yaml:4:11: criterion 'a': unknown field 'regoin'" in err
        and "did you mean 'region'" in err
    )


def test_evaluate_crm_export_keeps_every_row_and_column(capsys, tmp_path: Path) -> None:
    out_path = tmp_path / "evaluated.csv"
    assert (
        main(
            [
                "charter",
                "evaluate",
                CRM_CHARTER,
                "--leads",
                CRM,
                "--map",
                MAP,
                "--out",
                str(out_path),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "1 lead(s) have a created_at that cannot be read" in captured.err
    assert "served_region" in captured.out
    result = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    source = pd.read_csv(CRM, sep=";", encoding="cp1251", dtype=str, keep_default_na=False)
    assert len(result) == len(source) == 12
    assert result.columns[:12].tolist() == [
        "lead_id",
        "created_at",
        "channel",
        "campaign",
        "region",
        "phone",
        "email",
        "request_text",
        "marketing_verdict",
        "sales_verdict",
        "status",
        "manager",
    ]
    assert result["created_at"].tolist() == source["Дата"].tolist()
    by_id = result.set_index("lead_id")
    assert by_id.loc["1001", "charter_verdict"] == "target"
    assert by_id.loc["1004", "charter_failed"] == "served_region"  # Новосибирская область
    assert by_id.loc["1005", "charter_failed"] == "reachable;mentions_opel"
    assert by_id.loc["1006", "crit_not_duplicate"] == ""  # unreadable date: empty, row kept
    assert by_id.loc["1006", "charter_failed"] == "missing:not_duplicate"
    assert by_id.loc["1008", "crit_not_duplicate"] == "False"  # same phone as 1001 two days later
    assert by_id.loc["1010", "request_text"].startswith("'=HYPERLINK")  # formula escaped on export


def test_evaluate_without_decoder_leaves_decoded_criteria_empty(capsys, tmp_path: Path) -> None:
    out_path = tmp_path / "e.parquet"
    code = main(
        [
            "charter",
            "evaluate",
            AGREED,
            "--leads",
            CRM,
            "--map",
            MAP,
            "--out",
            str(out_path),
            "--no-decode",
        ]
    )
    assert code == 0
    result = pd.read_parquet(out_path)
    assert result["crit_opel_only"].isna().all()
    assert (result["charter_verdict"] == "non_target").all()
    assert result["charter_failed"].str.contains("missing:opel_only").all()
    assert "left empty" in capsys.readouterr().err


def test_evaluate_usage_errors(capsys, tmp_path: Path) -> None:
    assert main(["charter", "evaluate", AGREED, "--leads", CRM]) == 2
    assert (
        main(["charter", "evaluate", AGREED, "--leads", CRM, "--out", str(tmp_path / "x.txt")]) == 2
    )
    assert (
        main(
            ["charter", "evaluate", AGREED, "--leads", "nope.csv", "--out", str(tmp_path / "x.csv")]
        )
        == 1
    )
    assert "leads file not found" in capsys.readouterr().err
    assert main(["charter"]) == 2


def test_diff_in_words(capsys) -> None:
    assert main(["charter", "diff", MARKETING, SALES]) == 0
    out = capsys.readouterr().out
    assert "only in B" in out and "opel_only" in out
    assert "decoded_status equals decoded" in out


def test_diff_on_leads_writes_html_and_json(capsys, tmp_path: Path) -> None:
    other = tmp_path / "strict.yaml"
    other.write_text(
        Path(CRM_CHARTER)
        .read_text(encoding="utf-8")
        .replace("charter: crm_only", "charter: strict")
        .replace("Тульская область]", "Москва]"),
        encoding="utf-8",
    )
    html = tmp_path / "diff.html"
    args = ["charter", "diff", CRM_CHARTER, str(other), "--leads", CRM, "--map", MAP]
    assert main([*args, "--out", str(html)]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa" in out and "B drops Тульская область" in out
    page = html.read_text(encoding="utf-8")
    assert "B drops Тульская область" in page and "<script" not in page
    js = tmp_path / "diff.json"
    assert main([*args, "--out", str(js)]) == 0
    summary = json.loads(js.read_text(encoding="utf-8"))
    assert summary["n_leads"] == 12
    assert summary["target_a"] >= summary["target_b"]
    assert summary["splitters"][0]["criterion"] == "served_region"


def test_agreement_on_crm_export(capsys, tmp_path: Path) -> None:
    out_path = tmp_path / "agreement.csv"
    code = main(
        [
            "agreement",
            "--leads",
            CRM,
            "--map",
            MAP,
            "--by",
            "manager",
            "--charter",
            CRM_CHARTER,
            "--out",
            str(out_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Target leads counted by marketing" in out and "Иванов" in out
    table = pd.read_csv(out_path)
    overall = table.iloc[0]
    assert overall["group"] == "all"
    assert (overall["leads"], overall["marketing_target"], overall["sales_target"]) == (12, 8, 5)
    assert overall["both_verdicts"] == 11
    assert table["group"].tolist() == ["all", "Иванов", "Петров", "Сидоров"]


def test_agreement_by_month_without_charter(capsys) -> None:
    assert main(["agreement", "--leads", CRM, "--map", MAP, "--by", "month", "--no-charter"]) == 0
    out = capsys.readouterr().out
    assert "2026-01" in out and "(no date)" in out


def test_agreement_usage_errors(capsys) -> None:
    assert main(["agreement", "--leads", CRM, "--map", MAP, "--by", "nothing", "--no-charter"]) == 2
    assert "cannot group by 'nothing'" in capsys.readouterr().err
    assert (
        main(["agreement", "--leads", CRM, "--no-charter"]) == 1
    )  # no mapping: no verdict columns


def test_evaluate_decodes_when_the_charter_needs_it(capsys, tmp_path: Path) -> None:
    out_path = tmp_path / "decoded.csv"
    code = main(
        [
            "charter",
            "evaluate",
            AGREED,
            "--leads",
            CRM,
            "--map",
            MAP,
            "--catalog",
            str(DATA / "charter_catalog.csv"),
            "--out",
            str(out_path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    result = pd.read_csv(out_path, dtype=str, keep_default_na=False).set_index("lead_id")
    assert "decoded_make" in result.columns and "decoded_status" in result.columns
    assert result.loc["1001", "crit_opel_only"] == "True"
    assert result.loc["1002", "crit_opel_only"] == "False"  # Peugeot
    assert result.loc["1002", "charter_verdict"] == "non_target"
    assert result.loc["1012", "crit_part_request"] in ("False", "")  # empty request
    assert len(result) == 12
