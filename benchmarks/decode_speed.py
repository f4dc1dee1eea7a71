"""Decoder speed against brute-force fuzzy matching, and at scale.

Run:  .venv/bin/python benchmarks/decode_speed.py [--quick]

Part 1: 10,000 requests against a 50,000-SKU catalog, triage's decoder versus
``rapidfuzz.process.cdist(..., scorer=fuzz.WRatio, workers=-1)`` over the whole
catalog (timed on a subset and scaled), side by side in one run; top-1 accuracy
of both on the requests that specify their item.
Part 2: 100,000 requests against a 200,000-SKU catalog on 2 workers: index
build time, decode time, peak memory.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from rapidfuzz import fuzz, process

from _common import group_of, machine_note, peak_rss_mib
from triage.decode import Decoder, normalize_text
from triage.synth import generate_world


def part1(n_requests: int, catalog_size: int, brute_subset: int, seed: int) -> None:
    months = 2
    world = generate_world(
        months=months, leads_per_month=n_requests // months, catalog_size=catalog_size, seed=seed
    )
    texts = world.leads["request_text"].fillna("").astype(str).tolist()
    truth = world.truth.reset_index(drop=True)
    groups = group_of(world.catalog)
    true_group = truth["true_sku"].fillna("").astype(str).map(groups)
    spec = (
        truth["specifies_item"].astype(str).str.lower().isin(["true", "1"]) & true_group.notna()
    ).to_numpy()

    t0 = time.perf_counter()
    decoder = Decoder(world.catalog).fit()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    decoded = decoder.decode_many(texts, workers=2)
    ours = time.perf_counter() - t0
    ours_top1 = (decoded["decoded_sku"].map(groups) == true_group).to_numpy()

    rng = np.random.default_rng(seed)
    subset = np.sort(rng.choice(len(texts), size=min(brute_subset, len(texts)), replace=False))
    names = [normalize_text(n) for n in world.catalog["name"].astype(str)]
    skus = world.catalog["sku"].astype(str).to_numpy()
    queries = [normalize_text(texts[i]) for i in subset]
    t0 = time.perf_counter()
    scores = process.cdist(queries, names, scorer=fuzz.WRatio, workers=-1, dtype=np.uint8)
    brute_sub = time.perf_counter() - t0
    best = scores.argmax(axis=1)
    brute_top1 = np.array([groups.get(skus[b]) for b in best]) == true_group.to_numpy()[subset]
    brute_total = brute_sub * len(texts) / len(subset)
    sub_spec = spec[subset]

    print(f"\n== part 1: {len(texts):,} requests x {len(world.catalog):,} SKUs ==")
    print(
        f"triage decoder: index build {build:.2f} s, decode {ours:.2f} s ({len(texts) / ours:,.0f} req/s, 2 workers)"
    )
    print(
        f"brute-force cdist WRatio (workers=-1): {brute_sub:.2f} s for {len(subset)} requests "
        f"-> {brute_total:.1f} s scaled to {len(texts):,}"
    )
    print(
        f"speed ratio (brute / triage decode): {brute_total / ours:.1f}x  "
        f"(including index build: {brute_total / (ours + build):.1f}x)"
    )
    print(
        f"top-1 group accuracy on requests that specify the item, same {sub_spec.sum()} requests: "
        f"triage {ours_top1[subset][sub_spec].mean():.4f} vs brute force {brute_top1[sub_spec].mean():.4f}"
    )
    print(f"triage top-1 on all {spec.sum():,} specified requests: {ours_top1[spec].mean():.4f}")


def part2(n_requests: int, catalog_size: int, seed: int) -> None:
    months = 4
    t0 = time.perf_counter()
    world = generate_world(
        months=months, leads_per_month=n_requests // months, catalog_size=catalog_size, seed=seed
    )
    gen = time.perf_counter() - t0
    texts = world.leads["request_text"].fillna("").astype(str).tolist()
    t0 = time.perf_counter()
    decoder = Decoder(world.catalog).fit()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    decoded = decoder.decode_many(texts, workers=2)
    took = time.perf_counter() - t0
    print(
        f"\n== part 2: {len(texts):,} requests x {len(world.catalog):,} SKUs (world generated in {gen:.1f} s) =="
    )
    print(
        f"index build {build:.2f} s; decode {took:.2f} s on 2 workers ({len(texts) / took:,.0f} req/s); "
        f"distinct texts {len(set(texts)):,}"
    )
    print(
        f"target <= 60 s: {'PASS' if took <= 60 else 'FAIL'}; peak memory {peak_rss_mib():,.0f} MiB"
    )
    print("statuses:", decoded["decoded_status"].value_counts().to_dict())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args(argv)
    print(f"machine: {machine_note()}")
    if args.quick:
        part1(2000, 10000, 100, args.seed)
        part2(8000, 20000, args.seed)
    else:
        part1(10000, 50000, 300, args.seed)
        part2(100000, 200000, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
