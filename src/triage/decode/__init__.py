"""Decode vague, misspelled, slangy, transliterated part requests into catalog items.

``Decoder`` is a scikit-learn style transformer: ``Decoder(catalog).fit()``
indexes the catalog, ``transform`` adds the ``decoded_*`` columns.
``decode_requests`` is the thin function over it.  The catalog is always
explicit: the shop's catalog is the authority on what the shop sells.
"""

from triage.decode._analyze import Analysis, Match, TextAnalyzer
from triage.decode._catalog import CatalogIndex, load_catalog
from triage.decode._decoder import Decoder, DecodeResult, decode_requests
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
    "fix_layout",
    "load_catalog",
    "load_lexicon",
    "normalize_code",
    "normalize_text",
    "to_cyrillic",
    "to_latin",
    "tokenize",
]
