"""`screen pairs`: score a CSV of `name1,name2,schema` rows, one result per row, in input order."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rempart.errors import InputError

SCHEMAS = ("Person", "Organization", "LegalEntity", "Company", "Vessel", "Aircraft", "Thing")


def _rows(path: Path) -> Iterator[tuple[int, str, str, str]]:
    """Rows of `name1,name2[,schema]`. A header naming `name1` and `name2` (and `schema`) may put
    them in any column (so labelled-pair files with more columns are read as they are)."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        cols = (0, 1, 2)
        first = True
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            if first:
                first = False
                header = [c.strip().lower() for c in row]
                if "name1" in header and "name2" in header:
                    cols = (
                        header.index("name1"),
                        header.index("name2"),
                        header.index("schema") if "schema" in header else -1,
                    )
                    continue
            if len(row) <= max(cols[0], cols[1]):
                raise InputError(
                    "a row needs two names",
                    file=str(path),
                    line=line,
                    expected="name1,name2[,schema]",
                    value=",".join(row),
                )
            raw_schema = row[cols[2]].strip() if 0 <= cols[2] < len(row) else ""
            schema = raw_schema or "Person"
            if schema not in SCHEMAS:
                raise InputError(
                    "unknown schema",
                    file=str(path),
                    line=line,
                    field="schema",
                    expected=" | ".join(SCHEMAS),
                    value=schema,
                )
            yield line, row[cols[0]], row[cols[1]], schema


def score_pairs(path: Path, *, threshold: float) -> Iterator[dict[str, Any]]:
    """`{"score", "match", "explanation"}` per row, in input order."""
    from rempart.domain.screening.index import compare_names

    for _line, n1, n2, schema in _rows(path):
        score, match, explanation = compare_names(n1, n2, schema, threshold=threshold)
        yield {"score": round(score, 4), "match": match, "explanation": explanation}
