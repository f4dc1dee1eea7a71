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
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from triage._parallel import run_chunks
from triage.decode._analyze import Analysis, TextAnalyzer
from triage.decode._catalog import CatalogIndex, load_catalog
from triage.decode._lexicon import Lexicon, load_lexicon, read_lexicon_csv
from triage.decode._text import normalize_code
from triage.errors import DataError, UsageError
from triage.schema import DECODED, DECODED_COLUMNS, coerce

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
    """One decoded request (a row of :meth:`Decoder.transform`)."""

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
        """The ``decoded_*`` columns of this result (candidates as JSON text)."""
        values = (
            self.make,
            self.model,
            self.generation,
            self.part_type,
            self.side,
            self.axle,
            self.year,
            self.engine,
            self.sku,
            self.name,
            round(float(self.score), 1),
            self.status,
            json.dumps(self.candidates or [], ensure_ascii=False),
        )
        return dict(zip(DECODED_COLUMNS, values, strict=True))


class Decoder(BaseEstimator):
    """Decode free-text part requests into catalog items.

    A scikit-learn style transformer: the parameters are stored as given,
    :meth:`fit` builds the catalog index (learned attributes end in ``_``),
    :meth:`transform` returns the ``decoded_*`` columns.  It can be cloned,
    pickled and placed in a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    catalog : DataFrame or path
        The shop's catalog: at least ``sku`` and ``name``; structured columns
        are used when present.  The catalog is the authority on what the shop
        sells; there is no default.
    top_k : int
        How many candidates to list.
    lexicon : Lexicon, optional
        Defaults to the lexicon of the settings' reference data.
    lexicon_files : sequence of paths
        Extra user lexicon CSVs (``slot,value,surface``).
    morphology : {"pymorphy3", "none"}
        Morphological analyser for inflected words.
    text_column : str
        The column of a frame passed to :meth:`transform` that holds the request.
    n_jobs : int
        Worker processes :meth:`transform` uses.

    Attributes
    ----------
    index_ : CatalogIndex
        Arrays and inverted indexes over the catalog.
    analyzer_ : TextAnalyzer
        Reads requests (and unstructured catalog names).
    catalog_makes_ : frozenset of str
        Makes the catalog sells; a request naming only another make is ``other_make``.
    build_seconds_ : float
        Time :meth:`fit` took.

    Examples
    --------
    >>> import pandas as pd
    >>> catalog = pd.DataFrame({"sku": ["A1", "B2"],
    ...                         "name": ["Smartphone Nokia 3310 blue", "USB-C cable 2 m"]})
    >>> dec = Decoder(catalog, morphology="none").fit()
    >>> dec.decode("nokia 3310").sku
    'A1'
    >>> dec.transform(["usb c cable"])["decoded_sku"].tolist()
    ['B2']
    """

    def __init__(
        self,
        catalog: pd.DataFrame | str | Path,
        *,
        top_k: int = 5,
        lexicon: Lexicon | None = None,
        lexicon_files: Sequence[str | Path] = (),
        morphology: str = "pymorphy3",
        text_column: str = "request_text",
        n_jobs: int = 1,
    ) -> None:
        self.catalog = catalog
        self.top_k = top_k
        self.lexicon = lexicon
        self.lexicon_files = lexicon_files
        self.morphology = morphology
        self.text_column = text_column
        self.n_jobs = n_jobs

    # -- the estimator contract -------------------------------------------
    def fit(self, X: object = None, y: object = None) -> Decoder:
        """Index the catalog.  ``X`` and ``y`` are ignored (the catalog is a parameter).

        Raises
        ------
        DataError
            The catalog or a lexicon file cannot be used; the message names it.
        """
        for name in ("top_k", "n_jobs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{name} must be a positive integer, got {value!r}")
        start = time.perf_counter()
        catalog = self.catalog
        frame = load_catalog(catalog) if isinstance(catalog, str | Path) else catalog
        files = [Path(p) for p in self.lexicon_files]
        if self.lexicon is None:
            lex = load_lexicon(extra=files)
        elif files:
            lex = self.lexicon.extend(pd.concat([read_lexicon_csv(p) for p in files]))
        else:
            lex = self.lexicon
        self.analyzer_ = TextAnalyzer(lex, morphology=self.morphology)
        self.index_ = CatalogIndex.build(frame, self.analyzer_)
        self.catalog_makes_ = frozenset(m for m in self.index_.make.tolist() if m)
        self.build_seconds_ = time.perf_counter() - start
        return self

    def transform(self, X: pd.DataFrame | pd.Series | Sequence[object]) -> pd.DataFrame:
        """The ``decoded_*`` columns, one row per request, on ``X``'s index.

        ``X`` is a frame (its ``text_column`` is read), a Series or a list of texts.
        """
        check_is_fitted(self, "index_")
        if isinstance(X, pd.DataFrame):
            if self.text_column not in X.columns:
                raise DataError(
                    f"{X.attrs.get('source', 'the leads')}: no column {self.text_column!r} "
                    "to decode; set text_column or map the request column"
                )
            texts, index = X[self.text_column].tolist(), X.index
        elif isinstance(X, pd.Series):
            texts, index = X.tolist(), X.index
        else:
            texts, index = list(X), None
        out = self.decode_many(texts, workers=self.n_jobs)
        if index is not None:
            out.index = index
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The names of the columns :meth:`transform` returns."""
        return np.asarray(DECODED_COLUMNS, dtype=object)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "index_")

    # -- decoding -----------------------------------------------------------
    def decode(self, text: object) -> DecodeResult:
        """Decode one request."""
        check_is_fitted(self, "index_")
        if text is None or (isinstance(text, float) and math.isnan(text)):
            return DecodeResult(status="empty", candidates=[])
        return self._decode(str(text)[:_MAX_TEXT])

    def decode_many(
        self, texts: Iterable[object], *, workers: int = 1, progress: bool = False
    ) -> pd.DataFrame:
        """Decode many requests; one output row per input, in order.

        Identical texts are decoded once.  ``workers > 1`` splits the distinct
        texts across worker processes that inherit this decoder
        (:func:`triage._parallel.run_chunks`); the output is the same.
        """
        check_is_fitted(self, "index_")
        values = [
            "" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts
        ]
        unique = list(dict.fromkeys(values))
        size = max(1, math.ceil(len(unique) / (workers * 8))) if workers > 1 else len(unique)
        chunks = [unique[i : i + size] for i in range(0, len(unique), max(size, 1))]
        bar = _progress_bar(len(unique), progress)
        try:
            parts = run_chunks(self, "_decode_rows", chunks, workers=workers, on_result=bar.update)
        finally:
            bar.close()
        by_text = dict(zip(unique, (row for part in parts for row in part), strict=True))
        frame = pd.DataFrame([by_text[t] for t in values], columns=DECODED_COLUMNS)
        return coerce(frame, DECODED)

    def _decode_rows(self, texts: list[str]) -> list[dict[str, Any]]:
        """Decoded rows of some distinct texts (the unit of work of a worker)."""
        return [self.decode(t).as_row() for t in texts]

    # -- internals --------------------------------------------------------
    def _decode(self, text: str) -> DecodeResult:
        a = self.analyzer_.analyze(text)
        if a.content_tokens == 0:
            return DecodeResult(status="empty", candidates=[])
        slots = self._request_slots(a)
        number_hits = self._number_hits(a)
        if number_hits is not None:
            return self._finish(a, slots, number_hits, via="number")
        if not slots["part_type"] and a.values("not_a_part"):
            # "продам пежо 308", "ищем партнеров": no part asked for, whatever the make.
            return self._result_from_slots(slots, status="not_a_part")
        if slots["make"] and self.catalog_makes_ and slots["make"] not in self.catalog_makes_:
            return self._result_from_slots(slots, status="other_make")
        if not slots["part_type"]:
            if a.values("not_a_part"):
                return self._result_from_slots(slots, status="not_a_part")
            if not self.index_.structured:
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
        lex = self.analyzer_.lexicon
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
            vehicles = self.analyzer_.vehicles_for(model, year=year, engine=engine)
            inferred = sorted({v.generation for v in vehicles})
        if generations and inferred:
            # "астра джи 2012": the sound is G or J, the year says J.  A letter
            # that contradicts the year keeps both readings (honest ambiguity).
            consistent = [g for g in generations if g in inferred]
            generations = consistent or sorted(set(generations) | set(inferred))
        if not generations and inferred:
            vehicles = self.analyzer_.vehicles_for(model, year=year, engine=engine)
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
                hit = self.index_.codes.get(code)
                if hit is not None:
                    found.append(hit)
            if found:
                break
        if not found:
            return None
        return _Found(np.unique(np.concatenate(found)), [])

    def _block(self, slots: dict[str, Any]) -> tuple[np.ndarray | None, list[str]]:
        idx = self.index_
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
        items, sims = self.index_.text_search([a.text], limit=50)[0]
        if len(items) == 0 or sims[0] < 0.35:
            return None
        keep = sims >= max(0.35, sims[0] - 0.25)
        return _Found(items[keep], ["text_only"], sims[keep].astype(np.float64))

    def _item_scores(self, a: Analysis, slots: dict[str, Any], items: np.ndarray) -> np.ndarray:
        idx = self.index_
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
        """Rank the items found, group them, decide the status and build the result."""
        if len(found.items) > _BLOCK_LIMIT:
            return self._too_broad(a, slots, found.items)
        groups = self._ranked_groups(found.items, self._scores(a, slots, found, via))
        top_item, top_score = groups[0]
        close = [g for g in groups if g[1] >= top_score - _CLEAR_MARGIN]
        weights = np.exp((np.array([g[1] for g in groups[:50]]) - top_score) / 0.5)
        completeness = self._completeness(slots, top_item, via)
        score = 100.0 * float(weights[0] / weights.sum()) * completeness
        status = self._status(groups, close, slots, via, completeness)
        shares = weights / weights.sum()
        cands = [
            self._candidate(
                i, 100.0 * float(shares[k]) * self._completeness(slots, i, via), a, slots
            )
            for k, (i, _) in enumerate(groups[: self.top_k])
        ]
        if status == "decoded":
            res = self._decoded(top_item, slots, score)
        else:
            res = self._undecoded(slots, status, score, [i for i, _ in close])
        res.candidates = cands
        if found.conflicts and res.candidates:
            res.candidates[0]["conflicts"] = found.conflicts
        return res

    def _too_broad(self, a: Analysis, slots: dict[str, Any], items: np.ndarray) -> DecodeResult:
        """Too many items to rank one by one ("brake pads for an Opel"): a few, "partial"."""
        sample = items[:: max(1, len(items) // self.top_k)][: self.top_k]
        res = self._result_from_slots(slots, status="partial")
        res.candidates = [self._candidate(int(i), 0.0, a, slots) for i in sample]
        return res

    def _scores(self, a: Analysis, slots: dict[str, Any], found: _Found, via: str) -> np.ndarray:
        """Score of every item found: slot agreement, or text similarity without slots."""
        if via == "number":
            return self._item_scores(a, slots, found.items) + 10.0
        if via == "text":
            ratio = process.cdist(
                [a.text],
                self.index_.name_norm[found.items].tolist(),
                scorer=fuzz.token_set_ratio,
                dtype=np.float32,
            )[0]
            cosine = found.similarity if found.similarity is not None else np.zeros(len(ratio))
            return 6.0 * cosine + 4.0 * ratio.astype(np.float64) / 100.0
        return self._item_scores(a, slots, found.items)

    def _ranked_groups(self, items: np.ndarray, scores: np.ndarray) -> list[tuple[int, float]]:
        """The best item of each interchangeable group, best group first (in stock wins ties)."""
        idx = self.index_
        order = np.lexsort((~idx.in_stock[items], -scores))
        best: dict[str, tuple[int, float]] = {}
        for o in order:
            g = idx.group[items[o]]
            if g not in best:
                best[g] = (int(items[o]), float(scores[o]))
        return sorted(best.values(), key=lambda t: -t[1])

    def _status(
        self,
        groups: list[tuple[int, float]],
        close: list[tuple[int, float]],
        slots: dict[str, Any],
        via: str,
        completeness: float,
    ) -> str:
        """decoded / ambiguous / partial, from the lead of the top group and what was said."""
        top_score = groups[0][1]
        second = groups[1][1] if len(groups) > 1 else -math.inf
        if via == "number":
            return "decoded" if len(close) == 1 else "ambiguous"
        if (
            top_score - second >= _CLEAR_MARGIN
            and (slots["part_type"] or via == "text")
            and (slots["model"] or via == "text" or not self.index_.structured)
        ):
            return "decoded" if completeness >= 0.5 else "ambiguous"
        if len(close) <= _MAX_AMBIGUOUS and (slots["part_type"] or via == "text"):
            return "ambiguous"
        return "partial"

    def _decoded(self, item: int, slots: dict[str, Any], score: float) -> DecodeResult:
        """The result for a request pinned down to ``item``: the item's slots win."""
        idx = self.index_
        engines = idx.engines[item]
        return DecodeResult(
            make=idx.make[item] or slots["make"],
            model=idx.model[item] or slots["model"],
            generation=idx.generation[item] or "|".join(slots["generations"]),
            part_type=idx.part_type[item] or slots["part_type"],
            side=idx.side[item] or slots["side"],
            axle=idx.axle[item] or slots["axle"],
            year=str(slots["year"] or ""),
            engine=slots["engine"] or (next(iter(engines)) if len(engines) == 1 else ""),
            sku=str(idx.sku[item]),
            name=str(idx.name[item]),
            score=score,
            status="decoded",
        )

    def _undecoded(
        self, slots: dict[str, Any], status: str, score: float, close_items: list[int]
    ) -> DecodeResult:
        """The result when the item is not pinned down: the request's slots, plus what
        every closely fitting candidate shares when the status is ambiguous."""
        res = self._result_from_slots(slots, status=status)
        res.score = score if status == "ambiguous" else min(score, 30.0)
        if status != "ambiguous":
            return res
        idx = self.index_
        for attr in ("part_type", "model", "side", "axle"):
            vals = {getattr(idx, attr)[i] for i in close_items}
            if len(vals) == 1 and not getattr(res, attr):
                setattr(res, attr, vals.pop())
        if not res.make:
            makes = {idx.make[i] for i in close_items}
            res.make = makes.pop() if len(makes) == 1 else ""
        return res

    def _completeness(self, slots: dict[str, Any], item: int, via: str) -> float:
        if via == "number":
            return 1.0
        idx = self.index_
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
        idx = self.index_
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


def _progress_bar(total: int, enabled: bool) -> Any:
    """A tqdm bar on stderr, or a stand-in with the same two methods when disabled."""
    from tqdm import tqdm

    return tqdm(total=total, desc="decoding", unit="req", file=sys.stderr, disable=not enabled)


def decode_requests(
    texts: Iterable[object],
    catalog: pd.DataFrame | str | Path | Decoder,
    top_k: int = 5,
    *,
    workers: int = 1,
    lexicon_files: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Decode free-text part requests against a catalog (a thin function over :class:`Decoder`).

    Parameters
    ----------
    texts : iterable of str
        The requests; missing values are allowed (status ``empty``).
    catalog : DataFrame, path or Decoder
        The catalog (at least ``sku`` and ``name``), or a Decoder (fitted or not).
    top_k : int
        Candidates listed per request (ignored when a Decoder is given).
    workers : int
        Worker processes.

    Returns
    -------
    DataFrame
        One row per input, in order, with exactly ``schema.DECODED_COLUMNS``.
    """
    if isinstance(catalog, Decoder):
        decoder = catalog if hasattr(catalog, "index_") else catalog.fit()
    else:
        decoder = Decoder(catalog, top_k=top_k, lexicon_files=lexicon_files).fit()
    return decoder.decode_many(list(texts), workers=workers)
