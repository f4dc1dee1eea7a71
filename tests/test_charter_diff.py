"""Charter diffs on hand-made pairs, and on leads."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from triage.charter import (
    compare_on_leads,
    diff_charters,
    load_charter,
    parse_charter,
)
from triage.config import get_settings
from triage.report import make_console, render_comparison, render_diff, render_diff_html

CHARTERS_DIR = get_settings().charters_dir

A = """
charter: a
department: marketing
criteria:
  - id: region
    title: {en: Region}
    rule: {field: region, op: in, value: [Москва, Тверь]}
  - id: big
    required: false
    rule: {field: revenue_rub, op: ge, value: 100}
  - id: same
    rule: {field: channel, op: ne, value: avito}
  - id: old_name
    rule: {field: phone, op: not_empty}
  - id: only_a
    rule: {field: request_text, op: contains, value: opel}
"""

B = """
charter: b
department: sales
criteria:
  - id: region
    title: {en: Region}
    required: false
    rule: {field: region, op: in, value: [Москва, Казань]}
  - id: big
    required: false
    rule: {field: revenue_rub, op: ge, value: 500}
  - id: same
    rule: {field: channel, op: ne, value: avito}
  - id: new_name
    rule: {field: phone, op: not_empty}
  - id: only_b
    rule:
      any:
        - {field: request_text, op: matches, value: 'opel|опель'}
        - {field: channel, op: eq, value: vk}
"""


@pytest.fixture
def pair():
    return parse_charter(A, source="a.yaml"), parse_charter(B, source="b.yaml")


def test_diff_in_words(pair) -> None:
    diff = diff_charters(*pair)
    by_id = {c.id: c for c in diff.changes}
    assert [c.id for c in diff.changes] == ["region", "big", "same", "old_name", "only_a", "only_b"]
    assert by_id["region"].kind == "changed"
    assert by_id["region"].details == (
        "required in A, a signal in B",
        "region: B adds Казань",
        "region: B drops Тверь",
    )
    assert by_id["big"].details == ("revenue_rub: threshold 100 in A, 500 in B",)
    assert by_id["same"].kind == "same" and by_id["same"].details == ()
    assert by_id["old_name"].kind == "changed"
    assert by_id["old_name"].details == ("renamed to 'new_name' in B",)
    assert by_id["only_a"].kind == "only_a" and by_id["only_a"].rule_b is None
    assert by_id["only_b"].kind == "only_b"
    assert (
        by_id["only_b"].rule_b
        == "request_text matches the pattern /opel|опель/ or channel equals vk"
    )
    assert not diff.identical
    assert diff_charters(pair[0], pair[0]).identical


def test_diff_op_change_and_window() -> None:
    a = parse_charter(
        "charter: a\nsettings: {duplicate_window_days: 7}\ncriteria:\n"
        "  - id: s\n    rule: {field: decoded_status, op: not_in, value: [not_a_part]}\n"
        "  - id: d\n    rule: {field: is_duplicate, op: eq, value: false}\n"
    )
    b = parse_charter(
        "charter: b\nsettings: {duplicate_window_days: 30}\ncriteria:\n"
        "  - id: s\n    rule: {field: decoded_status, op: eq, value: decoded}\n"
        "  - id: d\n    rule: {field: is_duplicate, op: eq, value: false}\n"
    )
    changes = {c.id: c for c in diff_charters(a, b).changes}
    assert changes["s"].details == (
        "A: decoded_status is not one of not_a_part; B: decoded_status equals decoded",
    )
    assert changes["settings.duplicate_window_days"].details == (
        "duplicate window 7 days in A, 30 in B",
    )


def test_shipped_marketing_vs_sales() -> None:
    marketing = load_charter(CHARTERS_DIR / "marketing.yaml")
    sales = load_charter(CHARTERS_DIR / "sales.yaml")
    agreed = load_charter(CHARTERS_DIR / "agreed.yaml")
    changes = {c.id: c for c in diff_charters(marketing, sales).changes}
    assert changes["opel_only"].kind == "only_b"
    assert "B: decoded_status equals decoded" in changes["part_request"].details[0]
    vs_agreed = {c.id: c for c in diff_charters(marketing, agreed).changes}
    assert vs_agreed["opel_only"].kind == "only_b"  # marketing misses the make
    assert vs_agreed["served_region"].kind == "same"
    sales_vs_agreed = {c.id: c for c in diff_charters(sales, agreed).changes}
    assert sales_vs_agreed["part_request"].kind == "changed"  # sales too strict on decodability


@pytest.fixture
def leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": [1, 2, 3, 4, 5, 6],
            "region": ["Москва", "Тверь", "Казань", "Москва", "Москва", None],
            "revenue_rub": [1000, 200, 50, 600, 700, 800],
            "channel": ["vk", "avito", "organic", "organic", "vk", "organic"],
            "phone": ["1", "2", None, "4", "5", "6"],
            "request_text": [
                "opel astra",
                "фильтр",
                "опель",
                "колодки",
                "<script>alert(1)</script>",
                None,
            ],
        }
    )


def test_compare_on_leads(pair, leads: pd.DataFrame) -> None:
    a, b = pair
    comp = compare_on_leads(leads, a, b, examples=10)
    # a: region in {Москва, Тверь}, channel != avito, phone, contains opel
    # b: channel != avito, phone, (matches opel|опель or channel == vk)
    assert comp.n_leads == 6
    assert comp.target_a == 1  # lead 1
    assert comp.target_b == 2  # leads 1 and 5
    assert comp.confusion.to_numpy().tolist() == [[1, 0], [1, 4]]
    va = comp.verdicts["a_charter_verdict"]
    vb = comp.verdicts["b_charter_verdict"]
    assert comp.kappa.kappa == pytest.approx(cohen_kappa_score(va, vb))
    assert comp.kappa.percent_agreement == pytest.approx(5 / 6)
    assert comp.examples["lead_id"].tolist() == [5]
    assert comp.examples["split_by"].tolist() == ["A: only_a"]
    assert comp.splitters.to_dict(orient="records") == [
        {"fails_in": "a", "criterion": "only_a", "leads": 1}
    ]
    rates = comp.pass_rates.set_index("id")
    assert rates.loc["region", "pass_a"] == pytest.approx(100 * 4 / 6)
    assert rates.loc["region", "empty_a"] == 1
    assert pd.isna(rates.loc["only_a", "pass_b"])
    assert rates.loc["old_name", "pass_b"] == pytest.approx(100 * 5 / 6)  # read from new_name
    summary = comp.to_dict()
    assert summary["target_b"] == 2 and summary["examples"][0]["lead_id"] == 5


def test_html_is_escaped(pair, leads: pd.DataFrame) -> None:
    a, b = pair
    hostile = parse_charter(
        B.replace("title: {en: Region}", 'title: {en: "<img src=x onerror=alert(1)>"}'),
        source="b.yaml",
    )
    html = render_diff_html(compare_on_leads(leads, a, hostile))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert html.startswith("<!DOCTYPE html>")
    assert "Cohen" in html
    assert "<html" in render_diff_html(diff_charters(a, b))


def test_render_to_console(pair, leads: pd.DataFrame, capsys) -> None:
    a, b = pair
    render_diff(diff_charters(a, b), console=make_console())
    render_comparison(compare_on_leads(leads, a, b), console=make_console())
    out = capsys.readouterr().out
    assert "Казань" in out and "renamed to" in out
    assert "Confusion matrix" in out
    assert "Example leads" in out
