"""Responsibility: the rules, table-driven; the lost-reason table; the reasons in words."""

from __future__ import annotations

import pandas as pd
import pytest

from triage.charter import load_charter
from triage.config import get_settings
from triage.errors import DataError
from triage.verdict import (
    RULES,
    LostReasons,
    assign_responsibility,
    load_lost_reasons,
    map_lost_reasons,
    what_would_change,
)

AGREED = load_charter(get_settings().agreed_charter)

# charter verdict, failed, marketing, sales, status, lost reason, decoded status, score -> class
CASES = [
    ("target", "", "target", "target", "won", "", "decoded", 95, "won"),
    ("target", "", "target", "target", "open", "", "decoded", 95, "open"),
    ("target", "", "target", "", "", "", "decoded", 95, "open"),
    ("target", "", "target", "target", "lost", "нет в наличии", "decoded", 95, "lost_business"),
    ("target", "", "target", "target", "lost", "Дорого!", "decoded", 95, "lost_business"),
    (
        "target",
        "",
        "target",
        "target",
        "lost",
        "купил в другом мсте",
        "decoded",
        95,
        "lost_business",
    ),
    ("target", "", "target", "target", "lost", "передумал.", "decoded", 95, "lost_business"),
    (
        "target",
        "",
        "target",
        "non_target",
        "lost",
        "непонятный запрос",
        "decoded",
        95,
        "sales_miss",
    ),
    ("target", "", "target", "target", "lost", "не дозвонилсь", "decoded", 95, "sales_miss"),
    ("target", "", "target", "target", "lost", "", "decoded", 95, "sales_miss"),
    ("target", "", "target", "non_target", "lost", "не наша марка", "decoded", 95, "sales_miss"),
    (
        "target",
        "",
        "target",
        "non_target",
        "lost",
        "не наша марка",
        "ambiguous",
        40,
        "needs_review",
    ),
    (
        "target",
        "",
        "target",
        "target",
        "lost",
        "клиент уехал на дачу",
        "decoded",
        95,
        "needs_review",
    ),
    (
        "non_target",
        "opel_only",
        "target",
        "non_target",
        "lost",
        "не наша марка",
        "other_make",
        0,
        "marketing_miss",
    ),
    ("non_target", "served_region", "target", "target", "won", "", "decoded", 90, "marketing_miss"),
    (
        "non_target",
        "part_request",
        "non_target",
        "non_target",
        "lost",
        "спам",
        "not_a_part",
        0,
        "correct_reject",
    ),
    ("non_target", "reachable", "", "non_target", "lost", "", "decoded", 90, "correct_reject"),
    (
        "non_target",
        "missing:reachable",
        "target",
        "target",
        "lost",
        "",
        "decoded",
        90,
        "needs_review",
    ),
]


def _frame(cases: list[tuple]) -> pd.DataFrame:
    columns = [
        "charter_verdict",
        "charter_failed",
        "marketing_verdict",
        "sales_verdict",
        "status",
        "lost_reason",
        "decoded_status",
        "decoded_score",
        "expected",
    ]
    frame = pd.DataFrame(cases, columns=columns)
    frame["decoded_name"] = "Привод передний левый Opel Astra J"
    frame["region"] = "Москва"
    frame["decoded_make"] = "Opel"
    return frame


@pytest.mark.parametrize("case", CASES, ids=[f"{c[-1]}:{c[5] or c[4]}" for c in CASES])
def test_rules(case) -> None:
    frame = _frame([case])
    got = assign_responsibility(frame, charter=AGREED).frame
    assert got["responsibility"].iloc[0] == case[-1]
    assert got["responsibility_reason_ru"].iloc[0].endswith(".")
    assert got["responsibility_reason_en"].iloc[0].endswith(".")


def test_every_class_of_the_rule_table_is_exercised() -> None:
    assert {c for c, _ in RULES} == {case[-1] for case in CASES}


def test_undecoded_request_flag() -> None:
    frame = _frame(CASES)
    got = assign_responsibility(frame, charter=AGREED).frame
    flagged = got["undecoded_request"].fillna(False)
    assert flagged[7]  # "непонятный запрос" on a request the decoder read with confidence
    assert not flagged[0] and not flagged[13]
    assert "расшифровал" in got["responsibility_reason_ru"][7]


def test_lost_reason_table_maps_variants_and_lists_unmapped() -> None:
    table = load_lost_reasons()
    text = pd.Series(
        ["Нет в наличи", "не берёт трубку", "ДОРОГО", "дубль.", None, "", "марсиане", "марсиане"]
    )
    classes, unmapped = map_lost_reasons(text, table)
    assert classes.tolist() == [
        "no_stock",
        "no_answer",
        "price",
        "duplicate",
        "",
        "",
        "unmapped",
        "unmapped",
    ]
    assert unmapped.to_dict(orient="records") == [{"text": "марсиане", "leads": 2}]


def test_a_users_own_table_and_its_errors(tmp_path) -> None:
    path = tmp_path / "reasons.csv"
    path.write_text("reason_class,text\nprice,too pricey\nno_stock,sold out\n", encoding="utf-8")
    table = load_lost_reasons(path)
    classes, _ = map_lost_reasons(pd.Series(["Too pricey!", "SOLD OUT"]), table)
    assert classes.tolist() == ["price", "no_stock"]
    bad = tmp_path / "bad.csv"
    bad.write_text("reason_class,text\nprice,дорого\nno_stock,Дорого\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv: row 3, field text: 'дорого' is both"):
        load_lost_reasons(bad)


def test_responsibility_needs_a_judged_frame() -> None:
    with pytest.raises(DataError, match="judge the leads first"):
        assign_responsibility(pd.DataFrame({"status": ["won"]}), lost_reasons=LostReasons({}))


def test_what_would_change_is_split_by_who_controls_it() -> None:
    frame = _frame(CASES)
    found = assign_responsibility(frame, charter=AGREED).frame
    rows = frame.join(found.drop(columns=[c for c in found.columns if c in frame.columns]))
    other_make = what_would_change(rows.iloc[13], charter=AGREED, locale="en")
    assert other_make["marketing"] and not other_make["sales"]
    assert "Opel" in other_make["marketing"][0]
    unclear = what_would_change(rows.iloc[7], charter=AGREED, locale="ru")
    assert unclear["sales"] and "Привод передний левый" in unclear["sales"][0]
    unreachable = what_would_change(rows.iloc[8], charter=AGREED, locale="en")
    assert "reach the client" in unreachable["sales"]
