"""`screen pairs`: score a CSV of `name1,name2,schema` rows, one result per row, in input order."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rempart.errors import InputError

SCHEMAS = ("Person", "Organization", "LegalEntity", "Company", "Vessel", "Aircraft", "Thing")


def _rows(path: Path) -> Iterator[tuple[int, str, str, str]]:
    if not path.exists():
        raise InputError("no such file", file=str(path))
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        first = True
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            if first:
                first = False
                if [c.strip().lower() for c in row[:2]] == ["name1", "name2"]:
                    continue  # header
            if len(row) < 2:
                raise InputError("a row needs two names", file=str(path), line=line,
                                 expected="name1,name2[,schema]", value=",".join(row))
            schema = row[2].strip() if len(row) > 2 and row[2].strip() else "Person"
            if schema not in SCHEMAS:
                raise InputError("unknown schema", file=str(path), line=line, field="schema",
                                 expected=" | ".join(SCHEMAS), value=schema)
            yield line, row[0], row[1], schema


def score_pairs(path: Path, *, threshold: float) -> Iterator[dict[str, Any]]:
    """`{"score", "match", "explanation"}` per row, in input order."""
    from rempart.domain.screening.index import compare_names

    for _line, n1, n2, schema in _rows(path):
        score, match, explanation = compare_names(n1, n2, schema, threshold=threshold)
        yield {"score": round(score, 4), "match": match, "explanation": explanation}
