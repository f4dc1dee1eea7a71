"""The monthly audit page and the dispute cards: renderers of :mod:`triage.audit` summaries.

One self-contained HTML page per month (charts are inline SVG, no scripts,
no network), and one card per disputed lead with an index page.  Every value
is escaped by Jinja2's autoescape; numbers shown carry ``data-value``
attributes so tests (and a browser) can read them back exactly.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from triage.charter import Charter
from triage.report.card import lead_card, mask_frame
from triage.report.html import environment
from triage.verdict import CLASSES, what_would_change

__all__ = ["charts", "render_audit_html", "render_disputes_index", "write_dispute_cards"]

_RESPONSIBILITY_WORDS = {
    "en": {
        "won": "won",
        "open": "open",
        "lost_business": "lost for business reasons",
        "sales_miss": "sales' miss",
        "marketing_miss": "marketing's miss",
        "correct_reject": "correctly rejected",
        "needs_review": "needs review",
    },
    "ru": {
        "won": "продан",
        "open": "в работе",
        "lost_business": "потерян по причинам бизнеса",
        "sales_miss": "промах продаж",
        "marketing_miss": "промах маркетинга",
        "correct_reject": "верно отклонён",
        "needs_review": "нужно посмотреть",
    },
}
_COLOURS = {
    "won": "#2e7d32",
    "open": "#9e9e9e",
    "lost_business": "#f9a825",
    "sales_miss": "#c62828",
    "marketing_miss": "#1565c0",
    "correct_reject": "#80cbc4",
    "needs_review": "#6d4c41",
}


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog: the SVG is inlined in HTML


def charts(summary: dict[str, Any], locale: str = "en") -> dict[str, str]:
    """Inline SVG charts of the trend: targets by side, responsibility, verdicts upheld."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "triage"  # the same data draws the same bytes
    trend = pd.DataFrame(summary["trend"])
    if trend.empty:
        return {}
    months = trend["month"].tolist()
    out: dict[str, str] = {}
    fig, ax = plt.subplots(figsize=(7, 3))
    for side in ("marketing", "sales", "charter", "model"):
        column = f"{side}_target"
        if column in trend and trend[column].notna().all():
            ax.plot(months, trend[column], marker="o", label=side)
    ax.set_title("Target leads per month" if locale == "en" else "Целевые лиды по месяцам")
    ax.legend(fontsize=8)
    fig.tight_layout()
    out["targets"] = _svg(fig)
    fig, ax = plt.subplots(figsize=(9, 3))
    bottom = [0] * len(months)
    words = _RESPONSIBILITY_WORDS.get(locale, _RESPONSIBILITY_WORDS["en"])
    for cls in CLASSES:
        values = trend[cls].tolist() if cls in trend else [0] * len(months)
        ax.bar(months, values, bottom=bottom, label=words[cls], color=_COLOURS[cls])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title("Who answers for the leads" if locale == "en" else "Кто отвечает за лиды")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    out["responsibility"] = _svg(fig)
    fig, ax = plt.subplots(figsize=(7, 3))
    for side in ("marketing", "sales"):
        column = f"{side}_upheld_by_charter"
        if column in trend:
            ax.plot(months, trend[column], marker="o", label=side)
    ax.set_ylim(0, 1)
    ax.set_title(
        "Share of verdicts the charter upheld"
        if locale == "en"
        else "Доля вердиктов, подтверждённых регламентом"
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    out["reliability"] = _svg(fig)
    return out


def render_audit_html(
    summary: dict[str, Any], *, locale: str = "en", cards: str | None = "disputes"
) -> str:
    """The audit page of one month (self-contained; every value escaped)."""
    return str(
        environment()
        .get_template("audit.html")
        .render(
            s=summary,
            locale=locale,
            charts=charts(summary, locale),
            words=_RESPONSIBILITY_WORDS.get(locale, _RESPONSIBILITY_WORDS["en"]),
            classes=CLASSES,
            cards=cards,
        )
    )


def dispute_card(
    row: pd.Series,
    *,
    charter: Charter | None,
    titles: dict[str, str] | None = None,
    locale: str = "ru",
    masked: bool = False,
    threshold: float | None = None,
) -> dict[str, Any]:
    """The card of a disputed lead: :func:`lead_card` plus responsibility and what would change."""
    card = lead_card(
        row, charter=charter, titles=titles, locale=locale, masked=masked, threshold=threshold
    )
    words = _RESPONSIBILITY_WORDS.get(locale, _RESPONSIBILITY_WORDS["en"])
    value = row.get("responsibility")
    if isinstance(value, str) and value:
        reason = row.get(f"responsibility_reason_{locale}") or row.get("responsibility_reason_en")
        card["responsibility"] = {
            "value": value,
            "text": f"{words.get(value, value)}: {reason}" if isinstance(reason, str) else value,
            "undecoded_request": bool(row.get("undecoded_request") is True),
        }
    changes = what_would_change(row, charter=charter, locale=locale)
    who = {"marketing": "маркетинг", "sales": "продажи"} if locale == "ru" else {}
    card["changes"] = {who.get(k, k): v for k, v in changes.items() if v}
    return card


def write_dispute_cards(
    scored: pd.DataFrame,
    out_dir: str | Path,
    *,
    charter: Charter | None,
    titles: dict[str, str] | None = None,
    locale: str = "ru",
    threshold: float | None = None,
) -> dict[str, Any]:
    """One HTML card per disputed lead plus ``index.html``; returns the paths and count."""
    from triage.audit import card_file, disputed
    from triage.io.tables import write_text_atomic
    from triage.report.card import render_card_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = mask_frame(scored[disputed(scored).to_numpy()])
    entries = []
    for _, row in rows.iterrows():
        card = dispute_card(
            row, charter=charter, titles=titles, locale=locale, masked=True, threshold=threshold
        )
        name = card_file(str(row.get("lead_id", "")))
        write_text_atomic(render_card_html(card), out / name)
        entries.append({"file": name, "card": card})
    index = render_disputes_index(entries, locale=locale)
    write_text_atomic(index, out / "index.html")
    return {"count": len(entries), "index": out / "index.html", "folder": out}


def render_disputes_index(entries: list[dict[str, Any]], *, locale: str = "ru") -> str:
    """The index of the dispute cards."""
    return str(
        environment().get_template("disputes_index.html").render(entries=entries, locale=locale)
    )
