"""One lead opened with the list beside it: the card a disputed lead is settled with.

:func:`lead_card` builds one JSON-able summary of a judged (and scored) lead:
the facts with phone and e-mail masked, the request as typed, the decoded
item with its evidence and alternatives, the charter checklist (each
criterion passed or failed, with the values that decided it), ``p_target``
and the reasons by criterion, both departments' verdicts.  Renderers
(:func:`render_card_html`, :func:`render_card_text`) only lay it out.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from triage.charter import Charter, describe_rule, rule_fields
from triage.contact import mask_contacts
from triage.schema import (
    CANDIDATES,
    CHARTER_VERDICT,
    MODEL_VERDICT,
    P_TARGET,
    REASON_PREFIX,
    REASONS,
    crit_column,
)

__all__ = ["lead_card", "mask_frame", "render_card_html", "render_card_text"]

_FACTS = (
    "lead_id",
    "created_at",
    "channel",
    "campaign",
    "region",
    "manager",
    "status",
    "lost_reason",
)
_WORDS = {
    "en": {
        "target": "target",
        "non_target": "non-target",
        None: "no verdict",
        "pass": "passed",
        "fail": "failed",
        "empty": "cannot tell",
    },
    "ru": {
        "target": "целевой",
        "non_target": "нецелевой",
        None: "нет вердикта",
        "pass": "выполнен",
        "fail": "не выполнен",
        "empty": "нет данных",
    },
}


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _masked(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    return str(mask_contacts(pd.Series([value])).iloc[0])


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Phones and e-mails masked in every text column at once (fast for many cards)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            if str(name).startswith(("decoded_", "crit_", "reason")) or name == "lead_id":
                continue
            out[name] = mask_contacts(column.astype("string"))
    return out


def _shown(value: Any, locale: str) -> Any:
    """True/false in the card's language; everything else as it is."""
    if isinstance(value, bool):
        return {"ru": ("да", "нет")}.get(locale, ("yes", "no"))[0 if value else 1]
    return value


def _identity(value: Any) -> Any:
    return value


def _checklist(
    row: pd.Series, charter: Charter, locale: str, mask: Any = _masked
) -> list[dict[str, Any]]:
    items = []
    for crit in charter.criteria:
        value = _plain(row.get(crit_column(crit.id)))
        state = "empty" if value is None else ("pass" if bool(value) else "fail")
        decided = {
            name: _shown(mask(_plain(row.get(name))), locale)
            for name in rule_fields(crit.rule)
            if name in row
        }
        items.append(
            {
                "id": crit.id,
                "title": crit.title_in(locale),
                "required": crit.required,
                "state": state,
                "state_text": _WORDS.get(locale, _WORDS["en"])[state],
                "rule": describe_rule(crit.rule, locale),
                "values": decided,
            }
        )
    return items


def _decoded(row: pd.Series) -> dict[str, Any]:
    slots = {
        key.removeprefix("decoded_"): _plain(row.get(key))
        for key in row.index
        if str(key).startswith("decoded_") and key not in (CANDIDATES,)
    }
    raw = row.get(CANDIDATES)
    candidates = json.loads(raw) if isinstance(raw, str) and raw.strip() else []
    return {"slots": slots, "candidates": candidates[:5]}


def _reasons(row: pd.Series, titles: dict[str, str]) -> dict[str, Any]:
    by_group = {
        str(k).removeprefix(REASON_PREFIX): float(v)
        for k, v in row.items()
        if str(k).startswith(REASON_PREFIX) and _plain(v) is not None
    }
    ordered = sorted(by_group.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    raw = row.get(REASONS)
    top = json.loads(raw) if isinstance(raw, str) and raw.strip() else []
    return {
        "by_criterion": [
            {"criterion": k, "title": titles.get(k, k), "points": round(v, 1)} for k, v in ordered
        ],
        "top": top,
    }


def lead_card(
    row: pd.Series,
    *,
    charter: Charter | None,
    titles: dict[str, str] | None = None,
    locale: str = "ru",
    masked: bool = False,
    threshold: float | None = None,
) -> dict[str, Any]:
    """The card of one lead as a JSON-able dict (contacts masked).

    ``masked=True`` says the row's text is masked already (:func:`mask_frame`);
    ``threshold`` is the judge's cut, shown beside ``p_target``.
    """
    mask = _identity if masked else _masked
    words = _WORDS.get(locale, _WORDS["en"])
    verdicts = {}
    for key in ("marketing_verdict", "sales_verdict", CHARTER_VERDICT, MODEL_VERDICT):
        value = _plain(row.get(key))
        verdicts[key] = {"value": value, "text": words.get(value, str(value))}
    facts = {k: mask(_plain(row.get(k))) for k in _FACTS if k in row}
    for contact in ("phone", "email"):
        if contact in row:
            facts[contact] = mask(_plain(row.get(contact)))
    return {
        "locale": locale,
        "facts": facts,
        "request": mask(_plain(row.get("request_text"))),
        "decoded": _decoded(row),
        "checklist": [] if charter is None else _checklist(row, charter, locale, mask),
        "charter": None if charter is None else charter.label,
        "p_target": _plain(row.get(P_TARGET)),
        "threshold": threshold,
        "verdicts": verdicts,
        "reasons": _reasons(row, titles or {}),
    }


def render_card_text(card: dict[str, Any]) -> str:
    """The card as plain text lines (for a terminal)."""
    lines = [f"lead {card['facts'].get('lead_id', '')}: {card['request']!r}"]
    p = card["p_target"]
    if p is not None:
        lines.append(f"p_target {p:.3f}; model verdict {card['verdicts'][MODEL_VERDICT]['text']}")
    for key, label in (("marketing_verdict", "marketing"), ("sales_verdict", "sales")):
        lines.append(f"{label}: {card['verdicts'][key]['text']}")
    lines.append(f"charter ({card['charter']}): {card['verdicts'][CHARTER_VERDICT]['text']}")
    for item in card["checklist"]:
        values = ", ".join(f"{k}={v}" for k, v in item["values"].items())
        lines.append(f"  [{item['state_text']}] {item['title']} ({values})")
    for item in card["reasons"]["top"]:
        lines.append("  " + item["text"].get(card["locale"], item["text"].get("en", "")))
    return "\n".join(lines)


def render_card_html(card: dict[str, Any]) -> str:
    """A self-contained HTML page of the card; every value is escaped."""
    from triage.report.html import environment

    return str(environment().get_template("lead_card.html").render(card=card))
