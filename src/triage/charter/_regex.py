"""Safe regular expressions for the ``matches`` op.

The choice: patterns run on RE2 (through pyarrow's compute kernels), an engine
whose running time is linear in the text, so no pattern -- ``(a+)+$`` included
-- can backtrack catastrophically.  The price is that RE2 has no backreferences
(``\\1``) and no look-around (``(?=...)``, ``(?<=...)``); such patterns are
rejected when the charter is read, with the position of the problem.  Patterns
are also capped at :data:`MAX_PATTERN_LENGTH` characters.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MAX_PATTERN_LENGTH", "check_pattern", "regex_search"]

MAX_PATTERN_LENGTH = 300


def check_pattern(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used with ``matches``, or None when it can."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"the pattern is {len(pattern)} characters long; the limit is {MAX_PATTERN_LENGTH}"
    try:
        pc.match_substring_regex(pa.array([""], type=pa.string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = str(exc).replace("Invalid regular expression: ", "")
        return (
            f"pattern {pattern!r} is not accepted ({reason}); backreferences and look-arounds "
            "are not supported because patterns run on a linear-time engine"
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"pattern {pattern!r} is not a valid regular expression ({exc})"
    return None


def regex_search(values: pa.Array, pattern: str, *, case_sensitive: bool) -> pa.Array:
    """Whether each text contains a match of ``pattern`` (RE2, linear time)."""
    return pc.match_substring_regex(values, pattern, ignore_case=not case_sensitive)
