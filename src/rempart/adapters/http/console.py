"""The web console under /console: server-rendered pages for analysts, the MLRO, the legal team,
engineers and auditors. Pages call services only.

Security: a server-side session (cookie `rempart_session`: HttpOnly, SameSite=Lax, Secure over
HTTPS), a CSRF token per session checked on every POST form (and a double-submit token on the
login form), a role check on every page that shows customer data, and `Cache-Control: no-store`,
a strict Content-Security-Policy and no framing on every console response.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from rempart.adapters.http.deps import get_settings, get_store
from rempart.adapters.http.errors import status_for
from rempart.adapters.storage.db import Store
from rempart.adapters.web import areas
from rempart.adapters.web.render import STATIC, render
from rempart.errors import Forbidden, RempartError, Unauthenticated
from rempart.services import audit as audit_service
from rempart.services import console_queries as queries
from rempart.services import users as users_service
from rempart.services.users import SESSION_COOKIE, Session
from rempart.settings import Settings

LOGIN_CSRF_COOKIE = "rempart_login_csrf"
CUSTOMER_ROLES = ("analyst", "mlro")
REQUEST_ROLES = ("legal_intake", "approver", "mlro")
ANY_ROLE = ()  # any logged-in user
LIVE_VERIFY_MAX_EVENTS = 20_000

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


class LoginRequired(Unauthenticated):
    """No valid console session: the console answers with a redirect to the login page."""


class ConsoleRoute(APIRoute):
    """Render errors as console pages (status from the one error table) and add security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)
            except RempartError as exc:
                session = getattr(request.state, "console_session", None)
                response = _html("error.html", session, "", status=status_for(exc), error=exc)
            response.headers.update(SECURITY_HEADERS)
            return response

        return route


router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def setup(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(directory=str(STATIC)), name="console-static")


# --- sessions, roles, CSRF -------------------------------------------------------------------------


def console_session(request: Request, store: Store = Depends(get_store)) -> Session:
    sid = request.cookies.get(SESSION_COOKIE, "")
    session = users_service.resolve_session(store, sid) if sid else None
    if session is None:
        raise LoginRequired("please log in")
    request.state.console_session = session
    return session


def page(*roles: str) -> Callable[..., Session]:
    """A page for any of `roles` (admin holds all; no roles: any logged-in user)."""
    wanted = frozenset(roles)

    def dependency(session: Session = Depends(console_session)) -> Session:
        if wanted and "admin" not in session.roles and not (session.roles & wanted):
            raise Forbidden(
                f"this page needs one of the roles: {', '.join(sorted(wanted))}", user=session.username
            )
        return session

    return dependency


def csrf_checked(*roles: str) -> Callable[..., Session]:
    """A POST for any of `roles` whose form carries the session's CSRF token."""
    role_check = page(*roles)

    def dependency(session: Session = Depends(role_check), csrf_token: str = Form("")) -> Session:
        if not csrf_token or not hmac.compare_digest(csrf_token, session.csrf_token):
            raise Forbidden("the form's CSRF token is missing or wrong; reload the page and try again")
        return session

    return dependency


def can(session: Session, *roles: str) -> bool:
    return "admin" in session.roles or bool(session.roles & frozenset(roles))


def _html(
    template: str, session: Session | None, page_name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    return HTMLResponse(
        render(
            template,
            me=session,
            page=page_name,
            csrf=session.csrf_token if session else "",
            can_customers=bool(session and can(session, *CUSTOMER_ROLES)),
            can_requests=bool(session and can(session, *REQUEST_ROLES)),
            is_admin=bool(session and "admin" in session.roles),
            status=status,
            **context,
        ),
        status_code=status,
    )


def _safe_next(target: str) -> str:
    """Only redirect within the console (no open redirect)."""
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


# --- login and logout -----------------------------------------------------------------------------


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console")
def console_root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/login")
def login_form(request: Request, next: str = "/console/") -> HTMLResponse:
    return _login_page(request, next)


def _login_page(
    request: Request, next: str, *, error: str | None = None, username: str = "", status: int = 200
) -> HTMLResponse:
    """The login form with a fresh CSRF token, set as a cookie scoped to the login path."""
    token = secrets.token_urlsafe(24)
    response = _html(
        "login.html",
        None,
        "login",
        status=status,
        login_csrf=token,
        next=_safe_next(next),
        error=error,
        username=username,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/console/login",
        max_age=3600,
    )
    return response


@router.post("/console/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/console/"),
    store: Store = Depends(get_store),
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        raise Forbidden("the login form's CSRF token is missing or wrong; reload the login page")
    try:
        user = users_service.login(store, username.strip(), password, via="console")
    except Unauthenticated as exc:
        return _login_page(request, next, error=str(exc), username=username, status=401)
    sid, _session = users_service.start_session(store, user)
    response: Response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sid,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
        max_age=users_service.SESSION_HOURS * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@router.post("/console/logout")
def logout(
    request: Request, _session: Session = Depends(csrf_checked()), store: Store = Depends(get_store)
) -> RedirectResponse:
    users_service.end_session(store, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- dashboard ------------------------------------------------------------------------------------


@router.get("/console/")
def dashboard(
    request: Request, session: Session = Depends(page()), store: Store = Depends(get_store)
) -> HTMLResponse:
    board = queries.dashboard(store)
    chain = _chain_status(request, store, board.audit_events)
    customers_view = can(session, *CUSTOMER_ROLES)
    return _html(
        "dashboard.html",
        session,
        "dashboard",
        board=board,
        chain=chain,
        recent=queries.recent_decisions(store, limit=12) if customers_view else [],
        alerts=areas.alert_summary(store) if customers_view else None,
        cases=areas.case_summary(store) if customers_view else None,
        requests=areas.request_summary(store) if can(session, *REQUEST_ROLES) else None,
    )


def _chain_status(request: Request, store: Store, events: int) -> dict[str, Any]:
    """Verify live when the log is small; otherwise show the last verification this server ran."""
    if events <= LIVE_VERIFY_MAX_EVENTS:
        with store.read() as conn:
            count, breaks = audit_service.verify(conn)
        result = {
            "ok": not breaks,
            "events": count,
            "breaks": [str(b) for b in breaks[:5]],
            "when": audit_service.now_iso(),
            "live": True,
        }
        request.app.state.console_last_verify = result
        return result
    last: dict[str, Any] | None = getattr(request.app.state, "console_last_verify", None)
    return last or {"ok": None, "events": events, "breaks": [], "when": None, "live": False}


# --- alerts ---------------------------------------------------------------------------------------


@router.get("/console/alerts")
def alerts_page(
    status: str = "open", session: Session = Depends(page(*CUSTOMER_ROLES)), store: Store = Depends(get_store)
) -> HTMLResponse:
    listing = areas.list_alerts(store, status=status)
    return _html("alerts.html", session, "alerts", listing=listing, shown=status)


@router.post("/console/alerts/{alert_id}/{action}")
def alert_action(
    alert_id: str,
    action: str,
    reason: str = Form(""),
    session: Session = Depends(csrf_checked(*CUSTOMER_ROLES)),
    store: Store = Depends(get_store),
) -> RedirectResponse:
    areas.decide_alert(store, alert_id, action, reason=reason, actor=session.username)
    return RedirectResponse("/console/alerts", status_code=303)


# --- customers and restriction cases ------------------------------------------------------------


@router.get("/console/customers")
def customers_page(
    q: str = "", session: Session = Depends(page(*CUSTOMER_ROLES)), store: Store = Depends(get_store)
) -> HTMLResponse:
    return _html("customers.html", session, "customers", q=q, rows=queries.search_customers(store, q))


@router.get("/console/customers/{customer_id}")
def customer_page(
    customer_id: str,
    session: Session = Depends(page(*CUSTOMER_ROLES)),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    view = queries.customer_view(store, customer_id, actor=session.username)
    return _html(
        "customer.html",
        session,
        "customers",
        view=view,
        plan=areas.offboarding_plan(view.decisions),
        customer_alerts=areas.alerts_for_customer(store, customer_id),
    )


@router.get("/console/decisions/{decision_id}")
def decision_page(
    decision_id: str,
    session: Session = Depends(page(*CUSTOMER_ROLES, *REQUEST_ROLES)),
    store: Store = Depends(get_store),
) -> HTMLResponse:
    return _html("decision.html", session, "customers", d=queries.decision(store, decision_id))


@router.get("/console/cases")
def cases_page(
    session: Session = Depends(page(*CUSTOMER_ROLES)), store: Store = Depends(get_store)
) -> HTMLResponse:
    return _html("cases.html", session, "cases", cases=areas.restriction_cases(store))


# --- request desk ---------------------------------------------------------------------------------


@router.get("/console/requests")
def requests_page(
    session: Session = Depends(page(*REQUEST_ROLES)), store: Store = Depends(get_store)
) -> HTMLResponse:
    return _html("requests.html", session, "requests", listing=areas.list_requests(store))


@router.get("/console/requests/{request_id}")
def request_page(
    request_id: str, session: Session = Depends(page(*REQUEST_ROLES)), store: Store = Depends(get_store)
) -> HTMLResponse:
    detail = areas.request_detail(store, request_id, actor=session.username)
    return _html("request.html", session, "requests", detail=detail, can_approve=can(session, "approver"))


@router.post("/console/requests/{request_id}/{action}")
def request_action(
    request_id: str,
    action: str,
    reason: str = Form(""),
    session: Session = Depends(csrf_checked(*REQUEST_ROLES)),
    store: Store = Depends(get_store),
) -> RedirectResponse:
    areas.advance_request(
        store, request_id, action, reason=reason, actor=session.username, roles=session.roles
    )
    return RedirectResponse(f"/console/requests/{quote(request_id, safe='')}", status_code=303)


# --- audit and reports ------------------------------------------------------------------------------


@router.get("/console/audit")
def audit_page(
    request: Request, run: int = 0, session: Session = Depends(page()), store: Store = Depends(get_store)
) -> HTMLResponse:
    result = None
    if run:
        result = areas.verify_log(store, actor=session.username)
        request.app.state.console_last_verify = {
            "ok": result["ok"],
            "events": result["events"],
            "breaks": result["breaks"][:5],
            "when": result["when"],
            "live": False,
        }
    board = queries.dashboard(store)
    return _html(
        "audit.html", session, "audit", result=result, board=board, checkpoints=areas.checkpoints(store)
    )


@router.get("/console/reports")
def reports_page(
    session: Session = Depends(page()),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    return _html("reports.html", session, "reports", reports=areas.reports(store, settings))


# --- users (admin) ------------------------------------------------------------------------------------


@router.get("/console/users")
def users_page(session: Session = Depends(page("admin")), store: Store = Depends(get_store)) -> HTMLResponse:
    return _html(
        "users.html",
        session,
        "users",
        users=users_service.list_users(store),
        roles=users_service.ROLE_TITLES,
        new_token=None,
    )


@router.post("/console/users")
def add_user(
    username: str = Form(...),
    display_name: str = Form(""),
    roles: list[str] = Form(default_factory=list),
    password: str = Form(""),
    session: Session = Depends(csrf_checked("admin")),
    store: Store = Depends(get_store),
) -> RedirectResponse:
    users_service.create_user(
        store,
        username.strip(),
        roles,
        password=password or None,
        display_name=display_name.strip() or None,
        actor=session.username,
    )
    return RedirectResponse("/console/users", status_code=303)


@router.post("/console/users/{username}/token")
def add_token(
    username: str,
    label: str = Form(""),
    session: Session = Depends(csrf_checked("admin")),
    store: Store = Depends(get_store),
) -> HTMLResponse:
    token, _info = users_service.issue_token(
        store, username, label=label or "console", actor=session.username
    )
    return _html(
        "users.html",
        session,
        "users",
        users=users_service.list_users(store),
        roles=users_service.ROLE_TITLES,
        new_token={"username": username, "token": token},
    )
