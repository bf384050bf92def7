"""Fixtures for the list parser tests: paths of the real list files under `shared_data`."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ofac_bench(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "ofac_sdn_consistent_2021-07_watchman_bench").glob("*.csv"))


@pytest.fixture(scope="session")
def ofac_2024_2026(shared_data: Path) -> list[Path]:
    return [
        shared_data / "ofac_sdn_2024-05-03_jackdwyer" / "sdn.csv",
        shared_data / "ofac_sdn_alt_add_2026-06_mino6225" / "alt.csv",
        shared_data / "ofac_sdn_alt_add_2026-06_mino6225" / "add.csv",
    ]
