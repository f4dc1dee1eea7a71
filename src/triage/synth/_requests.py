"""Request texts as customers really write them, one generator per tier.

Each generator returns the text and the slots actually present in it; the
lead generator turns those into the ground-truth columns.  Russian word forms
are produced by a few explicit rules (gender agreement of side/axle words,
accusative/genitive of model names), enough for the vocabulary on file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from triage.synth._reference import Reference

__all__ = ["SLOTS", "Dice", "RequestWriter"]

#: Slots of ``true_mentioned``, in the order they are written.
SLOTS = ["make", "model", "generation", "year", "engine", "part_type", "side", "axle", "oem"]


T = TypeVar("T")


class Dice:
    """Fast scalar draws from a numpy Generator (uniforms drawn in blocks)."""

    def __init__(self, rng: np.random.Generator, block: int = 65_536) -> None:
        self._rng = rng
        self._block = block
        self._buf = rng.random(block)
        self._i = 0

    def u(self) -> float:
        if self._i >= self._block:
            self._buf = self._rng.random(self._block)
            self._i = 0
        value = float(self._buf[self._i])
        self._i += 1
        return value

    def chance(self, p: float) -> bool:
        return self.u() < p

    def pick(self, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
        if not items:
            raise ValueError("pick from an empty list")
        if weights is None:
            return items[min(int(self.u() * len(items)), len(items) - 1)]
        total = float(sum(weights))
        x = self.u() * total
        for item, w in zip(items, weights, strict=True):
            x -= w
            if x < 0:
                return item
        return items[-1]

    def integer(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi]."""
        return lo + min(int(self.u() * (hi - lo + 1)), hi - lo)


# --- Russian word forms -----------------------------------------------------------------

_ADJ_ENDINGS = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие")
_GENDER_EXCEPTIONS = {
    "дверь": "f",
    "гена": "m",
    "мозги": "pl",
    "мозг": "m",
    "стоп": "m",
    "грм": "m",
    "эбу": "m",
    "кпп": "f",
    "мкпп": "f",
    "акпп": "f",
    "егр": "m",
    "турбо": "f",
    "птф": "f",
    "линк": "m",
    "ухо": "n",
    "банка": "f",
}
_SIDE_AXLE = {
    "left": {"m": "левый", "f": "левая", "n": "левое", "pl": "левые"},
    "right": {"m": "правый", "f": "правая", "n": "правое", "pl": "правые"},
    "front": {"m": "передний", "f": "передняя", "n": "переднее", "pl": "передние"},
    "rear": {"m": "задний", "f": "задняя", "n": "заднее", "pl": "задние"},
}
_SHORT = {
    "left": ["лев", "л", "левый"],
    "right": ["прав", "пр", "правый"],
    "front": ["перед", "пер", "передок"],
    "rear": ["зад", "задн"],
}
_ADVERB = {
    "left": ["слева", "с левой стороны", "левая сторона", "водительская сторона"],
    "right": ["справа", "с правой стороны", "правая сторона", "пассажирская сторона"],
    "front": ["спереди", "перед", "на переднюю ось"],
    "rear": ["сзади", "зад", "на заднюю ось"],
}
_NEED = {"m": "нужен", "f": "нужна", "n": "нужно", "pl": "нужны"}
_GEN_SOUNDS = {
    "A": ["а"],
    "B": ["бэ", "б"],
    "C": ["ц", "це"],
    "D": ["д", "дэ"],
    "E": ["е", "э"],
    "F": ["эф", "ф"],
    "G": ["джи", "же"],
    "H": ["аш", "эйч"],
    "J": ["джей", "жэ", "джи"],
    "K": ["ка", "к"],
    "L": ["эл", "л"],
}
_CYR_LOOKALIKE = {"A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К"}
_FILLERS = ["ну", "короче", "эээ", "как её", "вот", "типа", "это самое"]
_HELLO = [
    "",
    "",
    "",
    "здравствуйте, ",
    "добрый день! ",
    "Здравствуйте! ",
    "привет, ",
    "добрый вечер, ",
    "Доброго времени суток. ",
]


def phrase_gender(phrase: str) -> str:
    """Gender/number of a Russian noun phrase from its head noun (first non-adjective)."""
    words = phrase.lower().replace("-", " ").split()
    head = next((w for w in words if not w.endswith(_ADJ_ENDINGS) or len(w) <= 3), words[0])
    if head in _GENDER_EXCEPTIONS:
        return _GENDER_EXCEPTIONS[head]
    if head.endswith(("и", "ы")):
        return "pl"
    if head.endswith(("а", "я")):
        return "f"
    if head.endswith(("о", "е")):
        return "n"
    return "m"


def _case(word: str, case: str) -> str:
    """Accusative ("acc") or genitive ("gen") of a feminine model name; others unchanged."""
    if word.endswith("ия"):
        return word[:-1] + ("ю" if case == "acc" else "и")
    if word.endswith("а"):
        if case == "acc":
            return word[:-1] + "у"
        return word[:-1] + ("и" if word[-2] in "гкхжшчщ" else "ы")
    return word


# --- keyboard tricks -------------------------------------------------------------------

_RU = "йцукенгшщзхъфывапролджэячсмитьбюё"
_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_LAYOUT = {r: e for r, e in zip(_RU, _EN, strict=True)}
_LAYOUT.update({r.upper(): e.upper() for r, e in zip(_RU, _EN, strict=True) if e.isalpha()})
_LAYOUT.update({"Х": "{", "Ъ": "}", "Ж": ":", "Э": '"', "Б": "<", "Ю": ">", "Ё": "~"})
_ROWS = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]
_NEIGHBOURS = {}
for _row in _ROWS:
    for _k, _ch in enumerate(_row):
        _NEIGHBOURS[_ch] = _row[max(_k - 1, 0) : _k] + _row[_k + 1 : _k + 2]
_TRANSLIT = [
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "c",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    },
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "yo",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "j",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "i",
        "ь": "'",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    },
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "x",
        "ц": "c",
        "ч": "4",
        "ш": "w",
        "щ": "w",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "u",
        "я": "ya",
    },
]


def _is_cyrillic_word(word: str) -> bool:
    return any("а" <= ch.lower() <= "я" or ch.lower() == "ё" for ch in word)


@dataclass
class Request:
    """A generated request text and what it really contains."""

    text: str
    mentioned: set[str] = field(default_factory=set)
    year: int | None = None
    engine: str = ""
    make: str = ""
    part_type: str = ""
    side: str = ""
    axle: str = ""


class RequestWriter:
    """Writes request texts for every tier from reference data and a Dice."""

    def __init__(self, ref: Reference, dice: Dice) -> None:
        self.dice = dice
        self.parts: dict[str, Any] = dict(
            zip(ref.part_types["part_type"], ref.part_types.itertuples(index=False), strict=True)
        )
        models = ref.opel_models.drop_duplicates("model")
        self.model_ru = dict(zip(models["model"], models["model_ru"], strict=True))
        self.model_lat = dict(zip(models["model"], models["model_name"], strict=True))
        self.model_aliases = {
            m: [a for a in aliases if not a.endswith(("ский", "ий", "ый"))]
            for m, aliases in zip(models["model"], models["aliases_ru"], strict=True)
        }
        makes = ref.makes.set_index("make")
        self.opel_aliases = makes.loc["Opel", "aliases"]
        self.other_makes = {
            m: (r["aliases"], r["model_examples"]) for m, r in makes.drop(index="Opel").iterrows()
        }
        self.volumes = dict(
            zip(ref.engines["engine_code"], ref.engines["displacement_l"], strict=True)
        )

    # -- building blocks --------------------------------------------------------------
    def part_phrase(self, part_type: str, style: str) -> str:
        part = self.parts[part_type]
        d = self.dice
        if style == "slang" and part.slang_ru:
            return d.pick(part.slang_ru)
        if style == "canonical" or not part.synonyms_ru or d.chance(0.45):
            name = part.name_ru.lower()
            words = name.split()
            # "колодки тормозные" -> "тормозные колодки" as people say it
            if len(words) == 2 and words[1].endswith(_ADJ_ENDINGS) and d.chance(0.5):
                name = f"{words[1]} {words[0]}"
            return name
        return d.pick(part.synonyms_ru)

    def with_position(self, phrase: str, side: str, axle: str) -> str:
        """Attach side/axle words to a part phrase in one of the ways people write them."""
        d = self.dice
        if not side and not axle:
            return phrase
        gender = phrase_gender(phrase)
        style = d.pick(["before", "after", "short", "adverb"], [0.35, 0.35, 0.15, 0.15])
        keys = [k for k in (axle, side) if k]
        if d.chance(0.5):
            keys.reverse()
        if style == "before":
            return " ".join([_SIDE_AXLE[k][gender] for k in keys] + [phrase])
        if style == "after":
            return " ".join([phrase] + [_SIDE_AXLE[k][gender] for k in keys])
        if style == "short":
            return " ".join([phrase] + [d.pick(_SHORT[k]) for k in keys])
        return " ".join([phrase] + [d.pick(_ADVERB[k]) for k in keys])

    def generation_text(self, gen: str) -> str:
        d = self.dice
        style = d.pick(["latin", "lower", "cyr", "sound"], [0.4, 0.35, 0.15, 0.1])
        if style == "latin":
            return gen
        if style == "lower":
            return gen.lower()
        if style == "cyr":
            return _CYR_LOOKALIKE.get(gen, d.pick(_GEN_SOUNDS[gen])).lower()
        return d.pick(_GEN_SOUNDS[gen])

    def car_phrase(self, model: str, gen_text: str, *, make: bool) -> str:
        d = self.dice
        ru = self.model_ru[model].lower()
        if d.chance(0.12):
            ru = d.pick(self.model_aliases[model] or [ru])
        latin = self.model_lat[model]
        if d.chance(0.2):
            name = latin if d.chance(0.5) else latin.lower()
            pre = d.pick(["на ", "для ", ""])
            brand = d.pick(["opel ", "Opel ", "опель "]) if make else ""
            return f"{pre}{brand}{name} {gen_text}".strip()
        brand = d.pick(["опель ", "опель ", "Опель ", "opel "]) if make else ""
        form = d.pick(["acc", "gen", "nom", "nom"])
        if form == "acc":
            return f"на {brand}{_case(ru, 'acc')} {gen_text}".strip()
        if form == "gen":
            opel = "опеля " if make and d.chance(0.3) else brand
            return f"для {opel}{_case(ru, 'gen')} {gen_text}".strip()
        return f"{brand}{ru} {gen_text}".strip()

    def year_text(self, year: int) -> str:
        return self.dice.pick(
            [f"{year}", f"{year}", f"{year} г.в.", f"{year}г", f"{year} года", f"{year} год"]
        )

    def engine_text(self, code: str) -> str:
        d = self.dice
        shown = code if d.chance(0.5) else code.lower()
        volume = self.volumes.get(code, "")
        return d.pick(
            [
                shown,
                shown,
                f"{volume} {shown}",
                f"мотор {shown}",
                f"двиг {shown}",
                f"({shown})",
                f"двигатель {shown}",
            ]
        )

    def style_case(self, text: str) -> str:
        d = self.dice
        roll = d.u()
        if roll < 0.55:
            return text
        if roll < 0.9:
            return text[:1].upper() + text[1:]
        if roll < 0.95:
            return text.upper()
        return text.lower()

    def assemble(self, part: str, car: str, extras: list[str], gender: str) -> str:
        d = self.dice
        x = " ".join(e for e in extras if e)
        hello = d.pick(_HELLO)
        templates = [
            f"{part} {car} {x}",
            f"{_NEED[gender]} {part} {car} {x}",
            f"{car} {x} {part}",
            f"{hello}{_NEED[gender]} {part} {car} {x}",
            f"есть {part} {car} {x}?",
            f"сколько стоит {part} {car} {x}",
            f"{hello}интересует {part}, {car} {x}",
            f"подскажите по наличию: {part} {car} {x}",
            f"{part} {car} {x} в наличии?",
            f"{car} {x}. {part}. сколько стоит?",
            f"{hello}{car} {x}, {part} есть?",
        ]
        text = d.pick(templates, [3, 2, 2, 2, 1.5, 1, 1, 0.7, 1, 0.7, 0.8])
        text = " ".join(text.split()).replace(" ,", ",").replace(" .", ".").replace(" ?", "?")
        return self.style_case(text)

    # -- Opel part requests ------------------------------------------------------------
    def colloquial(self, item: dict, *, style: str = "colloquial") -> Request:
        d = self.dice
        part = self.parts[item["part_type"]]
        req = Request("", part_type=item["part_type"])
        phrase = self.part_phrase(item["part_type"], "slang" if style == "slang" else "any")
        side = item["side"] if item["side"] and d.chance(0.92) else ""
        axle = (
            item["axle"]
            if item["axle"] and (len(part.axles) > 1 or d.chance(0.5)) and d.chance(0.92)
            else ""
        )
        req.side, req.axle = side, axle
        phrase = self.with_position(phrase, side, axle)
        make = d.chance(0.45)
        gen = d.chance(0.88)
        gen_text = self.generation_text(item["generation"]) if gen else ""
        car = self.car_phrase(item["model"], gen_text, make=make)
        extras = []
        if d.chance(0.3) or not gen:
            req.year = item["year"]
            extras.append(self.year_text(item["year"]))
        if item["engine_code"] and d.chance(0.75 if part.engine_specific else 0.15):
            req.engine = item["engine_code"]
            extras.append(self.engine_text(item["engine_code"]))
        req.mentioned = (
            {"model", "part_type"}
            | ({"make"} if make else set())
            | ({"generation"} if gen else set())
        )
        req.text = self.assemble(phrase, car, extras, phrase_gender(phrase))
        return self._finish(req)

    def _finish(self, req: Request) -> Request:
        if req.year is not None:
            req.mentioned.add("year")
        if req.engine:
            req.mentioned.add("engine")
        if req.side:
            req.mentioned.add("side")
        if req.axle:
            req.mentioned.add("axle")
        return req

    def exact(self, item: dict) -> Request:
        d = self.dice
        name = item["name"]
        if d.chance(0.5) and name.endswith(item["brand_text"]):
            name = name[: -len(item["brand_text"])].strip()
        if d.chance(0.4):
            name = name.lower()
        text = d.pick(
            [
                name,
                name,
                name,
                f"{name} - есть в наличии?",
                f"Здравствуйте! {name}",
                f"{name}, цена?",
            ]
        )
        req = Request(
            text,
            {"make", "model", "generation", "part_type"},
            part_type=item["part_type"],
            side=item["side"],
            axle=item["axle"],
            engine=item["engine_code"],
        )
        return self._finish(req)

    def oem(self, item: dict) -> Request:
        d = self.dice
        number = item["oem_number"] if d.chance(0.5) else item["article"]
        if d.chance(0.1):
            number = item["opel_catalog_no"]
        roll = d.u()
        if roll < 0.3:
            number = "".join(ch for ch in number if ch.isalnum())
        elif roll < 0.45:
            number = number.replace(" ", "-")
        elif roll < 0.55:
            number = number.replace(" ", ".")
        elif roll < 0.65 and number.isdigit() and len(number) == 8:
            number = f"{number[:2]} {number[2:5]} {number[5:]}"
        if d.chance(0.3):
            number = number.lower()
        req = Request("", {"oem"}, part_type=item["part_type"])
        tail = ""
        if d.chance(0.15):
            tail = " опель"
            req.mentioned.add("make")
        elif d.chance(0.1):
            tail = " " + self.model_ru[item["model"]].lower()
            req.mentioned.add("model")
        req.text = (
            d.pick(
                [
                    f"{number}",
                    f"нужен {number}",
                    f"есть {number}?",
                    f"артикул {number}",
                    f"{number} есть в наличии?",
                    f"цена {number}",
                    f"{number} сколько стоит",
                    f"оригинал {number}",
                    f"аналог {number}",
                    f"номер детали {number}",
                    f"Здравствуйте, нужна деталь {number}",
                ]
            )
            + tail
        )
        return req

    def typo(self, item: dict) -> Request:
        req = self.colloquial(item, style="colloquial")
        words = req.text.split(" ")
        candidates = [
            i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha() and _is_cyrillic_word(w)
        ]
        if not candidates:
            candidates = [i for i, w in enumerate(words) if len(w) >= 3]
        d = self.dice
        k = min(len(candidates), d.pick([1, 2, 3], [0.5, 0.35, 0.15]))
        chosen: list[int] = []
        for _ in range(k):
            rest = [c for c in candidates if c not in chosen]
            chosen.append(d.pick(rest))
        for i in chosen:
            words[i] = self._typo_word(words[i])
        req.text = " ".join(words)
        return req

    def _typo_word(self, word: str) -> str:
        d = self.dice
        n = len(word)
        i = d.integer(1, n - 2) if n > 3 else 0
        op = d.pick(["swap", "drop", "double", "neighbour"])
        if op == "swap" and i + 1 < n:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if op == "drop":
            return word[:i] + word[i + 1 :]
        if op == "double":
            return word[:i] + word[i] + word[i:]
        near = _NEIGHBOURS.get(word[i].lower(), "")
        if near:
            return word[:i] + d.pick(list(near)) + word[i + 1 :]
        return word[:i] + word[i + 1 :]

    def translit(self, item: dict) -> Request:
        d = self.dice
        req = self.colloquial(item, style="colloquial")
        table = d.pick(_TRANSLIT, [0.5, 0.3, 0.2])
        words = req.text.split(" ")
        whole = d.chance(0.7)
        cyr = [i for i, w in enumerate(words) if _is_cyrillic_word(w)]
        keep = set() if whole else {i for i in cyr if d.chance(0.5)}
        if not whole and len(keep) == len(cyr) and cyr:
            keep.discard(cyr[0])
        out = []
        for i, w in enumerate(words):
            if i in keep:
                out.append(w)
                continue
            out.append(
                "".join(
                    (table.get(ch.lower(), ch).capitalize() if ch.isupper() else table.get(ch, ch))
                    for ch in w
                )
            )
        req.text = " ".join(out)
        return req

    def layout(self, item: dict) -> Request:
        d = self.dice
        req = self.colloquial(item, style="colloquial")
        words = req.text.split(" ")
        whole = d.chance(0.6)
        cyr = [i for i, w in enumerate(words) if _is_cyrillic_word(w)]
        flip = set(cyr) if whole else {i for i in cyr if d.chance(0.5)}
        if not flip and cyr:
            flip = {cyr[0]}
        req.text = " ".join(
            "".join(_LAYOUT.get(ch, ch) for ch in w) if i in flip else w
            for i, w in enumerate(words)
        )
        return req

    def slang(self, item: dict) -> Request:
        return self.colloquial(item, style="slang")

    def missing_slots(self, item: dict) -> Request:
        """A request that leaves out (or blurs) one slot needed to pin the item down."""
        variant = self._missing_variant(item)
        req = Request("", {"part_type"}, part_type=item["part_type"])
        phrase = self._missing_phrase(req, item, variant)
        if variant == "make_only":
            car, extras = self._car_make_only(req, item)
        elif variant == "year_not_generation":
            car, extras = self._car_year_not_generation(req, item)
        elif variant == "engine_not_model":
            car, extras = self._car_engine_not_model(req, item)
        else:
            car, extras = self._car_without_position(req, item)
        req.text = self.assemble(phrase, car, extras, phrase_gender(phrase))
        return self._finish(req)

    def _missing_variant(self, item: dict) -> str:
        """Which slot a missing-slots request leaves out (or mentions too vaguely)."""
        part = self.parts[item["part_type"]]
        options = ["make_only", "year_not_generation"]
        weights = [0.3, 0.3]
        if item["engine_code"]:
            options.append("engine_not_model")
            weights.append(0.2)
        if item["side"]:
            options.append("no_side")
            weights.append(0.25)
        if item["axle"] and len(part.axles) > 1:
            options.append("no_axle")
            weights.append(0.2)
        return self.dice.pick(options, weights)

    def _missing_phrase(self, req: Request, item: dict, variant: str) -> str:
        """The part phrase with the side/axle words the variant keeps (set on ``req``)."""
        part = self.parts[item["part_type"]]
        phrase = self.part_phrase(item["part_type"], "any")
        side = "" if variant == "no_side" else item["side"]
        axle = "" if variant == "no_axle" else item["axle"]
        if variant != "no_axle" and axle and len(part.axles) == 1 and self.dice.chance(0.5):
            axle = ""
        req.side, req.axle = side, axle
        return self.with_position(phrase, side, axle)

    def _car_make_only(self, req: Request, item: dict) -> tuple[str, list[str]]:
        """Car phrase and extras naming only the make ("на опель"), sometimes with a year."""
        d = self.dice
        extras: list[str] = []
        car = d.pick(["на опель", "опель", "для опеля", "на opel", "Опель", "на опелек"])
        req.mentioned.add("make")
        if d.chance(0.3):
            req.year = item["year"]
            extras.append(self.year_text(item["year"]))
        return car, extras

    def _car_year_not_generation(self, req: Request, item: dict) -> tuple[str, list[str]]:
        """Car phrase and extras naming the model and a year, but no generation."""
        car = self.car_phrase(item["model"], "", make=self.dice.chance(0.4))
        if "опел" in car.lower() or "opel" in car.lower():
            req.mentioned.add("make")
        req.mentioned.add("model")
        req.year = item["year"]
        return car, [self.year_text(item["year"])]

    def _car_engine_not_model(self, req: Request, item: dict) -> tuple[str, list[str]]:
        """Car phrase and extras naming the engine code but no model."""
        d = self.dice
        make = d.chance(0.4)
        car = d.pick(["на", "для", ""]) + (" опель" if make else "")
        if make:
            req.mentioned.add("make")
        req.engine = item["engine_code"]
        return car, [self.engine_text(item["engine_code"])]

    def _car_without_position(self, req: Request, item: dict) -> tuple[str, list[str]]:
        """Car phrase and extras naming the car in full (the side or axle is what is missing)."""
        d = self.dice
        part = self.parts[item["part_type"]]
        extras: list[str] = []
        make = d.chance(0.4)
        gen = d.chance(0.85)
        car = self.car_phrase(
            item["model"], self.generation_text(item["generation"]) if gen else "", make=make
        )
        req.mentioned |= (
            {"model"} | ({"make"} if make else set()) | ({"generation"} if gen else set())
        )
        if not gen or d.chance(0.2):
            req.year = item["year"]
            extras.append(self.year_text(item["year"]))
        if item["engine_code"] and part.engine_specific and d.chance(0.5):
            req.engine = item["engine_code"]
            extras.append(self.engine_text(item["engine_code"]))
        return car, extras

    def vague(self, item: dict) -> Request:
        d = self.dice
        part = self.parts[item["part_type"]]
        req = Request("", {"part_type"}, part_type=item["part_type"])
        desc = d.pick(part.descriptions_ru)
        ru = self.model_ru[item["model"]].lower()
        make = d.chance(0.55)
        model = d.chance(0.85) or not make
        gen = model and d.chance(0.3)
        bits = []
        if item["side"] and d.chance(0.8):
            req.side = item["side"]
            bits.append(d.pick(_ADVERB[item["side"]] + [_SIDE_AXLE[item["side"]]["f"]]))
        if item["axle"] and d.chance(0.7):
            req.axle = item["axle"]
            bits.append(d.pick(_ADVERB[item["axle"]]))
        pos = " ".join(bits)
        car_bits = []
        if make:
            car_bits.append(d.pick(["опель", "опель", "Опель", "opel", "опелек"]))
            req.mentioned.add("make")
        if model:
            car_bits.append(ru)
            req.mentioned.add("model")
        if gen:
            car_bits.append(self.generation_text(item["generation"]))
            req.mentioned.add("generation")
        if d.chance(0.3):
            req.year = item["year"]
            car_bits.append(self.year_text(item["year"]))
        car = " ".join(car_bits)
        car_acc = " ".join([_case(w, "acc") if w == ru else w for w in car_bits])
        filler = d.pick(_FILLERS)
        hello = d.pick(_HELLO)
        text = d.pick(
            [
                f"{filler} эту штуку на {car_acc}, {desc}, {pos}",
                f"{hello}нужна деталь: {desc}, {car}, {pos}",
                f"у меня {car}, {pos} сломалось это, {desc}, как называется не знаю",
                f"{filler} {desc}, {car}, {pos}, есть такое?",
                f"{hello}подскажите, {desc} на {car_acc} {pos}",
                f"не знаю как называется, {desc}, {car} {pos}",
                f"{hello}{car}. {filler}, {desc} {pos}. что это и сколько стоит?",
            ]
        )
        text = " ".join(text.replace(", ,", ",").split()).replace(" ,", ",").rstrip(", ")
        req.text = self.style_case(text)
        return self._finish(req)

    # -- not ours ------------------------------------------------------------------------
    def other_make(self, make: str, part_type: str, year: int) -> Request:
        d = self.dice
        aliases, models = self.other_makes[make]
        part = self.parts[part_type]
        req = Request("", {"part_type"}, make=make, part_type=part_type)
        phrase = self.part_phrase(part_type, "slang" if d.chance(0.2) else "any")
        side = d.pick(["left", "right"]) if part.has_side and d.chance(0.7) else ""
        axle = d.pick(part.axles) if part.axles and d.chance(0.7) else ""
        req.side, req.axle = side, axle
        phrase = self.with_position(phrase, side, axle)
        use_alias = d.chance(0.75) or not models
        use_model = (d.chance(0.7) or not use_alias) and bool(models)
        bits = []
        if use_alias:
            bits.append(d.pick(aliases))
            req.mentioned.add("make")
        if use_model:
            bits.append(d.pick(models))
            req.mentioned.add("model")
        car = " ".join(bits)
        extras = []
        if d.chance(0.25):
            req.year = year
            extras.append(self.year_text(year))
        pre = d.pick(["на ", "для ", "", ""])
        text = self.assemble(phrase, f"{pre}{car}", extras, phrase_gender(phrase))
        req.text = text
        return self._finish(req)

    def not_a_part(self, model: str, year: int) -> Request:
        d = self.dice
        ru = self.model_ru[model].lower()
        opel = [
            f"продам опель {ru} {year} в хорошем состоянии",
            f"Продаю Opel {self.model_lat[model]} {year}, не бит не крашен, торг",
            f"куплю опель {ru} на ходу, {year}",
            f"сколько стоит ремонт опель {ru}?",
        ]
        other = [
            "ищу работу водителем",
            "Ищу работу, автослесарь, опыт 5 лет",
            "резюме: менеджер по продажам автозапчастей",
            "вакансия кладовщика еще актуальна?",
            "Продвижение сайтов в ТОП Яндекса! Звоните",
            "Предлагаем услуги SEO-продвижения",
            "Кредит без справок за 1 день",
            "раскрутка группы вк недорого",
            "Здравствуйте, я из компании АвтоЛогистик, предлагаем сотрудничество",
            "ошиблись номером",
            "это пиццерия?",
            "извините, не туда попал",
            "доставляете в Казань?",
            "какой у вас график работы?",
            "где вы находитесь?",
            "как к вам проехать?",
            "самовывоз есть?",
            "где мой заказ? номер 4521",
            "Можно оплатить картой при получении?",
            "вы работаете в субботу?",
            "Поставщик масел ищет партнеров, пришлите прайс",
            "верните деньги за возврат",
        ]
        if d.chance(0.18):
            req = Request(d.pick(opel), {"make", "model"}, make="Opel")
            if str(year) in req.text:
                req.year = year
            return self._finish(req)
        return Request(self.style_case(d.pick(other)))

    def empty(self) -> Request:
        return Request(
            self.dice.pick(
                [
                    "",
                    "",
                    " ",
                    "?",
                    ".",
                    "Здравствуйте",
                    "здравствуйте!",
                    "...",
                    "добрый день",
                    "  ",
                    "??",
                    "Алло",
                ]
            )
        )
