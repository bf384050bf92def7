"""UK lists: the OFSI consolidated spreadsheet and the UK Sanctions List CSVs, on the real files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from rempart.adapters.sources import parse
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListSnapshot, NameKind
from rempart.errors import InputError


@pytest.fixture(scope="module")
def uk_dir(shared_data: Path) -> Path:
    return shared_data / "uk_sanctions_list_derived_2026-05_covyr"


@pytest.fixture(scope="module")
def ofsi(shared_data: Path) -> ListSnapshot:
    return parse("uk", [shared_data / "uk_ofsi_conlist_2025-04-10_nadya-soto" / "UK_Sanctions_List.xlsx"])


@pytest.fixture(scope="module")
def uk_sl(uk_dir: Path) -> ListSnapshot:
    return parse("uk", sorted(uk_dir.glob("*.csv")))


def test_ofsi_one_entity_per_group_id(ofsi: ListSnapshot) -> None:
    assert ofsi.list_name == "uk"
    assert len(ofsi.entities) == 4686
    assert ofsi.as_of == date(2025, 4, 10)
    counts = ofsi.counts()
    assert counts["schema.Person"] + counts["schema.Organization"] + counts["schema.Vessel"] == 4686
    assert all(e.names[0].kind is NameKind.PRIMARY for e in ofsi.entities)


def test_ofsi_known_entry_with_cyrillic_name(ofsi: ListSnapshot) -> None:
    e = {x.source_id: x for x in ofsi.entities}["14212"]
    assert e.primary_name == "Roman Arkadyevich ABRAMOVICH"
    assert e.names[0].first == "Roman" and e.names[0].last == "ABRAMOVICH"
    assert ("Роман Аркадьевич АБРАМОВИЧ", "Cyrl") in {(n.full, n.script) for n in e.names}
    assert e.birth_dates == (PartialDate(1966, 10, 24),)
    assert set(e.nationalities) == {"RU", "IL", "PT"}
    assert e.listed_on == date(2022, 3, 10)
    assert e.gender == "male"
    assert e.programs == ("Russia",)


def test_uk_sanctions_list_csvs(uk_sl: ListSnapshot, uk_dir: Path) -> None:
    with (uk_dir / "subjects.csv").open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    assert len(uk_sl.entities) == rows == 6046
    assert uk_sl.list_name == "uk_sl"
    assert uk_sl.as_of == date(2026, 4, 29)
    e = {x.source_id: x for x in uk_sl.entities}["RUS0270"]
    assert e.primary_name == "Roman Arkadyevich ABRAMOVICH"
    assert e.schema == "Person"
    assert e.programs == ("RUS",)


def test_spreadsheet_and_csvs_are_not_mixed(shared_data: Path, uk_dir: Path) -> None:
    xlsx = shared_data / "uk_ofsi_conlist_2025-04-10_nadya-soto" / "UK_Sanctions_List.xlsx"
    with pytest.raises(InputError, match="different kinds"):
        parse("uk", [xlsx, uk_dir / "subjects.csv"])


HEADER = [
    "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "Name Non-Latin Script",
    "Non-Latin Script Type", "Non-Latin Script Language", "DOB", "Town of Birth", "Country of Birth",
    "Nationality", "Passport Number", "Passport Details", "National Identification Number",
    "National Identification Details", "Position", "Address 1", "Address 2", "Address 3", "Address 4",
    "Address 5", "Address 6", "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type",
    "Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated", "Group ID",
]  # fmt: skip


def _xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Last Updated", "02/01/2026"])
    ws.append(HEADER)
    for r in rows:
        ws.append([r.get(h) for h in HEADER])
    wb.save(path)
    return path


ROW = {
    "Name 6": "EXAMPLE", "Name 1": "Alex", "DOB": "00/00/1970", "Nationality": "(1) Russia. (2) Ukraine",
    "Group Type": "Individual", "Alias Type": "Primary name", "Regime": "Russia", "Listed On": "01/02/2022",
    "Group ID": "900", "Name Non-Latin Script": "Алекс ЭКЗАМПЛ", "Passport Number": "(1) 111 (2) 222",
}  # fmt: skip


def test_small_spreadsheet(tmp_path: Path) -> None:
    aka = {**ROW, "Alias Type": "AKA", "Alias Quality": "Low quality", "Name 1": "Al"}
    snap = parse("uk", [_xlsx(tmp_path / "UK_Sanctions_List.xlsx", [aka, ROW])])
    (e,) = snap.entities
    assert snap.as_of == date(2026, 1, 2)
    assert e.names[0].full == "Alex EXAMPLE"
    assert ("Al EXAMPLE", NameKind.WEAK_ALIAS) in {(n.full, n.kind) for n in e.names}
    assert e.birth_dates == (PartialDate(1970),)
    assert e.nationalities == ("RU", "UA")
    assert [i.value for i in e.identifiers] == ["111", "222"]


def test_bad_dob_names_sheet_row_and_column(tmp_path: Path) -> None:
    bad = {**ROW, "DOB": "31/02/1970"}
    with pytest.raises(InputError) as exc:
        parse("uk", [_xlsx(tmp_path / "UK_Sanctions_List.xlsx", [ROW, bad])])
    assert (exc.value.file, exc.value.line, exc.value.field) == ("UK_Sanctions_List.xlsx", 4, "DOB")


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    p = tmp_path / "UK_Sanctions_List.xlsx"
    p.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InputError, match="cannot open"):
        parse("uk", [p])


def test_csv_wrong_column_count(tmp_path: Path) -> None:
    p = tmp_path / "subjects.csv"
    p.write_text(
        "unique_id,subject_type,un_reference_number,ofsi_group_id,date_designated,last_updated\n"
        "RUS0001,individual,,1,01/01/2022,02/01/2022\n"
        "RUS0002,individual,,2,01/01/2022\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        parse("uk", [p])
    assert (exc.value.file, exc.value.line, exc.value.field) == ("subjects.csv", 3, "row")


def test_csv_bad_date(tmp_path: Path) -> None:
    p = tmp_path / "subjects.csv"
    p.write_text(
        "unique_id,subject_type,un_reference_number,ofsi_group_id,date_designated,last_updated\n"
        "RUS0001,individual,,1,2022-13-01,02/01/2022\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        parse("uk", [p])
    assert (exc.value.line, exc.value.field, exc.value.value) == (2, "date_designated", "2022-13-01")
