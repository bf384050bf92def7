"""Rempart: a compliance engine for crypto-asset service providers."""

__version__ = "0.1.0"
