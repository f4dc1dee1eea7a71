"""Text normalisation: case, ё/е, punctuation, scripts and keyboard layouts.

Everything here is language knowledge, not ranking logic.  The tables for
Russian (transliteration, the ЙЦУКЕН/QWERTY layout pair, Latin look-alike
letters) are plain dictionaries; another language adds its own tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "AbbreviationTable",
    "fix_layout",
    "fix_mixed_script",
    "has_cyrillic",
    "has_latin",
    "lookalike_cyrillic",
    "normalize_code",
    "normalize_text",
    "to_cyrillic",
    "to_latin",
    "tokenize",
]

_EN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_RU_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю."
# Shifted punctuation keys are Cyrillic letters too (Shift+; is Ж).
_EN_SHIFTED = {":": "ж", '"': "э", "<": "б", ">": "ю", "{": "х", "}": "ъ", "~": "ё"}
_EN_TO_RU = str.maketrans(
    {
        **_EN_SHIFTED,
        **dict(zip(_EN_KEYS, _RU_KEYS, strict=True)),
        **{e.upper(): r.upper() for e, r in zip(_EN_KEYS, _RU_KEYS, strict=True) if e.isalpha()},
    }
)
_RU_TO_EN = str.maketrans(
    {
        **{r: e for e, r in zip(_EN_KEYS, _RU_KEYS, strict=True) if r.isalpha()},
        **{r.upper(): e.upper() for e, r in zip(_EN_KEYS, _RU_KEYS, strict=True) if r.isalpha()},
    }
)

# Latin -> Cyrillic, longest first, as Russians type their language in Latin.
_LAT2CYR = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("yo", "е"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "е"),
    ("ja", "я"),
    ("ju", "ю"),
    ("iiu", "ию"),
    ("iia", "ия"),
    ("iu", "ю"),
    ("ia", "я"),
    ("iy", "ий"),
    ("yy", "ый"),
    ("yi", "ый"),
    ("ij", "ий"),
    ("yj", "ый"),
    ("ii", "ий"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "ы"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "к"),
    ("w", "ш"),
    ("x", "х"),
    ("q", "к"),
    ("j", "й"),
    ("'", "ь"),
    ("4", "ч"),
]
_LAT2CYR_RE = re.compile("|".join(re.escape(k) for k, _ in _LAT2CYR))
_LAT2CYR_MAP = dict(_LAT2CYR)

# Cyrillic -> Latin (a simple, invertible-where-possible scheme).
_CYR2LAT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "'",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

# Cyrillic letters that look like Latin ones, for codes typed in the wrong script.
_LOOKALIKE_TO_LATIN = str.maketrans("авекмнорстухАВЕКМНОРСТУХ", "abekmhopctyxABEKMHOPCTYX")
# The same pairs for lower-case words (after normalisation), both ways.
_CYR_LOOK = "аекморстухн"
_LAT_LOOK = "aekmopctyxh"
_LOWER_TO_LATIN = str.maketrans(_CYR_LOOK, _LAT_LOOK)
_LOWER_TO_CYRILLIC = str.maketrans(_LAT_LOOK, _CYR_LOOK)

# Words (a Latin apostrophe inside or at the end is a soft sign: "fil'tr", "opel'"),
# and numbers with a decimal part ("1.6").
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*'?(?:[.,/][0-9]+)*", re.UNICODE)
_CYR_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_LAT_RE = re.compile(r"[a-z]", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalize_text(text: object) -> str:
    """Lowercase, fold ё to е, unify Unicode forms and white space.

    Idempotent: ``normalize_text(normalize_text(x)) == normalize_text(x)``.
    Missing values (None, NaN) become the empty string.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower().replace("ё", "е")
    # "1,6" and "1.6" are the same engine volume; keep the decimal point only.
    s = re.sub(r"(?<=\d),(?=\d)", ".", s)
    return _SPACES.sub(" ", s).strip()


def tokenize(text: str) -> list[str]:
    """Split normalised text into word/number tokens.

    Hyphenated words are split ("астра-h" -> "астра", "h"); decimal numbers stay
    whole ("1.6").  Punctuation is dropped.
    """
    return _TOKEN_RE.findall(text.replace("-", " ").replace("/", " / "))


def has_cyrillic(text: str) -> bool:
    """Whether the text contains a Cyrillic letter."""
    return bool(_CYR_RE.search(text))


def has_latin(text: str) -> bool:
    """Whether the text contains a Latin letter."""
    return bool(_LAT_RE.search(text))


@lru_cache(maxsize=200_000)
def to_cyrillic(word: str) -> str:
    """Transliterate a Latin-script word into Cyrillic ("privod" -> "привод")."""
    return _LAT2CYR_RE.sub(lambda m: _LAT2CYR_MAP[m.group(0)], word.lower())


@lru_cache(maxsize=200_000)
def to_latin(word: str) -> str:
    """Transliterate a Cyrillic word into Latin ("астра" -> "astra")."""
    return "".join(_CYR2LAT.get(ch, ch) for ch in word.lower())


def fix_layout(text: str, *, to: str = "ru") -> str:
    """Retype text as if the right keyboard layout had been on.

    ``to="ru"`` maps QWERTY keys to ЙЦУКЕН ("ghbdjl" -> "привод");
    ``to="en"`` maps the other way ("фыекф" -> "astra").
    """
    if to == "ru":
        return text.translate(_EN_TO_RU)
    if to == "en":
        return text.translate(_RU_TO_EN)
    raise ValueError(f"to must be 'ru' or 'en', got {to!r}")


def normalize_code(code: object) -> str:
    """Canonical form of a part/OEM/cross number: upper case, no separators.

    Cyrillic look-alike letters become Latin ("НU 612/2х" -> "HU6122X").
    """
    if code is None or (isinstance(code, float) and code != code):
        return ""
    s = unicodedata.normalize("NFKC", str(code)).translate(_LOOKALIKE_TO_LATIN)
    return re.sub(r"[^0-9A-Za-z]", "", s).upper()


def lookalike_cyrillic(word: str) -> str:
    """A lower-case Latin word with its look-alike letters typed in Cyrillic ("t300" -> "т300")."""
    return word.translate(_LOWER_TO_CYRILLIC)


def fix_mixed_script(word: str) -> str:
    """Rewrite a word that mixes Latin and Cyrillic look-alike letters in one script.

    Price lists and requests mix scripts inside a word ("Astrа" with a Cyrillic
    "а", "Н7"): the word is rewritten in the script of its letters that have no
    look-alike in the other script, or in Latin when every letter has one.
    Words in one script, and words whose letters cannot all be mapped, are
    returned unchanged.

    >>> fix_mixed_script("astrа")
    'astra'
    >>> fix_mixed_script("фильтр")
    'фильтр'
    """
    if not (has_cyrillic(word) and has_latin(word)):
        return word
    latin = word.translate(_LOWER_TO_LATIN)
    if not has_cyrillic(latin):
        return latin
    cyrillic = word.translate(_LOWER_TO_CYRILLIC)
    if not has_latin(cyrillic):
        return cyrillic
    return word


class AbbreviationTable:
    """Abbreviations of price lists and requests ("к-кт", "пер.", "п/ф"), expanded in text.

    Parameters
    ----------
    pairs : sequence of (abbreviation, expansion)
        Abbreviations and what they stand for.  An abbreviation matches as a
        whole word, with or without a final dot; one that ends in "/" ("д/")
        also matches glued to the next word.

    Examples
    --------
    >>> table = AbbreviationTable([("к-кт", "комплект"), ("пер", "передний"), ("д/", "для")])
    >>> table.expand("к-кт колодок пер. д/astra")
    'комплект колодок передний для astra'
    """

    def __init__(self, pairs: Sequence[tuple[str, str]] = ()) -> None:
        table: dict[str, str] = {}
        for abbr, expansion in pairs:
            key = normalize_text(abbr)
            key = key[:-1] if key.endswith(".") else key
            if key and key not in table:
                table[key] = normalize_text(expansion)
        self.table = table
        # Longest first, so that "рул.тяги" wins over "рул".
        keys = sorted(table, key=lambda k: (-len(k), k))
        alternatives = [
            re.escape(k) if not k[-1].isalnum() else re.escape(k) + r"(?![\w/-])" for k in keys
        ]
        self._re = re.compile(r"(?<![\w/-])(" + "|".join(alternatives) + r")\.?") if keys else None

    def __bool__(self) -> bool:
        return bool(self.table)

    def expand(self, text: str) -> str:
        """The normalised text with every abbreviation written out."""
        if self._re is None or not text:
            return text
        out = self._re.sub(lambda m: f" {self.table[m.group(1)]} ", text)
        return _SPACES.sub(" ", out).strip()
