"""A seeded, reproducible sample exchange for the demo: customers, wallets, balances and prices.

Names come from the per-locale name lists in the shared data (`person_names_by_locale_faker`);
Russian, Ukrainian and Belarusian customers carry the Cyrillic spelling as an alternate name and a
Latin passport spelling (ICU's BGN/PCGN-style transliteration) as the main one. A few real listed
persons and sanctioned wallet addresses from the imported lists are planted among them, so that the
demo shows real matches. Prices are illustrative reference values, labelled as such.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from rempart.domain.lists import ListedEntity
from rempart.domain.restrictions.facts import EU_MEMBERS

# (country, weight, name locale)
COUNTRIES: tuple[tuple[str, int, str], ...] = (
    ("DE", 14, "de_DE"),
    ("FR", 9, "fr_FR"),
    ("ES", 6, "es_ES"),
    ("IT", 6, "it_IT"),
    ("NL", 4, "nl_NL"),
    ("PL", 4, "pl_PL"),
    ("AT", 2, "de_AT"),
    ("CZ", 2, "cs_CZ"),
    ("GR", 2, "el_GR"),
    ("PT", 2, "pt_PT"),
    ("SE", 2, "sv_SE"),
    ("FI", 1, "fi_FI"),
    ("IE", 1, "en_IE"),
    ("CH", 2, "de_CH"),
    ("NO", 1, "no_NO"),
    ("GB", 5, "en_GB"),
    ("US", 6, "en_US"),
    ("RU", 12, "ru_RU"),
    ("BY", 3, "ru_RU"),
    ("UA", 5, "uk_UA"),
    ("TR", 3, "tr_TR"),
    ("AE", 1, "ar_AA"),
    ("IN", 2, "en_IN"),
    ("CN", 2, "zh_CN"),
    ("JP", 1, "ja_JP"),
    ("BR", 2, "pt_BR"),
    ("IR", 1, "fa_IR"),
    ("KZ", 1, "ru_RU"),
    ("GE", 1, "ka_GE"),
    ("IL", 1, "he_IL"),
)
EU_EEA_CH = EU_MEMBERS | {"IS", "LI", "NO", "CH"}
CYRILLIC_LOCALES = {"ru_RU", "uk_UA"}
# asset -> (illustrative EUR price on dates below, chain for wallets)
ASSETS = ("BTC", "ETH", "USDT", "USDC", "SOL", "XRP", "TRX", "LTC")
PRICE_DATES = ("2022-04-09", "2022-06-01", "2022-10-07", "2025-02-24", "2026-11-30")
PRICES: dict[str, tuple[str, ...]] = {
    "BTC": ("39500.00", "28200.00", "20100.00", "91000.00", "84000.00"),
    "ETH": ("2970.00", "1890.00", "1370.00", "2700.00", "2900.00"),
    "USDT": ("0.92", "0.93", "1.02", "0.96", "0.94"),
    "USDC": ("0.92", "0.93", "1.02", "0.96", "0.94"),
    "SOL": ("98.00", "39.00", "34.00", "160.00", "130.00"),
    "XRP": ("0.72", "0.38", "0.50", "2.30", "2.00"),
    "TRX": ("0.064", "0.078", "0.064", "0.22", "0.25"),
    "LTC": ("103.00", "60.00", "54.00", "115.00", "90.00"),
}
PRICE_SOURCE = "rempart-demo illustrative reference prices (not market data)"
COMPANY_FORMS = {
    "RU": ("OOO", "AO", "PAO"),
    "BY": ("OOO", "ChUP"),
    "DE": ("GmbH", "AG"),
    "FR": ("SAS", "SARL"),
    "GB": ("Ltd", "LLP"),
    "US": ("LLC", "Inc."),
    "CY": ("Ltd",),
    "AE": ("FZE", "LLC"),
    "NL": ("B.V.",),
    "CH": ("AG", "SA"),
    "TR": ("A.S.",),
    "KZ": ("TOO",),
}
COMPANY_WORDS = (
    "Trading",
    "Capital",
    "Logistics",
    "Invest",
    "Holding",
    "Digital",
    "Energy",
    "Systems",
    "Consulting",
    "Metals",
    "Agro",
    "Ventures",
    "Partners",
    "Technologies",
    "Shipping",
)


@dataclass
class NameBank:
    first_m: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    first_f: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    last_m: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    last_f: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    middle_m: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    middle_f: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, path: Path) -> NameBank:
        bank = cls()
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                loc, fld, name = row["locale"], row["field"], row["name"].strip()
                if not name:
                    continue
                female = "female" in fld
                male = "male" in fld.replace("female", "") and not female
                if "first" in fld:
                    kinds = (bank.first_f, bank.first_m)
                elif "last" in fld:
                    kinds = (bank.last_f, bank.last_m)
                elif "middle" in fld:
                    kinds = (bank.middle_f, bank.middle_m)
                else:
                    continue
                if not male:
                    kinds[0][loc].append(name)
                if not female:
                    kinds[1][loc].append(name)
        return bank

    def person(self, rng: random.Random, locale: str) -> tuple[str, str, str | None]:
        if locale not in self.last_m and locale not in self.last_f:
            locale = "en_US"
        female = rng.random() < 0.45
        firsts = (
            (self.first_f if female else self.first_m).get(locale) or self.first_m.get(locale) or ["Alex"]
        )
        lasts = (self.last_f if female else self.last_m).get(locale) or self.last_m.get(locale) or ["Smith"]
        middles = (self.middle_f if female else self.middle_m).get(locale) or []
        middle = rng.choice(middles) if middles and rng.random() < 0.8 else None
        return rng.choice(firsts), rng.choice(lasts), middle


_TRANSLIT = {"ru_RU": "Russian-Latin/BGN; Latin-ASCII", "uk_UA": "Ukrainian-Latin/BGN; Latin-ASCII"}
_TRANSLITERATORS: dict[str, object] = {}


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or ("LATIN" in unicodedata.name(ch, "")) for ch in text)


def _latin(text: str, locale: str = "ru_RU") -> str:
    """A passport-style Latin spelling (ICU's BGN/PCGN romanization for the locale)."""
    import icu

    tr = _TRANSLITERATORS.get(locale)
    if tr is None:
        tr = icu.Transliterator.createInstance(_TRANSLIT.get(locale, "Any-Latin; Latin-ASCII"))
        _TRANSLITERATORS[locale] = tr
    return str(tr.transliterate(text))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Planted:
    customer_id: str
    entity_id: str
    name: str
    kind: str  # "name" or "wallet"


@dataclass
class SampleExchange:
    customers: list[dict[str, str]]
    balances: list[dict[str, str]]
    prices: list[dict[str, str]]
    planted: list[Planted]

    def write(self, out: Path) -> dict[str, Path]:
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "customers": out / "customers.csv",
            "balances": out / "balances.parquet",
            "prices": out / "prices.csv",
        }
        _write_csv(paths["customers"], self.customers)
        _write_csv(paths["prices"], self.prices)
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = ("customer_id", "account_id", "asset", "amount")
        pq.write_table(pa.table({c: [b[c] for b in self.balances] for c in cols}), paths["balances"])
        return paths


def _write_csv(path: Path, rows: Sequence[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _permits(rng: random.Random, nationality: str, residence: str) -> str:
    if residence not in EU_EEA_CH or nationality in EU_EEA_CH:
        return ""
    r = rng.random()
    if r < 0.45:
        return f"{residence}:temporary:{date(2023, 1, 1) + timedelta(days=rng.randrange(0, 2000))}"
    if r < 0.70:
        return f"{residence}:permanent:"
    if r < 0.80:  # expired
        return f"{residence}:temporary:{date(2021, 6, 1) + timedelta(days=rng.randrange(0, 900))}"
    return ""  # no permit recorded


def generate(
    names_csv: Path,
    *,
    customers: int = 20_000,
    seed: int = 7,
    listed: Iterable[tuple[str, ListedEntity]] = (),
    plant_names: int = 12,
    plant_wallets: int = 6,
) -> SampleExchange:
    """Generate a sample exchange. `listed` gives (entity_id, entity) from the imported lists to plant."""
    rng = random.Random(seed)
    bank = NameBank.load(names_csv)
    countries = [c for c, _w, _l in COUNTRIES]
    weights = [w for _c, w, _l in COUNTRIES]
    locale_of = {c: loc for c, _w, loc in COUNTRIES}
    rows: list[dict[str, str]] = []
    for i in range(customers):
        cid = f"C{i + 1:07d}"
        created = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2500))
        if rng.random() < 0.08:
            est = rng.choice(["RU", "RU", "BY", "DE", "GB", "CY", "AE", "US", "NL", "CH", "TR", "KZ"])
            loc = locale_of.get(est, "en_US")
            _f, last, _m = bank.person(rng, loc)
            if loc in CYRILLIC_LOCALES:
                last = _latin(last, loc)
            form = rng.choice(COMPANY_FORMS.get(est, ("Ltd",)))
            word = rng.choice(COMPANY_WORDS)
            name = (
                f"{form} {last} {word}"
                if form in ("OOO", "AO", "PAO", "ChUP", "TOO")
                else f"{last} {word} {form}"
            )
            rows.append(
                _row(
                    cid,
                    "company",
                    name,
                    "",
                    "",
                    "",
                    "",
                    "",
                    est,
                    f"{rng.randrange(10**12, 10**13)}",
                    f"finance{i}@example.com",
                    created,
                )
            )
            continue
        nat = rng.choices(countries, weights)[0]
        loc = locale_of[nat]
        first, last, middle = bank.person(rng, loc)
        alt = ""
        if loc in CYRILLIC_LOCALES:
            cyr = " ".join(x for x in (first, middle, last) if x)
            alt = cyr
            first, last = _latin(first, loc), _latin(last, loc)
            middle = _latin(middle, loc) if middle else None
        name = " ".join(x for x in (first, middle if loc in CYRILLIC_LOCALES else None, last) if x)
        if not name.isascii() and not _is_latin(name):
            alt, name = name, _latin(name, "any").title()
        residence = nat
        if nat in ("RU", "BY", "UA") and rng.random() < 0.35:
            residence = rng.choice(
                ["DE", "FR", "ES", "IT", "NL", "PL", "CY", "LV", "GE", "TR", "AE", "RS", "GB"]
            )
        elif rng.random() < 0.05:
            residence = rng.choice(["DE", "FR", "ES", "GB", "US", "CH"])
        nats = nat
        if nat == "RU" and rng.random() < 0.05:
            nats = f"RU;{rng.choice(['DE', 'IL', 'CY', 'FR'])}"
        if rng.random() < 0.01:
            nats = ""  # unknown nationality: a gap the engine must flag for review where it matters
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 52))
        rows.append(
            _row(
                cid,
                "person",
                name,
                alt,
                birth.isoformat(),
                nats,
                residence,
                _permits(rng, nat, residence),
                "",
                "",
                f"user{i}@example.com",
                created,
            )
        )
    planted = _plant(rng, rows, list(listed), plant_names, plant_wallets)
    balances = _balances(rng, rows)
    prices = [
        {"asset": a, "price_eur": PRICES[a][k], "as_of": d, "source": PRICE_SOURCE}
        for a in ASSETS
        for k, d in enumerate(PRICE_DATES)
    ]
    return SampleExchange(rows, balances, prices, planted)


def _row(
    cid: str,
    typ: str,
    name: str,
    alt: str,
    birth: str,
    nats: str,
    res: str,
    permits: str,
    est: str,
    reg: str,
    email: str,
    created: date,
) -> dict[str, str]:
    return {
        "customer_id": cid,
        "type": typ,
        "name": name,
        "alt_names": alt,
        "birth_date": birth,
        "nationalities": nats,
        "residence_country": res,
        "residence_permits": permits,
        "establishment_country": est,
        "registration_number": reg,
        "email": email,
        "wallets": "",
        "created_at": created.isoformat(),
    }


def _plant(
    rng: random.Random,
    rows: list[dict[str, str]],
    listed: list[tuple[str, ListedEntity]],
    n_names: int,
    n_wallets: int,
) -> list[Planted]:
    planted: list[Planted] = []
    persons = [(eid, e) for eid, e in listed if e.schema == "Person" and e.names]
    with_wallets = [(eid, e, w) for eid, e in listed for w in e.wallets]
    rng.shuffle(persons)
    slots = rng.sample(range(len(rows)), min(len(rows), n_names + n_wallets))
    for (eid, e), slot in zip(persons[:n_names], slots[:n_names], strict=False):
        row = rows[slot]
        row["type"] = "person"
        row["name"] = e.primary_name
        row["birth_date"] = e.birth_dates[0].iso() if e.birth_dates else row["birth_date"]
        row["nationalities"] = ";".join(e.nationalities[:1]) or row["nationalities"]
        row["establishment_country"] = ""
        row["registration_number"] = ""
        planted.append(Planted(row["customer_id"], eid, e.primary_name, "name"))
    rng.shuffle(with_wallets)
    for (eid, _e, w), slot in zip(with_wallets[:n_wallets], slots[n_names:], strict=False):
        row = rows[slot]
        row["wallets"] = f"{w.chain}:{w.address}"
        planted.append(Planted(row["customer_id"], eid, w.address, "wallet"))
    return planted


def _balances(rng: random.Random, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    latest = {a: Decimal(PRICES[a][1]) for a in ASSETS}  # size holdings around the 2022-06 prices
    for row in rows:
        if rng.random() < 0.1:
            continue  # no holdings
        accounts = 1 if rng.random() < 0.8 else 2
        # target EUR value, log-normal: most small, some above EUR 10,000, a few near the line
        target = Decimal(str(round(rng.lognormvariate(7.8, 1.6), 2)))
        if rng.random() < 0.03:
            target = Decimal("10000.00") + Decimal(rng.randrange(-300, 300))
        if row["type"] == "company":
            target *= 20
        assets = rng.sample(ASSETS, rng.randint(1, 3))
        for k, asset in enumerate(assets):
            share = target / len(assets)
            amount = (share / latest[asset]).quantize(Decimal("0.00000001"), rounding=ROUND_DOWN)
            if amount <= 0:
                continue
            out.append(
                {
                    "customer_id": row["customer_id"],
                    "account_id": f"{row['customer_id']}-a{k % accounts + 1}",
                    "asset": asset,
                    "amount": str(amount),
                }
            )
    return out
