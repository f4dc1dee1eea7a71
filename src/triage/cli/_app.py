"""The ``triage`` command line: the list of commands and the exit codes.

Every command is a module of this package with the same shape: ``register(sub)``
adds its parser and sets ``run`` as the default; ``run(args)`` calls the
library, renders the result and returns an exit code.  To add a command, write
such a module and add it to :data:`COMMANDS`.

This module owns the error policy: :class:`~triage.errors.TriageError` becomes
a one-line message on stderr with exit code 1 (data) or 2 (usage); library
warnings are shown once each on stderr; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from triage.cli import agreement, audit, charter, decode, demo, explain, score, synth, train
from triage.cli._common import warnings_to_stderr
from triage.errors import TriageError, UsageError

__all__ = ["COMMANDS", "build_parser", "main"]

#: The commands, in the order ``triage --help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (
    synth,
    decode,
    charter,
    agreement,
    train,
    score,
    explain,
    audit,
    demo,
)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises UsageError instead of exiting, so main() owns exits."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every command registered."""
    from triage import __version__

    parser = _Parser(
        prog="triage",
        description=(
            "Settle the marketing-vs-sales fight over target leads with facts: "
            "generate a world, decode part requests, evaluate and compare charters."
        ),
    )
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 data error, 2 usage error)."""
    try:
        parser = build_parser()
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        run = getattr(args, "run", None)
        if run is None:
            (getattr(args, "help_parser", None) or parser).print_help(sys.stderr)
            return 2
        with warnings_to_stderr():
            return int(run(args) or 0)
    except TriageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # last resort: a file that could not be read or written
        where = exc.filename or "file"
        print(f"error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except SystemExit as exc:  # --help and --version exit through argparse
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
