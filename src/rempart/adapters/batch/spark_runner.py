"""Run the same restriction job on Apache Spark (for bases beyond one machine).

The SQL comes from `restrictions_job.build_sql(..., dialect=SPARK)`: the same rule data and the same
three-valued logic as the DuckDB path. Inputs are Parquet paths (or registered temp views).

Exactness: Spark would otherwise round a decimal product to 6 decimal places when the exact type needs
more than 38 digits (`allowPrecisionLoss`), and turn an overflow into NULL without ANSI mode. The
session turns both off, so a value is exact or the job fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from rempart.adapters.batch.restrictions_job import SPARK, build_sql
from rempart.domain.rules.model import RuleSet

SANCTIONS_EMPTY = (
    "SELECT CAST(NULL AS BIGINT) AS customer_key, CAST(NULL AS STRING) AS list, "
    "CAST(NULL AS STRING) AS status, CAST(NULL AS DATE) AS listed_from, "
    "CAST(NULL AS DATE) AS listed_until WHERE FALSE"
)


def available() -> str | None:
    """None when pyspark and a Java runtime are present; otherwise why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and (Path(java_home) / "bin" / "java").exists()) and shutil.which("java") is None:
        return "no Java runtime (java on PATH or JAVA_HOME)"
    return None


def local_session(
    app_name: str = "rempart-restrictions", cores: int = 2, conf: Mapping[str, str] | None = None
) -> Any:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
        .config("spark.driver.memory", "1g")
    )
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


def evaluate(
    spark: Any,
    rules: RuleSet,
    d: date,
    sources: Mapping[str, str | Path],
    *,
    provider_entity: str = "EU",
    out_parquet: Path | None = None,
) -> Any:
    """Register Parquet inputs as views, run the job; write Parquet or return the DataFrame."""
    for name, path in sources.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(name)
    if "sanctions" not in sources:
        spark.sql(SANCTIONS_EMPTY).createOrReplaceTempView("sanctions")
    df = spark.sql(build_sql(rules, d, provider_entity=provider_entity, dialect=SPARK))
    if out_parquet is not None:
        df.write.mode("overwrite").parquet(str(out_parquet))
        return None
    return df
