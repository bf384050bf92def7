"""Name dictionaries: legal forms, titles, particles, name symbols, nicknames, generic words.

The full dictionaries are rigour's (`org_types.json`, `stopwords.json`, `symbols.json`, MIT, kept
in the shared data directory, never copied into this repository). The domain does not read files:
the caller reads the three JSON texts and passes them to `Lexicon.from_json_texts` (see
`LEXICON_DIR` and `LEXICON_FILES`). Without them `Lexicon.builtin()` is a small table of our own:
the common legal forms, titles and particles, enough for Latin and Cyrillic company names.

Every entry is stored as the tuple of normalized tokens it produces (`phrase_tokens`), so that
`ООО`, `OOO` and `O.O.O.` are one key.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rempart.domain.screening.transliterate import romanize_word

__all__ = ["LEXICON_DIR", "LEXICON_FILES", "Lexicon", "phrase_tokens", "split_words"]

LEXICON_DIR = "name_normalization_rigour"
LEXICON_FILES = ("org_types.json", "stopwords.json", "symbols.json")

Phrase = tuple[str, ...]

_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ‘`´ʻ](?=\w)")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


def _word_char(ch: str) -> bool:
    # letters, digits, and the combining marks and joiners inside words of Indic, Arabic, Persian scripts
    return ch.isalnum() or unicodedata.category(ch)[0] == "M" or ch in "\u200c\u200d"


def split_words(text: str) -> list[str]:
    """Words of a name in their own script: apostrophes inside words join, other punctuation splits."""
    if text.isascii():  # NFKC leaves ASCII as it is, and its word characters are letters and digits
        return _ASCII_WORD.findall(_APOSTROPHES.sub("", text.replace("&", " and ")))
    text = unicodedata.normalize("NFKC", text).replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    # every character that is not a word character becomes a space (no word character is a space)
    return text.translate(_SEPARATORS).split()


class _Separators(dict[int, str]):
    """For `str.translate`: a character as itself when it is a word character, else a space; each
    character decided once (at most `SIZE` remembered, then forgotten all at once)."""

    SIZE = 50_000

    def __missing__(self, code: int) -> str:
        if len(self) >= self.SIZE:
            self.clear()
        ch = chr(code)
        out = self[code] = ch if _word_char(ch) else " "
        return out


_SEPARATORS = _Separators()


def phrase_tokens(text: str) -> Phrase:
    """A phrase as the lowercase ASCII tokens the name analyzer produces for it."""
    out: list[str] = []
    for w in split_words(text):
        out.extend(romanize_word(w.lower())[1].split())
    return tuple(out)


_BUILTIN_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "LLC": (
        "LLC", "L.L.C.", "Limited Liability Company", "Ltd", "Ltd.", "Limited", "GmbH", "mbH",
        "Gesellschaft mit beschränkter Haftung", "SARL", "S.A.R.L.", "SRL", "S.R.L.", "BV", "B.V.",
        "OOO", "ООО", "Obshchestvo s Ogranichennoy Otvetstvennostyu",
        "Общество с ограниченной ответственностью", "TOV", "ТОВ", "TOO", "ТОО", "Sp. z o.o.",
        "Pty Ltd", "Pte Ltd", "Pvt Ltd", "Private Limited", "LLP", "L.L.P.", "FZE", "FZCO", "FZ-LLC",
        "FZC", "DMCC", "Kft", "s.r.o.", "d.o.o.", "ApS", "Lda", "Ltda", "S. de R.L.",
    ),
    "JSC": (
        "JSC", "Joint Stock Company", "Joint-Stock Company", "OJSC", "Open Joint Stock Company", "CJSC",
        "Closed Joint Stock Company", "PJSC", "Public Joint Stock Company", "AO", "АО", "OAO", "ОАО",
        "ZAO", "ЗАО", "PAO", "ПАО", "PAT", "ПАТ", "PrAT", "ПрАТ",
        "Aktsionernoye Obshchestvo", "Акционерное общество", "Публичное акционерное общество",
        "Открытое акционерное общество", "Закрытое акционерное общество", "AG", "Aktiengesellschaft",
        "SA", "S.A.", "Société Anonyme", "Sociedad Anónima", "SpA", "S.p.A.", "Società per Azioni", "NV",
        "N.V.", "PLC", "P.L.C.", "Public Limited Company", "AB", "ASA", "A/S", "Oyj", "KSC", "PJSC",
        "Tbk", "Berhad", "Bhd", "Sdn Bhd", "Co Ltd", "Kabushiki Kaisha", "KK",
    ),
    "CORP": ("Corp", "Corp.", "Corporation", "Inc", "Inc.", "Incorporated", "Company", "Co", "Co."),
    "LP": ("LP", "L.P.", "Limited Partnership", "KG", "Kommanditgesellschaft", "GmbH & Co. KG", "SCS"),
    "SOE": (
        "FGUP", "ФГУП", "GUP", "ГУП", "MUP", "МУП", "State Unitary Enterprise",
        "Federal State Unitary Enterprise", "FSUE", "FGBU", "ФГБУ", "State Owned Enterprise", "SOE",
    ),
    "NGO": ("NGO", "Non-Governmental Organization", "Foundation", "e.V.", "Charity", "NPO"),
}  # fmt: skip

_BUILTIN_TITLES = (
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Doctor", "Prof", "Professor", "Sir", "Dame", "Lord", "Lady",
    "Herr", "Frau", "Monsieur", "Madame", "Mme", "Senor", "Senora", "General", "Colonel", "Captain",
    "Capt", "Admiral", "President", "Hon", "Honorable", "His Excellency", "Her Excellency", "Rev",
    "Reverend", "Mister", "Mullah", "Maulavi", "Mawlawi", "Qari", "Haji", "Hajji", "Sheikh", "Shaikh",
)  # fmt: skip

_BUILTIN_PERSON_SYMBOLS: dict[str, tuple[str, ...]] = {
    "bin": ("bin", "ben", "ibn", "ibn al", "ibn ul", "бин", "ибн", "بن", "ابن"),
    "bint": ("bint", "bint al", "بنت"),
    # the article of Abd al- takes the sound of a sun letter after it: Abdur Rahman, Abdus Salam
    "abdul": (
        "abd al",
        "abd el",
        "abdul",
        "abdel",
        "abd ul",
        "abd-al",
        "عبد ال",
        "abdur",
        "abdus",
        "abduz",
        "abdush",
        "abdut",
        "abdud",
        "abdun",
        "abder",
        "abdes",
        "abd ar",
        "abd as",
        "abd az",
        "abd ash",
        "abd ad",
        "abd at",
        "abd an",
        "abd ur",
        "abd us",
        "abd er",
        "abd es",
    ),
    # al-Din in a name, joined or not, with the article as it sounds: Salah al-Din, Salahuddin, Eddine
    "uddin": (
        "al din",
        "al dyn",
        "el din",
        "ed din",
        "ad din",
        "ud din",
        "ul din",
        "al deen",
        "ud deen",
        "uddin",
        "eddin",
        "eddine",
        "uddeen",
        "aldin",
        "eldin",
        "addin",
        "ed dine",
        "el dine",
        "الدين",
    ),
    "abu": ("abu", "abou", "أبو", "ابو"),
    "sheikh": ("sheikh", "shaikh", "shaykh", "sheik", "шейх", "شيخ"),
    "haji": ("haji", "hajji", "hajj", "al hajj", "al haj", "el haj", "حاج", "حاجي"),
}

# East Slavic given names: the Russian, Ukrainian and Belarusian forms of one name (and so of the
# patronymics made from it). Spellings within a form are left to the skeleton and the fuzzy match.
_EAST_SLAVIC_NAMES = (
    "aleksandr alexander alexandr oleksandr aliaksandr alyaksandr",
    "aleksey alexei alexey oleksiy oleksii aliaksei alyaksey", "anatoliy anatoly anatolii anatol",
    "andrey andrei andriy andrii", "boris borys barys", "vasiliy vasily vasilii vasyl vasil",
    "viktor victor viktar", "vitaliy vitaly vitalii vital", "vladimir volodymyr uladzimir",
    "vyacheslav viacheslav vyachaslau viachaslau", "gennadiy gennady hennadiy hennadii henadz",
    "georgiy georgy heorhiy heorhii", "grigoriy grigory hryhoriy hryhorii ryhor",
    "dmitriy dmitry dmytro dzmitry zmitser zmitsier", "evgeniy evgeny yevhen yevheniy yauhen yauheni",
    "ekaterina kateryna katsiaryna", "elena olena alena", "ivan ivan", "igor ihor ihar",
    "ilya illia illya",
    "konstantin kostiantyn kostyantyn kanstantsin", "leonid leanid",
    "mikhail mykhailo mykhaylo mikhas", "nikolay nikolai mykola mikalai", "oleg oleh aleh",
    "olga olha volha", "pavel pavlo paval", "petr pyotr petro piotr piatro",
    "sergey sergei serhiy serhii siarhei", "stanislau stanislav", "stepan stsiapan",
    "tatyana tatiana tetiana tatsiana tatstsiana", "yuriy yury yuri yurii iurii yurij", "yakov yakiv",
    "fedor fyodor fedir fiodar", "valeriy valery valerii", "valentin valentyn valiantsin",
    "valentina valiantsina valyantsina",
    "natalya natalia nataliya natallia", "irina iryna", "anna hanna", "maksim maxim maksym",
    "roman raman", "semen semyon siamion", "timofey tymofiy tsimafei", "arkadiy arkady arkadii",
    "vadim vadym vadzim", "denis denys dzianis", "kirill kyrylo kiryl", "nikita mykyta mikita",
    "yaroslav yaraslau", "svetlana svitlana sviatlana", "lyudmila liudmyla ludmila",
    "galina halyna halina", "larisa larysa", "nadezhda nadiya nadzeya", "lyubov liubov liubou",
    "iosif yosyp osip josef", "artem artyom artiom artsiom artsyom arciom",
)  # fmt: skip

# Korean family names: the usual South Korean spelling, Revised Romanization, McCune-Reischauer (as
# North Korean names are written on the lists: PAK, CHOE, SIN, PYON).
_KOREAN_FAMILY_NAMES = (
    "park pak bak", "choi choe chwe", "shin sin", "ahn an", "bae pae", "byeon byun pyon pyun",
    "jung jeong chong chung", "kang gang", "cho jo", "yoon yun", "jang chang", "lim im rim",
    "seo so suh", "kwon gwon", "jeon chon chun jun", "ko go koh", "moon mun", "yang ryang",
    "baek paek paik", "heo ho hur", "noh no ro", "lee ri rhee yi", "kim gim", "jo cho",
    "ryu yu yoo", "hong", "song", "han", "hwang", "oh o",
)  # fmt: skip

# Particles are part of a name but say little about who it is.
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ad",
        "ed",
        "as",
        "ash",
        "ar",
        "ur",
        "ud",
        "at",
        "az",
        "bin",
        "bint",
        "ben",
        "ibn",
        "abu",
        "abul",
        "umm",
        "ould",
        "bu",
        "bo",
        "de",
        "da",
        "di",
        "do",
        "du",
        "dos",
        "das",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "ter",
        "te",
        "le",
        "la",
        "les",
        "lo",
        "mac",
        "mc",
        "st",
        "san",
        "santa",
        "y",
        "e",
        "i",
        "und",
        "and",
        "of",
        "the",
        "fu",
        "ag",
    ]
)
ORG_STOPWORDS = frozenset(
    [
        "and",
        "of",
        "the",
        "for",
        "und",
        "et",
        "y",
        "i",
        "de",
        "du",
        "des",
        "la",
        "le",
        "el",
        "al",
        "da",
        "do",
        "dos",
        "das",
        "di",
        "del",
        "zu",
    ]
)


@dataclass(frozen=True)
class Lexicon:
    """Normalized dictionaries, keyed by phrase token tuples. Build with `builtin()` or `from_json_texts()`."""

    legal_forms: Mapping[Phrase, str]  # phrase -> generic form (LLC, JSC, ...)
    person_prefixes: frozenset[Phrase]  # titles removed from the start of a person's name
    object_prefixes: frozenset[Phrase]  # "M/V", "The" before vessel and organization names
    person_symbols: Mapping[Phrase, str]  # "abd al" -> "abdul", "ibn" -> "bin", Putin's spellings -> one
    org_symbols: Mapping[Phrase, str]  # "association" / "ассоциация" -> "assoc": generic words of orgs
    nicknames: Mapping[str, frozenset[str]]  # token -> nickname groups (ben: {ben, bend})
    name_groups: Mapping[str, frozenset[str]]  # skeleton -> groups of equivalent names (Volodymyr ~ Vladimir)
    generic_names: frozenset[str]  # very common given names (mohammad, abdullah): low weight
    source: str = "builtin"
    _max_phrase: int = field(default=6)

    @classmethod
    def builtin(cls) -> Lexicon:
        legal = {phrase_tokens(a): form for form, aliases in _BUILTIN_LEGAL_FORMS.items() for a in aliases}
        symbols = {phrase_tokens(a): s for s, aliases in _BUILTIN_PERSON_SYMBOLS.items() for a in aliases}
        return cls(
            legal_forms={k: v for k, v in legal.items() if k},
            person_prefixes=frozenset(p for p in (phrase_tokens(t) for t in _BUILTIN_TITLES) if p),
            object_prefixes=frozenset({("the",), ("m", "v"), ("mv",)}),
            person_symbols={k: v for k, v in symbols.items() if k},
            org_symbols={(r,): r for r in ORG_REGIONS},
            nicknames={},
            name_groups=_name_groups(),
            generic_names=frozenset(
                {"mohammad", "mohammed", "muhammad", "mohamed", "abdullah", "ahmad", "ali"}
                # the other common spellings of the same names: a name is as common however it is spelt
                | {"mohamad", "muhammed", "mohammod", "muhamad", "ahmed", "ahmet", "abdallah", "abdulla"}
                # and as the Arabic script writes them, romanized letter by letter
                # (محمد أحمد عبدالله بلال حسن; not علي, ly, which is also the Latin surname Ly)
                | {"mhmd", "ahmd", "bdallh", "blal", "hsn"}
            ),
            source="builtin",
        )

    @classmethod
    def from_json_texts(cls, org_types: str, stopwords: str, symbols: str) -> Lexicon:
        """Build from the texts of rigour's `org_types.json`, `stopwords.json` and `symbols.json`."""
        return cls.from_mappings(json.loads(org_types), json.loads(stopwords), json.loads(symbols))

    @classmethod
    def from_mappings(cls, org_types: Any, stopwords: Any, symbols: Any) -> Lexicon:
        base = cls.builtin()
        legal: dict[Phrase, str] = dict(base.legal_forms)
        for entry in org_types:
            form = entry.get("generic") or entry.get("compare") or entry.get("display") or ""
            for alias in entry.get("aliases", ()):
                p = phrase_tokens(alias)
                if p and form:
                    legal.setdefault(p, str(form).upper())
        person_prefixes = set(base.person_prefixes)
        person_prefixes.update(_phrases(stopwords.get("person_name_prefixes", ())))
        object_prefixes = set(base.object_prefixes)
        object_prefixes.update(_phrases(stopwords.get("obj_name_prefixes", ())))
        object_prefixes.update(_phrases(stopwords.get("org_name_prefixes", ())))
        person_symbols: dict[Phrase, str] = dict(base.person_symbols)
        for group in ("person_symbols", "person_name_parts"):
            for sym, aliases in symbols.get(group, {}).items():
                for a in aliases:
                    p = phrase_tokens(a)
                    if p:
                        person_symbols.setdefault(p, sym.lower())
        org_symbols: dict[Phrase, str] = {}
        for group in ("org_symbols", "org_domains"):
            for sym, aliases in symbols.get(group, {}).items():
                for a in aliases:
                    p = phrase_tokens(a)
                    # single words only: a phrase would swallow words a typo or a legal form splits
                    if len(p) == 1 and p not in legal:
                        org_symbols.setdefault(p, sym.lower())
        for region in ORG_REGIONS:
            org_symbols.setdefault((region,), region)
        nick: dict[str, set[str]] = {}
        for sym, names in symbols.get("person_nick", {}).items():
            for n in names:
                for t in phrase_tokens(n):
                    nick.setdefault(t, set()).add(sym.lower())
        generic = set(base.generic_names)
        for g in stopwords.get("generic_person_names", ()):
            p = phrase_tokens(g)
            if len(p) == 1:
                generic.add(p[0])
        return cls(
            legal_forms=legal,
            person_prefixes=frozenset(person_prefixes),
            object_prefixes=frozenset(object_prefixes),
            person_symbols=person_symbols,
            org_symbols=org_symbols,
            nicknames={k: frozenset(v) for k, v in nick.items()},
            name_groups=base.name_groups,
            generic_names=frozenset(generic),
            source="rigour",
            _max_phrase=max((len(p) for p in (*legal, *person_symbols, *org_symbols)), default=1),
        )


# A region after a company's name is its arm there (Faberlic Europe, Nordwind Asia): a generic word
# of the name, not a distinctive one. A country is not: a company named for one is a legal person
# of its own there, and the lists name them apart (Banco Santander Chile).
ORG_REGIONS = ("europe", "european", "eurasia", "asia", "africa", "america", "americas", "pacific", "nordic")


def _name_groups() -> dict[str, frozenset[str]]:
    from rempart.domain.screening.transliterate import skeleton

    groups: dict[str, set[str]] = {}
    for line in _EAST_SLAVIC_NAMES:
        names = line.split()
        for n in names:
            groups.setdefault(skeleton(n), set()).add("es:" + names[0])
            # Ukrainian and Belarusian г is h, romanized g in the Russian manner too (Serhiy / Sergiy)
            g = re.sub(r"(?<![kzsc])h", "g", n)
            if g != n:
                groups.setdefault(skeleton(g), set()).add("es:" + names[0])
    for line in _KOREAN_FAMILY_NAMES:
        names = line.split()
        for n in names:
            groups.setdefault(skeleton(n), set()).add("ko:" + names[0])
    for line in _ARABIC_GIVEN_NAMES:
        names = line.split()
        for n in names:
            groups.setdefault(skeleton(n), set()).add(DISTINCT_NAME + names[0])
    return {k: frozenset(v) for k, v in groups.items()}


# Groups whose names are each other's spellings and never another group's: two tokens in two
# such groups are two names, however close their letters (محمد Muhammad is not Mahmud).
DISTINCT_NAME = "="
# The commonest Arabic given names that share their consonants, in their Latin spellings and as
# the Arabic script writes them (romanized letter by letter: mhmd, mhmwd, ahmd, hamd)
_ARABIC_GIVEN_NAMES = (
    "muhammad mohammad mohammed mohamed mohamad muhammed mohammod muhamad mehmet mhmd",
    "mahmud mahmoud mahmood mahmut mhmwd",
    "ahmad ahmed ahmet ahmd",
    "hamid hamed hameed hamd",
)


def _phrases(values: Iterable[str]) -> Iterable[Phrase]:
    for v in values:
        p = phrase_tokens(v)
        if p:
            yield p


def longest_phrase(tokens: Sequence[str], start: int, table: Mapping[Phrase, str], max_len: int) -> int:
    """Length of the longest phrase of `table` starting at `tokens[start]` (0 when none)."""
    for n in range(min(max_len, len(tokens) - start), 0, -1):
        if tuple(tokens[start : start + n]) in table:
            return n
    return 0
