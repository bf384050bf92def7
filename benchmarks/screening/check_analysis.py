"""Name analysis gives the same result as a reference revision (the code before the speed work):
every field of every `NameForm` and `Token` (its merged pairs too), on every name of the real lists
(and their variants, with their schemas), the 50,000 names of the yente negatives, and the Faker
names by locale (alone and as first + last names), as persons and as companies. The new code runs
twice (the second time in reverse order, on a warm token memo), so a token remembered in one name
must be what that name alone gives. Also prints the CPU time per name of both.

`python -m benchmarks.screening.check_analysis [--rev REV] [--limit N]` (REV: a git revision whose
`normalize.py`, `transliterate.py` and `lexicon.py` are the reference, default HEAD)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import random
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

from benchmarks.screening.common import DATA, FIXTURES, ROOT, faker_names

_MODULES = ("transliterate", "lexicon", "normalize")  # in import order
_PKG = "_rempart_reference_screening"


def load_reference(rev: str) -> types.ModuleType:
    """The reference revision's analysis modules, importable side by side with the current ones;
    returns its `normalize` module."""
    pkg = types.ModuleType(_PKG)
    pkg.__path__ = []
    sys.modules[_PKG] = pkg
    mods: dict[str, types.ModuleType] = {}
    for name in _MODULES:
        src = subprocess.run(
            ["git", "show", f"{rev}:src/rempart/domain/screening/{name}.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for other in _MODULES:
            src = src.replace(f"rempart.domain.screening.{other}", f"{_PKG}.{other}")
        mod = types.ModuleType(f"{_PKG}.{name}")
        mod.__file__ = f"<{rev}:{name}.py>"
        sys.modules[mod.__name__] = mod
        exec(compile(src, mod.__file__, "exec"), mod.__dict__)
        mods[name] = mod
    return mods["normalize"]


def as_plain(value: Any) -> Any:
    """A dataclass (NameForm, Token) as nested tuples of its fields, comparable across two copies of
    the classes; floats by their repr (bit for bit), enums by their value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            *((f.name, as_plain(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, tuple):
        return tuple(as_plain(v) for v in value)
    if isinstance(value, frozenset):
        return ("frozenset", tuple(sorted(value)))
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, str):
        return str(value)  # a StrEnum member as its value
    return value


def real_list_names() -> list[tuple[str, str]]:
    """(name, schema) of every name of every real list, and of its variants (`name_variants`)."""
    from benchmarks.screening.common import service
    from rempart.domain.screening.index import name_variants

    matcher = service().warm_up().matcher
    out: list[tuple[str, str]] = []
    for entry in matcher._entries:  # type: ignore[attr-defined]
        for name in entry.entity.names:
            for variant in dict.fromkeys([name.full, *name_variants(name.full)]):
                out.append((variant, entry.entity.schema))
    return out


def fixture_names() -> list[str]:
    out: list[str] = []
    for fname in ("negatives_global.csv", "positives_un_treated.csv"):
        with (FIXTURES / fname).open(encoding="utf-8") as f:
            out.extend(row["full_name"] for row in csv.DictReader(f))
    return out


def faker_person_names(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for fields in faker_names().values():
        firsts = [n for k, v in fields.items() if k.startswith("first_name") for n in v]
        lasts = [n for k, v in fields.items() if k.startswith("last_name") for n in v]
        for v in fields.values():
            out.extend(v)
        if firsts and lasts:
            out.extend(f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(len(firsts)))
            out.extend(f"{rng.choice(lasts)}, {rng.choice(firsts)}" for _ in range(len(lasts) // 4))
    return out


def sample(limit: int | None) -> list[tuple[str, str]]:
    items = real_list_names()
    people = fixture_names() + faker_person_names()
    items += [(n, "Person") for n in people]
    items += [(n, "Company") for n in people[::5]]
    if limit is not None:
        items = items[:limit]
    return items


def timed(analyze: Callable[[str, str], Any], items: Iterable[tuple[str, str]]) -> tuple[list[Any], float]:
    c0 = time.process_time()
    out = [analyze(n, s) for n, s in items]
    return out, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="HEAD", help="git revision of the reference analysis code")
    ap.add_argument("--limit", type=int, default=None, help="check only the first N names")
    args = ap.parse_args()
    from rempart.domain.screening import normalize as new
    from rempart.domain.screening.lexicon import Lexicon

    ref = load_reference(args.rev)
    ref_lex = sys.modules[f"{_PKG}.lexicon"].Lexicon.builtin()
    new_lex = Lexicon.builtin()
    items = sample(args.limit)
    print(f"{len(items)} names ({DATA.name}); reference {args.rev}; load {os.getloadavg()[0]:.1f}")
    want, t_ref = timed(lambda n, s: ref.analyze_name(n, s, ref_lex), items)
    got, t_new = timed(lambda n, s: new.analyze_name(n, s, new_lex), items)
    back, t_warm = timed(lambda n, s: new.analyze_name(n, s, new_lex), reversed(items))
    back.reverse()
    differ = 0
    for (name, schema), w, g, b in zip(items, want, got, back, strict=True):
        pw = as_plain(w)
        if pw != as_plain(g) or pw != as_plain(b):
            differ += 1
            if differ <= 5:
                print(f"DIFFERENT: {name!r} ({schema})\n  want {w}\n  got  {g}\n  warm {b}")
    n = len(items)
    print(
        f"analysis CPU per name: reference {t_ref / n * 1e6:.1f} us, new {t_new / n * 1e6:.1f} us "
        f"(first pass), {t_warm / n * 1e6:.1f} us (second pass, warm memo); "
        f"{differ} of {n} names different"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
