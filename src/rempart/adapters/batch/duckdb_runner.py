"""Run the restriction job in DuckDB over Parquet files (read directly) or in-memory Arrow tables."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from rempart.adapters.batch.restrictions_job import DUCKDB, PIVOT_MAX_ASSETS, build_sql, rule_columns
from rempart.domain.rules.model import RuleSet

INPUTS = ("customers", "balances", "prices", "sanctions")
SANCTIONS_EMPTY = (
    "SELECT CAST(NULL AS BIGINT) AS customer_key, CAST(NULL AS VARCHAR) AS list, "
    "CAST(NULL AS VARCHAR) AS status, CAST(NULL AS DATE) AS listed_from, "
    "CAST(NULL AS DATE) AS listed_until WHERE FALSE"
)
DEFAULT_MEMORY_LIMIT = "6GB"  # the 10M-customer run must stay under 8 GB peak RSS; DuckDB spills beyond


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def connect(
    threads: int | None = None,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    temp_directory: str | Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one thread per core, a memory cap, and a spill directory."""
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    if memory_limit:
        con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
    con.execute(f"SET temp_directory = {_sql_str(temp_directory or tempfile.gettempdir())}")
    con.execute("SET preserve_insertion_order = false")  # the output has no order; lets joins stream
    # Aggregations by an integer customer key over a dense range (up to 16M customers) use a perfect hash
    # table (an array indexed by the key) instead of hashing: about twice as fast here.
    con.execute("SET perfect_ht_threshold = 24")
    return con


def register_inputs(con: duckdb.DuckDBPyConnection, sources: Mapping[str, Any]) -> None:
    """Each source is a Parquet path (str/Path, read in place) or an Arrow table; `sanctions` may be absent."""
    for name in INPUTS:
        src = sources.get(name)
        if src is None:
            if name == "sanctions":
                con.execute(f"CREATE OR REPLACE TEMP VIEW sanctions AS {SANCTIONS_EMPTY}")
                continue
            raise KeyError(f"missing input relation {name}")
        if isinstance(src, str | Path):
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({_sql_str(src)})")
        else:
            con.register(f"{name}_src", src)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_src")


_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "bytes": 1}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int | None:
    """The connection's memory limit in bytes (None if it cannot be read)."""
    row = _one(con, "SELECT current_setting('memory_limit')")
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(row[0] if row else ""))
    if m is None or m.group(2).lower() not in _UNITS:
        return None
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...] | None:
    """The first row of a query, with the result read to the end: DuckDB 2 refuses other work on a
    connection whose last `execute()` result was only partly fetched."""
    rows = con.execute(sql).fetchall()
    return tuple(rows[0]) if rows else None


def _pivot_fits(con: duckdb.DuckDBPyConnection, sums: int) -> bool:
    """Whether the one-aggregation valuation's per-customer tables fit the memory limit (an estimate).

    Over a dense integer customer key it is a perfect-hash aggregation, which cannot spill: a table of
    2^bits slots (bits to cover the key range) per thread plus the combined one, each slot one exact
    128-bit sum state (24 bytes) per priced asset. 10M customers, 4 assets, 2 threads: about 5.2 GB
    (measured peak RSS of the whole job: 6.0-6.3 GB). Beyond 90% of the memory limit, the
    per-(customer, asset) plan (which spills) is used instead."""
    limit = memory_limit_bytes(con)
    row = _one(con, "SELECT min(customer_key), max(customer_key) FROM customers")
    if limit is None or row is None or row[0] is None:
        return True
    slots = 1 << int(row[1] - row[0] + 1).bit_length()
    threads_row = _one(con, "SELECT current_setting('threads')")
    threads = int(threads_row[0]) if threads_row else 1
    return slots * (24 * sums + 8) * (threads + 1) <= limit * 0.9


def evaluate(
    con: duckdb.DuckDBPyConnection,
    rules: RuleSet,
    d: date,
    *,
    provider_entity: str = "EU",
    out_parquet: Path | None = None,
) -> duckdb.DuckDBPyRelation | None:
    """Run the job; write Parquet to `out_parquet` (returns None) or return the relation."""
    price_table = {
        str(a): Decimal(p)
        for a, p in con.execute("SELECT asset, CAST(price_eur AS VARCHAR) FROM prices").fetchall()
    }
    pivot = len(price_table) <= PIVOT_MAX_ASSETS and _pivot_fits(con, len(set(price_table) | {"EUR"}))
    sql = build_sql(
        rules,
        d,
        provider_entity=provider_entity,
        dialect=DUCKDB,
        price_table=price_table if pivot else None,
    )
    if out_parquet is not None:
        con.execute(f"COPY ({sql}) TO {_sql_str(out_parquet)} (FORMAT parquet)")
        return None
    return con.sql(sql)


def rule_ids(rules: RuleSet, d: date, provider_entity: str = "EU") -> list[str]:
    return [c.rule_id for c in rule_columns(rules, d, provider_entity=provider_entity)]
