"""``triage explain``: one lead's full explanation, in the charter's words."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from triage.cli._common import LANGS, existing_file, output_path, require_file
from triage.errors import DataError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage explain``."""
    p = sub.add_parser(
        "explain",
        help="explain one lead: charter checklist, p_target and the reasons by criterion",
        description=(
            "Score one lead of a file with a trained judge and show why: each criterion passed "
            "or failed with the values that decided it, and what drove p_target, in probability "
            "points by criterion.  --out writes the card as HTML (or JSON)."
        ),
    )
    p.add_argument("--model", required=True, type=Path, help="model folder (triage train --out)")
    p.add_argument("--leads", required=True, type=Path, help="the lead file holding the lead")
    p.add_argument("--lead-id", required=True, help="lead_id of the lead to explain")
    p.add_argument("--schema", type=Path, help="lead schema (default: the one the model used)")
    p.add_argument("--catalog", type=Path, help="catalog (default: the model's copy)")
    p.add_argument("--lang", choices=LANGS, default="ru", help="language of the card (default ru)")
    p.add_argument("--out", type=Path, help="write the card: .html or .json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from triage.io.leads import load_leads, load_schema
    from triage.io.tables import write_text_atomic
    from triage.model import load_judge
    from triage.pipeline import Scorer
    from triage.report.card import lead_card, render_card_html, render_card_text

    out = output_path(args.out, (".html", ".htm", ".json"), inputs=[args.leads, args.schema])
    judge = load_judge(args.model)
    schema = load_schema(existing_file(args.schema, "schema")) if args.schema else judge.schema
    leads = load_leads(existing_file(args.leads, "leads"), mapping=schema, strict=False)
    if "lead_id" not in leads.columns:
        raise DataError(f"{args.leads}: no lead_id column to find lead {args.lead_id!r} by")
    hit = leads["lead_id"].astype("string") == str(args.lead_id)
    if not hit.any():
        raise DataError(f"{args.leads}: no lead with lead_id {args.lead_id!r}")
    scorer = Scorer.build(catalog=require_file(args.catalog, "catalog"), judge=judge)
    # The whole file is read for the window fields (duplicates); only the lead is scored.
    prepared = scorer.prepare(leads)
    row = scorer.score_chunk(prepared[hit.to_numpy(dtype=bool)].head(1)).iloc[0]
    titles = {g: judge.spec.title(g, args.lang) for g in judge.spec.group_ids}
    card = lead_card(
        row, charter=judge.charter, titles=titles, locale=args.lang, threshold=judge.threshold
    )
    print(render_card_text(card))
    if out is not None:
        text = (
            json.dumps(card, ensure_ascii=False, indent=2, default=str)
            if out.suffix.lower() == ".json"
            else render_card_html(card)
        )
        write_text_atomic(text, out)
        print(f"wrote {out}", file=sys.stderr)
    return 0
