"""The ``triage`` command line (see :mod:`triage.cli._app`)."""

from __future__ import annotations

from triage.cli._app import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
