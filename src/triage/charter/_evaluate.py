"""Vectorised evaluation of a charter on a table of leads.

Every rule evaluates to two boolean arrays: ``value`` and ``known``.  A leaf is
unknown on a row where its field is missing (an empty or blank cell, or a
column the leads do not have); ``is_empty`` / ``not_empty`` are always known.  ``all``,
``any`` and ``not`` follow three-valued (Kleene) logic: ``any`` is true as soon
as one part is true even if another is unknown, ``all`` is false as soon as one
part is false.  Text comparisons ignore case and surrounding spaces unless the
leaf says ``case_sensitive: true``; they run once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage.charter._model import (
    DERIVED_FIELDS,
    AllOf,
    AnyOf,
    Charter,
    Leaf,
    Not,
    Rule,
    rule_fields,
)
from triage.charter._parse import CharterError, field_kind, validate_charter
from triage.charter._regex import regex_search
from triage.errors import DataError, TriageWarning
from triage.features import derive_fields, parse_created_at
from triage.io.tables import to_bool, to_number
from triage.schema import (
    CHARTER_FAILED,
    CHARTER_VERDICT,
    CRIT_PREFIX,
    DECODED_PREFIX,
    FAILED_SEP,
    MISSING_PREFIX,
)

__all__ = [
    "ValuesWarning",
    "check_fields",
    "evaluate_charter",
    "evaluate_criteria",
    "evaluate_rule",
    "prepare_fields",
    "verdicts",
]

_Tri = tuple[np.ndarray, np.ndarray]  # (value, known)


class ValuesWarning(TriageWarning):
    """Values of a field that a criterion cannot read (``'около 500'`` compared as a number).

    Counted over the leads checked; a caller that checks the whole input first
    (:func:`check_fields`) may silence the repeats of each chunk.
    """


class _Columns:
    """Per-field caches of the representations the ops need."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self._text: dict[tuple[str, bool], tuple[np.ndarray, pa.Array]] = {}
        self._num: dict[str, np.ndarray] = {}
        self._date: dict[str, np.ndarray] = {}

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def kind(self, name: str) -> str:
        return field_kind(self.frame, name)

    def missing(self, name: str) -> np.ndarray:
        col = self.frame[name]
        miss = col.isna().to_numpy(dtype=bool)
        if self.kind(name) == "text":
            codes, _uniq = self.text(name, True)
            blank = self.blank(name)
            if len(blank):
                miss = miss | np.where(codes >= 0, blank[np.maximum(codes, 0)], False)
        return miss

    def blank(self, name: str) -> np.ndarray:
        """Per distinct value of a text field: is it blank (only spaces)?"""
        _codes, uniq = self.text(name, True)
        return np.asarray(pc.equal(uniq, "").to_numpy(zero_copy_only=False), dtype=bool)

    def text(self, name: str, case_sensitive: bool) -> tuple[np.ndarray, pa.Array]:
        key = (name, case_sensitive)
        if key not in self._text:
            col = self.frame[name]
            codes, uniques = pd.factorize(col)
            arr = pa.array([str(u) for u in uniques], type=pa.large_string())
            arr = pc.utf8_trim_whitespace(arr)
            if not case_sensitive:
                arr = pc.utf8_lower(arr)
            self._text[key] = (np.asarray(codes), arr)
        return self._text[key]

    def raw_text(self, name: str) -> tuple[np.ndarray, pa.Array]:
        """The text exactly as written (no trimming, no case folding), for regexes."""
        key = (name, "raw")
        if key not in self._text:
            codes, uniques = pd.factorize(self.frame[name])
            arr = pa.array([str(u) for u in uniques], type=pa.large_string())
            self._text[key] = (np.asarray(codes), arr)  # type: ignore[index]
        return self._text[key]  # type: ignore[index]

    def numbers(self, name: str) -> np.ndarray:
        if name not in self._num:
            # "1 234,50", "12 345 ₽" and "1,5" are numbers too (see triage.io.to_number).
            self._num[name] = to_number(self.frame[name]).to_numpy(dtype="float64")
        return self._num[name]

    def dates(self, name: str) -> np.ndarray:
        if name not in self._date:
            parsed = parse_created_at(self.frame[name], warn=False)
            self._date[name] = parsed.to_numpy(dtype="datetime64[ns]")
        return self._date[name]

    def booleans(self, name: str) -> _Tri:
        col = self.frame[name]
        if not pd.api.types.is_bool_dtype(col):
            col = to_bool(col)
        col = col.astype("boolean")
        known = col.notna().to_numpy(dtype=bool)
        value = col.fillna(False).to_numpy(dtype=bool)
        return value, known


def _norm(value: Any, case_sensitive: bool) -> str:
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = text.strip()
    return text if case_sensitive else text.lower()


def _by_codes(codes: np.ndarray, per_unique: pa.Array | np.ndarray, blank: np.ndarray) -> _Tri:
    """Spread a per-distinct-value result to rows; missing and blank texts are unknown."""
    if isinstance(per_unique, pa.Array | pa.ChunkedArray):
        per_unique = np.asarray(per_unique.to_numpy(zero_copy_only=False), dtype=bool)
    if len(per_unique) == 0:
        return np.zeros(len(codes), dtype=bool), np.zeros(len(codes), dtype=bool)
    safe = np.maximum(codes, 0)
    known = (codes >= 0) & ~blank[safe]
    value = per_unique[safe] & known
    return value, known


def _timestamp(value: Any) -> Any:
    return pd.Timestamp(value).to_datetime64().astype("datetime64[ns]")


def _compare(x: np.ndarray, op: str, value: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if op == "eq":
            return x == value
        if op == "ne":
            return x != value
        if op == "gt":
            return x > value
        if op == "ge":
            return x >= value
        if op == "lt":
            return x < value
        if op == "le":
            return x <= value
        if op == "between":
            return (x >= value[0]) & (x <= value[1])
        if op == "in":
            return np.isin(x, np.asarray(list(value)))
        if op == "not_in":
            return ~np.isin(x, np.asarray(list(value)))
    raise AssertionError(op)  # pragma: no cover


def _leaf(cols: _Columns, leaf: Leaf) -> _Tri:
    n = cols.n
    op, name, value = leaf.op, leaf.field, leaf.value
    if not cols.has(name):
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if op in ("is_empty", "not_empty"):
        miss = cols.missing(name)
        return (miss if op == "is_empty" else ~miss), np.ones(n, dtype=bool)
    kind = cols.kind(name)
    values = list(value) if op in ("in", "not_in", "between") else [value]
    if (
        kind == "text"
        and op in ("eq", "ne", "in", "not_in")
        and all(isinstance(v, bool) for v in values)
    ):
        kind = "bool"
    if kind == "bool":
        val, known = cols.booleans(name)
        if not all(isinstance(v, bool) for v in values):
            raise DataError(f"{leaf.where}: {name!r} is true/false; compare it with true or false")
        return _compare(val, op, value if op not in ("eq", "ne") else bool(value)) & known, known
    if op in ("gt", "ge", "lt", "le", "between") or kind in ("number", "date"):
        conv: list[Any]
        if any(isinstance(v, dt.date) for v in values) or kind == "date":
            x = cols.dates(name)
            known = ~np.isnat(x)
            try:
                conv = [_timestamp(v) for v in values]
            except (TypeError, ValueError):
                raise DataError(
                    f"{leaf.where}: {name!r} holds dates; compare it with a date like 2026-01-01"
                ) from None
        else:
            x = cols.numbers(name)
            known = ~np.isnan(x)
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                raise DataError(f"{leaf.where}: {name!r} holds numbers; the value must be a number")
            conv = [float(v) for v in values]
        arg: Any = conv[0] if op not in ("in", "not_in", "between") else conv
        return _compare(x, op, arg) & known, known
    codes, uniq = cols.text(name, leaf.case_sensitive)
    if op in ("eq", "ne", "in", "not_in"):
        wanted = pa.array([_norm(v, leaf.case_sensitive) for v in values], type=pa.large_string())
        hit = pc.is_in(uniq, value_set=wanted)
        if op in ("ne", "not_in"):
            hit = pc.invert(hit)
        return _by_codes(codes, hit, cols.blank(name))
    if op == "contains":
        needles = list(value) if isinstance(value, tuple) else [value]
        hit_np = np.zeros(len(uniq), dtype=bool)
        for needle in needles:
            part = pc.match_substring(uniq, _norm(needle, leaf.case_sensitive))
            hit_np |= np.asarray(part.to_numpy(zero_copy_only=False), dtype=bool)
        return _by_codes(codes, hit_np, cols.blank(name))
    if op == "matches":
        # Search the original (untrimmed) text so that anchors mean what they say.
        raw_codes, raw = cols.raw_text(name)
        hit = regex_search(raw, value, case_sensitive=leaf.case_sensitive)
        return _by_codes(raw_codes, hit, cols.blank(name))
    raise AssertionError(op)  # pragma: no cover


def evaluate_rule(frame: pd.DataFrame, rule: Rule, *, _cols: _Columns | None = None) -> _Tri:
    """Evaluate one rule: ``(value, known)`` boolean arrays, one entry per row."""
    cols = _cols or _Columns(frame)
    if isinstance(rule, Leaf):
        return _leaf(cols, rule)
    if isinstance(rule, Not):
        v, k = evaluate_rule(frame, rule.rule, _cols=cols)
        return k & ~v, k
    parts = [evaluate_rule(frame, sub, _cols=cols) for sub in rule.rules]
    value, known = parts[0]
    for v, k in parts[1:]:
        if isinstance(rule, AllOf):
            known = (known & k) | (known & ~value) | (k & ~v)
            value = value & v
        else:
            known = (known & k) | value | v
            value = value | v
    assert isinstance(rule, AllOf | AnyOf)
    return value & known, known


def evaluate_criteria(
    frame: pd.DataFrame, charter: Charter, *, prefix: str = CRIT_PREFIX
) -> pd.DataFrame:
    """One nullable-boolean column ``crit_<id>`` per criterion.

    ``frame`` must already carry the derived and decoded fields the charter
    reads (see :func:`prepare_fields`); a field it lacks leaves the
    criterion empty (``<NA>``) on every row, unless the criterion says
    ``if_missing: fail`` or ``pass``.
    """
    cols = _Columns(frame)
    out: dict[str, pd.Series] = {}
    for crit in charter.criteria:
        value, known = evaluate_rule(frame, crit.rule, _cols=cols)
        if crit.if_missing == "fail":
            known = np.ones_like(known)
        elif crit.if_missing == "pass":
            value = value | ~known
            known = np.ones_like(known)
        out[prefix + crit.id] = pd.Series(
            pd.arrays.BooleanArray(value, ~known), index=frame.index, name=prefix + crit.id
        )
    return pd.DataFrame(out, index=frame.index)


def verdicts(crit: pd.DataFrame, charter: Charter, *, prefix: str = CRIT_PREFIX) -> pd.DataFrame:
    """``charter_verdict`` and ``charter_failed`` from the criterion columns.

    A lead is ``target`` when every required criterion is true.  A required
    criterion that is false is listed in ``charter_failed`` by its id; one that
    is empty (could not be evaluated) is listed as ``missing:<id>`` and also
    makes the verdict ``non_target`` -- a lead is target only when every
    required criterion is confirmed.  Ids are in charter order, joined by ``;``.
    """
    required = charter.required_ids
    n = len(crit)
    # state per required criterion: 0 passed, 1 failed, 2 missing
    states = np.zeros((n, len(required)), dtype=np.int8)
    for j, cid in enumerate(required):
        col = crit[prefix + cid]
        data = col.to_numpy(dtype=bool, na_value=False)
        mask = col.isna().to_numpy(dtype=bool)
        states[:, j] = np.where(mask, 2, np.where(data, 0, 1))
    target = (states == 0).all(axis=1) if required else np.ones(n, dtype=bool)
    if required and len(required) <= 39:
        weights = 3 ** np.arange(len(required), dtype=np.int64)
        keys = states.astype(np.int64) @ weights
        uniq, inverse = np.unique(keys, return_inverse=True)
        patterns = [[(key // int(w)) % 3 for w in weights] for key in uniq.tolist()]
    elif required:
        uniq_rows, inverse = np.unique(states, axis=0, return_inverse=True)
        patterns = uniq_rows.tolist()
    else:
        patterns, inverse = [[]], np.zeros(n, dtype=np.int64)
    texts = []
    for pattern in patterns:
        tokens = [
            cid if s == 1 else f"{MISSING_PREFIX}{cid}"
            for cid, s in zip(required, pattern, strict=True)
            if s
        ]
        texts.append(FAILED_SEP.join(tokens))
    failed = np.asarray(texts, dtype=object)[np.asarray(inverse).reshape(-1)]
    verdict = np.where(target, "target", "non_target")
    return pd.DataFrame(
        {
            CHARTER_VERDICT: pd.Series(verdict, index=crit.index, dtype="string"),
            CHARTER_FAILED: pd.Series(failed, index=crit.index, dtype="string"),
        },
        index=crit.index,
    )


def check_fields(frame: pd.DataFrame, charter: Charter, *, can_decode: bool = False) -> None:
    """Refuse leads the charter cannot be evaluated on; warn about what is left empty.

    Parameters
    ----------
    frame : DataFrame
        The leads (the whole input, to check once before any work, or a chunk).
    charter : Charter
        The charter.
    can_decode : bool
        Whether ``decoded_*`` fields the leads lack will be decoded before evaluation.

    Raises
    ------
    CharterError
        A value type does not fit the column (``region gt 5``; numbers compared
        with a column of text), a field is misspelled, or none of the
        charter's fields can be had from the leads; with file:line:column.

    Warns
    -----
    TriageWarning
        A field the leads lack: its criteria are left empty.
    ValuesWarning
        Values of a field that cannot be read as numbers or dates, counted.
    """
    issues = validate_charter(charter, frame, can_decode=can_decode)
    errors = [i for i in issues if i.severity == "error" and i.code != "missing_field"]
    if errors:
        raise CharterError(errors)
    for issue in issues:
        if issue.code == "missing_field":
            warnings.warn(
                f"{issue.where}: {issue.message}; the criterion is left empty",
                TriageWarning,
                stacklevel=3,
            )
        elif issue.code == "unreadable_values":
            warnings.warn(f"{issue.where}: {issue.message}", ValuesWarning, stacklevel=3)


def prepare_fields(
    leads: pd.DataFrame, charter: Charter, *, missing: str = "error"
) -> pd.DataFrame:
    """The leads with the derived fields the charter reads (the charter never decodes).

    Derived fields (``phone_valid``, ``is_duplicate``, ...) missing from the
    leads are computed by :func:`triage.features.derive_fields` with the
    charter's duplicate window.  ``decoded_*`` fields must already be there:
    they come from the decoder, an earlier step.

    Parameters
    ----------
    missing : {"error", "empty"}
        What to do when the charter reads ``decoded_*`` fields the leads lack:
        refuse (default), or leave those criteria empty with a warning.

    Raises
    ------
    DataError
        ``missing="error"`` and decoded fields are absent; the message names
        the criterion and says to decode first.
    """
    if missing not in ("error", "empty"):
        raise ValueError(f"missing must be 'error' or 'empty', got {missing!r}")
    undecoded = [
        (crit.id, name)
        for crit in charter.criteria
        for name in rule_fields(crit.rule)
        if name.startswith(DECODED_PREFIX) and name not in leads.columns
    ]
    if undecoded and missing == "error":
        crit_id, name = undecoded[0]
        raise DataError(
            f"{charter.source}: criterion {crit_id!r} reads {name!r}, which the leads do not "
            "have: decode the requests first (give the catalog: --catalog FILE, or "
            "triage.pipeline.Scorer(catalog=...)), or accept empty criteria (--no-decode)"
        )
    if undecoded:
        names = sorted({n for _, n in undecoded})
        warnings.warn(
            f"fields {', '.join(names)} need the decoder and the leads lack them; "
            "those criteria are left empty",
            TriageWarning,
            stacklevel=2,
        )
    wanted = [n for n in charter.fields() if n in DERIVED_FIELDS and n not in leads.columns]
    if not wanted:
        return leads
    return derive_fields(leads, wanted, window_days=charter.settings.duplicate_window_days)


def evaluate_charter(
    leads: pd.DataFrame,
    charter: Charter,
    *,
    missing: str = "error",
    prefix: str = CRIT_PREFIX,
    check: bool = True,
) -> pd.DataFrame:
    """Evaluate a charter on every lead (pure: reads columns, never decodes).

    Parameters
    ----------
    leads : DataFrame
        Leads with canonical column names (see :func:`triage.io.leads.load_leads`)
        and, when the charter reads them, the decoder's ``decoded_*`` columns.
    charter : Charter
        From :func:`load_charter`.
    missing : {"error", "empty"}
        Decoded fields the leads lack: refuse (default) or leave those criteria empty.
    prefix : str
        Prefix of the criterion columns.
    check : bool
        Check the fields and values first (:func:`check_fields`).  A caller that
        checked the whole input once may pass False for each chunk.

    Returns
    -------
    DataFrame
        Every input row and column, in order; then ``crit_<id>`` (true / false /
        ``<NA>`` where the field is missing), ``charter_verdict`` (``target`` /
        ``non_target``) and ``charter_failed`` (failed required ids,
        ``missing:<id>`` for empty ones, joined by ``;``).  Derived fields the
        charter needed are computed but not returned.

    Examples
    --------
    >>> import pandas as pd
    >>> from triage.charter import parse_charter
    >>> charter = parse_charter('''
    ... charter: demo
    ... criteria:
    ...   - id: moscow
    ...     rule: {field: region, op: eq, value: Москва}
    ... ''')
    >>> leads = pd.DataFrame({"region": ["Москва", "Тверь", None]})
    >>> evaluate_charter(leads, charter)["charter_failed"].tolist()
    ['', 'moscow', 'missing:moscow']
    """
    fields = prepare_fields(leads, charter, missing=missing)
    if check:
        check_fields(fields, charter)
    crit = evaluate_criteria(fields, charter, prefix=prefix)
    base = leads.drop(columns=[c for c in crit.columns if c in leads.columns])
    base = base.drop(columns=[c for c in (CHARTER_VERDICT, CHARTER_FAILED) if c in base.columns])
    return pd.concat([base, crit, verdicts(crit, charter, prefix=prefix)], axis=1)
