"""Lead exports and the lead schema: how a CRM's columns map to triage's.

A **lead schema** is a YAML file (see ``docs/schema.md``).  Its simplest form
is today's flat column mapping, ``canonical_name: source column``::

    created_at: Дата
    region: Регион
    request_text: Запрос

The full form adds what a judge needs to learn from any CRM export::

    columns: {lead_id: Prospect ID, created_at: null, request_text: null}
    label: {column: Converted, positive: [1]}     # one column holds the agreed verdict
    features: auto                                # or {categorical: [...], numeric: [...]}
    exclude: [Lead Number]                        # never used
    post_outcome: [Tags, Lead Quality]            # known only after contact: never features
    missing_values: [Select]                      # placeholders read as empty
    verdicts: {Целевой лид: target, Квалифицирован: target, n/a: null}

Canonical names are the lead columns of :data:`triage.schema.LEAD_COLUMNS`,
the decoder's ``decoded_*`` columns and the derived fields; ``null`` says the
export has no such column.  Columns not named keep their own names.  Names in
``label``, ``features``, ``exclude`` and ``post_outcome`` may be given as in
the export or by their canonical name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from triage.errors import DataError
from triage.io.tables import read_table
from triage.io.yaml import YamlDocument, node_where, read_yaml, scalar_value
from triage.schema import DECODED_COLUMNS, DERIVED_COLUMNS, LEAD_COLUMNS

__all__ = [
    "CANONICAL_COLUMNS",
    "DEFAULT_MISSING_VALUES",
    "LabelSpec",
    "LeadSchema",
    "apply_mapping",
    "apply_schema",
    "load_leads",
    "load_mapping",
    "load_schema",
]

#: Names a mapping may map to.
CANONICAL_COLUMNS: tuple[str, ...] = (*LEAD_COLUMNS, *DECODED_COLUMNS, *DERIVED_COLUMNS)
#: Placeholders CRMs write for "nothing chosen", read as empty unless the schema says otherwise.
DEFAULT_MISSING_VALUES: tuple[str, ...] = ("Select", "-- Select --", "(none)", "n/a", "N/A")
_SCHEMA_KEYS = (
    "columns",
    "label",
    "features",
    "exclude",
    "post_outcome",
    "missing_values",
    "verdicts",
    "groups",
    "allow",
)
_LABEL_KEYS = ("column", "positive", "negative")
#: Columns known only after contact: new leads (to be scored) do not have them yet.
OUTCOME_COLUMNS = (
    "marketing_verdict",
    "sales_verdict",
    "status",
    "lost_reason",
    "revenue_rub",
    "manager",
)
_FEATURE_KEYS = ("categorical", "numeric")


@dataclass(frozen=True)
class LabelSpec:
    """One column holding the agreed verdict: ``positive`` values mean target."""

    column: str
    positive: tuple[str, ...]
    negative: tuple[str, ...] = ()
    where: str = ""

    def encode(self, values: pd.Series, *, source: str = "leads") -> pd.Series:
        """1 (target), 0 (non-target) or missing (no verdict) per lead.

        Raises
        ------
        DataError
            A value is neither positive nor negative (when ``negative`` is
            given), or, without ``negative``, there is more than one other value.
        """
        text = _as_text(values)
        pos = text.isin(self.positive)
        filled = text.notna() & (text != "")
        if self.negative:
            neg = text.isin(self.negative)
            odd = filled & ~pos & ~neg
        else:
            others = sorted(set(text[filled & ~pos].tolist()))
            neg = filled & ~pos
            odd = pd.Series(len(others) > 1, index=text.index) & neg
        if odd.any():
            bad = ", ".join(map(repr, sorted(set(text[odd].tolist()))[:5]))
            raise DataError(
                f"{self.where or source}: label column {self.column!r} holds {bad}"
                f", outside positive {list(self.positive)}"
                + (f" and negative {list(self.negative)}" if self.negative else "")
                + "; list every value under positive: or negative: in the schema"
            )
        out = pd.Series(pd.NA, index=values.index, dtype="Int64")
        out[pos.to_numpy(dtype=bool)] = 1
        out[neg.to_numpy(dtype=bool, na_value=False)] = 0
        return out


@dataclass(frozen=True)
class LeadSchema:
    """How an export's columns map to triage's, and what a judge may learn from.

    Build one with :func:`load_schema` (or :meth:`synthetic` for the
    generated world's columns).
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    label: LabelSpec | None = None
    features: str | dict[str, tuple[str, ...]] = "auto"
    exclude: tuple[str, ...] = ()
    post_outcome: tuple[str, ...] = ()
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    verdicts: dict[str, str | None] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    source: str = "<schema>"
    where: dict[str, str] = field(default_factory=dict)
    #: Read from a flat ``canonical: source`` mapping (placeholders are then kept as written).
    flat: bool = False

    @classmethod
    def synthetic(cls) -> LeadSchema:
        """The schema of ``triage synth`` exports: canonical names, verdicts in two columns."""
        return cls(post_outcome=OUTCOME_COLUMNS, source="<synthetic world>")

    @property
    def renames(self) -> dict[str, str]:
        """Source column -> canonical name, for the columns the export has."""
        return {src: canon for canon, src in self.columns.items() if src is not None}

    @property
    def absent(self) -> list[str]:
        """Canonical columns the schema says the export does not have."""
        return [canon for canon, src in self.columns.items() if src is None]

    def canonical(self, name: str) -> str:
        """A column name as it is after mapping (source names of mapped columns translated)."""
        return self.renames.get(name, name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy (for model cards)."""
        return {
            "source": self.source,
            "columns": dict(self.columns),
            "label": None
            if self.label is None
            else {
                "column": self.label.column,
                "positive": list(self.label.positive),
                "negative": list(self.label.negative),
            },
            "features": self.features
            if isinstance(self.features, str)
            else {k: list(v) for k, v in self.features.items()},
            "exclude": list(self.exclude),
            "post_outcome": list(self.post_outcome),
            "missing_values": list(self.missing_values),
            "verdicts": dict(self.verdicts),
            "groups": dict(self.groups),
            "allow": list(self.allow),
        }


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; whole floats as integers ("1.0" -> "1")."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("string").str.lower()
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna().eq(values.dropna().round()).all()
        if whole:
            return values.astype("Int64").astype("string")
    return values.astype("string").str.strip()


# -------------------------------------------------------------------- reading the YAML
class _SchemaReader:
    """Walks the YAML nodes, every error with file:line:column."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.where: dict[str, str] = {}

    def fail(self, node: Node | None, message: str) -> DataError:
        return DataError(f"{node_where(self.doc.source, node)}: {message}")

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, f"{what} must be a single value, not a list or mapping")
        return scalar_value(node)

    def name(self, node: Node, what: str) -> str:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise self.fail(node, f"{what} must be a column name, got {value!r}")
        return str(value).strip()

    def names(self, node: Node, what: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode) and scalar_value(node) is None:
            return ()
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{what} must be a list like [a, b]")
        return tuple(self.name(item, f"{what} entry") for item in node.value)

    def values(self, node: Node, what: str) -> tuple[str, ...]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        out = []
        for item in items:
            value = self.scalar(item, what)
            if value is None:
                raise self.fail(item, f"{what}: an empty value is never a verdict; leave it out")
            out.append(str(value).lower() if isinstance(value, bool) else str(value).strip())
        return tuple(out)

    def keys(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.fail(
                    key_node, f"{what}: unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
                )
            if key in out:
                raise self.fail(key_node, f"{what}: key {key!r} appears twice")
            out[key] = (key_node, value_node)
            self.where[key] = node_where(self.doc.source, key_node)
        return out

    # -- sections ----------------------------------------------------------
    def columns(self, node: Node) -> dict[str, str | None]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, "columns must be a mapping of 'canonical_name: source column'")
        out: dict[str, str | None] = {}
        used: dict[str, str] = {}
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or key not in CANONICAL_COLUMNS:
                close = difflib.get_close_matches(str(key), CANONICAL_COLUMNS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.fail(
                    key_node,
                    f"unknown canonical column {key!r} in the mapping{hint} "
                    f"(allowed: {', '.join(LEAD_COLUMNS)}, decoded_* and derived fields)",
                )
            if key in out:
                raise self.fail(key_node, f"{key!r} is mapped twice")
            value = scalar_value(value_node) if isinstance(value_node, ScalarNode) else None
            if value is None and isinstance(value_node, ScalarNode):
                out[key] = None
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, str | int)
                or not str(value).strip()
            ):
                raise self.fail(
                    value_node, f"mapping for {key!r} must be a column name, got {value!r}"
                )
            column = str(value).strip()
            if column in used:
                raise self.fail(
                    key_node,
                    f"source column {column!r} is mapped to both {used[column]!r} and {key!r}",
                )
            used[column] = key
            out[key] = column
            self.where[f"columns.{key}"] = node_where(self.doc.source, key_node)
        return out

    def label(self, node: Node) -> LabelSpec:
        keys = self.keys(node, "label", _LABEL_KEYS)
        if "column" not in keys or "positive" not in keys:
            raise self.fail(node, "label needs column: and positive: (the values meaning target)")
        positive = self.values(keys["positive"][1], "label.positive")
        negative = self.values(keys["negative"][1], "label.negative") if "negative" in keys else ()
        both = set(positive) & set(negative)
        if both:
            raise self.fail(
                keys["negative"][1], f"label: {sorted(both)} both positive and negative"
            )
        return LabelSpec(
            column=self.name(keys["column"][1], "label.column"),
            positive=positive,
            negative=negative,
            where=node_where(self.doc.source, node),
        )

    def features(self, node: Node) -> str | dict[str, tuple[str, ...]]:
        if isinstance(node, ScalarNode):
            if scalar_value(node) != "auto":
                raise self.fail(
                    node, "features must be auto or {categorical: [...], numeric: [...]}"
                )
            return "auto"
        keys = self.keys(node, "features", _FEATURE_KEYS)
        return {k: self.names(v, f"features.{k}") for k, (_, v) in keys.items()}

    def verdicts(self, node: Node) -> dict[str, str | None]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, "verdicts must map CRM words to target, non_target or null")
        out: dict[str, str | None] = {}
        for key_node, value_node in node.value:
            word = self.scalar(key_node, "verdicts key")
            value = self.scalar(value_node, f"verdicts.{word}")
            if value not in ("target", "non_target", None):
                raise self.fail(
                    value_node, f"verdicts: {word!r} must map to target, non_target or null"
                )
            out[str(word).strip().lower()] = value
        return out

    def groups(self, node: Node) -> dict[str, str]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, "groups must map columns to a criterion id or a context group")
        return {self.name(k, "groups key"): self.name(v, "groups value") for k, v in node.value}


def load_schema(path: str | Path) -> LeadSchema:
    """Read a lead schema (or a flat column mapping) YAML file.

    Raises
    ------
    DataError
        The file is unsafe or malformed, a key is unknown, a value has the
        wrong type, or two names map to the same source column; the message
        names the file, the line and the key.
    """
    doc = read_yaml(path, what="mapping")
    root = doc.root
    if root is None:
        raise DataError(f"{doc.source}: the schema file is empty")
    if not isinstance(root, MappingNode):
        raise DataError(
            f"{node_where(doc.source, root)}: a mapping file is a list of "
            "'canonical_name: source column' lines (or a lead schema with columns:, label:, "
            "features:, ... sections)"
        )
    reader = _SchemaReader(doc)
    keys = [scalar_value(k) if isinstance(k, ScalarNode) else None for k, _ in root.value]
    if not any(k in _SCHEMA_KEYS for k in keys):  # the flat mapping of earlier versions
        columns = reader.columns(root)
        return LeadSchema(columns=columns, source=doc.source, where=reader.where, flat=True)
    sections = reader.keys(root, "schema", _SCHEMA_KEYS)
    get = {k: v for k, (_, v) in sections.items()}
    missing_values = DEFAULT_MISSING_VALUES
    if "missing_values" in get:
        missing_values = reader.values(get["missing_values"], "missing_values")
    return LeadSchema(
        columns=reader.columns(get["columns"]) if "columns" in get else {},
        label=reader.label(get["label"]) if "label" in get else None,
        features=reader.features(get["features"]) if "features" in get else "auto",
        exclude=reader.names(get["exclude"], "exclude") if "exclude" in get else (),
        post_outcome=reader.names(get["post_outcome"], "post_outcome")
        if "post_outcome" in get
        else (),
        missing_values=missing_values,
        verdicts=reader.verdicts(get["verdicts"]) if "verdicts" in get else {},
        groups=reader.groups(get["groups"]) if "groups" in get else {},
        allow=reader.names(get["allow"], "allow") if "allow" in get else (),
        source=doc.source,
        where=reader.where,
    )


def load_mapping(path: str | Path) -> dict[str, tuple[str, str]]:
    """The column mapping of a schema file: ``{canonical_name: (source_column, "file:line:col")}``.

    Canonical names the schema marks ``null`` (absent from the export) are left out.
    """
    schema = load_schema(path)
    return {
        canon: (src, schema.where.get(f"columns.{canon}", schema.source))
        for canon, src in schema.columns.items()
        if src is not None
    }


def apply_mapping(
    frame: pd.DataFrame, mapping: dict[str, tuple[str, str]], *, source: str = "mapping"
) -> pd.DataFrame:
    """Rename source columns to canonical names, checking every source column exists."""
    columns = [str(c) for c in frame.columns]
    renames: dict[str, str] = {}
    for canonical, (column, where) in mapping.items():
        if column not in columns:
            lowered = {c.strip().lower(): c for c in columns}
            if column.strip().lower() in lowered:
                column = lowered[column.strip().lower()]
            else:
                raise DataError(
                    f"{where}: {canonical!r} maps to column {column!r}, which the leads file does "
                    f"not have (columns: {', '.join(columns[:30])})"
                )
        renames[column] = canonical
    clashes = [
        canonical
        for column, canonical in renames.items()
        if canonical in columns and canonical != column and canonical not in renames
    ]
    if clashes:
        raise DataError(
            f"{source}: the leads already have column(s) {', '.join(clashes)} and the mapping "
            "maps another column to the same name; map or rename one of them"
        )
    return frame.rename(columns=renames)


def apply_schema(frame: pd.DataFrame, schema: LeadSchema, *, strict: bool = True) -> pd.DataFrame:
    """Rename mapped columns, read placeholders as empty, check the named columns exist.

    Parameters
    ----------
    strict : bool
        True when training: every column the schema names must be there.
        False when scoring new leads: the label, post-outcome, excluded and
        verdict/outcome columns may be missing (new leads have none yet).

    Raises
    ------
    DataError
        A column the schema names (mapped, label, features, exclude,
        post_outcome) is not in the export; the message names the schema
        file, line and key.
    """
    columns = set(map(str, frame.columns))
    mapping = {
        canon: (src, schema.where.get(f"columns.{canon}", schema.source))
        for canon, src in schema.columns.items()
        if src is not None and (strict or canon not in OUTCOME_COLUMNS or src in columns)
    }
    out = apply_mapping(frame, mapping, source=schema.source)
    present = set(map(str, out.columns))
    named = _named_columns(schema)
    if not strict:  # new leads: only the declared features must be there
        named = [(key, names) for key, names in named if key == "features"]
    for key, names in named:
        for name in names:
            if schema.canonical(name) not in present:
                close = difflib.get_close_matches(name, sorted(present), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise DataError(
                    f"{schema.where.get(key, schema.source)}: {key} names column {name!r}, which "
                    f"the leads do not have{hint}"
                )
    if schema.missing_values and not schema.flat:
        out = _blank_placeholders(out, schema.missing_values)
    return out


def _named_columns(schema: LeadSchema) -> list[tuple[str, tuple[str, ...]]]:
    named: list[tuple[str, tuple[str, ...]]] = [
        ("exclude", schema.exclude),
        ("post_outcome", schema.post_outcome),
    ]
    if schema.label is not None:
        named.append(("label", (schema.label.column,)))
    if isinstance(schema.features, dict):
        named.append(("features", tuple(c for v in schema.features.values() for c in v)))
    return named


def _blank_placeholders(frame: pd.DataFrame, placeholders: tuple[str, ...]) -> pd.DataFrame:
    """Text cells equal to a placeholder ("Select") become missing."""
    wanted = {p.strip().lower() for p in placeholders}
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        hit = column.astype("string").str.strip().str.lower().isin(wanted).fillna(False)
        if hit.any():
            out[name] = column.mask(hit.to_numpy(dtype=bool))
    return out


def load_leads(
    path: str | Path,
    *,
    mapping: str | Path | LeadSchema | None = None,
    strict: bool = True,
    quarantine: str | Path | None = None,
) -> pd.DataFrame:
    """Read a lead export (CSV in any encoding and delimiter, XLSX, Parquet).

    Parameters
    ----------
    path : str or Path
        The export.
    mapping : path or LeadSchema, optional
        A lead schema or flat column mapping (see the module docstring).
    strict : bool
        See :func:`apply_schema` (False for new leads to be scored).
    quarantine : path, optional
        Where rows that cannot be read are set aside (with the reason); without
        it such rows stop the reading with an error naming the line.

    Returns
    -------
    DataFrame
        Every row of the file; mapped columns under canonical names, the other
        columns as they were.  Values are not changed, except placeholders
        ("Select") read as empty when a schema is given: dates that cannot be
        read stay as text and are dealt with (and counted) where they are used.

    Raises
    ------
    DataError
        The file or the schema is unusable; the message names the file and key.
    """
    frame = read_table(path, what="leads", quarantine=quarantine)
    if mapping is not None:
        schema = mapping if isinstance(mapping, LeadSchema) else load_schema(mapping)
        frame = apply_schema(frame, schema, strict=strict)
    frame.attrs["source"] = str(path)  # error messages further down name the file
    return frame
