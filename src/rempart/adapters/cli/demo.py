"""`rempart demo`: load the real lists, generate a sample exchange, screen, decide, serve."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, settings
from rempart.adapters.demo_data import generate
from rempart.adapters.shared_data import CATALOGUE
from rempart.adapters.storage import lists_repo
from rempart.adapters.storage.db import Store
from rempart.errors import InputError
from rempart.services import provider
from rempart.services.lists import import_files

NAMES_CSV = "person_names_by_locale_faker/faker_person_names_by_locale.csv"
PLANT_FROM = ("eu", "un")  # lists that bind the EU entity, so planted matches show freezes


def _step(console: Console, title: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    console.print(f"[bold cyan]>[/bold cyan] {title} ...")
    out = fn()
    if isinstance(out, str) and out:
        console.print(f"  {out}")
    console.print(f"  done in {time.perf_counter() - t0:.1f} s")
    return out


def load_lists(store: Store, data_dir: Path, console: Console) -> None:
    for entry in CATALOGUE:
        paths = entry.paths(data_dir)
        if not paths:
            console.print(f"  [yellow]skip[/yellow] {entry.list_name}: no files under {data_dir}")
            continue
        t0 = time.perf_counter()
        result = import_files(store, paths, entry.source, list_name=entry.list_name, as_of=entry.as_of)
        c = result.version.counts
        state = "new version" if result.created else "unchanged"
        console.print(
            f"  {entry.list_name:<12} {c.get('entities', 0):>6} entities {c.get('names', 0):>7} names "
            f"{c.get('wallets', 0):>5} wallets  ({state}, {time.perf_counter() - t0:.1f} s)"
        )


def register(app: typer.Typer) -> None:
    @app.command("demo")
    @handle_errors
    def demo(
        data: Annotated[
            Path | None, typer.Option("--data", help="Directory of the real lists (default: ../shared/data).")
        ] = None,
        customers: Annotated[
            int, typer.Option("--customers", help="How many customers to generate.")
        ] = 20_000,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the sample exchange.")] = 7,
        out: Annotated[
            Path, typer.Option("--out", help="Where the generated provider files are written.")
        ] = Path("demo-data"),
        serve: Annotated[
            bool, typer.Option("--serve/--no-serve", help="Serve the API and console afterwards.")
        ] = True,
        host: Annotated[str | None, typer.Option("--host")] = None,
        port: Annotated[int | None, typer.Option("--port")] = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Real lists + a generated sample exchange: import, screen, decide, then serve the console."""
        cfg = settings()
        data_dir = (data or cfg.data_dir).resolve()
        if not data_dir.is_dir():
            raise InputError(
                "the data directory does not exist",
                file=str(data_dir),
                expected="the shared data directory with the real lists (--data DIR)",
            )
        console = Console(stderr=as_json)  # with --json, progress goes to stderr and a summary to stdout
        store = Store.open(db or cfg.database_url)
        console.print(f"[bold]Rempart demo[/bold]: store {db or cfg.database_url}, data {data_dir}")
        _step(console, "Importing the real sanctions lists", lambda: load_lists(store, data_dir, console))

        def make_exchange() -> Any:
            listed: list[tuple[str, Any]] = []
            with store.read() as conn:
                for name in PLANT_FROM:
                    v = lists_repo.current_version(conn, name)
                    if v is not None:
                        listed.extend(
                            (f"{name}:{e.source_id}", e) for e in lists_repo.iter_entities(conn, v.id)
                        )
            ex = generate(data_dir / NAMES_CSV, customers=customers, seed=seed, listed=listed)
            return ex, ex.write(out)

        exchange, paths = _step(
            console, f"Generating a sample exchange of {customers:,} customers", make_exchange
        )
        _step(
            console,
            "Importing customers, balances and prices",
            lambda: (
                provider.import_customers(store, paths["customers"]),
                provider.import_balances(store, paths["balances"]),
                provider.import_prices(store, paths["prices"]),
            ),
        )
        console.print(
            f"  planted {len(exchange.planted)} real listed names and wallets, e.g. "
            + ", ".join(f"{p.customer_id}={p.name}" for p in exchange.planted[:3])
        )
        for title, fn in _optional_steps(store, cfg, exchange.planted):
            _step(console, title, fn)
        credentials = _users(store)
        if credentials:
            console.print("[bold]Console users[/bold] (passwords generated for this demo):")
            for user, roles, password in credentials:
                console.print(f"  {user:<10} {password}   roles: {', '.join(roles)}")
        if as_json:
            h, p = host or cfg.host, port or cfg.port
            emit_json(
                {
                    "database": db or cfg.database_url,
                    "customers": len(exchange.customers),
                    "planted": [
                        {"customer_id": x.customer_id, "entity_id": x.entity_id, "kind": x.kind}
                        for x in exchange.planted
                    ],
                    "files": {k: str(v) for k, v in paths.items()},
                    "users": [{"user": u, "roles": list(r), "password": pw} for u, r, pw in credentials],
                    "url": f"http://{h}:{p}/" if serve else None,
                }
            )
        if serve:
            from rempart.adapters.cli.serve import serve as serve_http

            serve_http(cfg, store, host=host, port=port)


def _optional_steps(store: Store, cfg: Any, planted: list[Any]) -> list[tuple[str, Callable[[], Any]]]:
    """Screen every customer (opening alerts), confirm the planted matches as a sample analyst would,
    and decide restrictions for the whole base as of today."""
    from datetime import UTC, datetime

    from rempart.adapters.cli.screen import cache_dir
    from rempart.services import restrictions
    from rempart.services.screening.batch import screen_stored, worker_count
    from rempart.services.screening.engine import ScreeningService

    def screen() -> str:
        service = ScreeningService(store, threshold=cfg.screening_threshold, cache_dir=cache_dir())
        stats = screen_stored(service.warm_up(), store, workers=worker_count(cfg.workers))
        return f"{stats.records} customers screened, {stats.with_hits} with hits, {stats.alerts_opened} alerts opened"

    def confirm_planted() -> str:
        from rempart.services import alerts

        wanted = {(p.customer_id, p.entity_id) for p in planted}
        done = 0
        with store.begin() as conn:
            for a in alerts.list_alerts(conn, state="open", limit=100_000):
                if (a.customer_id, a.entity_id) in wanted:
                    alerts.confirm(
                        conn, a.id, actor="demo-analyst", reason="demo: planted real listed person or wallet"
                    )
                    done += 1
        return f"{done} planted matches confirmed; the other alerts stay open for review"

    def decide() -> str:
        rules = restrictions.rules_from_settings(cfg)
        res = restrictions.evaluate_base(store, rules, datetime.now(UTC).date())
        return str(res.get("outcomes", res.get("counts", "")))

    def requests_desk() -> str:
        return _sample_requests(store, cfg)

    return [
        ("Screening every customer against every list", screen),
        ("Confirming the planted matches (sample analyst)", confirm_planted),
        ("Deciding restrictions for every customer as of today", decide),
        ("Taking in sample government data requests (desk, approvals, a production)", requests_desk),
    ]


def _request(
    agency: str,
    country: str,
    kind: str,
    email: str,
    instrument: dict[str, Any],
    customer: str,
    categories: list[str],
    *,
    emergency: bool = False,
) -> dict[str, Any]:
    return {
        "received_at": "2026-11-02T09:00:00Z",
        "provider_entity": "EU",
        "requester": {
            "agency": agency,
            "country": country,
            "authority_type": kind,
            "officer": "Demo Officer",
            "email": email,
            "verified": False,
        },
        "instrument": {"issued_at": "2026-10-30", **instrument},
        "emergency": emergency,
        "targets": [{"type": "customer_id", "value": customer}],
        "data_categories": categories,
        "date_range": {"from": "2025-01-01", "to": "2026-10-31"},
        "non_disclosure": {"until": "2027-05-01"},
    }


def _sample_requests(store: Store, cfg: Any) -> str:
    """Three requests as a legal team meets them: a lawful French EPOC (approved by two approvers,
    produced and delivered), the FSB asking about a customer (refused), and an 'emergency' from a
    free-mail address (held for out-of-band verification)."""
    from rempart.adapters.crypto_keys import load_or_create
    from rempart.domain.principals import Principal
    from rempart.services import requests as desk

    rules = desk.rules_from_settings(cfg)
    intake = Principal("intake", frozenset({"legal_intake"}))
    lawful = desk.submit(
        store,
        cfg,
        rules,
        _request(
            "Police nationale",
            "FR",
            "police",
            "enquetes@interieur.gouv.fr",
            {
                "type": "epoc",
                "issuer_role": "prosecutor",
                "reference": "EPOC-FR-DEMO-1",
                "offence": "fraud",
                "max_penalty_years": 5,
            },
            "C0000010",
            ["subscriber"],
        ),
        intake,
    )
    for who in ("approver1", "approver2"):
        desk.approve(
            store, lawful["id"], Principal(who, frozenset({"approver"})), "instrument and scope checked"
        )
    key = load_or_create(cfg.key_dir)
    desk.produce(store, lawful["id"], intake, key, key.key_id)
    desk.deliver(store, lawful["id"], intake, "sent through the authority's portal", key)
    fsb = desk.submit(
        store,
        cfg,
        rules,
        _request(
            "Federal Security Service of the Russian Federation",
            "RU",
            "intelligence",
            "office@fsb.ru",
            {
                "type": "informal",
                "issuer_role": "agency",
                "reference": "FSB-DEMO-1",
                "offence": "financing of an extremist organisation (Art. 282.3)",
                "max_penalty_years": 8,
            },
            "C0000011",
            ["subscriber", "transactions"],
        ),
        intake,
    )
    desk.reject(
        store,
        fsb["id"],
        Principal("approver1", frozenset({"approver"})),
        "sanctioned requester, no legal path, political offence",
    )
    urgent = desk.submit(
        store,
        cfg,
        rules,
        _request(
            "Police nationale",
            "FR",
            "police",
            "officer.urgent@gmail.com",
            {
                "type": "emergency",
                "issuer_role": "police",
                "reference": "URG-DEMO-1",
                "offence": "kidnapping",
                "max_penalty_years": 20,
            },
            "C0000012",
            ["subscriber", "identification"],
            emergency=True,
        ),
        intake,
    )
    return (
        f"lawful EPOC {lawful['id']}: produced and delivered; FSB {fsb['id']}: "
        f"{fsb.get('outcome', fsb.get('evaluation', {}).get('outcome'))}, refused; "
        f"unverified emergency {urgent['id']}: {urgent.get('state')}"
    )


def _users(store: Store) -> list[tuple[str, tuple[str, ...], str]]:
    try:
        from rempart.services.users import ensure_user
    except ImportError:
        return []
    made: list[tuple[str, tuple[str, ...], str]] = []
    for user, roles in (
        ("admin", ("admin",)),
        ("analyst", ("analyst",)),
        ("mlro", ("mlro", "analyst")),
        ("intake", ("legal_intake",)),
        ("approver1", ("approver",)),
        ("approver2", ("approver",)),
        ("auditor", ("auditor",)),
    ):
        password = secrets.token_urlsafe(9)
        ensure_user(store, user, roles, password)
        made.append((user, roles, password))
    return made
