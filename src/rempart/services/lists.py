"""Import a list: parse, compare with the current version, store a new immutable version, audit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rempart.adapters.storage import lists_repo
from rempart.adapters.storage.db import Store
from rempart.domain.lists import ListDiff, ListSnapshot, ListVersion, diff_entities
from rempart.errors import InputError
from rempart.services.audit import now_iso, record

_LIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")  # list_versions.list_name is 40 wide


@dataclass(frozen=True)
class ImportResult:
    version: ListVersion
    created: bool  # False when the content equals the current version (nothing written)
    diff: ListDiff


def import_snapshot(store: Store, snapshot: ListSnapshot, *, actor: str = "system") -> ImportResult:
    """Store `snapshot` as a new version unless its content equals the current one."""
    if not snapshot.entities:
        raise InputError(
            "the files hold no entities",
            file=", ".join(s.name for s in snapshot.source_files),
            expected="at least one listed entity",
        )
    content_hash = snapshot.content_hash()
    with store.begin() as conn:
        current = lists_repo.current_version(conn, snapshot.list_name)
        if current is not None and current.content_hash == content_hash:
            return ImportResult(current, False, ListDiff())
        previous = lists_repo.entity_hashes(conn, current.id) if current else {}
        now = {e.source_id: e.content_hash() for e in snapshot.entities}
        diff = diff_entities(previous, now)
        vid = f"{snapshot.list_name}-{snapshot.as_of.isoformat()}-{content_hash[:12]}"
        version = ListVersion(
            id=vid,
            list_name=snapshot.list_name,
            as_of=snapshot.as_of,
            content_hash=content_hash,
            source_files=snapshot.source_files,
            counts=snapshot.counts(),
            created_at=now_iso(),
            previous_id=current.id if current else None,
            diff=diff,
            warnings=snapshot.warnings,
        )
        if lists_repo.get_version(conn, vid) is not None:
            # The same content as an older version came back: give it a distinct id, keep history.
            version = ListVersion(
                **{
                    **version.__dict__,
                    "id": f"{vid}-{version.created_at[-12:-1].replace(':', '').replace('.', '')}",
                }
            )
        lists_repo.insert_version(conn, snapshot, version)
        record(
            conn,
            type="list.imported",
            actor=actor,
            subject=f"list:{snapshot.list_name}",
            payload={
                "version": version.id,
                "content_hash": content_hash,
                "source_files": [s.sha256 for s in snapshot.source_files],
                "counts": dict(version.counts),
                "diff": diff.summary(),
            },
        )
    return ImportResult(version, True, diff)


def import_files(
    store: Store,
    paths: Sequence[Path],
    source: str,
    *,
    list_name: str | None = None,
    as_of: date | None = None,
    actor: str = "system",
) -> ImportResult:
    """Parse the files (all of them, before anything is written) and import them as one version."""
    from rempart.adapters.sources import parse

    if list_name is not None and not _LIST_NAME.fullmatch(list_name):
        raise InputError(
            "not a valid list name",
            field="list",
            expected="1 to 40 letters, digits, '_' or '-', starting with a letter or digit",
            value=list_name,
        )

    snapshot = parse(source, list(paths), list_name=list_name)
    if as_of is not None:
        # The operator knows the list's date better than a file without one (OFAC CSVs carry none).
        snapshot = replace(snapshot, as_of=as_of)
    return import_snapshot(store, snapshot, actor=actor)
