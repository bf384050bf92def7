"""Every table module imported once, so that `metadata` knows every table (for migrations and tests)."""

from __future__ import annotations

import importlib
import pkgutil

from rempart.adapters.storage.tables import metadata


def _load_area_tables() -> None:
    import rempart.adapters.storage as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("tables_"):
            importlib.import_module(f"rempart.adapters.storage.{info.name}")


_load_area_tables()

__all__ = ["metadata"]
