"""Whose miss a lead is: responsibility, one step after scoring, rules in one table.

Every lead gets one class (``docs/responsibility.md`` has the table and the reasons):

==============  ==============================================================
won             a target lead (by the agreed charter) that was sold
open            a target lead still being worked
lost_business   a target lead lost for a reason neither department controls
                (out of stock, price, bought elsewhere, changed mind)
sales_miss      a target lead rejected as non-target or "unclear", or lost
                with no reason or an invalid one (no answer, "not our make"
                for an Opel request, ...)
marketing_miss  a non-target lead marketing delivered as target (other make,
                not a part, outside the served region, duplicate, unreachable)
correct_reject  a non-target lead marketing did not pass on as target
needs_review    the evidence is missing or contradicts itself (a criterion
                could not be evaluated; a lost reason nobody mapped; sales
                says "not our make" while the decoder only half-read the make)
==============  ==============================================================

Plus ``undecoded_request``: the decoder decoded with confidence a request
sales called unclear or non-target (the story's "could not decode it into
*Front left drive shaft, Opel Astra J*").

Free-text lost reasons are mapped to reason classes through an editable
table (``data/reference/lost_reasons.csv``: exact words after normalising
case, ё and punctuation, then near spellings); unmapped reasons are counted
and listed by :func:`map_lost_reasons`, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from triage.charter import Charter
from triage.config import get_settings
from triage.errors import DataError
from triage.io.tables import read_table
from triage.labels import normalize_verdicts
from triage.schema import (
    CHARTER_FAILED,
    CHARTER_VERDICT,
    DECODED_STATUS,
    MISSING_PREFIX,
    RESPONSIBILITIES,
    RESPONSIBILITY,
)

__all__ = [
    "BUSINESS_REASONS",
    "CLASSES",
    "CONTROLLED_BY",
    "RULES",
    "LostReasons",
    "assign_responsibility",
    "load_lost_reasons",
    "map_lost_reasons",
    "what_would_change",
]

#: The classes, in report order (the schema's list).
CLASSES = RESPONSIBILITIES
#: Lost-reason classes neither department controls.
BUSINESS_REASONS = ("no_stock", "price", "bought_elsewhere", "changed_mind")
#: Lost-reason classes that claim the lead was not a target one.
NON_TARGET_CLAIMS = ("other_make", "spam", "empty", "duplicate", "region")
#: Who controls what a charter criterion reads (for "what would have to change").
CONTROLLED_BY: dict[str, str] = {
    "opel_only": "marketing",
    "part_request": "marketing",
    "served_region": "marketing",
    "reachable": "marketing",
    "not_duplicate": "marketing",
    "paid_channel": "marketing",
    "detailed_request": "marketing",
    "item_identified": "sales",
}

#: The rules, first match wins: (class, condition in words).  The code below follows it.
RULES: list[tuple[str, str]] = [
    ("needs_review", "a required criterion could not be evaluated (missing data)"),
    ("won", "target by the charter, and sold"),
    ("open", "target, still open (or no outcome yet)"),
    ("lost_business", "target, lost for a business reason (stock, price, elsewhere, changed mind)"),
    ("needs_review", "target, lost with a reason the table does not know"),
    ("needs_review", "target, sales say 'not our make / not a part' and the decoder was unsure"),
    ("sales_miss", "target, rejected by sales or lost with no reason or an invalid one"),
    ("marketing_miss", "not target by the charter, and marketing delivered it as target"),
    ("correct_reject", "not target, and marketing did not pass it on as target"),
]

_CONFIDENT = 60.0  # decoded_score from which a decoded request counts as decoded with confidence
_FUZZY = 88.0  # rapidfuzz ratio for a near spelling of a known lost reason


def _normalise(text: pd.Series) -> pd.Series:
    """Lower case, ё -> е, no trailing punctuation, single spaces."""
    out = text.astype("string").str.lower().str.replace("ё", "е", regex=False)
    out = out.str.replace(r"[\s.!?,;:]+$", "", regex=True).str.replace(r"\s+", " ", regex=True)
    return out.str.strip()


@dataclass(frozen=True)
class LostReasons:
    """The lost-reason table: normalised text -> reason class."""

    table: dict[str, str]
    source: str = "<table>"

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.table.values()))


def load_lost_reasons(path: str | Path | None = None) -> LostReasons:
    """Read the lost-reason table (default: the reference data's ``lost_reasons.csv``).

    Raises
    ------
    DataError
        Missing columns, or one text mapped to two classes (file and row named).
    """
    path = Path(path) if path is not None else get_settings().reference_dir / "lost_reasons.csv"
    frame = read_table(path, what="lost-reason table", infer_numbers=False)
    for column in ("reason_class", "text"):
        if column not in frame.columns:
            raise DataError(f"{path}: the lost-reason table needs columns reason_class and text")
    table: dict[str, str] = {}
    texts = _normalise(frame["text"])
    for row, (text, cls) in enumerate(zip(texts, frame["reason_class"], strict=True)):
        if text is pd.NA or not text:
            continue
        if table.get(text, cls) != cls:
            raise DataError(
                f"{path}: row {row + 2}, field text: {text!r} is both {table[text]!r} and {cls!r}"
            )
        table[str(text)] = str(cls).strip()
    return LostReasons(table=table, source=str(path))


def map_lost_reasons(reasons: pd.Series, table: LostReasons) -> tuple[pd.Series, pd.DataFrame]:
    """Each free-text lost reason -> its class ("" when empty, "unmapped" when unknown).

    Returns
    -------
    classes : Series (string)
    unmapped : DataFrame
        ``text`` and ``leads``: every reason the table did not know, most frequent first.
    """
    norm = _normalise(reasons)
    out = pd.Series("", index=reasons.index, dtype="string")
    known = list(table.table)
    for text in sorted(set(norm.dropna().tolist()) - {""}):
        cls = table.table.get(text)
        if cls is None:
            hit = process.extractOne(text, known, scorer=fuzz.ratio, score_cutoff=_FUZZY)
            cls = table.table[hit[0]] if hit is not None else "unmapped"
        out[(norm == text).fillna(False).to_numpy(dtype=bool)] = cls
    unknown = reasons[(out == "unmapped").to_numpy()].astype("string").str.strip()
    counts = unknown.value_counts()
    unmapped = pd.DataFrame({"text": counts.index.astype(str), "leads": counts.to_numpy()})
    return out, unmapped


@dataclass
class Responsibility:
    """Per lead: the class, the flag, the reason in two languages; and what was not mapped."""

    frame: pd.DataFrame
    unmapped: pd.DataFrame = field(default_factory=pd.DataFrame)


def _missing_only(failed: pd.Series) -> np.ndarray:
    parts = failed.fillna("").astype(str)
    return np.array(
        [bool(p) and all(t.startswith(MISSING_PREFIX) for t in p.split(";")) for p in parts]
    )


def _titles(failed: str, charter: Charter | None, locale: str) -> str:
    ids = [t for t in failed.split(";") if t and not t.startswith(MISSING_PREFIX)]
    if charter is None:
        return ", ".join(ids)
    names = []
    for cid in ids:
        try:
            names.append(charter.criterion(cid).title_in(locale))
        except KeyError:
            names.append(cid)
    return ", ".join(names)


_SENTENCES = {
    "won": ("Целевой лид продан.", "A target lead, sold."),
    "open": ("Целевой лид в работе.", "A target lead, still open."),
    "lost_business": (
        "Целевой лид потерян по причине вне контроля отделов: «{reason}».",
        "A target lead lost for a reason neither department controls: “{reason}”.",
    ),
    "sales_miss": (
        "Целевой лид потерян продажами: {why}.",
        "A target lead lost by sales: {why_en}.",
    ),
    "marketing_miss": (
        "Нецелевой лид передан как целевой: не выполнено — {failed}.",
        "A non-target lead delivered as target: fails {failed_en}.",
    ),
    "correct_reject": (
        "Нецелевой лид, маркетинг не передавал его как целевой: {failed}.",
        "A non-target lead marketing did not pass on as target: {failed_en}.",
    ),
    "needs_review": ("Нужно посмотреть: {why}.", "Needs review: {why_en}."),
}


def assign_responsibility(
    judged: pd.DataFrame,
    *,
    charter: Charter | None = None,
    lost_reasons: LostReasons | None = None,
) -> Responsibility:
    """Responsibility per lead, following :data:`RULES`.

    Parameters
    ----------
    judged : DataFrame
        Leads after the pipeline: ``charter_verdict``, ``charter_failed``,
        ``decoded_status`` / ``decoded_score``, and the CRM's
        ``marketing_verdict``, ``sales_verdict``, ``status``, ``lost_reason``.
    charter : Charter, optional
        For the criterion titles in the reasons.
    lost_reasons : LostReasons, optional
        The reason table (default: the shipped one).

    Returns
    -------
    Responsibility
        ``frame`` with ``responsibility``, ``undecoded_request``,
        ``lost_reason_class``, ``responsibility_reason_ru`` and
        ``responsibility_reason_en`` on the leads' index; ``unmapped`` lost reasons.
    """
    if CHARTER_VERDICT not in judged.columns:
        raise DataError(
            f"{judged.attrs.get('source', 'leads')}: no charter_verdict: judge the leads first "
            "(responsibility is one step after scoring)"
        )
    table = lost_reasons if lost_reasons is not None else load_lost_reasons()
    n = len(judged)
    empty = pd.Series("", index=judged.index, dtype="string")
    reasons_text = judged["lost_reason"] if "lost_reason" in judged.columns else empty
    reason_class, unmapped = map_lost_reasons(reasons_text, table)
    facts = _facts(judged, reason_class)
    cls = _classify(facts)
    out = pd.DataFrame(index=judged.index)
    out[RESPONSIBILITY] = pd.array(cls, dtype="string")
    out["undecoded_request"] = pd.array(
        facts["target"] & facts["confident"] & (facts["rejected"] | (facts["reason"] == "unclear")),
        dtype="boolean",
    )
    out["lost_reason_class"] = reason_class
    ru, en = _reasons(cls, judged, reasons_text, facts, charter)
    out["responsibility_reason_ru"] = pd.array(ru, dtype="string")
    out["responsibility_reason_en"] = pd.array(en, dtype="string")
    assert len(out) == n
    return Responsibility(frame=out, unmapped=unmapped)


def _facts(judged: pd.DataFrame, reason_class: pd.Series) -> dict[str, np.ndarray]:
    """The evidence the rules read, as aligned arrays."""

    def column(name: str) -> pd.Series:
        if name in judged.columns:
            return judged[name]
        return pd.Series(pd.NA, index=judged.index, dtype="string")

    marketing = normalize_verdicts(column("marketing_verdict"))
    sales = normalize_verdicts(column("sales_verdict"))
    status = column("status").astype("string").str.strip().str.lower().fillna("")
    score = pd.to_numeric(column("decoded_score"), errors="coerce").fillna(0.0)
    decoded = column(DECODED_STATUS).astype("string").fillna("")
    return {
        "target": (column(CHARTER_VERDICT) == "target").fillna(False).to_numpy(dtype=bool),
        "missing_only": _missing_only(column(CHARTER_FAILED)),
        "delivered": (marketing == "target").fillna(False).to_numpy(dtype=bool),
        "rejected": (sales == "non_target").fillna(False).to_numpy(dtype=bool),
        "won": (status == "won").to_numpy(dtype=bool),
        "open": ((status == "open") | ((status == "") & sales.isna())).to_numpy(dtype=bool),
        "reason": reason_class.fillna("").to_numpy(dtype=object),
        "confident": ((decoded == "decoded") & (score >= _CONFIDENT)).to_numpy(dtype=bool),
        "unsure": decoded.isin(["partial", "ambiguous"]).to_numpy(dtype=bool),
    }


def _classify(f: dict[str, np.ndarray]) -> np.ndarray:
    """The rules of :data:`RULES`, vectorised, first match wins."""
    target, reason = f["target"], f["reason"]
    business = np.isin(reason, BUSINESS_REASONS)
    claim = np.isin(reason, NON_TARGET_CLAIMS[:2])  # other make, not a part
    conditions = [
        f["missing_only"],
        target & f["won"],
        target & f["open"] & ~f["rejected"],
        target & business,
        target & (reason == "unmapped"),
        target & claim & f["unsure"],
        target,
        ~target & f["delivered"],
    ]
    choices = [
        "needs_review",
        "won",
        "open",
        "lost_business",
        "needs_review",
        "needs_review",
        "sales_miss",
        "marketing_miss",
    ]
    return np.select(conditions, choices, "correct_reject").astype(object)


_WHY = {
    "rejected": ("отклонён как нецелевой", "rejected as non-target"),
    "unclear": (
        "«непонятный запрос», а декодер его расшифровал",
        "“unclear request”, yet the decoder decoded it",
    ),
    "no_answer": ("не дозвонились до клиента", "the client was not reached"),
    "": ("потерян без причины", "lost with no reason given"),
    "claim": (
        "причина «{reason}» противоречит регламенту",
        "the reason “{reason}” contradicts the charter",
    ),
}


def _reasons(
    cls: np.ndarray,
    judged: pd.DataFrame,
    text: pd.Series,
    f: dict[str, np.ndarray],
    charter: Charter | None,
) -> tuple[list[str], list[str]]:
    failed = (
        judged[CHARTER_FAILED].fillna("").astype(str).tolist()
        if CHARTER_FAILED in judged.columns
        else [""] * len(cls)
    )
    raw = text.fillna("").astype(str).tolist()
    ru_out, en_out = [], []
    for i, c in enumerate(cls):
        ru, en = _SENTENCES[c]
        values = {
            "reason": raw[i],
            "failed": _titles(failed[i], charter, "ru"),
            "failed_en": _titles(failed[i], charter, "en"),
        }
        values["why"], values["why_en"] = _why(c, f, i, raw[i], failed[i])
        ru_out.append(ru.format(**values))
        en_out.append(en.format(**values))
    return ru_out, en_out


def _why(cls: str, f: dict[str, np.ndarray], i: int, raw: str, failed: str) -> tuple[str, str]:
    reason = f["reason"][i]
    if cls == "needs_review":
        if f["missing_only"][i]:
            ids = failed.replace(MISSING_PREFIX, "")
            return f"не хватает данных для критериев {ids}", f"no data for the criteria {ids}"
        if reason == "unmapped":
            return f"причина «{raw}» не в таблице причин", f"the reason “{raw}” is not in the table"
        return (
            f"продажи пишут «{raw}», а марка в запросе определена неуверенно",
            f"sales say “{raw}” while the decoder was unsure of the make",
        )
    if cls != "sales_miss":
        return "", ""
    if reason == "unclear" or (f["rejected"][i] and f["confident"][i]):
        return _WHY["unclear"]
    if reason in NON_TARGET_CLAIMS:
        ru, en = _WHY["claim"]
        return ru.format(reason=raw), en.format(reason=raw)
    if reason == "no_answer":
        return _WHY["no_answer"]
    if f["rejected"][i]:
        return _WHY["rejected"]
    return _WHY[""]


_CHANGE = {
    "opel_only": (
        "запрос должен быть на Opel (марка в запросе: {decoded_make})",
        "the request would have to be for an Opel (make in the request: {decoded_make})",
    ),
    "part_request": (
        "клиент должен просить запчасть (расшифровка: {decoded_status})",
        "the client would have to ask for a part (decoder: {decoded_status})",
    ),
    "served_region": (
        "лид должен прийти из региона доставки (регион: {region}) — таргетинг кампании",
        "the lead would have to come from a served region ({region}): campaign targeting",
    ),
    "reachable": (
        "нужен рабочий телефон или e-mail (сбор контакта в форме или звонке)",
        "a working phone or e-mail would have to be captured",
    ),
    "not_duplicate": (
        "лид не должен повторять лид последних дней (тот же контакт)",
        "the lead would not have to repeat a recent lead with the same contact",
    ),
}


def what_would_change(
    row: pd.Series, *, charter: Charter | None, locale: str = "ru"
) -> dict[str, list[str]]:
    """For one judged lead: what would have to change for the other verdict, by who controls it.

    Marketing controls the channel, campaign, region and contact capture (the
    criteria a delivered lead fails); sales controls decoding the request and
    reaching the client.
    """
    k = 0 if locale == "ru" else 1
    out: dict[str, list[str]] = {"marketing": [], "sales": []}
    values = {name: _cell(row.get(name)) for name in ("decoded_make", "decoded_status", "region")}
    if _cell(row.get(CHARTER_VERDICT)) != "target":
        failed = _cell(row.get(CHARTER_FAILED)).replace("—", "")
        for cid in [t for t in failed.split(";") if t]:
            crit_id = cid.removeprefix(MISSING_PREFIX)
            template = _CHANGE.get(crit_id)
            if template is not None:
                text = template[k].format(**values)
            elif charter is not None and crit_id in charter.ids:
                title = charter.criterion(crit_id).title_in(locale)
                text = (
                    f"«{title}» должен выполняться" if k == 0 else f"“{title}” would have to pass"
                )
            else:
                text = crit_id
            out[CONTROLLED_BY.get(crit_id, "marketing")].append(text)
        return out
    responsibility = _cell(row.get(RESPONSIBILITY))
    name = _cell(row.get("decoded_name"))
    reason = _cell(row.get("lost_reason_class"))
    if _cell(row.get("undecoded_request")).lower() == "true" or reason == "unclear":
        out["sales"].append(
            f"расшифровать запрос: декодер нашёл «{name}»"
            if k == 0
            else f"decode the request: the decoder found “{name}”"
        )
    if reason == "no_answer":
        out["sales"].append("дозвониться до клиента" if k == 0 else "reach the client")
    if responsibility == "sales_miss" and not out["sales"]:
        out["sales"].append(
            "не отклонять лид: по регламенту он целевой"
            if k == 0
            else "keep the lead: by the charter it is a target one"
        )
    if responsibility in ("won", "open", "lost_business"):
        out["marketing"].append(
            "для нецелевого вердикта лид должен был бы не выполнить обязательный критерий"
            if k == 0
            else "for a non-target verdict the lead would have to fail a required criterion"
        )
    return out


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—"
    text = str(value).strip()
    return text or "—"
