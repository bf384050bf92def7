"""Reading the provider's record files: CSV with a header, JSON lines, Parquet. Errors name file and line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rempart.domain.parties import FieldError, check_header
from rempart.errors import InputError

T = TypeVar("T")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".parquet":
        return "parquet"
    raise InputError(
        "unknown file type", file=str(path), expected=".csv, .jsonl/.ndjson or .parquet", value=path.suffix
    )


def read_records(path: Path, required: Sequence[str] = ()) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record). CSV line numbers count the header as line 1."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    fmt = file_format(path)
    if fmt == "csv":
        yield from _read_csv(path, required)
    elif fmt == "jsonl":
        yield from _read_jsonl(path, required)
    else:
        yield from _read_parquet(path, required)


def _utf8(path: Path) -> str:
    """The file's text; a file that is not UTF-8 is refused with the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "not UTF-8 text",
            file=str(path),
            line=data[: exc.start].count(b"\n") + 1,
            expected="UTF-8 text",
            value=f"byte 0x{data[exc.start]:02x}",
        ) from None


def _read_csv(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    with io.StringIO(_utf8(path), newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            raise InputError("the file is empty", file=str(path), line=1, expected="a header row")
        missing = check_header(reader.fieldnames, required)
        if missing:
            raise InputError(
                f"the header lacks column(s) {', '.join(missing)}",
                file=str(path),
                line=1,
                field=missing[0],
                expected="columns " + ", ".join(required),
            )
        width = len(reader.fieldnames)
        try:
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    got = (
                        width + len(row.get(None) or [])
                        if None in row
                        else sum(v is not None for v in row.values())
                    )
                    raise InputError(
                        "wrong number of cells",
                        file=str(path),
                        line=reader.line_num,
                        expected=f"{width} cells as in the header",
                        value=str(got),
                    )
                yield reader.line_num, {k.strip(): v for k, v in row.items()}
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from None


def _read_jsonl(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    with io.StringIO(_utf8(path)) as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_float=str)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"malformed JSON: {exc.msg}", file=str(path), line=n, expected="one JSON object per line"
                ) from None
            if not isinstance(obj, dict):
                raise InputError(
                    "not a JSON object", file=str(path), line=n, expected="one JSON object per line"
                )
            missing = [c for c in required if c not in obj]
            if missing:
                raise InputError(
                    "missing field",
                    file=str(path),
                    line=n,
                    field=missing[0],
                    expected="fields " + ", ".join(required),
                )
            yield n, obj


def _read_parquet(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"not a Parquet file: {exc}", file=str(path), expected="Apache Parquet") from None
    missing = check_header(pf.schema_arrow.names, required)
    if missing:
        raise InputError(
            "missing column", file=str(path), field=missing[0], expected="columns " + ", ".join(required)
        )
    n = 0
    for batch in pf.iter_batches(batch_size=65536):
        cols = {name: batch.column(i).to_pylist() for i, name in enumerate(batch.schema.names)}
        for i in range(batch.num_rows):
            n += 1
            yield (
                n,
                {
                    # A float stays a float, so that an amount stored as a binary float is refused.
                    k: (str(v) if v is not None and not isinstance(v, str | float) else v)
                    for k, v in ((k, cols[k][i]) for k in cols)
                },
            )


def parse_all(path: Path, required: Sequence[str], parse: Callable[[dict[str, Any]], T]) -> list[T]:
    """Parse every record before anything is written; the first bad one stops the import."""
    return [item for _line, item in parse_all_lines(path, required, parse)]


def parse_all_lines(
    path: Path, required: Sequence[str], parse: Callable[[dict[str, Any]], T]
) -> list[tuple[int, T]]:
    """Like `parse_all`, keeping each record's line number."""
    out: list[tuple[int, T]] = []
    for line, rec in read_records(path, required):
        try:
            out.append((line, parse(rec)))
        except FieldError as exc:
            raise InputError(
                str(exc), file=str(path), line=line, field=exc.field, expected=exc.expected, value=exc.value
            ) from None
    return out
