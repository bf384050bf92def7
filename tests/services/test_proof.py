"""The Merkle log and signed checkpoints on SQLite and PostgreSQL: honest logs verify; every kind of
tampering (direct SQL) is detected and named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
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


def problems(store: Store, key: ProviderKey, seen: Checkpoint | None = None) -> list[str]:
    with store.read() as conn:
        _, breaks = audit.verify(conn, public_key=key.public_key_bytes(), seen=seen)
    return [str(b) for b in breaks]


def sql(store: Store, statement: str, **params: object) -> None:
    with store.begin() as conn:
        conn.execute(text(statement), params)


def rehash(store: Store) -> None:
    """What a capable attacker does after editing rows: recompute the whole chain and the head."""
    with store.begin() as conn:
        rows = conn.execute(
            text("SELECT seq, id, type, actor, time, subject, payload_hash FROM audit_events ORDER BY seq")
        ).all()
        prev = GENESIS
        for r in rows:
            h = chain_hash(prev, event_body(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]))
            conn.execute(
                text("UPDATE audit_events SET prev_hash=:p, hash=:h WHERE seq=:s"),
                {"p": prev, "h": h, "s": r[0]},
            )
            prev = h
        conn.execute(
            text("UPDATE audit_head SET seq=:s, hash=:h WHERE id=1"),
            {"s": rows[-1][0] if rows else 0, "h": prev},
        )


@pytest.fixture
def log(store: Store, key: ProviderKey) -> Store:
    fill(store, 20)
    checkpoint(store, key)
    fill(store, 7, 20)
    checkpoint(store, key)
    return store


def test_honest_log_verifies(log: Store, key: ProviderKey) -> None:
    assert problems(log, key) == []
    with log.read() as conn:
        cps = proof.load_checkpoints(conn)
    assert [c.size for c in cps] == [20, 27]
    assert all(len(json.dumps(c.to_dict()).encode()) <= 1024 for c in cps)


def test_inclusion_and_consistency_proofs_check_with_the_public_key_alone(
    log: Store, key: ProviderKey
) -> None:
    with log.begin() as conn:
        for seq in (1, 13, 20, 27):
            p = proof.prove(conn, str(seq))
            res = Result("p", "inclusion proof")
            assert check_inclusion(json.loads(json.dumps(p)), key.public_key_bytes(), res), res.problems
        c = proof.consistency(conn, 20, 27)
    assert "first_checkpoint" in c and "second_checkpoint" in c
    res = Result("c", "consistency proof")
    check_consistency(c, key.public_key_bytes(), res)
    assert res.ok, res.problems
    c["second_root"] = "00" * 32
    res = Result("c", "consistency proof")
    check_consistency(c, key.public_key_bytes(), res)
    assert not res.ok


def test_edited_event(log: Store, key: ProviderKey) -> None:
    sql(log, "UPDATE audit_events SET subject='thing:999' WHERE seq=5")
    found = problems(log, key)
    assert any("#5" in p and "edited" in p for p in found)
    assert any("checkpoint #1" in p and "root hash does not match" in p for p in found)


def test_edited_event_with_the_chain_recomputed_is_caught_by_the_checkpoints(
    log: Store, key: ProviderKey
) -> None:
    sql(log, "UPDATE audit_events SET payload_hash=:h WHERE seq=5", h="ab" * 32)
    rehash(log)
    found = problems(log, key)
    assert found and all("checkpoint" in p for p in found)
    assert any("root hash does not match the log's first 20 events" in p for p in found)


def test_deleted_event(log: Store, key: ProviderKey) -> None:
    sql(log, "DELETE FROM audit_events WHERE seq=7")
    found = problems(log, key)
    assert any("#7..#7 are missing (deleted)" in p for p in found)


def test_swapped_events(log: Store, key: ProviderKey) -> None:
    sql(log, "UPDATE audit_events SET seq=-1 WHERE seq=3")
    sql(log, "UPDATE audit_events SET seq=3 WHERE seq=4")
    sql(log, "UPDATE audit_events SET seq=4 WHERE seq=-1")
    found = problems(log, key)
    assert any("#3" in p and ("edited" in p or "broken" in p) for p in found)
    assert any("#4" in p for p in found)


def test_inserted_event_with_renumbering_and_rehash(log: Store, key: ProviderKey) -> None:
    with log.begin() as conn:
        n = conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
        for s in range(int(n), 9, -1):  # make room at #10
            conn.execute(text("UPDATE audit_events SET seq=:t WHERE seq=:s"), {"t": s + 1, "s": s})
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, id, type, actor, time, subject, payload_hash, prev_hash, hash) "
                "VALUES (10, 'forged', 'test.event', 'tester', '2026-01-01T00:00:00Z', 'thing:x', :h, :h, :h)"
            ),
            {"h": "00" * 32},
        )
    rehash(log)
    found = problems(log, key)
    assert any("checkpoint #1" in p and "root hash does not match" in p for p in found)


def test_inserted_event_without_rehash(log: Store, key: ProviderKey) -> None:
    sql(
        log,
        "INSERT INTO audit_events (seq, id, type, actor, time, subject, payload_hash, prev_hash, hash) "
        "VALUES (28, 'forged', 't', 'a', '2026-01-01T00:00:00Z', 's', :h, :h, :h)",
        h="00" * 32,
    )
    found = problems(log, key)
    assert any("#28" in p and "broken" in p for p in found)
    assert any("head" in p for p in found)


def test_truncated_tail_with_the_head_fixed(log: Store, key: ProviderKey) -> None:
    sql(log, "DELETE FROM audit_events WHERE seq > 24")
    rehash(log)
    found = problems(log, key)
    assert any("checkpoint #2" in p and "shorter than this checkpoint" in p for p in found)


def test_checkpoint_resigned_with_another_key(log: Store, key: ProviderKey, tmp_path: Path) -> None:
    other = load_or_create(tmp_path / "other")
    with log.read() as conn:
        cp = proof.load_checkpoints(conn)[0]
    head = TreeHead(cp.size, "cd" * 32, cp.head.time, key_id_of(other.public_key_bytes()))
    forged = sign_head(head, other.sign(head.message()))
    sql(
        log,
        "UPDATE audit_checkpoints SET root_hash=:r, key_id=:k, signature=:s WHERE id=1",
        r=head.root_hash,
        k=head.key_id,
        s=forged.signature,
    )
    found = problems(log, key)
    assert any("checkpoint #1" in p and "signed by another key" in p for p in found)


def test_checkpoint_with_a_forged_signature(log: Store, key: ProviderKey) -> None:
    sql(log, "UPDATE audit_checkpoints SET size=21 WHERE id=1")
    found = problems(log, key)
    assert any("checkpoint #1" in p and "does not verify" in p for p in found)


def test_replayed_older_checkpoint_is_a_rollback(log: Store, key: ProviderKey) -> None:
    sql(
        log,
        "INSERT INTO audit_checkpoints (origin, size, root_hash, time, key_id, signature, reason) "
        "SELECT origin, size, root_hash, time, key_id, signature, 'replay' FROM audit_checkpoints WHERE id=1",
    )
    found = problems(log, key)
    assert any("checkpoint #3" in p and "rolled back" in p for p in found)


def test_rollback_below_a_checkpoint_seen_before(log: Store, key: ProviderKey) -> None:
    with log.read() as conn:
        seen = proof.latest_checkpoint(conn)
    assert seen is not None
    sql(log, "DELETE FROM audit_checkpoints WHERE id=2")
    sql(log, "DELETE FROM audit_events WHERE seq > 20")
    rehash(log)
    assert problems(log, key) == []  # consistent in itself...
    found = problems(log, key, seen=seen)  # ...but behind what a verifier saw before
    assert any("older than one already seen" in p and "rolled back" in p for p in found)


def test_tampered_merkle_index(log: Store, key: ProviderKey) -> None:
    from rempart.adapters.storage.tables_proof import LEVEL_SHIFT
    from rempart.errors import IntegrityFailure

    sql(
        log, "UPDATE merkle_nodes SET hash=:h WHERE pos=:p", h=b"\x00" * 32, p=4 << LEVEL_SHIFT
    )  # node (4, 0)
    found = problems(log, key)
    assert any("Merkle index" in p for p in found)
    sql(log, "UPDATE merkle_nodes SET hash=:h WHERE pos=3", h=b"\x00" * 32)  # leaf 3: proofs refuse it
    with pytest.raises(IntegrityFailure, match="does not prove"), log.read() as conn:
        proof.prove(conn, "3")
    with log.begin() as conn:
        proof.reindex(conn)
    assert problems(log, key) == []


def test_checkpoint_refuses_to_sign_a_broken_chain(store: Store, key: ProviderKey) -> None:
    fill(store, 5)
    sql(store, "UPDATE audit_events SET actor='mallory' WHERE seq=2")
    from rempart.errors import IntegrityFailure

    with pytest.raises(IntegrityFailure, match="#2"), store.begin() as conn:
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
    assert (tmp_path / "k" / "seen_checkpoint.json").exists()
    # roll back: drop the newest checkpoint and the events after the first
    sql(store, "DELETE FROM audit_checkpoints WHERE id = (SELECT max(id) FROM audit_checkpoints)")
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
