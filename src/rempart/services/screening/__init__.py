"""Screening use cases: names and wallet addresses against every current list version; batch,
delta rescreening and the alerts they open (see `services/alerts.py`)."""

from __future__ import annotations

from rempart.services.screening.batch import BatchStats, screen_file, screen_stored, worker_count
from rempart.services.screening.delta import DeltaResult, rescreen_after_import, rescreen_delta
from rempart.services.screening.engine import (
    Screener,
    ScreeningService,
    ScreenResult,
    customer_query,
    default_matcher_factory,
    load_entries,
)
from rempart.services.screening.pairs import score_pairs

__all__ = [
    "BatchStats",
    "DeltaResult",
    "ScreenResult",
    "Screener",
    "ScreeningService",
    "customer_query",
    "default_matcher_factory",
    "load_entries",
    "rescreen_after_import",
    "rescreen_delta",
    "score_pairs",
    "screen_file",
    "screen_stored",
    "worker_count",
]
