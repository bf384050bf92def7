"""One typed settings object, built once at start-up and passed in. Environment prefix `REMPART_`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_shared_data() -> Path:
    return (_REPO_ROOT / ".." / "shared" / "data").resolve()


class Settings(BaseSettings):
    """Rempart's configuration. Every field can be set as an environment variable `REMPART_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="REMPART_", frozen=True, extra="ignore")

    database_url: str = Field(
        "sqlite:///rempart.db",
        description="SQLAlchemy URL of the store: a SQLite file (default, in the working directory) "
        "or postgresql+psycopg://user@host:5432/db.",
    )
    data_dir: Path = Field(
        default_factory=_default_shared_data,
        description="Directory of the real lists and reference data (sanctions files, name dictionaries).",
    )
    rules_dir: Path = Field(
        _REPO_ROOT / "rules",
        description="Directory of the rule files (YAML, validated against rules/schema.json at load).",
    )
    rule_overrides: str = Field(
        "",
        description="Operator overrides of values the legal reference marks uncertain: a path to a YAML "
        'file, or inline JSON, e.g. {"by.765.cap": {"from": "2022-04-13"}}.',
    )
    screening_threshold: float = Field(
        0.70, ge=0.0, le=1.0, description="Score at or above which a name hit is a match and opens an alert."
    )
    valuation_scope: str = Field(
        "provider",
        pattern="^(provider|wallet)$",
        description="How holdings are summed for thresholds: per provider (all accounts) or per wallet.",
    )
    key_dir: Path = Field(
        Path(".rempart/keys"),
        description="Directory of the provider's Ed25519 signing key (created on first use, mode 0600); "
        "the public key is exported beside it.",
    )
    checkpoint_interval_seconds: int = Field(
        3600, ge=1, description="How often the server signs a checkpoint of the audit log."
    )
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    open_stateless_endpoints: bool = Field(
        True,
        description="Serve the stateless endpoints (POST /v1/screen, /match/{dataset}, /v1/restrictions/decide, "
        "/v1/requests/evaluate), which read no stored customer data, without a token. Set false to require "
        "a token with an engineer, analyst or legal role there too. Endpoints that read or change stored "
        "data always require one.",
    )
    workers: int = Field(0, ge=0, description="Processes for batch jobs; 0 means one per core.")
