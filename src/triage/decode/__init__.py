"""Decode vague, misspelled, slangy, transliterated part requests into catalog items.

``Decoder`` is built once from a catalog; ``decode_requests`` is the thin
function over it that the CLI, the charter and the notebooks call.
"""

from triage.decode._analyze import Analysis, Match, TextAnalyzer
from triage.decode._catalog import CatalogIndex, load_catalog
from triage.decode._decoder import Decoder, DecodeResult, decode_requests, default_catalog
from triage.decode._lexicon import Lexicon, load_lexicon
from triage.decode._text import (
    fix_layout,
    normalize_code,
    normalize_text,
    to_cyrillic,
    to_latin,
    tokenize,
)

__all__ = [
    "Analysis",
    "CatalogIndex",
    "DecodeResult",
    "Decoder",
    "Lexicon",
    "Match",
    "TextAnalyzer",
    "decode_requests",
    "default_catalog",
    "fix_layout",
    "load_catalog",
    "load_lexicon",
    "normalize_code",
    "normalize_text",
    "to_cyrillic",
    "to_latin",
    "tokenize",
]
