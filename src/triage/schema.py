"""Column contracts: every column triage reads or writes, with its dtype, in one place.

Each step of the flow adds columns under its own prefix and only reads columns
that earlier steps wrote:

==============  ===========================  =====================================
step            columns                      written by
==============  ===========================  =====================================
lead export     :data:`LEAD`                 the CRM (canonical names after mapping)
features        :data:`DERIVED`              :mod:`triage.features`
decoder         ``decoded_*`` (:data:`DECODED`)  :class:`triage.decode.Decoder`
charter         ``crit_<id>``, :data:`CHARTER_VERDICT`, :data:`CHARTER_FAILED`
                                             :func:`triage.charter.evaluate_charter`
judge           ``p_target``, ``model_verdict``, ``reasons``,    :class:`triage.pipeline.Scorer`
                ``reason_<criterion>``                           with a judge
responsibility  :data:`RESPONSIBILITY`       :mod:`triage.verdict`
==============  ===========================  =====================================

Modules use these constants, never the literal names.  ``dtype`` is the pandas
dtype a column has once read (nullable dtypes: missing values stay missing).

Examples
--------
>>> crit_column("opel_only")
'crit_opel_only'
>>> DECODED_COLUMNS[:2]
['decoded_make', 'decoded_model']
>>> dtype_of("decoded_score")
'float64'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "CANDIDATES",
    "CATALOG",
    "CATALOG_COLUMNS",
    "CHARTER_FAILED",
    "CHARTER_VERDICT",
    "CRIT_PREFIX",
    "DECODED",
    "DECODED_COLUMNS",
    "DECODED_MAKE",
    "DECODED_PREFIX",
    "DECODED_SKU",
    "DECODED_STATUS",
    "DECODED_STATUSES",
    "DERIVED",
    "DERIVED_COLUMNS",
    "FAILED_SEP",
    "LEAD",
    "LEAD_COLUMNS",
    "MISSING_PREFIX",
    "MODEL_VERDICT",
    "P_PREFIX",
    "P_TARGET",
    "REASONS",
    "REASON_PREFIX",
    "RESPONSIBILITIES",
    "RESPONSIBILITY",
    "TIERS",
    "TRUTH",
    "TRUTH_COLUMNS",
    "VERDICTS",
    "WINDOW_COLUMNS",
    "Column",
    "coerce",
    "crit_column",
    "crit_id",
    "dtype_of",
    "empty_frame",
    "kind_of",
    "restore_types",
]


@dataclass(frozen=True)
class Column:
    """One column: its name, pandas dtype and meaning."""

    name: str
    dtype: str
    doc: str = ""


# -- prefixes and single columns of the later steps ------------------------------------
DECODED_PREFIX = "decoded_"
CRIT_PREFIX = "crit_"
P_PREFIX = "p_"
REASON_PREFIX = "reason_"
CHARTER_VERDICT = "charter_verdict"
CHARTER_FAILED = "charter_failed"
#: How a required criterion that could not be evaluated is listed in ``charter_failed``.
MISSING_PREFIX = "missing:"
#: Separator of the ids in ``charter_failed``.
FAILED_SEP = ";"
RESPONSIBILITY = "responsibility"
#: The judge's columns: calibrated probability, verdict at the model's threshold, top reasons.
P_TARGET = "p_target"
MODEL_VERDICT = "model_verdict"
REASONS = "reasons"
#: Decoded columns other modules name one by one.
CANDIDATES = "decoded_candidates"
DECODED_STATUS = "decoded_status"
DECODED_SKU = "decoded_sku"
DECODED_MAKE = "decoded_make"

VERDICTS = ["target", "non_target"]
RESPONSIBILITIES = [
    "won",
    "open",
    "lost_business",
    "sales_miss",
    "marketing_miss",
    "correct_reject",
    "needs_review",
]

#: A lead export as the shop has it (canonical names; a user's export may have any subset).
LEAD: tuple[Column, ...] = (
    Column("lead_id", "string", "identifier of the lead in the CRM"),
    Column("created_at", "string", "when the lead came in (local clock time)"),
    Column("channel", "string", "where it came from (yandex_direct, avito, phone_call, ...)"),
    Column("campaign", "string", "advertising campaign"),
    Column("utm_term", "string", "search term of a paid click"),
    Column("region", "string", "the customer's region as the CRM writes it"),
    Column("phone", "string", "phone as typed"),
    Column("email", "string", "e-mail as typed"),
    Column("request_text", "string", "what the customer asked for, as typed"),
    Column("marketing_verdict", "string", "marketing's verdict: target / non_target"),
    Column("sales_verdict", "string", "sales' verdict: target / non_target"),
    Column("status", "string", "won / lost / open"),
    Column("lost_reason", "string", "why a lead was lost, in the manager's words"),
    Column("revenue_rub", "Int64", "revenue of a won lead"),
    Column("manager", "string", "the sales manager"),
)

#: Columns of a catalog written by ``triage synth`` (a user's catalog needs only sku and name).
#: ``cross_numbers`` and ``engine_codes`` hold several values separated by ``;``.
CATALOG: tuple[Column, ...] = (
    Column("sku", "string"),
    Column("oem_number", "string"),
    Column("cross_numbers", "string"),
    Column("name", "string"),
    Column("part_type", "string"),
    Column("make", "string"),
    Column("model", "string"),
    Column("generation", "string"),
    Column("year_from", "Int64"),
    Column("year_to", "Int64"),
    Column("engine_codes", "string"),
    Column("axle", "string"),
    Column("side", "string"),
    Column("brand", "string"),
    Column("price_rub", "Int64"),
    Column("in_stock", "boolean"),
)

#: Ground truth of the synthetic world, in a separate file that scoring code never reads.
TRUTH: tuple[Column, ...] = tuple(
    Column(name, "boolean" if name == "specifies_item" else "string")
    for name in (
        "lead_id",
        "tier",
        "true_verdict",
        "true_failed",
        "true_responsibility",
        "true_sku",
        "true_make",
        "true_model",
        "true_generation",
        "true_part_type",
        "true_side",
        "true_axle",
        "true_year",
        "true_engine",
        "true_mentioned",
        "specifies_item",
        "duplicate_of",
    )
)

#: Columns the decoder adds, in this order.  Slots the request does not state are "".
DECODED: tuple[Column, ...] = (
    Column(DECODED_MAKE, "string", "car make"),
    Column("decoded_model", "string", "model id (astra, corsa, ...)"),
    Column("decoded_generation", "string", "generation letter(s), '|' between readings"),
    Column("decoded_part_type", "string", "part type id"),
    Column("decoded_side", "string", "left / right"),
    Column("decoded_axle", "string", "front / rear"),
    Column("decoded_year", "string", "model year named in the request"),
    Column("decoded_engine", "string", "engine code"),
    Column(DECODED_SKU, "string", "the decoded item (only when status is decoded)"),
    Column("decoded_name", "string", "its catalog name"),
    Column("decoded_score", "float64", "0-100: estimated chance the top candidate is right"),
    Column(DECODED_STATUS, "string", "decoded / ambiguous / partial / other_make / ..."),
    Column(CANDIDATES, "string", "top-k candidates with evidence, JSON"),
)

DECODED_STATUSES = ["decoded", "ambiguous", "partial", "other_make", "not_a_part", "empty"]

#: Fields computed from the lead columns by :mod:`triage.features`.
DERIVED: tuple[Column, ...] = (
    Column("phone_valid", "boolean", "the phone normalises to a Russian mobile/landline"),
    Column("email_valid", "boolean", "the e-mail looks deliverable"),
    Column("request_length", "Int64", "characters of the request, spaces trimmed"),
    Column("is_duplicate", "boolean", "repeats an earlier lead's contact within the window"),
    Column("hour", "Int64", "hour of created_at, local clock time"),
    Column("weekday", "Int64", "ISO weekday of created_at (1 = Monday)"),
)
#: Derived fields that need the other leads (a global pre-pass, never per chunk).
WINDOW_COLUMNS = ["is_duplicate"]

#: Difficulty tiers of a request text in the synthetic world, easiest first.
TIERS = [
    "exact",
    "oem",
    "colloquial",
    "slang",
    "typo",
    "translit",
    "layout",
    "missing_slots",
    "vague",
    "other_make",
    "not_a_part",
    "empty",
]

LEAD_COLUMNS = [c.name for c in LEAD]
CATALOG_COLUMNS = [c.name for c in CATALOG]
TRUTH_COLUMNS = [c.name for c in TRUTH]
DECODED_COLUMNS = [c.name for c in DECODED]
DERIVED_COLUMNS = [c.name for c in DERIVED]

_DTYPES: dict[str, str] = {
    c.name: c.dtype for group in (LEAD, CATALOG, TRUTH, DECODED, DERIVED) for c in group
}
_DTYPES.update(
    {
        CHARTER_VERDICT: "string",
        CHARTER_FAILED: "string",
        P_TARGET: "float64",
        MODEL_VERDICT: "string",
        REASONS: "string",
        RESPONSIBILITY: "string",
        "undecoded_request": "boolean",
        "lost_reason_class": "string",
        "responsibility_reason_ru": "string",
        "responsibility_reason_en": "string",
    }
)


def crit_column(criterion_id: str) -> str:
    """The column of a charter criterion (``crit_<id>``)."""
    return CRIT_PREFIX + criterion_id


def crit_id(column: str) -> str:
    """The criterion id of a ``crit_<id>`` column."""
    if not column.startswith(CRIT_PREFIX):
        raise ValueError(f"{column!r} is not a criterion column ({CRIT_PREFIX}<id>)")
    return column[len(CRIT_PREFIX) :]


def kind_of(name: str) -> str:
    """How a charter compares a known column: ``text``, ``number``, ``bool`` or ``date``."""
    if name == "created_at":
        return "date"
    if name == "decoded_year":
        return "number"  # a year written as text ("" when the request names none)
    dtype = dtype_of(name)
    if dtype == "boolean":
        return "bool"
    if dtype in ("Int64", "float64"):
        return "number"
    return "text"


def dtype_of(name: str) -> str:
    """The dtype of a known column; ``crit_*`` columns are ``boolean``, ``reason_*`` floats."""
    if name.startswith(CRIT_PREFIX):
        return "boolean"
    if name.startswith(REASON_PREFIX):
        return "float64"
    try:
        return _DTYPES[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a column of triage's schema") from None


def coerce(frame: pd.DataFrame, columns: Iterable[Column]) -> pd.DataFrame:
    """``frame`` with the given columns cast to their schema dtype (others untouched)."""
    casts = {c.name: c.dtype for c in columns if c.name in frame.columns}
    return frame.astype(casts) if casts else frame


def restore_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Triage's own columns back to their dtypes after a round trip through CSV.

    A scored CSV holds ``p_target`` and ``reason_*`` as text the lossless reader
    may keep as written ("0.90"), ``crit_*`` as "True"/"False"; other columns
    are left as they are.
    """
    out = frame.copy()
    for name in out.columns:
        try:
            dtype = dtype_of(str(name))
        except KeyError:
            continue
        column = out[name]
        if dtype == "boolean" and not pd.api.types.is_bool_dtype(column):
            text = column.astype("string").str.strip().str.lower()
            out[name] = text.map({"true": True, "false": False}).astype("boolean")
        elif dtype == "float64" and not pd.api.types.is_float_dtype(column):
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
    return out


def empty_frame(columns: Sequence[Column]) -> pd.DataFrame:
    """A frame with no rows and the given typed columns."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in columns})
