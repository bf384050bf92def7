"""The token memo of the name analysis: a name analyzed among many others gives what it gives alone,
and the memo stays bounded."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from rempart.domain.screening import lexicon, normalize
from rempart.domain.screening.lexicon import Lexicon, split_words
from rempart.domain.screening.normalize import NameForm, analyze_name, merged_tokens

# made-up names; the same parts in several places: first, last, after a comma, as a patronymic
NAMES = [
    ("Petrovna Kastellan", "Person"),
    ("Ilsa Petrovna Kastellan", "Person"),
    ("KASTELLAN, Ilsa Petrovna", "Person"),
    ("Kastellan Ilsa", "Person"),
    ("Dr Ilsa Kastellan", "Person"),
    ("Abd al Rahim bin Kastellan Ilsa", "Person"),
    ("Kastellan Trading LLC", "Company"),
    ("Ilsa Kastellan Bank", "Organization"),
    ("Kastellan Ilsa 7", "Vessel"),
    ("Ig0r Kastellan", "Person"),
    ("И. П. Кастеллан", "Person"),
    ("Илса Петровна Кастеллан", "Person"),
    ("카스텔 일사", "Person"),
    ("قاسم كاستلان", "Person"),
    ("Forty Four Kastellan Fund II", "Company"),
    ("Fund VII Kastellan", "Person"),
]


def fields(form: NameForm) -> tuple[object, ...]:
    return dataclasses.astuple(form)


def test_a_name_among_others_gives_what_it_gives_alone() -> None:
    shared = Lexicon.builtin()
    for name, schema in NAMES * 2:  # the second round on a warm memo
        alone = analyze_name(name, schema, Lexicon.builtin())  # a new lexicon: an empty memo
        among = analyze_name(name, schema, shared)
        assert fields(among) == fields(alone), name
        assert [type(x) for x in fields(among)] == [type(x) for x in fields(alone)]
        assert among.merged == merged_tokens(among.tokens)  # as made without the memo


def test_the_same_part_in_another_place_is_analyzed_for_that_place() -> None:
    lex = Lexicon.builtin()
    first = analyze_name("Petrovna Kastellan", "Person", lex).tokens[0]
    later = analyze_name("Ilsa Petrovna Kastellan", "Person", lex).tokens[1]
    assert first.text == later.text == "petrovna"
    assert first.kind is normalize.TokenKind.NAME  # a name's first part is not a patronymic
    assert later.kind is normalize.TokenKind.PATRONYMIC
    as_org = analyze_name("Petrovna Kastellan", "Company", lex).tokens[0]
    assert as_org == analyze_name("Petrovna Kastellan", "Company", Lexicon.builtin()).tokens[0]


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize, "MEMO_SIZE", 10)
    lex = Lexicon.builtin()
    for k in range(200):
        name = f"Ilsa{chr(97 + k % 26)}{chr(97 + k // 26)} Kastellan Morvo{k % 7}"
        got = analyze_name(name, "Person", lex)
        assert fields(got) == fields(analyze_name(name, "Person", Lexicon.builtin()))
        assert len(normalize._memo(lex)) <= 4 * 10  # four tables (words, tokens, plain tokens, pairs)
    assert len(normalize._memos) <= 8  # one memo per lexicon, a few lexicons at most


@pytest.mark.parametrize(
    "text",
    ["Ilsa Kastellan", "O'Kastel-Morvo & Sons", "A.B.C. Holdings, Ltd.", "Kastel_Morvo  2nd", "d`Arvo", ""],
)
def test_ascii_names_split_as_any_name(text: str) -> None:
    # an ideographic space takes the text off the ASCII path; NFKC makes it a plain space
    assert split_words(text) == split_words(text + "\u3000")


def _split_char_by_char(text: str) -> list[str]:
    """What `split_words` did before its fast paths: the text character by character."""
    text = unicodedata.normalize("NFKC", text).replace("&", " and ")
    text = lexicon._APOSTROPHES.sub("", text)
    words: list[str] = []
    cur: list[str] = []
    for ch in text:
        if lexicon._word_char(ch):
            cur.append(ch)
        elif cur:
            words.append("".join(cur))
            cur = []
    if cur:
        words.append("".join(cur))
    return words


@pytest.mark.parametrize(
    "text",
    [
        "Илса-Петровна  Кастеллан",
        "قاسم‌علی كاستلان، ابن يوسف",
        "कुमार कास्टेल",
        "カステル・イルサ 山田",
        "Kastel\u00a0Morvo\u3000Ltd",
        "Ｋａｓｔｅｌ ＬＬＣ",
        "Ølsa d’Årvo & Søn_2",
        "Ilsa\u200dKastel\tMorvo\n(Ilsa)",
        "ﷺ Ⅻ ½ 𝐊𝐚𝐬𝐭𝐞𝐥",
    ],
)
def test_names_split_as_character_by_character(text: str) -> None:
    assert split_words(text) == _split_char_by_char(text)
    assert split_words(text) == _split_char_by_char(text)  # the second time from the remembered table
