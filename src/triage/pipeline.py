"""The one path from raw leads to judged leads, used by the CLI and the notebooks.

``score_batch`` decodes the request texts (once per distinct text), derives the
fields a charter reads and evaluates the charter.  Later stages (the model, the
explanations, responsibility) extend this function rather than growing a
second path.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from triage.charter import Charter, evaluate_charter, load_charter
from triage.config import CHARTERS_DIR
from triage.decode import Decoder
from triage.io import require_columns
from triage.schema import DECODED_COLUMNS

__all__ = ["BatchResult", "score_batch"]


@dataclass
class BatchResult:
    """Judged leads plus what it took to judge them."""

    leads: pd.DataFrame
    charter: Charter
    timings: dict[str, float] = field(default_factory=dict)


def score_batch(
    leads: pd.DataFrame,
    *,
    catalog: pd.DataFrame | str | Path | Decoder,
    charter: Charter | str | Path | None = None,
    text_column: str = "request_text",
    workers: int | None = None,
) -> BatchResult:
    """Decode every request and evaluate a charter on every lead.

    Parameters
    ----------
    leads : DataFrame
        Canonical lead columns (see :func:`triage.leads.load_leads`).
    catalog : DataFrame, path or Decoder
        What the requests are decoded against.
    charter : Charter or path, optional
        Defaults to ``data/charters/agreed.yaml``.
    text_column : str
        Column with the customer's request.
    workers : int, optional
        Decoder processes (default: all CPUs).

    Returns
    -------
    BatchResult
        ``leads`` has every input row and column, the ``decoded_*`` columns,
        ``crit_<id>``, ``charter_verdict`` and ``charter_failed``.
    """
    timings: dict[str, float] = {}
    source = leads.attrs.get("source", "leads")
    require_columns(leads, [text_column], source=source, what="the leads")
    if not isinstance(charter, Charter):
        charter = load_charter(charter if charter is not None else CHARTERS_DIR / "agreed.yaml")
    if isinstance(catalog, Decoder):
        decoder = catalog
    else:
        start = time.perf_counter()
        decoder = Decoder(catalog)
        timings["index"] = time.perf_counter() - start
    frame = leads.drop(columns=[c for c in DECODED_COLUMNS if c in leads.columns])
    start = time.perf_counter()
    decoded = decoder.decode_many(
        frame[text_column].tolist(),
        workers=workers if workers is not None else (os.cpu_count() or 1),
        progress=sys.stderr.isatty(),
    )
    timings["decode"] = time.perf_counter() - start
    decoded.index = frame.index  # the caller's index survives
    frame = frame.join(decoded)
    start = time.perf_counter()
    judged = evaluate_charter(frame, charter, catalog=decoder)
    timings["charter"] = time.perf_counter() - start
    return BatchResult(leads=judged, charter=charter, timings=timings)
