"""A plain per-row evaluator of rules: the reference the vectorised one is tested against.

Slow by design (one Python call per row and leaf); used by the tests and by
``benchmarks/charter_speed.py`` to measure the speed-up of the vectorised path.
It follows the same semantics: unknown (None) where the field is missing,
Kleene logic in combinators, text compared without case and surrounding spaces.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from triage.charter._model import AllOf, AnyOf, Charter, Leaf, Not, Rule

__all__ = ["evaluate_charter_rowwise", "evaluate_row"]

_TRUE = {"1", "true", "yes", "y", "да", "t"}
_FALSE = {"0", "false", "no", "n", "нет", "f"}


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any, case_sensitive: bool) -> str:
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = text.strip()
    return text if case_sensitive else text.lower()


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _leaf(leaf: Leaf, row: Mapping[str, Any]) -> bool | None:
    if leaf.field not in row:
        return None
    x = row[leaf.field]
    op, value = leaf.op, leaf.value
    if op in ("is_empty", "not_empty"):
        empty = _missing(x) or (isinstance(x, str) and not x.strip())
        return empty if op == "is_empty" else not empty
    if _missing(x) or (isinstance(x, str) and not x.strip()):
        return None
    values = list(value) if op in ("in", "not_in", "between") else [value]
    if all(isinstance(v, bool) for v in values) and op in ("eq", "ne", "in", "not_in"):
        b = _as_bool(x)
        if b is None:
            return None
        hit = b in values
        return hit if op in ("eq", "in") else not hit
    if isinstance(x, bool):
        return None
    if op in ("gt", "ge", "lt", "le", "between") or isinstance(
        x, int | float | dt.datetime | pd.Timestamp
    ):
        conv: list[Any]
        xv: Any
        if any(isinstance(v, dt.date) for v in values) or isinstance(x, dt.datetime | pd.Timestamp):
            try:
                xv = pd.Timestamp(x)
            except (TypeError, ValueError):
                return None
            if xv is pd.NaT:
                return None
            conv = [pd.Timestamp(v) for v in values]
        else:
            try:
                xv = float(str(x).strip().replace(",", ".")) if isinstance(x, str) else float(x)
            except ValueError:
                return None
            if math.isnan(xv):
                return None
            conv = [float(v) for v in values]
        if op == "eq":
            return bool(xv == conv[0])
        if op == "ne":
            return bool(xv != conv[0])
        if op == "in":
            return xv in conv
        if op == "not_in":
            return xv not in conv
        if op == "gt":
            return bool(xv > conv[0])
        if op == "ge":
            return bool(xv >= conv[0])
        if op == "lt":
            return bool(xv < conv[0])
        if op == "le":
            return bool(xv <= conv[0])
        return bool(conv[0] <= xv <= conv[1])
    cs = leaf.case_sensitive
    text = _text(x, cs)
    if op in ("eq", "in"):
        return text in {_text(v, cs) for v in values}
    if op in ("ne", "not_in"):
        return text not in {_text(v, cs) for v in values}
    if op == "contains":
        needles = list(value) if isinstance(value, tuple) else [value]
        return any(_text(n, cs) in text for n in needles)
    if op == "matches":
        flags = 0 if cs else re.IGNORECASE
        return re.search(value, str(x), flags) is not None
    raise AssertionError(op)  # pragma: no cover


def evaluate_row(rule: Rule, row: Mapping[str, Any]) -> bool | None:
    """True, False or None (unknown) for one row given as a mapping."""
    if isinstance(rule, Leaf):
        return _leaf(rule, row)
    if isinstance(rule, Not):
        inner = evaluate_row(rule.rule, row)
        return None if inner is None else not inner
    results = [evaluate_row(sub, row) for sub in rule.rules]
    if isinstance(rule, AllOf):
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    assert isinstance(rule, AnyOf)
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def evaluate_charter_rowwise(frame: pd.DataFrame, charter: Charter) -> list[dict[str, Any]]:
    """Criteria and verdict per row, one Python call per row (reference implementation)."""
    out = []
    for record in frame.to_dict(orient="records"):
        row = {str(k): v for k, v in record.items()}
        crits: dict[str, Any] = {}
        failed = []
        for crit in charter.criteria:
            res = evaluate_row(crit.rule, row)
            if res is None and crit.if_missing != "empty":
                res = crit.if_missing == "pass"
            crits[crit.id] = res
            if crit.required and res is not True:
                failed.append(crit.id if res is False else f"missing:{crit.id}")
        crits["charter_verdict"] = "non_target" if failed else "target"
        crits["charter_failed"] = ";".join(failed)
        out.append(crits)
    return out
