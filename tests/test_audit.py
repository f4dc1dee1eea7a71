"""The monthly audit through the commands: numbers equal the CSV, cards inert, a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from triage.cli import main
from triage.labels import normalize_verdicts
from triage.synth import generate_world

HOSTILE = '<script>alert("x")</script> =1+1 привод левый астра j, звоните +7 916 123-45-67'


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("audit")
    world = generate_world(months=3, leads_per_month=700, catalog_size=3000, seed=17)
    leads = world.leads.copy()
    last = leads.index[leads["created_at"].str[:7] == leads["created_at"].str[:7].max()][0]
    leads.loc[last, ["request_text", "marketing_verdict", "sales_verdict"]] = [
        HOSTILE,
        "target",
        "non_target",
    ]
    leads.to_csv(folder / "leads.csv", index=False)
    world.catalog.to_csv(folder / "catalog.csv", index=False)
    ledger = folder / "ledger.sqlite"
    common = ["--ledger", str(ledger), "--workers", "1"]
    train = [
        "train",
        "--leads",
        str(folder / "leads.csv"),
        "--catalog",
        str(folder / "catalog.csv"),
    ]
    assert main([*train, "--out", str(folder / "model"), *common]) == 0
    month = leads["created_at"].str[:7].max()
    run = ["audit", "--leads", str(folder / "leads.csv"), "--model", str(folder / "model")]
    assert main([*run, "--out", str(folder / "reports"), *common]) == 0
    return {
        "folder": folder,
        "page": folder / "reports" / f"audit-{month}.html",
        "csv": folder / "reports" / f"audit-{month}-leads.csv",
        "cards": folder / "reports" / "disputes",
        "hostile_id": Path(str(leads.loc[last, "lead_id"])),
    }


class _Values(HTMLParser):
    """Element id -> data-value, as written in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id") and found.get("data-value") is not None:
            self.values[str(found["id"])] = str(found["data-value"])


def _page_values(html: str) -> dict[str, str]:
    parser = _Values()
    parser.feed(html)
    return parser.values


def test_every_number_on_the_page_equals_the_csv(audit) -> None:
    values = _page_values(audit["page"].read_text(encoding="utf-8"))
    leads = pd.read_csv(audit["csv"], dtype=str, keep_default_na=False)
    for side, column in (
        ("marketing", "marketing_verdict"),
        ("sales", "sales_verdict"),
        ("charter", "charter_verdict"),
        ("model", "model_verdict"),
    ):
        expected = int((normalize_verdicts(leads[column]) == "target").sum())
        assert int(values[f"target-{side}"]) == expected, side
    for cls, count in leads["responsibility"].value_counts().items():
        assert int(values[f"resp-{cls}"]) == count, cls
    assert int(values["undecoded"]) == int((leads["undecoded_request"] == "True").sum())
    verdicts = leads[["marketing_verdict", "sales_verdict", "charter_verdict", "model_verdict"]]
    normalised = verdicts.apply(normalize_verdicts)
    disputed = normalised.apply(lambda r: r.dropna().nunique() > 1, axis=1)
    assert int(values["disputes-total"]) == int(disputed.sum())
    both = normalised["marketing_verdict"].notna() & normalised["sales_verdict"].notna()
    agree = (normalised["marketing_verdict"] == normalised["sales_verdict"])[both].mean()
    assert abs(float(values["agreement-percent"]) - 100 * agree) < 1e-3
    marketing = normalised["marketing_verdict"]
    upheld = (marketing == normalised["charter_verdict"])[marketing.notna()].mean()
    assert abs(float(values["upheld-marketing-charter"]) - upheld) < 1e-3


def test_the_headline_answers_from_the_numbers(audit) -> None:
    html = audit["page"].read_text(encoding="utf-8")
    leads = pd.read_csv(audit["csv"], dtype=str, keep_default_na=False)
    found = re.search(r'<p class="headline" id="headline">(.*?)</p>', html, re.S)
    headline = unescape(found.group(1))
    marketing = int((leads["responsibility"] == "marketing_miss").sum())
    sales = int((leads["responsibility"] == "sales_miss").sum())
    assert f"{marketing:,}" in headline and f"{sales:,}" in headline
    winner = "sales' misses cost more" if sales > marketing else "marketing's misses cost more"
    assert winner in headline
    assert "Since " in headline  # the month before is compared


def test_one_card_per_disputed_lead_inert_and_masked(audit) -> None:
    leads = pd.read_csv(audit["csv"], dtype=str, keep_default_na=False)
    cards = sorted(p.name for p in audit["cards"].glob("*.html") if p.name != "index.html")
    values = _page_values(audit["page"].read_text(encoding="utf-8"))
    assert len(cards) == int(values["disputes-total"]) > 0
    card = (audit["cards"] / f"{audit['hostile_id']}.html").read_text(encoding="utf-8")
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "916 123-45-67" not in card and "+7*******67" in card
    for section in ('id="checklist"', 'id="reasons"', 'id="changes"', 'id="candidates"'):
        assert section in card
    hostile = leads.set_index("lead_id").loc[str(audit["hostile_id"]), "request_text"]
    assert hostile.startswith("'<script>") or hostile.startswith("<script>")
    assert "'=1+1" not in hostile or hostile.startswith("'")  # the CSV cell is inert
    raw = audit["csv"].read_text(encoding="utf-8")
    assert ",=1+1" not in raw and "\n=" not in raw


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, (
        "the browser test needs Debian's chromium: apt-get install -y chromium "
        "(.ci/run installs it when missing)"
    )
    return path


def _render(url: str, tmp: Path) -> str:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp}",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_the_pages_render_in_a_real_browser(audit, tmp_path) -> None:
    dom = _render(audit["page"].as_uri(), tmp_path / "profile")
    values = _page_values(dom)
    leads = pd.read_csv(audit["csv"], dtype=str, keep_default_na=False)
    assert int(values["target-charter"]) == int((leads["charter_verdict"] == "target").sum())
    assert int(values["resp-sales_miss"]) == int((leads["responsibility"] == "sales_miss").sum())
    assert "<svg" in dom  # the inline charts are in the rendered page
    card = _render((audit["cards"] / f"{audit['hostile_id']}.html").as_uri(), tmp_path / "p2")
    assert 'id="p-target"' in card and "&lt;script&gt;" in card
    p_target = re.search(r'id="p-target">([0-9.]+)<', card).group(1)
    assert 0.0 <= float(p_target) <= 1.0


def test_disputes_command_writes_one_card_per_disputed_lead(audit, tmp_path, capsys) -> None:
    out = tmp_path / "cards"
    model = audit["folder"] / "model"
    argv = ["disputes", "--scored", str(audit["csv"]), "--out", str(out), "--model", str(model)]
    assert main([*argv, "--lang", "en"]) == 0
    values = _page_values(audit["page"].read_text(encoding="utf-8"))
    cards = [p for p in out.glob("*.html") if p.name != "index.html"]
    assert len(cards) == int(values["disputes-total"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="count">' + str(len(cards)) in index
    assert "What would have to change" in cards[0].read_text(encoding="utf-8")


def test_explain_command_opens_one_lead(audit, tmp_path, capsys) -> None:
    card = tmp_path / "card.html"
    argv = ["explain", "--model", str(audit["folder"] / "model")]
    argv += ["--leads", str(audit["folder"] / "leads.csv"), "--lead-id", str(audit["hostile_id"])]
    assert main([*argv, "--out", str(card), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "p_target" in printed and "charter" in printed
    html = card.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'id="threshold"' in html
    assert main([*argv, "--lead-id", "NO-SUCH"]) == 1  # the later --lead-id wins
    assert "no lead with lead_id 'NO-SUCH'" in capsys.readouterr().err
