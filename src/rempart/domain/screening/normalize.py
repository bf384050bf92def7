"""From a name as written to the tokens the matcher compares.

`analyze_name("PUTIN, Vladimir Vladimirovich", "Person", lexicon)` gives the tokens `putin`,
`vladimir`, `vladimirovich` (a patronymic), each with its romanization, its spelling skeleton, its
consonants, its kind and its weight. The steps, in order:

1. Unicode NFKC; `&` becomes `and`; apostrophes inside words join (Qa'ida -> qaida); every other
   punctuation mark splits (commas, so name order does not matter; hyphens; dots of initials).
2. Each word is romanized from its own script (`transliterate.romanize_word`), diacritics dropped
   (carons as digraphs: č ch, š sh, ž zh), lowercased; in a person's name, digits inside a word
   are the letters they stand for (Ig0r Sech1n).
3. Dictionary phrases are matched on the token sequence: titles at the start of a person's name
   are removed (Dr, Sheikh, His Excellency); legal forms of organizations (ООО, OOO, LLC, GmbH, AG,
   Joint Stock Company...) are taken out of the name and kept apart as a generic form (LLC, JSC);
   name symbols are unified (ibn / ben / bin, Abd al / Abdul, the spellings of Qaddafi); generic
   words of organization names (bank, association, company) are unified and weigh less.
4. Every token gets a kind (name, particle, generic, initial, number, patronymic) and a weight;
   East Slavic given names and the patronymics made from them get their name group (Oleksiy,
   Aleksey, Aliaksei; Oleksiyovych, Alekseevich). A person's name records its "son of" chain
   (`NameForm.lineage`: X bin Y). The skeleton of a romanized Hangul word keeps its j a consonant
   (설주 seolju: solju, as Sol Ju merged), where `skeleton` reads a j inside a word as a glide.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum

from rempart.domain.screening.lexicon import ORG_STOPWORDS, PARTICLES, Lexicon, longest_phrase, split_words
from rempart.domain.screening.transliterate import (
    ABJAD_SCRIPTS,
    consonants,
    j_consonant_skeleton,
    romanize_given_name,
    romanize_word,
    skeleton,
    syllable_count,
    vowel_gaps,
    word_script,
)

__all__ = [
    "NameForm",
    "Token",
    "TokenKind",
    "analyze_name",
    "is_org_schema",
    "merge_tokens",
    "merged_tokens",
    "schema_family",
]


class TokenKind(StrEnum):
    NAME = "name"
    PARTICLE = "particle"  # al, bin, de, van...
    GENERIC = "generic"  # very common given names; generic words of organization names
    INITIAL = "initial"
    NUMBER = "number"
    PATRONYMIC = "patronymic"
    TITLE = "title"  # a title or honorific left inside the name (sheikh, haji)


_WEIGHT_FACTOR = {
    TokenKind.NAME: 1.0,
    TokenKind.PARTICLE: 0.15,
    TokenKind.GENERIC: 0.45,
    TokenKind.INITIAL: 0.0,  # initials weigh a fixed 0.6, see _weight
    TokenKind.NUMBER: 0.0,  # numbers weigh a fixed 4.0: a different number is a different entity
    TokenKind.PATRONYMIC: 0.7,
    TokenKind.TITLE: 0.1,
}
_TITLE_SYMBOLS = frozenset({"sheikh", "haji", "dr", "prof", "jr", "sr", "md", "phd", "esq", "cfa", "cpa"})
_PATRONYMIC = re.compile(
    r"(ovich|evich|ovych|evych|yevich|ovna|evna|ivna|yevna|ichna|ovitch|evitch|ogly|kyzy|uly"
    r"|avich|auna|euna)$"  # Belarusian: Barysavich, Mikhailauna
)
_ABD_AL_GAPS = vowel_gaps("abdal")  # a medial a: Latin a, o, u or (Maghreb) e
_PATRONYMIC_STEM = re.compile(r"^(.+?)[aeiou]?(vich|vech|vna|una|ich|ichna)$")
_ORG_SCHEMAS = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})


def is_org_schema(schema: str) -> bool:
    return schema in _ORG_SCHEMAS


def schema_family(schema: str) -> str:
    """person, org, vessel, aircraft or any (unknown schemas meet every party). LegalEntity counts as
    an organization: the lists type persons as Person, and LegalEntity is what they give companies."""
    if schema == "Person":
        return "person"
    if schema in ("Organization", "Company", "PublicBody", "LegalEntity"):
        return "org"
    if schema == "Vessel":
        return "vessel"
    if schema in ("Aircraft", "Airplane"):
        return "aircraft"
    return "any"


_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")
_ROMAN = frozenset(
    [
        "ii",
        "iii",
        "iv",
        "vi",
        "vii",
        "viii",
        "ix",
        "xi",
        "xii",
        "xiii",
        "xiv",
        "xv",
        "xvi",
        "xvii",
        "xviii",
        "xix",
        "xx",
    ]
)
_ROMAN_VALUE = {
    r: str(i)
    for i, r in enumerate(
        [
            "_",
            "i",
            "ii",
            "iii",
            "iv",
            "v",
            "vi",
            "vii",
            "viii",
            "ix",
            "x",
            "xi",
            "xii",
            "xiii",
            "xiv",
            "xv",
            "xvi",
            "xvii",
            "xviii",
            "xix",
            "xx",
        ]
    )
    if r != "_"
}


# every token `_numbers` may convert starts with a digit (ordinals, numbers) or is one of these
_NUMBER_WORDS = frozenset({*_UNITS, *_TENS, *_ROMAN})
_DIGIT = re.compile(r"\d")  # tokens are romanized: ASCII letters and digits


def _numbers(tokens: list[str], scripts: list[str], is_person: bool) -> tuple[list[str], list[str]]:
    """Number words, ordinals and roman numerals as digits: Forty-Four / 44, 1st / First, II / 2."""
    if _NUMBER_WORDS.isdisjoint(tokens) and not _DIGIT.search(" ".join(tokens)):
        return tokens, scripts  # nothing to convert (most names)
    out: list[str] = []
    out_scripts: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        m = _ORDINAL.match(t)
        value: str | None = None
        used = 1
        if m:
            value = str(int(m.group(1)))
        elif t in _TENS:
            n = _TENS[t]
            if i + 1 < len(tokens) and tokens[i + 1] in _UNITS and 0 < _UNITS[tokens[i + 1]] < 10:
                n += _UNITS[tokens[i + 1]]
                used = 2
            value = str(n)
        elif t in _UNITS and not is_person:
            value = str(_UNITS[t])
        elif t in _ROMAN and not is_person:
            value = _ROMAN_VALUE[t]
        elif t.isdigit():
            value = str(int(t)) if len(t) < 18 else t
        out.append(value if value is not None else t)
        out_scripts.append(scripts[i])
        i += used
    return out, out_scripts


_LEET = str.maketrans("01345789", "oieastbg")


def _unleet(tok: str) -> str:
    """Digits standing for letters inside a person's name part (Ig0r Sech1n, I9or) are letters:
    a person's name has no digits in its words."""
    if tok.isalpha() or tok.isdigit() or not any(c.isalpha() for c in tok):
        return tok
    return tok.translate(_LEET)


_CONSONANTS_ONLY = re.compile(r"^[bcdfghjklmnpqrstvwxz]{2,3}$")
_NOT_INITIALS = frozenset({"ng", "nh", "ph", "th", "sh", "ch"})  # surnames and romanized syllables (Ng)


def _initials_together(
    tokens: list[str], scripts: list[str], titles: AbstractSet[tuple[str, ...]]
) -> tuple[list[str], list[str]]:
    """A person's name part of two or three consonants and no vowel is initials written together
    (JC Juncker, JR R Tolkien): each letter becomes an initial. Titles (Dr, Jr, Mr, Mrs) are not."""
    if not any(_CONSONANTS_ONLY.match(t) for t in tokens):
        return tokens, scripts
    out: list[str] = []
    out_scripts: list[str] = []
    for t, s in zip(tokens, scripts, strict=True):
        if (
            s == "Latn"
            and _CONSONANTS_ONLY.match(t)
            and t not in _NOT_INITIALS
            and t not in _TITLE_SYMBOLS
            and (t,) not in titles
        ):
            out.extend(t)
            out_scripts.extend([s] * len(t))
        else:
            out.append(t)
            out_scripts.append(s)
    return out, out_scripts


def _acronyms(tokens: list[str], scripts: list[str]) -> tuple[list[str], list[str]]:
    """Runs of single letters of an organization's name as one token: A.B.C. / ABC."""
    out: list[str] = []
    out_scripts: list[str] = []
    run: list[str] = []
    for t, s in [*zip(tokens, scripts, strict=True), ("", "")]:
        if len(t) == 1 and t.isalpha():
            run.append(t)
            continue
        if run:
            out.append("".join(run))
            out_scripts.append("Latn")
            run = []
        if t:
            out.append(t)
            out_scripts.append(s)
    return out, out_scripts


@dataclass(frozen=True, slots=True)
class Token:
    """One name part: `text` romanized ASCII, `skel` its spelling skeleton, `cons` its consonants."""

    text: str
    skel: str
    cons: str
    kind: TokenKind
    weight: float
    abjad: bool = False  # written in a script without vowels: compared on consonants
    syllabic: bool = False  # romanized syllable by syllable (Hangul, Chinese): no fuzzy spellings
    groups: frozenset[str] = frozenset()  # nickname groups (bill ~ william)
    vows: str = ""  # transliterate.vowel_gaps(skel): the vowel classes between the consonants
    cyrillic: bool = False  # romanized from Cyrillic: Belarusian and Russian forms may meet (akanye)


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name ready to compare: its tokens, and the legal forms taken out of it."""

    original: str
    tokens: tuple[Token, ...]
    legal_forms: frozenset[str] = frozenset()
    scripts: frozenset[str] = frozenset()
    family: str = "person"  # schema_family() of the party the name belongs to
    # merged[i]: tokens i and i+1 as one (Abdul Hai -> abdulhai), None where they do not merge
    # (numbers, initials). Computed once here so that comparisons do not rebuild them.
    merged: tuple[Token | None, ...] = ()
    # lineage[i]: how many "son of" links (bin, ben, ibn, ould) come before token i; () when none
    lineage: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.tokens)


def _weight(kind: TokenKind, text: str) -> float:
    if kind is TokenKind.INITIAL:
        return 0.6
    if kind is TokenKind.NUMBER:
        return 4.0
    return max(1.0, min(len(text), 10)) * _WEIGHT_FACTOR[kind]


def make_token(
    text: str,
    kind: TokenKind,
    lexicon: Lexicon,
    abjad: bool = False,
    groups: frozenset[str] = frozenset(),
    syllabic: bool = False,
    cyrillic: bool = False,
    hangul: bool = False,
) -> Token:
    skel = j_consonant_skeleton(text) if hangul else skeleton(text)
    nick = lexicon.nicknames.get(text)
    eq = lexicon.name_groups.get(skel)
    if eq and syllable_count(text) > 1 and any(g.startswith("ko:") for g in eq):
        # a Korean family name is one syllable: 서영 seoyeong has the skeleton of Song, not its name
        eq = frozenset(g for g in eq if not g.startswith("ko:")) or None
    if eq is None and kind is TokenKind.PATRONYMIC:
        m = _PATRONYMIC_STEM.match(skel)
        if m:
            stem = m.group(1)  # Nikolaevich -> nikola(i), Sergeevich -> serge(i), Aleksandrovich -> aleksandr
            # the stem as the given name's skeleton: Aleksivich -> aleks(ei), Pavlovich -> pav(e)l
            eq = None
            # Belarusian: Mikalaeuna -> mikal(ai), Siarhaevich -> siarh(ei)
            for given in (
                stem,
                stem + "i",
                stem + "ei",
                stem[:-1] + "e" + stem[-1:],
                stem + "ai",
                stem[:-1] + "ei",
            ):
                eq = lexicon.name_groups.get(given)
                if eq:
                    break
            eq = frozenset("p" + g for g in eq) if eq else None  # patronymics meet patronymics only
    if eq:
        nick = nick | eq if nick else eq
    return Token(
        text=text,
        skel=skel,
        cons=consonants(skel, abjad),
        kind=kind,
        weight=_weight(kind, text),
        abjad=abjad,
        syllabic=syllabic,
        groups=groups | nick if nick else groups,
        # Abd al- in the Arabic script writes no vowel in the article (Abdel, Abdul, Abdoul)
        vows=_ABD_AL_GAPS if abjad and text == "abdul" else vowel_gaps(skel, abjad),
        cyrillic=cyrillic,
    )


MEMO_SIZE = 100_000  # analysed name parts remembered per lexicon (then forgotten all at once)


class _TokenMemo:
    """The tokens `make_token` made for one lexicon, and the merged pairs `merge_tokens` made of them.

    Customer bases repeat given names and surnames, and a token depends only on its text, its kind,
    its flags and the lexicon: so each is made once, and names holding it share the one object (a
    token is frozen). Merged pairs are remembered by the identities of the two tokens; the entry
    holds both, so that their ids cannot be reused while it is kept. Each table holds at most
    `MEMO_SIZE` entries, then is emptied."""

    __slots__ = ("_merged", "_plain", "_tokens", "_words", "first_words", "lexicon")

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._tokens: dict[tuple[str, TokenKind, bool, frozenset[str], bool, bool, bool], Token] = {}
        self._plain: dict[tuple[str, bool, bool, bool, bool, bool, bool], Token] = {}
        self._merged: dict[tuple[int, int], tuple[Token, Token, Token | None]] = {}
        self._words: dict[str, tuple[str, tuple[str, ...]]] = {}
        # per dictionary of the lexicon (by id), the words its phrases start with: a word that starts
        # none is looked up no further
        self.first_words: dict[int, frozenset[str]] = {
            id(table): frozenset(p[0] for p in table if p)
            for table in (
                lexicon.legal_forms,
                lexicon.org_symbols,
                lexicon.person_symbols,
                lexicon.person_prefixes,
                lexicon.object_prefixes,
            )
        }

    def token(
        self,
        text: str,
        kind: TokenKind,
        abjad: bool = False,
        groups: frozenset[str] = frozenset(),
        syllabic: bool = False,
        cyrillic: bool = False,
        hangul: bool = False,
    ) -> Token:
        """make_token(text, kind, lexicon, abjad, groups, syllabic, cyrillic, hangul)."""
        key = (text, kind, abjad, groups, syllabic, cyrillic, hangul)
        tok = self._tokens.get(key)
        if tok is None:
            if len(self._tokens) >= MEMO_SIZE:
                self._tokens.clear()
            tok = self._tokens[key] = make_token(
                text, kind, self.lexicon, abjad, groups, syllabic, cyrillic, hangul
            )
        return tok

    def plain(
        self,
        text: str,
        is_person: bool,
        not_first: bool,
        abjad: bool,
        syllabic: bool,
        cyrillic: bool,
        hangul: bool = False,
    ) -> Token:
        """The token of a word that is no dictionary phrase: its kind from `_kind`, no groups."""
        key = (text, is_person, not_first, abjad, syllabic, cyrillic, hangul)
        tok = self._plain.get(key)
        if tok is None:
            if len(self._plain) >= MEMO_SIZE:
                self._plain.clear()
            kind = _kind(text, is_person, 1 if not_first else 0, self.lexicon)
            tok = self._plain[key] = make_token(
                text, kind, self.lexicon, abjad, syllabic=syllabic, cyrillic=cyrillic, hangul=hangul
            )
        return tok

    def word(self, word: str) -> tuple[str, tuple[str, ...]]:
        """The script of a word and the parts of its romanization (`romanize_word` of it lowercased)."""
        got = self._words.get(word)
        if got is None:
            if len(self._words) >= MEMO_SIZE:
                self._words.clear()
            script, latin = romanize_word(word.lower())
            got = self._words[word] = (script, tuple(latin.split()))
        return got

    def merged(self, tokens: Sequence[Token]) -> tuple[Token | None, ...]:
        """merged_tokens(tokens)."""
        out: list[Token | None] = []
        table = self._merged
        for a, b in itertools.pairwise(tokens):
            got = table.get((id(a), id(b)))
            if got is None or got[0] is not a or got[1] is not b:
                if len(table) >= MEMO_SIZE:
                    table.clear()
                m = merge_tokens(a, b) if a.kind not in _UNMERGED and b.kind not in _UNMERGED else None
                table[(id(a), id(b))] = (a, b, m)
                out.append(m)
            else:
                out.append(got[2])
        return tuple(out)

    def __len__(self) -> int:
        return len(self._tokens) + len(self._plain) + len(self._merged) + len(self._words)


_memos: dict[int, _TokenMemo] = {}


def _memo(lexicon: Lexicon) -> _TokenMemo:
    """The token memo of a lexicon (it holds the lexicon, so that its id is not reused meanwhile)."""
    memo = _memos.get(id(lexicon))
    if memo is None or memo.lexicon is not lexicon:
        if len(_memos) >= 8:
            _memos.clear()
        memo = _memos[id(lexicon)] = _TokenMemo(lexicon)
    return memo


_GLUED_LEGAL_FORM = re.compile(r"(?<=[a-z])([A-Z][A-Za-z]{1,4})\b")


def _unglue(m: re.Match[str], lexicon: Lexicon) -> str:
    """A legal form written onto the name in capitals (SiemensAG, NordwindGmbH) as a word of its own."""
    form = m.group(1)
    return " " + form if (form.lower(),) in lexicon.legal_forms else form


def analyze_name(name: str, schema: str, lexicon: Lexicon) -> NameForm:
    """Tokens of one name of a party of the given schema (Person, Organization, Company, Vessel...)."""
    memo = _memo(lexicon)
    raw: list[str] = []
    scripts: list[str] = []
    family = schema_family(schema)
    is_person = family == "person"
    if not is_person:
        name = _GLUED_LEGAL_FORM.sub(lambda m: _unglue(m, lexicon), name)
    words = split_words(name)
    given = _cjk_given_names(words)
    for k, word in enumerate(words):
        if k in given:
            script, latin = romanize_given_name(word)
            parts: Sequence[str] = latin.split()
        else:
            script, parts = memo.word(word)
        raw.extend(parts)
        scripts.extend([script] * len(parts))
    is_org = family in ("org", "any") and schema != "Person"

    if is_person:
        raw = [_unleet(t) for t in raw]
        raw, scripts = _initials_together(raw, scripts, lexicon.person_prefixes)
    raw, scripts = _numbers(raw, scripts, is_person)
    if not is_person:
        raw, scripts = _acronyms(raw, scripts)
    # titles and prefixes at the start
    prefixes = lexicon.person_prefixes if is_person else lexicon.object_prefixes
    starts = memo.first_words[id(prefixes)]
    while True:
        n = _prefix_len(raw, prefixes) if raw and raw[0] in starts else 0
        if n == 0 or n >= len(raw):
            break
        raw, scripts = raw[n:], scripts[n:]

    tokens: list[Token] = []
    legal: set[str] = set()
    i = 0
    max_len = lexicon._max_phrase
    legal_starts = memo.first_words[id(lexicon.legal_forms)]
    org_starts = memo.first_words[id(lexicon.org_symbols)]
    person_starts = memo.first_words[id(lexicon.person_symbols)]
    while i < len(raw):
        abjad = scripts[i] in ABJAD_SCRIPTS
        syllabic = scripts[i] in _CJK
        cyrillic, hangul = scripts[i] == "Cyrl", scripts[i] == "Hang"
        if is_org:
            n = longest_phrase(raw, i, lexicon.legal_forms, max_len) if raw[i] in legal_starts else 0
            if n:
                legal.add(lexicon.legal_forms[tuple(raw[i : i + n])])
                i += n
                continue
            n = longest_phrase(raw, i, lexicon.org_symbols, max_len) if raw[i] in org_starts else 0
            if n:
                sym = lexicon.org_symbols[tuple(raw[i : i + n])]
                text = raw[i] if n == 1 else sym
                tokens.append(memo.token(text, TokenKind.GENERIC, groups=frozenset({sym})))
                i += n
                continue
            if raw[i] in ORG_STOPWORDS:
                i += 1
                continue
        else:
            n = longest_phrase(raw, i, lexicon.person_symbols, max_len) if raw[i] in person_starts else 0
            if n:
                sym = lexicon.person_symbols[tuple(raw[i : i + n])]
                text = raw[i] if n == 1 else sym
                kind = (
                    TokenKind.TITLE if sym in _TITLE_SYMBOLS else _kind(text, is_person, len(tokens), lexicon)
                )
                tokens.append(memo.token(text, kind, abjad, frozenset({sym}), syllabic, cyrillic, hangul))
                i += n
                continue
        tokens.append(memo.plain(raw[i], is_person, len(tokens) > 0, abjad, syllabic, cyrillic, hangul))
        i += 1
    if not tokens and legal:
        # a name that is only a legal form ("Limited"): keep the words
        tokens = [memo.token(t, TokenKind.NAME) for t in raw]
        legal = set()
    return NameForm(
        name,
        tuple(tokens),
        frozenset(legal),
        frozenset(scripts),
        family,
        memo.merged(tokens),
        _lineage(tokens) if is_person and "," not in name else (),
    )


_LINEAGE_SYMBOLS = frozenset({"bin", "bint", "ould"})


def _lineage(tokens: Sequence[Token]) -> tuple[int, ...]:
    """Per token, how many `bin` / `bint` / `ould` (son or daughter of) come before it, the link itself
    counting with what follows: in SALMAN BIN MUHAMMAD AL-RAWI, Salman is 0 (the person), Muhammad
    and al-Rawi 1. Empty when the name has no such link, or is not in its natural order (inverted
    with a comma, AL BEN ALI, Isa; a link first or last)."""
    links = [not _LINEAGE_SYMBOLS.isdisjoint(t.groups) for t in tokens]
    if not any(links) or links[0] or links[-1]:
        return ()
    out: list[int] = []
    n = 0
    for t in tokens:
        if not _LINEAGE_SYMBOLS.isdisjoint(t.groups):
            n += 1
        out.append(n)
    return tuple(out)


_UNMERGED = (TokenKind.NUMBER, TokenKind.INITIAL)


def merge_tokens(a: Token, b: Token) -> Token:
    """Two adjacent name parts as one (Abdul Hai / Abdulhai, Siemens AG / SiemensAG)."""
    return Token(
        text=a.text + b.text,
        skel=a.skel + b.skel,
        cons=a.cons + b.cons,
        kind=TokenKind.NAME,
        weight=a.weight + b.weight,
        abjad=a.abjad or b.abjad,
        syllabic=a.syllabic or b.syllabic,
        vows=_join_gaps(a.vows, b.vows),
        cyrillic=a.cyrillic or b.cyrillic,
    )


def _join_gaps(a: str, b: str) -> str:
    """The vowel gaps of two tokens written as one: the last gap of `a` and the first of `b` meet."""
    # as ".".join([*ga[:-1], "".join(sorted(set(ga[-1] + gb[0]))), *gb[1:]]) with ga, gb = a.split("."),
    # b.split("."), without splitting and joining every gap
    ra = a.rfind(".")
    lb = b.find(".")
    meet = a[ra + 1 :] + (b if lb < 0 else b[:lb])
    mid = _GAP_UNION.get(meet)
    if mid is None:
        mid = _GAP_UNION[meet] = "".join(sorted(set(meet)))
    return a[: ra + 1] + mid + ("" if lb < 0 else b[lb:])


_GAP_UNION: dict[str, str] = {}  # the vowel classes (A, I, U) of two gaps that meet: a few dozen


def merged_tokens(tokens: Sequence[Token]) -> tuple[Token | None, ...]:
    """`NameForm.merged` for a token sequence."""
    return tuple(
        merge_tokens(a, b) if a.kind not in _UNMERGED and b.kind not in _UNMERGED else None
        for a, b in itertools.pairwise(tokens)
    )


_CJK = frozenset({"Hang", "Hani"})


def _cjk_given_names(words: Sequence[str]) -> set[int]:
    """Positions of the given names of a Korean or Chinese name written in words with the family
    name apart (수빈 최, 玉华 磊 张): every word but the one-syllable family name."""
    if len(words) < 2 or not any(len(w) == 1 for w in words) or any(w.isascii() for w in words):
        return set()  # (an ASCII word is Latin or no script: not Korean or Chinese)
    if not all(word_script(w) in _CJK for w in words):
        return set()
    family = next(k for k, w in enumerate(words) if len(w) == 1)
    return {k for k, w in enumerate(words) if k != family and len(w) >= 2}


def _prefix_len(tokens: list[str], prefixes: frozenset[tuple[str, ...]]) -> int:
    for n in range(min(4, len(tokens)), 0, -1):
        if tuple(tokens[:n]) in prefixes:
            return n
    return 0


def _kind(tok: str, is_person: bool, position: int, lexicon: Lexicon) -> TokenKind:
    if tok.isdigit():
        return TokenKind.NUMBER
    if len(tok) == 1:
        return TokenKind.INITIAL
    if tok in PARTICLES:
        return TokenKind.PARTICLE
    if tok in lexicon.generic_names:
        return TokenKind.GENERIC
    if is_person and position > 0 and len(tok) > 6 and _PATRONYMIC.search(tok):
        return TokenKind.PATRONYMIC
    return TokenKind.NAME
