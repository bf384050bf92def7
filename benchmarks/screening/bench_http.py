"""`POST /v1/screen` requests per second: uvicorn on 127.0.0.1 and a bounded in-repo load loop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import httpx

from benchmarks.screening.bench_single import queries
from benchmarks.screening.common import WORK, bench_db_url, rempart_env, service

SERVER = """
import sys
from pathlib import Path
from rempart.adapters.http.app import create_app
from rempart.adapters.http.deps import Principal
from rempart.adapters.storage.db import Store
from rempart.services.screening import ScreeningService
from rempart.settings import Settings
url, port, cache, workers = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
settings = Settings(database_url=url)
store = Store.open(url)
app = create_app(settings, store)
app.state.screening = ScreeningService(store, threshold=settings.screening_threshold, cache_dir=Path(cache))
app.state.authenticate = lambda request: Principal("bench", frozenset({"engineer"}))  # bench only
app.state.screening.warm_up()
if workers == 1:
    import uvicorn
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
else:
    from rempart.adapters.cli.serve_app import serve_app
    serve_app(app, "127.0.0.1", port, workers=workers)  # as `rempart serve --workers N`
"""


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server process and its forked workers, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(port: int, bodies: list[dict[str, object]], seconds: float, concurrency: int) -> tuple[int, int]:
    done = [0, 0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(k: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            i = k
            while time.perf_counter() < stop:
                r = c.post("/v1/screen", json=bodies[i % len(bodies)])
                with lock:
                    done[0 if r.status_code == 200 else 1] += 1
                i += concurrency

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], done[1]


def main(seconds: float = 15.0, concurrency: int = 8, workers: int = 0) -> dict[str, float]:
    """`workers` server processes (0: one per core), forked after the screener is loaded."""
    service().warm_up()  # fills the screener cache the server loads
    port = _free_port()
    script = WORK / "http_server.py"
    script.write_text(SERVER)
    proc = subprocess.Popen(
        [sys.executable, str(script), bench_db_url(), str(port), str(WORK / "screener-cache"), str(workers)],
        env=rempart_env(),
    )
    try:
        for _ in range(600):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        out: dict[str, float] = {}
        for record in (False, True):
            # ~20,000 distinct names: more than the run sends, so no answer comes from the result cache
            names = [q.name for q in queries(40000)]
            bodies: list[dict[str, object]] = [{"name": n, "record": record} for n in names]
            load(port, bodies[-50:], 2, concurrency)  # warm (names the run below does not reach)
            cpu0 = server_cpu_seconds(proc.pid)
            ok, bad = load(port, bodies, seconds, concurrency)
            cpu = server_cpu_seconds(proc.pid) - cpu0
            rps = ok / seconds
            out[f"rps_record_{record}"] = rps
            out[f"server_cpu_ms_per_request_record_{record}"] = cpu * 1000 / max(1, ok)
            print(
                f"HTTP POST /v1/screen (record={record}): {rps:.0f} requests/s over {seconds:.0f} s "
                f"(server CPU {cpu * 1000 / max(1, ok):.2f} ms per request, i.e. "
                f"{max(1, ok) / max(cpu, 1e-9):.0f} requests per server CPU-second; load {os.getloadavg()[0]:.1f}), "
                f"{concurrency} client threads, {bad} non-200, {min(ok + bad, len(bodies))} distinct names "
                f"({max(0, ok + bad - len(bodies))} sent again) (target >= 500; {workers or os.cpu_count()} "
                f"server processes; the client runs on the same cores)"
            )
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main(
        float(os.environ.get("REMPART_BENCH_HTTP_SECONDS", "15")),
        workers=int(os.environ.get("REMPART_BENCH_HTTP_WORKERS", "0")),
    )
