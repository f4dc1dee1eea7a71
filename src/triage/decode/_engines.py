"""Engine codes in texts, and engine knowledge both ways.

Requests and price lists write engine codes in many ways: "Z18XER",
"z18xer", "Z1.8XER" (dotted), and lists that share a prefix: "Z16XEP/XER" is
Z16XEP and Z16XER, "A14XEL/XER/NEL" three codes.  :class:`EngineReader` finds
them and rewrites the text so that every code is one whole token.  It also
answers the vehicle table's questions both ways: which engines a model (and
generation) has with a given volume, and which generations an engine code
was fitted to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.decode._lexicon import Lexicon, Vehicle

__all__ = ["ENGINE_PATTERN", "EngineReader"]

#: What an engine code looks like when the vehicle table does not know it
#: (GM style: a letter, two digits of volume, two to four letters, maybe a digit).
ENGINE_PATTERN = re.compile(r"^[a-z]\d{2}[a-z]{2,4}\d?$")
# A code written with the volume's decimal point ("z1.8xer").
_DOTTED = re.compile(r"(?<![\w.])([a-z])(\d)\.(\d)([a-z]{2,4}\d?)(?![\w.])")
# A code followed by suffixes that share its prefix ("z16xep/xer/xel", "a14xel, /nel").
_LIST = re.compile(r"(?<![\w.])([a-z]\d{2})([a-z]{2,4}\d?)((?:\s?/\s?[a-z]{2,4}\d?)+)(?![\w.])")
_WORD = re.compile(r"[a-z0-9]+")
# Bare suffixes written without a prefix: "(xep, xer)", "xep/xer", "1.6 xer".
_SUFFIX_GROUP = re.compile(
    r"\(([a-z0-9\s,/]+)\)|(?<![\w/])([a-z]{2,4}\d?(?:\s?[/,]\s?[a-z]{2,4}\d?)+)(?![\w])"
)
_SUFFIX_AFTER_VOLUME = re.compile(r"(?<=\d\.\d\s)([a-z]{2,4}\d?)(?![\w.])")


class EngineReader:
    """Engine codes of a vehicle table, found in normalised (lower-case) text.

    Parameters
    ----------
    lexicon : Lexicon
        Its vehicle table and engine volumes define the known codes.

    Examples
    --------
    >>> from triage.decode import load_lexicon
    >>> reader = EngineReader(load_lexicon())
    >>> reader.read("фильтр astra h z16xep/xer, z1.8xer", lists=True)
    (['Z16XEP', 'Z16XER', 'Z18XER'], 'фильтр astra h z16xep z16xer, z18xer')
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.vehicles: list[Vehicle] = list(lexicon.vehicles)
        self.volume: dict[str, float] = dict(lexicon.engine_volume)
        self.known: set[str] = {e for v in self.vehicles for e in v.engines} | set(self.volume)
        self._lower = {code.lower() for code in self.known}
        #: what follows the prefix (letter and two digits of volume) of known codes
        self.suffixes = {
            code[3:].lower() for code in self.known if len(code) > 4 and code[1:3].isdigit()
        }

    def is_code(self, word: str, *, loose: bool = False) -> bool:
        """Whether a lower-case word is a known code (or, ``loose``, looks like one)."""
        return word in self._lower or (loose and bool(ENGINE_PATTERN.match(word)))

    def read(self, text: str, *, lists: bool = False) -> tuple[list[str], str]:
        """Engine codes in ``text`` (upper case, in order) and the text with each code whole.

        ``lists=True`` (catalog names) also expands shared-prefix lists and
        accepts codes the table does not know when they look like engine codes.
        """
        if not any(ch.isdigit() for ch in text):
            return [], text
        text = _DOTTED.sub(self._undot, text)
        if lists and "/" in text:
            text = _LIST.sub(lambda m: self._expand_list(m, loose=lists), text)
        found: list[str] = []
        for word in _WORD.findall(text):
            if self.is_code(word, loose=lists) and word.upper() not in found:
                found.append(word.upper())
        return found, text

    def read_suffixes(self, text: str) -> tuple[list[str], str]:
        """Bare engine-code suffixes of a catalog name and the name without them.

        "1.6/1.8 16V (XEP, XER)" lists engines by volume and suffix; the
        suffixes are taken out (they are not words) and returned upper case.

        >>> from triage.decode import load_lexicon
        >>> EngineReader(load_lexicon()).read_suffixes("грм astra 1.6/1.8 16v (xep, xer) 04-")
        (['XEP', 'XER'], 'грм astra 1.6/1.8 16v 04-')
        """
        found: list[str] = []

        def take(m: re.Match[str]) -> str:
            items = [x for x in re.split(r"[\s,/]+", m.group(0).strip("()")) if x]
            if not items or not all(x in self.suffixes for x in items):
                return m.group(0)
            found.extend(x.upper() for x in items if x.upper() not in found)
            return " "

        text = _SUFFIX_GROUP.sub(take, text)
        text = _SUFFIX_AFTER_VOLUME.sub(take, text)
        return found, " ".join(text.split())

    def _undot(self, m: re.Match[str]) -> str:
        code = f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(4)}"
        return code if self.is_code(code, loose=True) else m.group(0)

    def _expand_list(self, m: re.Match[str], *, loose: bool) -> str:
        prefix, first = m.group(1), m.group(2)
        suffixes = [s.strip() for s in m.group(3).split("/") if s.strip()]
        codes = [prefix + first] + [prefix + s for s in suffixes]
        if not all(self.is_code(c, loose=loose) for c in codes):
            return m.group(0)
        return " ".join(codes)

    # -- the vehicle table, both ways ---------------------------------------
    def with_volume(self, volumes: list[float], model: str = "", generation: str = "") -> set[str]:
        """Engine codes of a model (and generation) whose displacement is one of ``volumes``."""
        wanted = {round(v, 1) for v in volumes}
        return {
            e
            for v in self.vehicles
            if (not model or v.model == model) and (not generation or v.generation == generation)
            for e in v.engines
            if self.volume.get(e) in wanted
        }

    def fitted_to(self, code: str) -> list[Vehicle]:
        """The generations an engine code was fitted to."""
        return [v for v in self.vehicles if code in v.engines]

    def from_suffixes(
        self, suffixes: list[str], volumes: list[float], vehicles: list[Vehicle]
    ) -> list[str]:
        """Codes written as bare suffixes next to volumes ("1.6/1.8 (XEP, XER)").

        A suffix stands for every engine of the given vehicles that ends with it
        and has one of the volumes.
        """
        wanted = {round(v, 1) for v in volumes}
        ends = tuple(s.upper() for s in suffixes)
        out: list[str] = []
        for v in vehicles:
            for e in v.engines:
                fits = e[1:3].isdigit() and e[3:] in ends
                if fits and (not wanted or self.volume.get(e) in wanted) and e not in out:
                    out.append(e)
        return out
