"""A guarded YAML reader for files written by people: charters and column mappings.

The reader composes the YAML node tree (so every value keeps its line and
column) with a safe loader that additionally rejects what a hand-written
business file never needs and an attacker loves:

* anchors (``&name``) and aliases (``*name``) -- the "billion laughs" alias bomb;
* explicit tags other than the plain YAML ones (``!!python/object`` and friends);
* files larger than :data:`MAX_FILE_BYTES` and nesting deeper than :data:`MAX_DEPTH`;
* duplicate keys in a mapping (plain YAML silently keeps the last one);
* control characters, U+FFFE/U+FFFF and lone surrogates, written as such or as
  escapes (``"\\ud800"``), and scalars that cannot be read (``2026-02-30``).

Every refusal is a one-line :class:`~triage.errors.DataError` with
``file:line:column``; nothing escapes as a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from triage.errors import DataError

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "YamlDocument", "node_where", "read_yaml"]

#: Largest charter or mapping file accepted, in bytes.
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class _YamlRejected(yaml.YAMLError):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses anchors, aliases and deep nesting."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _YamlRejected(
                f"alias '*{event.anchor}' is not allowed; write the value out in full",
                event.start_mark,
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise _YamlRejected(
                f"anchor '&{event.anchor}' is not allowed; write the value out in full",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _YamlRejected(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


def node_where(source: str, node: Node | None) -> str:
    """``file:line:column`` of a node (1-based), or just the file name."""
    if node is None:
        return source
    mark = node.start_mark
    return f"{source}:{mark.line + 1}:{mark.column + 1}"


@dataclass(frozen=True)
class YamlDocument:
    """A composed YAML document: the root node and the name used in messages."""

    root: Node | None
    source: str

    def where(self, node: Node | None) -> str:
        return node_where(self.source, node)


_CONSTRUCTOR = SafeConstructor()


def scalar_value(node: ScalarNode) -> Any:
    """The Python value of a scalar node (str, int, float, bool, None, date)."""
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


# Characters a value must not hold: C0 controls but tab, LF and CR; DEL..; U+FFFE/FFFF;
# surrogates (only an escape like "\\ud800" can put one there).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_nodes(node: Node, source: str, what: str) -> None:
    """Refuse tags, unusable characters and unreadable scalars anywhere in the tree."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.tag not in _PLAIN_TAGS:
            raise DataError(
                f"{node_where(source, current)}: tag {current.tag!r} is not allowed; "
                f"a {what} holds plain text, numbers, true/false, dates, lists and mappings"
            )
        if isinstance(current, ScalarNode):
            _check_scalar(current, source, what)
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))  # first problem in file order is reported
        elif isinstance(current, MappingNode):
            for key, value in reversed(current.value):
                stack.extend((value, key))


def _check_scalar(node: ScalarNode, source: str, what: str) -> None:
    bad = _BAD_CHAR.search(node.value)
    if bad:
        raise DataError(
            f"{node_where(source, node)}: the value holds character U+{ord(bad.group()):04X} "
            f"(a control character or a lone surrogate), which a {what} cannot use; remove it"
        )
    try:
        scalar_value(node)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(
            f"{node_where(source, node)}: cannot read {node.value!r} ({reason}); "
            "put it in quotes to keep it as text"
        ) from None


def _reader_error(exc: yaml.reader.ReaderError, text: str, source: str, what: str) -> DataError:
    """A character the YAML reader refuses, with its line and column."""
    before = text[: exc.position]
    breaks = list(re.finditer(r"\r\n|[\n\r\x85\u2028\u2029]", before))
    line = len(breaks) + 1
    column = exc.position - (breaks[-1].end() if breaks else 0) + 1
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return DataError(
        f"{source}:{line}:{column}: character U+{char:04X} is not allowed in a {what} file "
        "(a control or non-character); remove it"
    )


def to_python(node: Node) -> Any:
    """Plain Python value of a checked node tree (used for values inside rules)."""
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        return [to_python(item) for item in node.value]
    if isinstance(node, MappingNode):
        return {to_python(k): to_python(v) for k, v in node.value}
    raise TypeError(type(node))  # pragma: no cover


def read_yaml(
    path_or_text: str | Path, *, source: str | None = None, what: str = "charter"
) -> YamlDocument:
    """Compose a YAML document with the guards of this module.

    Parameters
    ----------
    path_or_text : str or Path
        A path to a file, or (when ``source`` is given) the YAML text itself.
    source : str, optional
        Name to use in messages when ``path_or_text`` is text.
    what : str
        What the file is, for messages ("charter", "mapping").

    Raises
    ------
    DataError
        The file is missing, too large, not valid YAML, or uses a rejected
        feature; the message carries ``file:line:column``.
    """
    if source is None:
        path = Path(path_or_text)
        source = str(path)
        if not path.is_file():
            raise DataError(f"{path}: {what} file not found")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataError(
                f"{path}: the {what} file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} "
                f"bytes (a {what} is a short list written by people)"
            )
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: the {what} file is not UTF-8 text ({exc.reason})") from None
    else:
        text = str(path_or_text)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
            raise DataError(f"{source}: the {what} text is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        loader = _GuardedLoader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source, what) from None
    try:
        root = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source, what) from None
    except _YamlRejected as exc:
        line, col = exc.mark.line + 1, exc.mark.column + 1
        raise DataError(f"{source}:{line}:{col}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise DataError(f"{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise DataError(f"{source}: nesting too deep to read") from None
    finally:
        loader.dispose()
    if root is not None:
        _check_nodes(root, source, what)
    return YamlDocument(root=root, source=source)
