"""Everything that touches files: tables, hand-written YAML, lead exports.

* :mod:`triage.io.tables` -- CSV in any encoding and delimiter, XLSX, Parquet:
  every row read or set aside (never lost silently); formula-safe, atomic
  exports (see ``docs/data-integrity.md``).
* :mod:`triage.io.yaml` -- the guarded YAML reader that charters, lead mappings
  and lead schemas share (file:line:column in every message).
* :mod:`triage.io.leads` -- lead exports with a column mapping.
"""

from __future__ import annotations

from triage.io.tables import (
    TABLE_SUFFIXES,
    WRITE_SUFFIXES,
    ReadReport,
    check_writable,
    escape_formulas,
    read_table,
    read_table_checked,
    require_columns,
    to_bool,
    to_number,
    write_table,
    write_text_atomic,
)

__all__ = [
    "TABLE_SUFFIXES",
    "WRITE_SUFFIXES",
    "ReadReport",
    "check_writable",
    "escape_formulas",
    "read_table",
    "read_table_checked",
    "require_columns",
    "to_bool",
    "to_number",
    "write_table",
    "write_text_atomic",
]
