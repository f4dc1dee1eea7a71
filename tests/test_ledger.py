"""The verdict ledger: append-only, latest wins, survives a killed writer, refuses foreign files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from triage.cli import main
from triage.errors import DataError, UsageError
from triage.ledger import Ledger


def test_latest_verdict_wins_and_history_is_kept(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.adjudicate("L1", "non_target", by="owner")
        ledger.adjudicate("L2", "target", by="owner")
        ledger.adjudicate("L1", "target", by="owner", note="second look")
        latest = ledger.adjudications()
        assert dict(zip(latest["lead_id"], latest["verdict"], strict=True)) == {
            "L1": "target",
            "L2": "target",
        }
        assert len(ledger.adjudications(latest=False)) == 3
        assert latest.set_index("lead_id").loc["L1", "note"] == "second look"


def test_append_only(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.adjudicate("L1", "target", by="owner")
    db = sqlite3.connect(tmp_path / "l.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE adjudications SET verdict = 'non_target'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM adjudications")
    db.close()


def test_bad_verdicts_and_csv_rows_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        with pytest.raises(UsageError, match="target or non_target"):
            ledger.adjudicate_many([("L1", "target", ""), ("L2", "maybe", "")], by="owner")
        source = tmp_path / "a.csv"
        source.write_text("lead_id,verdict\nL1,целевой\nL2,может быть\n", encoding="utf-8")
        with pytest.raises(DataError, match=r"a\.csv: row 3, field verdict: 'может быть'"):
            ledger.import_csv(source, by="owner")
        assert ledger.adjudications().empty


def test_a_killed_writer_loses_nothing_committed(tmp_path: Path) -> None:
    """Kill -9 a process writing batches; every committed batch is whole, the file is sound."""
    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    script = textwrap.dedent(
        f"""
        import sys
        from triage.ledger import Ledger
        ledger = Ledger({str(path)!r})
        batch = 0
        while True:
            ledger.adjudicate_many(
                [(f"B{{batch}}-L{{i}}", "target", "") for i in range(50)], by="writer"
            )
            batch += 1
            if batch == 5:
                print("ready", flush=True)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    with Ledger(path, create=False) as ledger:
        rows = ledger.adjudications(latest=False)
    batches = rows["lead_id"].str.split("-").str[0].value_counts()
    assert len(batches) >= 5
    assert (batches == 50).all()  # no half-written batch
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_readers_do_not_block_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as writer, Ledger(path) as reader:
        writer.adjudicate("L1", "target", by="owner")
        assert len(reader.adjudications()) == 1
        writer.adjudicate("L2", "target", by="owner")
        assert len(reader.adjudications()) == 2


def test_foreign_and_corrupt_files_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "other.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(DataError, match="not a triage ledger"):
        Ledger(foreign)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DataError, match="not a triage ledger"):
        Ledger(junk)


def test_adjudicate_command(tmp_path: Path, capsys) -> None:
    ledger = str(tmp_path / "l.sqlite")
    assert (
        main(["adjudicate", "L7", "--verdict", "target", "--by", "owner", "--ledger", ledger]) == 0
    )
    source = tmp_path / "a.csv"
    source.write_text("lead_id,verdict,note\nL8,нецелевой,Peugeot\n", encoding="utf-8")
    assert main(["adjudicate", "--from", str(source), "--by", "owner", "--ledger", ledger]) == 0
    capsys.readouterr()
    assert main(["adjudicate", "--list", "--by", "owner", "--ledger", ledger]) == 0
    listed = capsys.readouterr().out
    assert "L7,target" in listed and "L8,non_target" in listed
    assert main(["adjudicate", "L9", "--by", "owner", "--ledger", ledger]) == 2
