"""Run the restriction job in DuckDB over Parquet files (read directly) or in-memory Arrow tables."""

from __future__ import annotations

import os
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
    sql = build_sql(
        rules,
        d,
        provider_entity=provider_entity,
        dialect=DUCKDB,
        price_table=price_table if len(price_table) <= PIVOT_MAX_ASSETS else None,
    )
    if out_parquet is not None:
        con.execute(f"COPY ({sql}) TO {_sql_str(out_parquet)} (FORMAT parquet)")
        return None
    return con.sql(sql)


def rule_ids(rules: RuleSet, d: date, provider_entity: str = "EU") -> list[str]:
    return [c.rule_id for c in rule_columns(rules, d, provider_entity=provider_entity)]
