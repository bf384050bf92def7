"""Helpers shared by the list parsers: file hashes, errors, countries, scripts, dates and names.

Nothing here knows a particular list format.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import pycountry

from rempart.domain.dates import PartialDate
from rempart.domain.lists import SourceFile
from rempart.errors import InputError

T = TypeVar("T")
_SPACES = re.compile(r"\s+")


# --------------------------------------------------------------------------- files


def source_file(path: Path) -> SourceFile:
    """The name and SHA-256 of a source file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return SourceFile(path.name, h.hexdigest())


def source_files(paths: Iterable[Path]) -> tuple[SourceFile, ...]:
    return tuple(source_file(p) for p in paths)


SOURCE_ID_MAX = 120  # the width of `version_entities.source_id` (PostgreSQL enforces it)


def bounded_source_id(source_id: str) -> str:
    """`source_id` itself when it fits the store, else a stable shortened form.

    Ids built from a name (`name:<primary name>`, `{celex}:{annex}:~{name}`, `person:<NAME>`) can
    be longer than the column; they are cut and suffixed with a digest of the whole id, so the id
    stays readable, deterministic (the same file gives the same id) and distinct."""
    if len(source_id) <= SOURCE_ID_MAX:
        return source_id
    digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:16]
    return f"{source_id[: SOURCE_ID_MAX - len(digest) - 1]}~{digest}"


def mtime_date(paths: Iterable[Path]) -> date:
    """The date of the newest file modification time (the fallback `as_of`)."""
    newest = max(p.stat().st_mtime for p in paths)
    return date.fromtimestamp(newest)


def read_text(path: Path, *, encodings: Sequence[str] = ("utf-8-sig", "cp1252")) -> str:
    """Read a text file, trying each encoding in turn; refuse a file none of them decodes."""
    data = path.read_bytes()
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("file is not text in a known encoding", file=path.name, expected=" or ".join(encodings))


def uniq(items: Iterable[T]) -> tuple[T, ...]:
    """Distinct items in first-seen order."""
    return tuple(dict.fromkeys(items))


def clean(value: object) -> str | None:
    """A trimmed cell value, or None when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# --------------------------------------------------------------------------- countries


def _table(text: str) -> dict[str, str]:
    """`name=CODE; name=CODE` pairs (one or more a line) as a dict."""
    pairs = (item.strip().rsplit("=", 1) for item in text.replace("\n", ";").split(";") if item.strip())
    return {name.strip(): code.strip() for name, code in pairs}


# names used by the lists that ISO does not spell that way
_ALIASES_TEXT = """
    russia=RU; russian federation=RU; ussr (now russian federation)=RU; belarus=BY;
    republic of belarus=BY; ukraine=UA; iran=IR; iran (islamic republic of)=IR;
    islamic republic of iran=IR; syria=SY; syrian arab republic=SY; korea, north=KP; north korea=KP;
    dprk=KP; democratic people's republic of korea=KP; korea, democratic people's republic of=KP;
    korea (north)=KP; korea, south=KR; south korea=KR; republic of korea=KR; korea (south)=KR;
    burma=MM; myanmar=MM; myanmar (burma)=MM; congo, democratic republic of the=CD;
    democratic republic of the congo=CD; congo (democratic republic)=CD; drc=CD;
    democratic republic of congo=CD; congo=CG; republic of the congo=CG; congo (republic)=CG;
    congo, republic of the=CG; palestinian=PS; state of palestine=PS; palestine=PS;
    palestinian territories=PS; occupied palestinian territories=PS; gaza=PS; west bank=PS; turkey=TR;
    türkiye=TR; turkiye=TR; taiwan=TW; vietnam=VN; viet nam=VN; laos=LA;
    macedonia, the former yugoslav republic of=MK; north macedonia, the republic of=MK;
    north macedonia=MK; macedonia=MK; man, isle of=IM; isle of man=IM; virgin islands, british=VG;
    british virgin islands=VG; the gambia=GM; gambia=GM; cabo verde=CV; cape verde=CV;
    czech republic=CZ; czechia=CZ; moldova=MD; republic of moldova=MD; tanzania=TZ;
    united republic of tanzania=TZ; kosovo=XK; bolivia=BO; venezuela=VE; united states=US; usa=US;
    u.s.a.=US; united states of america=US; united kingdom=GB; uk=GB; great britain=GB;
    united kingdom of great britain and northern ireland=GB; hong kong=HK; hong kong, china=HK;
    macau=MO; macao=MO; ivory coast=CI; cote d'ivoire=CI; côte d'ivoire=CI; brunei=BN; swaziland=SZ;
    eswatini=SZ; vatican=VA; holy see=VA; micronesia=FM; uae=AE; the netherlands=NL; netherlands=NL;
    the bahamas=BS; bahamas=BS; kyrgyz republic=KG; slovak republic=SK; st kitts and nevis=KN;
    st. kitts and nevis=KN; saint vincent and the grenadines=VC; sao tome and principe=ST;
    timor-leste=TL; east timor=TL; curacao=CW; curaçao=CW; netherlands antilles=AN;
    serbia and montenegro=CS; yugoslavia=YU; the philippines=PH; the united arab emirates=AE;
    emirates=AE; persia=IR; lao people's democratic republic=LA; bosnia-herzegovina=BA; bosnia=BA;
    myanmar/burma=MM; burma/myanmar=MM; guinea bissau=GW; britain=GB; republic of crimea=UA;
    crimea=UA; the russian federation=RU;
"""
_ALIASES = _table(_ALIASES_TEXT)

_DEMONYMS_TEXT = """
    afghan=AF; albanian=AL; algerian=DZ; american=US; angolan=AO; argentine=AR; argentinian=AR;
    armenian=AM; australian=AU; austrian=AT; azerbaijani=AZ; bahraini=BH; bangladeshi=BD;
    belarusian=BY; belarussian=BY; byelorussian=BY; belgian=BE; beninese=BJ; bolivian=BO; bosnian=BA;
    brazilian=BR; british=GB; bulgarian=BG; burkinabe=BF; burmese=MM; burundian=BI; cambodian=KH;
    cameroonian=CM; canadian=CA; central african=CF; chadian=TD; chilean=CL; chinese=CN; colombian=CO;
    comorian=KM; croatian=HR; cuban=CU; cypriot=CY; czech=CZ; danish=DK; djiboutian=DJ; dutch=NL;
    ecuadorian=EC; egyptian=EG; emirati=AE; eritrean=ER; estonian=EE; ethiopian=ET; filipino=PH;
    philippine=PH; finnish=FI; french=FR; gambian=GM; georgian=GE; german=DE; ghanaian=GH; greek=GR;
    guatemalan=GT; guinean=GN; haitian=HT; honduran=HN; hungarian=HU; icelandic=IS; indian=IN;
    indonesian=ID; iranian=IR; iraqi=IQ; irish=IE; israeli=IL; italian=IT; ivorian=CI; jamaican=JM;
    japanese=JP; jordanian=JO; kazakh=KZ; kazakhstani=KZ; kenyan=KE; kosovar=XK; kuwaiti=KW;
    kyrgyz=KG; latvian=LV; lebanese=LB; liberian=LR; libyan=LY; lithuanian=LT; luxembourgish=LU;
    macedonian=MK; malaysian=MY; malian=ML; maltese=MT; mauritanian=MR; mauritian=MU; mexican=MX;
    moldovan=MD; mongolian=MN; montenegrin=ME; moroccan=MA; mozambican=MZ; nicaraguan=NI; nigerian=NG;
    nigerien=NE; north korean=KP; norwegian=NO; omani=OM; pakistani=PK; panamanian=PA; paraguayan=PY;
    peruvian=PE; polish=PL; portuguese=PT; qatari=QA; romanian=RO; russian=RU; rwandan=RW;
    salvadoran=SV; saudi=SA; saudi arabian=SA; senegalese=SN; serbian=RS; sierra leonean=SL;
    singaporean=SG; slovak=SK; slovenian=SI; somali=SO; south african=ZA; south korean=KR;
    south sudanese=SS; spanish=ES; sri lankan=LK; sudanese=SD; swedish=SE; swiss=CH; syrian=SY;
    tajik=TJ; tajikistani=TJ; tanzanian=TZ; thai=TH; togolese=TG; trinidadian=TT; tunisian=TN;
    turkish=TR; turkmen=TM; ugandan=UG; ukrainian=UA; uruguayan=UY; uzbek=UZ; uzbekistani=UZ;
    venezuelan=VE; vietnamese=VN; yemeni=YE; zambian=ZM; zimbabwean=ZW; new zealander=NZ;
    congolese=CD;
"""
_DEMONYMS = _table(_DEMONYMS_TEXT)


def _build_country_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        code = str(c.alpha_2)
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table[_norm_country(str(value))] = code
        table[str(c.alpha_3).lower()] = code
    for hist in pycountry.historic_countries:
        hist_name = getattr(hist, "name", None)
        hist_code = getattr(hist, "alpha_2", None)
        if hist_name and hist_code:
            table.setdefault(_norm_country(str(hist_name)), str(hist_code))
    table.update({_norm_country(k): v for k, v in _ALIASES.items()})
    table.update({_norm_country(k): v for k, v in _DEMONYMS.items()})
    return table


def _norm_country(text: str) -> str:
    t = _SPACES.sub(" ", text.strip().strip(".").lower())
    t = t.removeprefix("the ")
    return t.replace("’", "'")


_COUNTRIES: dict[str, str] | None = None


def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name, demonym or code; None when unknown."""
    if not text:
        return None
    return _country_code(text)


@functools.lru_cache(maxsize=16384)
def _country_code(text: str) -> str | None:
    global _COUNTRIES
    if _COUNTRIES is None:
        _COUNTRIES = _build_country_table()
    raw = text.strip()
    if len(raw) == 2 and raw.isalpha():
        # only an upper-case pair is a code ("na" is a placeholder, not Namibia)
        if not raw.isupper():
            return None
        if pycountry.countries.get(alpha_2=raw) is not None or raw == "XK":
            return raw
    key = _norm_country(text)
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    # "Russian Federation (as of 2014)", "possibly Palestinian", "Syria, Damascus"...
    key2 = re.sub(r"\s*\(.*?\)\s*", " ", key).strip()
    key2 = re.sub(r"^(possibly|probably|reportedly|allegedly) ", "", key2)
    return _COUNTRIES.get(key2)


def country_codes(texts: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes, unknown values) for some country names."""
    codes: list[str] = []
    unknown: list[str] = []
    for t in texts:
        code = country_code(t)
        if code:
            codes.append(code)
        elif t.strip():
            unknown.append(t.strip())
    return uniq(codes), uniq(unknown)


_COUNTRY_SEP = re.compile(r"\s*(?:,|/|;|\.\s|\band\b|\([a-z]\))\s*")


def split_country_list(values: Iterable[str]) -> list[str]:
    """Split `Ukrainian, Russian`, `(a) German, (b) Moroccan`, `Syrian/Iranian`, `Germany. Russia`.

    A value that is a known country as a whole (`Korea, North`) is kept whole.
    """
    out: list[str] = []
    for v in values:
        if country_code(v):
            out.append(v)
            continue
        parts = [p.strip(" .") for p in _COUNTRY_SEP.split(v) if p and p.strip(" .")]
        if parts and all(country_code(p) for p in parts):
            out.extend(parts)
        else:
            out.append(v)
    return out


# --------------------------------------------------------------------------- scripts

_SCRIPT_PREFIXES = (
    ("LATIN", "Latn"),
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
    ("CJK", "Hani"),
    ("HANGUL", "Hang"),
    ("HIRAGANA", "Jpan"),
    ("KATAKANA", "Jpan"),
    ("HEBREW", "Hebr"),
    ("GREEK", "Grek"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Deva"),
    ("ETHIOPIC", "Ethi"),
    ("BENGALI", "Beng"),
    ("TAMIL", "Taml"),
    ("MYANMAR", "Mymr"),
    ("KHMER", "Khmr"),
    ("SYRIAC", "Syrc"),
    ("THAANA", "Thaa"),
    ("GURMUKHI", "Guru"),
    ("LAO", "Laoo"),
    ("TIBETAN", "Tibt"),
    ("MONGOLIAN", "Mong"),
    ("SINHALA", "Sinh"),
)


def detect_script(text: str) -> str:
    """ISO 15924 code of the script most letters of `text` are written in (Latn when none)."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        if ch.isascii():
            counts["Latn"] = counts.get("Latn", 0) + 1
            continue
        name = unicodedata.name(ch, "")
        for prefix, code in _SCRIPT_PREFIXES:
            if name.startswith(prefix):
                counts[code] = counts.get(code, 0) + 1
                break
    if not counts:
        return "Latn"
    return max(counts.items(), key=lambda kv: kv[1])[0]


# --------------------------------------------------------------------------- dates

_MONTHS = {
    m: i + 1
    for i, ms in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in ms
}

_D_MON_Y = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_MON_Y = re.compile(r"^([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_M_SLASH_Y = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.]+Z?)?$")
_YEAR = re.compile(r"^(\d{4})$")


def _partial(y: int, m: int | None, d: int | None) -> PartialDate | None:
    if m == 0:
        m, d = None, None
    if d == 0:
        d = None
    try:
        return PartialDate(y, m, d)
    except ValueError:
        return None


def parse_partial_date(text: str | None) -> PartialDate | None:
    """One date in the shapes the lists print, or None when the text is not one of them.

    Accepts `1972`, `1972-11`, `1972-11-26`, `26.11.1972`, `26/11/1972` (day first; `00` parts
    mean unknown), `11/1972`, `26 Nov 1972`, `26 Nov. 1972`, `26 November 1972`, `Nov 1972`.
    """
    if not text:
        return None
    t = text.strip().rstrip(",;")
    if m := _YEAR.match(t):
        return _partial(int(m.group(1)), None, None)
    if m := _ISO_DATE.match(t):
        y, mo, d = m.groups()
        return _partial(int(y), int(mo) if mo else None, int(d) if d else None)
    if m := _DOTTED.match(t) or _SLASHED.match(t):
        return _partial(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := _M_SLASH_Y.match(t):
        return _partial(int(m.group(2)), int(m.group(1)), None)
    if m := _D_MON_Y.match(t):
        mon = _MONTHS.get(m.group(2).lower())
        return _partial(int(m.group(3)), mon, int(m.group(1))) if mon else None
    if m := _MON_Y.match(t):
        mon = _MONTHS.get(m.group(1).lower())
        return _partial(int(m.group(2)), mon, None) if mon else None
    return None


_RANGE = re.compile(r"^(.+?)\s*(?:\bto\b|-|–|\band\b)\s*(.+)$")
_ALTERNATIVES = re.compile(r"\s+or\s+|\s*[,;]?\s*\([a-z]\)\s*", re.I)
_APPROX = re.compile(r"^(?:circa|ca\.?|c\.|approximately|approx\.?|about|around|between)\s+", re.I)


def parse_birth_dates(text: str | None) -> tuple[PartialDate, ...]:
    """Birth dates from free text: a date, `circa 1951`, `Approximately 1963`, or a range.

    A range (`1951 to 1953`, `01 Jan 1960 to 31 Dec 1962`, `circa 1970-1972`, `between 1973 and 1974`)
    gives each year it spans, at year precision, when it spans at most 12 years; its two ends
    otherwise. Returns () when nothing is recognised (the caller keeps the text in remarks).
    """
    if not text:
        return ()
    t = re.sub(r"\s*\((?:approximately|approx\.?|circa)\)$", "", text.strip().rstrip("."), flags=re.I)
    alternatives = [a for a in _ALTERNATIVES.split(t) if a.strip()]
    if len(alternatives) > 1:
        out: list[PartialDate] = []
        for alt in alternatives:
            out.extend(parse_birth_dates(alt.strip().strip(",")))
        return tuple(out)
    t = _APPROX.sub("", t.strip().strip(","))
    single = parse_partial_date(t)
    if single:
        return (single,)
    m = _RANGE.match(t)
    if not m:
        return ()
    a = parse_partial_date(_APPROX.sub("", m.group(1)))
    b = parse_partial_date(_APPROX.sub("", m.group(2)))
    if not a or not b:
        return ()
    if a.year <= b.year and b.year - a.year <= 12:
        return tuple(PartialDate(y) for y in range(a.year, b.year + 1))
    return (a, b)


def to_date(pd: PartialDate | None) -> date | None:
    """A full date from a day-precision partial date."""
    if pd is None or pd.month is None or pd.day is None:
        return None
    return date(pd.year, pd.month, pd.day)


def require_date(
    text: str, *, file: str, line: int | None = None, element: str | None = None, field: str
) -> date:
    """A full calendar date from a structured date field, or an InputError saying where."""
    d = to_date(parse_partial_date(text))
    if d is None:
        raise InputError(
            "not a valid date",
            file=file,
            line=line,
            element=element,
            field=field,
            expected="a calendar date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or DD Mon YYYY)",
            value=text,
        )
    return d


# --------------------------------------------------------------------------- names


def split_last_first(full: str) -> tuple[str | None, str | None]:
    """`LAST, First Middle` -> (first, last); (None, None) when the name has no single comma."""
    if full.count(",") != 1:
        return None, None
    last, first = (p.strip() for p in full.split(","))
    if not last or not first:
        return None, None
    return first, last


_NUMBERED = re.compile(r"\(\d+\)\s*")


def split_numbered(text: str | None) -> list[str]:
    """`(1) A. (2) B` -> ["A", "B"]; a plain value -> [value]."""
    if not text:
        return []
    if not _NUMBERED.search(text):
        return [text.strip()]
    parts = [p.strip().rstrip(".").strip() for p in _NUMBERED.split(text)]
    return [p for p in parts if p]


def read_csv_dicts(
    path: Path,
    header: Sequence[str],
    *,
    expected_header: str | None = None,
    encodings: Sequence[str] = ("utf-8-sig", "cp1252"),
) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of a headed CSV whose header must be exactly `header`; cells stripped, blank rows
    skipped. Errors name the file, the line and what was expected."""
    text = read_text(path, encodings=encodings)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        head = next(reader, None)
        if head != list(header):
            raise InputError(
                "unexpected header",
                file=path.name,
                line=1,
                field="header",
                expected=expected_header or ",".join(header),
                value=",".join(head or [])[:200],
            )
        out: list[tuple[int, dict[str, str]]] = []
        start = 2
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row:
                continue
            if len(row) != len(header):
                raise InputError(
                    "wrong number of columns",
                    file=path.name,
                    line=line,
                    field="row",
                    expected=f"{len(header)} columns",
                    value=str(len(row)),
                )
            out.append((line, dict(zip(header, (c.strip() for c in row), strict=True))))
        return out
    except csv.Error as exc:
        raise InputError(
            f"malformed CSV: {exc}", file=path.name, line=reader.line_num, expected="RFC 4180 CSV"
        ) from exc
