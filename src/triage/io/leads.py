"""Loading lead exports, with an optional column mapping for CRMs that name columns their own way.

A mapping file is YAML of ``canonical_name: source column``::

    # tests/data/crm_mapping.yaml
    created_at: Дата
    channel: Источник
    region: Регион
    phone: Телефон
    request_text: Запрос
    marketing_verdict: Вердикт маркетинга
    sales_verdict: Вердикт продаж

Canonical names are the lead columns of :data:`triage.schema.LEAD_COLUMNS`,
the decoder's ``decoded_*`` columns and the charter's derived fields.  Columns
not named in the mapping are kept under their own names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from yaml.nodes import MappingNode, ScalarNode

from triage.errors import DataError
from triage.io.tables import read_table
from triage.schema import DECODED_COLUMNS, DERIVED_COLUMNS, LEAD_COLUMNS

__all__ = ["CANONICAL_COLUMNS", "apply_mapping", "load_leads", "load_mapping"]

#: Names a mapping may map to.
CANONICAL_COLUMNS: tuple[str, ...] = (*LEAD_COLUMNS, *DECODED_COLUMNS, *DERIVED_COLUMNS)


def load_mapping(path: str | Path) -> dict[str, tuple[str, str]]:
    """Read a column-mapping YAML file.

    Returns
    -------
    dict
        ``{canonical_name: (source_column, "file:line:column")}``.

    Raises
    ------
    DataError
        The file is unsafe or malformed, a key is not a canonical name, a value
        is not a column name, or two names map to the same source column; the
        message names the file, the line and the key.
    """
    from triage.io.yaml import node_where, read_yaml, scalar_value

    doc = read_yaml(path, what="mapping")
    source = doc.source
    root = doc.root
    if root is None:
        raise DataError(f"{source}: the mapping file is empty")
    if not isinstance(root, MappingNode):
        raise DataError(
            f"{node_where(source, root)}: a mapping file is a list of "
            "'canonical_name: source column' lines"
        )
    out: dict[str, tuple[str, str]] = {}
    used: dict[str, str] = {}
    for key_node, value_node in root.value:
        where = node_where(source, key_node)
        key = scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str) or key not in CANONICAL_COLUMNS:
            import difflib

            close = difflib.get_close_matches(str(key), CANONICAL_COLUMNS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError(
                f"{where}: unknown canonical column {key!r} in the mapping{hint} "
                f"(allowed: {', '.join(LEAD_COLUMNS)}, decoded_* and derived fields)"
            )
        if key in out:
            raise DataError(f"{where}: {key!r} is mapped twice")
        value = scalar_value(value_node) if isinstance(value_node, ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise DataError(
                f"{node_where(source, value_node)}: mapping for {key!r} must be a column name, "
                f"got {value!r}"
            )
        column = str(value).strip()
        if column in used:
            raise DataError(
                f"{where}: source column {column!r} is mapped to both {used[column]!r} and {key!r}"
            )
        used[column] = key
        out[key] = (column, where)
    return out


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


def load_leads(path: str | Path, *, mapping: str | Path | None = None) -> pd.DataFrame:
    """Read a lead export (CSV in any encoding and delimiter, XLSX, Parquet).

    Parameters
    ----------
    path : str or Path
        The export.
    mapping : str or Path, optional
        A YAML file ``{canonical_name: source_column}`` for exports with their
        own column names (see the module docstring).

    Returns
    -------
    DataFrame
        Every row of the file; mapped columns under canonical names, the other
        columns as they were.  Values are not changed: dates that cannot be
        read stay as text and are dealt with (and counted) where they are used.

    Raises
    ------
    DataError
        The file or the mapping is unusable; the message names the file and key.
    """
    frame = read_table(path, what="leads")
    if mapping is not None:
        frame = apply_mapping(frame, load_mapping(mapping), source=str(mapping))
    frame.attrs["source"] = str(path)  # error messages further down name the file
    return frame
