"""EU journal CSVs (OpenSanctions transcription), on the real consolidated and amendment files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.adapters.sources.eu import AMENDMENT_HEADER, CONSOLIDATED_HEADER, split_multi
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListSnapshot, NameKind
from rempart.errors import InputError


@pytest.fixture(scope="module")
def eu_dir(shared_data: Path) -> Path:
    return shared_data / "eu_journal_sanctions_consolidated_2026-08-21_opensanctions"


@pytest.fixture(scope="module")
def eu_files(eu_dir: Path) -> list[Path]:
    return sorted(eu_dir.glob("*.csv")) + sorted((eu_dir / "amendments").glob("*.csv"))


@pytest.fixture(scope="module")
def eu(eu_files: list[Path]) -> ListSnapshot:
    return parse("eu", eu_files)


def _distinct_records(files: list[Path]) -> set[tuple[str, str, str]]:
    """The documented rule, computed independently: (framework celex, annex, recordId or name)."""
    keys = set()
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                celex = row.get("celex") or row["amendedCelex"]
                keys.add((celex, row["annex"], row["recordId"] or "~" + row["name"]))
    return keys


def test_entity_count_is_the_number_of_distinct_records(eu: ListSnapshot, eu_files: list[Path]) -> None:
    expected = _distinct_records(eu_files)
    assert len(eu.entities) == len(expected)
    assert {e.source_id for e in eu.entities} == {f"{c}:{a}:{r}" for c, a, r in expected}
    assert eu.list_name == "eu"
    assert any("records added" in w for w in eu.warnings)


def test_one_framework_file_alone(eu_dir: Path) -> None:
    files = [eu_dir / "32006R0765.csv"]  # Belarus
    snap = parse("eu", files)
    assert len(snap.entities) == len(_distinct_records(files))
    assert sum(1 for e in snap.entities if "BY" in e.nationalities) > 100


def test_aksyonov_with_cyrillic_aliases(eu: ListSnapshot) -> None:
    e = {x.source_id: x for x in eu.entities}["32014R0269:I.PERSONS:1"]
    assert e.primary_name == "Sergey Valeryevich AKSYONOV"
    names = {(n.full, n.kind, n.script) for n in e.names}
    assert ("Sergei Valerievich AKSENOV", NameKind.ALIAS, "Latn") in names
    assert ("Сергей Валерьевич АКСЁНОВ", NameKind.ALIAS, "Cyrl") in names
    assert ("Сергiй Валерiйович АКСЬОНОВ", NameKind.ALIAS, "Cyrl") in names
    assert e.birth_dates == (PartialDate(1972, 11, 26),)
    assert e.gender == "male"
    assert e.programs == ("EU-UKR",)
    assert e.listed_on is not None and e.listed_on.isoformat() == "2014-03-17"


def test_amendment_adds_records_and_keeps_nationalities(eu: ListSnapshot) -> None:
    added = [e for e in eu.entities if e.source_id.startswith("32014R0269:") and e.listed_on]
    assert any(e.listed_on is not None and e.listed_on.year == 2026 for e in added)
    russians = sum(1 for e in eu.entities if "RU" in e.nationalities)
    assert russians > 1000


def test_split_multi_handles_quoted_values() -> None:
    assert split_multi('"Foo; Bar"; Baz') == ["Foo; Bar", "Baz"]
    assert split_multi("A; B") == ["A", "B"]
    assert split_multi("") == []


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


ROW = {
    "celex": "32014R0269", "recordId": "1", "programKey": "EU-UKR", "annex": "I", "measure": "Asset freeze",
    "startDate": "17.3.2014", "schema": "Person", "name": "Alex EXAMPLE",
    "alias": "Aleks EKZAMPL (Алекс ЭКЗАМПЛ)", "birthDate": "Approximately 1970", "nationality": "Russian",
}  # fmt: skip


def test_small_file_and_amendment(tmp_path: Path) -> None:
    base = _write(tmp_path / "32014R0269.csv", CONSOLIDATED_HEADER, [ROW])
    amended = {**ROW, "amendedCelex": "32014R0269", "amendmentCelex": "32026R0001", "startDate": "1.2.2026"}
    del amended["celex"]
    new = {**amended, "recordId": "2", "name": "Sam SAMPLE", "alias": ""}
    amend = _write(tmp_path / "32026R0001.csv", AMENDMENT_HEADER, [amended, new])
    snap = parse("eu", [base, amend])
    by_id = {e.source_id: e for e in snap.entities}
    assert set(by_id) == {"32014R0269:I:1", "32014R0269:I:2"}
    e = by_id["32014R0269:I:1"]
    assert e.listed_on is not None and e.listed_on.isoformat() == "2026-02-01"
    assert [(n.full, n.script) for n in e.names] == [
        ("Alex EXAMPLE", "Latn"),
        ("Aleks EKZAMPL", "Latn"),
        ("Алекс ЭКЗАМПЛ", "Cyrl"),
    ]
    assert e.birth_dates == (PartialDate(1970),)
    assert e.nationalities == ("RU",)


def test_wrong_column_count(tmp_path: Path) -> None:
    p = _write(tmp_path / "32014R0269.csv", CONSOLIDATED_HEADER, [ROW])
    with p.open("a", encoding="utf-8") as fh:
        fh.write("32014R0269,2,EU-UKR\n")
    with pytest.raises(InputError) as exc:
        parse("eu", [p])
    assert (exc.value.file, exc.value.line, exc.value.field) == ("32014R0269.csv", 3, "row")


def test_bad_start_date(tmp_path: Path) -> None:
    p = _write(tmp_path / "32014R0269.csv", CONSOLIDATED_HEADER, [{**ROW, "startDate": "31.2.2014"}])
    with pytest.raises(InputError) as exc:
        parse("eu", [p])
    assert (exc.value.line, exc.value.field, exc.value.value) == (2, "startDate", "31.2.2014")


def test_not_an_eu_file(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse("eu", [p])
    assert (exc.value.file, exc.value.line, exc.value.field) == ("x.csv", 1, "header")
