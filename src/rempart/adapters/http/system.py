"""Health and version; no customer data here, so no authentication."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from rempart import __version__
from rempart.adapters.http.deps import get_store
from rempart.adapters.storage import lists_repo
from rempart.adapters.storage.db import Store

router = APIRouter(tags=["system"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/v1/lists")
def lists(store: Store = Depends(get_store)) -> list[dict[str, Any]]:
    """The current version of each list, with counts (public: lists are public data)."""
    with store.read() as conn:
        return [v.to_dict(with_diff=False) for v in lists_repo.current_versions(conn)]
