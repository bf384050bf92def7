"""`python -m rempart` is the `rempart` command."""

from rempart.adapters.cli.main import app

app()
