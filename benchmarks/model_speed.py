"""The judge's speed: train on 100k leads, score and explain 1M decoded leads, 100k raw leads.

Run:  .venv/bin/python benchmarks/model_speed.py [--quick]

Targets (issue "The judge"), on 2 cores:
1. train on 100,000 leads in at most 60 s;
2. score and explain 1,000,000 already-decoded leads in at most 120 s, peak memory < 2 GB;
3. decode + charter + score + explain 100,000 raw leads in at most 90 s.

The 1M file is 100,000 decoded leads repeated ten times with new lead ids and
dates shifted by ten months per copy (decoding a million requests first would
only time the decoder again), written in row groups of 50,000 rows (Parquet
reads a row group whole; see docs/judge.md).  Peak memory is the largest resident set of
the stage's process tree, sampled every 0.2 s as the sum of proportional set
sizes (shared pages counted once), each stage in a fresh process.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from _common import machine_note


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in task.read_text().split())
            except OSError:
                continue
    return out


def _pss_mib(pid: int) -> float:
    """Proportional set size of a process tree: shared pages counted once in total."""
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _stage(target, *args):
    """Run one stage in a fresh process; return (seconds, peak MiB of its tree, extra)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()

    def body() -> None:
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        extra = target(*args)
        queue.put((time.perf_counter() - start, extra))

    proc = ctx.Process(target=body)
    proc.start()
    peak = 0.0
    while proc.is_alive() and queue.empty():
        peak = max(peak, _pss_mib(proc.pid))
        time.sleep(0.2)
    seconds, extra = queue.get()
    proc.join()
    return seconds, peak, extra


def _prepare(folder: Path, leads: int, seed: int) -> None:
    from triage.pipeline import Scorer
    from triage.synth import generate_world

    months = 10
    world = generate_world(
        months=months, leads_per_month=leads // months, catalog_size=20000, seed=seed
    )
    world.catalog.to_parquet(folder / "catalog.parquet", index=False)
    world.leads.to_parquet(folder / "raw.parquet", index=False)
    judged = Scorer.build(catalog=world.catalog).score_batch(world.leads, workers=2).leads
    judged.to_parquet(folder / "judged.parquet", index=False)
    decoded = judged[
        [*world.leads.columns, *[c for c in judged.columns if c.startswith("decoded_")]]
    ]
    decoded.to_parquet(folder / "decoded.parquet", index=False)


def _train(folder: Path) -> dict:
    from triage.decode import load_catalog
    from triage.io.leads import LeadSchema
    from triage.model import train_judge
    from triage.pipeline import Scorer

    judged = pd.read_parquet(folder / "judged.parquet")
    charter = Scorer.build().charter
    result = train_judge(judged, schema=LeadSchema.synthetic(), charter=charter)
    result.judge.save(folder / "model", catalog=load_catalog(folder / "catalog.parquet"))
    return {
        "leads": len(judged),
        "agreed": result.counts["agreed"],
        "estimator": result.choice.name,
    }


def _million(folder: Path, copies: int) -> None:
    base = pd.read_parquet(folder / "decoded.parquet")
    created = pd.to_datetime(base["created_at"])
    parts = []
    for k in range(copies):
        part = base.copy()
        part["lead_id"] = part["lead_id"] + f"-{k}"
        part["created_at"] = (created + pd.DateOffset(months=10 * k)).dt.strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
        parts.append(part)
    # Row groups of 50,000 rows, as a chunked writer (triage's own included) writes them: a
    # Parquet row group is read whole, so one 1M-row group alone would take a gigabyte.
    pd.concat(parts, ignore_index=True).to_parquet(
        folder / "million.parquet", index=False, row_group_size=50_000
    )


def _score(folder: Path, source: str, out: str, decode: bool) -> dict:
    from triage.model import load_judge
    from triage.pipeline import Scorer, score_file

    judge = load_judge(folder / "model")
    scorer = Scorer.build(judge=judge) if decode else Scorer(charter=judge.charter, judge=judge)
    result = score_file(scorer, folder / source, folder / out, chunk_size=20_000, workers=2)
    return {"rows": result["rows"], **{k: round(v, 1) for k, v in result["timings"].items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller (a smoke run)")
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument(
        "--data", type=Path, help="keep the prepared files in this folder (reused when present)"
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n, copies = 100_000 // scale, 10
    print(f"machine: {machine_note()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        if not (folder / "million.parquet").exists():
            _stage(_prepare, folder, n, args.seed)
            _stage(_million, folder, copies)
        print(
            f"prepared {n:,} leads (and the {n * copies:,}-lead file) in "
            f"{time.perf_counter() - t0:.0f} s (not timed)"
        )
        rows = [
            ("train", 60, _stage(_train, folder)),
            (
                f"score+explain {n * copies:,} decoded",
                120,
                _stage(_score, folder, "million.parquet", "s1.parquet", False),
            ),
            (
                f"decode+charter+score+explain {n:,} raw",
                90,
                _stage(_score, folder, "raw.parquet", "s2.parquet", True),
            ),
        ]
    ok = True
    for name, budget, (seconds, peak, extra) in rows:
        limit = budget / scale
        passed = seconds <= limit and (peak < 2048 or "decoded" not in name)
        ok &= passed
        print(
            f"{name:<42} {seconds:7.1f} s  (budget {limit:5.0f} s, {seconds / limit:5.2f} of it)  "
            f"peak {peak:6.0f} MiB  {'PASS' if passed else 'FAIL'}  {extra}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
