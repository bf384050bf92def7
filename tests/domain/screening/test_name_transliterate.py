"""Romanization and spelling skeletons: the usual romanizations of one name meet."""

from __future__ import annotations

import pytest

from rempart.domain.screening.transliterate import consonants, romanize_word, skeleton


def skel(word: str) -> str:
    return " ".join(skeleton(t) for t in romanize_word(word)[1].split())


@pytest.mark.parametrize(
    "variants",
    [
        ("Sergey", "Sergei", "Serguei", "Sergej", "Сергей"),
        ("Aksyonov", "Aksenov", "Aksionov", "Aksjonov", "Аксёнов", "Аксьонов"),
        ("Yevgeny", "Evgeniy", "Evgenij", "Евгений"),
        ("Valeryevich", "Valerievich", "Валерьевич"),
        ("Khodorkovsky", "Khodorkovskiy", "Ходорковский"),
        ("Mueller", "Müller"),
    ],
)
def test_romanizations_share_a_skeleton(variants: tuple[str, ...]) -> None:
    assert len({skel(v) for v in variants}) == 1, {v: skel(v) for v in variants}


@pytest.mark.parametrize(
    ("word", "script", "latin"),
    [
        ("Путин", "Cyrl", "putin"),
        ("Щербина", "Cyrl", "shcherbina"),
        ("Сергій", "Cyrl", "serhiy"),  # Ukrainian г is h
        ("Zürich", "Latn", "zurich"),
        ("김정은", "Hang", "kim jeongeun"),
        ("习近平", "Hani", "xi jinping"),
        ("Νικόλαος", "Grek", "nikolaos"),
    ],
)
def test_romanize_word(word: str, script: str, latin: str) -> None:
    assert romanize_word(word) == (script, latin)


def test_arabic_meets_latin_on_consonants() -> None:
    arabic = romanize_word("محمد")[1]
    assert consonants(skeleton(arabic)) == consonants(skeleton("mohamed"))


def test_latin_lookalikes_inside_cyrillic_words() -> None:
    # the EU file writes Сергiй with a Latin i: still one Cyrillic word
    assert romanize_word("Сергiй")[0] == "Cyrl"
