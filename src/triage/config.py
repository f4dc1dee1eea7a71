"""Where triage finds and writes things: one settings object, resolved when asked.

Nothing here is computed at import time.  :func:`get_settings` reads the
environment each time it is called, so tests and users can redirect any path
with an argument or an environment variable:

=====================  ==========================  =========================================
setting                environment variable        default
=====================  ==========================  =========================================
``home``               ``TRIAGE_HOME``             the current working directory
``reference_dir``      ``TRIAGE_REFERENCE_DIR``    the reference data shipped in the package
``charters_dir``       ``TRIAGE_CHARTERS_DIR``     the charters shipped in the package
``models_dir``         ``TRIAGE_MODELS_DIR``       ``<home>/models``
``reports_dir``        ``TRIAGE_REPORTS_DIR``      ``<home>/reports``
``ledger_path``        ``TRIAGE_LEDGER``           ``<home>/data/ledger.sqlite``
``sample_dir``         ``TRIAGE_SAMPLE_DIR``       ``<home>/data/sample``
=====================  ==========================  =========================================

The reference data and the shipped charters are package data (found through
:mod:`importlib.resources`), so a regular ``pip install .`` works from any
folder; in a checkout, ``data/reference`` and ``data/charters`` are links to
the same files.

Examples
--------
>>> s = get_settings(home="/tmp/shop")
>>> s.models_dir.as_posix()
'/tmp/shop/models'
>>> (s.reference_dir / "part_types.csv").is_file()
True
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from triage.errors import UsageError

__all__ = ["DEFAULT_SEED", "Settings", "get_settings", "package_data"]

#: Seed used by the demo and by every generator unless told otherwise.
DEFAULT_SEED = 7

_ENV = {
    "home": "TRIAGE_HOME",
    "reference_dir": "TRIAGE_REFERENCE_DIR",
    "charters_dir": "TRIAGE_CHARTERS_DIR",
    "models_dir": "TRIAGE_MODELS_DIR",
    "reports_dir": "TRIAGE_REPORTS_DIR",
    "ledger_path": "TRIAGE_LEDGER",
    "sample_dir": "TRIAGE_SAMPLE_DIR",
}


def package_data(*parts: str) -> Path:
    """A folder or file shipped inside the installed package (``triage/data/...``).

    Raises
    ------
    UsageError
        The installation is incomplete (the package data is missing).
    """
    path = Path(str(resources.files("triage").joinpath("data", *parts)))
    if not path.exists():
        raise UsageError(
            f"{path}: package data missing; reinstall triage (pip install .) "
            "or set the matching TRIAGE_* environment variable"
        )
    return path


@dataclass(frozen=True)
class Settings:
    """Paths triage reads and writes.  Build one with :func:`get_settings`."""

    home: Path
    reference_dir: Path
    charters_dir: Path
    models_dir: Path
    reports_dir: Path
    ledger_path: Path
    sample_dir: Path
    seed: int = DEFAULT_SEED

    @property
    def agreed_charter(self) -> Path:
        """The agreed charter (``agreed.yaml``) of :attr:`charters_dir`."""
        return self.charters_dir / "agreed.yaml"

    def replace(self, **changes: object) -> Settings:
        """A copy with some settings changed (paths given as str are converted)."""
        fixed = {k: Path(str(v)) if k != "seed" else v for k, v in changes.items()}
        return dataclasses.replace(self, **fixed)  # type: ignore[arg-type]


def get_settings(**overrides: str | os.PathLike[str] | int | None) -> Settings:
    """The settings, from arguments first, then the environment, then the defaults.

    Parameters
    ----------
    **overrides
        Any field of :class:`Settings`; ``None`` means "not given".
    """
    unknown = sorted(set(overrides) - set(_ENV) - {"seed"})
    if unknown:
        raise UsageError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join([*_ENV, 'seed'])}"
        )

    def given(name: str) -> Path | None:
        value = overrides.get(name)
        if value is None:
            value = os.environ.get(_ENV[name]) or None
        return Path(str(value)).expanduser() if value is not None else None

    home = given("home") or Path.cwd()
    seed = overrides.get("seed")
    return Settings(
        home=home,
        reference_dir=given("reference_dir") or package_data("reference"),
        charters_dir=given("charters_dir") or package_data("charters"),
        models_dir=given("models_dir") or home / "models",
        reports_dir=given("reports_dir") or home / "reports",
        ledger_path=given("ledger_path") or home / "data" / "ledger.sqlite",
        sample_dir=given("sample_dir") or home / "data" / "sample",
        seed=int(seed) if isinstance(seed, int) else DEFAULT_SEED,
    )
