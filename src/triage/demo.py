"""The main job on generated data: ``make demo`` / ``triage demo``.

1. generate the Opel shop world (catalog, months of leads, ground truth);
2. decode every request and judge every lead with the agreed charter;
3. train the judge on the earlier months' agreed leads;
4. score every lead with the judge and attribute responsibility;
5. write the last month's audit page, its per-lead results and a card per
   disputed lead;
6. return what the summary prints: the one-sentence answer, the counts, the
   judge's evaluation, responsibility against the ground truth, the files.

Nothing here prints; :func:`triage.report.render_demo` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from triage.audit import build_audit, month_of
from triage.charter import agreement_table
from triage.io import write_table
from triage.io.leads import LeadSchema
from triage.io.tables import write_text_atomic
from triage.model import TrainingResult, train_judge
from triage.pipeline import Scorer
from triage.report.audit import render_audit_html, write_dispute_cards
from triage.synth import generate_world, write_world
from triage.verdict import CLASSES

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    """Everything the demo produced."""

    out_dir: Path
    leads: pd.DataFrame
    catalog_size: int
    overall: pd.DataFrame
    by_month: pd.DataFrame
    training: TrainingResult | None = None
    audit: dict[str, Any] = field(default_factory=dict)
    responsibility_accuracy: pd.DataFrame | None = None
    disputes: int = 0
    paths: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _accuracy(scored: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Responsibility against the world's ground truth, per true class."""
    joined = scored[["lead_id", "responsibility"]].merge(
        truth[["lead_id", "true_responsibility"]], on="lead_id"
    )
    joined["correct"] = joined["responsibility"] == joined["true_responsibility"]
    rows = []
    for cls in CLASSES:
        part = joined[joined["true_responsibility"] == cls]
        if len(part):
            rows.append(
                {
                    "class": cls,
                    "leads": len(part),
                    "accuracy": float(part["correct"].mean()),
                    "needs_review": float((part["responsibility"] == "needs_review").mean()),
                }
            )
    rows.append(
        {
            "class": "all",
            "leads": len(joined),
            "accuracy": float(joined["correct"].mean()),
            "needs_review": float((joined["responsibility"] == "needs_review").mean()),
        }
    )
    return pd.DataFrame(rows)


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 7,
    months: int = 6,
    leads_per_month: int = 3000,
    catalog_size: int = 20000,
    workers: int = 1,
    progress: bool = False,
    models_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    locale: str = "en",
) -> DemoResult:
    """Generate, judge, train, score, audit; write everything under ``out_dir``.

    The model goes to ``models_dir/demo`` (default ``out_dir/model``), the
    audit page and the dispute cards to ``reports_dir`` (default ``out_dir/reports``).
    """
    out = Path(out_dir)
    models = Path(models_dir) if models_dir is not None else out / "model"
    reports = Path(reports_dir) if reports_dir is not None else out / "reports"
    timings: dict[str, float] = {}
    start = time.perf_counter()
    world = generate_world(
        months=months, leads_per_month=leads_per_month, catalog_size=catalog_size, seed=seed
    )
    paths = write_world(world, out)
    timings["generate"] = time.perf_counter() - start

    start = time.perf_counter()
    scorer = Scorer.build(catalog=world.catalog)
    judged = scorer.score_batch(world.leads, workers=workers, progress=progress).leads
    paths["judged"] = write_table(judged, out / "leads_judged.parquet")
    overall = agreement_table(judged, charter=scorer.charter)
    by_month = agreement_table(judged, charter=scorer.charter, by="month")
    timings["decode+charter"] = time.perf_counter() - start

    start = time.perf_counter()
    month = month_of(judged)
    last = sorted(month.unique().tolist())[-1]
    earlier = judged[(month != last).to_numpy()] if months > 1 else judged
    training = train_judge(
        earlier, schema=LeadSchema.synthetic(), charter=scorer.charter, truth=world.truth
    )
    training.judge.save(models, catalog=world.catalog)
    paths["model"] = models
    timings["train"] = time.perf_counter() - start

    start = time.perf_counter()
    with_judge = Scorer(charter=scorer.charter, judge=training.judge, responsibility=True)
    scored = with_judge.score_batch(judged, workers=workers, progress=progress).leads
    timings["score+explain"] = time.perf_counter() - start

    start = time.perf_counter()
    summary = build_audit(
        scored, month=last, charter_label=scorer.charter.label if scorer.charter else ""
    )
    this = scored[(month == last).to_numpy()]
    paths["audit"] = write_text_atomic(
        render_audit_html(summary, locale=locale), reports / f"audit-{last}.html"
    )
    paths["audit_csv"] = write_table(this, reports / f"audit-{last}-leads.csv")
    paths["audit_parquet"] = write_table(this, reports / f"audit-{last}-leads.parquet")
    titles = {g: training.judge.spec.title(g, "ru") for g in training.judge.spec.group_ids}
    cards = write_dispute_cards(
        this,
        reports / "disputes",
        charter=scorer.charter,
        titles=titles,
        locale="ru",
        threshold=training.judge.threshold,
    )
    paths["disputes"] = cards["index"]
    timings["audit"] = time.perf_counter() - start
    return DemoResult(
        out_dir=out,
        leads=scored,
        catalog_size=len(world.catalog),
        overall=overall,
        by_month=by_month,
        training=training,
        audit=summary,
        responsibility_accuracy=_accuracy(scored, world.truth),
        disputes=int(cards["count"]),
        paths=paths,
        timings=timings,
    )
