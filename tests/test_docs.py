"""The README's configuration table is generated from the settings object and must not drift."""

from __future__ import annotations

from pathlib import Path

from rempart.adapters.cli.docs import block
from rempart.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_configuration_matches_settings() -> None:
    assert block() in README.read_text(encoding="utf-8"), "run `make docs` to regenerate the README's table"


def test_every_setting_is_described() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []


def test_readme_opens_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8")[:600]
    assert "make demo" in head and "make test" in head
