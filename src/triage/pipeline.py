"""The one path from raw leads to judged leads, used by every command and notebook.

A :class:`Scorer` is prepared once (the catalog indexed, the charter read) and
then applied to leads::

    scorer = Scorer.build(catalog="catalog.csv")          # the agreed charter by default
    judged = scorer.score_batch(leads).leads

``score_batch`` runs a global pre-pass over the whole input (derived fields,
including the window fields such as ``is_duplicate`` that need every lead),
then :meth:`Scorer.score_chunk` on chunks of rows: decode the requests, derive
the row fields a chunk lacks, evaluate the charter.  Chunks may run in worker
processes; the result is the same row for row whatever the chunk size or the
number of workers.  The scorer pickles, so the same ``score_chunk`` can run
under a distributed engine once the pre-pass is done.

Each step reads only columns that earlier steps wrote: the decoder adds
``decoded_*``, :mod:`triage.features` the derived fields, the charter
``crit_*``, ``charter_verdict`` and ``charter_failed``, the judge (when
given) ``p_target``, ``model_verdict``, ``reasons`` and ``reason_*``, and
responsibility (when asked) ``responsibility`` and its reason.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from triage._parallel import run_chunks, run_in_child
from triage.charter import Charter, check_fields, evaluate_charter, load_charter
from triage.config import get_settings
from triage.decode import Decoder
from triage.errors import TriageWarning, UsageError
from triage.features import DEFAULT_WINDOW_DAYS, derivable, derive_fields
from triage.io import require_columns
from triage.io.leads import LeadSchema
from triage.model import Judge
from triage.schema import (
    CHARTER_FAILED,
    CHARTER_VERDICT,
    CRIT_PREFIX,
    DECODED_COLUMNS,
    DERIVED_COLUMNS,
    MODEL_VERDICT,
    P_TARGET,
    REASON_PREFIX,
    REASONS,
    WINDOW_COLUMNS,
)
from triage.verdict import LostReasons, assign_responsibility, load_lost_reasons

__all__ = ["DEFAULT_CHUNK_SIZE", "BatchResult", "Scorer", "score_batch", "score_file"]

#: Rows per chunk of :meth:`Scorer.score_batch`.
DEFAULT_CHUNK_SIZE = 5000


@dataclass
class BatchResult:
    """Judged leads plus what it took to judge them."""

    leads: pd.DataFrame
    charter: Charter | None
    timings: dict[str, float] = field(default_factory=dict)


class Scorer:
    """Decode, derive and judge leads: prepared once, applied to any number of chunks.

    Parameters
    ----------
    decoder : Decoder, optional
        A decoder over the shop's catalog (fitted here if it is not yet).
        Without one, the leads must already carry the ``decoded_*`` columns the
        charter reads.
    charter : Charter, optional
        The charter to evaluate; without one the scorer only decodes and derives.
    missing : {"error", "empty"}
        When the charter reads decoded fields that neither the leads nor a
        decoder provide: refuse (default), or leave those criteria empty.
    text_column : str
        Column holding the customer's request.
    """

    def __init__(
        self,
        *,
        decoder: Decoder | None = None,
        charter: Charter | None = None,
        missing: str = "error",
        text_column: str = "request_text",
        judge: Judge | None = None,
        explain: bool = True,
        top_reasons: int = 3,
        responsibility: LostReasons | bool = False,
    ) -> None:
        if missing not in ("error", "empty"):
            raise UsageError(f"missing must be 'error' or 'empty', got {missing!r}")
        if decoder is not None and not hasattr(decoder, "index_"):
            decoder = decoder.fit()
        self.decoder = decoder
        self.charter = charter
        self.missing = missing
        self.text_column = text_column
        self.judge = judge
        self.explain = explain
        self.top_reasons = top_reasons
        if responsibility is True:
            responsibility = load_lost_reasons()
        self.lost_reasons: LostReasons | None = responsibility or None
        if judge is not None and explain:
            import shap  # noqa: F401 - imported once here, shared by forked workers

    @classmethod
    def build(
        cls,
        *,
        catalog: pd.DataFrame | str | Path | Decoder | None = None,
        charter: Charter | str | Path | None = None,
        use_charter: bool = True,
        missing: str = "error",
        text_column: str = "request_text",
        top_k: int = 5,
        lexicon_files: Sequence[str | Path] = (),
        judge: Judge | None = None,
        explain: bool = True,
        responsibility: bool = False,
    ) -> Scorer:
        """A scorer from file paths (or ready objects).

        ``charter`` defaults to the settings' agreed charter unless
        ``use_charter`` is False; ``catalog`` None means "do not decode".
        With a ``judge``, its own charter and catalog copy are the defaults.
        """
        if judge is not None:
            if catalog is None and judge.catalog is not None:
                catalog = judge.catalog
            if charter is None:
                charter = judge.charter
                use_charter = judge.charter is not None
        decoder: Decoder | None
        if catalog is None or isinstance(catalog, Decoder):
            decoder = catalog
        else:
            decoder = Decoder(catalog, top_k=top_k, lexicon_files=lexicon_files)
        loaded: Charter | None = None
        if isinstance(charter, Charter):
            loaded = charter
        elif use_charter:
            loaded = load_charter(charter if charter is not None else get_settings().agreed_charter)
        return cls(
            decoder=decoder,
            charter=loaded,
            missing=missing,
            text_column=text_column,
            judge=judge,
            explain=explain,
            responsibility=responsibility,
        )

    @property
    def window_days(self) -> int:
        """The duplicate window of the charter (or the default)."""
        if self.charter is None:
            return DEFAULT_WINDOW_DAYS
        return self.charter.settings.duplicate_window_days

    # -- the steps --------------------------------------------------------
    def prepare(self, leads: pd.DataFrame) -> pd.DataFrame:
        """The global pre-pass over the whole input: every derived field it can compute.

        Window fields (``is_duplicate``) need every lead, so they are computed
        here, never per chunk.  Fields whose source columns are missing are
        left out silently (the charter warns about the ones it needs).
        """
        if self.charter is None and self.judge is None:
            return leads
        names = [n for n in DERIVED_COLUMNS if derivable(n, map(str, leads.columns)) is True]
        return derive_fields(leads, names, window_days=self.window_days)

    def window_sources(self) -> list[str]:
        """The lead columns the pre-pass reads (to stream a file, read only these first)."""
        return ["created_at", "phone", "email"]

    def window_fields_of_file(self, job: tuple[Path, dict[str, str], Path | None]) -> pd.DataFrame:
        """The window fields of every lead of a file (reads only the columns they need)."""
        from triage.io.stream import read_columns

        path, renames, quarantine = job
        back = {canon: src for src, canon in renames.items()}
        wanted = [back.get(c, c) for c in self.window_sources()]
        sources = read_columns(path, wanted, quarantine=quarantine)
        return self.window_fields(sources.rename(columns=renames))

    def window_fields(self, sources: pd.DataFrame) -> pd.DataFrame:
        """The window fields of every lead, from the pre-pass columns alone."""
        if self.charter is None and self.judge is None:
            return pd.DataFrame(index=sources.index)
        columns = list(map(str, sources.columns))
        names = [n for n in WINDOW_COLUMNS if derivable(n, columns) is True]
        derived = derive_fields(sources, names, window_days=self.window_days)
        return derived[[n for n in names if n in derived.columns]]

    def check(self, leads: pd.DataFrame) -> None:
        """Check the input once, before any work: the charter's fields, the judge's inputs.

        Done in this process, so its warnings reach the person even when the
        chunks are scored in worker processes.
        """
        if self.charter is not None:
            check_fields(leads, self.charter, can_decode=self.decoder is not None)
        if self.judge is not None:
            produced = (
                {*DECODED_COLUMNS, *DERIVED_COLUMNS} if self.decoder else set(DERIVED_COLUMNS)
            )
            if self.charter is not None:
                produced |= {CRIT_PREFIX + c for c in self.charter.ids}
            absent = [c for c in self.judge.missing_columns(leads) if c not in produced]
            if absent:
                warnings.warn(
                    f"{leads.attrs.get('source', 'the leads')}: the judge's input column(s) "
                    f"{', '.join(absent[:5])} are missing and read as empty",
                    TriageWarning,
                    stacklevel=2,
                )

    def score_checked_chunk(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """:meth:`score_chunk` after :meth:`check` ran on the whole input (no repeats)."""
        return self.score_chunk(chunk, check=False)

    def score_chunk(self, chunk: pd.DataFrame, *, check: bool = True) -> pd.DataFrame:
        """Decode, derive the row fields and evaluate the charter on some rows.

        The window fields must already be present (run :meth:`prepare` on the
        whole input first): a chunk alone cannot know its duplicates.
        ``check=False`` skips the charter's data checks (done once by
        :meth:`check` on the whole input).
        """
        self._check_window_fields(chunk)
        frame = chunk
        if self.decoder is not None:
            decoded = self.decoder.decode_many(frame[self.text_column].tolist())
            decoded.index = frame.index  # the caller's index survives
            frame = frame.drop(columns=[c for c in DECODED_COLUMNS if c in frame.columns])
            frame = frame.join(decoded)
        if self.charter is not None:
            frame = evaluate_charter(frame, self.charter, missing=self.missing, check=check)
        frame = _ordered(frame)
        if self.judge is not None:
            frame = self._judge(frame)
        if self.lost_reasons is not None and self.charter is not None:
            found = assign_responsibility(
                frame, charter=self.charter, lost_reasons=self.lost_reasons
            )
            frame = frame.drop(columns=[c for c in found.frame.columns if c in frame.columns])
            frame = frame.join(found.frame)
        return frame

    def _judge(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``p_target``, ``model_verdict`` and, with ``explain``, the reasons per criterion."""
        from triage.explain import explain, reasons, reasons_json

        judge = self.judge
        assert judge is not None
        X = judge.matrix(frame)
        out = frame.copy(deep=False)  # new columns only; the lead's own stay shared
        if self.explain and len(frame):
            ex = explain(judge.pipeline, judge.spec, X, background=judge.background)
            p = ex.p
        else:
            p = judge.predict_proba(frame)
        out[P_TARGET] = p
        out[MODEL_VERDICT] = pd.array(
            np.where(p >= judge.threshold, "target", "non_target"), dtype="string"
        )
        if not self.explain:
            return out
        if len(frame):
            items = reasons(ex, frame, judge.spec, top=self.top_reasons)
            out[REASONS] = pd.array([reasons_json(i) for i in items], dtype="string")
            for k, group in enumerate(ex.groups):
                out[REASON_PREFIX + group] = np.round(ex.by_group[:, k], 2)
        else:
            out[REASONS] = pd.array([], dtype="string")
            for group in judge.spec.group_ids:
                out[REASON_PREFIX + group] = np.zeros(0)
        return out

    def _check_window_fields(self, chunk: pd.DataFrame) -> None:
        if self.charter is None:
            return
        columns = list(map(str, chunk.columns))
        needed = [
            n
            for n in WINDOW_COLUMNS
            if n in self.charter.fields() and n not in columns and derivable(n, columns) is True
        ]
        if needed:
            raise UsageError(
                f"{', '.join(needed)} needs every lead, not one chunk: run Scorer.prepare() on "
                "the whole input first (score_batch does)"
            )

    def score_batch(
        self,
        leads: pd.DataFrame,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        workers: int = 1,
        progress: bool = False,
    ) -> BatchResult:
        """Judge every lead: the pre-pass, then :meth:`score_chunk` over chunks.

        Parameters
        ----------
        leads : DataFrame
            Canonical lead columns (see :func:`triage.io.leads.load_leads`).
        chunk_size : int
            Rows per chunk.
        workers : int
            Worker processes for the chunks (1: this process).
        progress : bool
            Show a progress bar on stderr.

        Returns
        -------
        BatchResult
            ``leads`` has every input row and column in order, then the
            ``decoded_*`` columns, the derived fields, ``crit_<id>``,
            ``charter_verdict`` and ``charter_failed``.
        """
        for name, value in (("chunk_size", chunk_size), ("workers", workers)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{name} must be a positive integer, got {value!r}")
        source = leads.attrs.get("source", "leads")
        if self.decoder is not None:
            require_columns(leads, [self.text_column], source=source, what="the leads")
            self._warn_replaced(leads, source)
        timings: dict[str, float] = {}
        start = time.perf_counter()
        self.check(leads)
        prepared = self.prepare(leads)
        timings["features"] = time.perf_counter() - start
        start = time.perf_counter()
        n_chunks = max(1, math.ceil(len(prepared) / chunk_size))
        chunks = [prepared.iloc[i * chunk_size : (i + 1) * chunk_size] for i in range(n_chunks)]
        with _bar(len(prepared), progress) as bar:
            parts = run_chunks(
                self, "score_checked_chunk", chunks, workers=workers, on_result=bar.update
            )
        judged = pd.concat(parts) if len(parts) > 1 else parts[0]
        timings["score"] = time.perf_counter() - start
        judged.attrs["source"] = source
        return BatchResult(leads=judged, charter=self.charter, timings=timings)

    def _warn_replaced(self, leads: pd.DataFrame, source: Any) -> None:
        clash = [c for c in DECODED_COLUMNS if c in leads.columns]
        if clash:
            warnings.warn(
                f"{source}: the leads already have {', '.join(clash[:3])}"
                f"{'...' if len(clash) > 3 else ''}; they are decoded again and replaced",
                TriageWarning,
                stacklevel=3,
            )


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """The lead's own columns first, then decoded, derived, and what the charter added."""
    added = {*DECODED_COLUMNS, *DERIVED_COLUMNS, CHARTER_VERDICT, CHARTER_FAILED}
    own = [c for c in frame.columns if c not in added and not str(c).startswith(CRIT_PREFIX)]
    decoded = [c for c in DECODED_COLUMNS if c in frame.columns]
    derived = [c for c in DERIVED_COLUMNS if c in frame.columns]
    rest = [c for c in frame.columns if c not in {*own, *decoded, *derived}]
    return frame[[*own, *decoded, *derived, *rest]]


def _bar(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="scoring", unit="lead", disable=not enabled, leave=False)


def score_batch(
    leads: pd.DataFrame,
    *,
    catalog: pd.DataFrame | str | Path | Decoder | None,
    charter: Charter | str | Path | None = None,
    workers: int = 1,
    progress: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> BatchResult:
    """Decode every request and evaluate a charter on every lead (a thin function over Scorer).

    ``catalog`` None means the leads already carry their ``decoded_*`` columns.
    """
    scorer = Scorer.build(catalog=catalog, charter=charter)
    return scorer.score_batch(leads, chunk_size=chunk_size, workers=workers, progress=progress)


def score_file(
    scorer: Scorer,
    leads: str | Path,
    out: str | Path,
    *,
    schema: LeadSchema | None = None,
    chunk_size: int = 20_000,
    workers: int = 1,
    progress: bool = False,
    quarantine: str | Path | None = None,
) -> dict[str, Any]:
    """Score a lead file into ``out`` chunk by chunk, with bounded memory.

    The pre-pass reads only the columns the window fields need (every row);
    then chunks are read, mapped through the schema, scored (``workers``
    chunks at a time in worker processes) and appended to a temporary file
    that replaces ``out`` only when every row is written.

    Rows of a CSV or XLSX file that cannot be read go to ``quarantine`` with
    the reason (without it they stop the run with the line named).

    Returns
    -------
    dict
        ``rows`` written, ``records`` in the file, ``quarantined``, ``path``,
        ``timings`` per stage.
    """
    from triage.io.leads import apply_schema
    from triage.io.stream import ChunkWriter, iter_chunks

    timings: dict[str, float] = {}
    start = time.perf_counter()
    renames = schema.renames if schema is not None else {}
    # In a child process: only the window fields come back, the pre-pass's memory goes.
    aside = Path(quarantine) if quarantine is not None else None
    window = run_in_child(scorer, "window_fields_of_file", (Path(leads), renames, aside))
    timings["pre-pass"] = time.perf_counter() - start
    start = time.perf_counter()
    with ChunkWriter(out) as writer, _bar(len(window), progress) as bar:
        batch: list[pd.DataFrame] = []
        report: dict[str, Any] = {}
        chunks = iter_chunks(leads, chunk_size=chunk_size, quarantine=quarantine)
        for k, chunk in enumerate(chunks):
            if k == 0:
                report = dict(chunk.attrs.get("read_report") or {})
            frame = apply_schema(chunk, schema, strict=False) if schema is not None else chunk
            frame.attrs = {"source": str(leads)}
            if k == 0:
                scorer.check(frame)
            for column in window.columns:
                frame[column] = window[column].iloc[frame.index].to_numpy()
            batch.append(frame)
            if len(batch) >= workers:
                _flush(scorer, batch, writer, workers, bar)
                batch = []
        _flush(scorer, batch, writer, workers, bar)
        path = writer.close()
    timings["score"] = time.perf_counter() - start
    return {
        "rows": writer.rows,
        "records": int(report.get("records", writer.rows)),
        "quarantined": int(report.get("quarantined", 0)),
        "path": path,
        "timings": timings,
    }


def _flush(scorer: Scorer, batch: list[pd.DataFrame], writer: Any, workers: int, bar: Any) -> None:
    if not batch:
        return
    for part in run_chunks(
        scorer, "score_checked_chunk", batch, workers=workers, on_result=bar.update
    ):
        writer.write(part)
