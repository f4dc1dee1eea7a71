"""Settings resolved when asked; package data found by a regular install from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.config import get_settings
from triage.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_follow_home_and_ship_reference_data(tmp_path: Path) -> None:
    s = get_settings(home=tmp_path)
    assert s.models_dir == tmp_path / "models"
    assert s.reports_dir == tmp_path / "reports"
    assert s.ledger_path == tmp_path / "data" / "ledger.sqlite"
    assert (s.reference_dir / "part_types.csv").is_file()
    assert s.agreed_charter.is_file()


def test_environment_is_read_at_call_time(tmp_path: Path, monkeypatch) -> None:
    before = get_settings()
    monkeypatch.setenv("TRIAGE_HOME", str(tmp_path))
    monkeypatch.setenv("TRIAGE_MODELS_DIR", str(tmp_path / "elsewhere"))
    after = get_settings()
    assert after.home == tmp_path and after.models_dir == tmp_path / "elsewhere"
    assert after.reports_dir == tmp_path / "reports"
    assert before.home != after.home
    # an argument beats the environment
    assert get_settings(models_dir=tmp_path / "arg").models_dir == tmp_path / "arg"


def test_a_redirected_reference_folder_is_used(tmp_path: Path, monkeypatch) -> None:
    from triage.synth._reference import load_reference

    copy = tmp_path / "ref"
    shutil.copytree(get_settings().reference_dir, copy)
    regions = copy / "regions.csv"
    regions.write_text(regions.read_text(encoding="utf-8") + "Марс,true\n", encoding="utf-8")
    monkeypatch.setenv("TRIAGE_REFERENCE_DIR", str(copy))
    assert "Марс" in load_reference().regions["region"].tolist()
    monkeypatch.delenv("TRIAGE_REFERENCE_DIR")
    assert "Марс" not in load_reference().regions["region"].tolist()


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(UsageError, match="unknown setting"):
        get_settings(modles_dir="x")


@pytest.mark.slow
def test_regular_install_works_from_any_folder(tmp_path: Path) -> None:
    """``pip install .`` (not editable), then run from a folder that has no data/."""
    src = tmp_path / "src_copy"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(site), str(src)]
    subprocess.run(pip, check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("TRIAGE_HOME", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "triage.cli", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import triage; print(triage.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))
    world = cli(
        "synth",
        "--out",
        "w",
        "--months",
        "1",
        "--leads-per-month",
        "30",
        "--catalog-size",
        "300",
        "--seed",
        "2",
    )
    assert world.returncode == 0, world.stderr
    decoded = cli("decode", "--catalog", "w/catalog.csv", "--json", "привод левый астра j")
    assert decoded.returncode == 0, decoded.stderr
    judged = cli("agreement", "--leads", "w/leads.csv", "--catalog", "w/catalog.csv")
    assert judged.returncode == 0, judged.stderr
    assert "Target leads counted" in judged.stdout
