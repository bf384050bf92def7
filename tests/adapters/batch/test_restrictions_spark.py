"""The same job definition on Spark (local mode) gives the same decisions as on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rempart.adapters.batch import duckdb_runner, spark_runner, synthetic
from rempart.services.restrictions import load_rules

pytestmark = pytest.mark.spark

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    why = spark_runner.available()
    if why is not None:
        pytest.skip(why)
    # Small data: skip whole-stage code generation and most shuffle partitions (they cost more than they save).
    session = spark_runner.local_session(
        "rempart-test",
        cores=2,
        conf={
            "spark.sql.codegen.wholeStage": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.sql.adaptive.enabled": "false",
            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _normalize(row: Any) -> tuple[Any, ...]:
    cid, outcome, decided_by, holdings, complete, *statuses = row
    return (
        cid,
        outcome,
        decided_by,
        Decimal(holdings).normalize(),
        bool(complete),
        *(int(s) for s in statuses),
    )


@pytest.mark.parametrize("d", [date(2022, 6, 1), date(2023, 5, 1)], ids=str)
def test_spark_equals_duckdb(spark: Any, tmp_path: Path, d: date) -> None:
    rules = load_rules(RULES)
    con = duckdb_runner.connect(threads=2)
    paths = synthetic.generate(con, tmp_path, 400, 1600, d)
    duckdb_runner.register_inputs(con, {k: str(v) for k, v in paths.items()})
    rel = duckdb_runner.evaluate(con, rules, d)
    assert rel is not None
    want = {r[0]: _normalize(r) for r in rel.fetchall()}
    df = spark_runner.evaluate(spark, rules, d, {k: v for k, v in paths.items()})
    got = {r[0]: _normalize(tuple(r)) for r in df.collect()}
    assert len(got) == len(want) == 400
    assert got == want
    assert {w[1] for w in want.values()} >= {"allow", "review", "offboard"}
