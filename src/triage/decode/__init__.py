"""Decode vague, misspelled, slangy, transliterated part requests into catalog items.

``Decoder`` is a scikit-learn style transformer: ``Decoder(catalog).fit()``
indexes the catalog, ``transform`` adds the ``decoded_*`` columns.  Plain
price lists (article and name) are read by ``NameReader``: items listed for
many cars keep every fitment.
``decode_requests`` is the thin function over it.  The catalog is always
explicit: the shop's catalog is the authority on what the shop sells.
"""

from triage.decode._analyze import Analysis, Match, TextAnalyzer
from triage.decode._catalog import CatalogIndex, FitmentTable, build_index, load_catalog
from triage.decode._decoder import Decoder, DecodeResult, decode_requests
from triage.decode._engines import EngineReader
from triage.decode._lexicon import Lexicon, load_lexicon
from triage.decode._names import Fitment, NameReader, ParsedName
from triage.decode._text import (
    AbbreviationTable,
    fix_layout,
    fix_mixed_script,
    normalize_code,
    normalize_text,
    to_cyrillic,
    to_latin,
    tokenize,
)

__all__ = [
    "AbbreviationTable",
    "Analysis",
    "CatalogIndex",
    "DecodeResult",
    "Decoder",
    "EngineReader",
    "Fitment",
    "FitmentTable",
    "Lexicon",
    "Match",
    "NameReader",
    "ParsedName",
    "TextAnalyzer",
    "build_index",
    "decode_requests",
    "fix_layout",
    "fix_mixed_script",
    "load_catalog",
    "load_lexicon",
    "normalize_code",
    "normalize_text",
    "to_cyrillic",
    "to_latin",
    "tokenize",
]
