"""Catalog names read like a parts manager reads a price list.

A price-list name packs a part, a brand and the cars it fits into one line:
"Фильтр масляный MANN Astra G/H 1.4-1.8 Z14XEP, Z16XEP/XER, Z18XER",
"Комплект ГРМ Gates Vectra/Zafira/Astra 1.6/1.8 16V (XEP, XER) 04-".
:class:`NameReader` turns one name into a :class:`ParsedName`: the part
(a lexicon part type, or the name's own head phrase as a *kind*), side,
axle, brand, and a list of :class:`Fitment` -- every model (with its
generations, engines and years) the item is listed for.  An item fits a
request when any of its fitments does.

Generations, engines and volumes fill each other in through the vehicle
table: "Astra 1.8" is the Astra generations with a 1.8 engine and those
engines; "Z16XER" alone is every generation that engine was fitted to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triage.decode._text import has_cyrillic

if TYPE_CHECKING:
    from triage.decode._analyze import Analysis, TextAnalyzer
    from triage.decode._lexicon import Vehicle

__all__ = ["KIND_PREFIX", "Fitment", "NameReader", "ParsedName"]

#: Part kinds taken from a catalog's own names carry this prefix ("kind:кольцо уплотнительный").
KIND_PREFIX = "kind:"

# Year ranges of price lists: "04-", "2004-2010", "(04-10)", "02-08", "2004>".
_YEARS_RE = re.compile(
    r"(?<![\w.,/])((?:19|20)?\d{2})\s?(?:-|>|->|–)\s?((?:19|20)?\d{2})?(?![\w.,/])"
)
_FROM_YEAR_RE = re.compile(r"(?:^|\s)(?:с|от|from)\s((?:19|20)\d{2})(?!\d)")
_VOLUME_RANGE_RE = re.compile(r"(?<![\d.])([0-6]\.\d)\s?-\s?([0-6]\.\d)(?![\d.])")
# Bare engine-code suffixes ("(XEP, XER)"): two to four letters, maybe a digit.
_SUFFIX_RE = re.compile(r"^[a-z]{2,4}\d?$")
# Parts of speech that may follow a head noun inside a kind ("кольцо уплотнительное").
_MODIFIER_POS = {"ADJF", "PRTF"}
_NOUN_POS = {"NOUN"}


@dataclass(frozen=True)
class Fitment:
    """One car an item is listed for; empty fields are not stated (fit anything)."""

    make: str = ""
    model: str = ""
    generation: str = ""
    engines: frozenset[str] = frozenset()
    year_from: int = -1
    year_to: int = -1


@dataclass
class ParsedName:
    """What one catalog name says."""

    part_type: str = ""
    part_head: str = ""
    kind_surface: str = ""
    head_surface: str = ""
    side: str = ""
    axle: str = ""
    brand: str = ""
    volumes: tuple[float, ...] = ()
    fitments: list[Fitment] = field(default_factory=list)


def _year(text: str) -> int:
    value = int(text)
    if value < 100:
        value += 1900 if value >= 50 else 2000
    return value


def read_years(text: str) -> tuple[int, int]:
    """The year range a name states ("04-" -> (2004, -1)); (-1, -1) when none.

    >>> read_years("Astra H 1.6 04-10"), read_years("Zafira 2005-"), read_years("Astra 1.4-1.8")
    ((2004, 2010), (2005, -1), (-1, -1))
    """
    for m in _YEARS_RE.finditer(text):
        lo = _year(m.group(1))
        hi = _year(m.group(2)) if m.group(2) else -1
        if 1950 <= lo <= 2049 and (hi < 0 or lo <= hi <= 2049):
            return lo, hi
    start = _FROM_YEAR_RE.search(text)
    if start:
        return int(start.group(1)), -1
    return -1, -1


def _by_years(vehicles: list[Vehicle], years: tuple[int, int]) -> list[Vehicle]:
    """The generations a year range means: those it overlaps by two years or more
    (a boundary year shared with the next generation does not count), else the
    ones it overlaps most."""
    lo = years[0]
    hi = years[1] if years[1] > 0 else max(lo, *(v.year_to or lo for v in vehicles))
    overlap = {id(v): min(hi, v.year_to or 9999) - max(lo, v.year_from or 0) + 1 for v in vehicles}
    wide = [v for v in vehicles if overlap[id(v)] >= 2]
    if wide:
        return wide
    best = max(overlap.values(), default=0)
    return [v for v in vehicles if best > 0 and overlap[id(v)] == best]


class NameReader:
    """Parse catalog names with a :class:`TextAnalyzer` and its vehicle table.

    Parameters
    ----------
    analyzer : TextAnalyzer
        Reads the words; its lexicon's vehicle table gives engines and years.
    """

    def __init__(self, analyzer: TextAnalyzer) -> None:
        self.analyzer = analyzer
        self.engines = analyzer.engines
        self.model_make = analyzer.lexicon.model_make

    def read(self, name: str) -> ParsedName:
        """Parse one catalog name (any case, any script mix).

        Examples
        --------
        >>> from triage.decode import TextAnalyzer, load_lexicon
        >>> reader = NameReader(TextAnalyzer(load_lexicon()))
        >>> p = reader.read("Фильтр масляный MANN Astra G/H 1.4-1.8 Z14XEP, Z16XEP/XER, Z18XER")
        >>> p.part_type, p.brand, [(f.model, f.generation) for f in p.fitments]
        ('oil_filter', 'Mann', [('astra', 'G'), ('astra', 'H')])
        >>> sorted(p.fitments[1].engines)
        ['Z14XEP', 'Z16XEP', 'Z16XER', 'Z18XER']
        """
        a = self.analyzer.analyze(name, name=True)
        parsed = ParsedName(
            side=a.first("side"),
            axle=a.first("axle"),
            brand=a.first("brand"),
        )
        self._read_part(a, parsed)
        years = read_years(a.text)
        if years == (-1, -1) and a.years:
            years = (min(a.years), max(a.years) if len(a.years) > 1 else -1)
        volumes = self._volumes(a)
        parsed.volumes = tuple(volumes)
        parsed.fitments = self._fitments(a, volumes, years)
        return parsed

    # -- the part ---------------------------------------------------------
    def _read_part(self, a: Analysis, parsed: ParsedName) -> None:
        """A lexicon part type when it heads the name; the name's own head phrase otherwise."""
        head = self._head_phrase(a)
        if head:
            parsed.part_head = KIND_PREFIX + head[0][1]
            parsed.head_surface = head[0][0]
        parts = [m for m in a.matches if m.slot == "part_type"]
        parts.sort(key=lambda m: (m.start, -(m.end - m.start)))
        lead = self._first_content(a)
        for m in parts:
            before = range(lead, m.start)
            if all(a.how[j] == "stop" or self._transparent(a, j) for j in before):
                parsed.part_type = m.value
                return
        if head:
            words = head[: 2 if len(head) > 1 else 1]
            parsed.part_type = KIND_PREFIX + " ".join(lemma for _, lemma in words)
            parsed.kind_surface = " ".join(raw for raw, _ in words)

    def _first_content(self, a: Analysis) -> int:
        return next((i for i, h in enumerate(a.how) if h != "stop"), len(a.how))

    def _transparent(self, a: Analysis, j: int) -> bool:
        """A word that does not change what the part is ("комплект", "оригинал", a brand)."""
        return any(
            m.start <= j < m.end and m.slot in ("part_request", "brand", "side", "axle")
            for m in a.matches
        )

    def _head_phrase(self, a: Analysis) -> list[tuple[str, str]]:
        """The name's leading noun and its first modifier, as (word, lemma) pairs.

        Only Cyrillic words qualify (Latin words in a Russian price list are
        brands, models and codes); the phrase stops at anything that is a slot.
        """
        taken = {
            j
            for m in a.matches
            if m.slot not in ("part_type", "part_request")
            for j in range(m.start, m.end)
        }
        out: list[tuple[str, str]] = []
        start = self._first_content(a)
        while start < len(a.tokens) and (
            a.how[start] == "stop"
            or self._transparent(a, start)
            or self.analyzer.names_slot(a.tokens[start], "part_request")
        ):
            start += 1
        for j in range(start, min(start + 2, len(a.tokens))):
            tok = a.tokens[j]
            if j in taken or a.how[j] == "stop" or not tok.isalpha() or not has_cyrillic(tok):
                break
            pos, lemma = self._pos_lemma(tok)
            if not out and pos not in _NOUN_POS and pos is not None:
                break
            if out and pos not in _MODIFIER_POS and pos not in _NOUN_POS and pos is not None:
                break
            out.append((tok, lemma))
        return out

    def _pos_lemma(self, word: str) -> tuple[str | None, str]:
        if self.analyzer.morphology == "none":
            return "NOUN", word
        from triage.decode._analyze import _morph

        parse = _morph().parse(word)[0]
        return parse.tag.POS, parse.normal_form.replace("ё", "е")

    # -- cars -------------------------------------------------------------
    def _volumes(self, a: Analysis) -> list[float]:
        """Volumes stated, with ranges ("1.4-1.8") filled with the volumes of known engines."""
        volumes = list(dict.fromkeys(a.volumes))
        for m in _VOLUME_RANGE_RE.finditer(a.text):
            lo, hi = float(m.group(1)), float(m.group(2))
            inside = {v for v in self.engines.volume.values() if lo <= v <= hi}
            volumes += sorted(inside - set(volumes))
        return volumes

    def _models(self, a: Analysis) -> list[tuple[str, str, list[str]]]:
        """(make, model, generations) for every model the name lists, in order."""
        found: list[tuple[str, str, list[str]]] = []
        last_model = -1
        for m in sorted(a.matches, key=lambda m: (m.start, m.slot != "model")):
            if m.slot == "model":
                key: tuple[str, str, list[str]] = (
                    self.model_make.get(m.value, ""),
                    m.value,
                    [],
                )
                if key not in found:
                    found.append(key)
                last_model = found.index(key)
            elif m.slot == "generation" and last_model >= 0:
                letters = found[last_model][2]
                if m.value not in letters:
                    letters.append(m.value)
        return found

    def _fitments(self, a: Analysis, volumes: list[float], years: tuple[int, int]) -> list[Fitment]:
        """Every (make, model, generation) the name lists, with its engines and years."""
        models = self._models(a)
        engines = list(a.engines)
        fitments: list[Fitment] = []
        for make, model, letters in models:
            vehicles = self._generations(model, letters, engines, volumes, years)
            own = list(engines)
            if a.engine_suffixes and volumes:
                pool = vehicles or self.analyzer.lexicon.generations(model)
                derived = self.engines.from_suffixes(a.engine_suffixes, volumes, pool)
                own += [e for e in derived if e not in own]
                if derived and not letters:
                    vehicles = [v for v in pool if set(derived) & set(v.engines)]
            if not vehicles:
                fitments.append(self._fitment(make, model, "", own, volumes, years, None))
                continue
            for v in vehicles:
                fitments.append(self._fitment(make, model, v.generation, own, volumes, years, v))
        if not models and engines:
            fitments = self._fitments_from_engines(engines, years)
        if not fitments:
            makes = a.values("make")
            fitments = [Fitment(make=mk) for mk in makes] or [Fitment()]
        return fitments

    def _generations(
        self,
        model: str,
        letters: list[str],
        engines: list[str],
        volumes: list[float],
        years: tuple[int, int],
    ) -> list[Vehicle]:
        """The generations of a model the name means (its letters, or what its engines,
        volumes and years narrow the model to); empty when it cannot tell."""
        known = self.analyzer.lexicon.generations(model)
        if letters:
            return [v for v in known if v.generation in letters]
        if len(known) == 1:
            return known
        narrowed = known
        if engines:
            with_engine = [v for v in narrowed if set(engines) & set(v.engines)]
            narrowed = with_engine or narrowed
        elif volumes:
            wanted = set(self.engines.with_volume(volumes, model))
            with_volume = [v for v in narrowed if wanted & set(v.engines)]
            narrowed = with_volume or narrowed
        if years[0] > 0:
            narrowed = _by_years(narrowed, years) or narrowed
        return narrowed if len(narrowed) < len(known) else []

    def _fitment(
        self,
        make: str,
        model: str,
        generation: str,
        engines: list[str],
        volumes: list[float],
        years: tuple[int, int],
        vehicle: Vehicle | None,
    ) -> Fitment:
        """One fitment; its engines are the listed ones this generation has (or the
        generation's engines of the listed volumes)."""
        own: set[str] = set(engines)
        if vehicle is not None:
            own = set(engines) & set(vehicle.engines)
            if not own and volumes:
                # "Astra G/H 1.4-1.8 Z14XEP, ...": the codes are H's; G gets its own engines
                # of those volumes
                own = self.engines.with_volume(volumes, model, generation)
        return Fitment(
            make=make,
            model=model,
            generation=generation,
            engines=frozenset(own),
            year_from=years[0],
            year_to=years[1],
        )

    def _fitments_from_engines(self, engines: list[str], years: tuple[int, int]) -> list[Fitment]:
        """Fitments of a name that lists engine codes but no model: where those engines went."""
        out: list[Fitment] = []
        for code in engines:
            for v in self.engines.fitted_to(code):
                fit = Fitment(
                    make=v.make,
                    model=v.model,
                    generation=v.generation,
                    engines=frozenset(e for e in engines if e in v.engines),
                    year_from=years[0],
                    year_to=years[1],
                )
                if fit not in out:
                    out.append(fit)
        return out or [Fitment(engines=frozenset(engines), year_from=years[0], year_to=years[1])]
