"""The gate over HTTP: uvicorn serving `create_app` on 127.0.0.1 (a free port), POST /v1/restrictions/check
under a bounded load; reports checks per second and latency.

The load comes from `wrk` when it is installed (Debian package `wrk`; light on CPU, which matters on a
2-core machine where the client competes with the server), otherwise from an httpx thread pool.
Authentication is a real API token of a user with the `engineer` role.

    .venv/bin/python -m benchmarks.restrictions.run http --customers 100000 --seconds 15
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.restrictions.common import AS_OF, ROOT, RULES, customer_id, load
from rempart.adapters.storage.db import Store
from rempart.services import users

APP = "rempart.adapters.http.app"


def app() -> object:
    """The uvicorn factory: `create_app` with settings from the environment (REMPART_*)."""
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    return create_app(Settings())


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                pids.extend(int(c) for c in children)
        except (OSError, IndexError, ValueError):
            continue
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("uvicorn did not start")


def token_for(store: Store) -> str:
    users.ensure_user(store, "bench-gate", ["engineer"])
    token, _ = users.issue_token(store, "bench-gate", label="restrictions benchmark")
    return token


def body(cid: str, record: bool) -> dict[str, object]:
    return {"customer_id": cid, "action": "hold", "as_of": AS_OF, "record": record}


WRK_SCRIPT = """
math.randomseed(7)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  local cid = string.format("cu%%07d", math.random(0, %(customers)d - 1))
  return wrk.format(nil, "/v1/restrictions/check", nil,
    '{"customer_id": "' .. cid .. '", "action": "hold", "as_of": "%(as_of)s", "record": %(record)s}')
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def _with_wrk(port: int, token: str, customers: int, seconds: int, connections: int, record: bool) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(
            WRK_SCRIPT
            % {
                "token": token,
                "customers": customers,
                "as_of": AS_OF,
                "record": "true" if record else "false",
            }
        )
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", f.name, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    m = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if m is None:
        raise RuntimeError(f"wrk output not understood: {out}")
    n, dur_us, errors, p50, p99, mx = (int(x) for x in m.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return (
        f"{n / (dur_us / 1e6):,.0f} checks/s ({n:,} in {dur_us / 1e6:.1f} s, {connections} connections, "
        f"errors {errors}); latency p50 {p50 / 1000:.1f} ms p99 {p99 / 1000:.1f} ms max {mx / 1000:.1f} ms"
    )


def _with_httpx(port: int, token: str, customers: int, seconds: int, connections: int, record: bool) -> str:
    import httpx

    end = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    def worker(seed: int) -> tuple[int, int]:
        rng = random.Random(seed)
        ok = bad = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            while time.monotonic() < end:
                r = client.post(
                    "/v1/restrictions/check", json=body(customer_id(rng.randrange(customers)), record)
                )
                ok, bad = (ok + 1, bad) if r.status_code == 200 else (ok, bad + 1)
        return ok, bad

    t = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(worker, range(connections)))
    secs = time.perf_counter() - t
    ok = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    return f"{ok / secs:,.0f} checks/s ({ok:,} in {secs:.1f} s, {connections} threads, errors {bad}) [httpx]"


def run(
    db: Path,
    customers: int,
    *,
    seconds: int = 15,
    workers: int | None = None,
    connections: int = 16,
    record: bool | None = None,
) -> None:
    """Serve the store at `db` (already built) and load it: with checks that store their decision (the
    gate's default: decision, seed and audit event committed before the answer) and with checks that
    do not (`"record": false`), or only one kind when `record` is given."""
    store = Store.open(f"sqlite:///{db}")
    try:
        token = token_for(store)
    finally:
        store.dispose()
    port = _free_port()
    workers = workers or os.cpu_count() or 1
    env = {
        **os.environ,
        "REMPART_DATABASE_URL": f"sqlite:///{db}",
        "REMPART_RULES_DIR": str(RULES),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "benchmarks.restrictions.http:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    try:
        _wait(port, proc)
        import httpx

        probe = httpx.post(
            f"http://127.0.0.1:{port}/v1/restrictions/check",
            json=body(customer_id(0), False),
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        if probe.status_code != 200:
            raise RuntimeError(f"check answered {probe.status_code}: {probe.text[:300]}")
        print(
            f"probe: {json.dumps({k: probe.json()[k] for k in ('customer_id', 'outcome', 'holdings_eur')})}"
        )
        load_with = _with_wrk if shutil.which("wrk") else _with_httpx
        for _ in range(2):  # warm every worker
            load_with(port, token, customers, 2, connections, False)
        for stored in (False, True) if record is None else (record,):
            cpu0 = _tree_cpu_seconds(proc.pid)
            result = load_with(port, token, customers, seconds, connections, stored)
            cpu = _tree_cpu_seconds(proc.pid) - cpu0
            m = re.search(r"\(([\d,]+) in", result)
            per = (
                f"; server CPU {cpu * 1000 / int(m.group(1).replace(',', '')):.2f} ms per check"
                if m and cpu
                else ""
            )
            kind = (
                "decision stored (the default: decision + audit event committed before the answer)"
                if stored
                else 'decision not stored ("record": false)'
            )
            print(
                f"POST /v1/restrictions/check, {kind}, uvicorn {workers} worker(s): {result}{per}  [{load()}]"
            )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
