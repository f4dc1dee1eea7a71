"""The monthly audit: one JSON-able summary of a month of judged leads.

:func:`build_audit` answers the story's question for a month from the
numbers: which side's misses cost more (non-target leads delivered against
target leads lost), how that changed since the month before, target leads
counted four ways (marketing, sales, the agreed charter, the judge), how far
the departments agree, who answers for what, by channel, campaign, manager
and region, the trend over every month available, how often each side's
(and each manager's) verdicts were upheld by the charter, the judge and the
owner, and the disputed leads.  Renderers (:mod:`triage.report.audit`) lay
it out; every number on the page is in this summary and in the per-lead CSV.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from triage.charter import cohen_kappa_ci
from triage.features import parse_created_at
from triage.labels import normalize_verdicts
from triage.schema import CHARTER_VERDICT, MODEL_VERDICT, P_TARGET, RESPONSIBILITY
from triage.verdict import CLASSES

__all__ = ["MONTH", "add_month", "build_audit", "card_file", "disputed", "month_of"]

MONTH = "month"
_BREAKDOWNS = ("channel", "campaign", "manager", "region")
_SIDES = {"marketing": "marketing_verdict", "sales": "sales_verdict"}


def month_of(leads: pd.DataFrame) -> pd.Series:
    """``YYYY-MM`` of each lead's ``created_at`` ("(no date)" when unreadable)."""
    if "created_at" not in leads.columns:
        return pd.Series("(no date)", index=leads.index, dtype="string")
    created = parse_created_at(leads["created_at"], warn=False)
    return created.dt.strftime("%Y-%m").astype("string").fillna("(no date)")


def add_month(leads: pd.DataFrame) -> pd.DataFrame:
    out = leads.copy()
    out[MONTH] = month_of(leads)
    return out


def disputed(leads: pd.DataFrame) -> pd.Series:
    """True where marketing, sales, the charter and the judge do not all say the same.

    Verdicts that are missing (not given) do not make a dispute on their own.
    """
    sets = [
        normalize_verdicts(leads[c])
        for c in ("marketing_verdict", "sales_verdict", CHARTER_VERDICT, MODEL_VERDICT)
        if c in leads.columns
    ]
    if not sets:
        return pd.Series(False, index=leads.index)
    said = np.stack([(v == "target").fillna(False).to_numpy(dtype=bool) for v in sets])
    denied = np.stack([(v == "non_target").fillna(False).to_numpy(dtype=bool) for v in sets])
    return pd.Series(said.any(axis=0) & denied.any(axis=0), index=leads.index)


def _targets(frame: pd.DataFrame) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for name, column in (
        ("marketing", "marketing_verdict"),
        ("sales", "sales_verdict"),
        ("charter", CHARTER_VERDICT),
        ("model", MODEL_VERDICT),
    ):
        if column in frame.columns:
            out[name] = int((normalize_verdicts(frame[column]) == "target").sum())
        else:
            out[name] = None
    return out


def _responsibility_counts(frame: pd.DataFrame) -> dict[str, int]:
    if RESPONSIBILITY not in frame.columns:
        return dict.fromkeys(CLASSES, 0)
    counts = frame[RESPONSIBILITY].value_counts()
    return {c: int(counts.get(c, 0)) for c in CLASSES}


def _agreement(frame: pd.DataFrame) -> dict[str, Any]:
    m = normalize_verdicts(frame["marketing_verdict"]) if "marketing_verdict" in frame else None
    s = normalize_verdicts(frame["sales_verdict"]) if "sales_verdict" in frame else None
    if m is None or s is None:
        return {"n": 0, "percent": None, "kappa": None, "low": None, "high": None}
    both = (m.notna() & s.notna()).to_numpy()
    k = cohen_kappa_ci(m[both], s[both])
    return {
        "n": int(both.sum()),
        "percent": _num(100 * k.percent_agreement) if k.n else None,
        "kappa": _num(k.kappa),
        "low": _num(k.low),
        "high": _num(k.high),
    }


def _num(value: Any, digits: int = 3) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return round(number, digits) if np.isfinite(number) else None


def _costs(frame: pd.DataFrame) -> dict[str, Any]:
    """Misses of each side, counted, and valued at the median won deal where revenue is known."""
    resp = frame[RESPONSIBILITY]
    median = None
    if "revenue_rub" in frame.columns:
        won = pd.to_numeric(frame.loc[resp == "won", "revenue_rub"], errors="coerce").dropna()
        median = float(won.median()) if len(won) else None
    sales_leads = int((resp == "sales_miss").sum())
    business = int((resp == "lost_business").sum())
    return {
        "marketing_leads": int((resp == "marketing_miss").sum()),
        "sales_leads": sales_leads,
        "lost_business_leads": business,
        "median_won_rub": _num(median, 0) if median is not None else None,
        "sales_rub": None if median is None else round(sales_leads * median),
        "lost_business_rub": None if median is None else round(business * median),
    }


def _group_rows(frame: pd.DataFrame, by: str) -> list[dict[str, Any]]:
    if by not in frame.columns:
        return []
    rows = []
    key = frame[by].astype("string").fillna("(empty)")
    for name in sorted(key.unique().tolist(), key=str):
        part = frame[(key == name).to_numpy()]
        rows.append(
            {
                "group": str(name),
                "leads": len(part),
                **{f"{k}_target": v for k, v in _targets(part).items()},
                **_responsibility_counts(part),
            }
        )
    return rows


def _upheld(verdicts: pd.Series, judge: pd.Series) -> tuple[int, float | None]:
    has = verdicts.notna() & judge.notna()
    n = int(has.sum())
    return n, (_num(float((verdicts[has] == judge[has]).mean())) if n else None)


def _reliability_row(frame: pd.DataFrame, column: str, owner: pd.Series) -> dict[str, Any]:
    verdicts = normalize_verdicts(frame[column])
    row: dict[str, Any] = {"verdicts": int(verdicts.notna().sum())}
    for name, other in (
        ("charter", CHARTER_VERDICT),
        ("model", MODEL_VERDICT),
    ):
        if other in frame.columns:
            _, share = _upheld(verdicts, normalize_verdicts(frame[other]))
            row[f"upheld_by_{name}"] = share
        else:
            row[f"upheld_by_{name}"] = None
    n_owner, share_owner = _upheld(verdicts, owner)
    row["owner_settled"] = n_owner
    row["upheld_by_owner"] = share_owner
    return row


def _reliability(frame: pd.DataFrame, owner: pd.Series) -> dict[str, Any]:
    sides = [
        {"side": side, **_reliability_row(frame, column, owner)}
        for side, column in _SIDES.items()
        if column in frame.columns
    ]
    managers = []
    if "manager" in frame.columns and "sales_verdict" in frame.columns:
        key = frame["manager"].astype("string").fillna("(empty)")
        for name in sorted(key.unique().tolist(), key=str):
            sel = (key == name).to_numpy()
            managers.append(
                {"manager": str(name), **_reliability_row(frame[sel], "sales_verdict", owner[sel])}
            )
    return {"sides": sides, "managers": managers}


def _owner_verdicts(frame: pd.DataFrame, adjudications: pd.DataFrame | None) -> pd.Series:
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    if adjudications is None or adjudications.empty or "lead_id" not in frame.columns:
        return out
    latest = dict(zip(adjudications["lead_id"].astype(str), adjudications["verdict"], strict=True))
    ids = frame["lead_id"].astype(str)
    hit = ids.isin(latest).to_numpy()
    out[hit] = ids[hit].map(latest).to_numpy()
    return out


def _ru(n: float) -> str:
    """A whole number with a narrow no-break space between thousands, as Russian writes it."""
    return f"{n:,.0f}".replace(",", "\u202f")


def _headline(month: str, cost: dict[str, Any], before: dict[str, Any] | None) -> dict[str, str]:
    """The story's question answered from the numbers, in one sentence (two languages)."""
    m, s = cost["marketing_leads"], cost["sales_leads"]
    rub_en = f" (≈ {cost['sales_rub']:,.0f} ₽ at the median won deal)" if cost["sales_rub"] else ""
    rub_ru = f" (≈ {_ru(cost['sales_rub'])} ₽ по медианной сделке)" if cost["sales_rub"] else ""
    if s > m:
        en = (
            f"In {month} sales' misses cost more: {s:,} target leads lost by sales{rub_en} "
            f"against {m:,} non-target leads delivered by marketing."
        )
        ru = (
            f"В {month} дороже обошлись промахи продаж: {_ru(s)} целевых лидов потеряно "
            f"продажами{rub_ru} против {_ru(m)} нецелевых лидов, переданных маркетингом."
        )
    elif m > s:
        en = (
            f"In {month} marketing's misses cost more: {m:,} non-target leads delivered against "
            f"{s:,} target leads lost by sales{rub_en}."
        )
        ru = (
            f"В {month} дороже обошлись промахи маркетинга: {_ru(m)} нецелевых лидов передано "
            f"против {_ru(s)} целевых лидов, потерянных продажами{rub_ru}."
        )
    else:
        en = (
            f"In {month} the two sides missed equally: {m:,} non-target leads delivered, "
            f"{s:,} target leads lost by sales."
        )
        ru = (
            f"В {month} стороны ошиблись поровну: {_ru(m)} нецелевых лидов передано, "
            f"{_ru(s)} целевых потеряно продажами."
        )
    if before is not None:
        dm, ds = m - before["marketing_leads"], s - before["sales_leads"]
        en += f" Since {before['month']}: marketing's misses {dm:+,}, sales' misses {ds:+,}."
        ru += f" С {before['month']}: промахи маркетинга {dm:+}, продаж {ds:+}."
    return {"en": en, "ru": ru}


def build_audit(
    judged: pd.DataFrame,
    *,
    month: str | None = None,
    adjudications: pd.DataFrame | None = None,
    charter_label: str = "",
    disputes_limit: int = 500,
) -> dict[str, Any]:
    """The audit of one month (default: the latest) as a JSON-able dict.

    Parameters
    ----------
    judged : DataFrame
        Every month available, after scoring and :func:`triage.verdict.assign_responsibility`.
    month : str, optional
        ``YYYY-MM``.
    adjudications : DataFrame, optional
        The ledger's latest verdict per lead (``lead_id``, ``verdict``).
    """
    frame = add_month(judged)
    months = sorted(m for m in frame[MONTH].unique().tolist() if m != "(no date)")
    if month is None:
        month = months[-1] if months else "(no date)"
    if month not in frame[MONTH].tolist():
        raise ValueError(f"no leads in {month}; months available: {', '.join(months)}")
    owner = _owner_verdicts(frame, adjudications)
    this = frame[frame[MONTH] == month]
    previous = [m for m in months if m < month]
    cost = _costs(this)
    before = None
    if previous:
        last = frame[frame[MONTH] == previous[-1]]
        before = {"month": previous[-1], **_costs(last)}
    trend = []
    for m in months:
        part = frame[frame[MONTH] == m]
        rel = _reliability(part, owner[part.index])
        trend.append(
            {
                "month": m,
                "leads": len(part),
                **{f"{k}_target": v for k, v in _targets(part).items()},
                **_responsibility_counts(part),
                **{f"{r['side']}_upheld_by_charter": r["upheld_by_charter"] for r in rel["sides"]},
            }
        )
    dispute = disputed(this)
    return {
        "month": month,
        "months": months,
        "charter": charter_label,
        "leads": len(this),
        "headline": _headline(month, cost, before),
        "costs": {k: v for k, v in cost.items() if not k.startswith("_")},
        "previous": None
        if before is None
        else {k: v for k, v in before.items() if not k.startswith("_")},
        "targets": _targets(this),
        "agreement": _agreement(this),
        "responsibility": _responsibility_counts(this),
        "undecoded_requests": int(this["undecoded_request"].fillna(False).sum())
        if "undecoded_request" in this.columns
        else 0,
        "breakdowns": {by: _group_rows(this, by) for by in _BREAKDOWNS},
        "trend": trend,
        "reliability": _reliability(this, owner[this.index]),
        "disputes": _dispute_rows(this[dispute.to_numpy()], disputes_limit),
        "disputes_total": int(dispute.sum()),
    }


def _dispute_rows(frame: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    from triage.contact import mask_contacts

    out = []
    part = frame.head(limit)
    requests = (
        mask_contacts(part["request_text"].fillna("").astype("string"))
        if "request_text" in part.columns
        else pd.Series("", index=part.index)
    )
    for (_, row), request in zip(part.iterrows(), requests, strict=True):
        out.append(
            {
                "lead_id": str(row.get("lead_id", "")),
                "marketing": _text(row.get("marketing_verdict")),
                "sales": _text(row.get("sales_verdict")),
                "charter": _text(row.get(CHARTER_VERDICT)),
                "model": _text(row.get(MODEL_VERDICT)),
                "p_target": _num(row.get(P_TARGET), 3),
                "responsibility": _text(row.get(RESPONSIBILITY)),
                "request": str(request)[:160],
                "card": card_file(str(row.get("lead_id", ""))),
            }
        )
    return out


def card_file(lead_id: str) -> str:
    """The file name of a lead's dispute card (letters, digits, - and _ only)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in lead_id)
    return f"{safe or 'lead'}.html"


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)
