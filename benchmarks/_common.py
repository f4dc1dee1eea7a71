"""Shared helpers for the benchmarks: a generated world, the machine note, truth joins."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd


def machine_note() -> str:
    """One line describing where the numbers were measured."""
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()} {cpus} CPU(s), {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def peak_rss_mib() -> float:
    """Peak resident memory of this process and its finished children, MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


@contextmanager
def timed(label: str, store: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    store[label] = time.perf_counter() - start


def group_of(catalog: pd.DataFrame) -> dict[str, str]:
    """sku -> interchangeable group (the OEM number)."""
    return dict(zip(catalog["sku"].astype(str), catalog["oem_number"].astype(str), strict=True))


def candidate_skus(cell: str) -> list[str]:
    return [c["sku"] for c in json.loads(cell)]


def rate(mask: pd.Series | np.ndarray) -> float:
    arr = np.asarray(mask, dtype=bool)
    return float(arr.mean()) if arr.size else float("nan")


# -- catalog styles: accepted answers, our decoder and the plain TF-IDF baseline -----
def tfidf_top(names: list[str], texts: list[str], k: int = 10) -> list[np.ndarray]:
    """The plain baseline: char 2-4 TF-IDF nearest names by cosine (top ``k`` positions)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))
    matrix = vec.fit_transform(names)
    transposed = matrix.T.tocsr()
    out: list[np.ndarray] = []
    for lo in range(0, len(texts), 512):
        sims = (vec.transform(texts[lo : lo + 512]) @ transposed).tocsr()
        for r in range(sims.shape[0]):
            row = sims.getrow(r)
            order = np.lexsort((row.indices, -row.data))[:k]
            out.append(row.indices[order])
    return out


def style_metrics(
    decoded: pd.DataFrame,
    accepted: list[set[str]],
    population: np.ndarray,
    catalog_skus: np.ndarray,
    baseline: list[np.ndarray],
) -> dict[str, float]:
    """Ours and the baseline on one catalog style.

    ``population`` marks the requests that pin their item down (top-1 and
    recall@10 are over them); confident-wrong is over every request that asks
    for something the catalog has (``accepted`` not empty): decoded, and not
    an accepted item.
    """
    cands = [candidate_skus(c) for c in decoded["decoded_candidates"]]
    first = [
        s if s else (c[0] if c else "") for s, c in zip(decoded["decoded_sku"], cands, strict=True)
    ]
    top1 = np.array([f in a for f, a in zip(first, accepted, strict=True)])
    r10 = np.array([bool(set(c[:10]) & a) for c, a in zip(cands, accepted, strict=True)])
    base1 = np.array(
        [len(b) > 0 and catalog_skus[b[0]] in a for b, a in zip(baseline, accepted, strict=True)]
    )
    base10 = np.array(
        [bool(set(catalog_skus[b[:10]]) & a) for b, a in zip(baseline, accepted, strict=True)]
    )
    asks = np.array([bool(a) for a in accepted])
    is_decoded = decoded["decoded_status"].to_numpy() == "decoded"
    pop = np.asarray(population, dtype=bool)
    return {
        "n": int(pop.sum()),
        "top1": rate(top1[pop]),
        "recall10": rate(r10[pop]),
        "decoded": rate(is_decoded[asks]),
        "precision_decoded": rate(top1[is_decoded & asks]),
        "confident_wrong": rate((is_decoded & ~top1)[asks]),
        "tfidf_top1": rate(base1[pop]),
        "tfidf_recall10": rate(base10[pop]),
        "tfidf_confident_wrong": rate(~base1[asks]),
    }


def pricelist_world(
    seed: int, *, months: int = 2, leads_per_month: int = 3000, catalog_size: int = 20000
) -> tuple[object, object, pd.DataFrame, pd.DataFrame]:
    """The world ``generate_world`` would make for ``seed``, and its price-list catalog.

    Returns (CatalogBuild, PriceList, leads, truth); the leads and truth are
    exactly those of ``generate_world(seed=seed, ...)``; the price list uses a
    third sub-seed of the same seed.
    """
    from triage.synth._catalog import build_catalog
    from triage.synth._leads import build_leads
    from triage.synth._pricelist import build_pricelist
    from triage.synth._reference import load_reference

    ref = load_reference()
    catalog_seed, leads_seed, pricelist_seed = np.random.SeedSequence(seed).spawn(3)
    cat = build_catalog(ref, catalog_size, np.random.default_rng(catalog_seed))
    leads, truth = build_leads(
        ref,
        cat,
        months=months,
        leads_per_month=leads_per_month,
        start=pd.Timestamp("2026-05-01"),
        rng=np.random.default_rng(leads_seed),
    )
    pl = build_pricelist(cat, np.random.default_rng(pricelist_seed), ref=ref)
    return cat, pl, leads, truth
