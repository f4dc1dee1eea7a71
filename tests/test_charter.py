"""The charter: reading, validation, hostile input, every op and combinator, evaluation."""

from __future__ import annotations

import datetime as dt
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter_oracle import evaluate_charter_rowwise, evaluate_row
from triage.charter import (
    OPS,
    AllOf,
    AnyOf,
    Charter,
    CharterError,
    Criterion,
    Leaf,
    Not,
    charter_from_mapping,
    describe_rule,
    evaluate_charter,
    evaluate_rule,
    load_charter,
    parse_charter,
    validate_charter,
)
from triage.config import get_settings
from triage.errors import DataError, TriageWarning

CHARTERS_DIR = get_settings().charters_dir

HEAD = "charter: t\ncriteria:\n"


def one(rule_yaml: str, **extra: str) -> Charter:
    """A one-criterion charter with the given rule (YAML flow mapping)."""
    more = "".join(f"    {k}: {v}\n" for k, v in extra.items())
    return parse_charter(f"{HEAD}  - id: c\n    rule: {rule_yaml}\n{more}")


def bools(series: pd.Series) -> list[bool | None]:
    return [None if pd.isna(v) else bool(v) for v in series]


def tri(frame: pd.DataFrame, rule_yaml: str) -> list[bool | None]:
    charter = one(rule_yaml)
    value, known = evaluate_rule(frame, charter.criteria[0].rule)
    return [bool(v) if k else None for v, k in zip(value, known, strict=True)]


@pytest.fixture
def leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": pd.Series(
                ["Москва", " москва ", "Тверская область", None, ""], dtype="string"
            ),
            "channel": pd.Series(["avito", "organic", "vk", "avito", None], dtype="string"),
            "revenue_rub": [1000.0, 0.0, np.nan, 250.5, 5000.0],
            "flag": pd.array([True, False, None, True, False], dtype="boolean"),
            "request_text": pd.Series(
                ["Фильтр OPEL astra", "колодки peugeot", None, "привод левый", "aaaa"],
                dtype="string",
            ),
            "created_at": pd.Series(
                ["2026-01-05T10:00:00", "2026-02-01 09:00", "bad", None, "03.03.2026 18:30"],
                dtype="string",
            ),
        }
    )


# --------------------------------------------------------------------------- shipped charters


@pytest.mark.parametrize("name", ["agreed", "marketing", "sales"])
def test_shipped_charters_are_valid(name: str) -> None:
    charter = load_charter(CHARTERS_DIR / f"{name}.yaml")
    assert charter.name == name
    assert validate_charter(charter) == []
    assert charter.department == {"agreed": "both"}.get(name, name)


def test_agreed_charter_is_the_decree() -> None:
    agreed = load_charter(CHARTERS_DIR / "agreed.yaml")
    assert agreed.required_ids == [
        "opel_only",
        "part_request",
        "served_region",
        "reachable",
        "not_duplicate",
    ]
    assert agreed.criterion("opel_only").rule == Leaf("decoded_make", "in", ("Opel",))
    assert agreed.criterion("part_request").rule == Leaf(
        "decoded_status", "not_in", ("not_a_part", "empty")
    )
    served = agreed.criterion("served_region").rule
    assert isinstance(served, Leaf) and served.op == "in" and len(served.value) == 10
    assert "Ярославская область" in served.value
    assert agreed.criterion("reachable").rule == AnyOf(
        (Leaf("phone_valid", "eq", True), Leaf("email_valid", "eq", True))
    )
    assert agreed.criterion("not_duplicate").rule == Leaf("is_duplicate", "eq", False)
    assert agreed.settings.duplicate_window_days == 7
    assert all(not c.required for c in agreed.criteria[5:])


def test_departments_differ_the_way_the_story_says() -> None:
    marketing = load_charter(CHARTERS_DIR / "marketing.yaml")
    sales = load_charter(CHARTERS_DIR / "sales.yaml")
    # marketing: any make, so no criterion reads the make
    assert "decoded_make" not in marketing.fields()
    assert "channel" in marketing.fields()
    # sales: Opel only and the item must be identified (stricter than the decree)
    assert sales.criterion("opel_only").required
    assert sales.criterion("part_request").rule == Leaf("decoded_status", "eq", "decoded")


# --------------------------------------------------------------------------- describe


def test_describe_rule_in_words() -> None:
    assert describe_rule(Leaf("region", "in", ("Москва", "Московская область"))) == (
        "region is one of Москва, Московская область"
    )
    assert describe_rule(Not(Leaf("channel", "eq", "avito"))) == "not (channel equals avito)"
    rule = AnyOf((Leaf("region", "in", ("Москва",)), Not(Leaf("channel", "eq", "avito"))))
    assert describe_rule(rule) == "region is one of Москва or not (channel equals avito)"
    nested = AllOf(
        (Leaf("a", "gt", 1), AnyOf((Leaf("b", "is_empty"), Leaf("c", "between", (1, 5)))))
    )
    assert describe_rule(nested) == "a is greater than 1 and (b is empty or c is between 1 and 5)"
    assert describe_rule(Leaf("region", "eq", "Москва"), "ru") == "region равно Москва"
    assert describe_rule(Leaf("x", "matches", "^a+$")) == "x matches the pattern /^a+$/"
    assert (
        describe_rule(Leaf("x", "contains", ("a", "b")))
        == "x contains any of \u201ca\u201d, \u201cb\u201d"
    )


def test_describe_covers_every_op() -> None:
    values = {
        "in": ("a",),
        "not_in": ("a",),
        "between": (1, 2),
        "is_empty": None,
        "not_empty": None,
        "contains": "a",
        "matches": "a",
    }
    for op in OPS:
        text = describe_rule(Leaf("f", op, values.get(op, 1)))
        assert text.startswith("f ")


# --------------------------------------------------------------------------- ops


def test_eq_ne_text_ignore_case_and_spaces(leads: pd.DataFrame) -> None:
    # a blank cell counts as missing, like an empty one
    assert tri(leads, "{field: region, op: eq, value: МОСКВА}") == [True, True, False, None, None]
    assert tri(leads, "{field: region, op: ne, value: Москва}") == [False, False, True, None, None]
    assert tri(leads, "{field: region, op: eq, value: москва, case_sensitive: true}") == [
        False,
        True,
        False,
        None,
        None,
    ]


def test_in_not_in(leads: pd.DataFrame) -> None:
    assert tri(leads, "{field: channel, op: in, value: [avito, vk]}") == [
        True,
        False,
        True,
        True,
        None,
    ]
    assert tri(leads, "{field: channel, op: not_in, value: [avito, vk]}") == [
        False,
        True,
        False,
        False,
        None,
    ]


def test_numeric_comparisons(leads: pd.DataFrame) -> None:
    assert tri(leads, "{field: revenue_rub, op: gt, value: 250.5}") == [
        True,
        False,
        None,
        False,
        True,
    ]
    assert tri(leads, "{field: revenue_rub, op: ge, value: 250.5}") == [
        True,
        False,
        None,
        True,
        True,
    ]
    assert tri(leads, "{field: revenue_rub, op: lt, value: 1000}") == [
        False,
        True,
        None,
        True,
        False,
    ]
    assert tri(leads, "{field: revenue_rub, op: le, value: 1000}") == [
        True,
        True,
        None,
        True,
        False,
    ]
    assert tri(leads, "{field: revenue_rub, op: between, value: [0, 1000]}") == [
        True,
        True,
        None,
        True,
        False,
    ]
    assert tri(leads, "{field: revenue_rub, op: eq, value: 0}") == [False, True, None, False, False]
    assert tri(leads, "{field: revenue_rub, op: in, value: [0, 5000]}") == [
        False,
        True,
        None,
        False,
        True,
    ]


def test_date_comparisons(leads: pd.DataFrame) -> None:
    assert tri(leads, "{field: created_at, op: ge, value: 2026-02-01}") == [
        False,
        True,
        None,
        None,
        True,
    ]
    assert tri(leads, "{field: created_at, op: between, value: [2026-01-01, 2026-01-31]}") == [
        True,
        False,
        None,
        None,
        False,
    ]


def test_bool_field(leads: pd.DataFrame) -> None:
    assert tri(leads, "{field: flag, op: eq, value: true}") == [True, False, None, True, False]
    assert tri(leads, "{field: flag, op: ne, value: true}") == [False, True, None, False, True]


def test_bool_value_on_text_column() -> None:
    frame = pd.DataFrame({"ok": pd.Series(["да", "нет", "true", "maybe", None], dtype="string")})
    assert tri(frame, "{field: ok, op: eq, value: true}") == [True, False, True, None, None]


def test_contains_and_matches(leads: pd.DataFrame) -> None:
    assert tri(leads, "{field: request_text, op: contains, value: opel}") == [
        True,
        False,
        None,
        False,
        False,
    ]
    assert tri(leads, "{field: request_text, op: contains, value: [peugeot, привод]}") == [
        False,
        True,
        None,
        True,
        False,
    ]
    assert tri(leads, "{field: request_text, op: matches, value: '^фильтр\\s+opel'}") == [
        True,
        False,
        None,
        False,
        False,
    ]
    assert tri(
        leads, "{field: request_text, op: matches, value: 'OPEL', case_sensitive: true}"
    ) == [True, False, None, False, False]


def test_is_empty_not_empty_always_known(leads: pd.DataFrame) -> None:
    assert tri(leads, "{field: region, op: is_empty}") == [False, False, False, True, True]
    assert tri(leads, "{field: region, op: not_empty}") == [True, True, True, False, False]
    assert tri(leads, "{field: revenue_rub, op: is_empty}") == [False, False, True, False, False]


def test_combinators_kleene_logic() -> None:
    frame = pd.DataFrame(
        {
            "a": pd.array(
                [True, True, True, False, False, False, None, None, None], dtype="boolean"
            ),
            "b": pd.array(
                [True, False, None, True, False, None, True, False, None], dtype="boolean"
            ),
        }
    )
    a, b = "{field: a, op: eq, value: true}", "{field: b, op: eq, value: true}"
    assert tri(frame, f"{{all: [{a}, {b}]}}") == [
        True,
        False,
        None,
        False,
        False,
        False,
        None,
        False,
        None,
    ]
    assert tri(frame, f"{{any: [{a}, {b}]}}") == [
        True,
        True,
        True,
        True,
        False,
        None,
        True,
        None,
        None,
    ]
    assert tri(frame, f"{{not: {a}}}") == [False, False, False, True, True, True, None, None, None]
    assert tri(frame, f"{{not: {{not: {a}}}}}") == tri(frame, a)


def test_missing_column_makes_the_criterion_empty() -> None:
    frame = pd.DataFrame({"region": ["Москва", "Тверь"]})
    charter = parse_charter(
        HEAD
        + "  - id: c\n    rule: {field: decoded_make, op: eq, value: Opel}\n"
        + "  - id: r\n    rule: {field: region, op: eq, value: Москва}\n"
        + "  - id: s\n    required: false\n    rule: {field: nothing, op: eq, value: x}\n"
    )
    with pytest.warns(TriageWarning, match="left empty"):
        out = evaluate_charter(frame, charter, missing="empty")
    assert out["crit_c"].isna().all()
    assert out["crit_s"].isna().all()
    assert out["charter_verdict"].tolist() == ["non_target", "non_target"]
    assert out["charter_failed"].tolist() == ["missing:c", "missing:c;r"]


def test_if_missing_fail_and_pass() -> None:
    frame = pd.DataFrame({"region": pd.Series(["Москва", None], dtype="string")})
    fail = one("{field: region, op: eq, value: Москва}", if_missing="fail")
    passed = one("{field: region, op: eq, value: Москва}", if_missing="pass")
    assert bools(evaluate_charter(frame, fail)["crit_c"]) == [True, False]
    assert evaluate_charter(frame, fail)["charter_failed"].tolist() == ["", "c"]
    assert bools(evaluate_charter(frame, passed)["crit_c"]) == [True, True]


# --------------------------------------------------------------------------- evaluate


def test_evaluate_keeps_rows_columns_and_adds_verdicts(leads: pd.DataFrame) -> None:
    charter = parse_charter(
        HEAD
        + "  - id: moscow\n    rule: {field: region, op: eq, value: Москва}\n"
        + "  - id: paid\n    rule: {field: channel, op: in, value: [avito, vk]}\n"
        + "  - id: big\n    required: false\n    rule: {field: revenue_rub, op: gt, value: 100}\n"
    )
    frame = leads.set_index(pd.Index([10, 20, 30, 40, 50]))
    out = evaluate_charter(frame, charter)
    assert list(out.index) == [10, 20, 30, 40, 50]
    assert list(out.columns[: len(frame.columns)]) == list(frame.columns)
    pd.testing.assert_frame_equal(out[frame.columns], frame)
    assert out.columns[len(frame.columns) :].tolist() == [
        "crit_moscow",
        "crit_paid",
        "crit_big",
        "charter_verdict",
        "charter_failed",
    ]
    assert out["charter_verdict"].tolist() == [
        "target",
        "non_target",
        "non_target",
        "non_target",
        "non_target",
    ]
    assert out["charter_failed"].tolist() == [
        "",
        "paid",
        "moscow",
        "missing:moscow",
        "missing:moscow;missing:paid",
    ]
    assert str(out["crit_big"].dtype) == "boolean"


def test_evaluate_adds_derived_fields(leads: pd.DataFrame) -> None:
    charter = parse_charter(
        HEAD
        + "  - id: long\n    rule: {field: request_length, op: ge, value: 10}\n"
        + "  - id: morning\n    rule: {field: hour, op: lt, value: 12}\n"
        + "  - id: weekday\n    rule: {field: weekday, op: le, value: 5}\n"
    )
    with pytest.warns(TriageWarning, match="1 lead"):
        out = evaluate_charter(leads, charter)
    assert bools(out["crit_long"]) == [True, True, False, True, False]
    # 2026-01-05 is a Monday (10:00); 2026-02-01 a Sunday (09:00); 2026-03-03 a Tuesday (18:30)
    assert bools(out["crit_morning"]) == [True, True, None, None, False]
    assert bools(out["crit_weekday"]) == [True, False, None, None, True]
    assert "hour" not in out.columns


def test_contact_derived_fields_and_duplicate_window() -> None:
    frame = pd.DataFrame(
        {
            "phone": ["+7 916 123-45-67", "89161234567", "123", None, "8 916 123 45 67"],
            "email": [None, None, "a@b.ru", "bad@", None],
            "created_at": [
                "2026-01-01T10:00",
                "2026-01-03T10:00",
                "2026-01-03T11:00",
                "x",
                "2026-01-20T10:00",
            ],
        }
    )
    text = (
        "charter: t\nsettings: {duplicate_window_days: 3}\ncriteria:\n"
        "  - id: reach\n    rule: {any: [{field: phone_valid, op: eq, value: true},"
        " {field: email_valid, op: eq, value: true}]}\n"
        "  - id: fresh\n    rule: {field: is_duplicate, op: eq, value: false}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TriageWarning)
        out = evaluate_charter(frame, parse_charter(text))
    assert bools(out["crit_reach"]) == [True, True, True, False, True]
    assert bools(out["crit_fresh"]) == [True, False, True, None, True]
    wide = parse_charter(text.replace("duplicate_window_days: 3", "duplicate_window_days: 30"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TriageWarning)
        out = evaluate_charter(frame, wide)
    assert bools(out["crit_fresh"]) == [True, False, True, None, False]


def test_evaluate_on_empty_frame() -> None:
    charter = one("{field: region, op: eq, value: Москва}")
    out = evaluate_charter(pd.DataFrame({"region": pd.Series([], dtype="string")}), charter)
    assert len(out) == 0 and "charter_verdict" in out.columns


def test_charter_without_required_criteria_marks_all_target() -> None:
    charter = one("{field: region, op: eq, value: Москва}", required="false")
    out = evaluate_charter(pd.DataFrame({"region": ["x"]}), charter)
    assert out["charter_verdict"].tolist() == ["target"]


def test_type_errors() -> None:
    with pytest.raises(
        CharterError, match=r"<charter>:4:47: criterion 'c': gt: needs a number or a date"
    ):
        one("{field: revenue_rub, op: gt, value: lots}")
    frame = pd.DataFrame({"revenue_rub": [1.0], "flag": [True], "region": ["x"]})
    charter = one("{field: revenue_rub, op: eq, value: lots}")
    issues = validate_charter(charter, frame)
    assert len(issues) == 1 and "holds numbers" in issues[0].message
    assert issues[0].where == "<charter>:4:11"
    with pytest.raises(CharterError, match="holds numbers"):
        evaluate_charter(frame, charter)
    assert (
        "true/false"
        in validate_charter(one("{field: flag, op: eq, value: yes_please}"), frame)[0].message
    )
    assert (
        "works on text"
        in validate_charter(one("{field: revenue_rub, op: contains, value: x}"), frame)[0].message
    )


# --------------------------------------------------------------------------- validation messages


def test_errors_carry_line_and_column() -> None:
    text = (
        "charter: t\n"
        "criteria:\n"
        "  - id: a\n"
        "    rule: {field: region, op: equals, value: x}\n"
        "  - id: a\n"
        "    rule: {field: region, op: eq, value: x}\n"
        "  - id: b\n"
        "    colour: red\n"
        "    rule: {field: region, op: in, value: x}\n"
    )
    with pytest.raises(CharterError) as info:
        parse_charter(text, source="x.yaml")
    messages = [str(i) for i in info.value.issues]
    assert any(
        m.startswith("x.yaml:4:31: error:") and "unknown op 'equals'; did you mean 'eq'?" in m
        for m in messages
    )
    assert any(m.startswith("x.yaml:5:5:") and "duplicate criterion id 'a'" in m for m in messages)
    assert any(
        m.startswith("x.yaml:8:5:") and "criterion 'b': unknown key 'colour'" in m for m in messages
    )
    assert any(m.startswith("x.yaml:9:42:") and "in: needs a list of values" in m for m in messages)
    assert "4 problem(s)" in str(info.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("criteria: []\n", "needs a 'charter' key"),
        ("charter: t\ncriteria: []\n", "non-empty list"),
        ("charter: t\ncriteria:\n  - id: A-b\n    rule: {field: x, op: is_empty}\n", "lower-case"),
        ("charter: t\ncriteria:\n  - id: a\n", "needs a 'rule'"),
        ("charter: t\ncriteria:\n  - id: a\n    rule: {field: x}\n", "needs 'op'"),
        (
            "charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: is_empty, value: 1}\n",
            "takes no value",
        ),
        ("charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: eq}\n", "needs a value"),
        (
            "charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: eq, value: [1]}\n",
            "for a list use in",
        ),
        (
            "charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: eq, value: null}\n",
            "is_empty",
        ),
        (
            "charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: between, value: [5, 1]}\n",
            "above the high end",
        ),
        (
            "charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: between, value: [1]}\n",
            "low, high",
        ),
        ("charter: t\ncriteria:\n  - id: a\n    rule: {all: []}\n", "non-empty list of rules"),
        ("charter: t\ncriteria:\n  - id: a\n    rule: {any: [], field: x}\n", "must stand alone"),
        (
            "charter: t\ncriteria:\n  - id: a\n    required: maybe\n    rule: {field: x, op: is_empty}\n",  # noqa: E501
            "true or false",
        ),
        (
            "charter: t\nversion: 0\ncriteria:\n  - id: a\n    rule: {field: x, op: is_empty}\n",
            "whole number",
        ),
        (
            "charter: t\ndepartment: finance\ncriteria:\n  - id: a\n    rule: {field: x, op: is_empty}\n",  # noqa: E501
            "department",
        ),
        (
            "charter: t\nsettings: {duplicate_window_days: -1}\ncriteria:\n  - id: a\n    rule: {field: x, op: is_empty}\n",  # noqa: E501
            "0..3650",
        ),
        (
            "charter: t\ncharter: u\ncriteria:\n  - id: a\n    rule: {field: x, op: is_empty}\n",
            "appears twice",
        ),
        (
            "charter: t\ncriteria:\n  - id: a\n    rule: {field: x, op: matches, value: '(a'}\n",
            "not accepted",
        ),
        ("- just\n- a list\n", "mapping"),
        ("", "empty"),
        ("charter: [unclosed\n", "not valid YAML"),
    ],
)
def test_validation_messages(text: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        parse_charter(text)


def test_unknown_field_checked_against_data() -> None:
    charter = one("{field: regoin, op: eq, value: Москва}")
    issues = validate_charter(charter)
    assert [i.severity for i in issues] == ["warning"]
    issues = validate_charter(charter, pd.DataFrame({"region": ["x"]}))
    assert issues[0].severity == "error" and "did you mean 'region'" in issues[0].message
    assert issues[0].where == "<charter>:4:11"


def test_derived_and_decoded_fields_checked_against_data() -> None:
    charter = parse_charter(
        HEAD
        + "  - id: a\n    rule: {field: phone_valid, op: eq, value: true}\n"
        + "  - id: b\n    rule: {field: decoded_make, op: eq, value: Opel}\n"
    )
    assert validate_charter(charter, ["phone", "request_text"]) == []
    messages = [i.message for i in validate_charter(charter, ["region"])]
    assert "needs column(s) phone" in messages[0]
    assert "cannot be decoded" in messages[1]


def test_misspelled_field_refuses_evaluation() -> None:
    charter = parse_charter(
        HEAD
        + "  - id: r\n    rule: {field: regoin, op: eq, value: Москва}\n"
        + "  - id: c\n    rule: {field: channel, op: eq, value: avito}\n"
    )
    frame = pd.DataFrame({"region": ["Москва"], "channel": ["avito"]})
    with pytest.raises(CharterError, match=r"<charter>:4:11: .*'regoin'.*did you mean 'region'"):
        evaluate_charter(frame, charter)


def test_charter_reading_nothing_the_leads_have_is_refused() -> None:
    charter = parse_charter(
        HEAD
        + "  - id: r\n    rule: {field: region, op: eq, value: Москва}\n"
        + "  - id: m\n    rule: {field: decoded_make, op: eq, value: Opel}\n"
    )
    export = pd.DataFrame({"Регион": ["Москва"], "Запрос": ["привод"]})
    issues = validate_charter(charter, export)
    assert issues[-1].code == "all_missing" and "--map" in issues[-1].message
    with (
        pytest.warns(TriageWarning, match="need the decoder"),
        pytest.raises(CharterError, match="none of the fields the charter reads"),
    ):
        evaluate_charter(export, charter, missing="empty")


def test_numbers_compared_with_text_are_an_error_or_counted() -> None:
    charter = one("{field: region, op: gt, value: 5}")
    frame = pd.DataFrame({"region": ["Москва", "Тверь", None]})
    (issue,) = validate_charter(charter, frame)
    assert issue.severity == "error"
    assert "gt compares numbers, but 'region' holds text" in issue.message
    with pytest.raises(CharterError, match="holds text"):
        evaluate_charter(frame, charter)
    money = pd.DataFrame({"revenue_rub": ["1 234,50", "около 500", "12 345 ₽", ""]})
    charter = one("{field: revenue_rub, op: ge, value: 1000}")
    (issue,) = validate_charter(charter, money)
    assert issue.severity == "warning" and "1 of 3 value(s)" in issue.message
    with pytest.warns(TriageWarning, match="are not numbers \\(e.g. 'около 500'\\)"):
        out = evaluate_charter(money, charter)
    assert bools(out["crit_c"]) == [True, None, True, None]
    dates = one("{field: note, op: ge, value: 2026-01-01}")
    (issue,) = validate_charter(dates, pd.DataFrame({"note": ["скоро", "потом"]}))
    assert "ge compares dates, but 'note' holds text" in issue.message


def test_rule_size_is_capped_with_its_place() -> None:
    from triage.charter._model import rule_size
    from triage.charter._parse import MAX_RULE_LEAVES

    leaves = ", ".join(f"{{field: region, op: eq, value: r{i}}}" for i in range(MAX_RULE_LEAVES))
    charter = one(f"{{any: [{leaves}]}}")
    assert rule_size(charter.criteria[0].rule) == MAX_RULE_LEAVES
    start = time.perf_counter()
    with pytest.raises(CharterError, match=r"<charter>:4:17: criterion 'c': the rule holds 2,001"):
        one(f"{{any: [{leaves}, {{field: region, op: is_empty}}]}}")
    with pytest.raises(CharterError, match=r"<charter>:4:11: .* 4,000 comparisons; the limit"):
        one(f"{{all: [{{any: [{leaves}]}}, {{not: {{any: [{leaves}]}}}}]}}")
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("2026-02-30", r"<charter>:4:46: cannot read '2026-02-30' \(day is out of range"),
        ('"\\ud800"', r"<charter>:4:46: the value holds character U\+D800"),
        ('"a\\x07b"', r"<charter>:4:46: the value holds character U\+0007"),
    ],
)
def test_unusable_scalars_are_refused_with_their_place(value: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        one(f"{{field: created_at, op: ge, value: {value}}}")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\ufffe"])
def test_control_characters_are_refused_with_their_place(char: str) -> None:
    match = f"<charter>:4:43: character U\\+{ord(char):04X} is not allowed"
    with pytest.raises(DataError, match=match):
        one(f"{{field: region, op: eq, value: a{char}b}}")


# --------------------------------------------------------------------------- hostile input


def test_value_that_looks_like_code_is_just_text(tmp_path) -> None:
    marker = tmp_path / "pwned"
    code = f"__import__('os').system('touch {marker}')"
    charter = one(f'{{field: region, op: eq, value: "{code}"}}')
    frame = pd.DataFrame({"region": ["Москва", code]})
    out = evaluate_charter(frame, charter)
    assert bools(out["crit_c"]) == [False, True]
    assert not marker.exists()


def test_pathological_regex_is_linear_time() -> None:
    charter = one("{field: request_text, op: matches, value: '^(a+)+$'}")
    frame = pd.DataFrame({"request_text": ["a" * 5000 + "b", "a" * 30 + "!", "aaaa"] * 200})
    start = time.perf_counter()
    out = evaluate_charter(frame, charter)
    assert time.perf_counter() - start < 2.0
    assert bools(out["crit_c"])[:3] == [False, False, True]


def test_regex_limits() -> None:
    with pytest.raises(CharterError, match="the limit is 300"):
        one("{field: x, op: matches, value: '" + "a" * 301 + "'}")
    with pytest.raises(CharterError, match="backreferences"):
        one(r"{field: x, op: matches, value: '(a)\1'}")
    with pytest.raises(CharterError, match="backreferences"):
        one("{field: x, op: matches, value: '(?=a)b'}")


def test_ten_megabyte_charter_is_refused_quickly(tmp_path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(
        HEAD + "  - id: a\n    rule: {field: x, op: in, value: [" + "x, " * 3_500_000 + "y]}\n"
    )
    assert path.stat().st_size > 10_000_000
    start = time.perf_counter()
    with pytest.raises(
        DataError, match=r"huge.yaml: the charter file is [\d,]+ bytes; the limit is 1,000,000"
    ):
        load_charter(path)
    assert time.perf_counter() - start < 1.0


def test_alias_bomb_is_refused() -> None:
    bomb = (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    )
    with pytest.raises(DataError, match=r"<charter>:1:4: anchor '&a' is not allowed"):
        parse_charter(bomb)
    with pytest.raises(DataError, match=r"<charter>:\d+:\d+: alias '\*x' is not allowed"):
        parse_charter("charter: t\ncriteria:\n  - *x\n")


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['echo hi']",
        "!!python/name:os.system",
        "!custom 1",
        "!!binary aGVsbG8=",
    ],
)
def test_unknown_tags_are_refused(tag: str) -> None:
    with pytest.raises(DataError, match=r"<charter>:\d+:\d+: tag .* is not allowed"):
        parse_charter(
            f"charter: t\ncriteria:\n  - id: a\n    rule:\n      field: x\n      op: eq\n      value: {tag}\n"  # noqa: E501
        )


def test_deep_nesting_is_refused() -> None:
    rule = "{field: x, op: is_empty}"
    for _ in range(60):
        rule = f"{{not: {rule}}}"
    with pytest.raises(DataError, match="nesting deeper"):
        one(rule)


def test_not_utf8_file(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes("charter: тест\n".encode("cp1251"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_charter(path)


def test_missing_file() -> None:
    with pytest.raises(DataError, match="charter file not found"):
        load_charter("no/such/charter.yaml")


def test_charter_from_mapping_round_trip() -> None:
    regions = ["Москва", "Тверская область"]
    charter = charter_from_mapping(
        {
            "charter": "x",
            "effective_from": dt.date(2026, 1, 1),
            "criteria": [
                {"id": "a", "rule": {"field": "region", "op": "in", "value": regions}},
                {"id": "b", "rule": {"field": "region", "op": "in", "value": regions}},
            ],
        }
    )
    assert charter.effective_from == dt.date(2026, 1, 1)
    assert charter.criterion("a").rule == charter.criterion("b").rule


def test_title_forms() -> None:
    charter = parse_charter(
        HEAD
        + "  - id: a\n    title: Просто\n    rule: {field: x, op: is_empty}\n"
        + "  - id: b\n    title: {en: Only English}\n    rule: {field: x, op: is_empty}\n"
        + "  - id: c\n    rule: {field: x, op: is_empty}\n"
    )
    assert charter.criterion("a").title_in("en") == "Просто"
    assert charter.criterion("b").title_in("ru") == "Only English"
    assert charter.criterion("c").title_in("ru") == "c"


def test_criterion_object_model() -> None:
    crit = Criterion("a", {"en": "A"}, Leaf("x", "eq", 1))
    charter = Charter(name="n", criteria=(crit,))
    assert charter.ids == ["a"] and charter.required_ids == ["a"] and len(charter) == 1
    assert charter.fields() == ["x"] and charter.label == "n v1"
    with pytest.raises(KeyError):
        charter.criterion("b")


# --------------------------------------------------------------------------- vectorised == row-wise

_TEXTS = st.sampled_from(["Москва", "москва", " Тверь ", "", "avito", "Opel Astra", "x"])
_NUMS = st.one_of(st.none(), st.floats(-5, 5, allow_nan=False), st.integers(-5, 5))


@st.composite
def _leaves(draw: st.DrawFn) -> Leaf:
    kind = draw(st.sampled_from(["text", "num", "bool"]))
    if kind == "text":
        op = draw(
            st.sampled_from(
                ["eq", "ne", "in", "not_in", "contains", "matches", "is_empty", "not_empty"]
            )
        )
        word = draw(st.sampled_from(["москва", "Тверь", "opel", "x", "avito"]))
        value: object = {
            "in": ("москва", word),
            "not_in": (word,),
            "matches": f"^{word}",
            "is_empty": None,
            "not_empty": None,
        }.get(op, word)
        return Leaf("t", op, value, case_sensitive=draw(st.booleans()) and op != "is_empty")
    if kind == "num":
        op = draw(
            st.sampled_from(
                ["eq", "ne", "gt", "ge", "lt", "le", "between", "in", "not_in", "is_empty"]
            )
        )
        a, b = sorted(draw(st.tuples(st.integers(-5, 5), st.integers(-5, 5))))
        num_value: object = {"between": (a, b), "in": (a, b), "not_in": (a,), "is_empty": None}.get(
            op, a
        )
        return Leaf("n", op, num_value)
    return Leaf("b", draw(st.sampled_from(["eq", "ne"])), draw(st.booleans()))


_RULES = st.recursive(
    _leaves(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda rs: AllOf(tuple(rs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda rs: AnyOf(tuple(rs))),
        inner.map(Not),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    rule=_RULES,
    rows=st.lists(
        st.tuples(st.one_of(st.none(), _TEXTS), _NUMS, st.one_of(st.none(), st.booleans())),
        min_size=1,
        max_size=12,
    ),
)
def test_vectorised_equals_rowwise(rule, rows) -> None:
    frame = pd.DataFrame(
        {
            "t": pd.Series([r[0] for r in rows], dtype="string"),
            "n": pd.Series([r[1] for r in rows], dtype="Float64"),
            "b": pd.array([r[2] for r in rows], dtype="boolean"),
        }
    )
    value, known = evaluate_rule(frame, rule)
    vectorised = [bool(v) if k else None for v, k in zip(value, known, strict=True)]
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    assert vectorised == [evaluate_row(rule, r) for r in records]


def test_rowwise_charter_matches_vectorised(leads: pd.DataFrame) -> None:
    charter = parse_charter(
        HEAD
        + "  - id: moscow\n    rule: {field: region, op: eq, value: Москва}\n"
        + "  - id: paid\n    if_missing: fail\n    rule: {field: channel, op: in, value: [avito, vk]}\n"  # noqa: E501
    )
    out = evaluate_charter(leads, charter)
    ref = evaluate_charter_rowwise(leads, charter)
    assert out["charter_failed"].tolist() == [r["charter_failed"] for r in ref]
    assert out["charter_verdict"].tolist() == [r["charter_verdict"] for r in ref]
