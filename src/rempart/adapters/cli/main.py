"""The `rempart` command: one Typer sub-app per command group, registered here."""

from __future__ import annotations

import importlib

import typer

from rempart import __version__

app = typer.Typer(
    name="rempart",
    help="Rempart: sanctions screening, dated restriction rules, a data-request desk, and verifiable proof.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (module in adapters/cli, command group name). A module may also expose `register(app)` for
# top-level commands (demo, serve, verify, evidence).
GROUPS = (
    ("lists", "lists"),
    ("provider", None),
    ("screen", "screen"),
    ("alerts", "alerts"),
    ("restrictions", "restrictions"),
    ("requests", "requests"),
    ("audit", "audit"),
    ("proof", None),
    ("report", "report"),
    ("users", "users"),
    ("serve", None),
    ("demo", None),
)


def _register() -> None:
    for module_name, group in GROUPS:
        try:
            module = importlib.import_module(f"rempart.adapters.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rempart.adapters.cli.{module_name}":
                continue  # a group not built yet
            raise
        if group is not None and hasattr(module, "app"):
            app.add_typer(module.app, name=group)
        if hasattr(module, "register"):
            module.register(app)


@app.command("version")
def version() -> None:
    """Print Rempart's version."""
    typer.echo(__version__)


_register()
