"""Loading lead exports, with and without a column mapping."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from triage.errors import DataError
from triage.io.leads import apply_mapping, load_leads, load_mapping

DATA = Path(__file__).parent / "data"
CRM = DATA / "crm_export_example.csv"
MAPPING = DATA / "crm_mapping.yaml"


def test_crm_export_with_mapping() -> None:
    leads = load_leads(CRM, mapping=MAPPING)
    assert len(leads) == 12
    for name in (
        "lead_id",
        "created_at",
        "channel",
        "region",
        "phone",
        "request_text",
        "marketing_verdict",
        "sales_verdict",
        "manager",
    ):
        assert name in leads.columns
    assert leads.loc[0, "region"] == "Москва"
    assert leads.loc[0, "request_text"].startswith("Нужен передний левый привод")
    assert leads.loc[5, "created_at"] == "вчера"  # kept as is; counted where it is used
    assert leads.loc[0, "phone"] == "+7 (916) 123-45-67"


def test_without_mapping_keeps_source_names() -> None:
    leads = load_leads(CRM)
    assert "Регион" in leads.columns and "region" not in leads.columns


def test_mapping_file_contents() -> None:
    mapping = load_mapping(MAPPING)
    assert mapping["region"][0] == "Регион"
    assert mapping["region"][1].endswith("crm_mapping.yaml:7:1")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "regoin: Регион\n",
            r"map.yaml:1:1: unknown canonical column 'regoin' in the mapping; did you mean 'region'",  # noqa: E501
        ),
        ("region: [a, b]\n", r"map.yaml:1:9: mapping for 'region' must be a column name"),
        (
            "region: Регион\nchannel: Регион\n",
            r"map.yaml:2:1: source column 'Регион' is mapped to both",
        ),
        ("region: Регион\nregion: Регион\n", r"map.yaml:2:1: 'region' is mapped twice"),
        ("- region\n", r"map.yaml:1:1: a mapping file is"),
        ("region: &a Регион\nchannel: *a\n", r"anchor '&a' is not allowed"),
        ("region: !!python/object:os.system x\n", r"tag .* is not allowed"),
    ],
)
def test_bad_mapping(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=match):
        load_leads(CRM, mapping=path)


def test_mapping_to_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("region: Регион\nphone: Мобильный\n", encoding="utf-8")
    with pytest.raises(
        DataError, match=r"map.yaml:2:1: 'phone' maps to column 'Мобильный', which the leads"
    ):
        load_leads(CRM, mapping=path)


def test_mapping_is_forgiving_about_case(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("region: регион\n", encoding="utf-8")
    assert "region" in load_leads(CRM, mapping=path).columns


def test_mapping_clash_with_existing_column() -> None:
    frame = pd.DataFrame({"region": ["a"], "Регион": ["b"]})
    with pytest.raises(DataError, match="already have column"):
        apply_mapping(frame, {"region": ("Регион", "m.yaml:1:1")})


def test_missing_mapping_file() -> None:
    with pytest.raises(DataError, match="mapping file not found"):
        load_leads(CRM, mapping="no/such.yaml")


def test_missing_leads_file() -> None:
    with pytest.raises(DataError, match="leads file not found"):
        load_leads("no/such.csv")
