"""UN Security Council consolidated XML parser, on the real 2026-02-27 file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListSnapshot, NameKind
from rempart.errors import InputError


@pytest.fixture(scope="module")
def un_file(shared_data: Path) -> Path:
    return shared_data / "un_sc_consolidated_2026-02-27_watchman" / "UN_consolidated.xml"


@pytest.fixture(scope="module")
def un(un_file: Path) -> ListSnapshot:
    return parse("un", [un_file])


def test_counts_and_date(un: ListSnapshot) -> None:
    counts = un.counts()
    assert counts["schema.Person"] == 730
    assert counts["schema.Organization"] == 273
    assert counts["entities"] == 1003
    assert un.as_of == date(2026, 2, 27)
    assert un.list_name == "un"
    assert len({e.source_id for e in un.entities}) == 1003


def test_person_fields(un: ListSnapshot) -> None:
    e = {x.source_id: x for x in un.entities}["6907995"]
    assert e.names[0].full == "GASTON IYAMUREMYE"
    assert (e.names[0].first, e.names[0].last) == ("GASTON", "IYAMUREMYE")
    assert ("Rumuli", NameKind.WEAK_ALIAS) in {(n.full, n.kind) for n in e.names}
    assert ("Victor Rumuri", NameKind.ALIAS) in {(n.full, n.kind) for n in e.names}
    assert e.birth_dates == (PartialDate(1948),)
    assert e.nationalities == ("RW",)
    assert e.listed_on == date(2010, 12, 1)
    assert e.programs == ("DRC",)
    assert e.gender == "male"


def test_original_script_names_and_ranges(un: ListSnapshot) -> None:
    arabic = [n for e in un.entities for n in e.names if n.script == "Arab"]
    assert any(n.full == "صدام حسين التكريتي" for n in arabic)
    # BETWEEN FROM_YEAR..TO_YEAR ranges give every year
    ranged = [
        e for e in un.entities if PartialDate(1973) in e.birth_dates and PartialDate(1974) in e.birth_dates
    ]
    assert ranged
    # a listing date with a time-zone suffix (2015-04-07-04:00) is read as a date
    assert any(e.listed_on == date(2015, 4, 7) for e in un.entities)
    # previous names from f.k.a.
    assert any(n.kind is NameKind.PREVIOUS and n.full == "NALU" for e in un.entities for n in e.names)


def test_truncated_xml_is_refused_with_line(un_file: Path, tmp_path: Path) -> None:
    data = un_file.read_bytes()
    bad = tmp_path / "UN_consolidated.xml"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as exc:
        parse("un", [bad])
    err = exc.value
    assert err.file == "UN_consolidated.xml"
    assert err.line is not None and err.line > 1000
    assert err.element is not None and err.element.startswith("CONSOLIDATED_LIST")
    assert "well-formed" in (err.expected or "")


XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-02T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>ALEX</FIRST_NAME><SECOND_NAME>EXAMPLE</SECOND_NAME>
<UN_LIST_TYPE>TEST</UN_LIST_TYPE><LISTED_ON>{listed}</LISTED_ON>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>{dob}</DATE></INDIVIDUAL_DATE_OF_BIRTH>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""


def test_small_file(tmp_path: Path) -> None:
    p = tmp_path / "un.xml"
    p.write_text(XML.format(listed="2020-01-01", dob="1970-05-06"), encoding="utf-8")
    snap = parse("un", [p])
    assert snap.as_of == date(2026, 1, 2)
    assert snap.entities[0].birth_dates == (PartialDate(1970, 5, 6),)


@pytest.mark.parametrize(
    ("listed", "dob", "field"),
    [("2020-01-01", "1970-13-45", "DATE"), ("someday", "1970-05-06", "LISTED_ON")],
)
def test_bad_date_names_element_and_field(tmp_path: Path, listed: str, dob: str, field: str) -> None:
    p = tmp_path / "un.xml"
    p.write_text(XML.format(listed=listed, dob=dob), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse("un", [p])
    assert exc.value.file == "un.xml"
    assert exc.value.field == field
    assert exc.value.element is not None and "DATAID=1" in exc.value.element


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "bomb.xml"
    p.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<CONSOLIDATED_LIST dateGenerated="2026-01-01">&b;</CONSOLIDATED_LIST>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="forbidden XML"):
        parse("un", [p])
