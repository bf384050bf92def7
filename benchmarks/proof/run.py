"""Proof targets: verify a 1,000,000-event log <= 30 s; an inclusion proof <= 1 ms; a checkpoint
<= 1 KB; the report of 10,000 requests renders <= 10 s (and a screenshot of it in headless Chromium).

`python -m benchmarks proof` (part of `make bench`). REMPART_BENCH_EVENTS changes the log size.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.storage.db import Store
from rempart.domain import merkle
from rempart.domain.audit import event_body
from rempart.services import audit, proof
from rempart.services.transparency import build_report, commit_requests, generate_requests
from rempart.verifier import Result, check_inclusion, check_report

ROOT = Path(__file__).resolve().parents[2]
EVENTS = int(os.environ.get("REMPART_BENCH_EVENTS", "1000000"))


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def timed(label: str, fn, target: float | None = None):  # type: ignore[no-untyped-def]
    w0, c0 = time.perf_counter(), _cpu()
    out = fn()
    wall, cpu = time.perf_counter() - w0, _cpu() - c0
    verdict = (
        ""
        if target is None
        else ("  OK" if wall <= target else f"  OVER TARGET {target:g} s (cpu {cpu:.1f} s)")
    )
    print(f"{label:<58} {wall:8.2f} s wall {cpu:8.2f} s cpu{verdict}", flush=True)
    return out


def build_log(store: Store, n: int) -> None:
    batch = 100_000
    done = 0
    while done < n:
        k = min(batch, n - done)
        items = [
            (
                "screening.result",
                "batch",
                f"customer:c{done + i}",
                {"i": done + i, "hit": (done + i) % 97 == 0},
            )
            for i in range(k)
        ]
        with store.begin() as conn:
            audit.record_many(conn, items)
        done += k


def screenshot(html: Path, png: Path) -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        print("chromium not found (apt-get install -y chromium): no screenshot")
        return
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--hide-scrollbars",
        f"--screenshot={png}",
        "--window-size=1280,1900",
        html.as_uri(),
    ]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    print(
        f"{'screenshot in headless Chromium -> ' + str(png.relative_to(ROOT)):<58} {time.perf_counter() - t0:8.2f} s"
    )


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="rempart-proof-bench-"))
    try:
        key = load_or_create(tmp / "keys")
        store = Store.open(f"sqlite:///{tmp / 'log.db'}")
        timed(f"append {EVENTS:,} audit events (record_many)", lambda: build_log(store, EVENTS))

        def cp() -> object:
            with store.begin() as conn:
                return proof.take_checkpoint(conn, key, "bench")

        checkpoint = timed("first checkpoint (builds the Merkle node index)", cp)
        size = len(json.dumps(checkpoint.to_dict()).encode())  # type: ignore[attr-defined]
        print(
            f"{'checkpoint size (JSON, with signature)':<58} {size:8d} B   {'OK' if size <= 1024 else 'OVER 1 KB'}"
        )

        def verify() -> int:
            with store.read() as conn:
                n, breaks = audit.verify(conn, public_key=key.public_key_bytes())
            assert not breaks, breaks[:3]
            return n

        n = timed(f"audit verify: chain + Merkle tree + checkpoints ({EVENTS:,})", verify, 30.0)
        assert n == EVENTS
        rng = random.Random(1)
        seqs = [str(rng.randint(1, EVENTS)) for _ in range(1000)]
        proofs = []
        with store.read() as conn:
            proof.prove(conn, "1")  # warm up
            t0, c0 = time.perf_counter(), _cpu()
            for s in seqs:
                proofs.append(proof.prove(conn, s))
            per = (time.perf_counter() - t0) / len(seqs) * 1000
            per_cpu = (_cpu() - c0) / len(seqs) * 1000
        print(
            f"{'inclusion proof from the store (mean of 1,000)':<58} {per:8.3f} ms wall {per_cpu:6.3f} ms cpu  "
            f"{'OK' if per <= 1 else 'OVER 1 ms wall'}"
        )
        pub = key.public_key_bytes()
        t0 = time.perf_counter()
        for p in proofs:
            res = Result("p", "inclusion")
            assert check_inclusion(p, pub, res), res.problems
        per = (time.perf_counter() - t0) / len(proofs) * 1000
        print(
            f"{'inclusion proof check incl. signature (mean of 1,000)':<58} {per:8.3f} ms  {'OK' if per <= 1 else 'OVER 1 ms'}"
        )
        t0 = time.perf_counter()
        for p in proofs:
            ev = p["event"]
            leaf = merkle.leaf_hash(
                event_body(
                    ev["seq"],
                    ev["id"],
                    ev["type"],
                    ev["actor"],
                    ev["time"],
                    ev["subject"],
                    ev["payload_hash"],
                )
            )
            assert merkle.verify_inclusion(
                p["leaf_index"],
                p["tree_size"],
                leaf,
                [bytes.fromhex(h) for h in p["path"]],
                bytes.fromhex(p["checkpoint"]["root_hash"]),
            )
        per = (time.perf_counter() - t0) / len(proofs) * 1000
        print(
            f"{'inclusion proof check, tree head already checked (mean)':<58} {per:8.3f} ms  {'OK' if per <= 1 else 'OVER 1 ms'}"
        )
        store.dispose()

        rstore = Store.open(f"sqlite:///{tmp / 'report.db'}")
        reqs = generate_requests(10_000, seed=2025)

        def commit() -> None:
            with rstore.begin() as conn:
                commit_requests(conn, reqs)

        timed("commit 10,000 generated requests to the log", commit)
        out = tmp / "report"

        def render() -> object:
            with rstore.begin() as conn:
                rep = build_report(conn, date(2025, 1, 1), date(2025, 12, 31), key, threshold=10, sources=[])
            rep.write(out)
            return rep

        timed("report transparency (10,000 requests: HTML, JSON, CSV, proofs)", render, 10.0)
        files = {p.name: p.read_bytes() for p in out.iterdir()}

        def check() -> None:
            res = Result(str(out), "report")
            check_report(files, pub, res)
            assert res.ok, res.problems[:3]

        timed("report verify (recount + 10,000 inclusion proofs)", check)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:,.0f} KB" for p in sorted(out.iterdir()))
        print(f"report files: {sizes}")
        screenshot(out / "report.html", ROOT / "docs" / "transparency-report.png")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
