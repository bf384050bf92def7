"""Candidate generation and search: a query is compared only with the names that share a key with it.

Keys. Every token of every listed name is indexed by its spelling skeleton (so Sergei finds
Sergey), every pair of adjacent tokens by their joined skeletons (so Abdulhai finds Abdul Hai and
the reverse), and every token by its consonants (so محمد finds Mohamed). A typo is reached through
a deletion neighbourhood: each skeleton of four letters or more is also filed under each of its
one-letter deletions, and the query looks up its own deletions, which finds every skeleton at
edit distance one (and most at two).

Bounded candidate generation. Each query part gets the set of names holding one of its keys;
the parts are taken rarest first (IDF-like): the rare ones open candidates, the common ones
(Mohammad, Kim, Zhang) only add to candidates already open, and a part held by more than
`BIG_POSTING` names opens nothing once a rarer part (even an unknown one) has been seen; when every
part is common, a candidate must hold two of them. At most `MAX_OPEN` names per query name are
kept (the best-sharing, then the closest in weight). Korean and Chinese parts look up their exact
spelling and consonants only (see `features.SYLLABIC_MIN`).

Pruning before full scoring. The cuts rank by what the query and the index give, never by the
search's `min_score`, so a search with a higher min_score returns exactly the hits of one with
min_score 0 that reach it (same scores, same order): the names whose shared keys can carry them to
the threshold (`name_score_bound`) come first, then the best-sharing, the closest in weight; a name
whose bound cannot come within `NEAR_MISS` of the threshold is not a candidate. The first
`MAX_SHARED` get a cheap, optimistic estimate of the name score (`name_score_estimate`, token
similarities computed in one `rapidfuzz` `cdist` call per query name and shared across candidates),
plus what birth date, nationality and gender give for that entity; the `MAX_CANDIDATES` entities
whose estimate reaches the threshold come first, the best-estimated first, and are scored in full
with their explanation. `min_score` only skips the full scoring of an entity when a true upper
bound of its score (`_name_score_cap`) is below it. Query names are expanded by `name_variants`
as the listed names are.

`Matcher` is built once from `(list_name, list_version, ListedEntity)` triples; it holds only
plain Python data, so it pickles (or forks) to worker processes for batch screening.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from rempart.domain.lists import ListedEntity, NameKind, entity_id
from rempart.domain.screening.features import (
    BIRTH_DATE_DAY_MATCH,
    COMMON_ONLY_CAP,
    CONFLICT_PENALTY,
    CONFLICT_UNIT,
    EXTRA_WEIGHT,
    EXTRA_WEIGHT_SINGLE,
    NATIONALITY_MATCH,
    STRONG_PAIR,
    Memo,
    NameComparison,
    Rows,
    acronym_credits,
    compare_name_forms,
    credit,
    name_score_bound,
    name_score_estimate,
    prime_similarities,
    token_similarity,
)
from rempart.domain.screening.lexicon import DISTINCT_NAME, Lexicon, split_words
from rempart.domain.screening.model import Hit, NameQuery
from rempart.domain.screening.normalize import (
    NameForm,
    Token,
    TokenKind,
    analyze_name,
    schema_family,
)
from rempart.domain.screening.score import (
    DEFAULT_THRESHOLD,
    Compared,
    algorithm_id,
    other_features_bound,
    score_entity,
)
from rempart.domain.screening.transliterate import (
    japanese_reading,
    korean_reading,
    persian_reading,
    script_of,
    skeleton,
    urdu_reading,
)

__all__ = ["Matcher", "compare_names", "name_variants"]

MIN_KEY_LEN_FUZZY = 4
# a short name part differing by one letter is another name (Zhang / Zhong, Jian / Jiang): short keys
# reach their neighbours with one letter more or less only, longer ones also with one letter changed
MIN_KEY_LEN_SUBSTITUTION = 4
GENERATE_SHARE = 0.45  # rarest query tokens carrying this share of the weight open candidates
CANDIDATE_SHARE = 0.40  # a candidate name must share keys carrying this share of the query weight
BIG_POSTING = 400  # a query part held by more names than this is common: it does not open candidates
MAX_OPEN = 250  # candidate names kept per query name after key sharing, the best-sharing first
MAX_SHARED = 30  # candidate names, the best-sharing first, whose name score is estimated
MAX_CANDIDATES = 8  # entities scored in full per query, the best-estimated first
QUERY_CACHE_SIZE = 50_000  # analyzed query names remembered (then forgotten all at once)
FUZZY_CACHE_SIZE = 200_000  # fuzzy key lookups remembered (then forgotten all at once)
_NO_KEYS: tuple[str, ...] = ()
MIN_ACRONYM, MAX_ACRONYM = 3, 6  # an organization's name is also indexed under these acronyms
_ACRONYM_KINDS = frozenset({TokenKind.NAME, TokenKind.GENERIC})
MAX_FORMS = 3  # names of one entity scored in full, the best-estimated first
WEAK_ALIAS_FACTOR = 0.92
MARGIN_SLACK = 0.02  # what the cheap estimates may miss of the name score
# how far below the threshold the candidates go: a name whose key bound or estimate cannot come this
# close is not weighed (the same for every min_score, so a lower one only adds the hits below it)
NEAR_MISS = 0.0
_ROUNDING = 1e-9  # float sums in another order: a bound this close to min_score does not skip
_DISTINCTIVE = frozenset({TokenKind.NAME, TokenKind.PATRONYMIC, TokenKind.NUMBER})  # as features

# a query's index lookups per query name: per name part, its share of the weight and its lookups
Probes = tuple[tuple[tuple[float, tuple[str, ...]], ...], ...]


def name_variants(full: str, schema: str = "") -> list[str]:
    """A listed name and, when it carries one in parentheses in another script, that other form;
    when it gives alternatives with a slash, each of them; when it is written in Chinese characters,
    its Japanese reading (`transliterate.japanese_reading`) and its Korean one in Hangul
    (`transliterate.korean_reading`: 金正恩 also gives 김정은), whichever apply; when it is written
    in the Arabic script, its Persian and Urdu readings (`transliterate.persian_reading`,
    `urdu_reading`).

    `Sergei AKSENOV (Сергей АКСЁНОВ)` gives both forms; `Deutsche Bank (Schweiz) AG` stays whole.
    `Nikolay PESKOV/PESKOFF` gives `Nikolay PESKOV` and `Nikolay PESKOFF` (a word's alternatives);
    `Al-Qa'ida/Islamic Army` also gives `Al-Qa'ida` and `Islamic Army` (the name's). `A/S`, `M/V`
    (one letter on a side) are not alternatives. `Larisa AIRAPETYAN (a.k.a. Larysa AYRAPETYAN or
    Larisa HAYRAPETYAN)` gives the three names; alternatives followed by more of the name, or of one
    word, stand for the word before them (`Munzir (a.k.a. Mundhir) Jamil AL-ASSAD`). A person's name
    that lists three names or more, each of two words or more, separated by commas gives each too
    (`schema` "Person"; an organization's commas separate parts of one name). A word of a person's
    name followed by one word in the same script in parentheses gives a name with each (`Iury
    (Yuri) Leonidovich SIVAKOV`, `Екатерина Васильевна ФЕДОТОВА (НАУМОВА)`: a former surname).
    """
    forms = [full]
    aka = _AKA.search(full)
    if aka:
        before, after = full[: aka.start()].rstrip(), full[aka.end() :].lstrip()
        others = [x.strip(" ,;:") for x in _AKA_SEPARATORS.split(aka.group(1)) if x.strip(" ,;:")]
        head, _, last = before.rpartition(" ")
        forms = [f"{before} {after}".strip()]
        for other in others:
            if last and (after or " " not in other):
                # alternatives of the word before them: Munzir (a.k.a. Mundhir, Monzer) Jamil AL-ASSAD
                forms.append(f"{head} {other} {after}".strip())
            else:
                forms.append(other)
        return list(dict.fromkeys(x for form in forms if form for x in name_variants(form, schema)))
    alt = (
        _ALTERNATIVE_WORD.search(full)
        if schema == "Person" and 0 < full.count("(") <= MAX_ALTERNATIVE_WORDS
        else None
    )
    if alt and _main_script(alt.group(1)) == _main_script(alt.group(2)):
        # a word and, in parentheses, another spelling or form of it: Iury (Yuri) Leonidovich
        # SIVAKOV, Igor Nikolaevich (Mykolayovich) TURCHENYUK, Екатерина ФЕДОТОВА (НАУМОВА)
        head, tail = full[: alt.start()], full[alt.end() :]
        forms = [f"{head}{alt.group(1)}{tail}", f"{head}{alt.group(2)}{tail}"]
        return list(dict.fromkeys(x for form in forms for x in name_variants(form, schema)))
    parts = [x.strip() for x in full.split(",")]
    if schema == "Person" and len(parts) >= 3 and all(len(x.split()) >= 2 for x in parts):
        # several names in one (Vladimir SHEVTSOV, Vladimir Iurievici ANTIUFEEV, Vadim SHEVTSOV);
        # one comma is a name's order (PUTIN, Vladimir)
        return list(dict.fromkeys([full, *(x for part in parts for x in name_variants(part, schema))]))
    if "(" in full and ")" in full:
        start, end = full.find("("), full.rfind(")")
        inner = full[start + 1 : end].strip()
        outer = (full[:start] + " " + full[end + 1 :]).strip()
        if inner and outer and _main_script(inner) != _main_script(outer):
            forms = [outer, inner]
    if "/" in full:
        forms = list(dict.fromkeys(x for form in forms for x in (form, *_slash_alternatives(form))))
    for form in forms:
        if not form.isascii():
            # 山田太郎 is also Yamada Taro, 金正恩 also 김정은 (Kim Jong Un): every reading that
            # applies is one more form
            readings = [
                r
                for r in (
                    japanese_reading(form),
                    korean_reading(form),
                    persian_reading(form),
                    urdu_reading(form),
                )
                if r
            ]
            if readings:
                forms = [*forms, *readings]
                break
    return forms


# "(a.k.a. X, Y or Z)" inside a listed name (the EU's notes): other names of the same party
_AKA = re.compile(r"\(\s*(?:a\.?\s?k\.?\s?a\b\.?|also known as)\s*:?\s*([^()]+)\)", re.IGNORECASE)
_AKA_SEPARATORS = re.compile(r",|;|\bor\b")
# a person's name word followed by one word in parentheses: the same word spelt or said otherwise;
# at most this many in a name (each doubles the names: a longer run is not a name)
MAX_ALTERNATIVE_WORDS = 3
_ALTERNATIVE_WORD = re.compile(
    r"(?:^|(?<=\s))([^\W\d_](?:[\w'’-]*[^\W\d_])?)\s*\(\s*([^\W\d_][\w'’-]*[^\W\d_])\s*\)(?=[\s,)]|$)"
)
_SLASHED = re.compile(r"(?<![^\W\d_])(\w[\w'’.-]*\w)/(\w[\w'’.-]*\w)(?![^\W\d_])")


def _slash_alternatives(form: str) -> list[str]:
    m = _SLASHED.search(form)
    if m is None:
        return []
    a, b = m.group(1), m.group(2)
    if not any(c.isalpha() for c in a) or not any(c.isalpha() for c in b):
        return []  # dates, numbers
    head, tail = form[: m.start()], form[m.end() :]
    out = [head + a + tail, head + b + tail]  # the word's alternatives
    halves = [(head + a).strip(), (b + tail).strip()]
    if all(len(split_words(x)) >= 2 for x in halves):
        out.extend(halves)  # the name's (a single word alone is not a name: CHOLES/CHOULZ)
    return out


def _main_script(text: str) -> str:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            s = script_of(ch)
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


_LATIN = frozenset({"Latn"})


def _form_class(form: NameForm) -> tuple[Any, ...]:
    """What the comparisons of a listed name read of it (`compare_name_forms`, `name_score_estimate`,
    `_name_score_cap`): its tokens and merged tokens (shared objects while building), "son of"
    links, legal forms, scripts and family; the name as written too, unless it is in Latin letters
    (two names written alike but for case or punctuation, `Abd Al-Latif` / `ABD AL-LATIF`, compare
    alike: one person on five lists is compared once; Chinese and Korean names are also compared
    as written)."""
    return (
        tuple(id(t) for t in form.tokens),
        tuple(0 if m is None else id(m) for m in form.merged),
        form.lineage,
        form.legal_forms,
        form.scripts,
        form.family,
        "" if form.scripts <= _LATIN else form.original,
    )


def _posted(posts: list[list[int]]) -> set[int]:
    """The names in some posting lists, as a new set made list by list."""
    out: set[int] = set()
    for p in posts:
        out.update(p)
    return out


def _searched_groups(t: Token) -> frozenset[str]:
    """The name groups a part is filed and looked up under: not the Korean family names (Kim, Lee,
    Park: their spellings are few and meet by key; as groups they would join Zhang and Chang), nor
    the commonest Arabic given names (Muhammad: thousands of names, whose spellings meet by key)."""
    groups = t.groups
    if groups and any(g.startswith(_UNSEARCHED_GROUPS) for g in groups):
        return frozenset(g for g in groups if not g.startswith(_UNSEARCHED_GROUPS))
    return groups


_UNSEARCHED_GROUPS = ("ko:", DISTINCT_NAME)


@lru_cache(maxsize=100_000)
def spelled_skeletons(text: str) -> tuple[str, ...]:
    """The skeletons of a name part's deletions (as written) that the lookups of its own skeleton do
    not reach: not the skeleton, nor (when it is long enough to be looked up fuzzily) its deletions.
    Empty for most parts (Ivanov: its deletions are its skeleton's); not for Lakahl (lakhl: lahl)
    or Chooe (choe, where the skeleton chu is too short for a fuzzy lookup)."""
    if len(text) < MIN_KEY_LEN_FUZZY:
        return ()
    skel = skeleton(text)
    reached = {skel, *_deletions(skel)} if len(skel) >= MIN_KEY_LEN_FUZZY else {skel}
    return tuple(sorted({skeleton(d) for d in _deletions(text)} - reached))


def _syllabic_keys(t: Token) -> tuple[str, ...]:
    """The exact keys of a Korean or Chinese name part: its skeleton and, for Hangul, whose skeleton
    keeps j a consonant (설준 seoljun), the skeleton a Latin spelling in one word has (Seoljun: the
    j a glide, as `skeleton` reads it)."""
    plain = skeleton(t.text)
    return (t.skel,) if plain == t.skel else (t.skel, plain)


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building creates a few million small objects that never form cycles: the cyclic collector
    would only walk them again and again, during the build and, once built, in every full
    collection (a pause of 100 ms or more in the middle of a search). So they are frozen."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Entry:
    list_name: str
    list_version: str
    entity: ListedEntity
    family: str


def _margin(query: NameQuery) -> float:
    """The most the features other than the name can add to the score of this query."""
    if query.identifiers:
        return 1.0
    m = 0.0
    if query.birth_dates:
        m += BIRTH_DATE_DAY_MATCH
    if query.nationalities:
        m += NATIONALITY_MATCH
    return m + MARGIN_SLACK


def _name_score_cap(q: NameForm, c: NameForm, memo: Memo, rows: Rows) -> float:
    """A true upper bound on `compare_name_forms(q, c).score` (unlike `name_score_estimate`).

    Each token earns at most the best credit of a pair it can be in (single, or merged with a
    neighbour against a single token), so the weighted mean credit of the pairs is at most the best
    credit `top`; a token in no pair at all is left over, so at least the lesser of the weights left
    without a partner on each side is a conflict; every other term (extras, weak pairs, numbers,
    legal forms, the same-script cap) only lowers the score; and without a pair of similarity
    `STRONG_PAIR` a person's name is capped at `COMMON_ONLY_CAP` when either side has a
    distinctive part. `rows` holds the credits of `q`'s tokens against a candidate token (as
    `name_score_estimate` leaves them)."""
    qt, ct = q.tokens, c.tokens
    if not qt or not ct:
        return 0.0

    def sim(a: Token, b: Token) -> float:
        key = (id(a), id(b))
        s = memo.get(key)
        if s is None:
            s = memo[key] = token_similarity(a, b)
        return s

    bq = [0.0] * len(qt)
    bc = [0.0] * len(ct)
    for j, b in enumerate(ct):
        row = rows.get(id(b))
        if row is None:
            row = rows[id(b)] = [credit(sim(a, b)) for a in qt]
        for i, cr in enumerate(row):
            if cr > bq[i]:
                bq[i] = cr
            if cr > bc[j]:
                bc[j] = cr
    for i, m in enumerate(q.merged):
        if m is not None:
            for j, b in enumerate(ct):
                cr = credit(sim(m, b))
                if cr > 0.0:
                    bq[i] = max(bq[i], cr)
                    bq[i + 1] = max(bq[i + 1], cr)
                    bc[j] = max(bc[j], cr)
    for j, m in enumerate(c.merged):
        if m is not None:
            for i, a in enumerate(qt):
                cr = credit(sim(a, m))
                if cr > 0.0:
                    bc[j] = max(bc[j], cr)
                    bc[j + 1] = max(bc[j + 1], cr)
                    bq[i] = max(bq[i], cr)
    acronym_credits(q, c, bq, bc)
    top = max(bq)
    if top <= 0.0:
        return 0.0
    left_q = sum(
        t.weight for t, cr in zip(qt, bq, strict=True) if cr <= 0.0 and t.kind is not TokenKind.NUMBER
    )
    left_c = sum(
        t.weight for t, cr in zip(ct, bc, strict=True) if cr <= 0.0 and t.kind is not TokenKind.NUMBER
    )
    cap = top * _left_over_factor(
        sum(t.weight for t, cr in zip(qt, bq, strict=True) if cr > 0.0)
        + sum(t.weight for t, cr in zip(ct, bc, strict=True) if cr > 0.0),
        left_q,
        left_c,
        min(EXTRA_WEIGHT.get(q.family, 0.35), EXTRA_WEIGHT_SINGLE),
    )
    if top < STRONG_PAIR and q.family == "person" and any(t.kind in _DISTINCTIVE for t in (*qt, *ct)):
        cap = min(cap, COMMON_ONLY_CAP)
    return min(1.0, cap)


# a conflict of this weight w keeps exp(-_LOG_KEEP * w) of the name score
_LOG_KEEP = -math.log(1.0 - CONFLICT_PENALTY) / CONFLICT_UNIT


def _left_over_factor(pairable: float, left_q: float, left_c: float, alpha: float) -> float:
    """The most that `pairs / (pairs + alpha * extra) * conflict factor` can be, when the tokens left
    without any partner weigh `left_q` and `left_c` and those with one `pairable` (both sides).

    With `P` the paired weight (both sides) and `Lq`, `Lc` the weights left over, the name score is
    at most `top * P / (P + 2 alpha |Lq - Lc|) * exp(-_LOG_KEEP * min(Lq, Lc))`. Leaving one more
    pairable token out (`P` down, `Lq` or `Lc` up by its weight) on the side with more left over
    only lowers it; on the other side it changes its logarithm by at most `2 alpha / P - _LOG_KEEP`
    per unit of weight: below zero while `P > k = 2 alpha / _LOG_KEEP`. So over the alignments with
    `P > k` the best is the one that pairs every pairable token; over those with `P <= k`
    (so `Lq + Lc >= t1`) the expression, convex in `|Lq - Lc|` in log, is largest at an end of its
    range: `|Lq - Lc| = 0` or `min(Lq, Lc)` as small as it can be."""
    conflict = math.exp(-_LOG_KEEP * min(left_q, left_c))
    extra = abs(left_q - left_c)
    k = 2.0 * alpha / _LOG_KEEP
    if extra <= 0.0 or pairable <= k or alpha <= 0.0:
        return conflict
    every = pairable / (pairable + 2.0 * alpha * extra) * conflict
    t1 = left_q + left_c + pairable - k
    few = max(
        math.exp(-_LOG_KEEP * t1 / 2.0), k / (k + 2.0 * alpha * (t1 - 2.0 * min(left_q, left_c))) * conflict
    )
    return min(1.0, max(every, few))


def _compatible(query_family: str, entity_family: str) -> bool:
    return query_family == entity_family or "any" in (query_family, entity_family)


def _query_keys(token: Token) -> list[str]:
    return [token.skel]


class Matcher:
    """A name index over listed entities, with search and pair comparison."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str, ListedEntity]],
        lexicon: Lexicon | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.lexicon = lexicon or Lexicon.builtin()
        self.threshold = threshold
        self.algorithm = algorithm_id()
        self._entries: list[_Entry] = []
        self._forms: list[NameForm] = []
        self._form_entity: list[int] = []
        self._form_factor: list[float] = []
        self._form_weight: list[float] = []
        # forms that every comparison treats alike (`_form_class`) share a number
        self._form_class: list[int] = []
        self._classes: dict[tuple[Any, ...], int] = {}  # build-time only
        self._class_count = 0  # (a name added after the build gets a class of its own)
        self._postings: dict[str, list[int]] = {}
        self._cons_postings: dict[str, list[int]] = {}
        # names by the name groups of their parts (Aliaksandr, Oleksandr, Aleksandr: one given name;
        # Bill, William): a query part finds the names of its group however far the spellings
        self._group_postings: dict[str, list[int]] = {}
        self._deletion_index: dict[str, list[str]] = {}
        self._entity_map: dict[str, ListedEntity] | None = None
        # build-time only: one analysis per distinct (name, schema), one object per distinct token
        self._analyzed: dict[tuple[str, str], NameForm] = {}
        self._tokens: dict[Token, Token] = {}
        self._query_cache: dict[tuple[str, str], NameForm] = {}
        self._variant_cache: dict[str, tuple[str, ...]] = {}  # query name -> its name_variants
        self._set_cache: dict[int, frozenset[int]] = {}  # id(big posting list) -> its set
        self._part_sizes: dict[str, int] = {}  # a query part's lookups -> how many names they find
        self._near_keys: frozenset[str] | None = None  # keys and their deletions (`hits`)
        self._fuzzy_cache: dict[str, tuple[str, ...]] = {}
        with _gc_paused():
            for list_name, list_version, entity in entries:
                self.add(list_name, list_version, entity)
            self._finish()

    # ------------------------------------------------------------------ building
    def add(self, list_name: str, list_version: str, entity: ListedEntity) -> None:
        eidx = len(self._entries)
        self._entries.append(_Entry(list_name, list_version, entity, schema_family(entity.schema)))
        seen: set[str] = set()
        for name in entity.names:
            factor = WEAK_ALIAS_FACTOR if name.kind is NameKind.WEAK_ALIAS else 1.0
            for variant in name_variants(name.full, entity.schema):
                form = self._analyze(variant, entity.schema)
                if not form.tokens or form.text in seen:
                    continue
                seen.add(form.text)
                fid = len(self._forms)
                self._forms.append(form)
                self._form_entity.append(eidx)
                self._form_factor.append(factor)
                self._form_weight.append(form.weight)
                cls = self._classes.setdefault(_form_class(form), self._class_count)
                if cls == self._class_count:
                    self._class_count += 1
                self._form_class.append(cls)
                self._index_form(fid, form)

    def _analyze(self, name: str, schema: str) -> NameForm:
        """analyze_name, once per distinct (name, schema), with tokens shared between names (so that
        a search remembers a token's similarity once for all the names that hold it)."""
        key = (name, schema)
        form = self._analyzed.get(key)
        if form is None:
            form = analyze_name(name, schema, self.lexicon)
            toks = self._tokens
            form = replace(
                form,
                tokens=tuple(toks.setdefault(t, t) for t in form.tokens),
                merged=tuple(None if t is None else toks.setdefault(t, t) for t in form.merged),
            )
            self._analyzed[key] = form
        return form

    def _analyze_query(self, name: str, schema: str) -> NameForm:
        """analyze_name of a query name, remembered (batches repeat names: John Smith, Kim Chol)."""
        key = (name, schema)
        form = self._query_cache.get(key)
        if form is None:
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.clear()
            form = self._query_cache[key] = analyze_name(name, schema, self.lexicon)
        return form

    def _query_forms(self, query: NameQuery) -> list[NameForm]:
        """The analyzed forms of a query's names, each expanded by `name_variants` as the listed
        names are (the other script in parentheses, slash alternatives, the Japanese and Korean
        readings of Chinese characters), once per distinct form; the variants of a name are
        remembered."""
        forms: list[NameForm] = []
        seen: set[str] = set()
        cache = self._variant_cache
        for n in (query.name, *query.alt_names):
            if not n.strip():
                continue
            key = n if query.schema != "Person" else "\0" + n
            variants = cache.get(key)
            if variants is None:
                if len(cache) >= QUERY_CACHE_SIZE:
                    cache.clear()
                variants = cache[key] = tuple(name_variants(n, query.schema))
            for v in variants:
                form = self._analyze_query(v, query.schema)
                if form.tokens and form.text not in seen:
                    seen.add(form.text)
                    forms.append(form)
        return forms

    def _index_form(self, fid: int, form: NameForm) -> None:
        keys: set[str] = set()
        cons: set[str] = set()
        groups: set[str] = set()
        toks = form.tokens
        for i, t in enumerate(toks):
            if t.kind is TokenKind.INITIAL:
                continue
            keys.add(t.skel)
            groups.update(_searched_groups(t))
            if t.abjad and "z" in t.skel:
                # ذ is romanized z (`transliterate.romanize_word`): a Latin query spells it dh
                # (Dhabih, ذبيح) as often as z, and looks up its spelling's keys
                keys.add(t.skel.replace("z", "dh"))
            if len(t.cons) >= 2:
                cons.add(t.cons)
            if i + 1 < len(toks) and toks[i + 1].kind is not TokenKind.INITIAL:
                keys.add(t.skel + toks[i + 1].skel)
                if len(t.cons) + len(toks[i + 1].cons) >= 3:
                    cons.add(t.cons + toks[i + 1].cons)
        if form.family != "person":
            # the acronyms of its first three to six words, so that a query written as the acronym
            # finds the name (IRGC: Islamic Revolutionary Guard Corps); features pair them
            initials = ""
            for t in toks[:MAX_ACRONYM]:
                if t.kind not in _ACRONYM_KINDS:
                    break
                initials += t.text[0]
                if len(initials) >= MIN_ACRONYM:
                    keys.add(skeleton(initials))
        for k in keys:
            self._postings.setdefault(k, []).append(fid)
        for k in cons:
            self._cons_postings.setdefault(k, []).append(fid)
        for k in groups:
            self._group_postings.setdefault(k, []).append(fid)

    def _finish(self) -> None:
        dels: dict[str, list[str]] = {}
        for key in self._postings:
            if len(key) >= MIN_KEY_LEN_FUZZY:
                for d in _deletions(key):  # a set: each (deletion, key) once
                    got = dels.get(d)
                    if got is None:
                        dels[d] = [key]
                    else:
                        got.append(key)
        self._deletion_index = dels
        self._analyzed = {}
        self._tokens = {}
        self._classes = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def name_count(self) -> int:
        return len(self._forms)

    # ------------------------------------------------------------------ search
    def _fuzzy_keys(self, key: str) -> tuple[str, ...]:
        """The keys at edit distance one (most at two) of `key`, remembered: name parts repeat
        (first names, family names) from query to query."""
        return self._remembered(key, self._fuzzy_keys_of)

    def _spelled_keys(self, text: str) -> tuple[str, ...]:
        """When the skeleton of a name part finds no key, or is too short to be looked up fuzzily:
        the keys near it as written, the skeletons of its deletions the skeleton's own lookups do
        not reach (`spelled_skeletons`), as keys or deletions of keys. A typo can move a skeleton
        further than it moved the spelling (Lakahl: lakahl, two edits from Lakhal's lahal; its
        deletion lakhl is lahl, one). Remembered as `_fuzzy_keys` are."""
        return self._remembered("\0" + text, lambda _k: self._spelled_keys_of(text))

    def _remembered(self, key: str, compute: Callable[[str], set[str]]) -> tuple[str, ...]:
        """`compute(key)` from the lookup cache, kept as a tuple (in the set's order), which the
        cyclic garbage collector stops walking once it has seen it holds only strings."""
        got = self._fuzzy_cache.get(key)
        if got is None:
            if len(self._fuzzy_cache) >= FUZZY_CACHE_SIZE:
                self._fuzzy_cache.clear()
            got = self._fuzzy_cache[key] = tuple(compute(key)) or _NO_KEYS
        return got

    def _spelled_keys_of(self, text: str) -> set[str]:
        out: set[str] = set()
        di = self._deletion_index
        for sk in spelled_skeletons(text):
            if sk in self._postings:
                out.add(sk)
            out.update(di.get(sk, ()))
        return out

    def _fuzzy_keys_of(self, key: str) -> set[str]:
        out = {key} if key in self._postings else set()
        if len(key) < MIN_KEY_LEN_FUZZY:
            return out
        di = self._deletion_index
        out.update(di.get(key, ()))
        substitutions = len(key) >= MIN_KEY_LEN_SUBSTITUTION
        for d in _deletions(key):
            if d in self._postings:
                out.add(d)
            if substitutions:
                out.update(di.get(d, ()))
        return out

    def _candidates(self, form: NameForm) -> dict[int, float]:
        """Candidate names of one query name with the share of the query weight their keys carry."""
        toks = form.tokens
        # per query unit: weight, postings, its lookups that found some (`_names_in`)
        groups: list[tuple[float, list[list[int]], str]] = []
        postings, cons_postings = self._postings, self._cons_postings
        # what a part found merged with the next one counts for the next one too (عتیق الله:
        # Atiqullah holds both); carried to the next part's lookups
        carry: tuple[list[list[int]], list[str]] = ([], [])
        for i, t in enumerate(toks):
            if t.kind is TokenKind.INITIAL or t.weight <= 0:
                carry = ([], [])
                continue
            posts: list[list[int]] = carry[0]
            found: list[str] = carry[1]
            carry = ([], [])
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            for g in _searched_groups(t):
                p = self._group_postings.get(g)
                if p:
                    posts.append(p)
                    found.append("g" + g)
            if t.abjad:
                if len(t.cons) >= 2:
                    p = cons_postings.get(t.cons)
                    if p:
                        posts.append(p)
                        found.append("c" + t.cons)
                else:
                    # one consonant says little (ضیا dya, آغا agha): the spelling, written out, as the
                    # Latin spellings give it (Zia, Agha)
                    p = postings.get(t.skel)
                    if p:
                        posts.append(p)
                        found.append("x" + t.skel)
                if nxt is not None and len(t.cons) + len(nxt.cons) >= 2:
                    p = cons_postings.get(t.cons + nxt.cons)
                    if p:
                        posts.append(p)
                        found.append("c" + t.cons + nxt.cons)
                        if nxt.kind is not TokenKind.INITIAL:
                            carry = ([p], ["c" + t.cons + nxt.cons])
            elif t.syllabic:
                # a Korean or Chinese part pairs only with a near-identical spelling or the same
                # consonants (features.SYLLABIC_MIN): no deletion neighbourhood
                for key in _syllabic_keys(t):
                    p = postings.get(key)
                    if p:
                        posts.append(p)
                        found.append("x" + key)
                if len(t.cons) >= 4:
                    p = cons_postings.get(t.cons)
                    if p:
                        posts.append(p)
                        found.append("c" + t.cons)
                if nxt is not None and nxt.kind is not TokenKind.INITIAL:
                    p = postings.get(t.skel + nxt.skel)
                    if p:
                        posts.append(p)
                        found.append("x" + t.skel + nxt.skel)
            else:
                near = self._fuzzy_keys(t.skel)
                if near:
                    posts.extend(postings[k] for k in near)
                    found.append("f" + t.skel)
                if len(t.skel) < MIN_KEY_LEN_FUZZY or not near:
                    # a short skeleton is looked up exactly: its spelling's deletions too
                    near = self._spelled_keys(t.text)
                    if near:
                        posts.extend(postings[k] for k in near)
                        found.append("s" + t.text)
                # merged with the next token (Abdul Hai -> Abdulhai)
                if nxt is not None and nxt.kind is not TokenKind.INITIAL:
                    near = self._fuzzy_keys(t.skel + nxt.skel)
                    if near:
                        posts.extend(postings[k] for k in near)
                        found.append("f" + t.skel + nxt.skel)
                        if not (nxt.abjad or nxt.syllabic):
                            carry = ([postings[k] for k in near], ["f" + t.skel + nxt.skel])
            groups.append((t.weight, posts, "\0".join(found)))
        total = sum(w for w, _p, _k in groups)
        if total <= 0:
            return {}
        # per query part: its share of the weight, how many names hold it, its posting lists; the
        # rarest first
        sets: list[tuple[float, int, list[list[int]]]] = []
        for w, posts, key in groups:
            if w > 0:
                sets.append((w / total, self._names_in(key, posts), posts))
        if not sets:
            return {}
        sets.sort(key=lambda g: g[1])
        # `opening` is made as the search always made it (set by set, posting list by posting list,
        # in this order): the order in which it gives its names decides, among names sharing as
        # much and as close in weight, which `MAX_OPEN` stay
        opening: set[int] | frozenset[int] = set()
        opened = 0.0
        for share, n, posts in sets:
            # the rare parts open candidates, the common ones only add to them (IDF-like): when the
            # rare parts (even unknown ones) carry enough of the weight, the common ones cannot
            # lift a name that shares nothing else to the threshold
            if opened >= GENERATE_SHARE or (opened > 0 and n > BIG_POSTING):
                break
            if opened == 0 and n > BIG_POSTING and len(sets) > 1:
                # every part is common (Mohammad Hassan, Kim Chol): a candidate holds two of them;
                # the intersection gives its names in the order of the smaller set (the second
                # when they are as large)
                opening = self._names_of(posts) & self._names_of(sets[1][2])
                break
            opening |= _posted(posts)
            opened += share
        acc: dict[int, float] = dict.fromkeys(opening, 0.0)
        for share, _n, posts in sets:
            for fid in self._held(opening, posts):
                acc[fid] += share
        if len(acc) > MAX_OPEN:
            acc = self._best_sharing(acc, form.weight)
        return acc

    def _names_in(self, key: str, posts: list[list[int]]) -> int:
        """How many names hold a query part (its lookups `key`, those that found something, find
        the posting lists `posts`): the size of the union, counted once per key (a dict of strings
        and numbers, which the cyclic garbage collector does not walk, unlike sets of names); a
        common name part is mostly looked up alone (no name holds it merged with the next)."""
        if len(posts) <= 1:
            return len(posts[0]) if posts else 0  # a posting list holds a name once
        n = self._part_sizes.get(key)
        if n is None:
            if len(self._part_sizes) >= FUZZY_CACHE_SIZE:
                self._part_sizes.clear()
            n = self._part_sizes[key] = len(_posted(posts))
        return n

    def _held(self, names: set[int] | frozenset[int], posts: list[list[int]]) -> AbstractSet[int]:
        """The names of `names` in some posting lists (at C speed: a big posting list is looked up
        as a set made once, a small one is walked)."""
        if len(posts) == 1:
            p = posts[0]
            return names & self._big_set(p) if len(p) > BIG_POSTING else names.intersection(p)
        out: set[int] = set()
        for p in posts:
            out.update(names & self._big_set(p) if len(p) > BIG_POSTING else names.intersection(p))
        return out

    def _best_sharing(self, acc: dict[int, float], qw: float) -> dict[int, float]:
        """The `MAX_OPEN` names sharing the most, and among them the closest in weight to the query
        (`qw`); among names equal in both, the first in `acc`'s order: the names that
        `heapq.nlargest(MAX_OPEN, acc.items(), key=(share, -weight gap))` keeps, found by the share
        first (a C sort of the floats) so that only the names at the share of the cut are ranked by
        their weight."""
        shares = sorted(acc.values(), reverse=True)
        cut = shares[MAX_OPEN - 1]
        if shares[MAX_OPEN] < cut:
            return {f: s for f, s in acc.items() if s >= cut}
        out = {f: s for f, s in acc.items() if s > cut}
        tied = [f for f, s in acc.items() if s == cut]
        fw = self._form_weight
        gaps = [-abs(fw[f] - qw) for f in tied]
        # a stable sort, reversed: equal gaps keep their order in `acc`, as in heapq.nlargest
        order = sorted(range(len(tied)), key=gaps.__getitem__, reverse=True)
        for k in order[: MAX_OPEN - len(out)]:
            out[tied[k]] = cut
        return out

    def _big_set(self, posting: list[int]) -> frozenset[int]:
        """A big posting list as a set, made once (Mohammad's consonants are in thousands of names)."""
        key = id(posting)  # posting lists live as long as the index
        got = self._set_cache.get(key)
        if got is None:
            got = self._set_cache[key] = frozenset(posting)
        return got

    def _names_of(self, posts: list[list[int]]) -> set[int] | frozenset[int]:
        """The names in the posting lists of a query part, as a set made as the search always made
        it (a big posting list alone: its set made once; else list by list, in this order)."""
        if len(posts) == 1 and len(posts[0]) > BIG_POSTING:
            return self._big_set(posts[0])
        return _posted(posts)

    # ------------------------------------------------------------------ the reverse direction
    def probes(self, query: NameQuery) -> Probes:
        """The index lookups a search of `query` makes, per query name and name part: the part's
        share of the name's weight and its lookups as strings (`f<key>` a key looked up with its
        deletion neighbourhood, `x<key>` a key as it is, `c<key>` consonants; the same lookups as
        `_candidates`). A search finds a candidate name only through a part whose lookups find it,
        and keeps it only when such parts carry `CANDIDATE_SHARE` of a query name's weight: so a
        customer base filed under its probes tells which customers a few new listed entities can
        concern at all (`concerned`, for delta rescreening)."""
        out: list[tuple[tuple[float, tuple[str, ...]], ...]] = []
        for form in self._query_forms(query):
            out.append(self._form_probes(form))
        return tuple(out)

    @staticmethod
    def _form_probes(form: NameForm) -> tuple[tuple[float, tuple[str, ...]], ...]:
        toks = form.tokens
        parts: list[tuple[float, tuple[str, ...]]] = []
        carry: list[str] = []  # a lookup merged with the next part counts for it too (`_candidates`)
        for i, t in enumerate(toks):
            if t.kind is TokenKind.INITIAL or t.weight <= 0:
                carry = []
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            out: list[str] = carry
            carry = []
            out.extend("g" + g for g in sorted(_searched_groups(t)))
            if t.abjad:
                out.append("c" + t.cons if len(t.cons) >= 2 else "x" + t.skel)
                if nxt is not None and len(t.cons) + len(nxt.cons) >= 2:
                    out.append("c" + t.cons + nxt.cons)
                    if nxt.kind is not TokenKind.INITIAL:
                        carry = [out[-1]]
            elif t.syllabic:
                out.extend("x" + key for key in _syllabic_keys(t))
                if len(t.cons) >= 4:
                    out.append("c" + t.cons)
                if nxt is not None and nxt.kind is not TokenKind.INITIAL:
                    out.append("x" + t.skel + nxt.skel)
            else:
                out.append("f" + t.skel)
                if spelled_skeletons(t.text):
                    out.append("s" + t.text)  # the search looks it up when "f" finds nothing
                if nxt is not None and nxt.kind is not TokenKind.INITIAL:
                    out.append("f" + t.skel + nxt.skel)
                    if not (nxt.abjad or nxt.syllabic):
                        carry = [out[-1]]
            parts.append((t.weight, tuple(out)))
        total = sum(w for w, _ in parts)
        if total <= 0:
            return ()
        return tuple((w / total, ps) for w, ps in parts)

    def hits(self, probe: str) -> bool:
        """Whether a probe (see `probes`) finds a name in this index."""
        kind, key = probe[0], probe[1:]
        if kind == "c":
            return key in self._cons_postings
        if kind == "g":
            return key in self._group_postings
        if kind == "x" or len(key) < MIN_KEY_LEN_FUZZY:
            return key in self._postings
        # `_fuzzy_keys(key)` is not empty: the key, or one of its deletions, is a key or a deletion
        # of a key (MIN_KEY_LEN_SUBSTITUTION <= MIN_KEY_LEN_FUZZY)
        near = self._near_keys
        if near is None:
            near = self._near_keys = frozenset(self._postings).union(self._deletion_index)
        if kind == "s":  # `_spelled_keys(key)` is not empty
            return any(sk in near for sk in spelled_skeletons(key))
        if key in near:
            return True
        return any(key[:i] + key[i + 1 :] in near for i in range(len(key)))

    @staticmethod
    def concerned(probes: Probes, hit: AbstractSet[str]) -> bool:
        """Whether a search of the query with these probes can keep a candidate from an index in
        which the probes `hit` find names (see `probes`)."""
        for parts in probes:
            share = sum(s for s, ps in parts if not hit.isdisjoint(ps))
            if share >= CANDIDATE_SHARE - 1e-9:  # the search adds the same shares in another order
                return True
        return False

    def search(
        self,
        query: NameQuery,
        limit: int = 10,
        threshold: float | None = None,
        min_score: float | None = None,
    ) -> list[Hit]:
        """Listed entities that resemble the query, best first.

        Returns hits scoring at least `min_score` (default: the threshold); `Hit.match` is
        `score >= threshold`.
        """
        thr = self.threshold if threshold is None else threshold
        floor = thr if min_score is None else min_score
        qfamily = schema_family(query.schema)
        forms = self._query_forms(query)
        lists = set(query.lists)
        margin = _margin(query)
        # Every cut below ranks by what the query and the index give, never by `floor`: a search
        # with a higher min_score returns the hits of one with min_score 0 that reach it (same
        # scores, same order); `floor` only skips full scoring where a true upper bound is below it.
        # names whose key bound reaches the threshold come first; those whose bound does not reach
        # NEAR_MISS below it are not candidates (whatever the floor)
        plausible = self.threshold - margin
        near = plausible - NEAR_MISS
        shared: list[tuple[bool, float, float, int, int]] = []  # (plausible, share, -|weight gap|, -qi, -fid)
        fe = self._form_entity
        fw = self._form_weight
        for qi, form in enumerate(forms):
            qw = form.weight
            for fid, share in self._candidates(form).items():
                if share < CANDIDATE_SHARE:
                    continue
                entry = self._entries[fe[fid]]
                if lists and entry.list_name not in lists:
                    continue
                if not _compatible(qfamily, entry.family):
                    continue
                bound = name_score_bound(qw, fw[fid], share)
                if bound < near:
                    continue
                shared.append((bound >= plausible, share, -abs(fw[fid] - qw), -qi, -fid))
        if len(shared) > MAX_SHARED:
            # the best-ranked names, at most MAX_FORMS per entity (an entity listed on five lists
            # under the same names would otherwise take every place)
            shared.sort(reverse=True)
            per_entity: dict[int, int] = {}
            kept: list[tuple[bool, float, float, int, int]] = []
            for item in shared:
                eidx = fe[-item[4]]
                n = per_entity.get(eidx, 0)
                if n < MAX_FORMS:
                    per_entity[eidx] = n + 1
                    kept.append(item)
                    if len(kept) == MAX_SHARED:
                        break
            shared = kept
        # estimate the name score of each (cheap, optimistic but not a bound) and add what the other
        # features of that entity give; the entities whose estimate reaches the threshold come first,
        # the best-estimated first; only the first MAX_CANDIDATES are scored in full
        memo: Memo = {}
        rows: list[Rows] = [{} for _ in forms]
        prime_similarities(forms, [self._forms[-fid] for *_k, fid in shared], memo)
        by_entity: dict[int, dict[int, float]] = {}  # entity -> name -> estimate
        others: dict[int, float] = {}  # entity -> what its other features add (exactly; 1.0: unknown)
        reach = self.threshold - MARGIN_SLACK
        estimated: dict[tuple[int, int], float] = {}  # (query name, listed name's class) -> estimate
        fc = self._form_class
        # without a birth date, nationality or gender in the query the other features add nothing
        facts = bool(query.birth_dates or query.nationalities or query.gender)
        for *_k, mqi, mfid in shared:
            qi, fid = -mqi, -mfid
            eidx = fe[fid]
            if eidx not in others:
                if query.identifiers:
                    others[eidx] = 1.0
                elif facts:
                    others[eidx] = other_features_bound(query, self._entries[eidx].entity)
                else:
                    others[eidx] = 0.0
            # one listed name may be several entities' (one person on four lists): estimated once
            cls = fc[fid]
            est = estimated.get((qi, cls))
            if est is None:
                est = estimated[(qi, cls)] = name_score_estimate(forms[qi], self._forms[fid], memo, rows[qi])
            if est + max(0.0, others[eidx]) < reach - NEAR_MISS:
                continue  # by the name: a contradicting birth date ranks it last, shown at a low floor
            names = by_entity.setdefault(eidx, {})
            if est > names.get(fid, -1.0):
                names[fid] = est
        best_est = {e: max(v.values()) for e, v in by_entity.items()}
        ranked = sorted(by_entity, key=lambda e: (best_est[e] + others[e] < reach, -best_est[e], e))
        del ranked[MAX_CANDIDATES:]
        hits: list[Hit] = []
        compared: Compared = {}
        by_class: dict[tuple[int, int], NameComparison] = {}  # (id(query name), class) -> comparison
        for eidx in ranked:
            entry = self._entries[eidx]
            names = by_entity[eidx]
            fids = sorted(sorted(names, key=lambda f: (-names[f], f))[:MAX_FORMS])
            listed = [self._forms[f] for f in fids]
            if best_est[eidx] + others[eidx] < floor and floor > 0 and not query.identifiers:
                # likely below min_score (the estimate says so): skipped when a true bound proves it
                cap = 0.0
                for qi, qf in enumerate(forms):
                    for lf in listed:
                        cap = max(cap, _name_score_cap(qf, lf, memo, rows[qi]))
                if cap + others[eidx] < floor - _ROUNDING:
                    continue  # cannot reach min_score: it would be dropped below
            # a name compared alike to one compared before (`_form_class`): its comparison again
            for qf in forms:
                for f, lf in zip(fids, listed, strict=True):
                    got = by_class.get((id(qf), fc[f]))
                    if got is not None:
                        compared[(id(qf), id(lf))] = got
            scored = score_entity(query, forms, entry.entity, listed, memo, compared)
            for qf in forms:
                for f, lf in zip(fids, listed, strict=True):
                    got = compared.get((id(qf), id(lf)))
                    if got is not None:
                        by_class[(id(qf), fc[f])] = got
            score = scored.score
            factor = min(self._form_factor[f] for f in fids if self._forms[f].original == scored.name)
            explanation = scored.explanation
            if factor != 1.0:
                score *= factor
                explanation = {**explanation, "weak_alias": {"contribution": round(score - scored.score, 4)}}
            if score < floor:
                continue
            hits.append(
                Hit(
                    entity_id=entity_id(entry.list_name, entry.entity.source_id),
                    source_id=entry.entity.source_id,
                    list_name=entry.list_name,
                    list_version=entry.list_version,
                    schema=entry.entity.schema,
                    name=scored.name,
                    score=score,
                    match=score >= thr,
                    explanation=explanation,
                    algorithm=self.algorithm,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.entity_id))
        return hits[:limit]

    def entity(self, entity_id_: str) -> ListedEntity | None:
        """The listed entity behind a hit's `entity_id`."""
        return self._by_entity_id().get(entity_id_)

    def _by_entity_id(self) -> dict[str, ListedEntity]:
        if self._entity_map is None:
            self._entity_map = {entity_id(e.list_name, e.entity.source_id): e.entity for e in self._entries}
        return self._entity_map

    def compare(self, name1: str, name2: str, schema: str = "Person") -> tuple[float, bool, dict[str, Any]]:
        return compare_names(name1, name2, schema, self.lexicon, self.threshold)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_analyzed"] = {}
        state["_query_cache"] = {}
        state["_variant_cache"] = {}
        state["_set_cache"] = {}  # keyed by object ids: meaningless in another process
        state["_part_sizes"] = {}
        state["_near_keys"] = None
        state["_fuzzy_cache"] = {}
        state["_tokens"] = {}
        state["_classes"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(
            {
                "_near_keys": None,
                "_fuzzy_cache": {},
                "_variant_cache": {},
                "_part_sizes": {},
                **state,
            }
        )


_default_lexicon: Lexicon | None = None


def compare_names(
    name1: str,
    name2: str,
    schema: str = "Person",
    lexicon: Lexicon | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[float, bool, dict[str, Any]]:
    """Score two names of parties of one schema: (score 0..1, match, explanation)."""
    global _default_lexicon
    if lexicon is None:
        if _default_lexicon is None:
            _default_lexicon = Lexicon.builtin()
        lexicon = _default_lexicon
    f1 = [analyze_name(v, schema, lexicon) for v in _pair_variants(name1, schema)]
    f2 = [analyze_name(v, schema, lexicon) for v in _pair_variants(name2, schema)]
    best = None
    for a in f1:
        for b in f2:
            c = compare_name_forms(a, b)
            if best is None or c.score > best[0]:
                best = (c.score, a, b, c)
    assert best is not None
    score, a, b, c = best
    explanation = {
        "name": {"contribution": round(score, 4), "query": a.original, "candidate": b.original, **c.detail()},
        "algorithm": algorithm_id(),
    }
    return score, score >= threshold, explanation


def _pair_variants(name: str, schema: str) -> Sequence[str]:
    return name_variants(name, schema)
