"""The web console: login, sessions, CSRF, roles, and every page with a few fictional rows."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rempart.adapters.http.app import create_app
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import save_decision
from rempart.adapters.storage.tables import audit_events
from rempart.services import provider
from rempart.services import users as svc
from rempart.settings import Settings

PASSWORD = "a long enough password"
CUSTOMERS = """customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,establishment_country,registration_number,email,wallets,created_at
C-100,person,Ivana Examplova,Иванa Экзамплова,1980-02-03,RU,DE,DE:temporary:2027-01-01,,,ivana@example.com,ETH:0x52908400098527886E0F7030069857D2E4169EE7,2021-05-01
C-200,person,Jean Fictif,,1975,FR,FR,,,,jean@example.com,,2020-01-01
C-300,company,Acme Example OOO,,,,,,RU,1234567890123,ops@example.com,,2019-03-03
"""
BALANCES = "customer_id,account_id,asset,amount\nC-100,A1,BTC,0.5\nC-100,A2,ETH,3\nC-100,A2,XYZ,7\nC-200,A3,BTC,0.01\n"
PRICES = "asset,price_eur,as_of,source\nBTC,25000.00,2022-06-01,example-feed\nETH,1500.00,2022-06-01,example-feed\n"
FREEZE_RULES = [
    {
        "id": "eu.269.freeze",
        "version_from": "2014-03-17",
        "citation": "Regulation (EU) No 269/2014, Art. 2(1)",
        "applied": True,
        "reason": "confirmed match on a listed person",
    },
    {
        "id": "eu.833.5b2",
        "version_from": "2022-04-09",
        "citation": "Regulation (EU) No 833/2014, Art. 5b(2)",
        "applied": False,
        "reason": "residence permit in DE valid on the date (Art. 5b(3))",
    },
]


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svc, "_SCRYPT_N", 2**10)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fictional exchange, built once per module; each test gets its own copy of the file."""
    mp = pytest.MonkeyPatch()
    mp.setattr(svc, "_SCRYPT_N", 2**10)
    tmp = tmp_path_factory.mktemp("console")
    path = tmp / "template.db"
    s = Store.open(f"sqlite:///{path}")
    try:
        _fill(s, tmp)
    finally:
        s.dispose()
        mp.undo()
    return path


@pytest.fixture
def store(template_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "rempart.db"
    shutil.copyfile(template_db, path)
    s = Store.open(f"sqlite:///{path}")
    yield s
    s.dispose()


def _fill(s: Store, tmp_path: Path) -> None:
    for name, text in (("customers.csv", CUSTOMERS), ("balances.csv", BALANCES), ("prices.csv", PRICES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    provider.import_customers(s, tmp_path / "customers.csv")
    provider.import_balances(s, tmp_path / "balances.csv", as_of="2022-06-01T00:00:00Z")
    provider.import_prices(s, tmp_path / "prices.csv")
    with s.begin() as conn:
        save_decision(
            conn,
            kind="restriction",
            subject="customer:C-100",
            inputs={"as_of": "2022-06-01", "action": "hold", "facts_hash": "f" * 64},
            outputs={"outcome": "freeze", "holdings_eur": "17000.00", "rules": FREEZE_RULES},
            refs={"rules": {"eu.269.freeze": "2014-03-17"}, "lists": {"eu": "eu-2022-06-01-abc"}},
        )
        save_decision(
            conn,
            kind="restriction",
            subject="customer:C-200",
            inputs={"as_of": "2022-06-01", "action": "hold"},
            outputs={"outcome": "allow", "holdings_eur": "250.00", "rules": []},
        )
    _open_alert(s)
    svc.create_user(s, "ana", ["analyst"], password=PASSWORD, display_name="Ana Example")
    svc.create_user(s, "otto", ["auditor"], password=PASSWORD, display_name="Otto Auditor")
    svc.create_user(s, "lea", ["legal_intake", "approver"], password=PASSWORD)
    svc.create_user(s, "root", ["admin"], password=PASSWORD)


def _open_alert(s: Store) -> None:
    alerts = pytest.importorskip("rempart.services.alerts")
    from rempart.domain.screening.model import Hit

    hit = Hit(
        "eu:EU.1.1",
        "EU.1.1",
        "eu",
        "eu-2022-06-01-abc",
        "Person",
        "Ivana EXAMPLOVA",
        0.93,
        True,
        {"name": {"score": 0.93, "query": "Ivana Examplova", "candidate": "Ivana EXAMPLOVA"}},
        "test-1",
    )
    with s.begin() as conn:
        alerts.open_alerts(
            conn, "C-100", "h" * 64, [hit], {"eu:EU.1.1": alerts.EntityFacts("e" * 64, ("UKR",))}
        )


@pytest.fixture
def app_client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'rempart.db'}"), store)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, user: str, password: str = PASSWORD, *, follow: str = "/console/") -> str:
    page = client.get("/console/login", params={"next": follow})
    assert page.status_code == 200
    r = client.post(
        "/console/login",
        data={"username": user, "password": password, "csrf_token": _csrf(page.text), "next": follow},
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == follow
    cookie = r.headers["set-cookie"]
    assert (
        "rempart_session=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=lax" in cookie.replace("Lax", "lax")
    )
    dash = client.get("/console/")
    assert dash.status_code == 200
    return _csrf(dash.text)


def test_root_redirects_to_console_and_console_to_login(app_client: TestClient) -> None:
    r = app_client.get("/")
    assert r.status_code == 307 and r.headers["location"] == "/console/"
    r = app_client.get("/console/customers/C-100")
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=")


def test_login_wrong_password_and_logout(app_client: TestClient, store: Store) -> None:
    page = app_client.get("/console/login")
    r = app_client.post(
        "/console/login", data={"username": "ana", "password": "wrong one", "csrf_token": _csrf(page.text)}
    )
    assert r.status_code == 401 and "invalid user name or password" in r.text
    assert "rempart_session" not in app_client.cookies
    csrf = login(app_client, "ana")
    r = app_client.post("/console/logout", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert app_client.get("/console/").status_code == 303  # back to the login page
    with store.read() as conn:
        types = [t for (t,) in conn.execute(select(audit_events.c.type))]
    assert "auth.login_failed" in types and "auth.login" in types and "auth.logout" in types


def test_login_refused_without_its_csrf_token(app_client: TestClient) -> None:
    app_client.get("/console/login")
    r = app_client.post(
        "/console/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 403 and "CSRF" in r.text


def test_open_redirect_is_refused(app_client: TestClient) -> None:
    page = app_client.get("/console/login")
    r = app_client.post(
        "/console/login",
        data={
            "username": "ana",
            "password": PASSWORD,
            "csrf_token": _csrf(page.text),
            "next": "//evil.example.com/",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/"


def test_post_without_csrf_is_refused_and_changes_nothing(app_client: TestClient, store: Store) -> None:
    login(app_client, "ana")
    alert_id = _alert_id(app_client)
    r = app_client.post(f"/console/alerts/{alert_id}/dismiss", data={"reason": "not her"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = app_client.post(
        f"/console/alerts/{alert_id}/dismiss", data={"reason": "not her", "csrf_token": "x" * 43}
    )
    assert r.status_code == 403
    assert (
        "open" in app_client.get("/console/alerts").text
        and alert_id in app_client.get("/console/alerts").text
    )


def _alert_id(client: TestClient) -> str:
    m = re.search(r'/console/alerts/([^/"]+)/confirm', client.get("/console/alerts").text)
    assert m, "no open alert with buttons"
    return m.group(1)


def test_analyst_pages_render(app_client: TestClient, store: Store) -> None:
    login(app_client, "ana")
    dash = app_client.get("/console/").text
    assert "intact" in dash and "Dashboard" in dash and "C-100" in dash
    assert "open screening alerts" in dash and "restriction cases" in dash
    r = app_client.get("/console/customers/C-100")
    assert r.status_code == 200
    page = r.text
    for expected in (
        "Ivana Examplova",
        "ivana@example.com",
        "DE temporary until 2027-01-01",
        "EUR 17,000.00",  # 0.5 BTC x 25,000 + 3 ETH x 1,500
        "No price for XYZ",
        "example-feed",
        "Regulation (EU) No 269/2014, Art. 2(1)",
        "eu.269.freeze",
        "freeze",
        "Ivana EXAMPLOVA",
    ):
        assert expected in page, expected
    assert r.headers["cache-control"] == "no-store" and r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    with store.read() as conn:
        viewed = conn.execute(select(audit_events).where(audit_events.c.type == "data.viewed")).all()
    assert [(v.actor, v.subject) for v in viewed] == [("ana", "customer:C-100")]
    cases = app_client.get("/console/cases").text
    assert "C-100" in cases and "freeze" in cases and "C-200" not in cases
    customers = app_client.get("/console/customers", params={"q": "acme"}).text
    assert "C-300" in customers and "C-100" not in customers
    assert all(c in app_client.get("/console/customers").text for c in ("C-100", "C-200", "C-300"))
    alerts = app_client.get("/console/alerts").text
    assert "Ivana EXAMPLOVA" in alerts and "0.93" in alerts
    decision_id = re.search(r'/console/decisions/([^"]+)"', cases)
    assert decision_id
    assert "Art. 5b(3)" in app_client.get(f"/console/decisions/{decision_id.group(1)}").text
    assert app_client.get("/console/customers/C-999").status_code == 404


def test_alert_dismiss_with_reason_goes_through_the_alert_service(app_client: TestClient) -> None:
    csrf = login(app_client, "ana")
    alert_id = _alert_id(app_client)
    r = app_client.post(f"/console/alerts/{alert_id}/dismiss", data={"reason": "", "csrf_token": csrf})
    assert r.status_code == 422 and "reason" in r.text
    r = app_client.post(
        f"/console/alerts/{alert_id}/dismiss", data={"reason": "different birth date", "csrf_token": csrf}
    )
    assert r.status_code == 303
    page = app_client.get("/console/alerts", params={"status": "dismissed"}).text
    assert "different birth date" in page and "ana" in page
    r = app_client.post(f"/console/alerts/{alert_id}/dismiss", data={"reason": "again", "csrf_token": csrf})
    assert r.status_code == 409


def test_auditor_sees_audit_and_reports_but_no_customer_data(app_client: TestClient) -> None:
    login(app_client, "otto")
    dash = app_client.get("/console/").text
    assert "Ivana" not in dash and "C-100" not in dash and "/console/customers" not in dash
    for path in (
        "/console/customers/C-100",
        "/console/customers",
        "/console/alerts",
        "/console/cases",
        "/console/requests",
        "/console/users",
    ):
        r = app_client.get(path)
        assert r.status_code == 403, path
        assert "Ivana" not in r.text
    r = app_client.get("/console/audit", params={"run": 1})
    assert r.status_code == 200 and "Intact" in r.text
    assert app_client.get("/console/reports").status_code == 200


def test_request_desk_and_admin_pages(app_client: TestClient) -> None:
    login(app_client, "lea")
    assert app_client.get("/console/requests").status_code == 200
    assert app_client.get("/console/customers/C-100").status_code == 403
    app_client.cookies.clear()
    csrf = login(app_client, "root")
    page = app_client.get("/console/users")
    assert page.status_code == 200 and "Ana Example" in page.text
    r = app_client.post(
        "/console/users",
        data={"username": "new.analyst", "roles": ["analyst"], "password": "", "csrf_token": csrf},
    )
    assert r.status_code == 303
    r = app_client.post("/console/users/new.analyst/token", data={"label": "x", "csrf_token": csrf})
    assert r.status_code == 200
    token = re.search(r'<code class="token">(rpt_[^<]+)</code>', r.text)
    assert token
    assert (
        app_client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token.group(1)}"}).json()[
            "username"
        ]
        == "new.analyst"
    )
