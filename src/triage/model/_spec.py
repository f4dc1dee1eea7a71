"""Which columns the judge learns from, and the criterion (or context group) each belongs to.

One declared mapping, built once per training run and stored in the model:
every model input column -> a group.  Groups are the charter's criterion ids
(``opel_only``: ``crit_opel_only`` and ``decoded_make``, the signal under it;
signals no rule reads follow their anchor in :data:`SIGNAL_ANCHORS`, e.g. the
decoder's score goes with the criterion that reads ``decoded_status``) plus
two context groups, ``decoder`` (what the decoder found that no criterion is
about) and ``context`` (channel, campaign, hour, ...).  Explanations are
summed back along this mapping, so they speak the charter's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from triage.charter import Charter, rule_fields
from triage.io.leads import LeadSchema
from triage.schema import (
    CANDIDATES,
    CHARTER_FAILED,
    CHARTER_VERDICT,
    DECODED_PREFIX,
    DECODED_SKU,
    MODEL_VERDICT,
    P_PREFIX,
    REASON_PREFIX,
    REASONS,
    RESPONSIBILITY,
    crit_column,
)

__all__ = [
    "CONTEXT_GROUPS",
    "NEVER_FEATURES",
    "SIGNAL_ANCHORS",
    "FeatureSpec",
    "build_feature_spec",
    "feature_matrix",
]

#: Groups that are not charter criteria, with their titles.
CONTEXT_GROUPS: dict[str, dict[str, str]] = {
    "decoder": {"ru": "Расшифровка запроса", "en": "Decoded request"},
    "context": {"ru": "Контекст лида", "en": "Lead context"},
}
#: Columns that are never features: identities, raw contacts and text, outputs of later steps.
NEVER_FEATURES = (
    "lead_id",
    "created_at",
    "phone",
    "email",
    "request_text",
    "utm_term",
    CANDIDATES,
    "decoded_name",
    DECODED_SKU,
    CHARTER_VERDICT,
    CHARTER_FAILED,
    MODEL_VERDICT,
    REASONS,
    RESPONSIBILITY,
)
#: Signals no criterion reads, attached to the criterion that reads their anchor column:
#: what the decoder found about the car goes with the make, about the part with the status.
SIGNAL_ANCHORS: dict[str, str] = {
    "decoded_model": "decoded_make",
    "decoded_generation": "decoded_make",
    "decoded_year": "decoded_make",
    "decoded_engine": "decoded_make",
    "decoded_part_type": "decoded_status",
    "decoded_side": "decoded_status",
    "decoded_axle": "decoded_status",
    "decoded_score": "decoded_status",
    "email_valid": "phone_valid",
    "phone_valid": "email_valid",
}
#: A text column with more distinct values than this share of rows is free text, not a category.
_FREE_TEXT_UNIQUE = 0.5
_MISSING = "(missing)"


@dataclass(frozen=True)
class FeatureSpec:
    """The model's input columns, their kind, and their group.

    Attributes
    ----------
    categorical, numeric : tuple of str
        Input columns by kind (numeric includes true/false columns).
    groups : dict
        Every input column -> its group (a criterion id, ``decoder`` or ``context``).
    titles : dict
        Group -> ``{"ru": ..., "en": ...}``.
    notes : tuple of str
        Columns left out and why (free text, ...), for the training report.
    """

    categorical: tuple[str, ...]
    numeric: tuple[str, ...]
    groups: dict[str, str]
    titles: dict[str, dict[str, str]]
    notes: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> list[str]:
        return [*self.categorical, *self.numeric]

    @property
    def group_ids(self) -> list[str]:
        """Groups in a stable order: criteria first (charter order), then context groups."""
        seen: dict[str, None] = {}
        for column in self.columns:
            seen.setdefault(self.groups[column], None)
        criteria = [g for g in self.titles if g in seen and g not in CONTEXT_GROUPS]
        return [*criteria, *[g for g in CONTEXT_GROUPS if g in seen]]

    def title(self, group: str, locale: str) -> str:
        titles = self.titles.get(group, {})
        return titles.get(locale) or titles.get("en") or group

    def without(self, columns: set[str]) -> FeatureSpec:
        """The spec with some columns left out (the leakage guard's exclusions)."""
        return FeatureSpec(
            categorical=tuple(c for c in self.categorical if c not in columns),
            numeric=tuple(c for c in self.numeric if c not in columns),
            groups={k: v for k, v in self.groups.items() if k not in columns},
            titles=self.titles,
            notes=self.notes,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "categorical": list(self.categorical),
            "numeric": list(self.numeric),
            "groups": dict(self.groups),
            "titles": {k: dict(v) for k, v in self.titles.items()},
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSpec:
        return cls(
            categorical=tuple(data["categorical"]),
            numeric=tuple(data["numeric"]),
            groups=dict(data["groups"]),
            titles={k: dict(v) for k, v in data["titles"].items()},
            notes=tuple(data.get("notes", ())),
        )


def _is_numeric(column: pd.Series) -> bool:
    """Numbers, true/false, or text that is all numbers ("623.0" kept as text by the reader)."""
    if pd.api.types.is_bool_dtype(column) or (
        pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_object_dtype(column)
    ):
        return True
    values = column.dropna()
    if values.empty or pd.api.types.is_datetime64_any_dtype(column):
        return False
    parsed = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
    return bool(parsed.notna().all())


def _criterion_groups(frame: pd.DataFrame, charter: Charter | None) -> dict[str, str]:
    """``crit_<id>`` and every field a criterion's rule reads -> that criterion."""
    groups: dict[str, str] = {}
    if charter is None:
        return groups
    for crit in charter.criteria:
        column = crit_column(crit.id)
        if column in frame.columns:
            groups[column] = crit.id
        for name in rule_fields(crit.rule):
            if name in frame.columns:
                groups.setdefault(name, crit.id)
    return groups


def _excluded(schema: LeadSchema, label_column: str | None) -> set[str]:
    out = {*NEVER_FEATURES, *map(schema.canonical, schema.exclude)}
    out |= set(map(schema.canonical, schema.post_outcome))
    if label_column is not None:
        out.add(label_column)
    return out


def build_feature_spec(
    frame: pd.DataFrame,
    schema: LeadSchema,
    charter: Charter | None,
    *,
    label_column: str | None = None,
) -> FeatureSpec:
    """Decide the model's inputs from judged leads, the lead schema and the charter.

    With ``features: auto`` every column not excluded becomes an input: the
    charter's criterion results and the fields they read, the decoder's other
    columns, and lead context.  Free-text columns (mostly distinct values)
    are left out with a note.  ``groups:`` in the schema overrides the group
    of a column.
    """
    excluded = _excluded(schema, label_column)
    groups = _criterion_groups(frame, charter)
    notes: list[str] = []
    if isinstance(schema.features, dict):
        wanted = [schema.canonical(c) for v in schema.features.values() for c in v]
        numeric_given = {schema.canonical(c) for c in schema.features.get("numeric", ())}
    else:
        wanted = [str(c) for c in frame.columns if str(c) not in excluded]
        wanted = [c for c in wanted if not c.startswith((P_PREFIX, REASON_PREFIX))]
        numeric_given = set()
    categorical: list[str] = []
    numeric: list[str] = []
    for column in wanted:
        series = frame[column]
        if column in numeric_given or _is_numeric(series):
            numeric.append(column)
        elif schema.features == "auto" and _free_text(series):
            notes.append(f"{column}: free text (mostly distinct values), not a feature")
            continue
        else:
            categorical.append(column)
        if column not in groups:
            groups[column] = "decoder" if column.startswith(DECODED_PREFIX) else "context"
    for column in [*categorical, *numeric]:
        anchor = SIGNAL_ANCHORS.get(column)
        if (
            groups.get(column) in CONTEXT_GROUPS
            and anchor in groups
            and groups[anchor] not in CONTEXT_GROUPS
        ):
            groups[column] = groups[anchor]
    for column, group in schema.groups.items():
        if schema.canonical(column) in groups:
            groups[schema.canonical(column)] = group
    titles: dict[str, dict[str, str]] = {}
    if charter is not None:
        titles = {c.id: {"ru": c.title_in("ru"), "en": c.title_in("en")} for c in charter}
    for group in set(groups.values()) - set(titles):
        titles[group] = CONTEXT_GROUPS.get(group, {"ru": group, "en": group})
    used = set(categorical) | set(numeric)
    return FeatureSpec(
        categorical=tuple(categorical),
        numeric=tuple(numeric),
        groups={c: g for c, g in groups.items() if c in used},
        titles=titles,
        notes=tuple(notes),
    )


def _free_text(series: pd.Series) -> bool:
    values = series.dropna()
    if len(values) < 20:
        return False
    return bool(values.nunique() > _FREE_TEXT_UNIQUE * len(values))


def feature_matrix(frame: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """The model's input frame: categories as text (missing -> "(missing)"), numbers as floats.

    Columns the leads lack are added as empty (the caller warns about them).
    """
    out: dict[str, Any] = {}
    n = len(frame)
    for column in spec.categorical:
        if column in frame.columns:
            text = frame[column].astype("string").fillna(_MISSING).str.strip()
            out[column] = text.mask(text == "", _MISSING).astype(object).to_numpy()
        else:
            out[column] = np.full(n, _MISSING, dtype=object)
    for column in spec.numeric:
        if column in frame.columns:
            series = frame[column]
            if pd.api.types.is_bool_dtype(series):
                series = series.astype("Float64")
            values = pd.to_numeric(series, errors="coerce").astype("Float64")
            out[column] = values.to_numpy(dtype="float64", na_value=np.nan)
        else:
            out[column] = np.full(n, np.nan)
    return pd.DataFrame(out, index=frame.index, columns=spec.columns)
