"""`rempart lists import|show` on the real files, on SQLite and PostgreSQL, as a user would run them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rempart.adapters.cli.main import app
from rempart.adapters.shared_data import CATALOGUE

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize("name", ["un", "ofac_crypto"])
def test_import_twice_is_a_zero_diff_and_show_reports_it(db_url: str, shared_data: Path, name: str) -> None:
    entry = next(e for e in CATALOGUE if e.list_name == name)
    paths = [str(p) for p in entry.paths(shared_data)]
    code, out, err = invoke(
        "lists", "import", *paths, "--source", entry.source, "--list", name, "--db", db_url, "--json"
    )
    assert code == 0, err
    first = json.loads(out)
    assert first["list"] == name and first["counts"]["entities"] > 0
    assert first["diff"]["added"] == first["counts"]["entities"]
    code, out, err = invoke(
        "lists", "import", *paths, "--source", entry.source, "--list", name, "--db", db_url, "--json"
    )
    assert code == 0, err
    again = json.loads(out)
    assert again["diff"] == {"added": 0, "removed": 0, "changed": 0} and again["version"] == first["version"]
    code, out, _ = invoke("lists", "show", "--db", db_url, "--json")
    shown = json.loads(out)
    assert [(s["list"], s["version"]) for s in shown] == [(name, first["version"])]
    assert "diff" not in shown[0]


def test_un_counts_match_the_xml(db_url: str, shared_data: Path) -> None:
    entry = next(e for e in CATALOGUE if e.list_name == "un")
    code, out, err = invoke(
        "lists", "import", *map(str, entry.paths(shared_data)), "--source", "un", "--db", db_url, "--json"
    )
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["entities"] == 730 + 273
    assert counts["schema.Person"] == 730 and counts["schema.Organization"] == 273


def test_truncated_file_is_refused_and_previous_version_stays(
    db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    entry = next(e for e in CATALOGUE if e.list_name == "un")
    original = entry.paths(shared_data)[0]
    code, out, err = invoke("lists", "import", str(original), "--source", "un", "--db", db_url, "--json")
    assert code == 0, err
    version = json.loads(out)["version"]
    broken = tmp_path / "UN_consolidated.xml"
    data = original.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    code, out, err = invoke("lists", "import", str(broken), "--source", "un", "--db", db_url, "--json")
    assert code != 0
    assert "UN_consolidated.xml" in err and out == ""
    code, out, _ = invoke("lists", "show", "--db", db_url, "--json")
    assert [s["version"] for s in json.loads(out)] == [version]


def test_corrupted_ofac_row_names_file_and_line(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "ofac_sdn_consistent_2021-07_watchman_bench"
    for f in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        shutil.copy(src / f, tmp_path / f)
    lines = (tmp_path / "sdn.csv").read_bytes().split(b"\r\n")
    lines[41] = b"not-a-number," + lines[41].split(b",", 1)[1]
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines))
    files = [str(tmp_path / f) for f in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")]
    code, out, err = invoke("lists", "import", *files, "--source", "ofac", "--db", db_url, "--json")
    assert code != 0 and out == ""
    assert "sdn.csv" in err and "42" in err


def test_unknown_source_and_missing_file_are_clear(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    code, _, err = invoke("lists", "import", str(tmp_path / "none.xml"), "--source", "un", "--db", db)
    assert code != 0 and "none.xml" in err
    code, _, err = invoke("lists", "import", str(tmp_path), "--source", "nope", "--db", db)
    assert code != 0 and "--source" in err


def _ftm(path: Path, people: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(
            json.dumps(
                {"id": pid, "schema": "Person", "properties": {"name": [name], "birthDate": ["1970-03-04"]}}
            )
            + "\n"
            for pid, name in people
        )
    )
    return path


def test_new_list_version_rescreens_stored_customers(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'delta.db'}"
    v1 = _ftm(tmp_path / "v1.ftm.json", [("p1", "Quentin Ardoise-Velmont")])
    code, _, err = invoke("lists", "import", str(v1), "--source", "ftm", "--db", db, "--json")
    assert code == 0, err
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,type,name,birth_date,nationalities,email\n"
        "K1,person,Berenike Strohmayer-Lind,1970-03-04,AT,k1@example.com\n"
        "K2,person,Tobias Example,1988-01-01,DE,k2@example.com\n"
    )
    code, _, err = invoke("customers", "import", str(customers), "--db", db)
    assert code == 0, err
    code, _, err = invoke("screen", "batch", "--db", db, "--workers", "1")
    assert code == 0, err
    v2 = _ftm(
        tmp_path / "v2.ftm.json", [("p1", "Quentin Ardoise-Velmont"), ("p2", "Berenike Strohmayer-Lind")]
    )
    code, out, err = invoke("lists", "import", str(v2), "--source", "ftm", "--db", db, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["diff"] == {"added": 1, "removed": 0, "changed": 0}
    assert result["rescreen"]["touched_entities"] == 1
    assert result["rescreen"]["alerts_opened"] == 1
    code, out, err = invoke("alerts", "list", "--db", db, "--json")
    assert code == 0, err
    assert "K1" in out and "K2" not in out
