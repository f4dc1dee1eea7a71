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

Items of a plain price list may be listed for many cars (*fitments*); an
item fits a request when any of its fitments does, and an item that
contradicts something the request states on every fitment is never
``decoded``.  Price-list items of different brands that fit the same cars
among those the request allows are interchangeable for that request.

``decoded_score`` (0-100) is the decoder's estimate that the top candidate's
group is the wanted item: 100 x (share of the candidate groups' weight that
the top group holds) x (share of the item's defining slots the request
states).  Two equally fitting groups give at most 50.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from triage._parallel import run_chunks
from triage.decode._analyze import Analysis
from triage.decode._catalog import build_index, load_catalog
from triage.decode._lexicon import Lexicon, load_lexicon, read_lexicon_csv
from triage.decode._ranking import Scored, interchangeable, score_items
from triage.decode._text import normalize_code
from triage.errors import DataError, UsageError
from triage.schema import DECODED, DECODED_COLUMNS, coerce

__all__ = ["DecodeResult", "Decoder", "decode_requests"]

_TEXT_WEIGHT = 1.0  # token_set_ratio / 100, the tie-breaker
_CLEAR_MARGIN = 0.6  # top group must lead the next by this many points to be "decoded"
_MAX_AMBIGUOUS = 8  # more fitting groups than this is "partial"
_BLOCK_LIMIT = 4000  # largest block ranked item by item
_MAX_TEXT = 2000  # characters of a request that are read; the rest is ignored
_YEAR_OR_VOLUME = re.compile(r"^(?:(?:19[5-9]|20[0-4])\d(?:г|гв|года?)?|[0-6]\.\d)$")
_VOLUME = re.compile(r"^[0-6]\.\d$")
_TEXT_POOL = 30  # items plain text retrieval adds to a block on catalogs without structure
_COSINE_WEIGHT = 1.0  # TF-IDF cosine next to token_set_ratio, on catalogs without structure


class _Found(NamedTuple):
    """Candidate items of one request, how they were found, and text similarity."""

    items: np.ndarray
    conflicts: list[str]
    similarity: np.ndarray | None = None


class _Ranked(NamedTuple):
    """The items found, scored: points per item, slot agreement, and the best groups."""

    items: np.ndarray
    scores: np.ndarray
    scored: Scored
    groups: list[tuple[int, float, int]]


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
        self.index_, self.analyzer_ = build_index(frame, lex, morphology=self.morphology)
        self.catalog_makes_ = self.index_.makes
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
        if not slots["part_type"] and a.values("not_a_part") and self.index_.domain:
            # "продам пежо 308", "ищем партнеров": no part asked for, whatever the make.
            return self._result_from_slots(slots, status="not_a_part")
        if slots["make"] and self.catalog_makes_ and slots["make"] not in self.catalog_makes_:
            return self._result_from_slots(slots, status="other_make")
        if not slots["part_type"]:
            return self._without_part(a, slots)
        items, conflicts = self._block(slots)
        if not self.index_.structured:
            items = self._with_text_pool(a, items)
        if items is None:
            return self._result_from_slots(slots, status="partial")
        return self._finish(a, slots, _Found(items, conflicts), via="slots")

    def _without_part(self, a: Analysis, slots: dict[str, Any]) -> DecodeResult:
        """A request naming no part: plain text retrieval on catalogs without structure."""
        if a.values("not_a_part") and self.index_.domain:
            return self._result_from_slots(slots, status="not_a_part")
        if not self.index_.structured:
            found = self._text_candidates(a)
            if found is not None:
                return self._finish(a, slots, found, via="text")
        understood = (
            slots["make"] or slots["model"] or a.values("part_request") or self._quotes_number(a)
        )
        return self._result_from_slots(slots, status="partial" if understood else "not_a_part")

    @staticmethod
    def _quotes_number(a: Analysis) -> bool:
        """Whether the text quotes an article-like number (one this catalog does not have)."""
        for tok in a.tokens:
            code = normalize_code(tok)
            long_enough = len(code) >= 5 and sum(ch.isdigit() for ch in code) >= 3
            if long_enough and not _YEAR_OR_VOLUME.match(tok):
                return True
        digits = [t for t in a.tokens if t.isdigit()]
        return sum(len(t) for t in digits) >= 6 and len(digits) >= 2

    def _with_text_pool(self, a: Analysis, items: np.ndarray | None) -> np.ndarray | None:
        """The block plus the items whose names are closest to the text.

        A catalog's names may say what its words do not (a part the lexicon
        reads differently): the text's nearest names always compete.
        """
        found, sims = self.index_.text_search([a.text], limit=_TEXT_POOL)[0]
        found = found[sims >= 0.2]
        if items is None:
            return found if len(found) else None
        if len(items) > _BLOCK_LIMIT:
            return items
        return np.union1d(items, found)

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
                if engine and models:
                    make = make or _sole_make(vehicles, lex.home_make)
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
            "part_types": self._part_types(a),
            "side": a.first("side"),
            "axle": a.first("axle"),
            "engine": engine,
            "volumes": [] if engine else list(a.volumes),
            "year": year,
            "brand": a.first("brand"),
        }

    @staticmethod
    def _part_types(a: Analysis) -> list[str]:
        """The part the request names, then other parts named as firmly (several words,
        read as written): "омывателя форсунка лобового стекла" is a nozzle or a windshield."""
        values = a.values("part_type")
        firm = {
            m.value
            for m in a.matches
            if m.slot == "part_type" and m.end - m.start > 1 and m.how in ("exact", "morph", "bag")
        }
        return values[:1] + [v for v in values[1:3] if v in firm]

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
                if self._years_or_volumes(window):
                    continue  # "2006 1.7" is a year and a volume, not article "200617"
                code = normalize_code("".join(window))
                if len(code) < 5 or sum(ch.isdigit() for ch in code) < 3:
                    continue
                if n > 1 and len(code) < 7 and self._cut_from_longer(toks, i, i + n):
                    continue  # "98 275" of "71 98 275" is a guess, not the number typed
                hit = self.index_.codes.get(code)
                if hit is not None:
                    found.append(hit)
            if found:
                break
        if not found:
            return None
        return _Found(np.unique(np.concatenate(found)), [])

    @staticmethod
    def _years_or_volumes(window: list[str]) -> bool:
        """A volume, or digits only with a year among them ("2003 2006"); "gk 1950" is
        an article."""
        if any(_VOLUME.match(t) for t in window):
            return True
        return all(t.isdigit() for t in window) and any(_YEAR_OR_VOLUME.match(t) for t in window)

    @staticmethod
    def _cut_from_longer(toks: list[str], lo: int, hi: int) -> bool:
        """Whether tokens ``lo:hi`` are part of a longer run of tokens with digits."""
        return any(0 <= j < len(toks) and any(ch.isdigit() for ch in toks[j]) for j in (lo - 1, hi))

    def _block(self, slots: dict[str, Any]) -> tuple[np.ndarray | None, list[str]]:
        idx = self.index_
        pt, model = slots["part_type"], slots["model"]
        if not pt and not model:
            return None, []
        items = self._block_of(pt, model)
        for other in slots["part_types"][1:]:
            # "омывателя форсунка лобового стекла": the nozzle or the windshield
            more = self._block_of(other, model)
            if more is not None and len(more):
                items = more if items is None else np.union1d(items, more)
        if items is None or len(items) == 0:
            return None, []
        conflicts: list[str] = []
        fit = idx.fitments
        for slot, wanted, ok in (
            (
                "generation",
                slots["generations"],
                lambda rows: (
                    np.isin(fit.generation[rows], slots["generations"])
                    | (fit.generation[rows] == "")
                ),
            ),
            ("side", slots["side"], None),
            ("axle", slots["axle"], None),
            (
                "engine",
                slots["engine"],
                lambda rows: np.fromiter(
                    (not e or slots["engine"] in e for e in fit.engines[rows]),
                    dtype=bool,
                    count=len(rows),
                ),
            ),
        ):
            if not wanted or len(items) > _BLOCK_LIMIT * 4:
                continue
            if ok is None:
                values = getattr(idx, slot)[items]
                mask = (values == wanted) | (values == "")
            else:
                mask = self._any_fitment(items, ok)
            if mask.any():
                items = items[mask]
            else:
                conflicts.append(slot)
        return items, conflicts

    def _block_of(self, part_type: str, model: str) -> np.ndarray | None:
        """Items of a part type for a model (any model when the model has none of them)."""
        items = self.index_.blocks.get((part_type, model))
        if items is None and part_type and model:
            items = self.index_.blocks.get((part_type, ""))
        return items

    def _any_fitment(self, items: np.ndarray, ok: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Per item: does any of its fitment rows pass ``ok``?"""
        rows, owner = self.index_.fitments.rows_of(items)
        passed = ok(rows)
        if self.index_.fitments.single:
            return passed
        out = np.zeros(len(items), dtype=bool)
        np.logical_or.at(out, owner, passed)
        return out

    def _text_candidates(self, a: Analysis) -> _Found | None:
        """The names nearest to the text, when the nearest resembles it at all."""
        items, sims = self.index_.text_search([a.text], limit=50)[0]
        if len(items) == 0 or sims[0] < 0.35:
            return None
        keep = sims >= 0.15
        return _Found(items[keep], ["text_only"], sims[keep].astype(np.float64))

    def _text_scores(self, a: Analysis, items: np.ndarray) -> np.ndarray:
        """The tie-breaker: token_set_ratio to the names (plus TF-IDF cosine without structure)."""
        names = self.index_.name_norm[items].tolist()
        if not names:
            return np.zeros(0, dtype=np.float64)
        sims = process.cdist([a.text], names, scorer=fuzz.token_set_ratio, dtype=np.float32)[0]
        out = (_TEXT_WEIGHT * sims / 100.0).astype(np.float64)
        if not self.index_.structured:
            out = out + _COSINE_WEIGHT * self.index_.text_similarity(a.text, items)
        return out

    def _score(self, a: Analysis, slots: dict[str, Any], found: _Found, via: str) -> _Ranked:
        """Score the items found, best groups first."""
        scored = score_items(self.index_, slots, found.items, self.analyzer_.engines)
        if via == "text":
            ratio = process.cdist(
                [a.text],
                self.index_.name_norm[found.items].tolist(),
                scorer=fuzz.token_set_ratio,
                dtype=np.float32,
            )[0]
            cosine = found.similarity if found.similarity is not None else np.zeros(len(ratio))
            words = [t for t, h in zip(a.tokens, a.how, strict=True) if h != "stop"]
            coverage = self.index_.word_coverage(words, found.items)
            scores = 6.0 * cosine + 4.0 * ratio.astype(np.float64) / 100.0 + 3.0 * coverage
        else:
            scores = scored.points + self._text_scores(a, found.items)
            if via == "number":
                scores = scores + 10.0
        groups = self._ranked_groups(found.items, scores)
        return _Ranked(found.items, scores, scored, groups)

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
        ranked = self._score(a, slots, found, via)
        groups = [(item, score) for item, score, _ in ranked.groups]
        positions = [pos for _, _, pos in ranked.groups]
        reps = [item for item, _ in groups]
        rows = dict(zip(reps, ranked.scored.best_row[positions].tolist(), strict=True))
        ok = dict(zip(reps, ranked.scored.consistent[positions].tolist(), strict=True))
        top_item, top_score = groups[0]
        close = [g for g in groups if g[1] >= top_score - _CLEAR_MARGIN]
        weights = np.exp((np.array([g[1] for g in groups[:50]]) - top_score) / 0.5)
        completeness = self._completeness(slots, top_item, rows[top_item], via)
        rival = self._rival(slots, groups, ok, via)
        score = 100.0 * float(weights[0] / weights.sum()) * completeness
        pinned = ok[top_item] if via != "text" else self._pinned_by_words(a, top_item)
        status = self._status(groups, close, slots, via, completeness, rival, pinned)
        shares = weights / weights.sum()
        cands = [
            self._candidate(
                i,
                100.0 * float(shares[k]) * self._completeness(slots, i, rows[i], via),
                a,
                slots,
                rows[i],
            )
            for k, (i, _) in enumerate(groups[: self.top_k])
        ]
        if status == "decoded":
            res = self._decoded(top_item, rows[top_item], slots, score)
        else:
            res = self._undecoded(slots, status, score, [i for i, _ in close])
        res.candidates = cands
        if found.conflicts and res.candidates:
            res.candidates[0]["conflicts"] = found.conflicts
        return res

    def _rival(
        self,
        slots: dict[str, Any],
        groups: list[tuple[int, float]],
        ok: dict[int, bool],
        via: str,
    ) -> float:
        """Score of the best group that is not interchangeable with the top one.

        With one fitment per item the interchangeable groups are the catalog's
        own (same OEM number); a price list's items of other brands that fit
        the same cars, among those the request allows, are interchangeable for
        this request and do not compete with the top one.
        """
        if len(groups) < 2:
            return -math.inf
        if self.index_.structured or via != "slots" or not ok[groups[0][0]]:
            return groups[1][1]
        engines = self.analyzer_.engines
        top = interchangeable(self.index_, slots, groups[0][0], engines)
        for item, score in groups[1:]:
            if groups[0][1] - score >= _CLEAR_MARGIN:
                return score
            if not ok[item] or interchangeable(self.index_, slots, item, engines) != top:
                return score
        return -math.inf

    def _pinned_by_words(self, a: Analysis, item: int) -> bool:
        """Text retrieval pins an item down only through a word few other names share."""
        words = [t for t, h in zip(a.tokens, a.how, strict=True) if h != "stop"]
        return bool(self.index_.distinctive_words(words, item))

    def _too_broad(self, a: Analysis, slots: dict[str, Any], items: np.ndarray) -> DecodeResult:
        """Too many items to rank one by one ("brake pads for an Opel"): a few, "partial"."""
        sample = items[:: max(1, len(items) // self.top_k)][: self.top_k]
        res = self._result_from_slots(slots, status="partial")
        rows = self.index_.fitments.start
        res.candidates = [self._candidate(int(i), 0.0, a, slots, int(rows[i])) for i in sample]
        return res

    def _ranked_groups(self, items: np.ndarray, scores: np.ndarray) -> list[tuple[int, float, int]]:
        """The best item of each interchangeable group, best group first (in stock wins ties),
        as (item, score, position among ``items``)."""
        idx = self.index_
        order = np.lexsort((~idx.in_stock[items], -scores))
        groups = idx.group[items[order]].tolist()
        best: dict[str, tuple[int, float, int]] = {}
        for o, g in zip(order.tolist(), groups, strict=True):
            if g not in best:
                best[g] = (int(items[o]), float(scores[o]), o)
        return sorted(best.values(), key=lambda t: -t[1])

    def _status(
        self,
        groups: list[tuple[int, float]],
        close: list[tuple[int, float]],
        slots: dict[str, Any],
        via: str,
        completeness: float,
        rival: float,
        consistent: bool,
    ) -> str:
        """decoded / ambiguous / partial, from the lead of the top group and what was said.

        Never ``decoded`` when the top item contradicts a slot the request states
        (``consistent`` false), or, found by text alone, shares no distinctive word.
        """
        top_score = groups[0][1]
        if via == "number":
            return "decoded" if len(close) == 1 else "ambiguous"
        if (
            top_score - rival >= _CLEAR_MARGIN
            and (slots["part_type"] or via == "text")
            and (slots["model"] or via == "text" or not self.index_.structured)
            and consistent
        ):
            return "decoded" if completeness >= 0.5 else "ambiguous"
        if len(close) <= _MAX_AMBIGUOUS and (slots["part_type"] or via == "text"):
            return "ambiguous"
        return "partial"

    def _row_values(self, item: int, row: int) -> dict[str, str]:
        """The slots of an item on one of its fitments."""
        idx = self.index_
        fit = idx.fitments
        return {
            "part_type": idx.part_type[item],
            "model": fit.model[row],
            "make": fit.make[row],
            "generation": fit.generation[row],
            "side": idx.side[item],
            "axle": idx.axle[item],
            "brand": idx.brand[item],
        }

    def _decoded(self, item: int, row: int, slots: dict[str, Any], score: float) -> DecodeResult:
        """The result for a request pinned down to ``item``: the item's slots win."""
        idx = self.index_
        values = self._row_values(item, row)
        engines = idx.fitments.engines[row]
        return DecodeResult(
            make=values["make"] or slots["make"],
            model=values["model"] or slots["model"],
            generation=values["generation"] or "|".join(slots["generations"]),
            part_type=values["part_type"] or slots["part_type"],
            side=values["side"] or slots["side"],
            axle=values["axle"] or slots["axle"],
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

    def _completeness(self, slots: dict[str, Any], item: int, row: int, via: str) -> float:
        if via == "number":
            return 1.0
        if via == "text":
            return 0.8
        values = self._row_values(item, row)
        needed = [
            (slot, values[slot])
            for slot in ("part_type", "model", "generation", "side", "axle")
            if values[slot]
        ]
        if not needed:
            return 1.0
        have = 0.0
        for slot, value in needed:
            if slot == "generation":
                gens = slots["generations"]
                have += 1.0 if gens == [value] else (0.5 if value in gens else 0.0)
            elif slots.get(slot) == value or (
                slot == "part_type" and slots["part_type"] == self.index_.part_head[item]
            ):
                have += 1.0
            elif slot == "axle" and not slots.get("axle"):
                have += 0.5  # parts usually named without an axle are mostly front ones
        return have / len(needed)

    def _candidate(
        self, item: int, score: float, a: Analysis, slots: dict[str, Any], row: int
    ) -> dict[str, Any]:
        idx = self.index_
        values = self._row_values(item, row)
        engines = idx.fitments.engines[row]
        evidence = []
        for m in a.matches:
            item_value = values.get(m.slot)
            if m.slot == "engine":
                item_value = m.value if m.value in engines else ";".join(sorted(engines))
            if item_value is None:
                continue
            d = m.as_dict()
            d["item_value"] = item_value
            d["agrees"] = (item_value == m.value) if item_value else None
            if m.slot == "part_type" and idx.part_head[item] == m.value:
                d["agrees"] = True
            evidence.append(d)
        year_from = idx.fitments.year_from[row]
        if slots["year"] is not None and year_from >= 0:
            hi = idx.fitments.year_to[row]
            evidence.append(
                {
                    "slot": "year",
                    "value": slots["year"],
                    "words": str(slots["year"]),
                    "how": "exact",
                    "item_value": f"{year_from}-{hi if hi >= 0 else ''}",
                    "agrees": bool(year_from <= slots["year"] and (hi < 0 or slots["year"] <= hi)),
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


def _sole_make(vehicles: list[Any], home_make: str) -> str:
    """The make of some vehicles when they share one (the home make when it is among them)."""
    makes = sorted({v.make for v in vehicles})
    if home_make in makes:
        return home_make
    return makes[0] if len(makes) == 1 else ""


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
