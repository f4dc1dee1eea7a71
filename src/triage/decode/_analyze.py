"""Read one request: resolve each word, then extract slots with evidence.

Word resolution, cheapest first, each result cached per distinct word:
exact lexicon form -> morphological normal forms (pymorphy3) -> the word
transliterated (Latin typed for Cyrillic) -> the word retyped in the other
keyboard layout -> typo-tolerant match (optimal string alignment distance
1 for words of 4-6 letters, 2 for longer ones) against every inflected form
of every lexicon word.  Slot extraction then matches lexicon phrases
(longest first, then as an unordered bag for multi-word descriptions), finds
years, engine codes and generation letters next to a model name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from triage.decode._engines import EngineReader
from triage.decode._lexicon import Lexicon, Vehicle
from triage.decode._text import (
    AbbreviationTable,
    fix_layout,
    fix_mixed_script,
    has_cyrillic,
    has_latin,
    normalize_text,
    to_cyrillic,
    tokenize,
)

__all__ = ["Analysis", "Match", "TextAnalyzer"]

_YEAR_RE = re.compile(r"^(19[5-9]\d|20[0-4]\d)(?:г|гв|года?|g|gv|god|goda|u|ud)?$")
# An engine volume ("1.6"), with a unit glued to it or after it ("1.6л", "1.6 l").
_VOLUME_RE = re.compile(r"^([0-6]\.\d)$")
_VOLUME_UNIT_RE = re.compile(r"(?<![\d.])([0-6]\.\d)\s?(?:л|l|i|литра?)(?![\w])")
_MIXED_WORD_RE = re.compile(r"[^\W\d_]+")
# A word followed by a list of single letters ("astra g/h", "corsa-c/d"): in a
# catalog name, generations of the model that word names.
_LETTER_LIST_RE = re.compile(
    r"(?<![\w-])([^\W\d_]{3,})[\s-]+([^\W\d_])((?:\s?/\s?[^\W\d_])+)(?![\w])"
)
# Lexicon sources never used as typo targets: short codes and brand names are
# matched as written (a typo one edit from "рхх" or "бош" is anything).
_NO_FUZZY_SOURCES = {"abbreviation", "brand", "code"}
# Keys that are letters on ЙЦУКЕН: a short chunk containing one was typed in Russian.
_LAYOUT_PUNCT = set(";',[]`:\"<>{}~")
# "ry4ag", "nali4ii": a 4 between letters is the key/sound of "ч".
_FOUR_RE = re.compile(r"^[a-zа-я]+(?:4[a-zа-я]+)+$")
# A generation letter typed in Cyrillic: look-alikes and first sounds.
_CYR_LETTER = {
    "а": "A",
    "б": "B",
    "в": "B",
    "с": "C",
    "ц": "C",
    "д": "D",
    "е": "E",
    "э": "E",
    "ф": "F",
    "г": "G",
    "н": "H",
    "ж": "J",
    "к": "K",
    "л": "L",
}
# Single letters that are also Russian prepositions or conjunctions: a generation
# only when nothing but a slot word or the end of the text follows.
_AMBIGUOUS_LETTERS = {"а", "в", "с", "к", "и"}
_LEXEME_POS = {"NOUN", "ADJF", "ADJS", "COMP", "NUMR"}
_FUNCTION_POS = {"PREP", "CONJ", "PRCL", "NPRO", "INTJ"}
_HOW_RANK = {"exact": 0, "morph": 1, "translit": 2, "layout": 2, "fuzzy": 3, "unknown": 9}


@dataclass(frozen=True)
class Match:
    """One piece of evidence: words of the request that name a slot value."""

    slot: str
    value: str
    start: int
    end: int
    words: str
    how: str
    strength: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "value": self.value,
            "words": self.words,
            "how": self.how,
            "strength": round(self.strength, 2),
        }


@dataclass
class Analysis:
    """What one request says, slot by slot, with the words behind each value."""

    text: str
    tokens: list[str]
    canon: list[str]
    how: list[str]
    matches: list[Match] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    engines: list[str] = field(default_factory=list)
    volumes: list[float] = field(default_factory=list)
    layout_fixed: bool = False
    #: bare engine-code suffixes of a catalog name ("XEP" of "1.6 (XEP, XER)")
    engine_suffixes: list[str] = field(default_factory=list)
    #: a catalog name (a letter after a model is its generation, never a preposition)
    is_name: bool = False

    def values(self, slot: str) -> list[str]:
        """Distinct values found for a slot, strongest and longest evidence first."""
        found = [m for m in self.matches if m.slot == slot]
        found.sort(key=lambda m: (-(m.end - m.start) * m.strength, -m.strength, m.start))
        seen: dict[str, None] = {}
        for m in found:
            seen.setdefault(m.value, None)
        return list(seen)

    def first(self, slot: str) -> str:
        values = self.values(slot)
        return values[0] if values else ""

    @property
    def content_tokens(self) -> int:
        return sum(1 for c, h in zip(self.canon, self.how, strict=True) if c and h != "stop")


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


# Neighbouring keys: a slip of the finger lands on one of them.
_KEY_ROWS = (
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
)
_NEIGHBOURS = {frozenset((row[i], row[i + 1])) for row in _KEY_ROWS for i in range(len(row) - 1)}


def _slip_cost(typed: str, form: str) -> float:
    """Cost of the letters that differ: a neighbouring key or two swapped neighbouring
    letters ("кросы" for "корсы") cost half a wrong one."""
    if len(typed) != len(form):
        return float(abs(len(typed) - len(form)))
    diff = [i for i, (a, b) in enumerate(zip(typed, form, strict=True)) if a != b]
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        if typed[i] == form[i + 1] and typed[i + 1] == form[i]:
            return 0.5
    return sum(
        0.5 if frozenset((a, b)) in _NEIGHBOURS else 1.0
        for a, b in zip(typed, form, strict=True)
        if a != b
    )


def _closest(
    word: str, pool: list[str], limit: int, common: dict[str, int] | None = None
) -> tuple[int, str] | None:
    """The form of ``pool`` closest to ``word`` by edit distance (at most ``limit``).

    Ties go to the likelier slip of the finger (neighbouring keys), then to
    the form of the word more lexicon phrases use (``common``: "колеа" is
    "колеса" rather than "колена"), then to the alphabetically first form:
    never to the order of a set, which would follow the per-process hash seed.
    """
    hits = process.extract(word, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not hits:
        return None
    distance = min(int(h[1]) for h in hits)
    tied = sorted({h[0] for h in hits if int(h[1]) == distance})
    uses = common or {}
    return distance, min(tied, key=lambda f: (_slip_cost(word, f), -uses.get(f, 0), f))


def _spell_out_letters(m: re.Match[str]) -> str:
    """ "astra g/h" -> "astra g astra h": each generation letter right after its model."""
    word = m.group(1)
    letters = [m.group(2), *(x.strip() for x in m.group(3).split("/") if x.strip())]
    return " ".join(f"{word} {letter}" for letter in letters)


class TextAnalyzer:
    """Resolve words and extract slots using a :class:`Lexicon`.

    Parameters
    ----------
    lexicon : Lexicon
        Slot vocabulary and vehicle table.
    morphology : {"pymorphy3", "none"}
        How inflected forms are reduced.  "none" keeps only exact and fuzzy
        matching (useful for languages without an analyser).
    """

    def __init__(self, lexicon: Lexicon, *, morphology: str = "pymorphy3") -> None:
        if morphology not in ("pymorphy3", "none"):
            raise ValueError(f"morphology must be 'pymorphy3' or 'none', got {morphology!r}")
        self.lexicon = lexicon
        self.morphology = morphology
        self._word_cache: dict[str, tuple[str, str]] = {}
        self._form2canon: dict[str, str] = {}
        self._phrases: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
        self._bags: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = defaultdict(list)
        self._stop: set[str] = set()
        self._stop_forms: set[str] = set()
        self._no_fuzzy: set[str] = set()
        self._form_uses: dict[str, int] = {}
        self._function_words: set[str] = set()
        rows = lexicon.rows
        abbreviations = rows[rows["slot"] == "abbreviation"]
        self.abbreviations = AbbreviationTable(
            list(zip(abbreviations["surface"], abbreviations["value"], strict=True))
        )
        self.engines = EngineReader(lexicon)
        self._build()

    # -- building -------------------------------------------------------
    def _normal_forms(self, word: str) -> list[str]:
        if self.morphology == "none" or not has_cyrillic(word):
            return []
        seen: dict[str, None] = {}
        for parse in _morph().parse(word)[:4]:
            seen.setdefault(parse.normal_form.replace("ё", "е"), None)
        return list(seen)

    def _surface_lemma(self, word: str, surface_words: dict[str, str]) -> str:
        """The lemma of a lexicon word, preferring a normal form that is itself a lexicon word.

        pymorphy3 reads "граната" first as a form of "гранат" and "наружное" as a
        noun; the lexicon means the words its surfaces are made of.
        """
        forms = self._normal_forms(word)
        other = next((f for f in forms if f != word and f in surface_words), "")
        if other:
            return other  # "передняя" is the feminine of "передний", not a hallway
        if word in forms:
            return word  # "граната" is a word of its own, not a form of "гранат"
        return forms[0] if forms else word

    def _lemma(self, word: str) -> str:
        forms = self._normal_forms(word)
        return forms[0] if forms else word

    def _build(self) -> None:
        """Index the lexicon: word forms, stopwords, phrases, bags and typo buckets."""
        surfaces, words, correct = self._read_surfaces()
        correct |= self._add_abbreviations(words)
        self._function_words = self._find_function_words(words)
        self._map_forms(words)
        self._index_stopwords(surfaces)
        self._index_phrases(surfaces)
        self._build_fuzzy_buckets(correct)
        self._form_uses = self._count_form_uses()
        self._engines = self.engines.known
        self._generation_words: dict[str, list[str]] = {
            k[0]: [value for slot, value, _ in v if slot == "generation"]
            for k, v in self._phrases.items()
            if len(k) == 1 and any(slot == "generation" for slot, _, _ in v)
        }

    def _read_surfaces(
        self,
    ) -> tuple[list[tuple[list[str], str, str, str]], dict[str, str], set[str]]:
        """Tokenised lexicon surfaces, each word's lemma, and the correctly spelt words."""
        words: dict[str, str] = {}
        misspelt: dict[str, set[tuple[str, str]]] = {}
        correct: set[str] = set()
        correct_by_value: dict[tuple[str, str], set[str]] = {}
        surfaces: list[tuple[list[str], str, str, str]] = []
        exact_only: set[str] = set()
        rows = self.lexicon.rows[["slot", "value", "surface", "source"]]
        for slot, value, surface, source in rows.itertuples(index=False):
            if slot == "abbreviation":
                continue
            toks = tokenize(self.prepare(surface))
            if not toks:
                continue
            surfaces.append((toks, str(slot), str(value), str(source)))
            exact = source in _NO_FUZZY_SOURCES or slot == "brand"
            for tok in toks:
                # Brand names and codes are not Russian words: no lemma, no inflection.
                words.setdefault(tok, tok if exact else "")
                if exact:
                    exact_only.add(tok)
                    continue
                if source == "misspellings":
                    misspelt.setdefault(tok, set()).add((str(slot), str(value)))
                elif slot != "stopword":
                    correct.add(tok)
                    correct_by_value.setdefault((str(slot), str(value)), set()).add(tok)
        self._no_fuzzy = exact_only - correct - set(misspelt)
        for tok, lemma in words.items():
            if not lemma:
                words[tok] = self._surface_lemma(tok, words)
        # A word that only ever appears misspelt ("фильр") takes the canonical form
        # of the nearest correctly spelt word of the same slot value ("фильтр"),
        # so the phrases it is part of still match.
        for tok in sorted(set(misspelt) - correct):
            pool = sorted(set().union(*(correct_by_value.get(k, set()) for k in misspelt[tok])))
            best = process.extractOne(tok, pool, scorer=OSA.distance, score_cutoff=2)
            if best is not None and len(tok) >= 4:
                words[tok] = words[best[0]]
        return surfaces, words, correct

    def _map_forms(self, words: dict[str, str]) -> None:
        """Every surface word and (with morphology) every inflected form -> canonical lemma."""
        # Exact surface words first, so that a word never resolves to another
        # word whose inflected form it happens to share.
        for tok, lemma in words.items():
            self._form2canon.setdefault(tok, lemma)
            self._form2canon.setdefault(lemma, lemma)
        if self.morphology == "none":
            return
        morph = _morph()
        for tok, lemma in words.items():
            if not has_cyrillic(tok) or len(tok) < 3 or tok in self._no_fuzzy:
                continue
            for parse in morph.parse(tok)[:2]:
                # Nouns and adjectives only: verb forms ("текло") make typo
                # matching find the wrong word ("секло" is "стекло").
                if parse.tag.POS not in _LEXEME_POS:
                    continue
                for form in parse.lexeme:
                    self._form2canon.setdefault(form.word.replace("ё", "е"), lemma)

    def _add_abbreviations(self, words: dict[str, str]) -> set[str]:
        """One-word abbreviations ("перед", "задн") as forms of the word they stand for.

        Texts have them written out before words are read; this is for the
        ways they reach the resolver unexpanded (transliterated "pered", a typo
        "пеед", the other keyboard layout).  Returns them, as typo targets.
        """
        out: set[str] = set()
        for abbr, expansion in self.abbreviations.table.items():
            if not abbr.isalpha() or " " in expansion or abbr in words:
                continue
            lemma = words.get(expansion) or self._surface_lemma(expansion, words)
            words[abbr] = lemma
            words.setdefault(expansion, lemma)
            out.add(abbr)
        return out

    def _index_stopwords(self, surfaces: list[tuple[list[str], str, str, str]]) -> None:
        for toks, slot, _value, _source in surfaces:
            if slot == "stopword" and len(toks) == 1:
                self._stop_forms.add(toks[0])
                self._stop.add(self._form2canon[toks[0]])
                for form in self._normal_forms(toks[0])[:1]:
                    self._stop_forms.add(form)
                    self._stop.add(form)

    def _index_phrases(self, surfaces: list[tuple[list[str], str, str, str]]) -> None:
        """Phrases by their canonical words; multi-word ones also as bags of content words."""
        for toks, slot, value, source in surfaces:
            key = tuple(self._form2canon[t] for t in toks)
            if slot == "stopword":
                continue
            if any(e[0] == slot and e[1] == value for e in self._phrases[key]):
                continue
            self._phrases[key].append((slot, value, source))
            if len(key) > 1:
                content = tuple(k for k in key if k not in self._stop) or key
                rarest = min(content, key=len)
                self._bags[rarest].append((content, slot, value, source))
        self._max_n = max((len(k) for k in self._phrases), default=1)

    def _function_word(self, form: str) -> bool:
        """A preposition, conjunction, particle or pronoun of the lexicon's phrases that
        means nothing on its own here (never a typo target; "перед" stays: it is the
        front axle)."""
        return form in self._function_words and (self._form2canon[form],) not in self._phrases

    def _find_function_words(self, words: dict[str, str]) -> set[str]:
        """The lexicon's surface words that are prepositions, conjunctions, particles."""
        if self.morphology == "none":
            return set()
        return {
            w
            for w in words
            if len(w) <= 6 and has_cyrillic(w) and _morph().parse(w)[0].tag.POS in _FUNCTION_POS
        }

    def _count_form_uses(self) -> dict[str, int]:
        """Per word form: in how many lexicon phrases its canonical word occurs."""
        per_canon: dict[str, int] = defaultdict(int)
        for key in self._phrases:
            for canon in set(key):
                per_canon[canon] += 1
        return {form: per_canon.get(canon, 0) for form, canon in self._form2canon.items()}

    def _build_fuzzy_buckets(self, correct: set[str]) -> None:
        """Typo-tolerant lookup: known forms bucketed by length (+-2 letters per bucket)."""
        buckets: dict[int, list[str]] = defaultdict(list)
        for form, canon in self._form2canon.items():
            # A typo that lands on a stopword ("атру" -> "утро") or a preposition of a
            # description ("прв" -> "при") helps nobody.
            if canon in self._stop or form in self._stop_forms or form in self._no_fuzzy:
                continue
            if self._function_word(form):
                continue
            if len(form) >= 3 and not any(ch.isdigit() for ch in form):
                buckets[len(form)].append(form)
        surface_buckets: dict[int, list[str]] = defaultdict(list)
        # Sorted: the first of equally close words wins a typo match, so the
        # order must not follow the per-process string hash seed.
        for form in sorted(correct):
            if (
                len(form) >= 3
                and not any(ch.isdigit() for ch in form)
                and form not in self._stop_forms
                and not self._function_word(form)
            ):
                surface_buckets[len(form)].append(form)
        self._surface_buckets = {
            n: [f for m in range(max(n - 2, 3), n + 3) for f in surface_buckets.get(m, [])]
            for n in range(3, 40)
        }
        self._fuzzy_buckets = {
            n: [f for m in range(max(n - 2, 3), n + 3) for f in buckets.get(m, [])]
            for n in range(3, 40)
        }

    # -- words ----------------------------------------------------------
    def _lookup(self, word: str) -> tuple[str, str] | None:
        canon = self._form2canon.get(word)
        if canon is not None:
            return canon, "exact"
        for form in self._normal_forms(word):
            canon = self._form2canon.get(form)
            if canon is not None:
                return canon, "morph"
        return None

    def _fuzzy(
        self, word: str, *, limit: int | None = None, surfaces_only: bool = False
    ) -> str | None:
        n = len(word)
        if n < 3:
            return None
        if limit is None:
            limit = 1 if n <= 6 else 2
        best: tuple[int, str] | None = None
        tiers = (
            (self._surface_buckets,)
            if surfaces_only
            else (self._surface_buckets, self._fuzzy_buckets)
        )
        for rank, buckets in enumerate(tiers):
            hit = _closest(word, buckets.get(min(n, 39), []), limit, self._form_uses)
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
            if best is not None and best[0] <= 1 and rank == 0:
                break  # a lexicon word itself at one edit beats any inflected form
        return self._form2canon[best[1]] if best is not None else None

    def resolve(self, word: str) -> tuple[str, str]:
        """Canonical form of a word and how it was found (exact, morph, ...)."""
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        result = self._resolve(word)
        if len(self._word_cache) < 500_000:
            self._word_cache[word] = result
        return result

    def _resolve(self, word: str) -> tuple[str, str]:
        if _FOUR_RE.match(word):
            word = word.replace("4", "ch" if has_latin(word) else "ч")
        elif any(ch.isdigit() for ch in word):
            return word, "number"
        if "'" in word and has_cyrillic(word):
            word = word.replace("'", "")
        if word in self._stop_forms:
            return word, "stop"
        hit = self._lookup(word)
        if hit is not None:
            return hit
        latin, cyrillic = has_latin(word), has_cyrillic(word)
        if latin and not cyrillic:
            for variant, how in (
                (to_cyrillic(word), "translit"),
                (fix_layout(word, to="ru"), "layout"),
            ):
                hit = self._lookup(normalize_text(variant))
                if hit is not None:
                    return hit[0], how
            for variant, how in ((to_cyrillic(word), "fuzzy"), (word, "fuzzy")):
                canon = self._fuzzy(variant)
                if canon is not None:
                    return canon, how
            if self.morphology != "none" and len(word) >= 3:
                translit = to_cyrillic(word)
                if _morph().word_is_known(translit):
                    return self._lemma(translit), "translit_unknown"
            return word, "unknown"
        if cyrillic and not latin:
            hit = self._lookup(fix_layout(word, to="en"))
            if hit is not None:
                return hit[0], "layout"
            known = self.morphology != "none" and _morph().word_is_known(word)
            if known:
                # A real word is rarely a typo: only a correctly spelt lexicon word one
                # edit away counts ("секло" -> "стекло", not "привет" -> "привот").
                canon = self._fuzzy(word, limit=1, surfaces_only=True) if len(word) >= 5 else None
            else:
                canon = self._fuzzy(word)
            if canon is not None:
                return canon, "fuzzy"
            return self._lemma(word), "unknown"
        canon = self._fuzzy(word)
        return (canon, "fuzzy") if canon is not None else (word, "unknown")

    # -- texts ----------------------------------------------------------
    def _coverage(self, tokens: list[str]) -> float:
        """How well words resolve (1 exact ... 0 unknown), averaged.

        One-letter words say nothing about the layout ("c" of "usb-c" retyped
        is the Russian preposition "с") and are left out when there are others.
        """
        tokens = [t for t in tokens if len(t) > 1] or tokens
        if not tokens:
            return 0.0
        hits = 0.0
        for tok in tokens:
            _, how = self.resolve(tok)
            if how in ("exact", "morph"):
                hits += 1.0
            elif how in ("translit", "layout", "number"):
                hits += 0.8
            elif how == "fuzzy":
                hits += 0.5
            elif how == "translit_unknown":
                hits += 0.3
            elif self.morphology != "none" and has_cyrillic(tok) and _morph().word_is_known(tok):
                hits += 0.4
        return hits / len(tokens)

    def _fix_layout_chunks(self, norm: str) -> tuple[str, bool]:
        """Retype each space-separated chunk typed in the wrong layout.

        A chunk is retyped when the retyped words resolve clearly better than
        the words as typed; single letters and codes stay (a generation letter
        "j" is meant as "j").  Once a text is known to be typed on the wrong
        layout, short chunks holding a key that is a Russian letter (";'" is
        "жэ", "l;b" is "джи") are retyped too.
        """
        chunks = norm.split(" ")
        changed = False
        short: list[int] = []
        for i, chunk in enumerate(chunks):
            if not any("a" <= ch <= "z" for ch in chunk) and not set(chunk) & _LAYOUT_PUNCT:
                continue
            if any(ch.isdigit() for ch in chunk):
                continue
            if len(chunk) < 3:
                short.append(i)
                continue
            retyped = normalize_text(fix_layout(chunk, to="ru"))
            expand = self.abbreviations.expand
            if (
                self._coverage(tokenize(expand(retyped)))
                > self._coverage(tokenize(expand(chunk))) + 0.15
            ):
                chunks[i] = retyped
                changed = True
        if changed:
            for i in short:
                if set(chunks[i]) & _LAYOUT_PUNCT:
                    chunks[i] = normalize_text(fix_layout(chunks[i], to="ru"))
        return " ".join(chunks), changed

    def prepare(self, text: object) -> str:
        """Normalised text with scripts unmixed, abbreviations written out, volumes unglued."""
        return self._prepare_normalized(normalize_text(text))

    def _prepare_normalized(self, norm: str) -> str:
        if has_cyrillic(norm) and has_latin(norm):
            norm = _MIXED_WORD_RE.sub(lambda m: fix_mixed_script(m.group(0)), norm)
        if "." in norm:
            norm = _VOLUME_UNIT_RE.sub(r"\1", norm)
        return self.abbreviations.expand(norm) if self.abbreviations else norm

    def analyze(self, text: object, *, name: bool = False) -> Analysis:
        """Resolve the words of one request and extract every slot it names.

        ``name=True`` reads a catalog name: a model may be followed by several
        generation letters ("Astra G/H") and engine codes may share a prefix
        ("Z16XEP/XER").
        """
        norm = normalize_text(text)
        layout_fixed = False
        if not name and any("a" <= ch <= "z" for ch in norm):
            norm, layout_fixed = self._fix_layout_chunks(norm)
        norm = self._prepare_normalized(norm)
        suffixes: list[str] = []
        if name:
            norm = _LETTER_LIST_RE.sub(_spell_out_letters, norm)
        engines, norm = self.engines.read(norm, lists=name)
        if name:
            suffixes, norm = self.engines.read_suffixes(norm)
        tokens = tokenize(norm)
        canon: list[str] = []
        how: list[str] = []
        for tok in tokens:
            c, h = self.resolve(tok)
            if c in self._stop or h == "stop":
                h = "stop"
            canon.append(c)
            how.append(h)
        analysis = Analysis(
            text=norm,
            tokens=tokens,
            canon=canon,
            how=how,
            layout_fixed=layout_fixed,
            engine_suffixes=suffixes,
            is_name=name,
        )
        self._match_phrases(analysis)
        self._match_numbers(analysis, engines)
        self._match_generations(analysis)
        return analysis

    def _match_phrases(self, a: Analysis) -> None:
        n_tok = len(a.canon)
        used = [False] * n_tok
        for n in range(min(self._max_n, n_tok), 0, -1):
            for i in range(n_tok - n + 1):
                if any(used[i : i + n]):
                    continue
                key = tuple(a.canon[i : i + n])
                entries = self._phrases.get(key)
                if not entries:
                    continue
                hows = a.how[i : i + n]
                worst = max(hows, key=lambda h: _HOW_RANK.get(h, 5))
                strength = {"fuzzy": 0.8, "translit": 0.95, "layout": 0.95}.get(worst, 1.0)
                words = " ".join(a.tokens[i : i + n])
                for slot, value, _source in entries:
                    if slot == "generation":
                        continue  # only next to a model name, see _match_generations
                    a.matches.append(Match(slot, value, i, i + n, words, worst, strength))
                if n > 1:
                    # "передняя стойка" names a part *and* an axle: words inside a
                    # longer phrase still state their side or axle.
                    for j in range(i, i + n):
                        for slot, value, _source in self._phrases.get((a.canon[j],), ()):
                            if slot in ("side", "axle"):
                                a.matches.append(
                                    Match(slot, value, j, j + 1, a.tokens[j], a.how[j], 0.9)
                                )
                for j in range(i, i + n):
                    used[j] = True
        self._match_bags(a, used)

    def _match_bags(self, a: Analysis, used: list[bool]) -> None:
        """Multi-word phrases whose content words all occur, in any order.

        Words not yet part of a phrase may form any bag.  Side by side, two or
        more words may also take a word that a one-word phrase has read
        ("капота тросы" is the cable "трос капота", though "капот" alone is
        the hood), never one of a longer phrase.
        """
        # Text order, not set order: the evidence must not depend on the hash seed.
        free = dict.fromkeys(c for c, u in zip(a.canon, used, strict=True) if not u)
        in_long = {j for m in a.matches if m.end - m.start > 1 for j in range(m.start, m.end)}
        loose = dict.fromkeys(
            c
            for j, (c, h) in enumerate(zip(a.canon, a.how, strict=True))
            if h != "stop" and j not in in_long
        )
        seen: set[tuple[str, str]] = set()
        for tok in loose:
            for content, slot, value, _source in self._bags.get(tok, ()):
                if (slot, value) in seen:
                    continue
                if not all(w in free for w in content):
                    if len(content) < 2 or not all(w in loose for w in content):
                        continue
                    positions = [a.canon.index(w) for w in content]
                    if max(positions) - min(positions) > len(content):
                        continue
                positions = [a.canon.index(w) for w in content]
                words = " ".join(a.tokens[p] for p in sorted(positions))
                a.matches.append(
                    Match(slot, value, min(positions), max(positions) + 1, words, "bag", 0.8)
                )
                seen.add((slot, value))

    def _match_numbers(self, a: Analysis, engines: list[str]) -> None:
        for i, tok in enumerate(a.tokens):
            m = _YEAR_RE.match(tok)
            if m:
                a.years.append(int(m.group(1)))
                continue
            m = _VOLUME_RE.match(tok)
            if m and 0.6 <= float(m.group(1)) <= 6.5:
                a.volumes.append(float(m.group(1)))
                continue
            code = tok.upper()
            if code in engines:
                if code not in a.engines:
                    a.engines.append(code)
                a.matches.append(Match("engine", code, i, i + 1, tok, "exact", 1.0))
        for code in engines:
            # codes written as a shared-prefix list ("z16xep/xer") have no token of their own
            if code not in a.engines:
                a.engines.append(code)

    def _match_generations(self, a: Analysis) -> None:
        slot_positions = {p for m in a.matches for p in range(m.start, m.end)}
        models = {(m.value, m.start, m.end): m for m in a.matches if m.slot == "model"}
        taken: set[int] = set()
        for m in models.values():
            valid = {v.generation for v in self.lexicon.generations(m.value)}
            for j in (m.end, m.end + 1):
                if j >= len(a.tokens):
                    break
                found = self._generations_at(a, j, slot_positions, valid)
                if found:
                    for k, g in found:
                        a.matches.append(
                            Match("generation", g, k, k + 1, a.tokens[k], "exact", 1.0)
                        )
                        taken.add(k)
                    break
                if j not in slot_positions and a.how[j] != "stop":
                    break
        if taken:
            # A letter read as a generation is not also a side ("астра л" is Astra L).
            a.matches = [
                m
                for m in a.matches
                if m.slot == "generation" or not (m.end - m.start == 1 and m.start in taken)
            ]

    def _generations_at(
        self, a: Analysis, j: int, slot_positions: set[int], valid: set[str]
    ) -> list[tuple[int, str]]:
        """Generations of the model (``valid``) token ``j`` names, as (position, letter)."""
        letters = self._letters(a, j, slot_positions)
        if len(a.tokens[j]) == 1:
            # One letter has one meaning: the first reading valid for the model.
            letters = [g for g in letters if g in valid][:1]
        return [(j, g) for g in letters if g in valid]

    def _letters(self, a: Analysis, j: int, slot_positions: set[int]) -> list[str]:
        """Generation letters token ``j`` may stand for (empty when none)."""
        tok = a.tokens[j]
        if len(tok) == 1 and "a" <= tok <= "z":
            # As typed, then as the Cyrillic letter a transliterating or
            # wrong-layout typist meant ("n" for "н" = H, "f" on ЙЦУКЕН = "а").
            out = [tok.upper()]
            for cyr in (to_cyrillic(tok), fix_layout(tok, to="ru")):
                if cyr in _CYR_LETTER:
                    out.append(_CYR_LETTER[cyr])
            return out
        if len(tok) == 1 and tok in _CYR_LETTER:
            nxt = j + 1
            prose = not a.is_name and nxt < len(a.tokens) and nxt not in slot_positions
            if tok in _AMBIGUOUS_LETTERS and prose:
                return []
            return [_CYR_LETTER[tok]]
        for key in (tok, a.canon[j], normalize_text(to_cyrillic(tok)) if has_latin(tok) else ""):
            if key and key in self._generation_words:
                return self._generation_words[key]
        return []

    def names_phrase(self, text: str) -> bool:
        """Whether a whole text is already a lexicon phrase (of any slot)."""
        key = tuple(self.resolve(t)[0] for t in tokenize(self.prepare(text)))
        return bool(key) and key in self._phrases

    def names_slot(self, word: str, slot: str) -> bool:
        """Whether a word of a text (as resolved) names something of ``slot`` on its own."""
        canon, _ = self.resolve(word)
        return any(entry[0] == slot for entry in self._phrases.get((canon,), ()))

    # -- inference -------------------------------------------------------
    def vehicles_for(
        self, model: str, *, year: int | None = None, engine: str = ""
    ) -> list[Vehicle]:
        """Generations of ``model`` consistent with a year and/or an engine code."""
        found = []
        for v in self.lexicon.vehicles:
            if model and v.model != model:
                continue
            if year is not None:
                lo = v.year_from or 0
                hi = v.year_to or 9999
                if not lo <= year <= hi:
                    continue
            if engine and engine not in v.engines:
                continue
            found.append(v)
        return found
