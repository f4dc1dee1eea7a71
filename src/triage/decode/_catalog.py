"""The catalog side of decoding: loading a price list and indexing it.

A catalog needs only ``sku`` and ``name`` (a 1C export's "Артикул" and
"Наименование" are recognised too).  Structured columns written by
``triage synth`` (part_type, make, model, generation, side, axle, years,
engine codes, OEM and cross numbers) are used when present; otherwise every
name is read by :class:`~triage.decode._names.NameReader`: its part (a
lexicon part type or the catalog's own head phrase, a *kind*), side, axle,
brand and the *fitments* -- every car it is listed for.  Items keep a set of
fitments in an exploded table (one row per item and car, with the item's
position), so that "any fitment fits" is a vectorised max over rows, and a
catalog with one fitment per item pays nothing for it.

The catalog also decides which words of the shipped lexicon apply: when its
names do not speak the lexicon's domain (an electronics catalog), the
lexicon's make, model and part words are kept only where the names use them
("flat" is not read as Fiat), and retrieval rests on the names themselves.
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

from triage.decode._lexicon import Lexicon
from triage.decode._names import KIND_PREFIX, Fitment, NameReader, ParsedName
from triage.decode._text import normalize_code, normalize_text, tokenize
from triage.errors import DataError, TriageWarning
from triage.io import read_table, require_columns

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    from triage.decode._analyze import TextAnalyzer

__all__ = ["CatalogIndex", "FitmentTable", "build_index", "load_catalog"]

_SLOT_COLUMNS = ("make", "model", "generation", "part_type", "side", "axle")
# Column names of price-list exports that mean sku / name (compared lower case).
_SKU_ALIASES = ("sku", "article", "артикул", "код", "код товара", "номер")
_NAME_ALIASES = ("name", "наименование", "название", "номенклатура", "товар", "description")
# Lexicon slots whose words belong to the auto domain: on a catalog of other
# goods they apply only where the catalog's own names use them.
_DOMAIN_SLOTS = ("make", "model", "generation", "part_type", "side", "axle", "brand")
#: Share of names that must speak the lexicon's domain for all of it to apply.
DOMAIN_SHARE = 0.2


def _rename_price_list_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``Артикул`` -> sku, ``Наименование`` -> name when sku/name are missing."""
    lower = {str(c).strip().lower(): c for c in frame.columns}
    renames: dict[object, str] = {}
    for target, aliases in (("sku", _SKU_ALIASES), ("name", _NAME_ALIASES)):
        if target in frame.columns:
            continue
        hit = next((lower[a] for a in aliases if a in lower), None)
        if hit is not None:
            renames[hit] = target
    return frame.rename(columns=renames) if renames else frame


def load_catalog(path: str | Path) -> pd.DataFrame:
    """Read a catalog (CSV in any encoding, XLSX or Parquet) with sku and name columns.

    Price-list exports that call them "Артикул"/"article" and
    "Наименование"/"Название" work as they are.  Rows without a name are kept
    (they can still be found by number) and reported on stderr; duplicate
    SKUs are reported too.
    """
    frame = _rename_price_list_columns(read_table(path, what="catalog"))
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
class FitmentTable:
    """Every (item, car) pair of a catalog: one row per fitment, rows of an item adjacent.

    ``start[i]`` and ``count[i]`` locate item ``i``'s rows (every item has at
    least one, possibly empty: fits anything).  ``single`` is true when every
    item has exactly one row (then row ``i`` is item ``i``).
    """

    item: np.ndarray
    make: np.ndarray
    model: np.ndarray
    generation: np.ndarray
    engines: np.ndarray
    year_from: np.ndarray
    year_to: np.ndarray
    start: np.ndarray
    count: np.ndarray
    single: bool

    def __len__(self) -> int:
        return len(self.item)

    @classmethod
    def one_per_item(
        cls,
        make: np.ndarray,
        model: np.ndarray,
        generation: np.ndarray,
        engines: np.ndarray,
        year_from: np.ndarray,
        year_to: np.ndarray,
    ) -> FitmentTable:
        """The table of a catalog with one fitment per item (the arrays are shared)."""
        n = len(make)
        return cls(
            item=np.arange(n, dtype=np.int64),
            make=make,
            model=model,
            generation=generation,
            engines=engines,
            year_from=year_from,
            year_to=year_to,
            start=np.arange(n, dtype=np.int64),
            count=np.ones(n, dtype=np.int64),
            single=True,
        )

    @classmethod
    def from_lists(cls, fitments: list[list[Fitment]]) -> FitmentTable:
        """The table of items with a list of fitments each (an empty list: one empty row)."""
        rows = [f for fits in fitments for f in (fits or [Fitment()])]
        count = np.array([max(1, len(f)) for f in fitments], dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        return cls(
            item=np.repeat(np.arange(len(fitments), dtype=np.int64), count),
            make=np.array([f.make for f in rows], dtype=object),
            model=np.array([f.model for f in rows], dtype=object),
            generation=np.array([f.generation for f in rows], dtype=object),
            engines=np.array([f.engines for f in rows] + [None], dtype=object)[:-1],
            year_from=np.array([f.year_from for f in rows], dtype=np.int64),
            year_to=np.array([f.year_to for f in rows], dtype=np.int64),
            start=start,
            count=count,
            single=bool((count == 1).all()),
        )

    def rows_of(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of ``items`` and, per row, the index into ``items`` it belongs to."""
        if self.single:
            return items, np.arange(len(items), dtype=np.int64)
        counts = self.count[items]
        owner = np.repeat(np.arange(len(items), dtype=np.int64), counts)
        offsets = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        return self.start[items][owner] + offsets, owner


@dataclass
class CatalogIndex:
    """Arrays and inverted indexes over a catalog, built once.

    ``sku``, ``name`` and the item arrays (part type, the part's head word
    ``part_head``, side, axle, brand) are aligned numpy arrays; ``fitments``
    holds the cars; ``make``, ``model``, ``generation``, ``engines``,
    ``year_from``, ``year_to`` are each item's first fitment.  ``blocks``
    maps ``(part_type, model)`` (either may be empty) to item positions;
    ``codes`` maps a normalised OEM/cross/SKU number to item positions;
    ``group`` is the interchangeable-group key (the OEM number when there
    is one, else the SKU).  ``domain`` says whether the lexicon's domain
    words apply to this catalog; ``kinds`` are the lexicon rows its own
    part names added.
    """

    sku: np.ndarray
    name: np.ndarray
    name_norm: np.ndarray
    part_type: np.ndarray
    part_head: np.ndarray
    side: np.ndarray
    axle: np.ndarray
    brand: np.ndarray
    group: np.ndarray
    in_stock: np.ndarray
    fitments: FitmentTable
    structured: bool
    domain: bool = True
    kinds: pd.DataFrame = field(default_factory=pd.DataFrame)
    blocks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    token_df: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    _tfidf: tuple[TfidfVectorizer, csr_matrix, csr_matrix] | None = None
    _last_query: tuple[str, csr_matrix] | None = None

    def __len__(self) -> int:
        return len(self.sku)

    # the first fitment of each item, for callers that read one car per item
    # (computed once; with one fitment per item they are the fitment arrays themselves)
    def _first(self, name: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_first_fitment", {})
        if name not in cache:
            values = getattr(self.fitments, name)
            cache[name] = values if self.fitments.single else values[self.fitments.start]
        return cache[name]

    @property
    def make(self) -> np.ndarray:
        return self._first("make")

    @property
    def model(self) -> np.ndarray:
        return self._first("model")

    @property
    def generation(self) -> np.ndarray:
        return self._first("generation")

    @property
    def engines(self) -> np.ndarray:
        return self._first("engines")

    @property
    def year_from(self) -> np.ndarray:
        return self._first("year_from")

    @property
    def year_to(self) -> np.ndarray:
        return self._first("year_to")

    @property
    def makes(self) -> frozenset[str]:
        """Every make the catalog lists (any fitment)."""
        return frozenset(m for m in self.fitments.make.tolist() if m)

    @classmethod
    def build(cls, catalog: pd.DataFrame, analyzer: TextAnalyzer) -> CatalogIndex:
        """Index a catalog DataFrame (needs ``sku`` and ``name``) with a given analyser.

        Unstructured catalogs are read with ``analyzer`` as it is; use
        :func:`build_index` to let the catalog extend and restrict the lexicon.
        """
        index, _ = _build(catalog, analyzer, adapt=False)
        return index

    # -- plain text retrieval -------------------------------------------
    def _vectorizer(self) -> tuple[TfidfVectorizer, csr_matrix, csr_matrix]:
        """The fitted vectoriser, the name matrix and its transpose (both CSR, built once)."""
        if self._tfidf is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 4),
                sublinear_tf=True,
                min_df=1,
                dtype=np.float32,
            )
            matrix = vec.fit_transform(self.name_norm.tolist()).tocsr()
            self._tfidf = (vec, matrix, matrix.T.tocsr())
        return self._tfidf

    def _query_vectors(self, queries: list[str]) -> csr_matrix:
        """TF-IDF rows of some queries (the last single query is remembered)."""
        if len(queries) == 1 and self._last_query is not None and self._last_query[0] == queries[0]:
            return self._last_query[1]
        vec, _, _ = self._vectorizer()
        q = vec.transform(queries)
        if len(queries) == 1:
            self._last_query = (queries[0], q)
        return q

    def text_search(
        self, queries: list[str], *, limit: int = 20
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top ``limit`` items by character n-gram TF-IDF cosine, per query.

        Sparse matrix products in chunks: no query is compared with every item
        in Python.
        """
        if not queries:
            return []
        _, _, transposed = self._vectorizer()
        out: list[tuple[np.ndarray, np.ndarray]] = []
        for lo in range(0, len(queries), 256):
            q = self._query_vectors(queries[lo : lo + 256])
            sims = (q @ transposed).tocsr()
            for r in range(sims.shape[0]):
                row = sims.getrow(r)
                if row.nnz == 0:
                    out.append((np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)))
                    continue
                k = min(limit, row.nnz)
                top = np.argpartition(-row.data, k - 1)[:k]
                order = top[np.lexsort((row.indices[top], -row.data[top]))]
                out.append((row.indices[order].astype(np.int64), row.data[order]))
        return out

    def distinctive_words(self, tokens: list[str], item: int) -> list[str]:
        """Words of a request that the item's name shares and few other names have.

        "Few" is at most 2 % of the names (and no fewer than 3): a model code or
        an article-like word ("wh1000xm5", "mx") identifies; "оригинал" does not.
        """
        limit = max(3, int(0.02 * len(self)))
        own = set(tokenize(str(self.name_norm[item])))
        return [t for t in dict.fromkeys(tokens) if t in own and self.token_df.get(t, 0) <= limit]

    def word_coverage(self, tokens: list[str], items: np.ndarray) -> np.ndarray:
        """Share of the request's words (weighted by rarity, idf) that each item's name has."""
        words = list(dict.fromkeys(tokens))
        if not words or len(items) == 0:
            return np.zeros(len(items), dtype=np.float64)
        n = len(self)
        idf = np.array([np.log((n + 1) / (self.token_df.get(w, 0) + 1)) + 1.0 for w in words])
        out = np.empty(len(items), dtype=np.float64)
        for k, i in enumerate(items.tolist()):
            own = set(tokenize(str(self.name_norm[i])))
            out[k] = float(sum(w for t, w in zip(words, idf, strict=True) if t in own))
        return out / float(idf.sum())

    def text_similarity(self, query: str, items: np.ndarray) -> np.ndarray:
        """TF-IDF cosine between one query and the names of ``items``."""
        if len(items) == 0:
            return np.zeros(0, dtype=np.float64)
        _, matrix, _ = self._vectorizer()
        q = self._query_vectors([query])
        return np.asarray((matrix[items] @ q.T).toarray()).ravel().astype(np.float64)


def build_index(
    catalog: pd.DataFrame, lexicon: Lexicon, *, morphology: str = "pymorphy3"
) -> tuple[CatalogIndex, TextAnalyzer]:
    """Index a catalog and build the analyser that reads requests against it.

    A structured catalog is indexed with the shipped lexicon as it is.  The
    names of a plain price list are parsed; its own part names become part
    kinds of the lexicon, and when its names do not speak the lexicon's
    domain, the lexicon's domain words are restricted to those the names use.
    """
    from triage.decode._analyze import TextAnalyzer

    analyzer = TextAnalyzer(lexicon, morphology=morphology)
    return _build(catalog, analyzer, adapt=True)


def _build(
    catalog: pd.DataFrame, analyzer: TextAnalyzer, *, adapt: bool
) -> tuple[CatalogIndex, TextAnalyzer]:
    start = time.perf_counter()
    require_columns(catalog, ["sku", "name"], source="catalog", what="catalog")
    frame = catalog.reset_index(drop=True)
    names = _str_column(frame, "name")
    name_norm = np.array([normalize_text(n) for n in names], dtype=object)
    structured = _is_structured(frame)
    kinds = pd.DataFrame(columns=["slot", "value", "surface", "source"])
    domain = True
    if structured:
        item, fitments = _structured_slots(frame)
    else:
        parsed = _parse_names(names, analyzer)
        domain = _speaks_domain(parsed)
        if adapt:
            analyzer, parsed, kinds = _adapt(analyzer, names, name_norm, parsed, domain)
        item, fitments = _parsed_slots(frame, parsed)
    skus = _str_column(frame, "sku")
    oem = _str_column(frame, "oem_number")
    codes = _number_index(frame, skus, oem)
    if not structured and "oem_number" not in frame.columns:
        for code, positions in _name_codes(names).items():
            codes.setdefault(code, []).extend(positions)
    index = CatalogIndex(
        sku=skus,
        name=names,
        name_norm=name_norm,
        part_type=item["part_type"],
        part_head=item["part_head"],
        side=item["side"],
        axle=item["axle"],
        brand=item["brand"],
        group=np.where(
            oem != "",
            np.char.add("oem:", oem.astype(str)),
            np.char.add("sku:", skus.astype(str)),
        ),
        in_stock=_in_stock(frame),
        fitments=fitments,
        structured=structured,
        domain=domain,
        kinds=kinds,
        blocks=_blocks(item["part_type"], item["part_head"], fitments),
        codes={k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in codes.items()},
    )
    if not structured:
        index._vectorizer()  # built once here, so that worker processes inherit it
        index.token_df = _token_df(name_norm)
    index.build_seconds = time.perf_counter() - start
    return index, analyzer


def _token_df(name_norm: np.ndarray) -> dict[str, int]:
    """In how many names each word occurs (how distinctive a word of a request is)."""
    df: dict[str, int] = defaultdict(int)
    for name in name_norm:
        for tok in set(tokenize(str(name))):
            df[tok] += 1
    return dict(df)


def _is_structured(frame: pd.DataFrame) -> bool:
    """A catalog whose part_type column is filled for most rows."""
    if "part_type" not in frame.columns:
        return False
    return bool((_str_column(frame, "part_type") != "").mean() > 0.5)


def _structured_slots(frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], FitmentTable]:
    """Item arrays and the one-fitment-per-item table of a structured catalog."""
    slots = {c: _str_column(frame, c) for c in _SLOT_COLUMNS}
    engines = np.array(
        [
            frozenset(normalize_code(e) for e in s.split(";") if e.strip())
            for s in _str_column(frame, "engine_codes")
        ],
        dtype=object,
    )
    fitments = FitmentTable.one_per_item(
        make=slots["make"],
        model=np.array([m.lower() for m in slots["model"]], dtype=object),
        generation=np.array([g.upper() for g in slots["generation"]], dtype=object),
        engines=engines,
        year_from=_int_column(frame, "year_from"),
        year_to=_int_column(frame, "year_to"),
    )
    item = {
        "part_type": slots["part_type"],
        "part_head": np.full(len(frame), "", dtype=object),
        "side": slots["side"],
        "axle": slots["axle"],
        "brand": _str_column(frame, "brand"),
    }
    return item, fitments


def _parsed_slots(
    frame: pd.DataFrame, parsed: list[ParsedName]
) -> tuple[dict[str, np.ndarray], FitmentTable]:
    """Item arrays and the fitment table of a plain price list (columns win over the name)."""
    item = {
        key: np.array([getattr(p, key) for p in parsed], dtype=object)
        for key in ("part_type", "part_head", "side", "axle", "brand")
    }
    for key in ("part_type", "side", "axle", "brand"):
        given = _str_column(frame, key)
        item[key] = np.where(given != "", given, item[key])
    return item, FitmentTable.from_lists([p.fitments for p in parsed])


def _parse_names(names: np.ndarray, analyzer: TextAnalyzer) -> list[ParsedName]:
    """Every name read once (repeated names share one reading)."""
    reader = NameReader(analyzer)
    cache: dict[str, ParsedName] = {}
    out: list[ParsedName] = []
    for name in names:
        text = str(name)
        if text not in cache:
            cache[text] = reader.read(text)
        out.append(cache[text])
    return out


def _speaks_domain(parsed: list[ParsedName]) -> bool:
    """Whether enough names name a lexicon part type or a car."""
    if not parsed:
        return True
    hits = sum(
        1
        for p in parsed
        if (p.part_type and not p.part_type.startswith(KIND_PREFIX))
        or any(f.model for f in p.fitments)
    )
    return hits / len(parsed) >= DOMAIN_SHARE


def _adapt(
    analyzer: TextAnalyzer,
    names: np.ndarray,
    name_norm: np.ndarray,
    parsed: list[ParsedName],
    domain: bool,
) -> tuple[TextAnalyzer, list[ParsedName], pd.DataFrame]:
    """The analyser for this catalog: its kinds added, foreign domain words removed.

    When words were removed the names are read again with the new analyser.
    """
    from triage.decode._analyze import TextAnalyzer

    if not domain:
        restricted = _restrict(analyzer.lexicon, analyzer, name_norm)
        analyzer = TextAnalyzer(restricted, morphology=analyzer.morphology)
        parsed = _parse_names(names, analyzer)
    kinds = _kind_rows(parsed, analyzer)
    if not kinds.empty:
        analyzer = TextAnalyzer(analyzer.lexicon.extend(kinds), morphology=analyzer.morphology)
    return analyzer, parsed, kinds


def _kind_rows(parsed: list[ParsedName], analyzer: TextAnalyzer) -> pd.DataFrame:
    """Lexicon rows for the catalog's own part kinds and head words.

    A surface the lexicon already gives a meaning is left alone ("стойка"
    stays a shock absorber); a kind's value is its lemmas ("kind:кольцо
    уплотнительный"), its surfaces the words as the names write them.
    """
    rows: dict[tuple[str, str], None] = {}
    for p in parsed:
        if p.part_type.startswith(KIND_PREFIX) and p.kind_surface:
            rows.setdefault((p.part_type, p.kind_surface), None)
        if p.part_head and p.head_surface:
            rows.setdefault((p.part_head, p.head_surface), None)
    out = [
        {"slot": "part_type", "value": value, "surface": surface, "source": "catalog"}
        for value, surface in rows
        if not analyzer.names_phrase(surface)
    ]
    return pd.DataFrame(out, columns=["slot", "value", "surface", "source"])


def _restrict(lexicon: Lexicon, analyzer: TextAnalyzer, name_norm: np.ndarray) -> Lexicon:
    """The lexicon without the domain values (makes, models, parts, brands, ...) whose
    words the catalog's names never use."""
    vocabulary: set[str] = set()
    for name in name_norm:
        for tok in tokenize(analyzer.prepare(name)):
            vocabulary.add(tok)
    rows = lexicon.rows
    used: set[tuple[str, str]] = set()
    for slot, value, surface in zip(rows["slot"], rows["value"], rows["surface"], strict=True):
        if slot in _DOMAIN_SLOTS:
            toks = tokenize(analyzer.prepare(surface))
            if toks and all(t in vocabulary for t in toks):
                used.add((slot, value))
    # a value the names use keeps all its spellings ("Bosch" in the names: "бош" reads too)
    keep = [
        slot not in _DOMAIN_SLOTS or (slot, value) in used
        for slot, value in zip(rows["slot"], rows["value"], strict=True)
    ]
    return Lexicon(
        rows=rows[np.asarray(keep, dtype=bool)].reset_index(drop=True),
        vehicles=[],
        model_make={},
        home_make="",
        engine_volume={},
    )


def _in_stock(frame: pd.DataFrame) -> np.ndarray:
    """True per item in stock (every item when the catalog does not say)."""
    if "in_stock" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    text = frame["in_stock"].astype("string").str.lower()
    return text.isin(["true", "1", "yes", "да"]).to_numpy(dtype=bool, na_value=False)


def _blocks(
    part_type: np.ndarray, part_head: np.ndarray, fitments: FitmentTable
) -> dict[tuple[str, str], np.ndarray]:
    """Item positions by (part, model), (part, ""), ("", model), for every fitment's model.

    An item is reachable by its part type and by its head word ("kind:датчик").
    """
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    models = fitments.model
    for i in range(len(part_type)):
        parts = [part_type[i]] if not part_head[i] else [part_type[i], part_head[i]]
        lo = fitments.start[i]
        own = dict.fromkeys(models[lo : lo + fitments.count[i]].tolist())
        for pt in parts:
            blocks[(pt, "")].append(i)
            for model in own:
                blocks[(pt, model)].append(i)
        for model in own:
            blocks[("", model)].append(i)
    return {k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in blocks.items()}


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
