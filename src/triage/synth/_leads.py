"""Lead behaviour: who asks, through which campaign, and what each department does.

The world is built in this order: timestamps, tier (with a month-to-month
drift of other-make requests), campaign given tier and month, region and
contacts, repeat contacts, the wanted item, the request text, the ground truth
(the agreed criteria), then marketing's label and the sales process (manager
skill, decoding, outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from triage.contact import duplicate_of, email_valid, phone_valid
from triage.schema import LEAD_COLUMNS, TIERS, TRUTH_COLUMNS
from triage.synth._catalog import PART_POPULARITY, CatalogBuild
from triage.synth._reference import CURRENT_YEAR, Reference
from triage.synth._requests import SLOTS, Dice, Request, RequestWriter

__all__ = ["CAMPAIGNS", "DEFAULT_TIER_SHARES", "MANAGERS", "build_leads"]

#: Configured share of each request tier (the generator's targets).
DEFAULT_TIER_SHARES = {
    "exact": 0.08,
    "oem": 0.06,
    "colloquial": 0.20,
    "slang": 0.10,
    "typo": 0.10,
    "translit": 0.06,
    "layout": 0.04,
    "missing_slots": 0.10,
    "vague": 0.06,
    "other_make": 0.10,
    "not_a_part": 0.07,
    "empty": 0.03,
}
OPEL_TIERS = TIERS[:9]
HARD_TIERS = ["slang", "typo", "translit", "layout", "missing_slots", "vague"]

#: name -> (channel, base weight, growth per month, tier affinity, unserved-region rate)
CAMPAIGNS: dict[str, tuple[str, float, float, dict[str, float], float]] = {
    "direct_opel_parts_search": (
        "yandex_direct",
        0.20,
        0.0,
        {"exact": 1.3, "oem": 1.3, "other_make": 0.3, "not_a_part": 0.5, "empty": 0.7},
        0.04,
    ),
    "direct_autoparts_broad": (
        "yandex_direct",
        0.06,
        0.30,
        {"other_make": 6.0, "not_a_part": 1.5, "exact": 0.5, "oem": 0.6},
        0.10,
    ),
    "direct_rsya_network": (
        "yandex_direct",
        0.06,
        0.0,
        {
            "not_a_part": 3.0,
            "empty": 3.0,
            "other_make": 1.5,
            "vague": 1.3,
            "exact": 0.4,
            "oem": 0.4,
        },
        0.35,
    ),
    "google_opel_search": (
        "google_ads",
        0.07,
        0.0,
        {"exact": 1.3, "oem": 1.3, "translit": 1.4, "other_make": 0.4, "not_a_part": 0.6},
        0.05,
    ),
    "avito_opel_astra": (
        "avito",
        0.07,
        0.0,
        {"colloquial": 1.3, "slang": 1.3, "missing_slots": 1.3, "other_make": 0.6, "exact": 0.6},
        0.12,
    ),
    "avito_opel_parts": ("avito", 0.06, 0.0, {"other_make": 0.8, "missing_slots": 1.3}, 0.12),
    "vk_retarget": ("vk", 0.04, 0.0, {"not_a_part": 1.6, "empty": 1.5}, 0.06),
    "vk_opel_club": ("vk", 0.03, 0.0, {"slang": 1.6, "other_make": 0.5}, 0.08),
    "2gis_card": ("2gis", 0.05, 0.0, {"not_a_part": 1.8, "other_make": 1.2}, 0.02),
    "organic_search": (
        "organic",
        0.13,
        0.0,
        {"exact": 1.5, "oem": 1.6, "other_make": 0.3, "not_a_part": 0.6, "empty": 0.6},
        0.05,
    ),
    "referral": (
        "referral",
        0.05,
        0.0,
        {"oem": 1.5, "slang": 1.4, "other_make": 0.2, "not_a_part": 0.3, "empty": 0.3},
        0.02,
    ),
    "incoming_call": (
        "phone_call",
        0.12,
        0.0,
        {
            "exact": 0.3,
            "oem": 0.6,
            "colloquial": 1.3,
            "slang": 1.4,
            "vague": 1.4,
            "layout": 0.1,
            "translit": 0.1,
            "empty": 0.5,
        },
        0.03,
    ),
}

#: name -> (decoding skill: "strong"/"weak", first month index they work, share of leads)
MANAGERS = {
    "Анна Кузнецова": ("strong", 0, 1.2),
    "Дмитрий Орлов": ("strong", 0, 1.1),
    "Кирилл Смирнов": ("weak", 0, 1.0),
    "Елена Васильева": ("strong", 0, 1.0),
    "Сергей Морозов": ("strong", 0, 0.9),
    "Игорь Лебедев": ("weak", 0, 1.0),
    "Ольга Никитина": ("strong", 0, 0.8),
    "Артём Волков": ("weak", 2, 1.1),
}
_DECODE = {  # probability that a manager turns the request into an item
    "strong": {
        "exact": 0.99,
        "oem": 0.98,
        "colloquial": 0.96,
        "slang": 0.9,
        "typo": 0.9,
        "translit": 0.87,
        "layout": 0.82,
        "missing_slots": 0.85,
        "vague": 0.8,
    },
    "weak": {
        "exact": 0.96,
        "oem": 0.9,
        "colloquial": 0.82,
        "slang": 0.35,
        "typo": 0.45,
        "translit": 0.35,
        "layout": 0.25,
        "missing_slots": 0.4,
        "vague": 0.25,
    },
}
_MAKE_WEIGHT = {
    "Lada": 14,
    "Hyundai": 10,
    "Kia": 10,
    "Renault": 9,
    "Volkswagen": 7,
    "Toyota": 7,
    "Chevrolet": 7,
    "Ford": 6,
    "Nissan": 5,
    "Skoda": 5,
    "Peugeot": 4,
    "Mitsubishi": 3,
    "Mazda": 3,
    "Citroen": 3,
    "Daewoo": 3,
    "Mercedes-Benz": 3,
    "BMW": 3,
    "Audi": 2,
    "Geely": 2,
    "Chery": 2,
    "Haval": 2,
}
_SERVED_WEIGHT = {
    "Москва": 0.42,
    "Московская область": 0.30,
    "Санкт-Петербург": 0.08,
    "Ленинградская область": 0.04,
    "Тверская область": 0.03,
    "Калужская область": 0.03,
    "Тульская область": 0.03,
    "Владимирская область": 0.025,
    "Рязанская область": 0.025,
    "Ярославская область": 0.025,
}
_SEASON = {  # part type -> {month of year: factor}
    "wiper_blade": {9: 1.8, 10: 2.5, 11: 2.2, 3: 1.6, 4: 1.4, 6: 0.6, 7: 0.6},
    "oil_filter": {4: 1.4, 5: 1.5, 10: 1.2},
    "air_filter": {4: 1.4, 5: 1.5, 6: 1.2},
    "cabin_filter": {4: 1.5, 5: 1.6, 6: 1.4},
    "ac_condenser": {6: 2.2, 7: 2.5, 8: 2.0, 12: 0.3, 1: 0.3},
    "radiator": {6: 1.5, 7: 1.7, 8: 1.5},
    "shock_absorber": {4: 1.4, 5: 1.3},
    "stabilizer_link": {4: 1.4, 5: 1.3},
    "alternator": {11: 1.5, 12: 1.7, 1: 1.8},
    "starter": {11: 1.5, 12: 1.8, 1: 2.0},
    "headlight": {11: 1.3, 12: 1.3},
}
_LOST_TEXT = {
    "unclear": [
        "непонятный запрос",
        "непонятный запрос",
        "Непонятный запрос",
        "не понятный запрос",
        "непонятно что нужно",
        "клиент не смог объяснить",
        "непонятная заявка",
        "не понятно что хочет",
        "непонятный запрос.",
    ],
    "no_answer": [
        "не дозвонились",
        "не дозвонились",
        "недозвон",
        "не дозвонилась",
        "не берет трубку",
        "не берёт трубку",
        "абонент недоступен",
        "не дозвонилсь",
    ],
    "expensive": [
        "дорого",
        "дорого",
        "Дорого",
        "дорого для клиента",
        "не устроила цена",
        "дорого!",
        "нашел дешевле",
        "цена",
    ],
    "no_stock": [
        "нет в наличии",
        "нет в наличии",
        "нет в наличи",
        "нету",
        "нет на складе",
        "нет в наличии, долго ждать",
        "под заказ не устроило",
    ],
    "elsewhere": [
        "купил в другом месте",
        "купил в другом месте",
        "купил у конкурентов",
        "уже купил",
        "купил в другом мсте",
        "взял на разборке",
    ],
    "changed_mind": ["передумал", "передумал", "отказался", "клиент отказался"],
    "other_make": [
        "не наша марка",
        "не наша марка",
        "не опель",
        "Не наша марка",
        "другая марка",
        "не наша марка (не опель)",
        "не наш профиль",
    ],
    "spam": [
        "спам",
        "спам",
        "Спам",
        "не по теме",
        "не запчасти",
        "реклама",
        "ошиблись номером",
        "не клиент",
    ],
    "empty": ["пустая заявка", "спам", "пустой запрос", "пусто", "нет запроса"],
    "duplicate": ["дубль", "дубль", "Дубль", "дубль заявки", "повтор", "дубликат"],
    "region": [
        "не наш регион",
        "не наш регион",
        "не наш регион.",
        "регион",
        "далеко",
        "нет доставки в регион",
        "не наш регон",
    ],
}
_OPEN_DAYS = 10


def _pick_by_cdf(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), len(cdf) - 1)


def _timestamps(
    start: pd.Timestamp, months: int, per_month: int, rng: np.random.Generator
) -> tuple[pd.Series, np.ndarray]:
    stamps = []
    month_idx = []
    hours = np.arange(24)
    hour_w = np.array(
        [
            0.2,
            0.1,
            0.05,
            0.05,
            0.05,
            0.1,
            0.3,
            0.8,
            1.6,
            3.0,
            4.0,
            4.2,
            3.8,
            3.6,
            3.6,
            3.5,
            3.3,
            3.0,
            2.4,
            1.8,
            1.4,
            1.1,
            0.8,
            0.4,
        ]
    )
    for m in range(months):
        first = start + pd.DateOffset(months=m)
        days = pd.date_range(first, first + pd.DateOffset(months=1) - pd.Timedelta(days=1))
        day_w = np.where(days.day_of_week < 5, 1.0, np.where(days.day_of_week == 5, 0.6, 0.35))
        day = rng.choice(len(days), size=per_month, p=day_w / day_w.sum())
        hour = rng.choice(hours, size=per_month, p=hour_w / hour_w.sum())
        second = rng.integers(0, 3600, size=per_month)
        stamp = (
            days[day].to_numpy() + hour * np.timedelta64(1, "h") + second * np.timedelta64(1, "s")
        )
        stamps.append(stamp)
        month_idx.append(np.full(per_month, m))
    times = np.concatenate(stamps)
    months_arr = np.concatenate(month_idx)
    order = np.argsort(times, kind="stable")
    return pd.Series(times[order]), months_arr[order]


def _phone_text(digits10: str, style: int) -> str:
    a, b, c, d = digits10[:3], digits10[3:6], digits10[6:8], digits10[8:]
    return [
        f"+7 {a} {b}-{c}-{d}",
        f"8{digits10}",
        f"8({a}){b}{c}{d}",
        f"+7{digits10}",
        f"8 {a} {b} {c} {d}",
        f"{digits10}",
        f"7({a}){b}-{c}-{d}",
        f"8-{a}-{b}-{c}-{d}",
        f"+7 ({a}) {b}-{c}-{d}",
    ][style]


_N_PHONE_STYLES = 9
_EMAIL_USERS = [
    "ivanov",
    "petrov",
    "sergey",
    "alex",
    "olga",
    "dima",
    "avto",
    "opel.fan",
    "max",
    "nikolay",
    "irina",
    "andrey",
    "vlad",
    "tanya",
    "kirill",
    "roman",
]
_EMAIL_DOMAINS = [
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "rambler.ru",
    "ya.ru",
]


def _tier_cdfs(shares: dict[str, float], months: int) -> list[np.ndarray]:
    """Per month, the cumulative tier weights, other-make drifting up (mean = its share)."""
    base = np.array([shares[t] for t in TIERS], dtype=float)
    base = base / base.sum()
    om = TIERS.index("other_make")
    tier_cdfs = []
    for m in range(months):
        factor = 1 + 0.5 * (m - (months - 1) / 2) / max(months - 1, 1)
        p = base * (1 - base[om] * factor) / (1 - base[om])
        p[om] = base[om] * factor
        tier_cdfs.append(np.cumsum(p))
    return tier_cdfs


def _draw_tiers(
    shares: dict[str, float], month: np.ndarray, months: int, rng: np.random.Generator
) -> np.ndarray:
    """The request tier of every lead, as an index into TIERS."""
    tier_cdfs = _tier_cdfs(shares, months)
    n = len(month)
    u = rng.random(n)
    tier_idx = np.empty(n, dtype=np.int64)
    for m in range(months):
        sel = month == m
        tier_idx[sel] = _pick_by_cdf(tier_cdfs[m], u[sel])
    return tier_idx


def _draw_campaigns(
    tier_idx: np.ndarray, month: np.ndarray, months: int, rng: np.random.Generator
) -> np.ndarray:
    """The campaign of every lead given its tier and month, as an index into CAMPAIGNS."""
    n = len(tier_idx)
    u = rng.random(n)
    camp_idx = np.empty(n, dtype=np.int64)
    for m in range(months):
        w = np.array([c[1] * (1 + c[2] * m) for c in CAMPAIGNS.values()])
        for t, tier in enumerate(TIERS):
            sel = (month == m) & (tier_idx == t)
            if sel.any():
                aff = np.array([c[3].get(tier, 1.0) for c in CAMPAIGNS.values()])
                camp_idx[sel] = _pick_by_cdf(np.cumsum(w * aff), u[sel])
    return camp_idx


def _served_regions(ref: Reference) -> tuple[list[str], list[str]]:
    """The names of the served regions and of the unserved ones."""
    regions = ref.regions
    served_names = regions.loc[regions["served"], "region"].tolist()
    unserved_names = regions.loc[~regions["served"], "region"].tolist()
    return served_names, unserved_names


def _draw_regions(ref: Reference, camp_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The region of every lead: unserved at its campaign's rate, a few left blank."""
    served_names, unserved_names = _served_regions(ref)
    sw = np.array([_SERVED_WEIGHT.get(r, 0.02) for r in served_names])
    unserved_rate = np.array([CAMPAIGNS[c][4] for c in CAMPAIGNS])[camp_idx]
    u_region = rng.random((len(camp_idx), 3))
    region = np.where(
        u_region[:, 0] < unserved_rate,
        np.array(unserved_names, dtype=object)[
            np.minimum((u_region[:, 1] * len(unserved_names)).astype(int), len(unserved_names) - 1)
        ],
        np.array(served_names, dtype=object)[_pick_by_cdf(np.cumsum(sw), u_region[:, 1])],
    )
    return np.where(u_region[:, 2] < 0.005, "", region)


def _phones(
    mobile: list[str], style: np.ndarray, channel: np.ndarray, u_c: np.ndarray
) -> np.ndarray:
    """Phone fields as typed: several styles, ~4.5% broken, some missing by channel."""
    missing_rate = np.select(
        [channel == "avito", channel == "vk", channel == "phone_call"], [0.12, 0.14, 0.0], 0.03
    )
    phones = np.array([_phone_text(mobile[i], style[i]) for i in range(len(mobile))], dtype=object)
    broken = u_c[:, 1] < 0.045
    for i in np.flatnonzero(broken).tolist():
        kind = int(u_c[i, 2] * 4)
        phones[i] = [
            f"8{mobile[i][:9]}",
            f"{mobile[i][3:6]}-{mobile[i][6:8]}-{mobile[i][8:]}",
            f"+375 29 {mobile[i][3:6]}-{mobile[i][6:8]}-{mobile[i][8:]}",
            f"+7 {mobile[i][:3]} {mobile[i][3:6]}-{mobile[i][6:8]}",
        ][kind]
    phones[u_c[:, 0] < missing_rate] = ""
    return phones


def _emails(channel: np.ndarray, u_c: np.ndarray) -> np.ndarray:
    """E-mail fields: present at the channel's rate, about one address in ten mistyped."""
    email_rate = np.select(
        [np.isin(channel, ["organic", "google_ads"]), channel == "phone_call"], [0.35, 0.03], 0.2
    )
    emails = np.full(len(channel), "", dtype=object)
    has_email = u_c[:, 3] < email_rate
    for i in np.flatnonzero(has_email).tolist():
        user = _EMAIL_USERS[int(u_c[i, 4] * len(_EMAIL_USERS))] + str(int(u_c[i, 5] * 1000))
        domain = _EMAIL_DOMAINS[int(u_c[i, 4] * 97) % len(_EMAIL_DOMAINS)]
        emails[i] = f"{user}@{domain}"
        if u_c[i, 5] * 1000 % 1 < 0.1:  # about one address in ten is mistyped
            emails[i] = [
                f"{user}@{domain.split('.')[0]}",
                f"{user}.{domain}",
                f"{user}@{domain.replace('.', ',')}",
            ][int(u_c[i, 2] * 3)]
    return emails


def _draw_contacts(channel: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The phone and e-mail fields of every lead."""
    n = len(channel)
    digits = rng.integers(0, 10, size=(n, 9))
    mobile = ["9" + "".join(map(str, row)) for row in digits]
    style = rng.integers(0, _N_PHONE_STYLES, size=n)
    u_c = rng.random((n, 6))
    return _phones(mobile, style, channel, u_c), _emails(channel, u_c)


def _repeat_sources(
    times: pd.Series, phones: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Per lead, the earlier lead it repeats (-1 if none), and the step's uniforms."""
    # ~4.5% within 1-6 days (duplicates), ~2% after 8-30 days (not)
    n = len(phones)
    t_ns = times.to_numpy(dtype="datetime64[ns]")
    valid_phone = phone_valid(pd.Series(phones)).to_numpy()
    valid_idx = np.flatnonzero(valid_phone)
    u_r = rng.random((n, 3))
    source = np.full(n, -1, dtype=np.int64)
    repeat_kind = np.where(u_r[:, 0] < 0.045, 1, np.where(u_r[:, 0] < 0.065, 2, 0))
    gap_days = np.where(repeat_kind == 1, 1 + 5 * u_r[:, 1], 8 + 22 * u_r[:, 1])
    target = t_ns - (gap_days * 86400).astype("int64").astype("timedelta64[s]")
    pos = np.searchsorted(t_ns[valid_idx], target, side="right") - 1
    for i in np.flatnonzero(repeat_kind > 0).tolist():
        if pos[i] < 0:
            continue
        j = valid_idx[pos[i]]
        if j >= i:
            continue
        source[i] = j
    return source, u_r


def _copy_repeat_contacts(
    source: np.ndarray,
    u_r: np.ndarray,
    phones: np.ndarray,
    emails: np.ndarray,
    region: np.ndarray,
    tier_idx: np.ndarray,
) -> None:
    """Give each repeat its source's phone (restyled), often e-mail, region and tier; in place."""
    for i in np.flatnonzero(source >= 0).tolist():
        j = source[i]
        digits10 = phones[j] and "".join(ch for ch in phones[j] if ch.isdigit())[-10:]
        phones[i] = _phone_text(digits10, int(u_r[i, 2] * _N_PHONE_STYLES))
        if emails[j] and u_r[i, 2] < 0.5:
            emails[i] = emails[j]
        region[i] = region[j]
        tier_idx[i] = tier_idx[j]


def _draw_items(
    ref: Reference,
    cat: CatalogBuild,
    tier_idx: np.ndarray,
    month: np.ndarray,
    months: int,
    start: pd.Timestamp,
    rng: np.random.Generator,
) -> np.ndarray:
    """The catalog row each Opel-tier lead wants (-1 for others), by popularity and season."""
    catalog = cat.catalog
    fit = cat.fitments.iloc[cat.fitment]
    group_size = catalog.groupby("oem_number")["sku"].transform("size").to_numpy()
    row_w = fit["weight"].to_numpy() / group_size
    has_slang = (
        catalog["part_type"]
        .map(ref.part_types.set_index("part_type")["slang_ru"].map(bool))
        .to_numpy()
    )
    item = np.full(len(tier_idx), -1)
    u_i = rng.random(len(tier_idx))
    for m in range(months):
        moy = (start + pd.DateOffset(months=m)).month
        season = (
            catalog["part_type"].map(lambda p, moy=moy: _SEASON.get(p, {}).get(moy, 1.0)).to_numpy()
        )
        w = row_w * season
        cdf_all = np.cumsum(w)
        cdf_slang = np.cumsum(w * has_slang)
        for t, tier in enumerate(TIERS):
            if tier not in OPEL_TIERS:
                continue
            sel = (month == m) & (tier_idx == t)
            item[sel] = _pick_by_cdf(cdf_slang if tier == "slang" else cdf_all, u_i[sel])
    return item


@dataclass
class _OtherWants:
    """Per lead, what it asks for outside the catalog, and where in its fitment's years."""

    #: make, part type and year of an other-make request (the year also for not-a-part)
    make: np.ndarray
    part: np.ndarray
    year: np.ndarray
    #: Opel model of a not-a-part text ("продам опель астра")
    np_model: np.ndarray
    #: uniform that places the car's year inside the wanted item's years
    item_year_u: np.ndarray


def _draw_other_wants(ref: Reference, n: int, rng: np.random.Generator) -> _OtherWants:
    """Other-make parts, years and not-a-part models for every lead (used by some tiers)."""
    parts_pop = np.array([PART_POPULARITY.get(p, 1.0) for p in ref.part_types["part_type"]])
    other_names = [mk for mk in ref.makes["make"] if mk != "Opel"]
    make_w = np.array([_MAKE_WEIGHT.get(mk, 1.0) for mk in other_names])
    other_make = np.array(other_names, dtype=object)[_pick_by_cdf(np.cumsum(make_w), rng.random(n))]
    other_part = ref.part_types["part_type"].to_numpy()[
        _pick_by_cdf(np.cumsum(parts_pop), rng.random(n))
    ]
    other_year = rng.integers(2004, CURRENT_YEAR, size=n)
    opel_model_for_np = rng.choice(["astra", "corsa", "vectra", "zafira", "insignia"], size=n)
    item_year_u = rng.random(n)
    return _OtherWants(other_make, other_part, other_year, opel_model_for_np, item_year_u)


def _copy_repeat_wants(source: np.ndarray, item: np.ndarray, wants: _OtherWants) -> None:
    """Make each repeat ask for the same thing as its source; in place."""
    for i in np.flatnonzero(source >= 0).tolist():
        j = source[i]
        item[i], wants.make[i], wants.part[i] = item[j], wants.make[j], wants.part[j]
        wants.item_year_u[i] = wants.item_year_u[j]


def _specify_context(
    ref: Reference,
) -> tuple[dict[str, tuple[bool, int, bool]], dict[str, bool], dict[str, list[tuple[int, int]]]]:
    """What ``_specifies`` needs: part info, single-generation models, generation years."""
    r: Any
    part_info: dict[str, tuple[bool, int, bool]] = {}
    for r in ref.part_types.itertuples(index=False):
        part_info[r.part_type] = (bool(r.has_side), len(r.axles), bool(r.engine_specific))
    single_gen = {
        str(k): bool(v)
        for k, v in ref.opel_models.groupby("model")["generation"].nunique().eq(1).items()
    }
    gen_years: dict[str, list[tuple[int, int]]] = {}
    for r in ref.opel_models.itertuples(index=False):
        gen_years.setdefault(r.model, []).append((int(r.year_from), int(r.year_to_effective)))
    return part_info, single_gen, gen_years


def _blank_truth_row(tier: str) -> dict:
    """A truth row with only the tier filled in."""
    return {
        "tier": tier,
        "true_sku": "",
        "true_make": "",
        "true_model": "",
        "true_generation": "",
        "true_part_type": "",
        "true_side": "",
        "true_axle": "",
        "specifies_item": False,
    }


def _item_info(rec: dict, year_u: float, article: str, brand_text: str, opel_no: str) -> dict:
    """What the request writer needs about a wanted item, with a car year inside its years."""
    y_to = CURRENT_YEAR - 1 if pd.isna(rec["year_to"]) else int(rec["year_to"])
    y_from = int(rec["year_from"])
    year = y_from + int(year_u * (y_to - y_from + 1))
    return dict(
        rec,
        year=min(year, y_to),
        engine_code=rec["engine_codes"],
        article=article,
        brand_text=brand_text,
        opel_catalog_no=opel_no,
    )


def _opel_truth(rec: dict) -> dict:
    """The true-slot columns of a lead that wants the catalog item ``rec``."""
    return {
        "true_sku": rec["sku"],
        "true_make": "Opel",
        "true_model": rec["model"],
        "true_generation": rec["generation"],
        "true_part_type": rec["part_type"],
        "true_side": rec["side"],
        "true_axle": rec["axle"],
    }


def _write_requests(
    ref: Reference,
    cat: CatalogBuild,
    tier_idx: np.ndarray,
    item: np.ndarray,
    wants: _OtherWants,
    rng: np.random.Generator,
) -> tuple[list[str], pd.DataFrame]:
    """Every lead's request text, and its truth rows (tier, true slots, specifies_item)."""
    writer = RequestWriter(ref, Dice(rng))
    cat_records = cat.catalog.to_dict("records")
    articles = cat.article.to_numpy()
    brand_text = cat.brand_text.to_numpy()
    opel_no = cat.opel_no.to_numpy()
    n_engines = cat.fitments.iloc[cat.fitment]["n_engines"].to_numpy()
    context = _specify_context(ref)
    texts: list[str] = []
    truth_rows: list[dict] = []
    for i in range(len(tier_idx)):
        tier = TIERS[tier_idx[i]]
        row = _blank_truth_row(tier)
        if tier in OPEL_TIERS:
            k = item[i]
            rec = cat_records[k]
            info = _item_info(rec, wants.item_year_u[i], articles[k], brand_text[k], opel_no[k])
            req = getattr(writer, tier)(info)
            row.update(_opel_truth(rec))
            row["specifies_item"] = _specifies(req, rec, *context, n_engines[k])
        elif tier == "other_make":
            req = writer.other_make(wants.make[i], wants.part[i], int(wants.year[i]))
            row.update(
                true_make=wants.make[i],
                true_part_type=wants.part[i],
                true_side=req.side,
                true_axle=req.axle,
            )
        elif tier == "not_a_part":
            req = writer.not_a_part(wants.np_model[i], int(wants.year[i]))
            row["true_make"] = req.make
        else:
            req = writer.empty()
        texts.append(req.text)
        row["true_year"] = "" if req.year is None else str(req.year)
        row["true_engine"] = req.engine
        row["true_mentioned"] = ";".join(s for s in SLOTS if s in req.mentioned)
        truth_rows.append(row)
    return texts, pd.DataFrame(truth_rows)


def _leads_frame(
    lead_ids: np.ndarray,
    times: pd.Series,
    channel: np.ndarray,
    campaign: np.ndarray,
    region: np.ndarray,
    phones: np.ndarray,
    emails: np.ndarray,
    texts: list[str],
) -> pd.DataFrame:
    """The CRM lead table before utm terms and the sales process."""
    return pd.DataFrame(
        {
            "lead_id": lead_ids,
            "created_at": times.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "channel": channel,
            "campaign": campaign,
            "utm_term": "",
            "region": region,
            "phone": phones,
            "email": emails,
            "request_text": texts,
        }
    )


def _judge(
    ref: Reference, leads: pd.DataFrame, truth: pd.DataFrame, lead_ids: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Leads failing each agreed criterion and the true target flag; adds truth's verdict."""
    dup_of = duplicate_of(leads)
    is_dup = dup_of.notna().to_numpy()
    served = set(_served_regions(ref)[0])
    failed = {
        "opel_only": truth["true_make"].ne("Opel").to_numpy(),
        "part_request": truth["tier"].isin(["not_a_part", "empty"]).to_numpy(),
        "served_region": ~leads["region"].isin(served).to_numpy(),
        "reachable": ~(phone_valid(leads["phone"]) | email_valid(leads["email"])).to_numpy(),
        "not_duplicate": is_dup,
    }
    failed_text = [";".join(k for k in failed if failed[k][i]) for i in range(len(leads))]
    true_target = np.array([not f for f in failed_text])
    truth["lead_id"] = lead_ids
    truth["true_verdict"] = np.where(true_target, "target", "non_target")
    truth["true_failed"] = failed_text
    truth["duplicate_of"] = [lead_ids[j] if j is not None else "" for j in dup_of]
    return failed, true_target


#: Why a lead was lost when neither department could help it (the world's reason keys).
BUSINESS_LOSSES = ("expensive", "no_stock", "elsewhere", "changed_mind")


def _responsibility(
    true_target: np.ndarray, status: np.ndarray, mv: np.ndarray, lost: np.ndarray, text: np.ndarray
) -> np.ndarray:
    """Who answers for each lead.

    A target lead lost for a business reason the manager wrote down is
    ``lost_business``; lost with any other reason (unclear, no answer, "not our
    make" for an Opel request) or none is ``sales_miss``.
    """
    business = np.isin(lost, BUSINESS_LOSSES) & (text != "")
    return np.select(
        [
            true_target & (status == "won"),
            true_target & (status == "open"),
            true_target & (status == "lost") & business,
            true_target & (status == "lost"),
            ~true_target & (mv == "target"),
        ],
        ["won", "open", "lost_business", "sales_miss", "marketing_miss"],
        "correct_reject",
    )


def build_leads(
    ref: Reference,
    cat: CatalogBuild,
    *,
    months: int,
    leads_per_month: int,
    start: pd.Timestamp,
    rng: np.random.Generator,
    tier_shares: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate the CRM export and its ground truth (see the module docstring)."""
    shares = dict(DEFAULT_TIER_SHARES if tier_shares is None else tier_shares)
    n = months * leads_per_month
    times, month = _timestamps(start, months, leads_per_month, rng)
    period_end = start + pd.DateOffset(months=months)
    tier_idx = _draw_tiers(shares, month, months, rng)
    camp_idx = _draw_campaigns(tier_idx, month, months, rng)
    names = list(CAMPAIGNS)
    campaign = np.array(names, dtype=object)[camp_idx]
    channel = np.array([CAMPAIGNS[c][0] for c in names], dtype=object)[camp_idx]
    region = _draw_regions(ref, camp_idx, rng)
    phones, emails = _draw_contacts(channel, rng)
    source, u_r = _repeat_sources(times, phones, rng)
    _copy_repeat_contacts(source, u_r, phones, emails, region, tier_idx)
    item = _draw_items(ref, cat, tier_idx, month, months, start, rng)
    wants = _draw_other_wants(ref, n, rng)
    _copy_repeat_wants(source, item, wants)
    texts, truth = _write_requests(ref, cat, tier_idx, item, wants, rng)
    lead_ids = np.array([f"L{k:06d}" for k in range(1, n + 1)], dtype=object)
    leads = _leads_frame(lead_ids, times, channel, campaign, region, phones, emails, texts)
    leads["utm_term"] = _utm_terms(leads, truth, ref, rng)
    failed, true_target = _judge(ref, leads, truth, lead_ids)
    sales = _behaviour(
        leads, truth, cat.catalog, item, failed, true_target, month, times, period_end, rng
    )
    lost_key = sales.pop("_lost_key")
    for column, values in sales.items():
        leads[column] = values
    status = leads["status"].to_numpy()
    truth["true_responsibility"] = _responsibility(
        true_target,
        status,
        leads["marketing_verdict"].to_numpy(),
        lost_key,
        leads["lost_reason"].to_numpy(),
    )
    truth["specifies_item"] = truth["specifies_item"].astype(bool)
    return leads[LEAD_COLUMNS], truth[TRUTH_COLUMNS]


def _specifies(
    req: Request,
    rec: dict,
    part_info: dict[str, tuple[bool, int, bool]],
    single_gen: dict[str, bool],
    gen_years: dict[str, list[tuple[int, int]]],
    n_engines: int,
) -> bool:
    """Does the text pin the interchangeable group (the fitment) down?

    True with an OEM/cross number; otherwise it needs the part type, the model,
    the generation (or a year that only one generation of the model covers, or a
    model with a single generation), the side for sided parts, the axle for parts
    made for both axles and the engine for engine-specific parts when the
    generation has more than one engine variant of that part.
    """
    m = req.mentioned
    if "oem" in m:
        return True
    if "part_type" not in m or "model" not in m:
        return False
    has_side, n_axles, engine_specific = part_info[rec["part_type"]]
    if "generation" not in m and not single_gen.get(rec["model"], False):
        if req.year is None:
            return False
        hits = sum(lo <= req.year <= hi for lo, hi in gen_years[rec["model"]])
        if hits != 1:
            return False
    if has_side and "side" not in m:
        return False
    if n_axles > 1 and "axle" not in m:
        return False
    return not (engine_specific and n_engines > 1 and "engine" not in m)


def _utm_terms(
    leads: pd.DataFrame, truth: pd.DataFrame, ref: Reference, rng: np.random.Generator
) -> np.ndarray:
    parts = ref.part_types.set_index("part_type")["name_ru"].str.lower().to_dict()
    model_ru = ref.opel_models.drop_duplicates("model").set_index("model")["model_ru"]
    makes = ref.makes.set_index("make")["name_ru"].str.lower().to_dict()
    u = rng.random((len(leads), 2))
    out = np.full(len(leads), "", dtype=object)
    for i, (campaign, part, model, make) in enumerate(
        zip(
            leads["campaign"],
            truth["true_part_type"],
            truth["true_model"],
            truth["true_make"],
            strict=True,
        )
    ):
        if campaign in ("direct_opel_parts_search", "google_opel_search"):
            m = model_ru.get(model, "астра").lower() if model else "астра"
            opts = [
                f"запчасти опель {m}",
                f"{parts.get(part, 'запчасти')} опель {m}",
                "запчасти опель",
                f"купить {parts.get(part, 'запчасти')} опель",
            ]
        elif campaign == "direct_autoparts_broad":
            other = makes.get(make, "") if make and make != "Opel" else ""
            opts = [
                "автозапчасти",
                "автозапчасти недорого",
                "запчасти для иномарок",
                f"{parts.get(part, 'автозапчасти')} купить",
                f"запчасти {other}".strip() if other else "магазин автозапчастей",
            ]
        elif campaign == "direct_rsya_network":
            opts = ["автозапчасти", "запчасти с доставкой", "", ""]
        else:
            continue
        out[i] = opts[min(int(u[i, 0] * len(opts)), len(opts) - 1)]
    return out


def _marketing_verdicts(tier: np.ndarray, paid: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Marketing's label per lead: optimistic, "target" for anything that looks like a request."""
    mv = np.full(len(tier), "target", dtype=object)
    looks_part = ~np.isin(tier, ["not_a_part", "empty"])
    p_target = np.select(
        [
            paid & looks_part,
            paid & (tier == "not_a_part"),
            paid & (tier == "empty"),
            ~paid & looks_part & (tier != "other_make"),
            ~paid & (tier == "other_make"),
            ~paid & (tier == "not_a_part"),
        ],
        [0.95, 0.35, 0.15, 0.85, 0.6, 0.15],
        0.05,
    )
    p_blank = np.select(
        [
            paid & looks_part,
            paid & (tier == "empty"),
            ~paid & looks_part,
            ~paid & (tier == "empty"),
        ],
        [0.03, 0.25, 0.1, 0.35],
        0.12,
    )
    mv[u[:, 0] >= p_target] = "non_target"
    mv[(u[:, 0] >= p_target) & (u[:, 1] < p_blank / np.maximum(1 - p_target, 1e-9))] = ""
    return mv


def _assign_managers(month: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The manager of every lead, among those working in its month, by share of leads."""
    manager = np.empty(len(month), dtype=object)
    for m in np.unique(month):
        active = [k for k, (_, first, _) in MANAGERS.items() if first <= m]
        w = np.cumsum([MANAGERS[k][2] for k in active])
        sel = month == m
        manager[sel] = np.array(active, dtype=object)[_pick_by_cdf(w, u[sel, 2])]
    return manager


def _sales_verdicts(
    tier: np.ndarray, failed: dict[str, np.ndarray], skill: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sales' verdict and reject reason per lead, decided in priority order."""
    n = len(tier)
    sv = np.full(n, "target", dtype=object)
    reason = np.full(n, "", dtype=object)
    decided = np.zeros(n, dtype=bool)

    def reject(mask: np.ndarray, p: float, key: str, col: int) -> None:
        hit = mask & ~decided & (u[:, col] < p)
        sv[hit] = "non_target"
        reason[hit] = key
        decided[hit] = True

    reject(tier == "empty", 0.92, "empty", 3)
    reject(tier == "not_a_part", 0.92, "spam", 3)
    reject(failed["not_duplicate"], 0.85, "duplicate", 4)
    reject(tier == "other_make", 0.88, "other_make", 5)
    reject(failed["served_region"], 0.8, "region", 6)
    reject(failed["reachable"], 0.75, "no_answer", 7)
    p_decode = np.array([_DECODE[s].get(t, 1.0) for s, t in zip(skill, tier, strict=True)])
    reject(np.isin(tier, OPEL_TIERS), 1.0, "unclear", 8)  # placeholder, undone below
    unclear = reason == "unclear"
    keep = unclear & (u[:, 8] < p_decode)
    sv[keep] = "target"
    reason[keep] = ""
    return sv, reason


def _item_stock_price(catalog: pd.DataFrame, item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per lead, whether its wanted item is in stock and its price (False and 0 without one)."""
    n = len(item)
    in_stock = np.zeros(n, dtype=bool)
    price = np.zeros(n)
    has_item = item >= 0
    in_stock[has_item] = catalog["in_stock"].to_numpy()[item[has_item]]
    price[has_item] = catalog["price_rub"].to_numpy()[item[has_item]]
    return in_stock, price


def _won(
    accepted: np.ndarray,
    in_stock: np.ndarray,
    true_target: np.ndarray,
    tier: np.ndarray,
    failed: dict[str, np.ndarray],
    u: np.ndarray,
) -> np.ndarray:
    """Which accepted leads end in a sale (before still-open leads are taken out)."""
    p_won = np.where(in_stock, 0.66, 0.4)
    p_won = np.where(true_target, p_won, np.where(tier == "other_make", 0.0, 0.25))
    p_won = np.where(failed["reachable"], 0.0, p_won)
    return accepted & (u[:, 9] < p_won)


def _with_lost_reasons(
    reason: np.ndarray,
    lost_accepted: np.ndarray,
    in_stock: np.ndarray,
    failed: dict[str, np.ndarray],
    tier: np.ndarray,
    u: np.ndarray,
) -> np.ndarray:
    """A copy of ``reason`` with the reasons of accepted leads that were lost filled in."""
    out = reason.copy()
    lost_keys = np.array(["expensive", "no_stock", "no_answer", "elsewhere", "changed_mind"])
    lost_w_stock = np.cumsum([0.38, 0.08, 0.2, 0.28, 0.06])
    lost_w_nostock = np.cumsum([0.15, 0.55, 0.1, 0.17, 0.03])
    pick_stock = lost_keys[_pick_by_cdf(lost_w_stock, u[:, 10])]
    pick_nostock = lost_keys[_pick_by_cdf(lost_w_nostock, u[:, 10])]
    out[lost_accepted] = np.where(in_stock, pick_stock, pick_nostock)[lost_accepted]
    out[lost_accepted & failed["reachable"]] = "no_answer"
    out[lost_accepted & (tier == "other_make")] = "no_stock"
    return out


def _still_open(
    accepted: np.ndarray, times: pd.Series, period_end: pd.Timestamp, u: np.ndarray
) -> np.ndarray:
    """Which accepted leads are still open at the end of the period (its last days)."""
    age_days = ((period_end - times).dt.total_seconds() / 86400).to_numpy()
    p_open = np.clip(1.0 - (age_days - 3) / (_OPEN_DAYS - 3) * 0.7, 0.0, 0.95)
    p_open = np.where(age_days <= _OPEN_DAYS, p_open, 0.0)
    return accepted & (u[:, 11] < p_open)


def _revenue(price: np.ndarray, won: np.ndarray, u: np.ndarray) -> Any:
    """Revenue in roubles of each won lead (missing for the others), as an Int64 array."""
    qty = np.where(u[:, 4] < 0.35, 2, 1)
    extra = 1 + np.where(u[:, 5] < 0.3, u[:, 6] * 0.6, 0.0)
    fallback = 1500 + 6000 * u[:, 7]
    revenue = np.where(price > 0, price * qty * extra, fallback)
    revenue = (np.round(revenue / 10) * 10).astype(np.int64)
    return pd.array(
        [int(r) if w else pd.NA for r, w in zip(revenue, won, strict=True)], dtype="Int64"
    )


def _lost_texts(
    status: np.ndarray, reason: np.ndarray, u: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The lost reason as managers type it, in their own words; a few leave it blank."""
    lost_text = np.full(len(status), "", dtype=object)
    idx = np.flatnonzero((status == "lost") & (reason != ""))
    choice = rng.random(len(idx))
    for i, c in zip(idx, choice, strict=True):
        options = _LOST_TEXT[reason[i]]
        lost_text[i] = options[min(int(c * len(options)), len(options) - 1)]
    lost_text[(status == "lost") & (u[:, 2] * 100 % 1 < 0.04)] = ""
    return lost_text


def _behaviour(
    leads: pd.DataFrame,
    truth: pd.DataFrame,
    catalog: pd.DataFrame,
    item: np.ndarray,
    failed: dict[str, np.ndarray],
    true_target: np.ndarray,
    month: np.ndarray,
    times: pd.Series,
    period_end: pd.Timestamp,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """The departments' columns: marketing's label, manager, sales verdict, outcome, revenue."""
    n = len(leads)
    tier = truth["tier"].to_numpy()
    paid = np.isin(
        leads["channel"].to_numpy(), ["yandex_direct", "google_ads", "avito", "vk", "2gis"]
    )
    u = rng.random((n, 12))
    mv = _marketing_verdicts(tier, paid, u)
    manager = _assign_managers(month, u)
    skill = np.array([MANAGERS[k][0] for k in manager])
    sv, reason = _sales_verdicts(tier, failed, skill, u)

    # outcome of the leads sales works with
    accepted = sv == "target"
    in_stock, price = _item_stock_price(catalog, item)
    won = _won(accepted, in_stock, true_target, tier, failed, u)
    status = np.where(won, "won", "lost").astype(object)
    reason = _with_lost_reasons(reason, accepted & ~won, in_stock, failed, tier, u)

    # the last days of the period are still open
    is_open = _still_open(accepted, times, period_end, u)
    status[is_open] = "open"
    reason[is_open] = ""
    won &= ~is_open
    sv[is_open & (u[:, 1] < 0.65)] = ""
    return {
        "marketing_verdict": mv,
        "sales_verdict": sv,
        "status": status,
        "lost_reason": _lost_texts(status, reason, u, rng),
        "revenue_rub": _revenue(price, won, u),
        "manager": manager,
        "_lost_key": reason,  # the world's own reason key, for the ground truth only
    }
