"""Features of a comparison: the name (token alignment), and birth date, nationality, identifiers, gender.

Every feature returns a `Feature`: its contribution to the score and what was compared with what.

Names. The tokens of the two names are aligned greedily, best pair first, whatever their order
(PUTIN, Vladimir / Vladimir Putin). Two adjacent tokens may also pair with one token of the other
name (SiemensAG / Siemens AG, Abdulhai / Abdul Hai). A pair's similarity is the best of
- the Damerau-Levenshtein (OSA) similarity of the romanized tokens (typos, transpositions);
- the same on the spelling skeletons, slightly discounted (Sergey / Sergei, Aksyonov / Aksenov);
- the consonants, when one side comes from a script without vowels (محمد / Mohamed), provided the
  Latin side has a vowel where the other writes a long one (محمود is Mahmud, not Mohammad) and no
  w or v where it writes no waw (حسنا is not Hasawani); also in the regional Latin manners (the
  Egyptian g of ج and the Gulf g of ق, the French ch of ش and c of س: Ragab, Akkacha, Lounici);
- an initial against a token with that first letter (in a person's name; in an organization's, a
  letter is part of an abbreviation, B&W); a nickname against its name (Bill / William);
- the same consonants with the vowels of one sound (Usama / Osama) or one short vowel spelt
  otherwise (Tarek / Tariq); a name with and without the Latvian, Lithuanian or Greek -s, -as, -os
  (Sergejs / Sergey, Alexandros / Alexander); then Winkler's bonus for a shared beginning; the
  Belarusian and Russian forms of a name, when one side is Cyrillic (ЦЯЦЕРЫН / ТЕТЕРИН: akanye,
  ў, ц and дз for т and д before soft vowels, г as h).
Never pairs: two of the commonest given names (Ahmed / Mohamed; Muhammad / Mahmud, also as the
Arabic script writes them), a particle and a name (al / Alf), a Chinese or Korean syllable and
Arabic consonants, Korean or Chinese parts of another count of syllables (서영 Seoyeong / Song).
Two Arabic-script spellings a final ya apart (the nisba: محمدی / محمد) are two names. An organization's acronym pairs with the words it abbreviates (IRGC). A name of
initials alone is capped at `INITIALS_ONLY_CAP`. Pairs below `PAIR_MIN` do not count as pairs.
What is left unpaired on *both* sides is a conflict (Olaf / Octavian: two different given names),
which costs `CONFLICT_PENALTY` per `CONFLICT_UNIT` of weight; what is left on one side only is an
extra part (a middle name the other side does not give), weighted `EXTRA_WEIGHT`. The
name score is the weighted mean similarity of the pairs over the weights of pairs, conflicts and
extras. What a weak pair does not earn also counts as conflict, unless the pair is close
(`WEAK_FROM`) or an abjad spelling against a Latin one (its discount is what the missing vowels
leave unknown, not a sign of another name).

Three rules keep partial matches from reaching the threshold on their own:
- a part romanized syllable by syllable (Korean, Chinese) pairs only with a near-identical spelling
  (`SYLLABIC_MIN`) or the same consonants (Jiseong / Jisung): Cheng / Chen are two names;
- when either name is Korean or Chinese, a part left over on one side weighs in full
  (`SYLLABIC_EXTRA`), not as a middle name (Zhang Yuhua Lei / Zhang Lei, 시우 이 / Jong-Su LI);
- for persons, when either name has a distinctive part (a name, not a particle, title or very
  common given name), one must be paired strongly (`STRONG_PAIR`), or the score is capped at
  `COMMON_ONLY_CAP` (the explanation says `common_parts_only`).

Two rules follow how names are built:
- when both names chain "son of" links (bin, ben, ibn, ould) as many times, in their natural
  order, the person's own name pairs only with the other's own name: Salman bin Muhammad is the
  son of Muhammad bin Salman, not him (the explanation says `lineage`);
- two names both written in Chinese characters, or both in Hangul, are also compared as written
  (traditional forms simplified): a character is a syllable, and another one is another name even
  when the romanizations meet (高市 / 高石, gao shi): the score is capped at the square of the share
  of characters in common (the explanation gives the `same_script` cap).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier
from rempart.domain.screening.lexicon import DISTINCT_NAME
from rempart.domain.screening.normalize import NameForm, Token, TokenKind
from rempart.domain.screening.transliterate import (
    consonants,
    j_consonant_skeleton,
    long_vowels_agree,
    simplified_han,
    skeleton,
    syllable_count,
    vowel_gaps,
)

__all__ = [
    "CONFLICT_PENALTY",
    "EXTRA_WEIGHT",
    "PAIR_MIN",
    "Feature",
    "NameComparison",
    "acronym_credits",
    "birth_date_feature",
    "compare_name_forms",
    "gender_feature",
    "identifier_feature",
    "name_score_estimate",
    "nationality_feature",
    "prime_similarities",
    "token_similarity",
]

PAIR_MIN = 0.50  # at or below this two tokens are not a pair: both stay unmatched
CREDIT_POWER = 1.0  # a pair earns sim ** CREDIT_POWER
CONFLICT_PENALTY = 0.6  # a name part on each side that pairs with nothing: the score loses 60%...
CONFLICT_UNIT = 4.0  # ...per this much weight (a four-letter name; particles and common names less)
NUMBER_MISMATCH = 0.85  # Fund VII / Fund VIII, Victory / Victory 3: often related, not the same
WEAK_FROM = 0.92  # pairs at or above this similarity are spellings, not conflicts
ABJAD_WEAK = 0.0  # share of an abjad-Latin pair's discount that counts as conflict
WEAK_PAIR_CONFLICT = 0.5  # what a pair does not earn counts this much as conflict (Mohamed / Ahmed)
EXTRA_WEIGHT = {"person": 0.20, "org": 0.50, "vessel": 0.50, "aircraft": 0.50, "any": 0.35}
EXTRA_WEIGHT_SINGLE = 0.6  # when only one token pairs: WALIJAN / WALIJAN ABDUL GHAFOOR HAQQANI
SKELETON_DISCOUNT = 0.97
CONSONANT_DISCOUNT = 0.92
CONSONANT_SHORT = 0.80
LONG_VOWEL_MISMATCH = 0.55  # same consonants, but a long vowel the abjad spelling writes is missing
CONSONANT_FUZZY_MIN = 0.75  # below this the consonants of two names are two names (mhmdjvd / mhmd)
SYLLABIC_EXTRA = 1.0  # weight of a Korean or Chinese name part left over (EXTRA_WEIGHT for others)
STRONG_PAIR = 0.80
COMMON_ONLY_CAP = 0.65  # the most a name scores when no distinctive part matches strongly
_DISTINCTIVE = frozenset({TokenKind.NAME, TokenKind.PATRONYMIC, TokenKind.NUMBER})
SYLLABIC_MIN = 0.85
SYLLABIC_SKELETON_MIN = 0.6  # same consonants, but the syllables differ (Wuxiong / Xinyang): two names
SYLLABIC_VOWELS = 0.88  # a Korean or Chinese name part pairs only with a near-identical spelling  # two consonants or fewer say little (mhd: Mahdi, Mohamed, Hamid...)
SYMBOL_MATCH = 0.95
LEGAL_FORM_MISMATCH = 0.92


def credit(sim: float) -> float:
    """What a pair of this similarity earns: nothing at or below PAIR_MIN."""
    if sim >= 1.0:
        return 1.0
    if sim <= PAIR_MIN:
        return 0.0
    return float(sim**CREDIT_POWER)


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature of a comparison: its name, its contribution to the score, and the evidence."""

    name: str
    contribution: float
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"contribution": round(self.contribution, 4), **self.detail}


def _str_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return float(OSA.normalized_similarity(a, b))


Memo = dict[tuple[int, int], float]  # (id(query token), id(candidate token)) -> similarity


def token_similarity(a: Token, b: Token) -> float:
    """Similarity of two name parts, 0..1."""
    return _token_similarity(a, b, None, None)


def _token_similarity(a: Token, b: Token, text_sim: float | None, skel_sim: float | None) -> float:
    """token_similarity, with the string similarities of the texts and skeletons when known."""
    if a.text == b.text:
        return 1.0
    ka, kb = a.kind, b.kind
    if ka is TokenKind.NUMBER or kb is TokenKind.NUMBER:
        return 0.0
    if ka is TokenKind.INITIAL or kb is TokenKind.INITIAL:
        return 0.9 if a.text[0] == b.text[0] else 0.0
    if (a.syllabic or b.syllabic) and syllable_count(a.text) != syllable_count(b.text):
        return 0.0  # another count of Korean or Chinese syllables is another name: 서영 Seoyeong / Song
    if a.skel == b.skel:
        return SKELETON_DISCOUNT
    if a.groups and b.groups:
        if not a.groups.isdisjoint(b.groups):
            return SYMBOL_MATCH
        if _distinct_names(a.groups) and _distinct_names(b.groups):
            return 0.0  # two known names, not one misspelt (Muhammad / Mahmud)
    if ka is TokenKind.GENERIC and kb is TokenKind.GENERIC and a.cons != b.cons:
        return 0.0  # two of the commonest given names, not one misspelt: Ahmed / Mohamed, Ali / Bilal
    if (ka is TokenKind.PARTICLE) != (kb is TokenKind.PARTICLE) and not (a.abjad or b.abjad):
        return 0.0  # al is not Alf, de is not Dea: a particle is never a misspelt name
    if a.abjad and b.abjad and _nisba_apart(a.skel, b.skel):
        return LONG_VOWEL_MISMATCH  # محمدی / محمد, ضرغامی / درغام: the -i suffix makes another name
    if a.abjad != b.abjad:
        if a.syllabic or b.syllabic:
            return 0.0  # a Chinese or Korean syllable against Arabic consonants: li / ly, du / dwa
        ab, lat = (a, b) if a.abjad else (b, a)
        if a.cons == b.cons and a.cons:
            if not long_vowels_agree(ab.vows, lat.vows, ab.cons, lat.skel) and not _raw_vowels_agree(ab, lat):
                return LONG_VOWEL_MISMATCH  # محمود / Mohammad, حسين / Hassan: other names
            return CONSONANT_DISCOUNT if len(a.cons) >= 3 else CONSONANT_SHORT
        rc = _raw_consonants(ab.text, True)
        if len(rc) >= 2 and rc == _raw_consonants(lat.text):
            # the letters as written, when the skeleton read two of them as one sound on one side
            # only: زهرا zhr is Zahra (not jr), and الأزهر zhr Azhar as well
            if not long_vowels_agree(vowel_gaps(ab.text, True), vowel_gaps(lat.text), rc, lat.text):
                return LONG_VOWEL_MISMATCH
            return CONSONANT_DISCOUNT if len(rc) >= 3 else CONSONANT_SHORT
        jc = _j_consonants(ab.text) if _REGIONAL_LETTERS.search(lat.text) else ""
        if len(jc) >= 2 and _regional_latin(jc, lat.text):
            # the Egyptian g of ج and the Gulf g of ق (Ragab, Gamal, Gargash), the French ch of ش and
            # c of س (Akkacha, Lounici): the consonants meet, the long vowels must agree as well
            if not long_vowels_agree(vowel_gaps(j_consonant_skeleton(ab.text), True), lat.vows, jc, lat.skel):
                return LONG_VOWEL_MISMATCH
            return CONSONANT_DISCOUNT * SKELETON_DISCOUNT if len(jc) >= 3 else CONSONANT_SHORT
        if min(len(a.cons), len(b.cons)) >= 4:
            cs = _str_sim(a.cons, b.cons)
            return cs * CONSONANT_DISCOUNT if cs >= CONSONANT_FUZZY_MIN else 0.0
        return 0.0
    s = _str_sim(a.text, b.text) if text_sim is None else text_sim
    skel_s = _str_sim(a.skel, b.skel) if skel_sim is None else skel_sim
    if s < 0.95:
        s = max(s, skel_s * SKELETON_DISCOUNT)
    if s < BALTIC_S and not (a.syllabic or b.syllabic) and (a.text[-1] == "s") != (b.text[-1] == "s"):
        # Latvian, Lithuanian and Greek end a man's name in -s, -as, -os...: Sergejs Lavrovs,
        # Marks Blats, Aleksandras, Alexandros
        sa, sb = (a.skel, b.skel) if a.text[-1] == "s" else (b.skel, a.skel)
        for stem in {sa[:-1], _BALTIC_VOWEL_S.sub("", sa)}:
            if min(len(stem), len(sb)) >= 4:
                s = max(s, _str_sim(stem, sb) * BALTIC_S)
    if (
        s < VOWEL_CLASS_MATCH
        and a.cons == b.cons
        and a.vows == b.vows
        and len(a.cons) >= 2
        and min(len(a.text), len(b.text)) >= 5
        and not (a.abjad or b.abjad or a.syllabic or b.syllabic)
    ):
        s = VOWEL_CLASS_MATCH  # Usama / Osama, Ladin / Laden: the vowels of one sound, spelt two ways
    elif (
        s < VOWEL_ONE_OFF
        and a.cons == b.cons
        and len(a.cons) >= 3
        and not (a.abjad or b.abjad or a.syllabic or b.syllabic)
        and _gaps_apart(a.vows, b.vows) == 1
    ):
        s = VOWEL_ONE_OFF  # Tarak / Tariq, Faleh / Falih: one short vowel spelt otherwise
    if PREFIX_MIN <= s < 1.0 and PREFIX_BONUS:
        s = _prefix_bonus(a.text, b.text, s)
    if AKANYE_MIN <= s < AKANYE_DISCOUNT and (a.cyrillic or b.cyrillic) and not (a.syllabic or b.syllabic):
        # Belarusian writes unstressed o and e as a, ў (u) where Russian has в, г as h: ШАЎЦОЎ /
        # ШЕВЦОВ, ДЗЯМІДАЎ / ДЕМИДОВ, РАССАЛАЙ / РОССОЛАЙ, ГАРА / ГОРА
        s = max(s, _akanye_sim(a.text, b.text) * AKANYE_DISCOUNT)
    if ARABIC_LATIN_MIN <= s < ARABIC_LATIN and not (a.syllabic or b.syllabic or a.abjad or b.abjad):
        # Latin spellings of one Arabic name in the English, French and dialect manners: ق as q, g,
        # k or gh (Qadhafi / Gaddafi, Qaani / Ghani), ش as sh or ch (Hamsho / Hamcho), ذ as dh or d
        s = max(s, _str_sim(_arabic_latin(a.skel), _arabic_latin(b.skel)) * ARABIC_LATIN)
    if s < SYLLABIC_MIN and (a.syllabic or b.syllabic):
        if a.cons == b.cons and len(a.cons) >= 4 and skel_s >= SYLLABIC_SKELETON_MIN:
            return SYLLABIC_VOWELS  # Jiseong / Jisung: the vowels of Korean romanizations vary
        if _devoiced(a.skel) == _devoiced(b.skel):
            return SYLLABIC_VOWELS  # Gyunam / Kyunam: Revised Romanization and McCune-Reischauer
        return 0.0  # Cheng / Chen, Jongsu / Seongsu: another syllable is another name
    return s


PREFIX_MIN = 0.6
VOWEL_CLASS_MATCH = 0.9
BALTIC_S = 0.95  # a name and the same name with the Latvian, Lithuanian or Greek -s
_BALTIC_VOWEL_S = re.compile(r"[aeiouy]s$")
PREFIX_BONUS = 0.05
PREFIX_MAX = 4


VOWEL_ONE_OFF = 0.85


def _gaps_apart(a: str, b: str) -> int:
    """In how many vowel gaps two spellings with the same consonants differ."""
    ga, gb = a.split("."), b.split(".")
    if len(ga) != len(gb):
        return len(ga) + len(gb)
    return sum(1 for x, y in zip(ga, gb, strict=True) if x != y)


@lru_cache(maxsize=200_000)
def _raw_consonants(text: str, abjad: bool = False) -> str:
    """The consonant letters of a romanized name part as written, a doubled letter once (Donna:
    dn; عدنان dnan: dnn); dh and p as `vowel_gaps` reads them, so that the two line up."""
    if not abjad:
        text = text.replace("dh", "z")
    # (not hh: ش and ه, sh-h, are two letters: شهيد Shahid)
    return re.sub(r"[aeiouyvw]", "", re.sub(r"([^h])\1+", r"\1", text.replace("p", "b")))


def _raw_vowels_agree(ab: Token, lat: Token) -> bool:
    """The long vowels of an abjad spelling found in a Latin one as written, when its skeleton lost
    them: the i of Matiullah (مطيع الله) before u is a vowel, not the glide of Aksionov."""
    rc = _raw_consonants(ab.text, True)
    return (
        len(rc) >= 2
        and rc == _raw_consonants(lat.text)
        and long_vowels_agree(vowel_gaps(ab.text, True), vowel_gaps(lat.text), rc, lat.text)
    )


@lru_cache(maxsize=100_000)
def _j_consonants(abjad_text: str) -> str:
    """The consonants of an abjad spelling with its j (ج) a consonant, not the glide of Sergej, and
    its q (ق) a q, not the k of ك."""
    return consonants(j_consonant_skeleton(abjad_text.replace("q", "Q")), True).replace("Q", "q")


_REGIONAL_LETTERS = re.compile(r"[gck]")  # what `_regional_latin` reads otherwise (a cheap test first)
_FRENCH = ((re.compile(r"(?<![st])ch"), "sh"), (re.compile(r"c(?=[eiy])"), "s"))


@lru_cache(maxsize=100_000)
def _regional_latin(abjad_cons: str, latin: str) -> bool:
    """Whether a Latin spelling of an Arabic name has the abjad spelling's consonants in one of the
    regional manners: g for ج (Egypt) or ق (the Gulf, Libya), ch for ش and c for س before e and i
    (French, the Maghreb)."""
    for pattern, repl in _FRENCH:
        latin = pattern.sub(repl, latin)
    lc = consonants(j_consonant_skeleton(latin))  # (a Latin spelling of an Arabic name: j is ج)
    if len(lc) != len(abjad_cons):
        return False
    return all(
        x == y or (y == "g" and x in "jq") or (y == "k" and x == "q")  # (a Latin q is k here too)
        for x, y in zip(abjad_cons, lc, strict=True)
    )


def _nisba_apart(a: str, b: str) -> bool:
    """Two abjad skeletons that differ only by a final ya (i), the suffix of the nisba."""
    return len(a) != len(b) and (a == b + "i" or b == a + "i") and min(len(a), len(b)) >= 3


def _distinct_names(groups: frozenset[str]) -> bool:
    return any(g.startswith(DISTINCT_NAME) for g in groups)


def _prefix_bonus(a: str, b: str, s: float) -> float:
    """Winkler's bonus: typing errors are rarer at the start of a word than at its end, so two
    spellings that begin alike (Starmer / Starkey, Merkel / Merkur) are closer than two names
    that differ from the first letter (Ahmed / Mohamed)."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y or n == PREFIX_MAX:
            break
        n += 1
    return s + n * PREFIX_BONUS * (1.0 - s)


ARABIC_LATIN = 0.9  # one Arabic name in the Latin spellings of two traditions
ARABIC_LATIN_MIN = 0.5
_ARABIC_LATIN = ((re.compile(r"dh"), "d"), (re.compile(r"(?<!s)ch"), "sh"), (re.compile(r"g"), "k"))


@lru_cache(maxsize=100_000)
def _arabic_latin(skel: str) -> str:
    for pattern, repl in _ARABIC_LATIN:
        skel = pattern.sub(repl, skel)
    return re.sub(r"(.)\1+", r"\1", skel)


AKANYE_DISCOUNT = 0.92
AKANYE_MIN = 0.5  # ГАРА / ГОРА: half the letters differ, all in what Belarusian says otherwise
_AKANYE = (
    (re.compile(r"c(?!h)"), "ts"),  # Belarusian Latin (lacinka) and Czech c is ц: Arciom, Vaclav
    (re.compile(r"ts(?=[iye])"), "t"),  # ць ця це for ть тя те (soft): ЦЯЦЕРЫН / ТЕТЕРИН, not Цой / Той
    (re.compile(r"dz(?!h)"), "d"),  # дз for д: Vadzim / Vadim, Dzianis / Denis
    (re.compile(r"[oe]"), "a"),  # akanye, yakanye: Sakalouski / Sokolovski, Siarhei / Sergei
    (re.compile(r"(?<=[aiy])u"), "v"),  # ў for в and л: Mikalaeuna / Nikolaevna, Taustsiankou
)
_H_IS_G = re.compile(r"(?<![kzsc])h")  # г is h: Hihin / Gigin, Hrushko / Grushko, Ihar / Igor


@lru_cache(maxsize=100_000)
def _akanye(text: str, h_is_g: bool) -> str:
    """The skeleton of a romanized name part with what Belarusian says otherwise than Russian made
    Russian: unstressed o and e written a, ў (u after a vowel) for в, дз and ц for д and т before
    soft vowels, and (`h_is_g`) г written h. The Russian and Belarusian forms of a name meet
    (ТАЎСЦЯНКОЎ / ТОЛСТЕНКОВ, ЦЯЦЕРЫН / ТЕТЕРИН, ГIГIН / ГИГИН, Dzianis / Denis). The h of г is
    tried apart: the h of х (kh) and of a Latin spelling of ح is not г (Мухин is not Мугин)."""
    if h_is_g:
        text = _H_IS_G.sub("g", text)
    for pattern, repl in _AKANYE:
        text = pattern.sub(repl, text)
    return skeleton(text)


def _akanye_sim(a: str, b: str) -> float:
    return max(_str_sim(_akanye(a, True), _akanye(b, True)), _str_sim(_akanye(a, False), _akanye(b, False)))


_DEVOICE = str.maketrans("gdbj", "ktpc")


def _devoiced(skel: str) -> str:
    """A Korean romanization with g d b j as k t p ch: McCune-Reischauer writes the voiceless
    letters where Revised Romanization writes the voiced ones (Kyunam / Gyunam, Pyon / Byeon)."""
    return skel.replace("ch", "c").translate(_DEVOICE)


def prime_similarities(query_forms: Sequence[NameForm], candidates: Sequence[NameForm], memo: Memo) -> None:
    """Fill `memo` with the similarities of every query token (single or merged with its neighbour)
    to every token of the candidates (likewise; not a merged token against a merged token, which
    no comparison pairs), the string distances computed in one `cdist` call per query name, not
    pair by pair."""
    seen: set[int] = set()
    ctoks: list[Token] = []
    for c in candidates:
        for t in c.tokens:
            if id(t) not in seen:
                seen.add(id(t))
                ctoks.append(t)
    singles = len(ctoks)  # ctoks[singles:] are merged tokens only
    for c in candidates:
        for m in c.merged:
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                ctoks.append(m)
    if not ctoks:
        return
    ctexts = [t.text for t in ctoks]
    cskels = [t.skel for t in ctoks]
    for q in query_forms:
        qt = [t for t in (*q.tokens, *q.merged) if t is not None]
        if not qt:
            continue
        texts = cdist([t.text for t in qt], ctexts, scorer=OSA.normalized_similarity, workers=1).tolist()
        skels = cdist([t.skel for t in qt], cskels, scorer=OSA.normalized_similarity, workers=1).tolist()
        for i, a in enumerate(qt):
            ta, sa = texts[i], skels[i]
            ida = id(a)
            for j in range(len(ctoks) if i < len(q.tokens) else singles):
                key = (ida, id(ctoks[j]))
                if key not in memo:
                    memo[key] = _token_similarity(a, ctoks[j], ta[j], sa[j])


@dataclass(frozen=True, slots=True)
class _Unit:
    idx: tuple[int, ...]
    token: Token


def _units(form: NameForm) -> list[_Unit]:
    units = [_Unit((i,), t) for i, t in enumerate(form.tokens)]
    for i, m in enumerate(form.merged):
        if m is not None:
            units.append(_Unit((i, i + 1), m))
    return units


def _sim(a: Token, b: Token, memo: Memo | None) -> float:
    """token_similarity, remembered in `memo` by object identity (the tokens must outlive it)."""
    if memo is None:
        return token_similarity(a, b)
    key = (id(a), id(b))
    s = memo.get(key)
    if s is None:
        s = memo[key] = token_similarity(a, b)
    return s


@dataclass(frozen=True, slots=True)
class NameComparison:
    score: float
    pairs: tuple[tuple[str, str, float], ...]
    conflicts: tuple[tuple[str, ...], tuple[str, ...]]
    extras: tuple[str, ...]
    legal_forms: tuple[tuple[str, ...], tuple[str, ...]]
    common_only: bool = False  # no distinctive part matched: capped at COMMON_ONLY_CAP
    lineage: bool = False  # both names say "son of": a person's own name was not paired with a father's
    native_cap: float | None = None  # both in Chinese characters or Hangul: the cap from comparing them

    def detail(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pairs": [[q, c, round(s, 3)] for q, c, s in self.pairs],
        }
        if self.common_only:
            out["common_parts_only"] = {"cap": COMMON_ONLY_CAP}
        if self.native_cap is not None:
            out["same_script"] = {"cap": round(self.native_cap, 4)}
        if self.lineage:
            out["lineage"] = (
                "a person's own name (before bin / ben / ibn / ould) is not paired with a father's"
            )
        if self.conflicts[0] or self.conflicts[1]:
            out["unmatched_query"] = list(self.conflicts[0])
            out["unmatched_candidate"] = list(self.conflicts[1])
        if self.extras:
            out["extra"] = list(self.extras)
        if self.legal_forms[0] or self.legal_forms[1]:
            out["legal_forms"] = [list(self.legal_forms[0]), list(self.legal_forms[1])]
        return out


def name_score_bound(query_weight: float, candidate_weight: float, share: float) -> float:
    """An optimistic bound on the name score from the share of the query's weight whose keys the
    candidate holds: what is not shared is at best a conflict with what the candidate has left."""
    matched = share * query_weight
    left_q = query_weight - matched
    left_c = candidate_weight - 1.5 * matched
    if left_q <= 0 or left_c <= 0:
        return 1.0
    return float((1.0 - CONFLICT_PENALTY) ** (min(left_q, left_c) / CONFLICT_UNIT))


def acronym_credits(q: NameForm, c: NameForm, bq: list[float], bc: list[float]) -> None:
    """Raise `bq` and `bc`, the best credits of the tokens of `q` and `c` (as the bounds on the
    score keep them), where a token may abbreviate words of the other name (organizations only):
    at every place its letters start a run of words, as the alignment may take any of them."""
    if q.family == "person":
        return
    acr = credit(ACRONYM_MATCH)
    for xs, ys, bx, by in ((q.tokens, c.tokens, bq, bc), (c.tokens, q.tokens, bc, bq)):
        for i, t in enumerate(xs):
            for run in _acronym_runs(t, ys):
                bx[i] = max(bx[i], acr)
                for j in run:
                    by[j] = max(by[j], acr)


ACRONYM_MATCH = 0.9
_ACRONYM_KINDS = frozenset({TokenKind.NAME, TokenKind.GENERIC})


def _acronym_runs(t: Token, others: Sequence[Token]) -> Iterable[range]:
    """Every run of words of `others` that `t` abbreviates, first letter by first letter."""
    n = len(t.text)
    if not 2 <= n <= 6 or t.kind not in _ACRONYM_KINDS or not t.text.isalpha() or len(others) < n:
        return
    for start in range(len(others) - n + 1):
        run = range(start, start + n)
        if all(
            others[j].kind in _ACRONYM_KINDS and others[j].text[0] == t.text[k] for k, j in enumerate(run)
        ):
            yield run


def _acronym_run(t: Token, others: Sequence[Token], used: AbstractSet[int]) -> tuple[int, ...] | None:
    """The first run of words of `others` that `t` abbreviates with none of them in `used`."""
    for run in _acronym_runs(t, others):
        if used.isdisjoint(run):
            return tuple(run)
    return None


def _greedy(
    qt: Sequence[Token], ct: Sequence[Token], scored: list[tuple[float, int, _Unit, _Unit]]
) -> tuple[set[int], set[int], list[tuple[str, str, float]], float, float, float]:
    """Best pairs first; each token in one pair at most."""
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[str, str, float]] = []
    num = base = weak = 0.0
    for s, _n, ua, ub in scored:
        if used_q.intersection(ua.idx) or used_c.intersection(ub.idx):
            continue
        used_q.update(ua.idx)
        used_c.update(ub.idx)
        w = (sum(qt[i].weight for i in ua.idx) + sum(ct[j].weight for j in ub.idx)) / 2
        cr = credit(s)
        num += cr * w
        base += w
        # an abjad spelling against a Latin one: the discount is what the missing vowels leave
        # unknown, not a sign of another name, so it does not also count as conflict
        if cr < WEAK_FROM:
            weak += (1.0 - cr) * w * (ABJAD_WEAK if ua.token.abjad != ub.token.abjad else 1.0)
        pairs.append((" ".join(qt[i].text for i in ua.idx), " ".join(ct[j].text for j in ub.idx), s))
    return used_q, used_c, pairs, num, base, weak


Rows = dict[int, list[float]]


def name_score_estimate(
    q: NameForm, c: NameForm, memo: Memo | None = None, rows: Rows | None = None
) -> float:
    """A cheap, optimistic estimate of `compare_name_forms(q, c).score`, to skip candidates.

    Every token takes its best partner on the other side (single or merged with a neighbour)
    without the one-to-one constraint of the real alignment; what has no partner at all is left
    over, as in the real score; weak pairs are not counted as conflicts. So it is almost always
    at least the real score (the candidates are then scored in full). `rows` remembers, per
    candidate token, its credits against the tokens of `q` (one dict per query name)."""
    qt, ct = q.tokens, c.tokens
    if not qt or not ct:
        return 0.0
    bq = [0.0] * len(qt)
    bc = [0.0] * len(ct)
    for j, b in enumerate(ct):
        row = None if rows is None else rows.get(id(b))
        if row is None:
            row = [credit(_sim(a, b, memo)) for a in qt]
            if rows is not None:
                rows[id(b)] = row
        best = 0.0
        for i, cr in enumerate(row):
            if cr > bq[i]:
                bq[i] = cr
            if cr > best:
                best = cr
        bc[j] = best
    if min(bq) < 1.0 or min(bc) < 1.0:
        # a part without an exact partner may pair better merged with a neighbour (Abdulhai /
        # Abdul Hai, Jonghyeok / Jong Hyeok: jong alone is a weak pair of jonghyeok): an upper bound
        # of the score takes the better
        for i, m in enumerate(q.merged):
            if m is None:
                continue
            for j, b in enumerate(ct):
                cr = credit(_sim(m, b, memo))
                if cr > 0.0:
                    bq[i] = max(bq[i], cr)
                    bq[i + 1] = max(bq[i + 1], cr)
                    bc[j] = max(bc[j], cr)
        for j, m in enumerate(c.merged):
            if m is None:
                continue
            for i, a in enumerate(qt):
                cr = credit(_sim(a, m, memo))
                if cr > 0.0:
                    bc[j] = max(bc[j], cr)
                    bc[j + 1] = max(bc[j + 1], cr)
                    bq[i] = max(bq[i], cr)
    acronym_credits(q, c, bq, bc)
    num = paired = 0.0
    wq = wc = 0.0
    for t, cr in zip(qt, bq, strict=True):
        if cr > 0.0:
            num += cr * t.weight / 2
            paired += t.weight / 2
        elif t.kind is not TokenKind.NUMBER:
            wq += t.weight
    for t, cr in zip(ct, bc, strict=True):
        if cr > 0.0:
            num += cr * t.weight / 2
            paired += t.weight / 2
        elif t.kind is not TokenKind.NUMBER:
            wc += t.weight
    if num <= 0.0:
        return 0.0
    alpha = min(EXTRA_WEIGHT.get(q.family, 0.35), EXTRA_WEIGHT_SINGLE)
    score = num / (paired + alpha * abs(wq - wc))
    return float(min(1.0, score * (1.0 - CONFLICT_PENALTY) ** (min(wq, wc) / CONFLICT_UNIT)))


def compare_name_forms(q: NameForm, c: NameForm, memo: Memo | None = None) -> NameComparison:
    """Align the tokens of two names and score them (see the module docstring).

    `memo` (optional) remembers token similarities across the comparisons of one search."""
    qt, ct = q.tokens, c.tokens
    legal = (tuple(sorted(q.legal_forms)), tuple(sorted(c.legal_forms)))
    if not qt or not ct:
        return NameComparison(0.0, (), ((), ()), (), legal)
    # candidate pairs: every token against every token; when both names say "son of" (X bin Y) as
    # many times, the person's own name pairs only with the other's own name (Salman bin Muhammad /
    # Muhammad bin Salman); a link missing on one side (a typo, BEEN) leaves the pairs free
    lq, lc = q.lineage, c.lineage
    lineage = bool(lq and lc) and lq[-1] == lc[-1]
    crossed = False  # a pair was not made for that reason
    scored: list[tuple[float, int, _Unit, _Unit]] = []
    # in an organization's name a single letter is part of an abbreviation (B&W, M-Invest), not a
    # word shortened: it pairs only with that letter
    org = q.family != "person"
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            s = _sim(a, b, memo)
            if s > PAIR_MIN:
                if lineage and (lq[i] == 0) != (lc[j] == 0):
                    crossed = True
                    continue
                if org and (a.kind is TokenKind.INITIAL) != (b.kind is TokenKind.INITIAL):
                    continue
                scored.append((s, 1, _Unit((i,), a), _Unit((j,), b)))
    used_q, used_c, pairs, num, base, weak = _greedy(qt, ct, scored)
    if (len(used_q) < len(qt) or len(used_c) < len(ct)) and (len(qt) > 1 or len(ct) > 1):
        # something left: try merged neighbours against single tokens (Abdulhai / Abdul Hai)
        merged = list(scored)
        units_c = _units(c)
        for ua in _units(q):
            for ub in units_c:
                if len(ua.idx) + len(ub.idx) == 3:
                    if lineage and (lq[ua.idx[0]] == 0) != (lc[ub.idx[0]] == 0):
                        continue
                    s = _sim(ua.token, ub.token, memo)
                    if s > PAIR_MIN:
                        merged.append((s, 2, ua, ub))
        if len(merged) > len(scored):
            used_q, used_c, pairs, num, base, weak = _greedy(qt, ct, merged)
    if q.family != "person" and (len(used_q) < len(qt) or len(used_c) < len(ct)):
        # an acronym left on one side for the words it abbreviates on the other (PLA / People's
        # Liberation Army, U.S. / United States)
        for xs, ys, used_x, used_y, x_is_q in (
            (qt, ct, used_q, used_c, True),
            (ct, qt, used_c, used_q, False),
        ):
            for i, t in enumerate(xs):
                if i in used_x:
                    continue
                run = _acronym_run(t, ys, used_y)
                if run is None:
                    continue
                used_x.add(i)
                used_y.update(run)
                w = (t.weight + sum(ys[j].weight for j in run)) / 2
                num += credit(ACRONYM_MATCH) * w
                base += w
                words = " ".join(ys[j].text for j in run)
                pairs.append((t.text, words, ACRONYM_MATCH) if x_is_q else (words, t.text, ACRONYM_MATCH))
    left_q = [t for i, t in enumerate(qt) if i not in used_q]
    left_c = [t for j, t in enumerate(ct) if j not in used_c]
    wq = sum(t.weight for t in left_q if t.kind is not TokenKind.NUMBER)
    wc = sum(t.weight for t in left_c if t.kind is not TokenKind.NUMBER)
    numbers = sum(1 for t in (*left_q, *left_c) if t.kind is TokenKind.NUMBER)
    conflict = min(wq, wc) + WEAK_PAIR_CONFLICT * weak
    extra = max(wq, wc) - min(wq, wc)
    if wq and wc:
        # an initial left on one side against a name left on the other: a different person
        conflict += sum(CONFLICT_UNIT / 2 for t in (*left_q, *left_c) if t.kind is TokenKind.INITIAL)
    if not pairs or num <= 0:
        score = 0.0
    else:
        alpha = EXTRA_WEIGHT.get(q.family, 0.35) if len(pairs) > 1 else EXTRA_WEIGHT_SINGLE
        # Korean and Chinese names have no optional middle names: a part left over is a different
        # given name (Zhang Yuhua Lei / Zhang Lei; 시우 이 / Jong-Su LI), it weighs in full
        syl = extra if any(t.syllabic for t in (*qt, *ct)) else 0.0
        score = num / (base + alpha * extra + max(0.0, SYLLABIC_EXTRA - alpha) * syl)
        score *= (1.0 - CONFLICT_PENALTY) ** (conflict / CONFLICT_UNIT)
        score *= NUMBER_MISMATCH ** min(numbers, 2)
    if q.legal_forms and c.legal_forms and q.legal_forms.isdisjoint(c.legal_forms):
        score *= LEGAL_FORM_MISMATCH
    if wq and wc:
        conflicts = (tuple(t.text for t in left_q), tuple(t.text for t in left_c))
        extras: tuple[str, ...] = ()
    else:
        conflicts = (
            tuple(t.text for t in left_q if t.kind is TokenKind.NUMBER),
            tuple(t.text for t in left_c if t.kind is TokenKind.NUMBER),
        )
        extras = tuple(t.text for t in (*left_q, *left_c) if t.kind is not TokenKind.NUMBER)
    # a match needs a distinctive part (a name, not a particle, title or very common given name)
    # matched strongly, when either name has one: Alf Ahmed / al-Ahmed is not a match
    common_only = False
    if score > COMMON_ONLY_CAP and q.family == "person" and any(t.kind in _DISTINCTIVE for t in (*qt, *ct)):
        strong = False
        for qn, cn, sim in pairs:
            if sim >= STRONG_PAIR:
                kinds = [t.kind for t in qt if t.text in qn.split()] + [
                    t.kind for t in ct if t.text in cn.split()
                ]
                if any(k in _DISTINCTIVE for k in kinds):
                    strong = True
                    break
        if not strong:
            score = COMMON_ONLY_CAP
            common_only = True
    if score > INITIALS_ONLY_CAP and _initials_only(qt) != _initials_only(ct):
        score = INITIALS_ONLY_CAP  # N.N. is not Nursultan Nazarbayev: initials alone name nobody
    native_cap = None
    if q.scripts == c.scripts and len(q.scripts) == 1 and q.scripts <= _SYLLABIC_SCRIPTS:
        if "Hani" in q.scripts:
            native_cap = _native_cap(simplified_han(q.original), simplified_han(c.original))
        else:
            native_cap = _native_cap(q.original, c.original)
        if native_cap >= 1.0:
            native_cap = None
        elif score > native_cap:
            score = native_cap
    return NameComparison(
        min(1.0, score), tuple(pairs), conflicts, extras, legal, common_only, crossed, native_cap
    )


_SYLLABIC_SCRIPTS = frozenset({"Hani", "Hang"})
INITIALS_ONLY_CAP = 0.5


def _initials_only(tokens: Sequence[Token]) -> bool:
    return all(t.kind is TokenKind.INITIAL for t in tokens)


def _native_cap(a: str, b: str) -> float:
    """Two names both written in Chinese characters, or both in Hangul, compared as written: each
    character is a syllable of the name, and another character is another name even when the
    romanizations meet (高市 / 高石 are both gao shi; 정 / 종 jeong / jong). The cap is the square of the
    share of characters in common (Dice), so one character of three or four differing stays below
    the threshold; the order is free (수빈 최 / 최수빈)."""
    ca = sorted(ch for ch in a if ch.isalpha())
    cb = sorted(ch for ch in b if ch.isalpha())
    if not ca or not cb:
        return 1.0
    common = 0
    i = j = 0
    while i < len(ca) and j < len(cb):
        if ca[i] == cb[j]:
            common += 1
            i += 1
            j += 1
        elif ca[i] < cb[j]:
            i += 1
        else:
            j += 1
    dice = 2 * common / (len(ca) + len(cb))
    return dice * dice


# ---------------------------------------------------------------------------------------------
# Other features. Each returns an additive contribution (positive corroborates, negative contradicts).

BIRTH_DATE_MATCH = 0.05
BIRTH_DATE_DAY_MATCH = 0.08
BIRTH_YEAR_NEAR = -0.04  # one year off: lists often give an approximate year
BIRTH_DATE_CONTRADICTION = -0.35
NATIONALITY_MATCH = 0.02
NATIONALITY_CONTRADICTION = -0.05
IDENTIFIER_MATCH = 0.6  # share of the distance to 1 closed by a matching identifier
IDENTIFIER_CONTRADICTION = -0.1  # a unique registry number (INN, OGRN, IMO, LEI) that differs
GENDER_CONTRADICTION = -0.1
_UNIQUE_ID_KINDS = frozenset({"inn", "ogrn", "imo", "lei", "mmsi", "swift"})


def birth_date_feature(query: Sequence[PartialDate], listed: Sequence[PartialDate]) -> Feature | None:
    """Birth dates: compatible dates corroborate; none within a year contradicts."""
    if not query or not listed:
        return None
    best: tuple[float, str, str] | None = None
    for qd in query:
        for ld in listed:
            if qd.compatible(ld):
                both_day = qd.day is not None and ld.day is not None
                c = BIRTH_DATE_DAY_MATCH if both_day else BIRTH_DATE_MATCH
            elif qd.year == ld.year:
                c = BIRTH_YEAR_NEAR  # same year, different month or day
            elif abs(qd.year - ld.year) == 1:
                c = BIRTH_YEAR_NEAR
            else:
                c = BIRTH_DATE_CONTRADICTION
            if best is None or c > best[0]:
                best = (c, qd.iso(), ld.iso())
    assert best is not None
    c, qv, lv = best
    verdict = "match" if c > 0 else "near" if c > BIRTH_DATE_CONTRADICTION else "contradiction"
    return Feature("birth_date", c, {"query": qv, "candidate": lv, "result": verdict})


def nationality_feature(query: Iterable[str], listed: Iterable[str]) -> Feature | None:
    q = {x for x in (normalize_country(v) for v in query) if x}
    c = {x for x in (normalize_country(v) for v in listed) if x}
    if not q or not c:
        return None
    common = q & c
    if common:
        return Feature(
            "nationality", NATIONALITY_MATCH, {"query": sorted(q), "candidate": sorted(c), "result": "match"}
        )
    return Feature(
        "nationality",
        NATIONALITY_CONTRADICTION,
        {"query": sorted(q), "candidate": sorted(c), "result": "contradiction"},
    )


_ID_CLEAN = re.compile(r"[^0-9A-Z]")


def _clean_id(value: str) -> str:
    return _ID_CLEAN.sub("", value.upper())


def identifier_feature(
    query: Sequence[Identifier], listed: Sequence[Identifier], name_score: float
) -> Feature | None:
    """A matching identifier raises the score toward 1; a differing unique registry number lowers it."""
    if not query or not listed:
        return None
    lvals = {_clean_id(i.value): i for i in listed if len(_clean_id(i.value)) >= 4}
    for qi in query:
        v = _clean_id(qi.value)
        if len(v) >= 4 and v in lvals:
            li = lvals[v]
            if qi.kind == li.kind or "other" in (qi.kind, li.kind) or qi.kind not in _UNIQUE_ID_KINDS:
                raise_by = (1.0 - name_score) * IDENTIFIER_MATCH
                return Feature(
                    "identifier",
                    raise_by,
                    {
                        "query": f"{qi.kind}:{qi.value}",
                        "candidate": f"{li.kind}:{li.value}",
                        "result": "match",
                    },
                )
    for qi in query:
        if qi.kind not in _UNIQUE_ID_KINDS:
            continue
        same_kind = [li for li in listed if li.kind == qi.kind]
        if same_kind:
            return Feature(
                "identifier",
                IDENTIFIER_CONTRADICTION,
                {
                    "query": f"{qi.kind}:{qi.value}",
                    "candidate": [f"{li.kind}:{li.value}" for li in same_kind],
                    "result": "contradiction",
                },
            )
    return None


def _gender(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    if v in ("m", "male", "man", "masculine"):
        return "male"
    if v in ("f", "female", "woman", "feminine"):
        return "female"
    return None


def gender_feature(query: str | None, listed: str | None) -> Feature | None:
    q, c = _gender(query), _gender(listed)
    if q is None or c is None:
        return None
    if q == c:
        return Feature("gender", 0.0, {"query": q, "candidate": c, "result": "match"})
    return Feature("gender", GENDER_CONTRADICTION, {"query": q, "candidate": c, "result": "contradiction"})


# Countries: ISO 3166-1 alpha-2 codes and English names (from ICU's locale data), plus the usual
# names the lists use that ICU does not.
_COUNTRY_ALIASES = {
    "russian federation": "ru", "russia": "ru", "ussr": "su", "soviet union": "su",
    "iran islamic republic of": "ir", "iran": "ir", "syrian arab republic": "sy", "syria": "sy",
    "korea democratic people s republic of": "kp", "democratic people s republic of korea": "kp",
    "north korea": "kp", "dprk": "kp", "republic of korea": "kr", "south korea": "kr",
    "united states": "us", "united states of america": "us", "usa": "us", "uk": "gb",
    "united kingdom": "gb", "great britain": "gb", "viet nam": "vn", "lao people s democratic republic": "la",
    "bolivia plurinational state of": "bo", "venezuela bolivarian republic of": "ve",
    "tanzania united republic of": "tz", "moldova republic of": "md", "republic of moldova": "md",
    "congo democratic republic of the": "cd", "democratic republic of the congo": "cd",
    "palestine": "ps", "state of palestine": "ps", "turkiye": "tr", "czechia": "cz",
    "ivory coast": "ci", "cote d ivoire": "ci", "burma": "mm", "myanmar": "mm",
    "afghan": "af", "iraqi": "iq", "syrian": "sy", "iranian": "ir", "russian": "ru", "ukrainian": "ua",
    "belarusian": "by", "yemeni": "ye", "somali": "so", "sudanese": "sd", "libyan": "ly", "pakistani": "pk",
}  # fmt: skip
_country_index: dict[str, str] | None = None


def _countries() -> dict[str, str]:
    global _country_index
    if _country_index is None:
        idx: dict[str, str] = dict(_COUNTRY_ALIASES)
        try:
            import icu

            english = icu.Locale("en")
            for code in icu.Locale.getISOCountries():
                name = icu.Locale("", code).getDisplayCountry(english)
                idx.setdefault(_country_key(str(name)), str(code).lower())
        except Exception:  # pragma: no cover - pyicu is a dependency; without it codes still work
            pass
        _country_index = idx
    return _country_index


def _country_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())


@lru_cache(maxsize=20_000)
def normalize_country(value: str) -> str | None:
    """An ISO 3166-1 alpha-2 code (lowercase) for a code or an English country name; None if unknown."""
    k = _country_key(value)
    if not k:
        return None
    if len(k) == 2 and k.isalpha():
        return k
    return _countries().get(k)
