"""Name matcher benchmark: quality on labelled pairs, cross-script recall, screening, speed.

    python -m benchmarks.names                 # everything (about 5 minutes on 2 cores)
    python -m benchmarks.names --quick         # 5,000 negatives, smaller peer samples
    python -m benchmarks.names --no-peer       # without nomenklatura's logic-v2
    python -m benchmarks.names --only own-script   # the UK list's non-Latin names, half held out

Ours runs at its default threshold (`rempart.domain.screening.score.DEFAULT_THRESHOLD`), logic-v2 at
yente's default (0.7). The best threshold on the labelled pairs is printed for information only.
Timing is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/names/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.names import data, peer
from rempart.domain.lists import entity_id
from rempart.domain.screening.index import Matcher, compare_names
from rempart.domain.screening.lexicon import Lexicon
from rempart.domain.screening.model import NameQuery
from rempart.domain.screening.score import DEFAULT_THRESHOLD, algorithm_id


def prf(scores: Sequence[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, m in scores if s >= threshold and m)
    fp = sum(1 for s, m in scores if s >= threshold and not m)
    fn = sum(1 for s, m in scores if s < threshold and m)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f, p, r


def best_threshold(scores: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    return max((prf(scores, t / 100)[0], t / 100) for t in range(30, 100))


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n## {title}\n")
    for n, r in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def pairs_section(base: Path, lex: Lexicon, lv2: peer.LogicV2Peer | None, out: dict[str, Any]) -> None:
    cases = data.nomenklatura_pairs(base)
    t = time.perf_counter()
    ours = [(compare_names(c.name1, c.name2, c.schema, lex)[0], c.is_match) for c in cases]
    ours_us = (time.perf_counter() - t) / len(cases) * 1e6
    rows: list[list[Any]] = []
    f, p, r = prf(ours, DEFAULT_THRESHOLD)
    bf, bt = best_threshold(ours)
    rows.append([algorithm_id(), DEFAULT_THRESHOLD, f, p, r, f"{bf:.3f} @ {bt}", f"{ours_us:.0f}"])
    out["pairs"] = {"ours": {"threshold": DEFAULT_THRESHOLD, "f1": f, "precision": p, "recall": r}}
    peer_scores: list[tuple[float, bool]] = []
    if lv2:
        t = time.perf_counter()
        peer_scores = [(lv2.compare(c.name1, c.name2, c.schema), c.is_match) for c in cases]
        peer_us = (time.perf_counter() - t) / len(cases) * 1e6
        f2, p2, r2 = prf(peer_scores, peer.PEER_THRESHOLD)
        bf2, bt2 = best_threshold(peer_scores)
        rows.append(
            [
                lv2.version + " logic-v2",
                peer.PEER_THRESHOLD,
                f2,
                p2,
                r2,
                f"{bf2:.3f} @ {bt2}",
                f"{peer_us:.0f}",
            ]
        )
        out["pairs"]["logic-v2"] = {"threshold": peer.PEER_THRESHOLD, "f1": f2, "precision": p2, "recall": r2}
    table(
        f"Labelled name pairs (nomenklatura name_bench, {len(cases)} pairs)",
        ["matcher", "threshold", "F1", "precision", "recall", "best F1 (info)", "µs/pair"],
        rows,
    )
    groups = sorted({c.group for c in cases})
    grows = []
    for g in groups:
        idx = [i for i, c in enumerate(cases) if c.group == g]
        row: list[Any] = [g, len(idx), prf([ours[i] for i in idx], DEFAULT_THRESHOLD)[0]]
        if peer_scores:
            row.append(prf([peer_scores[i] for i in idx], peer.PEER_THRESHOLD)[0])
        grows.append(row)
    table("F1 by case group", ["group", "pairs", "ours", *(["logic-v2"] if peer_scores else [])], grows)


def cross_section(base: Path, lex: Lexicon, lv2: peer.LogicV2Peer | None, out: dict[str, Any]) -> None:
    rows = []
    out["cross_script"] = {}
    for label, pairs in (
        ("watchman cross_script_pairs", data.watchman_cross_script(base)),
        ("EU 269/2014 Latin/Cyrillic aliases", data.eu_latin_cyrillic(base, "269")),
        ("EU 765/2006 (Belarus) Latin/Cyrillic aliases", data.eu_latin_cyrillic(base, "765")),
        ("EU 269: Cyrillic alias vs the entry's Latin name", data.eu_entry_pairs(base, "269")),
        ("EU 765: Cyrillic alias vs the entry's Latin name", data.eu_entry_pairs(base, "765")),
    ):
        ours = sum(1 for p in pairs if compare_names(p.name1, p.name2, p.schema, lex)[1]) / len(pairs)
        row: list[Any] = [label, len(pairs), ours]
        out["cross_script"][label] = {"pairs": len(pairs), "recall_ours": ours}
        if lv2:
            theirs = sum(
                1 for p in pairs if lv2.compare(p.name1, p.name2, p.schema) >= peer.PEER_THRESHOLD
            ) / len(pairs)
            row.append(theirs)
            out["cross_script"][label]["recall_logic_v2"] = theirs
        rows.append(row)
    # the screening question: does a person's Cyrillic name find the person's Latin names, and
    # the other way round (a pseudonym or former name is then one name among others)
    for regime in ("269", "765"):
        people = data.eu_people(base, regime)
        for label, direction in (
            (f"EU {regime}: Cyrillic name finds the person", 0),
            (f"EU {regime}: Latin name finds the person", 1),
        ):
            queries = [(q, group[1 - direction]) for group in people for q in group[direction]]
            found = sum(
                1 for q, targets in queries if any(compare_names(q, t, "Person", lex)[1] for t in targets)
            )
            row = [label, len(queries), found / len(queries)]
            out["cross_script"][label] = {"names": len(queries), "recall_ours": found / len(queries)}
            if lv2:
                theirs = sum(
                    1 for q, targets in queries
                    if any(lv2.compare(q, t, "Person") >= peer.PEER_THRESHOLD for t in targets)
                ) / len(queries)  # fmt: skip
                row.append(theirs)
                out["cross_script"][label]["recall_logic_v2"] = theirs
            rows.append(row)
    table(
        "Cross-script recall (every pair is the same person)",
        ["set", "pairs", "ours", *(["logic-v2"] if lv2 else [])],
        rows,
    )
    if "watchman" in rows[0][0]:
        missed = [
            f"{p.name1} / {p.name2}"
            for p in data.watchman_cross_script(base)
            if not compare_names(p.name1, p.name2, p.schema, lex)[1]
        ]
        print(f"\nwatchman pairs we miss: {', '.join(missed) or 'none'}")


def own_script_section(base: Path, lex: Lexicon, lv2: peer.LogicV2Peer | None, out: dict[str, Any]) -> None:
    """The UK list's names of persons in their own script (Cyrillic, Arabic...) against the Latin
    names the list gives for the same person, built from the list itself. Half of the persons (by a
    hash of their id) are held out of development: the `held-out` rows are the ones to trust.

    recall: the name meets one of the person's Latin names (`compare_names`). Searched against every
    UK person by Latin names only (`Matcher.search`, no birth date): found, the person is among the
    alerts; wrong, another person is (some are relatives or one person listed twice: an upper bound)."""
    cases, entries = data.uk_non_latin(base)
    m = Matcher(entries, lex)
    eids = {e.source_id: entity_id(ln, e.source_id) for ln, _v, e in entries}
    rows: list[list[Any]] = []
    out["own_script"] = {}
    for part in ("development", "held-out"):
        sel = [c for c in cases if c.held_out == (part == "held-out")]
        for script in sorted({c.script for c in sel}, key=lambda s: -sum(c.script == s for c in sel)):
            cs = [c for c in sel if c.script == script]
            if len(cs) < 5:
                continue
            found = sum(1 for c in cs if any(compare_names(c.name, la, "Person", lex)[1] for la in c.latin))
            wrong = searched = 0
            for c in cs:
                hits = m.search(NameQuery(c.name, "Person"))
                if any(h.match and h.entity_id != eids[c.entity] for h in hits):
                    wrong += 1
                if any(h.match and h.entity_id == eids[c.entity] for h in hits):
                    searched += 1
            row: list[Any] = [part, script, len(cs), found / len(cs), searched / len(cs), wrong / len(cs)]
            out["own_script"][f"{part}/{script}"] = {"names": len(cs), "recall": found / len(cs),
                                                      "recall_search": searched / len(cs),
                                                      "wrong_alert": wrong / len(cs)}  # fmt: skip
            if lv2:
                theirs = sum(
                    1
                    for c in cs
                    if max(lv2.compare(c.name, la, "Person") for la in c.latin) >= peer.PEER_THRESHOLD
                )
                row.append(theirs / len(cs))
                out["own_script"][f"{part}/{script}"]["recall_logic_v2"] = theirs / len(cs)
            rows.append(row)
    table(
        "UK list: a person's name in its own script against the Latin names of that person",
        [
            "part",
            "script",
            "names",
            "recall",
            "found by search",
            "wrong alert",
            *(["logic-v2 recall"] if lv2 else []),
        ],
        rows,
    )


def _peer_screen(lv2: peer.LogicV2Peer, matcher: Matcher, q: NameQuery) -> bool:
    """logic-v2 behind our candidate generation: our index proposes, logic-v2 scores."""
    hits = matcher.search(q, limit=10, min_score=0.3)
    if not hits:
        return False
    qe = lv2._entity("q", "Person", [q.name], [d.iso() for d in q.birth_dates])
    by_id = matcher._by_entity_id()
    for h in hits:
        entity = by_id[h.entity_id]
        ce = lv2._entity(
            "c", entity.schema, [n.full for n in entity.names], [d.iso() for d in entity.birth_dates]
        )
        if lv2.compare_entities(qe, ce) >= peer.PEER_THRESHOLD:
            return True
    return False


def screening_section(
    base: Path, lex: Lexicon, lv2: peer.LogicV2Peer | None, out: dict[str, Any], n_neg: int, n_peer: int
) -> Matcher:
    entries, notes = data.watchlist(base)
    print("\nwatchlist: " + "; ".join(notes))
    t = time.perf_counter()
    everything = Matcher(entries, lex)
    build_s = time.perf_counter() - t
    un = Matcher([e for e in entries if e[0] == "un"], lex)
    pos = data.yente_queries(base, "positives_un_treated.csv")
    neg = data.yente_queries(base, "negatives_global.csv")[:n_neg]
    pos_found = sum(1 for q in pos if any(h.match for h in un.search(q)))
    alerts = 0
    for q in neg:
        if any(h.match for h in everything.search(q)):
            alerts += 1
    rows: list[list[Any]] = [
        [
            algorithm_id(),
            f"{pos_found}/{len(pos)}",
            pos_found / len(pos),
            f"{alerts}/{len(neg)}",
            100 * alerts / len(neg),
        ]
    ]
    out["screening"] = {
        "ours": {
            "positives_recall": pos_found / len(pos),
            "negatives_alert_rate": alerts / len(neg),
            "negatives": len(neg),
        },
        "index_build_s": build_s,
        "entities": len(everything),
        "names": everything.name_count,
    }
    if lv2:
        pp = sum(1 for q in pos if _peer_screen(lv2, un, q))
        sample = neg[:n_peer]
        pn = sum(1 for q in sample if _peer_screen(lv2, everything, q))
        rows.append(
            [
                "logic-v2 (our index)",
                f"{pp}/{len(pos)}",
                pp / len(pos),
                f"{pn}/{len(sample)}",
                100 * pn / len(sample),
            ]
        )
        out["screening"]["logic-v2"] = {
            "positives_recall": pp / len(pos),
            "negatives_alert_rate": pn / len(sample),
        }
    table(
        f"Screening (watchlist: {len(everything)} entities, {everything.name_count} names; index built in {build_s:.1f} s)",
        ["matcher", "UN positives found", "recall", "negatives alerted", "alert %"],
        rows,
    )
    return everything


def speed_section(matcher: Matcher, base: Path, out: dict[str, Any], n: int) -> None:
    queries = data.yente_queries(base, "negatives_global.csv")[-n:] + data.yente_queries(
        base, "positives_un_treated.csv"
    )
    for q in queries[:200]:
        matcher.search(q)  # warm the caches
    lat = []
    for q in queries:
        t = time.perf_counter()
        matcher.search(q)
        lat.append(time.perf_counter() - t)
    lat.sort()

    def pct(x: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * x))] * 1000

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table(
        f"Single-name search against all lists ({len(lat)} queries, one process)",
        ["p50 ms", "p90 ms", "p99 ms", "max ms", "peak RSS MB"],
        [[pct(0.5), pct(0.9), pct(0.99), lat[-1] * 1000, f"{peak_mb:.0f}"]],
    )
    out["speed"] = {"p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99), "peak_rss_mb": peak_mb}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.names", description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data.data_dir())
    ap.add_argument("--quick", action="store_true", help="5,000 negatives and small peer samples")
    ap.add_argument("--no-peer", action="store_true", help="skip nomenklatura logic-v2")
    ap.add_argument("--builtin-lexicon", action="store_true", help="ignore the rigour dictionaries")
    ap.add_argument(
        "--only", choices=["pairs", "cross", "own-script", "screening", "crosslist"], help="run one section"
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    base: Path = args.data_dir
    lex = Lexicon.builtin() if args.builtin_lexicon else data.load_lexicon(base)
    lv2 = None
    if not args.no_peer:
        if peer.available():
            lv2 = peer.LogicV2Peer()
        else:
            print("nomenklatura is not installed (pip install -e '.[bench]'): the peer is skipped")
    print(f"# Rempart name matcher {algorithm_id()} (lexicon: {lex.source}; data: {base})")
    out: dict[str, Any] = {"algorithm": algorithm_id(), "lexicon": lex.source}
    sections: list[Callable[[], Any]] = []
    if args.only in (None, "pairs"):
        sections.append(lambda: pairs_section(base, lex, lv2, out))
    if args.only in (None, "cross"):
        sections.append(lambda: cross_section(base, lex, lv2, out))
    if args.only in (None, "own-script"):
        sections.append(lambda: own_script_section(base, lex, lv2, out))
    for s in sections:
        s()
    if args.only == "crosslist":  # the same entity on two lists (benchmarks/names/crosslist.py)
        from benchmarks.names import crosslist

        out["crosslist"] = crosslist.evaluate(base, lv2 is not None, crosslist.DEFAULT_MISSES, 0)
    if args.only in (None, "screening"):
        n_neg = 5000 if args.quick else 50_000
        m = screening_section(base, lex, lv2, out, n_neg, 200 if args.quick else 500)
        speed_section(m, base, out, 2000 if args.quick else 5000)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
