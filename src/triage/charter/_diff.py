"""Comparing two charters: criterion by criterion in words, and on real leads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from triage.charter._agreement import KappaResult, cohen_kappa_ci
from triage.charter._evaluate import (
    CRIT_PREFIX,
    FAILED_SEP,
    _check_against,
    evaluate_criteria,
    verdicts,
)
from triage.charter._fields import add_charter_fields
from triage.charter._model import Charter, Criterion, Leaf, Rule, describe_rule
from triage.contact import mask_contacts

__all__ = [
    "CharterComparison",
    "CharterDiff",
    "CriterionChange",
    "compare_on_leads",
    "diff_charters",
]


@dataclass(frozen=True)
class CriterionChange:
    """One line of a charter diff.

    ``kind`` is ``only_a``, ``only_b``, ``changed`` or ``same``; ``details`` says
    what differs in words (rule, threshold, value set, required flag).
    """

    id: str
    kind: str
    title: str
    required_a: bool | None
    required_b: bool | None
    rule_a: str | None
    rule_b: str | None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class CharterDiff:
    """Criterion-level differences between charter ``a`` and charter ``b``."""

    a: Charter
    b: Charter
    changes: tuple[CriterionChange, ...]

    @property
    def identical(self) -> bool:
        return all(c.kind == "same" for c in self.changes)

    def of_kind(self, kind: str) -> list[CriterionChange]:
        return [c for c in self.changes if c.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.label,
            "b": self.b.label,
            "changes": [c.__dict__ for c in self.changes],
        }


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _leaf_details(a: Leaf, b: Leaf, locale: str) -> list[str]:
    if a.field != b.field:
        return [f"A reads {a.field!r}, B reads {b.field!r}"]
    if a.op != b.op:
        return [f"A: {describe_rule(a, locale)}; B: {describe_rule(b, locale)}"]
    out: list[str] = []
    if a.op in ("in", "not_in") or (
        a.op == "contains" and isinstance(a.value, tuple) and isinstance(b.value, tuple)
    ):
        sa, sb = list(a.value), list(b.value)
        added = [v for v in sb if v not in sa]
        removed = [v for v in sa if v not in sb]
        if added:
            out.append(f"{a.field}: B adds {', '.join(map(_fmt, added))}")
        if removed:
            out.append(f"{a.field}: B drops {', '.join(map(_fmt, removed))}")
    elif a.op == "between":
        if a.value != b.value:
            out.append(
                f"{a.field}: range {_fmt(a.value[0])}..{_fmt(a.value[1])} in A, "
                f"{_fmt(b.value[0])}..{_fmt(b.value[1])} in B"
            )
    elif a.op in ("gt", "ge", "lt", "le"):
        if a.value != b.value:
            out.append(f"{a.field}: threshold {_fmt(a.value)} in A, {_fmt(b.value)} in B")
    elif a.value != b.value:
        out.append(f"{a.field}: value {_fmt(a.value)} in A, {_fmt(b.value)} in B")
    if a.case_sensitive != b.case_sensitive:
        out.append(f"{a.field}: case-sensitive in {'A' if a.case_sensitive else 'B'} only")
    return out


def _rule_details(a: Rule, b: Rule, locale: str) -> list[str]:
    if a == b:
        return []
    if isinstance(a, Leaf) and isinstance(b, Leaf):
        return _leaf_details(a, b, locale)
    return [f"rule in A: {describe_rule(a, locale)}; in B: {describe_rule(b, locale)}"]


def _title(ca: Criterion | None, cb: Criterion | None, locale: str) -> str:
    crit = ca or cb
    assert crit is not None
    return crit.title_in(locale)


def diff_charters(a: Charter, b: Charter, *, locale: str = "en") -> CharterDiff:
    """Criterion-level differences between two charters, in words.

    Criteria are matched by id.  A criterion only in one charter whose rule is
    identical to a criterion under another id in the other is reported as
    ``changed`` with a "renamed" detail instead of twice.

    Parameters
    ----------
    a, b : Charter
        The two charters (e.g. marketing's and sales').
    locale : {"en", "ru"}
        Language of titles and rules in words.

    Returns
    -------
    CharterDiff
        One :class:`CriterionChange` per criterion id, A's order first, then
        the ids only in B.
    """
    ids_a, ids_b = a.ids, b.ids
    only_a = [i for i in ids_a if i not in ids_b]
    only_b = [i for i in ids_b if i not in ids_a]
    renamed: dict[str, str] = {}
    for ia in only_a:
        for ib in only_b:
            if ib not in renamed.values() and a.criterion(ia).rule == b.criterion(ib).rule:
                renamed[ia] = ib
                break
    changes: list[CriterionChange] = []
    for cid in ids_a:
        ca = a.criterion(cid)
        if cid in renamed or cid in ids_b:
            cb = b.criterion(renamed.get(cid, cid))
            details: list[str] = []
            if cid in renamed:
                details.append(f"renamed to {cb.id!r} in B")
            if ca.required != cb.required:
                details.append(
                    "required in A, a signal in B"
                    if ca.required
                    else "a signal in A, required in B"
                )
            details.extend(_rule_details(ca.rule, cb.rule, locale))
            if ca.if_missing != cb.if_missing:
                details.append(f"if_missing: {ca.if_missing} in A, {cb.if_missing} in B")
            changes.append(
                CriterionChange(
                    id=cid,
                    kind="changed" if details else "same",
                    title=_title(ca, cb, locale),
                    required_a=ca.required,
                    required_b=cb.required,
                    rule_a=describe_rule(ca.rule, locale),
                    rule_b=describe_rule(cb.rule, locale),
                    details=tuple(details),
                )
            )
        else:
            changes.append(
                CriterionChange(
                    id=cid,
                    kind="only_a",
                    title=_title(ca, None, locale),
                    required_a=ca.required,
                    required_b=None,
                    rule_a=describe_rule(ca.rule, locale),
                    rule_b=None,
                    details=(
                        f"only in {a.name}" + (" (required)" if ca.required else " (signal)"),
                    ),
                )
            )
    for cid in only_b:
        if cid in renamed.values():
            continue
        cb = b.criterion(cid)
        changes.append(
            CriterionChange(
                id=cid,
                kind="only_b",
                title=_title(None, cb, locale),
                required_a=None,
                required_b=cb.required,
                rule_a=None,
                rule_b=describe_rule(cb.rule, locale),
                details=(f"only in {b.name}" + (" (required)" if cb.required else " (signal)"),),
            )
        )
    windows = (a.settings.duplicate_window_days, b.settings.duplicate_window_days)
    if windows[0] != windows[1] and {"is_duplicate"} & (set(a.fields()) | set(b.fields())):
        changes.append(
            CriterionChange(
                id="settings.duplicate_window_days",
                kind="changed",
                title="duplicate window",
                required_a=None,
                required_b=None,
                rule_a=f"{windows[0]} days",
                rule_b=f"{windows[1]} days",
                details=(f"duplicate window {windows[0]} days in A, {windows[1]} in B",),
            )
        )
    return CharterDiff(a=a, b=b, changes=tuple(changes))


@dataclass
class CharterComparison:
    """Two charters evaluated on the same leads."""

    diff: CharterDiff
    n_leads: int
    target_a: int
    target_b: int
    confusion: pd.DataFrame
    kappa: KappaResult
    pass_rates: pd.DataFrame
    examples: pd.DataFrame
    splitters: pd.DataFrame
    verdicts: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary."""
        return {
            "a": self.diff.a.label,
            "b": self.diff.b.label,
            "n_leads": self.n_leads,
            "target_a": self.target_a,
            "target_b": self.target_b,
            "confusion": {
                str(k): {str(kk): int(vv) for kk, vv in v.items()}
                for k, v in self.confusion.to_dict(orient="index").items()
            },
            "percent_agreement": 100.0 * self.kappa.percent_agreement,
            "kappa": self.kappa.as_dict(),
            "pass_rates": _records(self.pass_rates),
            "splitters": _records(self.splitters),
            "examples": _records(self.examples),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    return [{str(k): _json(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


_EXAMPLE_COLUMNS = (
    "lead_id",
    "channel",
    "region",
    "request_text",
    "decoded_make",
    "decoded_status",
)


def compare_on_leads(
    leads: pd.DataFrame,
    a: Charter,
    b: Charter,
    *,
    catalog: Any = None,
    decode: bool = True,
    examples: int = 10,
    locale: str = "en",
    seed: int = 0,
) -> CharterComparison:
    """Evaluate two charters on the same leads and measure how far apart they are.

    Parameters
    ----------
    leads : DataFrame
        Leads with canonical column names.
    a, b : Charter
        The charters to compare.
    catalog, decode
        For the decoder, run once for both charters when they need it.
    examples : int
        How many disagreeing leads to show (split evenly between the two
        directions where possible).
    locale : {"en", "ru"}
        Language of the words in the diff.
    seed : int
        Seed used to pick the example leads.

    Returns
    -------
    CharterComparison
        Target counts, the confusion matrix (rows A, columns B), kappa with a
        95 % interval, per-criterion pass rates side by side, the criteria that
        split the disagreeing leads, and example leads with the criterion that
        splits them.
    """
    diff = diff_charters(a, b, locale=locale)
    base = add_charter_fields(leads, [a, b], catalog=catalog, decode=decode, derive=False)
    evaluated = {}
    for key, charter in (("a", a), ("b", b)):
        fields = add_charter_fields(base, charter, decode=False)
        _check_against(fields, charter)
        crit = evaluate_criteria(fields, charter)
        evaluated[key] = (fields, crit, verdicts(crit, charter))
    (fa, crit_a, va), (_fb, crit_b, vb) = evaluated["a"], evaluated["b"]
    ta = va["charter_verdict"] == "target"
    tb = vb["charter_verdict"] == "target"
    labels = ["target", "non_target"]
    confusion = pd.crosstab(
        pd.Categorical(va["charter_verdict"], categories=labels),
        pd.Categorical(vb["charter_verdict"], categories=labels),
        dropna=False,
    )
    confusion.index = pd.Index([f"{a.name}: {x}" for x in labels])
    confusion.columns = pd.Index([f"{b.name}: {x}" for x in labels])
    kappa = cohen_kappa_ci(va["charter_verdict"], vb["charter_verdict"])

    # per-criterion pass rates side by side (over all leads; empty counts apart)
    rows = []
    for change in diff.changes:
        if change.id.startswith("settings."):
            continue
        row: dict[str, Any] = {"id": change.id, "title": change.title, "kind": change.kind}
        for key, crit in (("a", crit_a), ("b", crit_b)):
            cid = change.id
            if (
                key == "b"
                and change.kind == "changed"
                and change.details
                and change.details[0].startswith("renamed to")
            ):
                cid = change.details[0].split("'")[1]
            col = CRIT_PREFIX + cid
            if col in crit.columns:
                series = crit[col]
                row[f"pass_{key}"] = (
                    100.0 * float(series.fillna(False).mean()) if len(series) else float("nan")
                )
                row[f"empty_{key}"] = int(series.isna().sum())
            else:
                row[f"pass_{key}"] = float("nan")
                row[f"empty_{key}"] = None
        rows.append(row)
    pass_rates = pd.DataFrame(
        rows, columns=["id", "title", "kind", "pass_a", "empty_a", "pass_b", "empty_b"]
    )
    for col in ("empty_a", "empty_b"):
        pass_rates[col] = pass_rates[col].astype("Int64")

    # the criterion that splits each disagreeing lead
    split = pd.Series("", index=leads.index, dtype="string")
    a_only = (ta & ~tb).to_numpy()
    b_only = (~ta & tb).to_numpy()
    split[a_only] = "B: " + vb["charter_failed"][a_only]
    split[b_only] = "A: " + va["charter_failed"][b_only]
    tokens = []
    for side, mask, failed in (
        ("b", a_only, vb["charter_failed"]),
        ("a", b_only, va["charter_failed"]),
    ):
        if mask.any():
            exploded = failed[mask].str.split(FAILED_SEP).explode()
            for crit_id, count in exploded.value_counts().items():
                tokens.append(
                    {
                        "fails_in": (b if side == "b" else a).name,
                        "criterion": crit_id,
                        "leads": int(count),
                    }
                )
    splitters = pd.DataFrame(tokens, columns=["fails_in", "criterion", "leads"])

    rng = np.random.default_rng(seed)
    idx_a, idx_b = np.flatnonzero(a_only), np.flatnonzero(b_only)
    take_a = min(len(idx_a), max(examples // 2, examples - len(idx_b)))
    take_b = min(len(idx_b), examples - take_a)
    picks: list[int] = []
    for idx, take in ((idx_a, take_a), (idx_b, take_b)):
        if take > 0:
            picks.extend(sorted(rng.choice(idx, size=take, replace=False).tolist()))
    picks = picks[:examples]
    cols = [c for c in _EXAMPLE_COLUMNS if c in fa.columns]
    ex = fa.iloc[picks][cols].copy() if picks else pd.DataFrame(columns=cols)
    if "request_text" in ex.columns:
        # Reports mask phone numbers and e-mails customers type into their requests.
        ex["request_text"] = mask_contacts(ex["request_text"])
    ex.insert(len(cols), f"A: {a.name}", va["charter_verdict"].iloc[picks].to_numpy())
    ex.insert(len(cols) + 1, f"B: {b.name}", vb["charter_verdict"].iloc[picks].to_numpy())
    ex.insert(len(cols) + 2, "split_by", split.iloc[picks].to_numpy())
    both = pd.concat([va.add_prefix("a_"), vb.add_prefix("b_")], axis=1)
    return CharterComparison(
        diff=diff,
        n_leads=len(leads),
        target_a=int(ta.sum()),
        target_b=int(tb.sum()),
        confusion=confusion,
        kappa=kappa,
        pass_rates=pass_rates,
        examples=ex.reset_index(drop=True),
        splitters=splitters,
        verdicts=both,
    )
