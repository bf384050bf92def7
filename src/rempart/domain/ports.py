"""Protocols the services depend on; adapters implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class Signer(Protocol):
    def sign(self, message: bytes) -> bytes: ...

    def public_key_bytes(self) -> bytes: ...
