"""Masking contacts inside free text (reports never show a callable number)."""

from __future__ import annotations

import pandas as pd
import pytest

from triage.contact import mask_contacts


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("перезвоните +7 916 123-45-67", "916 123", "перезвоните +7"),
        ("тел 8(916)1234567 Иван", "(916)12345", "Иван"),
        ("пишите ivan.petrov@mail.ru", "van.petrov", "@mail.ru"),
    ],
)
def test_contacts_in_text_are_masked(text, hidden, kept):
    out = mask_contacts(pd.Series([text]))[0]
    assert hidden not in out
    assert kept in out
    assert "*" in out


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("звоните +375 29 123-45-67", "29 123-45", "+375"),
        ("viber +380 67 123 45 67", "67 123 45", "+380"),
        ("Handy +49 151 23456789", "151 2345", "+49"),
        ("домашний 123-45-67 вечером", "123-45", "вечером"),
        ("(495) 123-45-67", "123-45", "(495)"),
        ("пишите в телеграм @ivan_petrov", "ivan_petrov", "@iv"),
        ("https://t.me/ivan_petrov", "ivan_petrov", "t.me/iv"),
        ("wa.me/79161234567", "79161234567", "wa.me/"),
    ],
)
def test_foreign_local_numbers_and_messenger_handles_are_masked(text, hidden, kept):
    out = mask_contacts(pd.Series([text]))[0]
    assert hidden not in out
    assert kept in out
    assert "*" in out


def test_part_numbers_years_and_missing_values_survive():
    texts = pd.Series(
        ["OEM 13237776, 0 986 494 123, 2012 год", "фильтр HU 612/2x", "2012-2015", None]
    )
    out = mask_contacts(texts)
    assert out[:3].tolist() == texts[:3].tolist()
    assert pd.isna(out[3])


def test_charter_diff_examples_mask_contacts():
    from triage.charter import compare_on_leads, load_charter
    from triage.config import get_settings

    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "created_at": ["2026-05-01T10:00:00", "2026-05-02T10:00:00"],
            "channel": ["yandex_direct", "yandex_direct"],
            "region": ["Москва", "Москва"],
            "phone": ["+79161234567", "+79161234568"],
            "email": ["", ""],
            "request_text": ["колодки на пежо 308, звоните 89161234567", "привод левый астра j"],
            # Marketing counts any make; sales only Opel: L1 splits them.
            "decoded_make": ["Peugeot", "Opel"],
            "decoded_part_type": ["brake_pads", "drive_shaft"],
            "decoded_status": ["other_make", "decoded"],
            "decoded_sku": ["", "OP-1"],
        }
    )
    comp = compare_on_leads(
        leads,
        load_charter(get_settings().charters_dir / "marketing.yaml"),
        load_charter(get_settings().charters_dir / "sales.yaml"),
        missing="empty",
    )
    assert "L1" in comp.examples["lead_id"].tolist()
    text = comp.examples.set_index("lead_id").loc["L1", "request_text"]
    assert "89161234567" not in text
    assert text.startswith("колодки на пежо 308, звоните 8*")
