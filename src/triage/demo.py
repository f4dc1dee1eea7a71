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
from rich.console import Console
from rich.table import Table

from triage.charter import agreement_table, render_agreement
from triage.io import write_table
from triage.pipeline import score_batch
from triage.synth import generate_world, write_world

__all__ = ["DemoResult", "render_demo", "run_demo"]


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
    workers: int | None = None,
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
    batch = score_batch(world.leads, catalog=world.catalog, workers=workers)
    timings.update(batch.timings)
    paths["judged"] = write_table(batch.leads, out / "leads_judged.parquet")
    start = time.perf_counter()
    overall = agreement_table(batch.leads, charter=batch.charter, decode=False)
    by_month = agreement_table(batch.leads, charter=batch.charter, by="month", decode=False)
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


def render_demo(result: DemoResult, *, console: Console | None = None) -> None:
    """Print the demo summary as rich tables."""
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=150)  # logs and CI: do not squeeze tables into 80 columns
    leads = result.leads
    month = pd.to_datetime(leads["created_at"], errors="coerce").dt.strftime("%Y-%m")
    console.rule("[bold]triage demo: the Opel spare-parts shop")
    console.print(
        f"{len(leads):,} leads over {month.nunique()} months, "
        f"catalog of {result.catalog_size:,} SKUs, "
        f"written to {result.out_dir}/"
    )

    pivot = pd.crosstab(month, leads["channel"], margins=True, margins_name="total")
    table = Table(title="Leads per month and channel", header_style="bold")
    table.add_column("month")
    for col in pivot.columns:
        table.add_column(str(col), justify="right")
    for idx, row in pivot.iterrows():
        table.add_row(str(idx), *(f"{int(v):,}" for v in row))
    console.print(table)

    status = leads["decoded_status"].value_counts()
    dec = Table(title="What the decoder made of the requests", header_style="bold")
    dec.add_column("status")
    dec.add_column("leads", justify="right")
    dec.add_column("share", justify="right")
    for name, count in status.items():
        dec.add_row(str(name), f"{int(count):,}", f"{100 * count / len(leads):.1f}%")
    console.print(dec)

    render_agreement(result.by_month, console=console)
    row = result.overall.iloc[0]
    console.print(
        "[bold]Target leads, all months:[/bold] "
        f"marketing counted {int(row['marketing_target']):,}, "
        f"sales counted {int(row['sales_target']):,}, the agreed charter counts "
        f"[bold]{int(row['charter_target']):,}[/bold]. Marketing and sales agree on "
        f"{row['percent_agreement']:.1f}% of the leads both judged (Cohen's kappa "
        f"{row['kappa']:.3f}, 95% CI {row['kappa_low']:.3f} .. {row['kappa_high']:.3f})."
    )
    t = result.timings
    console.print(
        "[dim]timings: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in t.items())
        + f"; judged leads: {result.paths['judged']}[/dim]"
    )
