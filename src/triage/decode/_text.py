"""Text normalisation: case, ё/е, punctuation, scripts and keyboard layouts.

Everything here is language knowledge, not ranking logic.  The tables for
Russian (transliteration, the ЙЦУКЕН/QWERTY layout pair, Latin look-alike
letters) are plain dictionaries; another language adds its own tables.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "fix_layout",
    "has_cyrillic",
    "has_latin",
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
