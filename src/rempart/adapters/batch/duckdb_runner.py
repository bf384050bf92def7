"""Run the restriction job in DuckDB over Parquet files or in-memory Arrow tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from rempart.adapters.batch.restrictions_job import DUCKDB, build_sql, rule_columns
from rempart.domain.rules.model import RuleSet

INPUTS = ("customers", "balances", "prices", "sanctions")
SANCTIONS_EMPTY = ("SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS VARCHAR) AS list, "
                   "CAST(NULL AS VARCHAR) AS status, CAST(NULL AS DATE) AS listed_from, "
                   "CAST(NULL AS DATE) AS listed_until WHERE FALSE")


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def register_inputs(con: duckdb.DuckDBPyConnection, sources: Mapping[str, Any]) -> None:
    """Each source is a Parquet path (str/Path) or an Arrow table / relation; `sanctions` may be absent."""
    for name in INPUTS:
        src = sources.get(name)
        if src is None:
            if name == "sanctions":
                con.execute(f"CREATE OR REPLACE TEMP VIEW sanctions AS {SANCTIONS_EMPTY}")
                continue
            raise KeyError(f"missing input relation {name}")
        if isinstance(src, str | Path):
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{Path(src)}')")
        else:
            con.register(f"{name}_src", src)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_src")


def evaluate(con: duckdb.DuckDBPyConnection, rules: RuleSet, d: date, *, provider_entity: str = "EU",
             out_parquet: Path | None = None) -> duckdb.DuckDBPyRelation | None:
    """Run the job; write Parquet to `out_parquet` (returns None) or return the relation."""
    sql = build_sql(rules, d, provider_entity=provider_entity, dialect=DUCKDB)
    if out_parquet is not None:
        con.execute(f"COPY ({sql}) TO '{out_parquet}' (FORMAT parquet)")
        return None
    return con.sql(sql)


def rule_ids(rules: RuleSet, d: date, provider_entity: str = "EU") -> list[str]:
    return [c.rule_id for c in rule_columns(rules, d, provider_entity=provider_entity)]
