"""`rempart users add|token|list|passwd|revoke`: console users, roles, API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store
from rempart.errors import InputError
from rempart.services import users as users_service

app = typer.Typer(help="Users, roles and API tokens (roles: " + ", ".join(users_service.ROLES) + ").")

RoleOption = Annotated[
    list[str], typer.Option("--role", "-r", help="A role (repeatable): " + " | ".join(users_service.ROLES))
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _read_password(from_stdin: bool, *, required: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError(
                "no password on stdin", field="password", expected="one line holding the password"
            )
        return line
    if sys.stdin.isatty():
        value: str = typer.prompt(
            "Password (empty: API tokens only)" if not required else "Password",
            hide_input=True,
            confirmation_prompt=True,
            default="" if not required else None,
            show_default=False,
        )
        return value or None
    if required:
        raise InputError("no password given", field="password", expected="--password-stdin or a terminal")
    return None


@app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="User name (lower case, digits, . _ - @).")],
    role: RoleOption,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="Full name shown in the console.")
    ] = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user. Without a password (no --password-stdin, no terminal) the user can only use API tokens."""
    password = _read_password(password_stdin, required=False)
    user = users_service.create_user(
        open_store(db), name, role, password=password, display_name=display_name, actor="cli"
    )
    if as_json:
        emit_json(user.to_dict())
    else:
        login = "console login with password" if user.has_password else "API tokens only"
        typer.echo(f"added {user.username} ({', '.join(sorted(user.roles))}; {login})")


@app.command("token")
@handle_errors
def token(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "cli",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API token and print it (shown once: only its SHA-256 is stored)."""
    value, info = users_service.issue_token(open_store(db), name, label=label, actor="cli")
    if as_json:
        emit_json(
            {
                "token": value,
                "token_id": info.id,
                "username": info.username,
                "label": info.label,
                "created_at": info.created_at,
            }
        )
    else:
        typer.echo(value)
        typer.echo(
            f"(token {info.id} for {info.username}; send as 'Authorization: Bearer <token>'; "
            "it is not shown again)",
            err=True,
        )


@app.command("list")
@handle_errors
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List users with their roles and active tokens."""
    store = open_store(db)
    found = users_service.list_users(store)
    tokens = users_service.list_tokens(store)
    live: dict[str, int] = {}
    for t in tokens:
        if t.revoked_at is None:
            live[t.username] = live.get(t.username, 0) + 1
    if as_json:
        emit_json([{**u.to_dict(), "active_tokens": live.get(u.username, 0)} for u in found])
        return
    if not found:
        typer.echo("no users yet: rempart users add NAME --role admin")
    for u in found:
        typer.echo(
            f"{u.username:<20} {','.join(sorted(u.roles)):<30} "
            f"{'password' if u.has_password else 'tokens-only':<12} tokens={live.get(u.username, 0)}"
            f"{'' if u.active else '  (deactivated)'}"
        )


@app.command("passwd")
@handle_errors
def passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a user's password (and lift a lockout)."""
    password = _read_password(password_stdin, required=True)
    assert password is not None
    users_service.set_password(open_store(db), name, password, actor="cli")
    if as_json:
        emit_json({"username": name, "password_set": True})
    else:
        typer.echo(f"password set for {name}")


@app.command("revoke")
@handle_errors
def revoke(
    token_id: Annotated[
        str, typer.Argument(help="The token's id (tok_...), from `users list --json` or the console.")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke an API token."""
    users_service.revoke_token(open_store(db), token_id, actor="cli")
    if as_json:
        emit_json({"token_id": token_id, "revoked": True})
    else:
        typer.echo(f"revoked {token_id}")
