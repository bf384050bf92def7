"""Transparency reports on government data requests, checkable by anyone from the log's commitments.

Each data request is committed to the audit log once, as a `transparency.request` event whose
payload is its *record*: the non-personal classification a report counts (month and day received,
requester country and type, instrument, data categories, outcome, whether data was produced, the
number of accounts affected, emergency and preservation flags) with a random salt. No target,
name or reference ever enters a record.

A report for a period publishes the figures (counts below a threshold as bands), the records with
their salts and inclusion proofs against a signed tree head, and a manifest signed with the
provider's key. `rempart report verify DIR` (or `rempart verify DIR`) recounts every figure from
the records, checks each record against its commitment in the signed tree, and names any figure
that differs.

Where the requests come from: `desk_requests()` reads the request desk's tables
(`adapters/storage/tables_requests.py`) when they exist; `commit_request()` is what the desk calls
when a request reaches an outcome; `generate_requests()` makes realistic fictional requests for
the demo and the benchmark.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import io
import json
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, inspect, select, update

from rempart.adapters.crypto_keys import public_pem
from rempart.adapters.storage.tables import audit_events
from rempart.adapters.storage.tables_proof import transparency_records
from rempart.domain.audit import AuditEvent
from rempart.domain.checkpoints import Checkpoint, key_id_of
from rempart.domain.ports import Signer
from rempart.errors import InputError
from rempart.services import proof
from rempart.services.audit import now_iso, record, record_many
from rempart.verifier import OUTCOMES, RECORD_EVENT, REPORT_KIND, figure_rows, figures, record_payload

# The desk's evaluation outcomes (product spec) -> the outcomes a report shows.
OUTCOME_MAP = {
    "accept": "accepted",
    "accepted": "accepted",
    "produced": "accepted",
    "delivered": "accepted",
    "partial": "partial",
    "reject": "rejected",
    "rejected": "rejected",
    "refused": "rejected",
    "escalate": "escalated",
    "escalated": "escalated",
    "needs_info": "pending",
    "pending": "pending",
    "open": "pending",
}


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What a report counts about one request. No personal data: ids and classifications only."""

    request_id: str
    received_on: date
    country: str
    requester_type: str
    instrument: str
    categories: tuple[str, ...]
    outcome: str  # one of verifier.OUTCOMES
    produced: bool
    accounts: int
    emergency: bool = False
    preservation: bool = False

    def record(self) -> dict[str, Any]:
        d = asdict(self)
        del d["request_id"]
        d["received_on"] = self.received_on.isoformat()
        d["categories"] = sorted(self.categories)
        d["v"] = 1
        return d


def facts_from_request(
    request_id: str,
    request: Mapping[str, Any],
    evaluation: Mapping[str, Any] | None = None,
    *,
    produced: bool = False,
    accounts: int = 0,
    outcome: str | None = None,
) -> RequestFacts:
    """Facts from the request and evaluation shapes of the product spec (what the desk stores)."""
    req = request.get("requester") or {}
    ins = request.get("instrument") or {}
    raw_outcome = outcome or (evaluation or {}).get("outcome") or "pending"
    received = str(request.get("received_at", ""))[:10]
    try:
        received_on = date.fromisoformat(received)
    except ValueError:
        raise InputError("request has no valid received_at", field="received_at", value=received) from None
    kind = str(ins.get("type", "other"))
    return RequestFacts(
        request_id=request_id,
        received_on=received_on,
        country=str(req.get("country", "??")).upper(),
        requester_type=str(req.get("authority_type", "other")),
        instrument=kind,
        categories=tuple(sorted({str(c) for c in request.get("data_categories") or []})),
        outcome=OUTCOME_MAP.get(str(raw_outcome), "pending"),
        produced=bool(produced),
        accounts=int(accounts),
        emergency=bool(request.get("emergency")) or kind == "emergency",
        preservation=kind in ("preservation_letter", "epoc_pr"),
    )


def commit_request(conn: Connection, facts: RequestFacts) -> bool:
    """Commit a request's record to the audit log (in the caller's transaction). Idempotent: a
    record already committed unchanged is left alone; a changed one (a later outcome) is committed
    again and the newest commitment is the one reports publish. Returns True if an event was written.
    The event's actor is always "system": reports publish these events, and staff names stay out."""
    rec = facts.record()
    row = conn.execute(
        select(transparency_records.c.record).where(transparency_records.c.request_id == facts.request_id)
    ).first()
    if row is not None and json.loads(row.record) == rec:
        return False
    salt = secrets.token_hex(16)
    ev = record(
        conn,
        type=RECORD_EVENT,
        actor="system",
        subject=f"request:{facts.request_id}",
        payload=record_payload(rec, salt),
    )
    values = {
        "event_id": ev.id,
        "record": json.dumps(rec, sort_keys=True),
        "salt": salt,
        "received_on": facts.received_on.isoformat(),
    }
    if row is None:
        conn.execute(transparency_records.insert().values(request_id=facts.request_id, **values))
    else:
        conn.execute(
            update(transparency_records)
            .where(transparency_records.c.request_id == facts.request_id)
            .values(**values)
        )
    return True


def commit_requests(conn: Connection, facts: Iterable[RequestFacts]) -> int:
    """`commit_request` for many requests at once (one head lock, batched inserts). Returns how many
    commitments were written."""
    todo = list(facts)
    if not todo:
        return 0
    t = transparency_records.c
    existing: dict[str, dict[str, Any]] = {}
    ids = [f.request_id for f in todo]
    for i in range(0, len(ids), 900):
        for rid, rec in conn.execute(
            select(t.request_id, t.record).where(t.request_id.in_(ids[i : i + 900]))
        ):
            existing[str(rid)] = json.loads(rec)
    fresh = [f for f in todo if existing.get(f.request_id) != f.record()]
    salts = [secrets.token_hex(16) for _ in fresh]
    events = record_many(
        conn,
        [
            (RECORD_EVENT, "system", f"request:{f.request_id}", record_payload(f.record(), s))
            for f, s in zip(fresh, salts, strict=True)
        ],
    )
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for f, s, ev in zip(fresh, salts, events, strict=True):
        row = {
            "request_id": f.request_id,
            "event_id": ev.id,
            "record": json.dumps(f.record(), sort_keys=True),
            "salt": s,
            "received_on": f.received_on.isoformat(),
        }
        (changed if f.request_id in existing else new_rows).append(row)
    if new_rows:
        conn.execute(transparency_records.insert(), new_rows)
    for row in changed:
        conn.execute(update(transparency_records).where(t.request_id == row["request_id"]).values(**row))
    return len(fresh)


# --- where requests come from ---------------------------------------------------------------------


def desk_requests(conn: Connection, start: date, end: date) -> list[RequestFacts]:
    """Requests received in [start, end] from the request desk's tables, when they exist (else none).

    Reads `data_requests` (the request and its evaluation as canonical JSON, the outcome, the
    resolved customer ids, the state) and `request_productions` (whether data left). Until the desk
    calls `commit_request()` itself at each outcome, the report commits what it finds here.
    """
    try:
        module = importlib.import_module("rempart.adapters.storage.tables_requests")
    except ModuleNotFoundError:
        return []
    table = getattr(module, "data_requests", None)
    productions = getattr(module, "request_productions", None)
    if not isinstance(table, Table) or not inspect(conn).has_table(table.name):
        return []
    produced_ids: set[str] = set()
    if isinstance(productions, Table) and inspect(conn).has_table(productions.name):
        produced_ids = {str(r[0]) for r in conn.execute(select(productions.c.request_id).distinct())}
    c = table.c
    rows = conn.execute(
        select(c.id, c.request, c.evaluation, c.outcome, c.state, c.customer_ids, c.received_at).where(
            c.received_at >= start.isoformat(), c.received_at < (end + timedelta(days=1)).isoformat()
        )
    ).all()
    out: list[RequestFacts] = []
    for rid, req, evaluation, outcome, state, customer_ids, _ in rows:
        try:
            request = json.loads(req)
            ev = json.loads(evaluation) if evaluation else None
            if state in ("rejected",):
                outcome = "reject"
            produced = str(rid) in produced_ids or state in ("produced", "delivered")
            accounts = (
                len(json.loads(customer_ids or "[]")) if outcome in ("accept", "partial") or produced else 0
            )
            out.append(
                facts_from_request(
                    str(rid),
                    request,
                    ev,
                    produced=produced,
                    accounts=accounts,
                    outcome=str(outcome) if outcome else None,
                )
            )
        except (ValueError, TypeError, KeyError, InputError):
            continue
    return out


# Fictional but realistic mix: who asks, under what, with what typical outcome.
_COUNTRIES: tuple[tuple[str, float, str], ...] = (
    ("US", 30, "us"),
    ("DE", 12, "eu"),
    ("FR", 9, "eu"),
    ("GB", 8, "uk"),
    ("NL", 4, "eu"),
    ("ES", 4, "eu"),
    ("IT", 4, "eu"),
    ("PL", 3, "eu"),
    ("AT", 2, "eu"),
    ("BE", 2, "eu"),
    ("CH", 2, "other"),
    ("CA", 2, "other"),
    ("AU", 2, "other"),
    ("BR", 2, "other"),
    ("IN", 2, "other"),
    ("TR", 1.5, "other"),
    ("UA", 1.5, "other"),
    ("KR", 1, "other"),
    ("JP", 1, "other"),
    ("SG", 1, "other"),
    ("RU", 1.5, "hostile"),
    ("BY", 0.5, "hostile"),
    ("CN", 0.5, "hostile"),
    ("AE", 0.5, "other"),
    ("IL", 0.5, "other"),
    ("MX", 0.5, "other"),
    ("PT", 0.5, "eu"),
    ("SE", 0.5, "eu"),
    ("IE", 0.5, "eu"),
    ("LU", 0.3, "eu"),
)
_INSTRUMENTS = {
    "us": (
        ("subpoena", 50),
        ("court_order", 20),
        ("search_warrant", 15),
        ("mlat", 0),
        ("emergency", 4),
        ("preservation_letter", 11),
    ),
    "eu": (
        ("epoc", 25),
        ("court_order", 30),
        ("mlat", 8),
        ("informal", 10),
        ("emergency", 5),
        ("epoc_pr", 8),
        ("preservation_letter", 6),
        ("search_warrant", 8),
    ),
    "uk": (
        ("court_order", 40),
        ("mlat", 25),
        ("informal", 15),
        ("emergency", 6),
        ("preservation_letter", 14),
    ),
    "other": (
        ("mlat", 45),
        ("informal", 30),
        ("court_order", 10),
        ("emergency", 5),
        ("preservation_letter", 10),
    ),
    "hostile": (("informal", 60), ("court_order", 25), ("mlat", 10), ("emergency", 5)),
}
_REQUESTERS = (
    ("police", 45),
    ("prosecutor", 20),
    ("court", 8),
    ("investigating_judge", 6),
    ("regulator", 8),
    ("tax", 7),
    ("intelligence", 2),
    ("other", 4),
)
_CATEGORIES = (("subscriber", 80), ("identification", 45), ("transactions", 60), ("content", 8))


def _pick(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def generate_requests(
    n: int, *, seed: int = 7, start: date = date(2025, 1, 1), end: date = date(2025, 12, 31)
) -> list[RequestFacts]:
    """`n` fictional requests with a realistic mix (country, instrument, outcome), reproducible by seed."""
    rng = random.Random(seed)
    span = (end - start).days
    countries = [(c, w) for c, w, _ in _COUNTRIES]
    region = {c: r for c, _, r in _COUNTRIES}
    out = []
    for i in range(n):
        country = _pick(rng, countries)
        reg = region[country]
        instrument = _pick(rng, _INSTRUMENTS[reg])
        cats = {c for c, w in _CATEGORIES if rng.random() < w / 100} or {"subscriber"}
        preservation = instrument in ("preservation_letter", "epoc_pr")
        emergency = instrument == "emergency"
        if reg == "hostile":
            outcome = rng.choices(["rejected", "escalated"], [85, 15])[0]
        elif instrument == "informal":
            outcome = rng.choices(["rejected", "pending", "partial"], [70, 20, 10])[0]
        elif emergency:
            outcome = rng.choices(["accepted", "partial", "rejected", "escalated"], [65, 10, 15, 10])[0]
        else:
            outcome = rng.choices(
                ["accepted", "partial", "rejected", "escalated", "pending"], [52, 20, 16, 4, 8]
            )[0]
        produced = outcome in ("accepted", "partial") and not preservation and rng.random() < 0.93
        accounts = 0 if outcome in ("rejected", "pending") else max(1, int(rng.paretovariate(2.2)))
        out.append(
            RequestFacts(
                request_id=f"req-{seed}-{i:06d}",
                received_on=start + timedelta(days=int(rng.random() ** 0.8 * span)),
                country=country,
                requester_type=_pick(rng, _REQUESTERS),
                instrument=instrument,
                categories=tuple(sorted(cats)),
                outcome=outcome,
                produced=produced,
                accounts=accounts,
                emergency=emergency,
                preservation=preservation,
            )
        )
    return out


# --- building a report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    files: dict[str, bytes]
    figures: dict[str, Any]
    checkpoint: Checkpoint
    records: int

    def write(self, out_dir: Path) -> list[Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, data in self.files.items():
            p = out_dir / name
            p.write_bytes(data)
            paths.append(p)
        return paths


def _committed(conn: Connection, start: date, end: date) -> list[tuple[dict[str, Any], str, AuditEvent]]:
    t = transparency_records.c
    e = audit_events.c
    rows = conn.execute(
        select(
            t.record,
            t.salt,
            e.seq,
            e.id,
            e.type,
            e.actor,
            e.time,
            e.subject,
            e.payload_hash,
            e.prev_hash,
            e.hash,
        )
        .join(audit_events, audit_events.c.id == t.event_id)
        .where(t.received_on >= start.isoformat(), t.received_on <= end.isoformat())
        .order_by(e.seq)
    ).all()
    return [
        (json.loads(r[0]), str(r[1]), AuditEvent(int(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10]))
        for r in rows
    ]


def build_report(
    conn: Connection,
    start: date,
    end: date,
    signer: Signer,
    *,
    threshold: int = 10,
    sources: Iterable[RequestFacts] | None = None,
) -> Report:
    """Commit any request not yet committed, sign a tree head covering every record, and render the
    report (JSON, CSV, HTML, records with proofs, signed manifest). In the caller's write transaction."""
    if end < start:
        raise InputError("--to is before --from", field="to", value=end.isoformat())
    if threshold < 1:
        raise InputError("the band threshold must be at least 1", field="threshold", value=str(threshold))
    commit_requests(conn, desk_requests(conn, start, end) if sources is None else sources)
    items = _committed(conn, start, end)
    last = max((ev.seq for _, _, ev in items), default=0)
    cp = proof.covering_checkpoint(conn, last) if last else proof.latest_checkpoint(conn)
    if cp is None:
        cp = proof.take_checkpoint(conn, signer, f"transparency report {start}..{end}")
    proofs = proof.inclusion_proofs(conn, [ev for _, _, ev in items], cp)
    records = [rec for rec, _, _ in items]
    figs = figures(records, threshold)
    report = {
        "kind": REPORT_KIND,
        "format": 1,
        "title": "Government data requests: transparency report",
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "generated_at": now_iso(),
        "band_threshold": threshold,
        "band": f"0-{threshold - 1}",
        "outcomes": list(OUTCOMES),
        "notes": [
            "Regular requests exclude emergency and preservation requests, which are counted apart.",
            f"Counts below {threshold} are shown as the band 0-{threshold - 1}; percentages are omitted below it.",
            "Every figure can be recounted from records.jsonl; each record is committed in the audit log "
            "(a transparency.request event) and proven against the signed tree head below.",
        ],
        "figures": figs,
        "records_count": len(records),
        "records_file": "records.jsonl",
        "checkpoint": cp.to_dict(),
        "key_id": key_id_of(signer.public_key_bytes()),
        "public_key": public_pem(signer.public_key_bytes()),
    }
    lines = []
    for (rec, salt, _), pr in zip(items, proofs, strict=True):
        slim = {k: pr[k] for k in ("leaf_index", "tree_size", "event", "path")}
        lines.append(
            json.dumps({"record": rec, "salt": salt, "proof": slim}, sort_keys=True, separators=(",", ":"))
        )
    files = {
        "report.json": json.dumps(report, indent=2, ensure_ascii=False).encode(),
        "report.csv": _csv(figs),
        "records.jsonl": ("\n".join(lines) + ("\n" if lines else "")).encode(),
    }
    files["report.html"] = render_html(report).encode()
    files["public_key.pem"] = public_pem(signer.public_key_bytes()).encode()
    manifest = json.dumps(
        {"files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())}}, indent=2
    ).encode()
    files["manifest.json"] = manifest
    files["manifest.sig"] = base64.b64encode(signer.sign(manifest)) + b"\n"
    record(
        conn,
        type="transparency.report",
        actor="system",
        subject=f"report:{start}..{end}",
        payload={
            "period": report["period"],
            "records": len(records),
            "checkpoint_size": cp.size,
            "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        },
    )
    return Report(files, figs, cp, len(records))


def _csv(figs: Mapping[str, Any]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["figure", "value"])
    for path, v in figure_rows(figs):
        w.writerow([path, "" if v is None else v])
    return buf.getvalue().encode()


# --- HTML with inline SVG charts (no external assets) ---------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[1] / "adapters" / "web" / "report_templates"
COLORS = {
    "accepted": "#2e7d32",
    "partial": "#9ccc65",
    "rejected": "#c62828",
    "escalated": "#f9a825",
    "pending": "#90a4ae",
}


def _num(v: Any) -> int:
    """A published count as a number for drawing: a band is drawn as zero (and labelled as the band)."""
    return v if isinstance(v, int) else 0


def _esc(s: Any) -> str:
    import html

    return html.escape(str(s), quote=True)


def country_chart(figs: Mapping[str, Any], limit: int = 20) -> str:
    """Horizontal stacked bars: requests per country, split by outcome (top countries)."""
    rows = sorted(figs["by_country"].items(), key=lambda kv: (-_num(kv[1]["requests"]), kv[0]))[:limit]
    if not rows:
        return "<p>No requests in this period.</p>"
    top = max(1, *(_num(v["requests"]) for _, v in rows))
    bar_h, gap, left, width = 18, 6, 46, 560
    height = len(rows) * (bar_h + gap) + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Requests by country and outcome" '
        f'viewBox="0 0 {left + width + 70} {height}" width="100%" class="chart">'
    ]
    for i, (cc, v) in enumerate(rows):
        y = i * (bar_h + gap) + 4
        parts.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end" class="lbl">{_esc(cc)}</text>')
        x = float(left)
        for o in OUTCOMES:
            w = _num(v[o]) / top * width
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[o]}">'
                    f"<title>{_esc(cc)} {o}: {_esc(v[o])}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}" class="val">{_esc(v["requests"])}</text>')
    ly = height - 12
    lx = left
    for o in OUTCOMES:
        parts.append(
            f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{COLORS[o]}"/>'
            f'<text x="{lx + 16}" y="{ly}" class="lbl">{o}</text>'
        )
        lx += 100
    parts.append("</svg>")
    return "".join(parts)


def outcome_chart(figs: Mapping[str, Any]) -> str:
    items = [(o, figs["by_outcome"][o]) for o in OUTCOMES]
    top = max(1, *(_num(v) for _, v in items))
    left, width, bar_h = 90, 420, 22
    height = len(items) * (bar_h + 8) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Requests by outcome" '
        f'viewBox="0 0 {left + width + 70} {height}" width="100%" class="chart">'
    ]
    for i, (o, v) in enumerate(items):
        y = i * (bar_h + 8) + 4
        w = _num(v) / top * width
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" class="lbl">{o}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[o]}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 15}" class="val">{_esc(v)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def month_chart(figs: Mapping[str, Any]) -> str:
    """Vertical bars: regular requests received per month."""
    items = list(figs.get("by_month", {}).items())
    if not items:
        return ""
    top = max(1, *(_num(v) for _, v in items))
    left, plot_h, col = 40, 180, 44
    width = left + col * len(items) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Requests per month" '
        f'viewBox="0 -16 {width} {plot_h + 66}" width="100%" class="chart">',
        f'<line x1="{left}" y1="{plot_h + 10}" x2="{width - 5}" y2="{plot_h + 10}" stroke="#999"/>',
    ]
    for i, (m, v) in enumerate(items):
        h = _num(v) / top * plot_h
        x = left + i * col + 6
        parts.append(
            f'<rect x="{x}" y="{plot_h + 10 - h:.1f}" width="{col - 12}" height="{h:.1f}" fill="#3f51b5">'
            f"<title>{_esc(m)}: {_esc(v)}</title></rect>"
            f'<text x="{x + (col - 12) / 2:.1f}" y="{plot_h + 4 - h:.1f}" text-anchor="middle" '
            f'class="val">{_esc(v)}</text>'
            f'<text x="{x + (col - 12) / 2:.1f}" y="{plot_h + 26}" text-anchor="middle" '
            f'class="lbl">{_esc(m[2:])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Mapping[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    figs = report["figures"]
    charts = {
        "countries": country_chart(figs["requests"]),
        "outcomes": outcome_chart(figs["requests"]),
        "months": month_chart(figs["requests"]),
        "emergency": country_chart(figs["emergency"], limit=12),
    }
    from markupsafe import Markup

    return env.get_template("transparency.html").render(
        r=report,
        f=figs,
        outcomes=OUTCOMES,
        colors=COLORS,
        charts={k: Markup(v) for k, v in charts.items()},
    )
