"""Paths and settings shared by every part of triage."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find_project_root() -> Path:
    """The repository root when running from a checkout, else the working directory."""
    env = os.environ.get("TRIAGE_HOME")
    if env:
        return Path(env).resolve()
    for candidate in (PACKAGE_DIR.parent.parent, Path.cwd()):
        if (candidate / "data" / "reference").is_dir():
            return candidate
    return Path.cwd()


PROJECT_ROOT = _find_project_root()
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
CHARTERS_DIR = DATA_DIR / "charters"
SAMPLE_DIR = DATA_DIR / "sample"
MODELS_DIR = PROJECT_ROOT / "models"

#: Seed used by the demo and by every generator unless told otherwise.
DEFAULT_SEED = 7
