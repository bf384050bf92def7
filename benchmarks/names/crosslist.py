"""Held-out-style evaluation: the same real person or entity on different lists, linked by a strong
shared key, screened with one list's spelling against another list.

    python -m benchmarks.names.crosslist                    # recall, ours and logic-v2
    python -m benchmarks.names.crosslist --interfaces 40    # + a sample through CLI, batch and HTTP
    python -m benchmarks.names --only crosslist             # the same, from the names benchmark

Links (no name is used to link): the UN reference number (`QDi.123`, from the UN XML and from the
UK list's "(UN Ref)" remark), a passport or national id number (normalized, at least 6 characters,
held by exactly one entity of each list), an IMO number (vessels). Both ends must be of the same
kind (person, organization, vessel, aircraft). From each link come the name pairs a screening meets:
the primary names of both lists when they are spelled differently, and every Cyrillic (or other
non-Latin) name of one end against the primary Latin name of the other.

Figures: name-pair recall (`compare_names` at our default threshold; logic-v2 at 0.7), screening
recall (one end's primary name, searched against the other end's list, finds it as a match; for
logic-v2: the query name against every name of the other end), and with `--interfaces N` a sample
through `rempart screen pairs`, `rempart screen batch` on a store holding the lists, `POST
/v1/screen` and `POST /match/default`, checking that they agree. Misses are written to
`--misses` (default /tmp/h/crosslist_misses.txt) for study; nothing here tunes the matcher.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.names import data, peer
from benchmarks.names.run import table
from rempart.domain.lists import ListedEntity
from rempart.domain.screening.index import Matcher, compare_names
from rempart.domain.screening.model import NameQuery
from rempart.domain.screening.normalize import schema_family
from rempart.domain.screening.score import DEFAULT_THRESHOLD, algorithm_id

Entry = tuple[str, str, ListedEntity]
UN_REF = re.compile(r"\b([A-Z]{2}[ie]\.\d{3})\b")
UK_UN_REF = re.compile(r"\(UN Ref\):\s*([A-Z]{2}[ie]\.\d{3})")
DOC_KINDS = ("passport", "national_id")
DEFAULT_MISSES = Path("/tmp/h/crosslist_misses.txt")


@dataclass(frozen=True)
class Link:
    key: str  # how the two were linked, e.g. "unref:QDi.001", "passport:A1234567", "imo:9123456"
    a: Entry
    b: Entry


@dataclass(frozen=True)
class Case:
    """One screening a held-out check makes: `query`, a name of one end, against the names
    `candidates` of the other end (the case is found when any of them matches)."""

    query: str
    candidates: tuple[str, ...]
    schema: str
    kind: str  # "latin>any", "latin>Cyrl", "Cyrl>latin", ... (query script > candidate script)
    link: Link
    target: Entry


def _un_refs(base: Path) -> dict[str, str]:
    """UN DATAID -> REFERENCE_NUMBER, from the UN XML."""
    path = base / "un_sc_consolidated_2026-02-27_watchman" / "UN_consolidated.xml"
    out: dict[str, str] = {}
    for el in ET.parse(path).getroot().iter():
        if el.tag in ("INDIVIDUAL", "ENTITY"):
            dataid = (el.findtext("DATAID") or "").strip()
            ref = (el.findtext("REFERENCE_NUMBER") or "").strip()
            if dataid and UN_REF.fullmatch(ref):
                out[dataid] = ref
    return out


def _doc(value: str) -> str | None:
    v = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if len(v) < 6 or len(set(v)) < 3:
        return None
    return v


def entity_keys(list_name: str, e: ListedEntity, un_refs: dict[str, str]) -> set[str]:
    keys: set[str] = set()
    if list_name == "un" and e.source_id in un_refs:
        keys.add("unref:" + un_refs[e.source_id])
    if list_name == "uk" and e.remarks:
        keys.update("unref:" + m for m in UK_UN_REF.findall(e.remarks))
    for i in e.identifiers:
        if i.kind in DOC_KINDS:
            d = _doc(i.value)
            if d:
                keys.add(f"doc:{d}")
        elif i.kind == "imo":
            digits = re.sub(r"\D", "", i.value)
            if len(digits) == 7:
                keys.add(f"imo:{digits}")
    return keys


def links(entries: Sequence[Entry], un_refs: dict[str, str]) -> list[Link]:
    by_key: dict[str, dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
    for en in entries:
        for k in entity_keys(en[0], en[2], un_refs):
            by_key[k][en[0]].append(en)
    out: dict[tuple[str, str], Link] = {}
    for k, per_list in by_key.items():
        # only keys held by exactly one entity of each list, on at least two lists
        if len(per_list) < 2 or any(len(v) != 1 for v in per_list.values()):
            continue
        ends = sorted((v[0] for v in per_list.values()), key=lambda x: x[0])
        for i, a in enumerate(ends):
            for b in ends[i + 1 :]:
                if schema_family(a[2].schema) != schema_family(b[2].schema):
                    continue
                ida, idb = f"{a[0]}:{a[2].source_id}", f"{b[0]}:{b[2].source_id}"
                out.setdefault((ida, idb), Link(k, a, b))
    return sorted(out.values(), key=lambda x: (x.a[0], x.a[2].source_id, x.b[0], x.b[2].source_id))


def _latin(script: str) -> bool:
    return script in ("Latn", "Zyyy", "")


def cases(ls: Sequence[Link]) -> list[Case]:
    """Per link and direction: the query's primary name against every name of the other end; the
    primary (Latin) name against the other end's non-Latin names; the query's first non-Latin name
    against the other end's Latin names."""
    out: list[Case] = []
    for ln in ls:
        for q, t in ((ln.a, ln.b), (ln.b, ln.a)):
            qe, te = q[2], t[2]
            schema = te.schema
            out.append(Case(qe.primary_name, tuple(n.full for n in te.names), schema, "latin>any", ln, t))
            non_latin = [n for n in te.names if not _latin(n.script) and n.full.strip()]
            for script in sorted({n.script for n in non_latin}):
                names = tuple(n.full for n in non_latin if n.script == script)
                out.append(Case(qe.primary_name, names, schema, f"latin>{script}", ln, t))
            q_non_latin = [n for n in qe.names if not _latin(n.script) and n.full.strip()]
            latin = tuple(n.full for n in te.names if _latin(n.script))
            if q_non_latin and latin:
                n0 = q_non_latin[0]
                out.append(Case(n0.full, latin, schema, f"{n0.script}>latin", ln, t))
    return out


def best(c: Case) -> tuple[float, bool, dict[str, Any], str]:
    """Our best score of the query against the candidate names."""
    top: tuple[float, bool, dict[str, Any], str] | None = None
    for n in c.candidates:
        s, m, e = compare_names(c.query, n, c.schema)
        if top is None or s > top[0]:
            top = (s, m, e, n)
    assert top is not None
    return top


def _lv2_entity(lv2: peer.LogicV2Peer, e: ListedEntity) -> Any:
    return lv2._entity("c", e.schema, [n.full for n in e.names])


def evaluate(
    base: Path, with_peer: bool, misses_path: Path, interfaces: int, seed: int = 7
) -> dict[str, Any]:
    t0 = time.perf_counter()
    entries, notes = data.watchlist(base)
    un_refs = _un_refs(base)
    ls = links(entries, un_refs)
    cs = cases(ls)
    print(f"\nlists: {'; '.join(notes)}")
    kinds: dict[str, int] = defaultdict(int)
    for ln in ls:
        kinds[ln.key.split(":")[0]] += 1
    print(
        f"links: {len(ls)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
        f"cases: {len(cs)}; loaded in {time.perf_counter() - t0:.0f} s"
    )
    lv2 = peer.LogicV2Peer() if with_peer and peer.available() else None
    out: dict[str, Any] = {"algorithm": algorithm_id(), "threshold": DEFAULT_THRESHOLD, "links": len(ls)}

    # --- name matching: the query against the other end's names ---
    t = time.process_time()
    ours = [best(c) for c in cs]
    ours_cpu = time.process_time() - t
    theirs: list[float] = []
    if lv2:
        for c in cs:
            qe = lv2._entity("q", c.schema, [c.query])
            ce = lv2._entity("c", c.schema, list(c.candidates))
            theirs.append(lv2.compare_entities(qe, ce))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cs):
        groups[c.kind].append(i)
        groups["all"].append(i)
        groups[
            f"{c.link.a[0]}~{c.link.b[0]} {'latin>any' if c.kind == 'latin>any' else 'cross-script'}"
        ].append(i)
    rows = []
    out["cases"] = {}
    for k in sorted(groups, key=lambda x: (" " in x, x != "all", x)):
        idx = groups[k]
        if len(idx) < 5 and k != "all":
            continue
        r_ours = sum(ours[i][1] for i in idx) / len(idx)
        row: list[Any] = [k, len(idx), f"{r_ours:.3f}"]
        out["cases"][k] = {"n": len(idx), "recall_ours": r_ours}
        if lv2:
            r_lv2 = sum(theirs[i] >= peer.PEER_THRESHOLD for i in idx) / len(idx)
            row.append(f"{r_lv2:.3f}")
            out["cases"][k]["recall_logic_v2"] = r_lv2
        rows.append(row)
    table(
        f"Cross-list recall: one list's name against the other list's names of the same entity "
        f"(ours {algorithm_id()} @ {DEFAULT_THRESHOLD}, logic-v2 @ {peer.PEER_THRESHOLD}; "
        f"ours {ours_cpu / len(cs) * 1e3:.2f} ms CPU per case)",
        [
            "cases (query script > candidate script)",
            "n",
            "recall ours",
            *(["recall logic-v2"] if lv2 else []),
        ],
        rows,
    )

    # --- screening: the primary name through the index, against the other end's list ---
    t = time.perf_counter()
    matcher = Matcher(entries)
    build_s = time.perf_counter() - t
    screen = [c for c in cs if c.kind == "latin>any" or c.kind.endswith(">latin")]
    found = 0
    screen_misses: list[str] = []
    screen_found: list[bool] = []
    for c in screen:
        tid = f"{c.target[0]}:{c.target[2].source_id}"
        q = NameQuery(c.query, schema=c.schema, lists=(c.target[0],))
        # as the services search (hits at or above the threshold)
        hit = next((h for h in matcher.search(q, limit=10) if h.entity_id == tid), None)
        screen_found.append(hit is not None and hit.match)
        if hit is not None and hit.match:
            found += 1
        else:
            near = next((h for h in matcher.search(q, limit=10, min_score=0.3) if h.entity_id == tid), None)
            screen_misses.append(
                f"{c.query}\t{c.target[2].primary_name}\t{f'{near.score:.3f}' if near else 'not in top 10'}\t"
                f"{c.kind}\t{c.link.key}\t{tid}"
            )
    srows: list[list[Any]] = []
    out["screening"] = {}
    for label, sel in (
        ("latin>any", lambda c: c.kind == "latin>any"),
        ("non-Latin>latin", lambda c: c.kind != "latin>any"),
        ("all", lambda c: True),
    ):
        idx = [i for i, c in enumerate(screen) if sel(c)]
        r = sum(screen_found[i] for i in idx) / len(idx) if idx else 0.0
        srows.append([label, len(idx), f"{r:.3f}"])
        out["screening"][label] = {"queries": len(idx), "recall_ours": r}
    table(
        f"Cross-list screening through the index ({algorithm_id()}, all {len(matcher)} entities, built in "
        f"{build_s:.0f} s): the query, restricted to the other list, finds the entity as a match",
        ["queries", "n", "recall"],
        srows,
    )

    # --- misses for the accuracy work ---
    misses_path.parent.mkdir(parents=True, exist_ok=True)
    n_miss = 0
    with misses_path.open("w", encoding="utf-8") as f:
        f.write(
            f"# {algorithm_id()} @ {DEFAULT_THRESHOLD}; logic-v2 @ {peer.PEER_THRESHOLD}. Same entity on two "
            "lists, linked by UN reference, passport/national id or IMO number (see benchmarks/names/crosslist.py)\n"
            "# name1 (query) \t name2 (best listed name of the other end) \t schema \t our score \t "
            "logic-v2 \t case \t link \t explanation\n"
        )
        for i, c in enumerate(cs):
            if ours[i][1]:
                continue
            n_miss += 1
            lv = f"{theirs[i]:.3f}" if lv2 else "-"
            f.write(
                f"{c.query}\t{ours[i][3]}\t{c.schema}\t{ours[i][0]:.3f}\t{lv}\t{c.kind}\t{c.link.key} "
                f"{c.link.a[0]}:{c.link.a[2].source_id}~{c.link.b[0]}:{c.link.b[2].source_id}\t"
                f"{json.dumps(ours[i][2], ensure_ascii=False)}\n"
            )
        f.write(
            "\n# screening misses: query \t listed primary \t target score (if a candidate) \t case \t link\n"
        )
        f.writelines(m + "\n" for m in screen_misses)
    print(f"\n{n_miss} name misses and {len(screen_misses)} screening misses written to {misses_path}")

    if interfaces:
        # half of the sample among the cases the index finds, half among those it misses, so that the
        # interfaces are compared on both
        rnd = random.Random(seed)
        best_name = {id(c): ours[i][3] for i, c in enumerate(cs)}
        hit_pool = [(c, best_name[id(c)]) for c, f in zip(screen, screen_found, strict=True) if f]
        miss_pool = [(c, best_name[id(c)]) for c, f in zip(screen, screen_found, strict=True) if not f]
        n_miss = min(interfaces // 2, len(miss_pool))
        sample = rnd.sample(miss_pool, n_miss) + rnd.sample(hit_pool, min(interfaces - n_miss, len(hit_pool)))
        out["interfaces"] = interfaces_agree(base, sample, {id(c) for c, _ in hit_pool})
    return out


# --- the same sample through the interfaces ---------------------------------------------------------

LIST_SOURCES = {
    "un": ("un", ["un_sc_consolidated_2026-02-27_watchman/UN_consolidated.xml"]),
    "uk": ("uk", ["uk_ofsi_conlist_2025-04-10_nadya-soto/UK_Sanctions_List.xlsx"]),
    "eu": ("eu", ["eu_journal_sanctions_consolidated_2026-08-21_opensanctions/*.csv"]),
    "ofac": ("ofac", ["ofac_sdn_2024-05-03_jackdwyer/sdn.csv"]),
}


def interfaces_agree(
    base: Path, sample: Sequence[tuple[Case, str]], found_in_process: set[int]
) -> dict[str, Any]:
    """Run `sample` (a case and its best-scoring listed name) through `screen pairs`, `screen batch`
    (a customer file screened against a store holding the lists), `POST /v1/screen` and `POST
    /match/default`; count agreements. Every interface screens against every list in the store."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from rempart.adapters.cli.main import app as cli
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    sample = [(c, n) for c, n in sample if schema_family(c.schema) in ("person", "org")]
    expected = sum(id(c) in found_in_process for c, _ in sample)
    runner = CliRunner()
    tmp = Path(tempfile.mkdtemp(prefix="rempart-crosslist-"))
    db = f"sqlite:///{tmp / 'lists.db'}"
    wanted = sorted({c.link.b[0] for c, _ in sample} | {c.link.a[0] for c, _ in sample})
    t = time.perf_counter()
    for lst in wanted:
        source, globs = LIST_SOURCES[lst]
        paths = [str(x) for g in globs for x in sorted(base.glob(g))]
        r = runner.invoke(cli, ["lists", "import", *paths, "--source", source, "--db", db, "--json"])
        if r.exit_code != 0:
            raise SystemExit(f"lists import {lst} failed: {r.stderr[:500]}")
    print(f"\ninterfaces: imported {', '.join(wanted)} into {db} in {time.perf_counter() - t:.0f} s")

    # 1. screen pairs: the CLI scores exactly what compare_names scores
    pairs_csv = tmp / "pairs.csv"
    with pairs_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name1", "name2", "schema"])
        w.writerows([c.query, n, c.schema] for c, n in sample)
    r = runner.invoke(cli, ["screen", "pairs", str(pairs_csv)])
    got = [json.loads(x) for x in r.stdout.splitlines()]
    pairs_agree = sum(
        g["score"] == round(compare_names(c.query, n, c.schema)[0], 4)
        for g, (c, n) in zip(got, sample, strict=False)
    )

    # 2. batch: each query as a customer
    def kind(c: Case) -> str:
        return "person" if schema_family(c.schema) == "person" else "organization"

    cust = tmp / "customers.csv"
    with cust.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "type", "name"])
        w.writerows([f"c{i}", kind(c), c.query] for i, (c, _) in enumerate(sample))
    out_path = tmp / "batch.jsonl"
    t = time.perf_counter()
    r = runner.invoke(
        cli, ["screen", "batch", str(cust), "--out", str(out_path), "--workers", "1", "--db", db, "--json"]
    )
    if r.exit_code != 0:
        raise SystemExit(f"screen batch failed: {r.stderr[:500]}")
    print(
        f"screen batch (screener built or loaded from cache, then {len(sample)} records): {time.perf_counter() - t:.0f} s"
    )
    batch = [json.loads(x) for x in out_path.read_text(encoding="utf-8").splitlines()]

    # 3. and 4. HTTP
    agree_batch = agree_match = found = 0
    rows: list[tuple[str, str, float | None, float | None, float | None]] = []
    with TestClient(create_app(Settings(database_url=db))) as client:
        for i, (c, _) in enumerate(sample):
            tid = f"{c.target[0]}:{c.target[2].source_id}"
            schema = "Person" if kind(c) == "person" else "Organization"
            v1 = client.post("/v1/screen", json={"name": c.query, "schema": schema, "record": False}).json()
            v1_match = {h["entity_id"]: h["score"] for h in v1["hits"] if h["match"]}
            b_match = {h["entity_id"]: h["score"] for h in batch[i]["hits"] if h["match"]}
            ym = client.post(
                "/match/default?limit=10",
                json={"queries": {"q": {"schema": schema, "properties": {"name": [c.query]}}}},
            ).json()
            y_match = {x["id"]: x["score"] for x in ym["responses"]["q"]["results"] if x["match"]}
            found += tid in v1_match
            agree_batch += v1_match == b_match
            agree_match += v1_match == y_match
            rows.append((c.query, tid, v1_match.get(tid), b_match.get(tid), y_match.get(tid)))
    res = {
        "sample (person/organization cases)": len(sample),
        "screen pairs score == compare_names": pairs_agree,
        "the in-process index finds the other list's entry (screening above)": expected,
        "/v1/screen finds the other list's entry": found,
        "screen batch: same matches and scores as /v1/screen": agree_batch,
        "/match/default: same matches and scores as /v1/screen": agree_match,
    }
    table(
        f"Interfaces on a random sample of cross-list cases (store: {', '.join(wanted)})",
        ["check", "count"],
        [[k, v] for k, v in res.items()],
    )
    disagree = [row for row in rows if not (row[2] == row[3] == row[4])]
    if disagree:
        print("\nrows where the interfaces differ (name, target, /v1/screen, batch, /match):")
        for row in disagree[:20]:
            print("  ", row)
    return res


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.names.crosslist", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--data-dir", type=Path, default=data.data_dir())
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--interfaces", type=int, default=0, help="sample size through CLI, batch and HTTP")
    ap.add_argument("--misses", type=Path, default=DEFAULT_MISSES)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    out = evaluate(args.data_dir, not args.no_peer, args.misses, args.interfaces)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
