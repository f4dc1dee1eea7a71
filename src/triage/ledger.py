"""The verdict ledger: the owner's adjudications and the runs, in one embedded SQLite file.

Why SQLite (``docs/dependencies.md``): it is in the standard library (no new
dependency, nothing to run), a single file the owner can copy, and its
transactions survive a killed writer (write-ahead log: a batch of
adjudications is either all in or not at all).  Readers do not block the
writer or each other.

The ledger is append-only: an adjudication is never updated or deleted; a
later one for the same lead wins (:meth:`Ledger.adjudications` with
``latest=True``), and the whole history stays (``latest=False``).  A run
records what scored the leads: model, charter and decoder versions, the input
file's hash, and the counts.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ledger.sqlite"
>>> with Ledger(path) as ledger:
...     _ = ledger.adjudicate("L000042", "non_target", by="owner", note="Peugeot part")
...     _ = ledger.adjudicate("L000042", "target", by="owner", note="second look: Opel")
...     ledger.adjudications()["verdict"].tolist()
['target']
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from triage.errors import DataError, UsageError
from triage.labels import normalize_verdicts

__all__ = ["APPLICATION_ID", "Ledger", "open_ledger"]

#: Written into the file header, so a foreign SQLite file is told apart from a ledger.
APPLICATION_ID = 0x7472_6967  # "trig"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS adjudications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('target', 'non_target')),
    decided_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS adjudications_lead ON adjudications (lead_id, id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    command TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    charter TEXT NOT NULL DEFAULT '',
    decoder TEXT NOT NULL DEFAULT '',
    input_sha256 TEXT NOT NULL DEFAULT '',
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER IF NOT EXISTS adjudications_append_only_u BEFORE UPDATE ON adjudications
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS adjudications_append_only_d BEFORE DELETE ON adjudications
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Ledger:
    """An open ledger file.  Use :func:`open_ledger` or ``with Ledger(path) as ledger``.

    Parameters
    ----------
    path : path
        The SQLite file; created (with its folder) when missing, unless ``create=False``.
    create : bool
        Whether a missing file may be created.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise DataError(f"{self.path}: no ledger here yet (record an adjudication first)")
        if self.path.is_dir():
            raise DataError(f"{self.path}: is a folder; the ledger is a file")
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        if fresh:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._check_or_create(fresh)
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{self.path}: not a triage ledger ({exc})") from None

    def _check_or_create(self, fresh: bool) -> None:
        app = self._db.execute("PRAGMA application_id").fetchone()[0]
        if fresh:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.executescript(_SCHEMA)
            return
        if app != APPLICATION_ID:
            raise DataError(
                f"{self.path}: a SQLite file, but not a triage ledger (application id {app:#x}); "
                "point TRIAGE_LEDGER at the ledger file"
            )
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DataError(
                f"{self.path}: written by a newer triage (ledger version {version}); upgrade"
            )
        problem = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise DataError(f"{self.path}: the ledger file is damaged ({problem})")

    # -- writing -----------------------------------------------------------
    def adjudicate(
        self, lead_id: str, verdict: str, *, by: str, note: str = "", source: str = ""
    ) -> int:
        """Record one of the owner's verdicts; returns its id."""
        return self.adjudicate_many([(lead_id, verdict, note)], by=by, source=source)[0]

    def adjudicate_many(
        self, rows: Iterable[tuple[str, str, str]], *, by: str, source: str = ""
    ) -> list[int]:
        """Record many verdicts in one transaction: all of them, or none if anything fails.

        Raises
        ------
        UsageError
            An empty lead id or name, or a verdict that is not target / non_target.
        """
        if not str(by).strip():
            raise UsageError("say who decided (--by NAME)")
        items = list(rows)
        for lead_id, verdict, _note in items:
            if not str(lead_id).strip():
                raise UsageError("an adjudication needs a lead id")
            if verdict not in ("target", "non_target"):
                raise UsageError(f"verdict must be target or non_target, got {verdict!r}")
        at = _now()
        ids: list[int] = []
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for lead_id, verdict, note in items:
                cursor = self._db.execute(
                    "INSERT INTO adjudications (lead_id, verdict, decided_by, note, decided_at, "
                    "source) VALUES (?, ?, ?, ?, ?, ?)",
                    (str(lead_id).strip(), verdict, str(by).strip(), note or "", at, source),
                )
                ids.append(int(cursor.lastrowid or 0))
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return ids

    def import_csv(self, path: str | Path, *, by: str) -> int:
        """Adjudications from a CSV (``lead_id, verdict[, note]``), all in one transaction.

        Verdicts are read in any common spelling; a row without a usable
        verdict stops the import with its row number (nothing is written).
        """
        from triage.io.tables import read_table

        frame = read_table(path, what="adjudications", infer_numbers=False)
        for column in ("lead_id", "verdict"):
            if column not in frame.columns:
                raise DataError(f"{path}: adjudications need columns lead_id and verdict")
        verdicts = normalize_verdicts(frame["verdict"], warn=False)
        bad = verdicts.isna() | frame["lead_id"].isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{path}: row {row + 2}, field verdict: {frame['verdict'].iloc[row]!r} is not a "
                "verdict (target / non_target) or the lead id is empty; nothing was recorded"
            )
        notes = frame["note"].fillna("") if "note" in frame.columns else [""] * len(frame)
        rows = zip(frame["lead_id"].astype(str), verdicts.astype(str), notes, strict=True)
        return len(self.adjudicate_many(rows, by=by, source=str(path)))

    def record_run(self, command: str, **fields: Any) -> int:
        """Record a scoring run: model, charter, decoder, input hash, counts."""
        counts = json.dumps(fields.pop("counts", {}), ensure_ascii=False, sort_keys=True)
        values = {k: str(fields.get(k, "") or "") for k in ("model", "charter", "decoder")}
        cursor = self._db.execute(
            "INSERT INTO runs (started_at, command, model, charter, decoder, input_sha256, counts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                command,
                values["model"],
                values["charter"],
                values["decoder"],
                str(fields.get("input_sha256", "")),
                counts,
            ),
        )
        return int(cursor.lastrowid or 0)

    # -- reading -----------------------------------------------------------
    def adjudications(self, *, latest: bool = True) -> pd.DataFrame:
        """The adjudications: the latest per lead (default), or the whole history."""
        query = (
            "SELECT a.* FROM adjudications a JOIN (SELECT lead_id, MAX(id) AS id FROM "
            "adjudications GROUP BY lead_id) last ON a.id = last.id ORDER BY a.id"
            if latest
            else "SELECT * FROM adjudications ORDER BY id"
        )
        return pd.read_sql_query(query, self._db)

    def runs(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM runs ORDER BY id", self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_ledger(path: str | Path | None = None, *, create: bool = True) -> Ledger:
    """The ledger at ``path`` (default: the settings' ``ledger_path``)."""
    from triage.config import get_settings

    return Ledger(path if path is not None else get_settings().ledger_path, create=create)
