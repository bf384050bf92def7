"""`rempart screen name|address|batch|pairs|delta`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store, settings
from rempart.domain.dates import PartialDate
from rempart.domain.screening.model import NameQuery
from rempart.errors import InputError
from rempart.services.screening import (
    ScreeningService,
    rescreen_delta,
    score_pairs,
    screen_file,
    screen_stored,
    worker_count,
)
from rempart.services.screening.batch import count_customers
from rempart.services.screening.customer_keys import CustomerKeys, keys_path
from rempart.services.screening.engine import ScreenResult, default_cache_dir

app = typer.Typer(
    help="Screen names and wallet addresses against every current list version.", no_args_is_help=True
)

ListOption = Annotated[list[str] | None, typer.Option("--list", help="Only these lists (repeatable).")]
SCHEMAS = ("Person", "Organization", "LegalEntity", "Vessel", "Aircraft")
# FollowTheMoney's names for the same kinds (as yente clients and `screen pairs` files give them)
SCHEMA_ALIASES = {"Company": "Organization", "PublicBody": "Organization", "Airplane": "Aircraft"}


def cache_dir() -> Path:
    """Where the CLI keeps the built screener between runs (a private per-user directory)."""
    return default_cache_dir()


def _service(db: str | None) -> ScreeningService:
    cfg = settings()
    return ScreeningService(open_store(db, cfg), threshold=cfg.screening_threshold, cache_dir=cache_dir())


def _print_result(res: ScreenResult, as_json: bool) -> None:
    if as_json:
        emit_json(res.to_dict())
        return
    c = Console()
    lists = ", ".join(f"{k} {v}" for k, v in res.lists.items()) or "none imported"
    if not res.hits:
        c.print(f"no hits ({res.algorithm}, threshold {res.threshold}; lists: {lists})")
        return
    t = Table("score", "match", "list", "entity", "schema", "name")
    for h in res.hits:
        t.add_row(f"{h.score:.3f}", "yes" if h.match else "", h.list_name, h.entity_id, h.schema, h.name)
    c.print(t)
    c.print(f"{res.algorithm}, threshold {res.threshold}; lists: {lists}")


@app.command("name")
@handle_errors
def name(
    name: Annotated[str, typer.Argument(help="The name to screen (any script).")],
    birth_date: Annotated[
        list[str] | None, typer.Option("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    nationality: Annotated[list[str] | None, typer.Option("--nationality", help="ISO country code.")] = None,
    schema: Annotated[
        str,
        typer.Option(
            "--schema",
            help="Person | Organization | LegalEntity | Vessel | Aircraft (FtM: Company, Airplane)",
        ),
    ] = "Person",
    lists: ListOption = None,
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0)] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen one name; hits best first, each with its explanation."""
    schema = SCHEMA_ALIASES.get(schema, schema)
    if schema not in SCHEMAS:
        raise InputError("unknown schema", field="schema", expected=" | ".join(SCHEMAS), value=schema)
    dates = []
    for d in birth_date or []:
        try:
            dates.append(PartialDate.parse_iso(d))
        except ValueError:
            raise InputError(
                "not a date", field="birth-date", expected="YYYY, YYYY-MM or YYYY-MM-DD", value=d
            ) from None
    q = NameQuery(
        name=name,
        schema=schema,
        birth_dates=tuple(dates),
        nationalities=tuple(n.strip().upper() for n in nationality or []),
        lists=tuple(lists or ()),
    )
    _print_result(_service(db).screen_name(q, limit=limit, threshold=threshold), as_json)


@app.command("address")
@handle_errors
def address(
    address: Annotated[str, typer.Argument(help="A wallet address.")],
    chain: Annotated[
        str | None, typer.Option("--chain", help="XBT, ETH, TRX, ... (detected when omitted).")
    ] = None,
    lists: ListOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen one wallet address (validated and normalized for its chain; exact match)."""
    _print_result(_service(db).screen_address(address, chain, tuple(lists or ())), as_json)


@contextlib.contextmanager
def _progress(total: int | None, label: str) -> Iterator[Progress]:
    p = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with p:
        yield p


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as f:
            n = sum(1 for _ in f)
        return max(0, n - 1) if path.suffix.lower() in (".csv", ".tsv") else n
    except OSError:
        return None


@app.command("batch")
@handle_errors
def batch(
    file: Annotated[
        Path | None, typer.Argument(help="Customer file (CSV or JSON lines); omitted: the stored customers.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write one JSON line per record here (default: stdout).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes (0: one per core).")] = 0,
    lists: ListOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen a customer file, or every stored customer (which opens alerts), in parallel.

    The file is the customer file of the spec: CSV with a header, or JSON lines (`.jsonl`), with
    `customer_id` and `name` required and `type, alt_names, birth_date, nationalities, ...,
    wallets` (`chain:address;...`) optional. Output: one JSON line per record, in input order,
    `{"id": customer_id, "hits": [hit...]}` where a hit is what `screen name --json` gives (only
    matches; name hits and wallet hits); a bad record gives `{"id", "line", "hits": [], "error":
    {"code", "message", "line", "field", "expected", "value"}}` and the others go on. Progress goes
    to stderr, then a summary (`--json --out F`: the summary as JSON on stdout). Exit code: 0; 2
    when a record or the file is invalid, or no list is imported; 3 when the database fails."""
    cfg = settings()
    store = open_store(db, cfg)
    service = ScreeningService(store, threshold=cfg.screening_threshold, cache_dir=cache_dir())
    n_workers = worker_count(workers or cfg.workers)
    if file is not None and not file.exists():
        raise FileNotFoundError(2, "no such file", str(file))
    screener = service.warm_up()
    if not screener.versions:
        raise InputError(
            "no list is imported: nothing to screen against",
            expected="a list imported with `rempart lists import PATH... --source ...`",
        )
    target: IO[str]
    with contextlib.ExitStack() as stack:
        target = stack.enter_context(out.open("w", encoding="utf-8")) if out else sys.stdout
        total = _count_lines(file) if file else count_customers(store)
        prog = stack.enter_context(_progress(total, "screening"))
        task = prog.add_task("screening", total=total)

        def advance(n: int) -> None:
            prog.advance(task, n)

        if file is not None:
            stats = screen_file(
                screener,
                file,
                target,
                workers=n_workers,
                progress=advance,
                limit=limit,
                lists=tuple(lists or ()),
            )
        else:
            if lists:
                raise InputError(
                    "--list applies to a file; the stored customers are screened against every list",
                    field="list",
                )
            # the customers are filed under their name keys on the way, for delta rescreenings
            keys_file = keys_path(cache_dir(), store)
            keys = CustomerKeys.load(keys_file)
            stats = screen_stored(
                screener,
                store,
                target if out else None,
                workers=n_workers,
                progress=advance,
                limit=limit,
                keys=keys,
            )
            keys.save(keys_file)
    summary = stats.to_dict()
    if as_json and out is not None:
        emit_json(summary)
    else:
        Console(stderr=True).print(
            f"{stats.records} records, {stats.with_hits} with hits, {stats.errors} errors"
            + (f", {stats.alerts_opened} alerts opened" if file is None else "")
        )
    if stats.errors:
        raise typer.Exit(2)


@app.command("pairs")
@handle_errors
def pairs(
    file: Annotated[
        Path, typer.Argument(help="CSV of name1,name2,schema rows (a header may name the columns).")
    ],
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score name pairs: one JSON line per row, `{"score", "match", "explanation"}`, in input order."""
    thr = settings().screening_threshold if threshold is None else threshold
    for r in score_pairs(file, threshold=thr):
        emit_json(r)


@app.command("delta")
@handle_errors
def delta(
    workers: Annotated[int, typer.Option("--workers", help="Processes (0: one per core).")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rescreen only what changed: entities added or changed since the last screening against every
    customer, and new or changed customers against everything. Opens alerts."""
    cfg = settings()
    store = open_store(db, cfg)
    res = rescreen_delta(
        store,
        threshold=cfg.screening_threshold,
        workers=worker_count(workers or cfg.workers),
        cache_dir=cache_dir(),
    )
    if as_json:
        emit_json(res.to_dict())
        return
    c = Console()
    for lst, d in res.lists.items():
        c.print(
            f"{lst}: {d['from'] or '(never screened)'} -> {d['to']}: +{d['added']} ~{d['changed']} -{d['removed']}"
        )
    c.print(
        f"{res.touched_entities} touched entities x {res.customers_vs_delta} customers; "
        f"{res.customers_vs_all} new or changed customers x all lists; {res.alerts_opened} alerts opened"
    )
