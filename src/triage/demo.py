"""The main job on generated data: ``make demo`` / ``triage demo``.

Generates the Opel shop world, decodes every lead's request, evaluates the
agreed charter, writes the judged leads, and prints the summary the story asks
for: how many target leads marketing counted, how many sales counted, how many
the agreed charter counts, and how far the two departments agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from triage.charter import agreement_table
from triage.io import write_table
from triage.pipeline import Scorer
from triage.synth import generate_world, write_world

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    """Everything the demo produced."""

    out_dir: Path
    leads: pd.DataFrame
    catalog_size: int
    overall: pd.DataFrame
    by_month: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 7,
    months: int = 6,
    leads_per_month: int = 3000,
    catalog_size: int = 20000,
    workers: int = 1,
    progress: bool = False,
) -> DemoResult:
    """Generate, decode, judge and summarise a world; write it to ``out_dir``."""
    out = Path(out_dir)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    world = generate_world(
        months=months, leads_per_month=leads_per_month, catalog_size=catalog_size, seed=seed
    )
    paths = write_world(world, out)
    timings["generate"] = time.perf_counter() - start
    scorer = Scorer.build(catalog=world.catalog)
    batch = scorer.score_batch(world.leads, workers=workers, progress=progress)
    timings.update(batch.timings)
    paths["judged"] = write_table(batch.leads, out / "leads_judged.parquet")
    start = time.perf_counter()
    overall = agreement_table(batch.leads, charter=batch.charter)
    by_month = agreement_table(batch.leads, charter=batch.charter, by="month")
    timings["agreement"] = time.perf_counter() - start
    return DemoResult(
        out_dir=out,
        leads=batch.leads,
        catalog_size=len(world.catalog),
        overall=overall,
        by_month=by_month,
        paths=paths,
        timings=timings,
    )
