"""`screen pairs`: score a CSV of `name1,name2,schema` rows, one result per row, in input order.

The file is read as a stream (any size): RFC 4180 CSV (quoted cells may hold commas, quotes and
line breaks), UTF-8 with or without a byte-order mark. A first row is a header when it names the
columns (`name1,name2[,schema]`, or `schema` in the third column); a header may put the columns
anywhere among others (labelled-pair files such as nomenklatura's name benchmark are read as they
are). Without a header the columns are `name1,name2[,schema]`. The schema is a FollowTheMoney name
(`Person`, `Organization`, `Company`, `PublicBody`, `LegalEntity`, `Vessel`, `Airplane`), in any
case; empty means `Person`. A bad row stops the run with an error naming the file, line and field.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rempart.errors import InputError

# FtM schema names (and Rempart's own) -> the schema the matcher compares the pair as.
SCHEMAS: dict[str, str] = {
    "person": "Person",
    "organization": "Organization",
    "organisation": "Organization",
    "company": "Company",
    "publicbody": "PublicBody",
    "legalentity": "LegalEntity",
    "vessel": "Vessel",
    "airplane": "Aircraft",
    "aircraft": "Aircraft",
    "thing": "Thing",
}
SCHEMA_NAMES = "Person | Organization | Company | PublicBody | LegalEntity | Vessel | Airplane"
DEFAULT_SCHEMA = "Person"
_NAME1 = {"name1", "namea", "name", "left", "query", "source"}
_NAME2 = {"name2", "nameb", "right", "candidate", "target", "match"}


def _label(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower())


def _header_columns(row: list[str]) -> tuple[int, int, int] | None:
    """The (name1, name2, schema) columns a header row names; None when the row is data."""
    labels = [_label(c) for c in row]
    if "name1" in labels and "name2" in labels:
        return (
            labels.index("name1"),
            labels.index("name2"),
            labels.index("schema") if "schema" in labels else -1,
        )
    if len(labels) >= 2 and labels[0] in _NAME1 and labels[1] in _NAME2:
        return 0, 1, 2 if len(labels) > 2 and labels[2] == "schema" else -1
    if len(labels) >= 3 and labels[2] == "schema":
        return 0, 1, 2
    return None


def schema_of(raw: str, *, file: str, line: int) -> str:
    key = _label(raw)
    if not key:
        return DEFAULT_SCHEMA
    schema = SCHEMAS.get(key)
    if schema is None:
        raise InputError(
            "unknown schema", file=file, line=line, field="schema", expected=SCHEMA_NAMES, value=raw
        )
    return schema


def read_pairs(path: Path) -> Iterator[tuple[int, str, str, str]]:
    """(line, name1, name2, schema) per data row, streamed. Blank rows are skipped."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if path.is_dir():
        raise InputError("a directory, not a CSV file", file=str(path))
    file = str(path)
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        cols = (0, 1, 2)
        first = True
        line = 1
        try:
            for row in reader:
                line = reader.line_num
                if not row or not any(c.strip() for c in row):
                    continue
                if first:
                    first = False
                    header = _header_columns(row)
                    if header is not None:
                        cols = header
                        continue
                if len(row) <= max(cols[0], cols[1]):
                    raise InputError(
                        "a row needs two names",
                        file=file,
                        line=line,
                        field="name2",
                        expected="name1,name2[,schema]",
                        value=",".join(row),
                    )
                n1, n2 = row[cols[0]].strip(), row[cols[1]].strip()
                for field, value in (("name1", n1), ("name2", n2)):
                    if not value:
                        raise InputError("empty name", file=file, line=line, field=field, expected="a name")
                raw_schema = row[cols[2]] if 0 <= cols[2] < len(row) else ""
                yield line, n1, n2, schema_of(raw_schema, file=file, line=line)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                file=file,
                line=line + 1,
                expected="UTF-8",
            ) from None
        except csv.Error as exc:
            raise InputError(f"not valid CSV ({exc})", file=file, line=reader.line_num) from None


def score_pairs(path: Path, *, threshold: float) -> Iterator[dict[str, Any]]:
    """`{"score", "match", "explanation", ...}` per row, in input order, streamed."""
    from rempart.domain.screening.index import compare_names

    for line, n1, n2, schema in read_pairs(path):
        score, match, explanation = compare_names(n1, n2, schema, threshold=threshold)
        yield {
            "score": round(score, 4),
            "match": match,
            "explanation": explanation,
            "line": line,
            "name1": n1,
            "name2": n2,
            "schema": schema,
            "threshold": threshold,
        }
