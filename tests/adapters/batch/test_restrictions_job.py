"""The set-based job gives the same decisions as `decide()` on every generated customer."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rempart.adapters.batch import duckdb_runner, synthetic
from rempart.adapters.batch.restrictions_job import DECISION_TABLE_MAX, build_sql
from rempart.domain.restrictions import decide, fmt_eur, parse_facts
from rempart.domain.rules import RuleSet
from rempart.services.restrictions import load_rules

RULES = Path(__file__).resolve().parents[3] / "rules"
DATES = [date(2022, 3, 1), date(2022, 6, 1), date(2023, 5, 1), date(2025, 12, 1)]


def facts_for(
    d: date,
    provider: str,
    cust: dict[str, Any],
    holdings: list[dict[str, Any]],
    sanctions: list[dict[str, Any]],
    prices: dict[str, str],
) -> dict[str, Any]:
    return {
        "as_of": d.isoformat(),
        "action": "hold",
        "provider_entity": provider,
        "customer": {
            "type": cust["type"],
            "nationalities": cust["nationalities"],
            "residence_country": cust["residence_country"],
            "establishment_country": cust["establishment_country"],
            "residence_permits": [
                {
                    "country": p["country"],
                    "kind": p["kind"],
                    "valid_from": p["valid_from"].isoformat() if p["valid_from"] else None,
                    "valid_until": p["valid_until"].isoformat() if p["valid_until"] else None,
                }
                for p in cust["permits"]
            ],
            "sanctions": sanctions,
        },
        "holdings": holdings,
        "prices_eur": prices,
    }


def load_base(tmp: Path, n: int, rows: int, d: date) -> tuple[duckdb.DuckDBPyConnection, dict[str, Path]]:
    con = duckdb_runner.connect(threads=2)
    paths = synthetic.generate(con, tmp, n, rows, d)
    duckdb_runner.register_inputs(con, {k: str(v) for k, v in paths.items()})
    return con, paths


def python_decisions(
    con: duckdb.DuckDBPyConnection, rules: RuleSet, d: date, provider: str
) -> dict[str, Any]:
    """decide() on every customer, from the raw balance rows (no pre-aggregation) and the raw prices."""
    prices = {r[0]: str(r[1]) for r in con.execute("SELECT asset, price_eur FROM prices").fetchall()}
    hold: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for key, acc, asset, amount in con.execute(
        "SELECT customer_key, account_id, asset, amount FROM balances"
    ).fetchall():
        hold[key].append({"account_id": acc, "asset": asset, "amount": str(amount)})
    sanc: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for key, lst, status, lf, lu in con.execute(
        "SELECT customer_key, list, status, listed_from, listed_until FROM sanctions"
    ).fetchall():
        sanc[key].append(
            {
                "list": lst,
                "status": status,
                "entity_id": f"{lst}:x",
                "listed_from": lf.isoformat() if lf else None,
                "listed_until": lu.isoformat() if lu else None,
            }
        )
    cur = con.execute("SELECT * FROM customers")
    names = [c[0] for c in cur.description]
    out = {}
    for row in cur.fetchall():
        cust = dict(zip(names, row, strict=True))
        key = cust["customer_key"]
        facts = parse_facts(facts_for(d, provider, cust, hold[key], sanc[key], prices))
        out[cust["customer_id"]] = decide(facts, rules, d)
    return out


@pytest.mark.parametrize("d", DATES, ids=str)
def test_sql_equals_decide(tmp_path: Path, d: date) -> None:
    rules = load_rules(RULES)
    con, _ = load_base(tmp_path, 2000, 6000, d)
    expected = python_decisions(con, rules, d, "EU")
    rel = duckdb_runner.evaluate(con, rules, d)
    assert rel is not None
    ids = duckdb_runner.rule_ids(rules, d)
    rows = rel.fetchall()
    assert len(rows) == len(expected)
    outcomes: dict[str, int] = defaultdict(int)
    for row in rows:
        cid, outcome, decided_by, holdings, _complete, *statuses = row
        dec = expected[cid]
        outcomes[outcome] += 1
        status_names = {0: "not_applicable", 1: "undetermined", 2: "applies"}
        got = {rid: status_names[s] for rid, s in zip(ids, statuses, strict=True)}
        want = {r.rule.id: r.status for r in dec.results}
        assert (outcome, decided_by, got) == (dec.outcome, ",".join(dec.decided_by), want), cid
        assert fmt_eur(holdings.normalize()) == fmt_eur(dec.holdings_eur) or holdings == dec.holdings_eur, cid
    # the generated base exercises every outcome except deny (deny needs an action other than hold)
    wanted = {"allow", "freeze", "review"} | ({"offboard"} if d >= date(2022, 4, 9) else set())
    assert wanted <= set(outcomes), dict(outcomes)


@pytest.mark.parametrize("d", [date(2022, 6, 1), date(2025, 12, 1)], ids=str)
def test_decision_table_and_direct_decisions_agree(tmp_path: Path, d: date) -> None:
    """Both ways of deciding (a table of the predicate combinations, or every customer directly) give
    decide()'s statuses, outcome and deciding rules."""
    rules = load_rules(RULES)
    con, _ = load_base(tmp_path, 1500, 4500, d)
    expected = python_decisions(con, rules, d, "EU")
    ids = duckdb_runner.rule_ids(rules, d)
    status_names = {0: "not_applicable", 1: "undetermined", 2: "applies"}
    results = {}
    for table_max in (DECISION_TABLE_MAX, 0):
        sql = build_sql(rules, d, decision_table_max=table_max)
        assert ("JOIN d ON" in sql) is (table_max > 0)
        rows = con.sql(sql).fetchall()
        assert len(rows) == len(expected)
        for cid, outcome, decided_by, _holdings, _complete, *statuses in rows:
            dec = expected[cid]
            got = {rid: status_names[st] for rid, st in zip(ids, statuses, strict=True)}
            want = {r.rule.id: r.status for r in dec.results}
            assert (outcome, decided_by, got) == (dec.outcome, ",".join(dec.decided_by), want), cid
        results[table_max] = sorted(rows)
    assert results[DECISION_TABLE_MAX] == results[0]


def test_sql_per_account_override(tmp_path: Path) -> None:
    d = date(2022, 6, 1)
    rules = load_rules(RULES, {"eu.833.5b2@2022-04-09": {"threshold.aggregation": "per_account"}})
    con, _ = load_base(tmp_path, 1000, 4000, d)
    expected = python_decisions(con, rules, d, "EU")
    rel = duckdb_runner.evaluate(con, rules, d)
    assert rel is not None
    for cid, outcome, decided_by, *_ in rel.fetchall():
        assert (outcome, decided_by) == (expected[cid].outcome, ",".join(expected[cid].decided_by)), cid


def test_sql_us_entity(tmp_path: Path) -> None:
    d = date(2023, 5, 1)
    rules = load_rules(RULES)
    con, _ = load_base(tmp_path, 1000, 3000, d)
    expected = python_decisions(con, rules, d, "US")
    rel = duckdb_runner.evaluate(con, rules, d, provider_entity="US")
    assert rel is not None
    for cid, outcome, decided_by, *_ in rel.fetchall():
        assert (outcome, decided_by) == (expected[cid].outcome, ",".join(expected[cid].decided_by)), cid


# Holdings around the EUR 10,000.00 cap of Art. 5b(2) (2022-06-01: "exceeds", per provider). Amounts are split
# over rows and accounts so that only the exact sum decides; prices: BTC 25000.00, ETH 1800.50, USDT 0.9312.
BOUNDARY = {
    # key: (rows [(account, asset, amount)], expected outcome for a Russian national residing in Russia)
    0: ([("a0", "BTC", "0.2"), ("a1", "BTC", "0.2")], "allow"),  # 10,000.00 exactly: not exceeding
    1: ([("a0", "BTC", "0.2"), ("a1", "BTC", "0.2"), ("a0", "EUR", "0.01")], "offboard"),  # 10,000.01
    2: (
        [("a0", "BTC", "0.39999999"), ("a1", "EUR", "0.00025")],
        "allow",
    ),  # 9,999.99975 + 0.00025 = 10,000.00
    8: ([("a0", "BTC", "0.39999999"), ("a1", "EUR", "0.00026")], "offboard"),  # 10,000.00001
    3: ([("a0", "BTC", "0.40000000"), ("a1", "USDT", "0.00000001")], "offboard"),  # 10,000.000000009312
    4: ([("a0", "EUR", "9999.99"), ("a0", "XMR", "0")], "allow"),  # an unpriced asset of zero: complete
    5: ([("a0", "EUR", "9999.99"), ("a0", "XMR", "0.00000001")], "review"),  # unpriced, could exceed
    6: ([("a0", "ETH", "5.55401277"), ("a1", "ETH", "0")], "allow"),  # 9,999.999992385
    9: ([("a0", "ETH", "5.55401270"), ("a1", "ETH", "0.00000008")], "offboard"),  # 10,000.00001039
    7: ([], "allow"),  # no balances at all
}


def boundary_base(con: duckdb.DuckDBPyConnection) -> None:
    cust = ", ".join(f"({k}, 'b{k}', 'person', ['RU'], 'RU', CAST(NULL AS VARCHAR), [])" for k in BOUNDARY)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE customers AS SELECT customer_key, customer_id, type, nationalities, "
        "residence_country, establishment_country, CAST(permits AS STRUCT(country VARCHAR, kind VARCHAR, "
        f"valid_from DATE, valid_until DATE)[]) AS permits FROM (VALUES {cust}) t(customer_key, customer_id, "
        "type, nationalities, residence_country, establishment_country, permits)"
    )
    bal = ", ".join(
        f"({k}, '{acc}', '{asset}', CAST('{amount}' AS DECIMAL(18,8)))"
        for k, (rows, _) in BOUNDARY.items()
        for acc, asset, amount in rows
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE balances AS SELECT * FROM (VALUES {bal}) "
        "t(customer_key, account_id, asset, amount)"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE prices AS {synthetic.PRICES_SQL}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW sanctions AS {duckdb_runner.SANCTIONS_EMPTY}")


@pytest.mark.parametrize("pivot", [True, False], ids=["one-aggregation", "per-asset-then-join"])
def test_threshold_boundaries_exact(pivot: bool) -> None:
    """Both valuation plans against decide(): EUR 10,000.00 is allowed, 10,000.01 (or a fraction of a cent
    more) is not, and the holdings are the exact decimal sums."""
    d = date(2022, 6, 1)
    rules = load_rules(RULES)
    con = duckdb_runner.connect(threads=2)
    boundary_base(con)
    expected = python_decisions(con, rules, d, "EU")
    prices = {a: Decimal(str(p)) for a, p in con.execute("SELECT asset, price_eur FROM prices").fetchall()}
    sql = build_sql(rules, d, price_table=prices if pivot else None)
    assert ("qp AS" in sql) is pivot
    rows = con.sql(sql).fetchall()
    assert len(rows) == len(BOUNDARY)
    for cid, outcome, decided_by, holdings, _complete, *_ in rows:
        dec = expected[cid]
        want = BOUNDARY[int(cid[1:])][1]
        assert (
            (outcome, decided_by)
            == (dec.outcome, ",".join(dec.decided_by))
            == (want, "" if want == "allow" else "eu.833.5b2")
        ), cid
        assert holdings == dec.holdings_eur, (cid, holdings, dec.holdings_eur)


def test_large_key_range_falls_back_to_the_spilling_valuation() -> None:
    """The one-aggregation valuation needs a table slot per possible customer key in memory; when the key
    range is too large for the memory limit the job values per (customer, asset) instead, same decisions."""
    d = date(2022, 6, 1)
    rules = load_rules(RULES)
    con = duckdb_runner.connect(threads=2, memory_limit="64MB")
    boundary_base(con)
    assert duckdb_runner._pivot_fits(con, 4)  # keys 0..9
    con.execute(
        "INSERT INTO customers VALUES (3000000, 'b3000000', 'person', ['RU'], 'RU', NULL, []); "
        "INSERT INTO balances VALUES (3000000, 'a0', 'BTC', CAST('0.5' AS DECIMAL(18,8)))"
    )
    assert not duckdb_runner._pivot_fits(con, 4)  # 2^22 slots x 104 bytes x 3 tables > 64 MB
    expected = python_decisions(con, rules, d, "EU")
    rel = duckdb_runner.evaluate(con, rules, d)
    assert rel is not None
    assert "qp AS" not in rel.sql_query()
    rows = rel.fetchall()
    assert len(rows) == len(BOUNDARY) + 1
    for cid, outcome, decided_by, holdings, *_ in rows:
        dec = expected[cid]
        assert (outcome, decided_by, holdings) == (dec.outcome, ",".join(dec.decided_by), dec.holdings_eur), (
            cid
        )
