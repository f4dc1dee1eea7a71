"""Comparing two charters: criterion by criterion in words, and on real leads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from triage.charter._agreement import KappaResult, cohen_kappa_ci
from triage.charter._evaluate import check_fields, evaluate_criteria, prepare_fields, verdicts
from triage.charter._model import Charter, Criterion, Leaf, Rule, describe_rule
from triage.contact import mask_contacts
from triage.schema import (
    CHARTER_FAILED,
    CHARTER_VERDICT,
    DECODED_MAKE,
    DECODED_STATUS,
    FAILED_SEP,
    crit_column,
)

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
    #: The id in charter B when it differs (a renamed criterion).
    id_b: str | None = None


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
    renamed = _renamed(a, b)
    changes: list[CriterionChange] = []
    for cid in a.ids:
        if cid in renamed or cid in b.ids:
            cb = b.criterion(renamed.get(cid, cid))
            changes.append(_pair_change(a.criterion(cid), cb, locale))
        else:
            changes.append(_one_sided_change(a.criterion(cid), "only_a", a, locale))
    for cid in b.ids:
        if cid not in a.ids and cid not in renamed.values():
            changes.append(_one_sided_change(b.criterion(cid), "only_b", b, locale))
    window = _window_change(a, b)
    if window is not None:
        changes.append(window)
    return CharterDiff(a=a, b=b, changes=tuple(changes))


def _renamed(a: Charter, b: Charter) -> dict[str, str]:
    """Ids only in A mapped to ids only in B that carry the identical rule."""
    only_a = [i for i in a.ids if i not in b.ids]
    only_b = [i for i in b.ids if i not in a.ids]
    renamed: dict[str, str] = {}
    for ia in only_a:
        for ib in only_b:
            if ib not in renamed.values() and a.criterion(ia).rule == b.criterion(ib).rule:
                renamed[ia] = ib
                break
    return renamed


def _pair_change(ca: Criterion, cb: Criterion, locale: str) -> CriterionChange:
    """The change between a criterion of A and its counterpart in B."""
    details: list[str] = []
    if ca.id != cb.id:
        details.append(f"renamed to {cb.id!r} in B")
    if ca.required != cb.required:
        details.append(
            "required in A, a signal in B" if ca.required else "a signal in A, required in B"
        )
    details.extend(_rule_details(ca.rule, cb.rule, locale))
    if ca.if_missing != cb.if_missing:
        details.append(f"if_missing: {ca.if_missing} in A, {cb.if_missing} in B")
    return CriterionChange(
        id=ca.id,
        kind="changed" if details else "same",
        title=_title(ca, cb, locale),
        required_a=ca.required,
        required_b=cb.required,
        rule_a=describe_rule(ca.rule, locale),
        rule_b=describe_rule(cb.rule, locale),
        details=tuple(details),
        id_b=cb.id if cb.id != ca.id else None,
    )


def _one_sided_change(crit: Criterion, kind: str, owner: Charter, locale: str) -> CriterionChange:
    """A criterion that only one charter has (``kind`` is only_a or only_b)."""
    in_a = kind == "only_a"
    rule = describe_rule(crit.rule, locale)
    return CriterionChange(
        id=crit.id,
        kind=kind,
        title=_title(crit if in_a else None, None if in_a else crit, locale),
        required_a=crit.required if in_a else None,
        required_b=None if in_a else crit.required,
        rule_a=rule if in_a else None,
        rule_b=None if in_a else rule,
        details=(f"only in {owner.name}" + (" (required)" if crit.required else " (signal)"),),
    )


def _window_change(a: Charter, b: Charter) -> CriterionChange | None:
    """The duplicate window, when the charters use duplicates and disagree on it."""
    windows = (a.settings.duplicate_window_days, b.settings.duplicate_window_days)
    if windows[0] == windows[1] or not {"is_duplicate"} & (set(a.fields()) | set(b.fields())):
        return None
    return CriterionChange(
        id="settings.duplicate_window_days",
        kind="changed",
        title="duplicate window",
        required_a=None,
        required_b=None,
        rule_a=f"{windows[0]} days",
        rule_b=f"{windows[1]} days",
        details=(f"duplicate window {windows[0]} days in A, {windows[1]} in B",),
    )


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
    DECODED_MAKE,
    DECODED_STATUS,
)


def compare_on_leads(
    leads: pd.DataFrame,
    a: Charter,
    b: Charter,
    *,
    missing: str = "error",
    examples: int = 10,
    locale: str = "en",
    seed: int = 0,
) -> CharterComparison:
    """Evaluate two charters on the same leads and measure how far apart they are.

    Parameters
    ----------
    leads : DataFrame
        Leads with canonical column names and, when a charter reads them, the
        ``decoded_*`` columns (decode first: the charter never decodes).
    a, b : Charter
        The charters to compare.
    missing : {"error", "empty"}
        Decoded fields the leads lack: refuse, or leave those criteria empty.
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
    # Each charter derives its own fields: their duplicate windows may differ.
    fields = prepare_fields(leads, a, missing=missing)
    crit_a, va = _judge(fields, a)
    crit_b, vb = _judge(prepare_fields(leads, b, missing=missing), b)
    ta = (va[CHARTER_VERDICT] == "target").to_numpy()
    tb = (vb[CHARTER_VERDICT] == "target").to_numpy()
    split, splitters = _splitters(va, vb, a, b, ta & ~tb, ~ta & tb)
    ex = _examples(fields, va, vb, split, (ta & ~tb, ~ta & tb), (a, b), examples, seed)
    return CharterComparison(
        diff=diff,
        n_leads=len(leads),
        target_a=int(ta.sum()),
        target_b=int(tb.sum()),
        confusion=_confusion(va, vb, a, b),
        kappa=cohen_kappa_ci(va[CHARTER_VERDICT], vb[CHARTER_VERDICT]),
        pass_rates=_pass_rates(diff, crit_a, crit_b),
        examples=ex,
        splitters=splitters,
        verdicts=pd.concat([va.add_prefix("a_"), vb.add_prefix("b_")], axis=1),
    )


def _judge(fields: pd.DataFrame, charter: Charter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Criterion columns and verdicts of one charter on prepared fields."""
    check_fields(fields, charter)
    crit = evaluate_criteria(fields, charter)
    return crit, verdicts(crit, charter)


def _confusion(va: pd.DataFrame, vb: pd.DataFrame, a: Charter, b: Charter) -> pd.DataFrame:
    """Verdict counts, rows A and columns B."""
    labels = ["target", "non_target"]
    confusion = pd.crosstab(
        pd.Categorical(va[CHARTER_VERDICT], categories=labels),
        pd.Categorical(vb[CHARTER_VERDICT], categories=labels),
        dropna=False,
    )
    confusion.index = pd.Index([f"{a.name}: {x}" for x in labels])
    confusion.columns = pd.Index([f"{b.name}: {x}" for x in labels])
    return confusion


def _pass_rates(diff: CharterDiff, crit_a: pd.DataFrame, crit_b: pd.DataFrame) -> pd.DataFrame:
    """Per criterion, the pass rate (% of all leads) and empty count in A and in B."""
    rows = []
    for change in diff.changes:
        if change.id.startswith("settings."):
            continue
        row: dict[str, Any] = {"id": change.id, "title": change.title, "kind": change.kind}
        for key, crit, cid in (("a", crit_a, change.id), ("b", crit_b, change.id_b or change.id)):
            col = crit_column(cid)
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
    rates = pd.DataFrame(
        rows, columns=["id", "title", "kind", "pass_a", "empty_a", "pass_b", "empty_b"]
    )
    for col in ("empty_a", "empty_b"):
        rates[col] = rates[col].astype("Int64")
    return rates


def _splitters(
    va: pd.DataFrame,
    vb: pd.DataFrame,
    a: Charter,
    b: Charter,
    a_only: np.ndarray,
    b_only: np.ndarray,
) -> tuple[pd.Series, pd.DataFrame]:
    """For each disagreeing lead the criteria that split it, and their counts."""
    split = pd.Series("", index=va.index, dtype="string")
    split[a_only] = "B: " + vb[CHARTER_FAILED][a_only]
    split[b_only] = "A: " + va[CHARTER_FAILED][b_only]
    tokens = []
    for owner, mask, failed in ((b, a_only, vb[CHARTER_FAILED]), (a, b_only, va[CHARTER_FAILED])):
        if mask.any():
            exploded = failed[mask].str.split(FAILED_SEP).explode()
            for crit_id, count in exploded.value_counts().items():
                tokens.append({"fails_in": owner.name, "criterion": crit_id, "leads": int(count)})
    return split, pd.DataFrame(tokens, columns=["fails_in", "criterion", "leads"])


def _examples(
    fields: pd.DataFrame,
    va: pd.DataFrame,
    vb: pd.DataFrame,
    split: pd.Series,
    disagree: tuple[np.ndarray, np.ndarray],
    charters: tuple[Charter, Charter],
    examples: int,
    seed: int,
) -> pd.DataFrame:
    """A seeded sample of disagreeing leads from both directions, contacts masked."""
    a, b = charters
    rng = np.random.default_rng(seed)
    idx_a, idx_b = np.flatnonzero(disagree[0]), np.flatnonzero(disagree[1])
    take_a = min(len(idx_a), max(examples // 2, examples - len(idx_b)))
    take_b = min(len(idx_b), examples - take_a)
    picks: list[int] = []
    for idx, take in ((idx_a, take_a), (idx_b, take_b)):
        if take > 0:
            picks.extend(sorted(rng.choice(idx, size=take, replace=False).tolist()))
    picks = picks[:examples]
    cols = [c for c in _EXAMPLE_COLUMNS if c in fields.columns]
    ex = fields.iloc[picks][cols].copy() if picks else pd.DataFrame(columns=cols)
    if "request_text" in ex.columns:
        # Reports mask phone numbers and e-mails customers type into their requests.
        ex["request_text"] = mask_contacts(ex["request_text"])
    ex.insert(len(cols), f"A: {a.name}", va[CHARTER_VERDICT].iloc[picks].to_numpy())
    ex.insert(len(cols) + 1, f"B: {b.name}", vb[CHARTER_VERDICT].iloc[picks].to_numpy())
    ex.insert(len(cols) + 2, "split_by", split.iloc[picks].to_numpy())
    return ex.reset_index(drop=True)
