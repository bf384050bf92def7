"""Rewrite the generated configuration block of README.md in place (`make docs`)."""

from __future__ import annotations

from pathlib import Path

from rempart.adapters.cli.docs import BEGIN, END, block

README = Path(__file__).resolve().parents[4] / "README.md"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    README.write_text(text[:start] + block() + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
