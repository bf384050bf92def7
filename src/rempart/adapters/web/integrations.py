"""The console's view of the area services that may or may not be built yet.

Each area (screening alerts, restrictions, the request desk, proof and reports) is written
separately; the console imports it when present and otherwise shows "not available yet". Only a
missing module counts as absent: an error inside an existing module is raised, not hidden.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def first(*modules: str) -> ModuleType | None:
    for name in modules:
        mod = optional(name)
        if mod is not None:
            return mod
    return None


def has(module: ModuleType | None, *names: str) -> bool:
    return module is not None and all(callable(getattr(module, n, None)) for n in names)
