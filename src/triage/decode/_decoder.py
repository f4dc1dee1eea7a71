"""The Decoder: a catalog index plus an analyser, and the ranking rules.

Retrieval order for one request:

1. an OEM, cross or SKU number quoted in the text wins outright;
2. otherwise the catalog is *blocked* by the slots found (part type and
   model; then generation, side, axle, engine, year filter the block, each
   filter dropped again if it would leave nothing -- the conflict is reported
   in the evidence);
3. the items left are scored by slot agreement plus a rapidfuzz
   ``token_set_ratio`` between the request and the item name (the tie-breaker
   for brand, engine volume and body words), and grouped into interchangeable
   groups (same OEM number);
4. with no slot to block on, plain character n-gram TF-IDF retrieval ranks
   the whole catalog (sparse products, never a Python loop over items).

``decoded_score`` (0-100) is the decoder's estimate that the top candidate's
group is the wanted item: 100 x (share of the candidate groups' weight that
the top group holds) x (share of the item's defining slots the request
states).  Two equally fitting groups give at most 50.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from triage.decode._analyze import Analysis, TextAnalyzer
from triage.decode._catalog import CatalogIndex, load_catalog
from triage.decode._lexicon import Lexicon, load_lexicon, read_lexicon_csv
from triage.decode._text import normalize_code
from triage.schema import DECODED_COLUMNS

__all__ = ["DecodeResult", "Decoder", "decode_requests"]

# Points of slot agreement; a mismatch costs more than a match earns, so an
# item contradicting the request never outranks one that fits it.
_W = {
    "part_type": 3.0,
    "model": 2.0,
    "generation": 2.0,
    "side": 1.0,
    "axle": 1.0,
    "engine": 1.5,
    "year": 0.5,
    "make": 1.0,
}
_MISMATCH = {
    "generation": -3.0,
    "side": -2.0,
    "axle": -2.0,
    "engine": -2.0,
    "year": -1.0,
    "model": -3.0,
}
_TEXT_WEIGHT = 1.0  # token_set_ratio / 100, the tie-breaker
_CLEAR_MARGIN = 0.6  # top group must lead the next by this many points to be "decoded"
_MAX_AMBIGUOUS = 8  # more fitting groups than this is "partial"
_BLOCK_LIMIT = 4000  # largest block ranked item by item
_MAX_TEXT = 2000  # characters of a request that are read; the rest is ignored


class _Found(NamedTuple):
    """Candidate items of one request, how they were found, and text similarity."""

    items: np.ndarray
    conflicts: list[str]
    similarity: np.ndarray | None = None


@dataclass
class DecodeResult:
    """One decoded request (a row of :func:`decode_requests`)."""

    make: str = ""
    model: str = ""
    generation: str = ""
    part_type: str = ""
    side: str = ""
    axle: str = ""
    year: str = ""
    engine: str = ""
    sku: str = ""
    name: str = ""
    score: float = 0.0
    status: str = "empty"
    candidates: list[dict[str, Any]] | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "decoded_make": self.make,
            "decoded_model": self.model,
            "decoded_generation": self.generation,
            "decoded_part_type": self.part_type,
            "decoded_side": self.side,
            "decoded_axle": self.axle,
            "decoded_year": self.year,
            "decoded_engine": self.engine,
            "decoded_sku": self.sku,
            "decoded_name": self.name,
            "decoded_score": round(float(self.score), 1),
            "decoded_status": self.status,
            "decoded_candidates": json.dumps(self.candidates or [], ensure_ascii=False),
        }


class Decoder:
    """Decode free-text part requests into catalog items.

    Build it once per catalog (the index build time is in
    ``build_seconds``), then call :meth:`decode` or :meth:`decode_many`.

    Parameters
    ----------
    catalog : DataFrame or path
        At least ``sku`` and ``name``; structured columns are used when present.
    lexicon : Lexicon, optional
        Defaults to the shipped lexicon of ``data/reference``.
    lexicon_files : sequence of paths
        Extra user lexicon CSVs (``slot,value,surface``).
    top_k : int
        How many candidates to list.
    morphology : {"pymorphy3", "none"}
        Morphological analyser for inflected words.

    Examples
    --------
    >>> dec = Decoder(catalog_frame)                      # doctest: +SKIP
    >>> dec.decode("граната левая астра j").status        # doctest: +SKIP
    'ambiguous'
    """

    def __init__(
        self,
        catalog: pd.DataFrame | str | Path,
        *,
        lexicon: Lexicon | None = None,
        lexicon_files: Sequence[str | Path] = (),
        top_k: int = 5,
        morphology: str = "pymorphy3",
    ) -> None:
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {top_k!r}")
        start = time.perf_counter()
        frame = load_catalog(catalog) if isinstance(catalog, (str, Path)) else catalog
        lex = lexicon if lexicon is not None else load_lexicon(extra=lexicon_files)
        if lexicon is not None and lexicon_files:
            lex = lex.extend(pd.concat([read_lexicon_csv(Path(p)) for p in lexicon_files]))
        self.top_k = top_k
        self.analyzer = TextAnalyzer(lex, morphology=morphology)
        self.index = CatalogIndex.build(frame, self.analyzer)
        #: Makes the catalog sells; a request naming only another make is "other_make".
        self.catalog_makes = {m for m in self.index.make.tolist() if m}
        self.build_seconds = time.perf_counter() - start

    # -- public ---------------------------------------------------------
    def decode(self, text: object) -> DecodeResult:
        """Decode one request."""
        if text is None or (isinstance(text, float) and math.isnan(text)):
            return DecodeResult(status="empty", candidates=[])
        return self._decode(str(text)[:_MAX_TEXT])

    def decode_many(
        self, texts: Iterable[object], *, workers: int = 1, progress: bool = False
    ) -> pd.DataFrame:
        """Decode many requests; one output row per input, in order.

        Identical texts are decoded once.  ``workers > 1`` splits the distinct
        texts across processes (fork), each using this decoder's index.
        """
        values = [
            "" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts
        ]
        unique = list(dict.fromkeys(values))
        if workers > 1 and len(unique) >= 2000 and sys.platform != "win32":
            rows = _decode_parallel(self, unique, workers)
        else:
            iterator: Iterable[str] = unique
            if progress:
                from tqdm import tqdm

                iterator = tqdm(unique, desc="decoding", unit="req", file=sys.stderr)
            rows = [self.decode(t).as_row() for t in iterator]
        by_text = dict(zip(unique, rows, strict=True))
        return pd.DataFrame([by_text[t] for t in values], columns=DECODED_COLUMNS)

    # -- internals --------------------------------------------------------
    def _decode(self, text: str) -> DecodeResult:
        a = self.analyzer.analyze(text)
        if a.content_tokens == 0:
            return DecodeResult(status="empty", candidates=[])
        slots = self._request_slots(a)
        number_hits = self._number_hits(a)
        if number_hits is not None:
            return self._finish(a, slots, number_hits, via="number")
        if not slots["part_type"] and a.values("not_a_part"):
            # "продам пежо 308", "ищем партнеров": no part asked for, whatever the make.
            return self._result_from_slots(slots, status="not_a_part")
        if slots["make"] and self.catalog_makes and slots["make"] not in self.catalog_makes:
            return self._result_from_slots(slots, status="other_make")
        if not slots["part_type"]:
            if a.values("not_a_part"):
                return self._result_from_slots(slots, status="not_a_part")
            if not self.index.structured:
                found = self._text_candidates(a)
                if found is not None:
                    return self._finish(a, slots, found, via="text")
            understood = slots["make"] or slots["model"] or a.values("part_request")
            return self._result_from_slots(slots, status="partial" if understood else "not_a_part")
        items, conflicts = self._block(slots)
        if items is None:
            return self._result_from_slots(slots, status="partial")
        return self._finish(a, slots, _Found(items, conflicts), via="slots")

    def _request_slots(self, a: Analysis) -> dict[str, Any]:
        model = a.first("model")
        make = a.first("make")
        lex = self.analyzer.lexicon
        if model and lex.model_make.get(model):
            implied = lex.model_make[model]
            # A model of the shop's make beats a make word that is really another make's model.
            makes = a.values("make")
            if implied in makes or not make or make not in (implied,):
                make = (
                    implied if (implied in makes or not makes or self._model_stronger(a)) else make
                )
        engine = a.engines[0] if a.engines else ""
        year = a.years[0] if a.years else None
        generations = a.values("generation")
        inferred: list[str] = []
        if year is not None or engine:
            vehicles = self.analyzer.vehicles_for(model, year=year, engine=engine)
            inferred = sorted({v.generation for v in vehicles})
        if generations and inferred:
            # "астра джи 2012": the sound is G or J, the year says J.  A letter
            # that contradicts the year keeps both readings (honest ambiguity).
            consistent = [g for g in generations if g in inferred]
            generations = consistent or sorted(set(generations) | set(inferred))
        if not generations and inferred:
            vehicles = self.analyzer.vehicles_for(model, year=year, engine=engine)
            if not model:
                models = sorted({v.model for v in vehicles})
                if engine and len(models) >= 1 and lex.home_make:
                    make = make or lex.home_make
                if len(models) == 1:
                    model = models[0]
        if not make and model:
            make = lex.model_make.get(model, "")
        return {
            "make": make,
            "model": model,
            "generations": generations if generations else inferred,
            "generation_explicit": bool(a.values("generation")),
            "part_type": a.first("part_type"),
            "part_types": a.values("part_type"),
            "side": a.first("side"),
            "axle": a.first("axle"),
            "engine": engine,
            "year": year,
        }

    @staticmethod
    def _model_stronger(a: Analysis) -> bool:
        model_m = [m for m in a.matches if m.slot == "model"]
        make_m = [m for m in a.matches if m.slot == "make"]
        return bool(model_m) and (
            not make_m or max(x.strength for x in model_m) >= max(x.strength for x in make_m)
        )

    def _number_hits(self, a: Analysis) -> _Found | None:
        toks = a.tokens
        found: list[np.ndarray] = []
        for n in (4, 3, 2, 1):
            for i in range(len(toks) - n + 1):
                window = toks[i : i + n]
                if not any(ch.isdigit() for ch in window[0]) and not any(
                    ch.isdigit() for ch in window[-1]
                ):
                    continue
                code = normalize_code("".join(window))
                if len(code) < 5 or sum(ch.isdigit() for ch in code) < 3:
                    continue
                hit = self.index.codes.get(code)
                if hit is not None:
                    found.append(hit)
            if found:
                break
        if not found:
            return None
        return _Found(np.unique(np.concatenate(found)), [])

    def _block(self, slots: dict[str, Any]) -> tuple[np.ndarray | None, list[str]]:
        idx = self.index
        pt, model = slots["part_type"], slots["model"]
        if not pt and not model:
            return None, []
        items = idx.blocks.get((pt, model))
        if items is None and pt and model:
            items = idx.blocks.get((pt, ""))
        if items is None or len(items) == 0:
            return None, []
        conflicts: list[str] = []
        for slot, ok in (
            (
                "generation",
                lambda ix: (
                    np.isin(idx.generation[ix], slots["generations"]) | (idx.generation[ix] == "")
                ),
            ),
            ("side", lambda ix: (idx.side[ix] == slots["side"]) | (idx.side[ix] == "")),
            ("axle", lambda ix: (idx.axle[ix] == slots["axle"]) | (idx.axle[ix] == "")),
            (
                "engine",
                lambda ix: np.array(
                    [not e or slots["engine"] in e for e in idx.engines[ix]], dtype=bool
                ),
            ),
        ):
            wanted = slots["generations"] if slot == "generation" else slots[slot]
            if not wanted or len(items) > _BLOCK_LIMIT * 4:
                continue
            mask = ok(items)
            if mask.any():
                items = items[mask]
            else:
                conflicts.append(slot)
        return items, conflicts

    def _text_candidates(self, a: Analysis) -> _Found | None:
        items, sims = self.index.text_search([a.text], limit=50)[0]
        if len(items) == 0 or sims[0] < 0.35:
            return None
        keep = sims >= max(0.35, sims[0] - 0.25)
        return _Found(items[keep], ["text_only"], sims[keep].astype(np.float64))

    def _item_scores(self, a: Analysis, slots: dict[str, Any], items: np.ndarray) -> np.ndarray:
        idx = self.index
        score = np.zeros(len(items), dtype=np.float64)

        def agree(slot: str, values: np.ndarray, wanted: Any) -> None:
            if not wanted:
                return
            has = values != ""
            hit = np.isin(values, wanted) if isinstance(wanted, list) else values == wanted
            score[:] += np.where(has & hit, _W[slot], 0.0) + np.where(
                has & ~hit, _MISMATCH.get(slot, -1.0), 0.0
            )

        agree("part_type", idx.part_type[items], slots["part_type"])
        agree("model", idx.model[items], slots["model"])
        agree("make", idx.make[items], slots["make"])
        if slots["generations"]:
            weight = 1.0 if slots["generation_explicit"] else 0.5
            has = idx.generation[items] != ""
            hit = np.isin(idx.generation[items], slots["generations"])
            score += np.where(has & hit, _W["generation"] * weight, 0.0)
            score += np.where(has & ~hit, _MISMATCH["generation"] * weight, 0.0)
        agree("side", idx.side[items], slots["side"])
        agree("axle", idx.axle[items], slots["axle"])
        if slots["engine"]:
            eng = idx.engines[items]
            has = np.array([bool(e) for e in eng])
            hit = np.array([slots["engine"] in e for e in eng])
            score += np.where(has & hit, _W["engine"], 0.0) + np.where(
                has & ~hit, _MISMATCH["engine"], 0.0
            )
        if slots["year"] is not None:
            lo, hi = idx.year_from[items], idx.year_to[items]
            known = lo >= 0
            inside = (lo <= slots["year"]) & ((hi < 0) | (slots["year"] <= hi))
            score += np.where(known & inside, _W["year"], 0.0) + np.where(
                known & ~inside, _MISMATCH["year"], 0.0
            )
        names = idx.name_norm[items].tolist()
        if names:
            sims = process.cdist([a.text], names, scorer=fuzz.token_set_ratio, dtype=np.float32)[0]
            score += _TEXT_WEIGHT * sims / 100.0
        return score

    def _finish(
        self,
        a: Analysis,
        slots: dict[str, Any],
        found: _Found,
        *,
        via: str,
    ) -> DecodeResult:
        items, conflicts = found.items, found.conflicts
        idx = self.index
        if len(items) > _BLOCK_LIMIT:
            # Too broad to rank item by item ("brake pads for an Opel"): the request
            # names a part type but not which car; list a few, stay "partial".
            sample = items[:: max(1, len(items) // self.top_k)][: self.top_k]
            cands = [self._candidate(int(i), 0.0, a, slots) for i in sample]
            res = self._result_from_slots(slots, status="partial")
            res.candidates = cands
            return res
        if via == "number":
            scores = self._item_scores(a, slots, items) + 10.0
        elif via == "text":
            ratio = process.cdist(
                [a.text],
                idx.name_norm[items].tolist(),
                scorer=fuzz.token_set_ratio,
                dtype=np.float32,
            )[0]
            cosine = found.similarity if found.similarity is not None else np.zeros(len(items))
            scores = 6.0 * cosine + 4.0 * ratio.astype(np.float64) / 100.0
        else:
            scores = self._item_scores(a, slots, items)
        # Best item per interchangeable group.
        order = np.lexsort((~idx.in_stock[items], -scores))
        best: dict[str, tuple[int, float]] = {}
        for o in order:
            g = idx.group[items[o]]
            if g not in best:
                best[g] = (int(items[o]), float(scores[o]))
        groups = sorted(best.values(), key=lambda t: -t[1])
        top_item, top_score = groups[0]
        second = groups[1][1] if len(groups) > 1 else -math.inf
        close = [g for g in groups if g[1] >= top_score - _CLEAR_MARGIN]
        weights = np.exp((np.array([g[1] for g in groups[:50]]) - top_score) / 0.5)
        share = float(weights[0] / weights.sum())
        completeness = self._completeness(slots, top_item, via)
        score = 100.0 * share * completeness
        if via == "number":
            status = "decoded" if len(close) == 1 else "ambiguous"
        elif (
            top_score - second >= _CLEAR_MARGIN
            and (slots["part_type"] or via == "text")
            and (slots["model"] or via == "text" or not idx.structured)
        ):
            status = "decoded" if completeness >= 0.5 else "ambiguous"
        elif len(close) <= _MAX_AMBIGUOUS and (slots["part_type"] or via == "text"):
            status = "ambiguous"
        else:
            status = "partial"
        shares = weights / weights.sum()
        cands = [
            self._candidate(
                i, 100.0 * float(shares[k]) * self._completeness(slots, i, via), a, slots
            )
            for k, (i, _) in enumerate(groups[: self.top_k])
        ]
        if status == "decoded":
            res = DecodeResult(
                make=idx.make[top_item] or slots["make"],
                model=idx.model[top_item] or slots["model"],
                generation=idx.generation[top_item] or "|".join(slots["generations"]),
                part_type=idx.part_type[top_item] or slots["part_type"],
                side=idx.side[top_item] or slots["side"],
                axle=idx.axle[top_item] or slots["axle"],
                year=str(slots["year"] or ""),
                engine=slots["engine"]
                or (next(iter(idx.engines[top_item])) if len(idx.engines[top_item]) == 1 else ""),
                sku=str(idx.sku[top_item]),
                name=str(idx.name[top_item]),
                score=score,
                status=status,
                candidates=cands,
            )
        else:
            res = self._result_from_slots(slots, status=status)
            res.score = score if status == "ambiguous" else min(score, 30.0)
            res.candidates = cands
            if status == "ambiguous":
                # What every fitting candidate shares is decoded even if the item is not.
                close_items = [i for i, _ in close]
                for attr in ("part_type", "model", "side", "axle"):
                    vals = {getattr(idx, attr)[i] for i in close_items}
                    if len(vals) == 1 and not getattr(res, attr):
                        setattr(res, attr, vals.pop())
                if not res.make:
                    makes = {idx.make[i] for i in close_items}
                    res.make = makes.pop() if len(makes) == 1 else ""
        if conflicts and res.candidates:
            res.candidates[0]["conflicts"] = conflicts
        return res

    def _completeness(self, slots: dict[str, Any], item: int, via: str) -> float:
        if via == "number":
            return 1.0
        idx = self.index
        if via == "text":
            return 0.8
        needed = [
            ("part_type", idx.part_type[item]),
            ("model", idx.model[item]),
            ("generation", idx.generation[item]),
            ("side", idx.side[item]),
            ("axle", idx.axle[item]),
        ]
        needed = [(s, v) for s, v in needed if v]
        if not needed:
            return 1.0
        have = 0.0
        for slot, value in needed:
            if slot == "generation":
                gens = slots["generations"]
                have += 1.0 if gens == [value] else (0.5 if value in gens else 0.0)
            elif slots.get(slot) == value:
                have += 1.0
            elif slot == "axle" and not slots.get("axle"):
                have += 0.5  # parts usually named without an axle are mostly front ones
        return have / len(needed)

    def _candidate(
        self, item: int, score: float, a: Analysis, slots: dict[str, Any]
    ) -> dict[str, Any]:
        idx = self.index
        evidence = []
        for m in a.matches:
            item_value = {
                "part_type": idx.part_type[item],
                "model": idx.model[item],
                "make": idx.make[item],
                "generation": idx.generation[item],
                "side": idx.side[item],
                "axle": idx.axle[item],
            }.get(m.slot)
            if m.slot == "engine":
                item_value = (
                    m.value if m.value in idx.engines[item] else ";".join(sorted(idx.engines[item]))
                )
            if item_value is None:
                continue
            d = m.as_dict()
            d["item_value"] = item_value
            d["agrees"] = (item_value == m.value) if item_value else None
            evidence.append(d)
        if slots["year"] is not None and idx.year_from[item] >= 0:
            hi = idx.year_to[item]
            evidence.append(
                {
                    "slot": "year",
                    "value": slots["year"],
                    "words": str(slots["year"]),
                    "how": "exact",
                    "item_value": f"{idx.year_from[item]}-{hi if hi >= 0 else ''}",
                    "agrees": bool(
                        idx.year_from[item] <= slots["year"] and (hi < 0 or slots["year"] <= hi)
                    ),
                }
            )
        return {
            "sku": str(idx.sku[item]),
            "name": str(idx.name[item]),
            "score": round(score, 1),
            "evidence": evidence,
        }

    @staticmethod
    def _result_from_slots(slots: dict[str, Any], *, status: str) -> DecodeResult:
        return DecodeResult(
            make=slots["make"],
            model=slots["model"],
            generation="|".join(slots["generations"]),
            part_type=slots["part_type"],
            side=slots["side"],
            axle=slots["axle"],
            year=str(slots["year"] or ""),
            engine=slots["engine"],
            status=status,
            score=0.0,
            candidates=[],
        )


_WORKER: Decoder | None = None


def _work(chunk: list[str]) -> list[dict[str, Any]]:
    assert _WORKER is not None
    return [_WORKER.decode(t).as_row() for t in chunk]


def _decode_parallel(decoder: Decoder, texts: list[str], workers: int) -> list[dict[str, Any]]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER
    _WORKER = decoder
    try:
        size = max(500, len(texts) // (workers * 8))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            parts = list(pool.map(_work, chunks))
    finally:
        _WORKER = None
    return [row for part in parts for row in part]


def decode_requests(
    texts: Iterable[object],
    catalog: pd.DataFrame | str | Path | Decoder | None = None,
    top_k: int = 5,
    *,
    workers: int | None = None,
    lexicon_files: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Decode free-text part requests against a catalog.

    Parameters
    ----------
    texts : iterable of str
        The requests; missing values are allowed (status ``empty``).
    catalog : DataFrame, path, Decoder or None
        The catalog (at least ``sku`` and ``name``) or a ready Decoder.  None
        uses the generated sample catalog (``data/sample/catalog.csv``),
        generating it when missing.
    top_k : int
        Candidates listed per request.
    workers : int, optional
        Processes; defaults to the number of CPUs for large inputs.

    Returns
    -------
    DataFrame
        One row per input, in order, with exactly ``schema.DECODED_COLUMNS``.
    """
    if isinstance(catalog, Decoder):
        decoder = catalog
    else:
        decoder = Decoder(
            default_catalog() if catalog is None else catalog,
            top_k=top_k,
            lexicon_files=lexicon_files,
        )
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    return decoder.decode_many(list(texts), workers=n_workers)


def default_catalog() -> pd.DataFrame:
    """The generated sample catalog, generated on demand if missing."""
    from triage.config import DEFAULT_SEED, SAMPLE_DIR

    path = SAMPLE_DIR / "catalog.csv"
    if not path.exists():
        from triage.synth import generate_world, write_world

        print(
            f"note: generating the sample world into {SAMPLE_DIR} (seed {DEFAULT_SEED})",
            file=sys.stderr,
        )
        write_world(generate_world(seed=DEFAULT_SEED), SAMPLE_DIR)
    return load_catalog(path)
