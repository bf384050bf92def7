"""`rempart serve --workers 2`: the screener is loaded once, then two forked uvicorn workers answer
on one socket; stopping the parent stops them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers need fork()")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def test_two_workers_share_one_port(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "REMPART_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "REMPART_CACHE_DIR": str(tmp_path / "cache"),
        "REMPART_CHECKPOINT_INTERVAL_SECONDS": "3600",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "rempart", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            for _ in range(6):
                r = c.post("/v1/screen", json={"name": "Dravik Solenko", "record": False})
                assert r.status_code == 200
                body = r.json()
                assert body["hits"] == [] and body["algorithm"]
        workers = _children(proc.pid)
        if Path(f"/proc/{proc.pid}").exists():
            assert len(workers) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert all(not Path(f"/proc/{w}").exists() or _zombie(w) for w in workers)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
