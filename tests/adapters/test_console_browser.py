"""End to end, once: `rempart serve` on 127.0.0.1 (random port) and headless Chromium on the dashboard.

Skips cleanly when Chromium is absent. The browser is driven over the DevTools protocol with a tiny
stdlib WebSocket client (no extra dependency): the session cookie from a real login is handed to
the browser, the dashboard is loaded, checked and photographed. Set REMPART_CONSOLE_SCREENSHOT=PATH
to keep the PNG (docs/console.png is made this way).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import save_decision
from rempart.services import provider
from rempart.services import users as svc

CHROMIUM = next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
PASSWORD = "a long enough password"


class WebSocket:
    """Just enough RFC 6455 for the DevTools protocol: text frames, client masking, fragmentation."""

    def __init__(self, url: str) -> None:
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        self.f = self.sock.makefile("rb")
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        status = self.f.readline()
        assert b" 101 " in status, status
        while self.f.readline() not in (b"\r\n", b""):
            pass
        self.next_id = 0

    def send(self, text: str) -> None:
        data = text.encode()
        n = len(data)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self) -> str:
        parts: list[bytes] = []
        while True:
            b0, b1 = self.f.read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.f.read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self.f.read(8))[0]
            payload = self.f.read(n)
            if b0 & 0x0F in (0x1, 0x0):
                parts.append(payload)
                if b0 & 0x80:
                    return b"".join(parts).decode()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.recv())
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                result: dict[str, Any] = msg["result"]
                return result

    def wait_event(self, method: str, timeout: float = 30) -> None:
        end = time.time() + timeout
        while time.time() < end:
            if json.loads(self.recv()).get("method") == method:
                return
        raise TimeoutError(method)

    def close(self) -> None:
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fill(db: str, tmp: Path) -> None:
    store = Store.open(db)
    (tmp / "c.csv").write_text(
        "customer_id,type,name,nationalities,residence_country,residence_permits,email,created_at\n"
        "C-100,person,Ivana Examplova,RU,DE,DE:temporary:2027-01-01,ivana@example.com,2021-05-01\n"
        "C-200,person,Piotr Fikcyjny,RU,RU,,piotr@example.com,2020-02-02\n"
        "C-300,company,Acme Example OOO,,,,ops@example.com,2019-03-03\n",
        encoding="utf-8",
    )
    (tmp / "b.csv").write_text("customer_id,account_id,asset,amount\nC-100,A1,BTC,0.5\nC-200,A2,ETH,9\n")
    (tmp / "p.csv").write_text(
        "asset,price_eur,as_of,source\nBTC,25000.00,2022-06-01,example-feed\n"
        "ETH,1500.00,2022-06-01,example-feed\n"
    )
    provider.import_customers(store, tmp / "c.csv")
    provider.import_balances(store, tmp / "b.csv")
    provider.import_prices(store, tmp / "p.csv")
    with store.begin() as conn:
        for cid, outcome, eur, rule in (
            ("C-100", "freeze", "12500.00", "eu.269.freeze"),
            ("C-200", "offboard", "13500.00", "eu.833.5b2"),
            ("C-300", "allow", "0.00", None),
        ):
            save_decision(
                conn,
                kind="restriction",
                subject=f"customer:{cid}",
                inputs={"as_of": "2022-06-01", "action": "hold"},
                outputs={
                    "outcome": outcome,
                    "holdings_eur": eur,
                    "rules": [{"id": rule, "applied": True}] if rule else [],
                },
            )
    svc.create_user(store, "mlro", ["mlro", "analyst"], password=PASSWORD, display_name="Mira Example")
    store.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    db = f"sqlite:///{tmp_path / 'rempart.db'}"
    _fill(db, tmp_path)
    port = _free_port()
    env = {**os.environ, "REMPART_KEY_DIR": str(tmp_path / "keys"), "REMPART_DATABASE_URL": db}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from rempart.adapters.cli.main import app; app()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            db,
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode() if proc.stdout else "server exited")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def test_dashboard_in_a_real_browser(server: str, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    with httpx.Client(base_url=server, follow_redirects=False) as http:
        page = http.get("/console/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        r = http.post(
            "/console/login",
            data={"username": "mlro", "password": PASSWORD, "csrf_token": csrf.group(1), "next": "/console/"},
        )
        assert r.status_code == 303
        session = r.cookies["rempart_session"]
    profile = tmp_path / "chromium"
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        [target] = [t for t in targets if t["type"] == "page"][:1]
        ws = WebSocket(target["webSocketDebuggerUrl"])
        try:
            ws.call("Network.enable")
            ws.call(
                "Network.setCookie", name="rempart_session", value=session, url=server + "/", httpOnly=True
            )
            ws.call(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=860,
                deviceScaleFactor=1,
                mobile=False,
            )
            ws.call("Page.enable")
            ws.call("Page.navigate", url=server + "/console/")
            ws.wait_event("Page.loadEventFired")
            text = ws.call("Runtime.evaluate", expression="document.body.innerText")["result"]["value"]
            assert "Dashboard" in text and "intact" in text and "Mira Example" in text
            assert "freeze" in text.lower() and "C-100" in text
            shot = base64.b64decode(ws.call("Page.captureScreenshot", format="png")["data"])
        finally:
            ws.close()
    finally:
        browser.terminate()
        browser.wait(10)
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    (tmp_path / "console.png").write_bytes(shot)
    keep = os.environ.get("REMPART_CONSOLE_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(shot)
