"""Name comparison: table-driven cases with made-up names, and real-list-style transliterations."""

from __future__ import annotations

from pathlib import Path

import pytest

from rempart.domain.screening.index import compare_names
from rempart.domain.screening.lexicon import LEXICON_DIR, LEXICON_FILES, Lexicon
from rempart.domain.screening.normalize import TokenKind, analyze_name
from rempart.domain.screening.score import DEFAULT_THRESHOLD

LEX = Lexicon.builtin()

MATCHES = [
    # (name1, name2, schema)
    ("PUTIN, Vladimir", "Vladimir Putin", "Person"),
    ("Vladimir Vladimirovich PUTIN", "Владимир Владимирович Путин", "Person"),
    ("Sergey Valeryevich AKSYONOV", "Sergei Valerievich AKSENOV", "Person"),
    ("Sergey Aksyonov", "Сергей Аксёнов", "Person"),
    ("Yevgeny Prigozhin", "Evgeniy Prigozhin", "Person"),
    ("Volodymyr Oleksandrovych Tkachuk", "Владимир Александрович Ткачук", "Person"),  # uk / ru forms
    ("Jonathan Pemberly", "Jonathon Pemberly", "Person"),  # typo
    ("Marta Quillfeather", "Marta Quilfeather", "Person"),  # dropped letter
    ("Abdulhakim Zarrouki", "Abdul Hakim Zarrouki", "Person"),  # merged / split
    ("Talia Brennan Voss", "Talia Voss", "Person"),  # missing middle name
    ("Dr. Omar Felsing", "Omar Felsing", "Person"),  # title
    ("J. Felsing", "Jaron Felsing", "Person"),  # initial
    ("ООО Ромашка", "OOO Romashka", "Organization"),
    ("OOO Romashka", "Romashka LLC", "Organization"),
    ("Romashka Limited Liability Company", "ROMASHKA, OOO", "Organization"),
    ("Brightwater Holdings GmbH", "Brightwater Holdings", "Company"),
    ("Quillon Trading A.G.", "Quillon Trading AG", "Company"),
    ("Blue Heron Shipping Co.", "Blue Heron Shipping Company", "Company"),
]

NON_MATCHES = [
    ("Olaf Brenner", "Octavian Brenner", "Person"),  # different given name
    ("Sergey Viktorovich Lavrov", "Sergey Ivanovich Lavrov", "Person"),  # contradicting patronymics
    ("Mara Quillfeather", "Tobias Lindqvist", "Person"),
    ("Halvard Jensen", "Jensen", "Person"),  # a lone common part
    ("Quillon Trading AG", "Marlow Trading AG", "Company"),
    ("Harbor Logistics 7", "Seabird Logistics 7", "Company"),
    ("Blue Heron Shipping", "Red Falcon Shipping", "Company"),
]


@pytest.mark.parametrize(("a", "b", "schema"), MATCHES)
def test_matches(a: str, b: str, schema: str) -> None:
    score, match, explanation = compare_names(a, b, schema, LEX)
    assert match, (score, explanation)
    assert 0.0 <= score <= 1.0


@pytest.mark.parametrize(("a", "b", "schema"), NON_MATCHES)
def test_non_matches(a: str, b: str, schema: str) -> None:
    score, match, explanation = compare_names(a, b, schema, LEX)
    assert not match, (score, explanation)


def test_symmetric_enough() -> None:
    for a, b, schema in MATCHES + NON_MATCHES:
        s1 = compare_names(a, b, schema, LEX)[0]
        s2 = compare_names(b, a, schema, LEX)[0]
        assert abs(s1 - s2) < 0.1, (a, b, s1, s2)


def test_identical_names_score_one() -> None:
    assert compare_names("Talia Voss", "talia  VOSS", "Person", LEX)[0] == pytest.approx(1.0)


def test_explanation_says_what_was_compared() -> None:
    score, _match, explanation = compare_names("PUTIN, Vladimir", "Владимир Путин", "Person", LEX)
    name = explanation["name"]
    assert name["query"] == "PUTIN, Vladimir"
    assert name["candidate"] == "Владимир Путин"
    assert name["contribution"] == pytest.approx(score, abs=1e-4)
    assert {(q, c) for q, c, _s in name["pairs"]} == {("putin", "putin"), ("vladimir", "vladimir")}
    assert explanation["algorithm"].startswith("rempart-name/")


def test_legal_forms_are_taken_apart() -> None:
    form = analyze_name("ООО «Ромашка»", "Organization", LEX)
    assert [t.text for t in form.tokens] == ["romashka"]
    assert form.legal_forms == frozenset({"LLC"})
    # a person's name keeps every part
    person = analyze_name("Ag Sa", "Person", LEX)
    assert [t.text for t in person.tokens] == ["ag", "sa"]


def test_token_kinds() -> None:
    form = analyze_name("Ivan Petrovich al-Sidorov J.", "Person", LEX)
    kinds = {t.text: t.kind for t in form.tokens}
    assert kinds["petrovich"] is TokenKind.PATRONYMIC
    assert kinds["al"] is TokenKind.PARTICLE
    assert kinds["j"] is TokenKind.INITIAL


def test_numbers_in_words_and_digits_meet() -> None:
    assert compare_names("Brigade Forty-Four", "Brigade 44", "Organization", LEX)[1]
    assert compare_names("Harbor Fund II", "Harbor Fund 2", "Organization", LEX)[1]


def test_rigour_dictionaries_when_present(shared_data: Path) -> None:
    d = shared_data / LEXICON_DIR
    if not all((d / f).exists() for f in LEXICON_FILES):
        pytest.skip("rigour dictionaries absent")
    lex = Lexicon.from_json_texts(*((d / f).read_text(encoding="utf-8") for f in LEXICON_FILES))
    assert lex.source == "rigour"
    assert compare_names("Siemens Aktiengesellschaft", "Siemens AG", "Company", lex)[1]
    assert compare_names("Bill Marrow", "William Marrow", "Person", lex)[1]  # nickname


def test_default_threshold_is_a_probability() -> None:
    assert 0.0 < DEFAULT_THRESHOLD < 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Вячаслаў Уладзiмiравiч ВЕРАСКОЎ", "Vyacheslav Vladimirovich VERASKOV"),  # Belarusian -ou / -ov
        ("Аляксей Барысавіч ТРУБКО", "Alexei Borisovich TRUBKO"),  # Belarusian patronymic -avich
        ("Zhdanau Mikalai", "Nikolay ZHDANOV"),  # Belarusian Latin spelling against Russian
        ("김정은", "KIM Jong Un"),  # Korean given name as one token meets its split spelling
        ("박지성", "Park Ji Sung"),  # Korean vowels romanized differently
    ],
)
def test_east_slavic_and_korean_variants(a: str, b: str) -> None:
    score, match, explanation = compare_names(a, b, "Person", LEX)
    assert match, (score, explanation)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("程 吴", "CHEN, Wu"),  # Cheng / Chen: one syllable more or less is another name
        ("준호 박", "박성호"),  # Park Junho / Park Seongho
        ("玉兰 磊 王", "WANG, Lei"),  # a Chinese given name left over is not a middle name
        ("서진 동수 최", "최동수"),
        ("시우 정", "Jong-Su JUNG"),  # a Korean given name is one name, not a part of one
    ],
)
def test_syllabic_names_need_near_identical_parts(a: str, b: str) -> None:
    score, match, explanation = compare_names(a, b, "Person", LEX)
    assert not match, (score, explanation)


def test_given_names_written_apart_are_one_token() -> None:
    assert analyze_name("수빈 한", "Person", LEX).text == "subin han"
    assert analyze_name("玉兰 磊 王", "Person", LEX).text == "yulan lei wang"
    assert analyze_name("김정은", "Person", LEX).text == "kim jeongeun"


def test_common_parts_alone_do_not_match() -> None:
    lex = Lexicon.builtin()
    score, match, explanation = compare_names("Ali Ahmad Zarrouki", "Ali Ahmad", "Person", lex)
    assert not match, (score, explanation)
    assert explanation["name"]["common_parts_only"]["cap"] < DEFAULT_THRESHOLD


@pytest.mark.parametrize(("a", "b", "schema"), MATCHES + NON_MATCHES)
def test_cheap_estimate_is_optimistic(a: str, b: str, schema: str) -> None:
    """The index skips a candidate on its estimate: it must not be below the real name score."""
    from rempart.domain.screening.features import compare_name_forms, name_score_estimate

    for x, y in ((a, b), (b, a)):
        q, c = analyze_name(x, schema, LEX), analyze_name(y, schema, LEX)
        assert name_score_estimate(q, c) >= compare_name_forms(q, c).score - 0.02, (x, y)
