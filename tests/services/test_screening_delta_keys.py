"""Delta rescreening through the customer keys finds exactly what screening every customer finds.

Fictional listed entities and a generated fictional customer base (made-up names, some of them near
spellings of the listed ones: typos, joined or split parts, another order, other scripts).
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from rempart.adapters.storage.db import Store
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, ListSnapshot, Name, NameKind, SourceFile, Wallet
from rempart.domain.parties import Customer, CustomerWallet
from rempart.domain.screening.index import CANDIDATE_SHARE
from rempart.services import alerts
from rempart.services.lists import import_snapshot
from rempart.services.provider import import_customers
from rempart.services.screening import Screener, rescreen_delta
from rempart.services.screening.customer_keys import CustomerKeys, keys_path
from rempart.services.screening.engine import customer_query

THRESHOLD = 0.7
SYLLABLES = ["dra", "vik", "so", "len", "ko", "mar", "tel", "ba"]
SYLLABLES += ["run", "zi", "fe", "dor", "qua", "nis", "ul"]
EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # the EIP-55 specification's example


def made_up(rng: random.Random, parts: int = 2) -> str:
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize() for _ in range(parts)
    )


def near(rng: random.Random, name: str) -> str:
    """A near spelling of `name`: a typo, joined or split parts, another order."""
    parts = name.split()
    k = rng.randrange(5)
    if k == 0 and parts:
        i = rng.randrange(len(parts))
        w = parts[i]
        j = rng.randrange(len(w))
        parts[i] = w[:j] + rng.choice("aeiouxk") + w[j + 1 :]
    elif k == 1 and len(parts) > 1:
        parts = [parts[0] + parts[1].lower(), *parts[2:]]
    elif k == 2:
        parts = parts[::-1]
    elif k == 3 and parts:
        w = parts[0]
        parts[0] = w[: len(w) // 2] + " " + w[len(w) // 2 :] if len(w) > 3 else w
    return " ".join(parts) or name


ENTITIES = [
    ListedEntity(
        source_id=f"e{i}",
        schema="Person" if i % 4 else "Organization",
        names=(Name(made_up(random.Random(i), 2 + i % 3)),),
        birth_dates=(PartialDate(1950 + i, 1 + i % 12, 1 + i % 28),) if i % 3 == 0 else (),
        nationalities=("FR",) if i % 5 == 0 else (),
        wallets=(Wallet("ETH", EVM),) if i == 7 else (),
    )
    for i in range(40)
] + [
    ListedEntity(source_id="cyr", schema="Person", names=(Name("Дравик Соленко", NameKind.ALIAS, "Cyrl"),)),
    ListedEntity(source_id="arab", schema="Person", names=(Name("درافيك سولنكو"),)),
]


def customers(n: int, seed: int = 5) -> list[Customer]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randrange(10)
        if k < 4:
            name = near(rng, rng.choice(ENTITIES).names[0].full)
        elif k == 4:
            name = rng.choice(["Dravik Solenko", "Драви Соленко", "Drawik Solenco", "Solenko"])
        else:
            name = made_up(rng, rng.randint(1, 3))
        out.append(
            Customer(
                customer_id=f"c{i:05d}",
                type="company" if k == 9 else "person",
                name=name,
                alt_names=(made_up(rng),) if k == 8 else (),
                birth_date=PartialDate(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
                if rng.random() < 0.5
                else None,
                nationalities=(rng.choice(["FR", "DE"]),) if rng.random() < 0.5 else (),
                wallets=(CustomerWallet("ETH", EVM.lower()),) if i % 97 == 0 else (),
            )
        )
    return out


def entries(ents: list[ListedEntity]) -> list[tuple[str, str, ListedEntity]]:
    return [("ofac", "v1", e) for e in ents]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_customers_concerned_hold_every_hit(seed: int) -> None:
    """Every customer that screening against a few entities gives a hit (at any score, not only a
    match) is among the customers the keys say those entities concern, and some are not concerned."""
    rng = random.Random(seed)
    touched = rng.sample(ENTITIES, 8)
    small = Screener(entries(touched), {"ofac": "v1"}, threshold=THRESHOLD)
    base = customers(1500, seed)
    keys = CustomerKeys()
    for c in base:
        keys.add(c.customer_id, "h", small.matcher.probes(customer_query(c)), bool(c.wallets))  # type: ignore[attr-defined]
    concerned = keys.concerned(small.matcher, wallets=small.addresses.size > 0)  # type: ignore[arg-type]
    with_hits = set()
    for c in base:
        near_hits = small.matcher.search(customer_query(c), min_score=0.0)
        if near_hits or small.screen_customer(c):
            with_hits.add(c.customer_id)
    assert with_hits, "the generated base must hold customers near the touched entities"
    assert with_hits <= concerned
    assert len(concerned) < len(base)


def test_a_query_not_concerned_has_no_candidate() -> None:
    """The search keeps a candidate name only when the parts whose probes hit carry enough of the
    query's weight (the reverse need not hold: a rare part the index does not know keeps common
    parts from opening candidates)."""
    small = Screener(entries(ENTITIES[:10]), {"ofac": "v1"}, threshold=THRESHOLD)
    m = small.matcher
    found_some = 0
    for c in customers(800, seed=9):
        q = customer_query(c)
        probes = m.probes(q)  # type: ignore[attr-defined]
        forms = [m._analyze_query(n, q.schema) for n in (q.name, *q.alt_names)]  # type: ignore[attr-defined]
        found = any(
            share >= CANDIDATE_SHARE
            for f in forms
            if f.tokens
            for share in m._candidates(f).values()  # type: ignore[attr-defined]
        )
        if found:
            found_some += 1
            hit = {p for parts in probes for _s, ps in parts for p in ps if m.hits(p)}  # type: ignore[attr-defined]
            assert m.concerned(probes, hit), c.name  # type: ignore[attr-defined]
    assert found_some > 50


def test_keys_forget_removed_and_report_changed_customers(tmp_path: Path) -> None:
    keys = CustomerKeys()
    keys.add("a", "h1", (((1.0, ("fdravik",)),),), False)
    keys.add("b", "h2", (((1.0, ("fsolenko",)),),), True)
    assert keys.stale({"a": "h1", "c": "h3"}) == {"c"}
    assert len(keys) == 1
    path = tmp_path / "k.pickle"
    keys.save(path)
    assert CustomerKeys.load(path).rows == keys.rows
    path.write_bytes(b"not a pickle")
    assert len(CustomerKeys.load(path)) == 0 and not path.exists()


CSV_HEADER = "customer_id,type,name,alt_names,birth_date,nationalities,wallets\n"


def _csv(base: list[Customer]) -> str:
    rows = [
        f"{c.customer_id},{c.type},{c.name},{'|'.join(c.alt_names)},"
        f"{c.birth_date.iso() if c.birth_date else ''},{'|'.join(c.nationalities)},"
        f"{'|'.join(f'{w.chain}:{w.address}' for w in c.wallets)}"
        for c in base
    ]
    return CSV_HEADER + "\n".join(rows) + "\n"


def _alerts(store: Store) -> set[tuple[str, str]]:
    with store.read() as conn:
        return {(a.customer_id, a.entity_id) for a in alerts.list_alerts(conn)}


def test_delta_opens_the_alerts_a_full_rescreening_opens(store: Store, tmp_path: Path) -> None:
    """The same alerts as screening every customer against the new entities, with fewer customers
    screened; the customer keys are kept between runs."""
    old, new = ENTITIES[:30], ENTITIES[30:]
    import_snapshot(
        store, ListSnapshot("ofac", date(2026, 1, 1), (SourceFile("a.csv", "0" * 64),), tuple(old))
    )
    base = customers(600, seed=4)
    path = tmp_path / "customers.csv"
    path.write_text(_csv(base), encoding="utf-8")
    import_customers(store, path)
    cache = tmp_path / "cache"
    first = rescreen_delta(store, threshold=THRESHOLD, cache_dir=cache)
    assert first.customers_vs_all == len(base)
    before = _alerts(store)
    import_snapshot(
        store, ListSnapshot("ofac", date(2026, 2, 1), (SourceFile("b.csv", "1" * 64),), tuple(ENTITIES))
    )
    d = rescreen_delta(store, threshold=THRESHOLD, cache_dir=cache)
    assert keys_path(cache, store).exists()
    assert d.touched_entities == len(new) and d.customers_vs_all == 0
    assert 0 < d.customers_vs_delta == d.customers_concerned < len(base)
    got = _alerts(store) - before
    # what screening every customer against the new entities opens
    small = Screener(entries(new), {"ofac": "v"}, threshold=THRESHOLD)
    want = {(c.customer_id, h.entity_id) for c in base for h in small.screen_customer(c)}
    assert want and got == want
