"""Tables too large to hold twice: read in chunks, write chunk by chunk, atomically.

:func:`iter_chunks` yields a table's rows in order, ``chunk_size`` at a time
(Parquet row groups are streamed; CSV and XLSX are read whole by the robust
reader of :mod:`triage.io.tables`, then sliced).  :class:`ChunkWriter`
appends chunks to a temporary file beside the target and renames it into
place only when :meth:`ChunkWriter.close` is called after the last chunk: a
killed run never leaves a half-written output that looks complete, and an
earlier good output survives until the new one is whole.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from triage.errors import DataError
from triage.io.tables import _write_csv, check_writable, escape_formulas, read_table

__all__ = ["ChunkWriter", "iter_chunks", "read_columns"]

_PARQUET = (".parquet", ".pq")


def iter_chunks(
    path: str | Path,
    *,
    chunk_size: int,
    what: str = "leads",
    quarantine: str | Path | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of a table in order, ``chunk_size`` rows at a time (index: row positions).

    CSV and XLSX rows that cannot be read go to ``quarantine`` with the reason
    (without it, they stop the reading with the line named); the first
    chunk's ``attrs["read_report"]`` counts them.  Parquet has no broken rows.
    """
    path = Path(path)
    start = 0
    if path.suffix.lower() in _PARQUET and path.is_file():
        try:
            # No pre-buffering: it keeps every row group read so far in memory.
            reader = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{path}: cannot read the {what} file ({exc})") from None
        for batch in reader.iter_batches(batch_size=chunk_size):
            frame = batch.to_pandas()
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
        return
    whole = read_table(path, what=what, quarantine=quarantine)
    for lo in range(0, max(len(whole), 1), chunk_size):
        part = whole.iloc[lo : lo + chunk_size]
        if len(part) or lo == 0:
            part.attrs = dict(whole.attrs) if lo == 0 else {}
            yield part


def read_columns(
    path: str | Path,
    columns: Sequence[str],
    *,
    what: str = "leads",
    quarantine: str | Path | None = None,
) -> pd.DataFrame:
    """Only some columns of a table (those it has), every row: for the global pre-pass.

    Rows are exactly those :func:`iter_chunks` yields for the same file and quarantine.
    """
    path = Path(path)
    if path.suffix.lower() in _PARQUET and path.is_file():
        try:
            names = pq.ParquetFile(path).schema_arrow.names
            wanted = [c for c in columns if c in names]
            return pq.read_table(path, columns=wanted).to_pandas()
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{path}: cannot read the {what} file ({exc})") from None
    frame = read_table(path, what=what, quarantine=quarantine)
    return frame[[c for c in columns if c in frame.columns]]


class ChunkWriter:
    """Write a table chunk by chunk into a temporary file, renamed into place on close.

    CSV (UTF-8, formula-safe, line breaks quoted) and Parquet.  Use as a
    context manager: leaving it with an exception removes the temporary file
    and keeps whatever was at ``path`` before.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = check_writable(path, suffixes=(".csv", ".parquet", ".pq"))
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._csv: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (same columns every time)."""
        if self.path.suffix.lower() in _PARQUET:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self.tmp, self._schema)
            self._parquet.write_table(table.cast(self._schema))
        else:
            if self._csv is None:
                self._csv = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
            # The same writer as write_table: line breaks of every kind quoted.
            _write_csv(escape_formulas(frame), self._csv, header=self.rows == 0)
        self.rows += len(frame)

    def close(self) -> Path:
        """Finish the file and move it into place."""
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()
        if not self.tmp.exists():
            raise DataError(f"{self.path}: nothing to write")
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file."""
        for handle in (self._parquet, self._csv):
            if handle is not None:
                with contextlib.suppress(Exception):  # the file is deleted next anyway
                    handle.close()
        if self.tmp.exists():
            self.tmp.unlink()

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None:
            self.abort()
