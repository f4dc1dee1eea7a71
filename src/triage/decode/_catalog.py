"""The catalog side of decoding: loading a price list and indexing it.

A catalog needs only ``sku`` and ``name``.  Structured columns written by
``triage synth`` (part_type, make, model, generation, side, axle, years,
engine codes, OEM and cross numbers) are used when present; otherwise the
structure is parsed from the names with the same analyser that reads
requests, and plain character n-gram retrieval serves what cannot be parsed.
"""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from triage.decode._text import normalize_code, normalize_text
from triage.errors import DataError, TriageWarning
from triage.io import read_table, require_columns

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    from triage.decode._analyze import TextAnalyzer

__all__ = ["CatalogIndex", "load_catalog"]

_SLOT_COLUMNS = ("make", "model", "generation", "part_type", "side", "axle")


def load_catalog(path: str | Path) -> pd.DataFrame:
    """Read a catalog (CSV in any encoding, XLSX or Parquet) with sku and name columns.

    Rows without a name are kept (they can still be found by number) and
    reported on stderr; duplicate SKUs are reported too.
    """
    frame = read_table(path, what="catalog")
    require_columns(frame, ["sku", "name"], source=path, what="catalog")
    if frame.empty:
        raise DataError(f"{path}: the catalog has a header but no rows")
    no_name = int(frame["name"].isna().sum())
    if no_name:
        warnings.warn(f"{path}: {no_name} catalog row(s) have no name", TriageWarning, stacklevel=2)
    dup = int(frame["sku"].duplicated().sum())
    if dup:
        warnings.warn(
            f"{path}: {dup} duplicate sku value(s); all rows kept", TriageWarning, stacklevel=2
        )
    return frame


def _str_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[name].astype("string").fillna("").str.strip().to_numpy(dtype=object)


def _int_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64)
    return pd.to_numeric(frame[name], errors="coerce").fillna(-1).astype(np.int64).to_numpy()


@dataclass
class CatalogIndex:
    """Arrays and inverted indexes over a catalog, built once.

    Attributes end in nothing fancy: ``sku``, ``name`` and the slot arrays are
    aligned numpy arrays; ``blocks`` maps ``(part_type, model)`` (either may be
    empty) to item positions; ``codes`` maps a normalised OEM/cross/SKU number
    to item positions; ``group`` is the interchangeable-group key (the OEM
    number when there is one, else the SKU).
    """

    sku: np.ndarray
    name: np.ndarray
    name_norm: np.ndarray
    make: np.ndarray
    model: np.ndarray
    generation: np.ndarray
    part_type: np.ndarray
    side: np.ndarray
    axle: np.ndarray
    engines: np.ndarray
    year_from: np.ndarray
    year_to: np.ndarray
    group: np.ndarray
    in_stock: np.ndarray
    structured: bool
    blocks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    build_seconds: float = 0.0
    _tfidf: tuple[TfidfVectorizer, csr_matrix] | None = None

    def __len__(self) -> int:
        return len(self.sku)

    @classmethod
    def build(cls, catalog: pd.DataFrame, analyzer: TextAnalyzer) -> CatalogIndex:
        """Index a catalog DataFrame (needs ``sku`` and ``name``)."""
        start = time.perf_counter()
        require_columns(catalog, ["sku", "name"], source="catalog", what="catalog")
        frame = catalog.reset_index(drop=True)
        names = _str_column(frame, "name")
        name_norm = np.array([normalize_text(n) for n in names], dtype=object)
        slots, engines, structured = _slots(frame, name_norm, analyzer)
        skus = _str_column(frame, "sku")
        oem = _str_column(frame, "oem_number")
        codes = _number_index(frame, skus, oem)
        if not structured and "oem_number" not in frame.columns:
            for code, positions in _name_codes(names).items():
                codes.setdefault(code, []).extend(positions)
        index = cls(
            sku=skus,
            name=names,
            name_norm=name_norm,
            make=slots["make"],
            model=slots["model"],
            generation=slots["generation"],
            part_type=slots["part_type"],
            side=slots["side"],
            axle=slots["axle"],
            engines=engines,
            year_from=_int_column(frame, "year_from"),
            year_to=_int_column(frame, "year_to"),
            group=np.where(
                oem != "",
                np.char.add("oem:", oem.astype(str)),
                np.char.add("sku:", skus.astype(str)),
            ),
            in_stock=_in_stock(frame),
            structured=structured,
            blocks=_blocks(slots),
            codes={k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in codes.items()},
        )
        index.build_seconds = time.perf_counter() - start
        return index

    # -- plain text retrieval -------------------------------------------
    def _vectorizer(self) -> tuple[TfidfVectorizer, csr_matrix]:
        if self._tfidf is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 4),
                sublinear_tf=True,
                min_df=1,
                dtype=np.float32,
            )
            matrix = vec.fit_transform(self.name_norm.tolist())
            self._tfidf = (vec, matrix.tocsr())
        return self._tfidf

    def text_search(
        self, queries: list[str], *, limit: int = 20
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top ``limit`` items by character n-gram TF-IDF cosine, per query.

        Sparse matrix products in chunks: no query is compared with every item
        in Python.
        """
        if not queries:
            return []
        vec, matrix = self._vectorizer()
        out: list[tuple[np.ndarray, np.ndarray]] = []
        for lo in range(0, len(queries), 256):
            q = vec.transform(queries[lo : lo + 256])
            sims = (q @ matrix.T).tocsr()
            for r in range(sims.shape[0]):
                row = sims.getrow(r)
                if row.nnz == 0:
                    out.append((np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)))
                    continue
                k = min(limit, row.nnz)
                top = np.argpartition(-row.data, k - 1)[:k]
                order = top[np.argsort(-row.data[top], kind="stable")]
                out.append((row.indices[order].astype(np.int64), row.data[order]))
        return out


def _slots(
    frame: pd.DataFrame, name_norm: np.ndarray, analyzer: TextAnalyzer
) -> tuple[dict[str, np.ndarray], np.ndarray, bool]:
    """Slot arrays and engine sets per item: from the columns, else parsed from the names."""
    slots = {c: _str_column(frame, c) for c in _SLOT_COLUMNS}
    structured = "part_type" in frame.columns and bool((slots["part_type"] != "").mean() > 0.5)
    engines_raw = _str_column(frame, "engine_codes")
    if not structured:
        parsed = _parse_names(name_norm, analyzer)
        for column in _SLOT_COLUMNS:
            fill = slots[column] == ""
            slots[column] = np.where(fill, parsed[column], slots[column])
        engines_raw = np.where(engines_raw == "", parsed["engines"], engines_raw)
    slots["model"] = np.array([m.lower() for m in slots["model"]], dtype=object)
    slots["generation"] = np.array([g.upper() for g in slots["generation"]], dtype=object)
    engines = np.array(
        [frozenset(normalize_code(e) for e in s.split(";") if e.strip()) for s in engines_raw],
        dtype=object,
    )
    return slots, engines, structured


def _in_stock(frame: pd.DataFrame) -> np.ndarray:
    """True per item in stock (every item when the catalog does not say)."""
    if "in_stock" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    text = frame["in_stock"].astype("string").str.lower()
    return text.isin(["true", "1", "yes", "да"]).to_numpy(dtype=bool, na_value=False)


def _blocks(slots: dict[str, np.ndarray]) -> dict[tuple[str, str], np.ndarray]:
    """Item positions by (part_type, model), (part_type, ""), ("", model)."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (pt, model) in enumerate(zip(slots["part_type"], slots["model"], strict=True)):
        blocks[(pt, model)].append(i)
        blocks[(pt, "")].append(i)
        blocks[("", model)].append(i)
    return {k: np.asarray(v, dtype=np.int64) for k, v in blocks.items()}


def _number_index(frame: pd.DataFrame, skus: np.ndarray, oem: np.ndarray) -> dict[str, list[int]]:
    """Normalised SKU, OEM and cross numbers (4+ characters) -> item positions."""
    codes: dict[str, list[int]] = defaultdict(list)
    crosses = _str_column(frame, "cross_numbers")
    for i, (s, o, cross) in enumerate(zip(skus, oem, crosses, strict=True)):
        for raw in [s, o, *cross.split(";")]:
            code = normalize_code(raw)
            if len(code) >= 4:
                codes[code].append(i)
    return codes


def _name_codes(names: np.ndarray) -> dict[str, list[int]]:
    """Article numbers inside the names of a plain price list.

    Only codes that identify (at most two items): "128GB" is not an article.
    """
    found: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        for chunk in str(name).split():
            code = normalize_code(chunk)
            if len(code) >= 5 and any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
                found[code].append(i)
    return {code: pos for code, pos in found.items() if len(set(pos)) <= 2}


def _parse_names(names: np.ndarray, analyzer: TextAnalyzer) -> dict[str, np.ndarray]:
    """Slots read from catalog names with the request analyser (unstructured catalogs)."""
    n = len(names)
    out = {c: np.full(n, "", dtype=object) for c in (*_SLOT_COLUMNS, "engines")}
    home = analyzer.lexicon.home_make
    cache: dict[str, dict[str, str]] = {}
    for i, name in enumerate(names):
        parsed = cache.get(name)
        if parsed is None:
            a = analyzer.analyze(name)
            model = a.first("model")
            make = a.first("make") or (analyzer.lexicon.model_make.get(model, "") if model else "")
            parsed = {
                "make": make,
                "model": model,
                "generation": a.first("generation"),
                "part_type": a.first("part_type"),
                "side": a.first("side"),
                "axle": a.first("axle"),
                "engines": ";".join(a.engines),
            }
            if not make and model and home:
                parsed["make"] = home
            cache[name] = parsed
        for key, value in parsed.items():
            out[key][i] = value
    return out
