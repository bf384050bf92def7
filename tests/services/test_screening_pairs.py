"""`screen pairs FILE`: CSV reading (header or not, quoting, schemas, bad rows) and the CLI output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rempart.adapters.cli.main import app
from rempart.errors import InputError
from rempart.services.screening.pairs import read_pairs, score_pairs

runner = CliRunner()


def _write(tmp_path: Path, text: str, name: str = "pairs.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_without_header_and_with_quotes(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        'Vladimir Putin,"PUTIN, Vladimir Vladimirovich",Person\n'
        '"Example ""Star"" Shipping LLC",Example Star Shipping,Organization\n'
        "\n"
        "Иван Тестеров,Ivan Testerov,\n",
    )
    rows = list(read_pairs(p))
    assert [r[0] for r in rows] == [1, 2, 4]
    assert rows[0][1:] == ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", "Person")
    assert rows[1][1] == 'Example "Star" Shipping LLC'
    assert rows[2][3] == "Person"  # empty schema


@pytest.mark.parametrize(
    "header",
    ["name1,name2,schema", "NAME1,Name2,Schema", "name_1,name_2,schema", "left,right", "a,b,schema"],
)
def test_header_forms(tmp_path: Path, header: str) -> None:
    p = _write(tmp_path, f"\ufeff{header}\nAlice Example,Alice Exampel,Person\n")
    assert [r[1] for r in read_pairs(p)] == ["Alice Example"]


def test_header_names_columns_anywhere(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "group,schema,is_match,name2,name1\ng1,Company,true,Siemens AG,Siemens Aktiengesellschaft\n"
    )
    assert list(read_pairs(p)) == [(2, "Siemens Aktiengesellschaft", "Siemens AG", "Company")]


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("Person", "Person"),
        ("organization", "Organization"),
        ("Company", "Company"),
        ("LegalEntity", "LegalEntity"),
        ("PublicBody", "PublicBody"),
        ("Vessel", "Vessel"),
        ("Airplane", "Aircraft"),
        (" person ", "Person"),
    ],
)
def test_ftm_schema_names(tmp_path: Path, given: str, used: str) -> None:
    p = _write(tmp_path, f"A B,A B,{given}\n")
    assert next(read_pairs(p))[3] == used


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("name1,name2,schema\nA B,C D,Person\nA B,C D,Spaceship\n", 3, "schema"),
        ("A B,C D\nonly one\n", 2, "name2"),
        ("A B,,Person\n", 1, "name2"),
        ("name1,name2\n , C D\n", 2, "name1"),
    ],
)
def test_bad_rows_name_file_line_field(tmp_path: Path, text: str, line: int, field: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as e:
        list(read_pairs(p))
    assert e.value.file == str(p) and e.value.line == line and e.value.field == field


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "A B,C D\nJosé Ñandú,Jose Nandu\n", encoding="latin-1")
    with pytest.raises(InputError, match="UTF-8") as e:
        list(read_pairs(p))
    assert e.value.file == str(p)
    with pytest.raises(InputError, match="no such file"):
        list(read_pairs(tmp_path / "nope.csv"))


def test_streams_large_files_in_order(tmp_path: Path) -> None:
    n = 3000
    p = _write(tmp_path, "".join(f"Person{i} Example,Person{i} Exampel,Person\n" for i in range(n)))
    it = score_pairs(p, threshold=0.8)
    first = next(it)  # the first result comes before the file is read to its end
    assert first["line"] == 1 and first["name1"] == "Person0 Example"
    rest = list(it)
    assert [r["line"] for r in rest] == list(range(2, n + 1))


def test_cli_one_json_line_per_pair(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "name1,name2,schema\n"
        "Vladimir Putin,PUTIN Vladimir,Person\n"
        "Siemens AG,Daimler AG,Organization\n"
        "Иван Петрович Тестеров,Ivan Petrovich Testerov,Person\n",
    )
    r = runner.invoke(app, ["screen", "pairs", str(p)])
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) == 3
    assert [x["match"] for x in rows] == [True, False, True]
    for x in rows:
        assert 0.0 <= x["score"] <= 1.0 and x["match"] is (x["score"] >= x["threshold"])
        assert x["explanation"]["name"]["contribution"] == pytest.approx(x["score"], abs=1e-4)
        assert x["explanation"]["algorithm"]
    strict = runner.invoke(app, ["screen", "pairs", str(p), "--threshold", "1.0"])
    assert [json.loads(x)["match"] for x in strict.stdout.splitlines()][1] is False


def test_cli_bad_row_is_a_clear_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "Alice Example,Alice Example,Person\nBob,Robert,Dog\n")
    r = runner.invoke(app, ["screen", "pairs", str(p)])
    assert r.exit_code == 2
    assert len(r.stdout.splitlines()) == 1  # the good row before it was scored
    assert str(p) in r.stderr and "line 2" in r.stderr and "schema" in r.stderr and "'Dog'" in r.stderr
    r = runner.invoke(app, ["screen", "pairs", str(tmp_path / "missing.csv")])
    assert r.exit_code == 2 and "missing.csv" in r.stderr
