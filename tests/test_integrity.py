"""Issue 8, "every row accounted for": each numbered case of the issue, through ``main([...])``.

Case 8 (decoding reproducible across hash seeds) is in ``test_decode_determinism.py``;
the property tests of the reader and writers are in ``test_io_fuzz.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest

from triage.cli import main
from triage.config import get_settings
from triage.synth import generate_world, write_world

AGREED = str(get_settings().charters_dir / "agreed.yaml")
DATA = Path(__file__).parent / "data"
MINI = str(DATA / "mini_catalog.csv")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A small generated world: catalog.csv, leads.csv (120 leads), truth.csv, world.json."""
    out = tmp_path_factory.mktemp("w8")
    write_world(generate_world(months=2, leads_per_month=60, catalog_size=400, seed=3), out)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _charter(tmp_path: Path, rule: str, name: str = "c.yaml") -> str:
    path = tmp_path / name
    path.write_text(f"charter: c\ncriteria:\n  - id: a\n    rule: {rule}\n", encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- case 1


@pytest.mark.parametrize(
    "command",
    [
        ["agreement", "--no-decode", "--no-charter"],
        ["charter", "evaluate", AGREED, "--no-decode"],
    ],
)
def test_case1_out_equal_to_the_input_is_refused(world, tmp_path, capsys, command) -> None:
    mine = tmp_path / "my.csv"
    mine.write_bytes((world / "leads.csv").read_bytes())
    before = _digest(mine)
    assert main([*command, "--leads", str(mine), "--out", str(mine)]) == 2
    assert "would overwrite the input file" in capsys.readouterr().err
    assert _digest(mine) == before


def test_case1_out_equal_to_any_input_is_refused(world, tmp_path, capsys) -> None:
    """The same file under another spelling, and inputs other than the leads."""
    leads = world / "leads.csv"
    charter = tmp_path / "agreed.yaml"
    charter.write_text(Path(AGREED).read_text(encoding="utf-8"), encoding="utf-8")
    spelled = tmp_path / ".." / tmp_path.name / "agreed.yaml"
    before = _digest(charter)
    assert main(["charter", "diff", str(charter), AGREED, "--out", str(spelled)]) == 2
    src = tmp_path / "requests.csv"
    src.write_text("text\nпривод левый астра j\n", encoding="utf-8")
    argv = ["decode", "--input", str(src), "--text-column", "text", "--catalog", MINI]
    assert main([*argv, "--out", str(src)]) == 2
    assert main(["agreement", "--leads", str(leads), "--no-decode", "--out", str(leads)]) == 2
    err = capsys.readouterr().err
    assert err.count("would overwrite the input file") == 3
    assert _digest(charter) == before


# --------------------------------------------------------------------------- case 2


def test_case2_trailing_delimiter_export_is_repaired(world, tmp_path, capsys) -> None:
    lines = (world / "leads.csv").read_text(encoding="utf-8").splitlines()
    shifted = tmp_path / "t.csv"
    shifted.write_text("\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n")
    out = tmp_path / "o.csv"
    argv = ["charter", "evaluate", AGREED, "--leads", str(shifted), "--no-decode"]
    assert main([*argv, "--out", str(out)]) == 0
    assert "every data row ends with an extra comma" in capsys.readouterr().err
    original = pd.read_csv(world / "leads.csv", dtype=str, keep_default_na=False)
    judged = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert judged["lead_id"].tolist() == original["lead_id"].tolist()
    assert judged["region"].tolist() == original["region"].tolist()
    assert judged["manager"].tolist() == original["manager"].tolist()


# --------------------------------------------------------------------------- case 3

UNCLOSED = 'lead_id,request_text,region\nL1,"unclosed,М\nL2,t,М\nL3,"x",М\nL4,t,М\n'


def test_case3_unclosed_quote_is_refused_at_its_line(tmp_path, capsys) -> None:
    leads = tmp_path / "uq.csv"
    leads.write_text(UNCLOSED, encoding="utf-8")
    charter = _charter(tmp_path, "{field: region, op: eq, value: М}")
    argv = ["charter", "evaluate", charter, "--leads", str(leads), "--out", str(tmp_path / "o.csv")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{leads}:2: a quote opened on this line is not closed" in err
    assert "--quarantine FILE" in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_case3_unclosed_quote_rows_go_to_the_quarantine(tmp_path, capsys) -> None:
    leads = tmp_path / "uq.csv"
    leads.write_text(UNCLOSED, encoding="utf-8")
    charter = _charter(tmp_path, "{field: region, op: eq, value: М}")
    out, aside = tmp_path / "o.csv", tmp_path / "aside.csv"
    argv = ["charter", "evaluate", charter, "--leads", str(leads), "--out", str(out)]
    assert main([*argv, "--quarantine", str(aside)]) == 0
    assert "1 of 2 data rows read; 1 set aside in" in capsys.readouterr().err
    assert pd.read_csv(out)["lead_id"].tolist() == ["L4"]
    quarantined = pd.read_csv(aside)
    assert quarantined[["line", "last_line"]].values.tolist() == [[2, 4]]
    assert quarantined["text"].iloc[0] == 'L1,"unclosed,М\nL2,t,М\nL3,"x",М'


# --------------------------------------------------------------------------- case 4


def test_case4_bare_carriage_return_is_quoted(tmp_path, capsys) -> None:
    src = tmp_path / "requests.parquet"
    pd.DataFrame({"id": ["1", "2"], "text": ["\r=1+1", "привод\rлевый"]}).to_parquet(src)
    out = tmp_path / "decoded.csv"
    argv = ["decode", "--input", str(src), "--text-column", "text", "--catalog", MINI]
    assert main([*argv, "--out", str(out)]) == 0
    raw = out.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(rows) == 3  # any reader sees two rows, not four
    assert [r[1] for r in rows[1:]] == ["'\r=1+1", "привод\rлевый"]
    by_pandas = pd.read_csv(io.StringIO(raw, newline=""), dtype=str)
    assert by_pandas["text"].tolist() == ["'\r=1+1", "привод\rлевый"]


# --------------------------------------------------------------------------- case 5


@pytest.mark.parametrize(("suffix", "writer"), [(".csv", "to_csv"), (".xlsx", "to_excel")])
def test_case5_interrupted_write_keeps_the_earlier_output(
    world, tmp_path, capsys, monkeypatch, suffix, writer
) -> None:
    out = tmp_path / f"judged{suffix}"
    argv = ["charter", "evaluate", AGREED, "--leads", str(world / "leads.csv"), "--no-decode"]
    assert main([*argv, "--out", str(out)]) == 0
    before = _digest(out)
    real = getattr(pd.DataFrame, writer)

    def interrupted(self, path, *args, **kwargs):
        real(self.head(3), path, *args, **kwargs)  # a clean-looking, truncated file
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, writer, interrupted)
    assert main([*argv, "--out", str(out)]) == 130
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary left


def test_case5_failed_first_write_leaves_nothing(tmp_path, monkeypatch) -> None:
    from triage.io import write_table

    def broken(self, path, *args, **kwargs):
        Path(path).write_text("lead_id\nL1\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(Exception, match="No space left"):
        write_table(pd.DataFrame({"lead_id": ["L1", "L2"]}), tmp_path / "o.csv")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- case 6


def test_case6_duplicate_column_names_are_refused(tmp_path, capsys) -> None:
    leads = tmp_path / "dup.csv"
    leads.write_text("lead_id,region,region\nL1,Москва,Тверь\n", encoding="utf-8")
    charter = _charter(tmp_path, "{field: region, op: eq, value: Москва}")
    assert main(["charter", "check", charter, "--leads", str(leads)]) == 1
    err = capsys.readouterr().err
    assert f"{leads}:1: column name 'region' appears twice (columns 2 and 3)" in err
    assert "region.1" not in err


def test_case6_short_rows_are_refused_not_padded(tmp_path, capsys) -> None:
    leads = tmp_path / "short.csv"
    leads.write_text("lead_id,region,channel\nL1,Москва,avito\nL2,Тверь\n", encoding="utf-8")
    charter = _charter(tmp_path, "{field: region, op: eq, value: Москва}")
    out = tmp_path / "o.csv"
    argv = ["charter", "evaluate", charter, "--leads", str(leads), "--out", str(out)]
    assert main(argv) == 1
    assert f"{leads}:3: the row has 2 field(s), the header has 3" in capsys.readouterr().err
    assert main([*argv, "--quarantine", str(out)]) == 2  # the quarantine is not the output
    aside = tmp_path / "aside.csv"
    assert main([*argv, "--quarantine", str(aside)]) == 0
    assert pd.read_csv(out)["lead_id"].tolist() == ["L1"]
    assert pd.read_csv(aside)["line"].tolist() == [3]


def test_case6_unquoted_line_break_is_not_a_phantom_row(tmp_path, capsys) -> None:
    leads = tmp_path / "phantom.csv"
    leads.write_text(
        "lead_id,request_text,region\nL1,привод\nлевый астра,Москва\nL2,колодки,Тверь\n",
        encoding="utf-8",
    )
    charter = _charter(tmp_path, "{field: region, op: eq, value: Москва}")
    assert main(["charter", "check", charter, "--leads", str(leads)]) == 1
    err = capsys.readouterr().err
    assert f"{leads}:2:" in err
    assert "split by a line break inside a value that is not in quotes" in err


# --------------------------------------------------------------------------- case 7


def _synth(out: Path, *extra: str) -> int:
    small = ["--months", "1", "--leads-per-month", "10", "--catalog-size", "400"]
    return main(["synth", "--out", str(out), *small, *extra])


def test_case7_synth_does_not_overwrite_the_users_files(tmp_path, capsys) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "leads.csv").write_text("my own leads\n", encoding="utf-8")
    (folder / "catalog.csv").write_text("my own catalog\n", encoding="utf-8")
    assert _synth(folder) == 1
    err = capsys.readouterr().err
    assert "already holds catalog.csv, leads.csv" in err and "--force" in err
    assert (folder / "leads.csv").read_text(encoding="utf-8") == "my own leads\n"
    assert not (folder / "world.json").exists()
    assert _synth(folder, "--force") == 0
    assert len(pd.read_csv(folder / "leads.csv")) == 10


def test_case7_demo_does_not_overwrite_the_users_files(tmp_path, capsys) -> None:
    folder = tmp_path / "sample"
    folder.mkdir()
    (folder / "leads.csv").write_text("my own leads\n", encoding="utf-8")
    assert main(["demo", "--out", str(folder), "--months", "1", "--leads-per-month", "10"]) == 1
    assert "already holds leads.csv" in capsys.readouterr().err
    assert (folder / "leads.csv").read_text(encoding="utf-8") == "my own leads\n"


# --------------------------------------------------------------------------- case 9


def test_case9_offset_keeps_the_local_clock_time(tmp_path, capsys) -> None:
    leads = tmp_path / "offset.csv"
    leads.write_text(
        "lead_id,created_at\n"
        "L1,2026-05-04 09:40+03:00\nL2,2026-05-04T09:40:00Z\nL3,2026-05-04 09:40\n",
        encoding="utf-8",
    )
    charter = _charter(tmp_path, "{field: hour, op: eq, value: 9}")
    out = tmp_path / "o.csv"
    argv = ["charter", "evaluate", charter, "--leads", str(leads), "--out", str(out)]
    assert main(argv) == 0
    judged = pd.read_csv(out)
    assert judged["hour"].tolist() == [9, 9, 9]
    assert judged["charter_verdict"].tolist() == ["target"] * 3
    err = capsys.readouterr().err
    assert "2 created_at value(s) carry a UTC offset" in err
    assert "the offset is dropped and the local clock time kept" in err


# --------------------------------------------------------------------------- case 10


def test_case10_russian_numbers_are_read_or_warned(tmp_path, capsys) -> None:
    leads = tmp_path / "money.csv"
    leads.write_text(
        "lead_id;revenue_rub\nL1;1 234,50\nL2;12\u00a0345 ₽\nL3;1.234,50\nL4;около 500\nL5;999\n",
        encoding="utf-8",
    )
    charter = _charter(tmp_path, "{field: revenue_rub, op: gt, value: 1000}")
    out = tmp_path / "o.csv"
    argv = ["charter", "evaluate", charter, "--leads", str(leads), "--out", str(out)]
    assert main(argv) == 0
    crit = pd.read_csv(out, dtype=str, keep_default_na=False)["crit_a"].tolist()
    assert crit == ["True", "True", "True", "", "False"]
    err = capsys.readouterr().err
    assert "1 of 5 value(s) of 'revenue_rub' are not numbers (e.g. 'около 500')" in err


def test_case10_unknown_verdict_words_are_counted(tmp_path, capsys) -> None:
    leads = tmp_path / "verdicts.csv"
    leads.write_text(
        "marketing_verdict,sales_verdict\n"
        "Целевой лид,target\nЦелевой лид,Квалифицирован\nn/a,non_target\nцелевой,нецелевой\n",
        encoding="utf-8",
    )
    assert main(["agreement", "--leads", str(leads), "--no-charter"]) == 0
    err = capsys.readouterr().err
    assert "marketing_verdict: 3 of 4 verdict(s) are words triage does not know" in err
    assert "'Целевой лид' (2), 'n/a' (1)" in err
    assert "sales_verdict: 1 of 4" in err and "'Квалифицирован' (1)" in err


def test_case10_type_mismatch_is_caught_by_check_and_evaluate(world, tmp_path, capsys) -> None:
    charter = _charter(tmp_path, "{field: region, op: gt, value: 5}")
    leads = str(world / "leads.csv")
    assert main(["charter", "check", charter, "--leads", leads]) == 1
    assert "gt compares numbers, but 'region' holds text" in capsys.readouterr().err
    out = tmp_path / "o.csv"
    assert main(["charter", "evaluate", charter, "--leads", leads, "--out", str(out)]) == 1
    assert "gt compares numbers, but 'region' holds text" in capsys.readouterr().err
    assert not out.exists()


def test_case10_misspelled_field_is_refused(world, tmp_path, capsys) -> None:
    typo = tmp_path / "typo.yaml"
    text = Path(AGREED).read_text(encoding="utf-8")
    typo.write_text(text.replace("field: region", "field: regoin"), encoding="utf-8")
    out = tmp_path / "o.csv"
    argv = ["charter", "evaluate", str(typo), "--leads", str(world / "leads.csv"), "--no-decode"]
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "unknown field 'regoin'" in err and "did you mean 'region'?" in err
    assert not out.exists()


def test_case10_unmapped_export_is_refused(tmp_path, capsys) -> None:
    crm = str(DATA / "crm_export_example.csv")  # Russian column names: needs --map
    out = tmp_path / "o.csv"
    argv = ["charter", "evaluate", AGREED, "--leads", crm, "--no-decode", "--out", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "none of the fields the charter reads" in err and "--map" in err
    assert not out.exists()


# --------------------------------------------------------------------------- crashes

HOSTILE = {
    "nul": "region: a\x00b\n",
    "control": "region: a\x07b\n",
    "fffe": "region: a\ufffeb\n",
    "surrogate": 'region: "\\ud800"\n',
    "nul_escape": 'region: "a\\0b"\n',
}
_RULE = "charter: c\ncriteria:\n  - id: a\n    rule: {{field: region, op: eq, value: {}}}\n"


def _hostile_charter(name: str) -> str:
    """A valid charter whose rule value holds the hostile text (printed by ``check``)."""
    value = HOSTILE[name].removeprefix("region: ").rstrip("\n")
    return _RULE.format(value)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_charter_is_a_one_line_error(tmp_path, capsys, name) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(_hostile_charter(name), encoding="utf-8")
    assert main(["charter", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"error: {path}:")
    assert err.split(":")[2].isdigit() and err.split(":")[3].isdigit()  # file:line:col


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_mapping_is_a_one_line_error(world, tmp_path, capsys, name) -> None:
    path = tmp_path / "hostile_map.yaml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    leads = str(world / "leads.csv")
    assert main(["charter", "check", AGREED, "--leads", leads, "--map", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith(f"error: {path}:") and err.count("\n") == 1


# --------------------------------------------------------------------------- also


@pytest.mark.parametrize(
    "command",
    [
        ["charter", "evaluate", AGREED, "--no-decode"],
        ["agreement", "--no-decode"],
        ["charter", "diff", AGREED, AGREED, "--no-decode"],
    ],
)
def test_out_is_checked_before_any_work(world, tmp_path, capsys, monkeypatch, command) -> None:
    import triage.cli._common as common

    def no_work(*args, **kwargs):
        raise AssertionError("work started before --out was checked")

    for module in ("triage.cli.charter", "triage.cli.agreement"):
        monkeypatch.setattr(f"{module}.load_leads_from", no_work)
    monkeypatch.setattr(common, "load_leads_from", no_work)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    suffix = ".html" if "diff" in command else ".csv"
    out = blocker / "sub" / f"o{suffix}"
    argv = [*command, "--leads", str(world / "leads.csv"), "--out", str(out)]
    assert main(argv) == 1
    assert "cannot create its folder" in capsys.readouterr().err


def _leaves(n: int, indent: int) -> str:
    pad = " " * indent
    return "\n".join(f"{pad}- {{field: region, op: eq, value: r{i}}}" for i in range(n))


def test_rule_size_is_capped(tmp_path, capsys) -> None:
    """An any/all of 15,000 leaves took 14 s on 1,000 leads; now it is refused when read."""
    flat = tmp_path / "flat.yaml"
    flat.write_text(
        f"charter: c\ncriteria:\n  - id: a\n    rule:\n      any:\n{_leaves(2_001, 8)}\n",
        encoding="utf-8",
    )
    nested = tmp_path / "nested.yaml"
    nested.write_text(
        "charter: c\ncriteria:\n  - id: a\n    rule:\n      all:\n"
        f"        - any:\n{_leaves(1_500, 12)}\n        - any:\n{_leaves(1_500, 12)}\n",
        encoding="utf-8",
    )
    assert main(["charter", "check", str(flat)]) == 1
    assert main(["charter", "check", str(nested)]) == 1
    err = capsys.readouterr().err
    assert f"{flat}:6:9: criterion 'a': the rule holds 2,001 comparisons" in err
    assert f"{nested}:5:7: criterion 'a': the rule holds 3,000 comparisons" in err
    assert err.count("the limit is 2,000 per criterion") == 2
