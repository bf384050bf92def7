"""The Merkle log and signed checkpoints on SQLite and PostgreSQL: honest logs verify; every kind of
tampering (direct SQL) is detected and named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from typer.testing import CliRunner

from rempart.adapters.crypto_keys import ProviderKey, load_or_create
from rempart.adapters.storage.db import Store
from rempart.domain.audit import GENESIS, chain_hash, event_body
from rempart.domain.checkpoints import Checkpoint, TreeHead, key_id_of, sign_head
from rempart.services import audit, proof
from rempart.verifier import Result, check_consistency, check_inclusion


@pytest.fixture
def key(tmp_path: Path) -> ProviderKey:
    return load_or_create(tmp_path / "keys")


def fill(store: Store, n: int, start: int = 0) -> None:
    with store.begin() as conn:
        for i in range(start, start + n):
            audit.record(conn, type="test.event", actor="tester", subject=f"thing:{i}", payload={"i": i})


def checkpoint(store: Store, key: ProviderKey) -> Checkpoint:
    with store.begin() as conn:
        return proof.take_checkpoint(conn, key, "test")


def problems(conn: Connection, key: ProviderKey, seen: Checkpoint | None = None) -> list[str]:
    _, breaks = audit.verify(conn, public_key=key.public_key_bytes(), seen=seen)
    return [str(b) for b in breaks]


def sql(conn: Connection, statement: str, **params: object) -> None:
    conn.execute(text(statement), params)


def rehash(conn: Connection) -> None:
    """What a capable attacker does after editing rows: recompute the whole chain and the head."""
    rows = conn.execute(
        text("SELECT seq, id, type, actor, time, subject, payload_hash FROM audit_events ORDER BY seq")
    ).all()
    prev = GENESIS
    for r in rows:
        h = chain_hash(prev, event_body(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]))
        sql(conn, "UPDATE audit_events SET prev_hash=:p, hash=:h WHERE seq=:s", p=prev, h=h, s=r[0])
        prev = h
    sql(conn, "UPDATE audit_head SET seq=:s, hash=:h WHERE id=1", s=rows[-1][0] if rows else 0, h=prev)


@pytest.fixture
def log(store: Store, key: ProviderKey) -> Store:
    """27 events; checkpoint #1 at 20 events, checkpoint #2 at 27."""
    fill(store, 20)
    checkpoint(store, key)
    fill(store, 7, 20)
    checkpoint(store, key)
    return store


# Each tampering runs in a savepoint that is rolled back, so one log serves them all (per backend).


def edited(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(conn, "UPDATE audit_events SET subject='thing:999' WHERE seq=5")
    return [
        "#5 (",
        "content does not match its hash (edited)",
        "checkpoint #1 (size 20): root hash does not match",
    ]


def edited_and_rehashed(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(conn, "UPDATE audit_events SET payload_hash=:h WHERE seq=5", h="ab" * 32)
    rehash(conn)
    return ["checkpoint #1 (size 20): root hash does not match the log's first 20 events"]


def deleted(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(conn, "DELETE FROM audit_events WHERE seq=7")
    return ["events #7..#7 are missing (deleted)", "checkpoint #1 (size 20): root hash does not match"]


def swapped(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(conn, "UPDATE audit_events SET seq=-1 WHERE seq=3")
    sql(conn, "UPDATE audit_events SET seq=3 WHERE seq=4")
    sql(conn, "UPDATE audit_events SET seq=4 WHERE seq=-1")
    return ["audit event #3", "audit event #4", "link to the previous event is broken", "checkpoint #1"]


def inserted_renumbered_rehashed(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    n = int(conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one())
    for s in range(n, 9, -1):  # make room at #10
        sql(conn, "UPDATE audit_events SET seq=:t WHERE seq=:s", t=s + 1, s=s)
    sql(
        conn,
        "INSERT INTO audit_events (seq, id, type, actor, time, subject, payload_hash, prev_hash, hash) "
        "VALUES (10, 'forged', 'test.event', 'tester', '2026-01-01T00:00:00Z', 'thing:x', :h, :h, :h)",
        h="00" * 32,
    )
    rehash(conn)
    return [
        "checkpoint #1 (size 20): root hash does not match",
        "checkpoint #2 (size 27): root hash does not match",
    ]


def inserted_at_the_end(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(
        conn,
        "INSERT INTO audit_events (seq, id, type, actor, time, subject, payload_hash, prev_hash, hash) "
        "VALUES (28, 'forged', 't', 'a', '2026-01-01T00:00:00Z', 's', :h, :h, :h)",
        h="00" * 32,
    )
    return ["#28 (forged): link to the previous event is broken", "the chain head says #27"]


def truncated_tail(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(conn, "DELETE FROM audit_events WHERE seq > 24")
    rehash(conn)
    return ["checkpoint #2 (size 27): the log is shorter than this checkpoint (24 events stored, 27 signed)"]


def resigned_with_another_key(conn: Connection, key: ProviderKey, tmp: Path) -> list[str]:
    other = load_or_create(tmp / "other")
    cp = proof.load_checkpoints(conn)[0]
    head = TreeHead(cp.size, "cd" * 32, cp.head.time, key_id_of(other.public_key_bytes()))
    forged = sign_head(head, other.sign(head.message()))
    sql(
        conn,
        "UPDATE audit_checkpoints SET root_hash=:r, key_id=:k, signature=:s WHERE id=1",
        r=head.root_hash,
        k=head.key_id,
        s=forged.signature,
    )
    return ["checkpoint #1 (size 20): signed by another key"]


def forged_signature(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(conn, "UPDATE audit_checkpoints SET size=21 WHERE id=1")
    return ["checkpoint #1 (size 21): signature does not verify"]


def replayed_older_checkpoint(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    sql(
        conn,
        "INSERT INTO audit_checkpoints (origin, size, root_hash, time, key_id, signature, reason) "
        "SELECT origin, size, root_hash, time, key_id, signature, 'replay' FROM audit_checkpoints WHERE id=1",
    )
    return ["checkpoint #3 (size 20): rolled back: size 20 is smaller than an earlier checkpoint's 27"]


def tampered_index(conn: Connection, key: ProviderKey, _: Path) -> list[str]:
    from rempart.adapters.storage.tables_proof import LEVEL_SHIFT

    sql(
        conn, "UPDATE merkle_nodes SET hash=:h WHERE pos=:p", h=b"\x00" * 32, p=4 << LEVEL_SHIFT
    )  # node (4, 0)
    return ["Merkle index: the stored Merkle nodes for the first 20 events disagree"]


TAMPERINGS = (
    edited,
    edited_and_rehashed,
    deleted,
    swapped,
    inserted_renumbered_rehashed,
    inserted_at_the_end,
    truncated_tail,
    resigned_with_another_key,
    forged_signature,
    replayed_older_checkpoint,
    tampered_index,
)


def test_honest_log_verifies_and_every_tampering_is_detected_and_named(
    log: Store, key: ProviderKey, tmp_path: Path
) -> None:
    failures = []
    with log.begin() as conn:
        assert problems(conn, key) == []
        cps = proof.load_checkpoints(conn)
        assert [c.size for c in cps] == [20, 27]
        assert all(len(json.dumps(c.to_dict()).encode()) <= 1024 for c in cps)
        for tamper in TAMPERINGS:
            sp = conn.begin_nested()
            expected = tamper(conn, key, tmp_path)
            found = problems(conn, key)
            sp.rollback()
            missing = [e for e in expected if not any(e in f for f in found)]
            if missing:
                failures.append(f"{tamper.__name__}: expected {missing}, got {found}")
        assert problems(conn, key) == []  # every savepoint rolled back: honest again
    assert failures == []


def test_rollback_below_a_checkpoint_seen_before(log: Store, key: ProviderKey) -> None:
    with log.begin() as conn:
        seen = proof.latest_checkpoint(conn)
        assert seen is not None
        sql(conn, "DELETE FROM audit_checkpoints WHERE id=2")
        sql(conn, "DELETE FROM audit_events WHERE seq > 20")
        rehash(conn)
        assert problems(conn, key) == []  # consistent in itself...
        found = problems(conn, key, seen=seen)  # ...but behind what a verifier saw before
        assert any("older than one already seen" in p and "rolled back" in p for p in found)


def test_inclusion_and_consistency_proofs_check_with_the_public_key_alone(
    log: Store, key: ProviderKey
) -> None:
    from rempart.errors import IntegrityFailure

    with log.begin() as conn:
        for seq in (1, 13, 20, 27):
            p = proof.prove(conn, str(seq))
            res = Result("p", "inclusion proof")
            assert check_inclusion(json.loads(json.dumps(p)), key.public_key_bytes(), res), res.problems
        c = proof.consistency(conn, 20, 27)
        sql(conn, "UPDATE merkle_nodes SET hash=:h WHERE pos=3", h=b"\x00" * 32)  # leaf 3: proofs refuse it
        with pytest.raises(IntegrityFailure, match="does not prove"):
            proof.prove(conn, "3")  # leaf index 2: its sibling is leaf 3
        proof.reindex(conn)
        assert problems(conn, key) == []
    assert "first_checkpoint" in c and "second_checkpoint" in c
    res = Result("c", "consistency proof")
    check_consistency(c, key.public_key_bytes(), res)
    assert res.ok, res.problems
    c["second_root"] = "00" * 32
    res = Result("c", "consistency proof")
    check_consistency(c, key.public_key_bytes(), res)
    assert not res.ok


def test_checkpoint_refuses_to_sign_a_broken_chain(store: Store, key: ProviderKey) -> None:
    fill(store, 5)
    from rempart.errors import IntegrityFailure

    with pytest.raises(IntegrityFailure, match="#2"), store.begin() as conn:
        sql(conn, "UPDATE audit_events SET actor='mallory' WHERE seq=2")
        proof.take_checkpoint(conn, key)


def test_scheduled_checkpoints_only_when_the_log_grew(store: Store, key: ProviderKey) -> None:
    fill(store, 3)
    assert proof.checkpoint_if_grown(store, key) is not None
    assert proof.checkpoint_if_grown(store, key) is None
    fill(store, 1, 3)
    cp = proof.checkpoint_now(store, "production p1", signer=key)
    assert cp.size == 4 and cp.reason == "production p1"


# --- the CLI (SQLite) -----------------------------------------------------------------------------


def test_cli_checkpoint_prove_consistency_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rempart.adapters.cli.main import app

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REMPART_KEY_DIR", str(tmp_path / "k"))
    store = Store.open(db)
    fill(store, 9)
    run = CliRunner()
    r = run.invoke(app, ["audit", "checkpoint", "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["size"] == 9
    fill(store, 4, 9)
    r = run.invoke(app, ["audit", "prove", "12", "--db", db, "--out", str(tmp_path / "p.json")])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["audit", "consistency", "9", "13", "--db", db, "--out", str(tmp_path / "c.json")])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["audit", "checkpoint", "--db", db, "--out", str(tmp_path / "cp.json")])
    assert r.exit_code == 0, r.output
    r = run.invoke(
        app, ["verify", str(tmp_path / "p.json"), str(tmp_path / "c.json"), str(tmp_path / "cp.json")]
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["audit", "verify", "--db", db])
    assert r.exit_code == 0 and "intact" in r.stdout, r.output
    assert len(list((tmp_path / "k").glob("seen_checkpoint-*.json"))) == 1  # one file per database
    # roll back: drop the newest checkpoint and the events after the first
    with store.begin() as conn:
        sql(conn, "DELETE FROM audit_checkpoints WHERE id = (SELECT max(id) FROM audit_checkpoints)")
    r = run.invoke(app, ["audit", "verify", "--db", db, "--json"])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert any("rolled back" in b["problem"] for b in out["breaks"])
    # a forged proof file
    p = json.loads((tmp_path / "p.json").read_text())
    p["event"]["subject"] = "thing:forged"
    (tmp_path / "bad.json").write_text(json.dumps(p))
    r = run.invoke(app, ["verify", str(tmp_path / "bad.json")])
    assert r.exit_code == 1 and "edited" in r.stdout
