"""List versions and their entities: stored immutably, read back by version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from rempart.adapters.storage.tables import entity_bodies, list_versions, version_entities
from rempart.domain.lists import ListDiff, ListedEntity, ListSnapshot, ListVersion, SourceFile, canonical_json


def _row_to_version(r: Any) -> ListVersion:
    d = json.loads(r.diff)
    return ListVersion(
        id=r.id,
        list_name=r.list_name,
        as_of=r.as_of if isinstance(r.as_of, date) else date.fromisoformat(str(r.as_of)),
        content_hash=r.content_hash,
        source_files=tuple(SourceFile(s["name"], s["sha256"]) for s in json.loads(r.source_files)),
        counts=json.loads(r.counts),
        created_at=r.created_at,
        previous_id=r.previous_id,
        diff=ListDiff(tuple(d.get("added", ())), tuple(d.get("removed", ())), tuple(d.get("changed", ()))),
        warnings=tuple(json.loads(r.warnings)),
    )


def current_version(conn: Connection, list_name: str) -> ListVersion | None:
    r = conn.execute(
        select(list_versions)
        .where(list_versions.c.list_name == list_name)
        .order_by(list_versions.c.seq.desc())
        .limit(1)
    ).first()
    return _row_to_version(r) if r else None


def current_versions(conn: Connection) -> list[ListVersion]:
    latest = (
        select(list_versions.c.list_name, func.max(list_versions.c.seq).label("seq"))
        .group_by(list_versions.c.list_name)
        .subquery()
    )
    rows = conn.execute(
        select(list_versions)
        .join(latest, list_versions.c.seq == latest.c.seq)
        .order_by(list_versions.c.list_name)
    ).all()
    return [_row_to_version(r) for r in rows]


def get_version(conn: Connection, version_id: str) -> ListVersion | None:
    r = conn.execute(select(list_versions).where(list_versions.c.id == version_id)).first()
    return _row_to_version(r) if r else None


def version_as_of(conn: Connection, list_name: str, on: date) -> ListVersion | None:
    """The newest version of a list whose as-of date is on or before `on` (for replays)."""
    r = conn.execute(
        select(list_versions)
        .where(list_versions.c.list_name == list_name, list_versions.c.as_of <= on)
        .order_by(list_versions.c.as_of.desc(), list_versions.c.seq.desc())
        .limit(1)
    ).first()
    return _row_to_version(r) if r else None


def entity_hashes(conn: Connection, version_id: str) -> dict[str, str]:
    rows = conn.execute(
        select(version_entities.c.source_id, version_entities.c.content_hash).where(
            version_entities.c.version_id == version_id
        )
    )
    return {r[0]: r[1] for r in rows}


def iter_entities(
    conn: Connection, version_id: str, source_ids: list[str] | None = None
) -> Iterator[ListedEntity]:
    q = (
        select(entity_bodies.c.data)
        .select_from(
            version_entities.join(
                entity_bodies, version_entities.c.content_hash == entity_bodies.c.content_hash
            )
        )
        .where(version_entities.c.version_id == version_id)
        .order_by(version_entities.c.source_id)
    )
    if source_ids is not None:
        wanted = list(source_ids)
        for i in range(0, len(wanted), 500):
            for (data,) in conn.execute(q.where(version_entities.c.source_id.in_(wanted[i : i + 500]))):
                yield ListedEntity.from_dict(json.loads(data))
        return
    for (data,) in conn.execute(q):
        yield ListedEntity.from_dict(json.loads(data))


def insert_version(conn: Connection, snapshot: ListSnapshot, version: ListVersion) -> None:
    """Write a new version and any entity bodies not stored yet. Never updates existing rows."""
    hashes = {e.source_id: e.content_hash() for e in snapshot.entities}
    known: set[str] = set()
    all_hashes = list(set(hashes.values()))
    for i in range(0, len(all_hashes), 500):
        known.update(
            r[0]
            for r in conn.execute(
                select(entity_bodies.c.content_hash).where(
                    entity_bodies.c.content_hash.in_(all_hashes[i : i + 500])
                )
            )
        )
    bodies = []
    seen: set[str] = set()
    for e in snapshot.entities:
        h = hashes[e.source_id]
        if h in known or h in seen:
            continue
        seen.add(h)
        bodies.append({"content_hash": h, "data": canonical_json(e.to_dict()).decode()})
    if bodies:
        conn.execute(entity_bodies.insert(), bodies)
    conn.execute(
        list_versions.insert().values(
            id=version.id,
            list_name=version.list_name,
            as_of=version.as_of,
            content_hash=version.content_hash,
            source_files=json.dumps([{"name": s.name, "sha256": s.sha256} for s in version.source_files]),
            counts=json.dumps(dict(version.counts)),
            diff=json.dumps(
                {
                    "added": list(version.diff.added),
                    "removed": list(version.diff.removed),
                    "changed": list(version.diff.changed),
                }
            ),
            warnings=json.dumps(list(version.warnings)),
            previous_id=version.previous_id,
            created_at=version.created_at,
        )
    )
    rows = [
        {
            "version_id": version.id,
            "source_id": e.source_id,
            "schema": e.schema,
            "content_hash": hashes[e.source_id],
        }
        for e in snapshot.entities
    ]
    for i in range(0, len(rows), 5000):
        conn.execute(version_entities.insert(), rows[i : i + 5000])
