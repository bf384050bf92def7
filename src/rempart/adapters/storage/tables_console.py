"""Tables of the console: users with roles, API tokens, console sessions.

Secrets are never stored: passwords as scrypt hashes, API tokens and session ids as SHA-256.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from rempart.adapters.storage.tables import metadata

users = Table(
    "users",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("display_name", String(200), nullable=False),
    # `scrypt$n$r$p$salt$hash` (base64), or "" for a user who may only use API tokens.
    Column("password_hash", Text, nullable=False),
    Column("roles", Text, nullable=False),  # canonical JSON array, sorted
    Column("active", Integer, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", String(40)),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(80), nullable=False, index=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("username", String(80), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Index("ix_console_sessions_username", "username"),
)
