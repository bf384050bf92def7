"""Fixtures of the request-desk domain tests: the real request rules, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from rempart.domain.requests.rules import RequestRules
from rempart.services.requests.rules_loader import load_request_rules

RULES_DIR = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="session")
def request_rules() -> RequestRules:
    return load_request_rules(RULES_DIR)
