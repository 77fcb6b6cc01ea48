"""Write bench/data/pii_sv.jsonl: synthetic Swedish focus-group talk with gold PII spans.

Deterministic (seeded). Names come from faker: mostly its sv_SE lists, and a share of
Finnish names that are not in those lists, so the benchmark also shows what a name
outside the lists costs. Every utterance also carries distractors: words that are names
elsewhere ("Alla", "Per", "Dag"), places, organisations, dates, amounts, case numbers.

    python bench/make_pii_data.py  # rewrites bench/data/pii_sv.jsonl
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).parent / "data" / "pii_sv.jsonl"
SEED = 20261123
N_UTTERANCES = 400

# Templates: {name}, {first}, {last}, {pnr}, {phone}, {email}, {address} are gold slots.
PII_TEMPLATES = [
    "Jag pratade med {name} i går och hon lovade att återkomma.",
    "Då ringde {name} från vårdcentralen och ville ha ett möte.",
    "{first} sa att det inte fungerade med remisserna.",
    "Det var {first} som tog kontakt med oss först.",
    "Min kollega {name} har haft ärendet i två år.",
    "Klienten, vi kan kalla honom {first}, hade inget stöd alls.",
    "Hans personnummer är {pnr}, så du kan slå upp honom.",
    "Skriv {pnr} i rutan, det är hennes nummer.",
    "Samordningsnumret var {pnr} om jag minns rätt.",
    "Ring mig på {phone} om det är något.",
    "Numret till mottagningen är {phone}, de svarar på förmiddagen.",
    "Hon gav mig {phone} men det gick aldrig fram.",
    "Mejla {email} så skickar jag underlaget.",
    "Adressen var {email}, men den studsade.",
    "Han bor på {address} och har gjort det länge.",
    "Vi gjorde hembesök på {address} förra veckan.",
    "Kontoret flyttade till {address} i våras.",
    "Det var doktor {last} som skrev intyget.",
    "Jag och {first} satt i samma grupp, {first} var jättebra.",
    "När {name} slutade försvann all kunskap.",
    "Fråga {first}, hon vet hur det gick till.",
    "Vi skickade det till {name} på Försäkringskassan.",
    "{name} och {name} från Arbetsförmedlingen var med på mötet.",
    "Hennes son {first} var också med, han är sjutton.",
    "Ring {name} på {phone} så löser det sig.",
    "Jag vet att {first} bor på {address} nu.",
    "Det står {pnr} och {email} i journalen.",
    "Hej {first}, kan du berätta hur det gick?",
    "Tack {first}, det var tydligt.",
    "Handläggaren hette {name}, men hon har gått i pension.",
]
DISTRACTORS = [
    "Alla var med på mötet i Norrby.",
    "Per månad blir det ungefär fyra ärenden.",
    "Det kostar 500 kronor per timme.",
    "Hej och välkomna allihop.",
    "Dag för dag blir det lite bättre.",
    "Vi träffas varannan vecka på Arbetsförmedlingen.",
    "Försäkringskassan har ändrat sina rutiner sedan 2019.",
    "Region Jönköpings län har en samordnare.",
    "Ärendet har diarienummer 2021-0456 hos kommunen.",
    "Mötet är 14.30 på tisdag, plan 3.",
    "Det var i mars 2023 som vi började.",
    "Vi har 120 deltagare och 35 av dem är i arbete.",
    "Budgeten var 1 200 000 kronor för 2024.",
    "Inga fler frågor från mig.",
    "Mina kollegor håller med.",
    "Hans ärende är inte avslutat än.",
    "Stig in och sätt dig.",
    "Liv och hälsa är det viktigaste.",
    "Samverkan i Lund och Malmö ser annorlunda ut.",
    "Vi åkte till Stockholm för en konferens.",
    "Insatsen pågick i 18 månader, från 2022-01-15 till 2023-07-01.",
    "Socialtjänsten och Vården måste prata mer.",
    "Det gäller LSS och LVU, inte SoL.",
    "Klockan 08.15 öppnar mottagningen.",
    "Vi hade 3 möten med 12 deltagare vardera.",
    "Mark och vatten är inte vårt område.",
    "Bo hemma och klara sig själv är målet.",
    "Maj och juni är alltid lugnare.",
    "Norrbyvägen är avstängd på grund av bygget.",
    "Storgatan har fått nya busshållplatser.",
]
STREET_STEMS = [
    "Stor",
    "Kyrko",
    "Skol",
    "Norrby",
    "Björk",
    "Ek",
    "Lill",
    "Hamn",
    "Kvarn",
    "Ny",
    "Tall",
    "Sjö",
    "Väster",
    "Öster",
    "Ängs",
    "Linné",
    "Torg",
    "Park",
    "Industri",
    "Prästgårds",
]
STREET_SUFFIXES = [
    "gatan",
    "vägen",
    "gränd",
    "torget",
    "stigen",
    "allén",
    "backen",
    "plan",
    "leden",
    "platsen",
]
MULTIWORD_STREETS = [
    "Drottning Kristinas väg",
    "Stora Nygatan",
    "Gamla Kungsvägen",
    "Karl Johans gata",
]
DOMAINS = ["norrby.se", "kommun.se", "regionjh.se", "forsakringskassan.se", "gmail.com", "af.se"]


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def make_pnr(rng: random.Random) -> str:
    year = rng.randint(1940, 2008)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.2:
        day += 60  # samordningsnummer
    serial = f"{rng.randint(0, 999):03d}"
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    ten = nine + luhn_digit(nine)
    form = rng.choice(["short-", "long-", "long", "short"])
    if form == "short-":
        return f"{ten[:6]}-{ten[6:]}"
    if form == "short":
        return ten
    century = str(year)[:2]
    return f"{century}{ten[:6]}-{ten[6:]}" if form == "long-" else f"{century}{ten}"


def _d(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def make_phone(rng: random.Random) -> str:
    mobile = f"07{rng.choice('02369')}"
    forms = [
        lambda: f"{mobile}-{_d(rng, 3)} {_d(rng, 2)} {_d(rng, 2)}",
        lambda: f"{mobile}-{_d(rng, 7)}",
        lambda: f"{mobile} {_d(rng, 3)} {_d(rng, 2)} {_d(rng, 2)}",
        lambda: f"{mobile}{_d(rng, 7)}",
        lambda: f"+46 {mobile[1:]} {_d(rng, 3)} {_d(rng, 2)} {_d(rng, 2)}",
        lambda: f"+46{mobile[1:]}{_d(rng, 7)}",
        lambda: f"08-{_d(rng, 3)} {_d(rng, 3)} {_d(rng, 2)}",
        lambda: f"08-{_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}",
        lambda: (
            f"0{rng.choice(['31', '40', '36', '90', '13'])}-{_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}"
        ),
        lambda: f"0{rng.choice(['31', '40', '36'])}-{_d(rng, 3)} {_d(rng, 2)} {_d(rng, 2)}",
        lambda: f"0771-{_d(rng, 3)} {_d(rng, 3)}",
        lambda: (
            f"0{rng.choice(['470', '480', '380', '140'])}-{_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}"
        ),
    ]
    return rng.choice(forms)()


def _ascii(text: str) -> str:
    return text.lower().translate(str.maketrans("åäöéü", "aaoeu"))


def make_address(rng: random.Random) -> str:
    if rng.random() < 0.15:
        street = rng.choice(MULTIWORD_STREETS)
    else:
        street = rng.choice(STREET_STEMS) + rng.choice(STREET_SUFFIXES)
    number = str(rng.randint(1, 150))
    if rng.random() < 0.25:
        number += rng.choice(["A", "B", "C", " A", " B"])
    return f"{street} {number}"


@dataclass
class People:
    rng: random.Random
    firsts: list[str]
    lasts: list[str]
    rare_firsts: list[str]
    rare_lasts: list[str]
    rare_share: float = 0.1
    used: list[tuple[str, str, bool]] = field(default_factory=list)

    def person(self) -> tuple[str, str, bool]:
        # Half the time someone already mentioned comes back, as in real talk.
        if self.used and self.rng.random() < 0.5:
            return self.rng.choice(self.used)
        rare = self.rng.random() < self.rare_share
        first = self.rng.choice(self.rare_firsts if rare else self.firsts)
        last = self.rng.choice(self.rare_lasts if rare else self.lasts)
        self.used.append((first, last, rare))
        return first, last, rare


def fill(template: str, rng: random.Random, people: People) -> tuple[str, list[dict[str, object]]]:
    out = ""
    spans: list[dict[str, object]] = []
    i = 0
    current: tuple[str, str, bool] | None = None
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            slot = template[i + 1 : j]
            rare = False
            if slot in ("name", "first", "last"):
                if current is None or slot == "name":
                    current = people.person()
                first, last, rare = current
                value = {"name": f"{first} {last}", "first": first, "last": last}[slot]
                kind = "name"
            elif slot == "pnr":
                value, kind = make_pnr(rng), "personnummer"
            elif slot == "phone":
                value, kind = make_phone(rng), "phone"
            elif slot == "email":
                p = people.person()
                value = f"{_ascii(p[0])}.{_ascii(p[1])}@{rng.choice(DOMAINS)}"
                kind = "email"
            else:
                value, kind = make_address(rng), "address"
            spans.append(
                {"kind": kind, "start": len(out), "end": len(out) + len(value), "rare": rare}
            )
            out += value
            i = j + 1
        else:
            out += template[i]
            i += 1
    return out, spans


def build() -> list[dict[str, object]]:
    from faker.providers.person.fi_FI import Provider as Fi
    from faker.providers.person.sv_SE import Provider as Sv

    firsts = sorted(set(Sv.first_names_female) | set(Sv.first_names_male))
    lasts = sorted(set(Sv.last_names))
    rare_firsts = sorted(set(Fi.first_names) - set(firsts))
    rare_lasts = sorted(set(Fi.last_names) - set(lasts))
    rng = random.Random(SEED)
    people = People(rng, firsts, lasts, rare_firsts, rare_lasts)
    rows = []
    for n in range(N_UTTERANCES):
        parts: list[tuple[str, list[dict[str, object]]]] = []
        for _ in range(rng.randint(1, 2)):
            parts.append(fill(rng.choice(PII_TEMPLATES), rng, people))
        for _ in range(rng.randint(1, 2)):
            parts.append((rng.choice(DISTRACTORS), []))
        rng.shuffle(parts)
        text = ""
        spans: list[dict[str, object]] = []
        for part, part_spans in parts:
            if text:
                text += " "
            offset = len(text)
            text += part
            spans += [
                {**s, "start": int(s["start"]) + offset, "end": int(s["end"]) + offset}  # type: ignore[call-overload]
                for s in part_spans
            ]
        for s in spans:
            s["text"] = text[int(s["start"]) : int(s["end"])]  # type: ignore[call-overload]
        rows.append({"id": n + 1, "text": text, "spans": spans})
    return rows


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in build()]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Wrote {len(lines)} utterances to {OUT}")


if __name__ == "__main__":
    main()
