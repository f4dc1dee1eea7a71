"""The ``triage`` command line: parse, call the library, write, report.

Every subcommand lives in the ``_cli`` module of its package and registers
itself through ``register(subparsers)``; the handler it sets as ``func`` takes
the parsed arguments and returns an exit code.  This module owns the error
policy: :class:`~triage.errors.TriageError` becomes a one-line message on
stderr with exit code 1 (data) or 2 (usage); nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from triage.errors import TriageError, UsageError

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises UsageError instead of exiting, so main() owns exits."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every subcommand registered."""
    from triage import __version__, _demo_cli
    from triage.charter import _cli as charter_cli
    from triage.decode import _cli as decode_cli
    from triage.synth import _cli as synth_cli

    parser = _Parser(
        prog="triage",
        description=(
            "Settle the marketing-vs-sales fight over target leads with facts: "
            "generate a world, decode part requests, evaluate and compare charters."
        ),
    )
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    synth_cli.register(sub)
    decode_cli.register(sub)
    charter_cli.register(sub)
    _demo_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 data error, 2 usage error)."""
    try:
        parser = build_parser()
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if getattr(args, "func", None) is None:
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args) or 0)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
