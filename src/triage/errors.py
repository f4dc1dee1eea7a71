"""Exceptions that the CLI turns into clear messages and exit codes.

``DataError`` (exit code 1): the input data is wrong -- a file is missing or
unreadable, a column is absent, a value has the wrong type.  ``UsageError``
(exit code 2): the command line itself is wrong.  Both carry a message meant
for the person at the keyboard: it names the file, the row/line and the field
where it can, and says how to fix it.
"""

from __future__ import annotations


class TriageError(Exception):
    """Base class of the errors triage reports without a traceback."""

    exit_code = 1


class DataError(TriageError, ValueError):
    """Input data cannot be used as given (exit code 1)."""

    exit_code = 1


class UsageError(TriageError, ValueError):
    """The command or function was called wrongly (exit code 2)."""

    exit_code = 2


class TriageWarning(UserWarning):
    """Something about the data a person should know; the work went on.

    The library never prints: it warns, and the CLI shows each distinct
    warning once on stderr as ``warning: ...``.
    """
