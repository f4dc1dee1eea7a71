"""Everything that touches files: tables, hand-written YAML, lead exports.

* :mod:`triage.io.tables` -- CSV in any encoding and delimiter, XLSX, Parquet;
  formula-safe, atomic exports.
* :mod:`triage.io.yaml` -- the guarded YAML reader that charters, lead mappings
  and lead schemas share (file:line:column in every message).
* :mod:`triage.io.leads` -- lead exports with a column mapping.
"""

from __future__ import annotations

from triage.io.tables import (
    TABLE_SUFFIXES,
    WRITE_SUFFIXES,
    check_writable,
    escape_formulas,
    read_table,
    require_columns,
    to_bool,
    write_table,
)

__all__ = [
    "TABLE_SUFFIXES",
    "WRITE_SUFFIXES",
    "check_writable",
    "escape_formulas",
    "read_table",
    "require_columns",
    "to_bool",
    "write_table",
]
