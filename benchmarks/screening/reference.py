"""The matcher's search written plainly, kept to check that the faster search finds exactly the same
hits, scores and explanations (`check_equal`, and the tests): as before the speed work (commit
ed9bbe2), with the candidate cuts of issue #3 (none depends on min_score; query names expanded by
`name_variants`; a lookup merged with the next part counts for both; an abjad part of one consonant
looked up as spelt; a part's name groups; a part whose skeleton finds no key, by the skeletons of its spelling's deletions) and every ranked entity scored in full (no upper bound skips one).

Functions taking the `Matcher` as `self`: they read its index (postings, forms, entries) only.
"""

from __future__ import annotations

import heapq
from collections.abc import Set as AbstractSet

from rempart.domain.lists import entity_id
from rempart.domain.screening.features import (
    Memo,
    Rows,
    name_score_bound,
    name_score_estimate,
    prime_similarities,
)
from rempart.domain.screening.index import (
    BIG_POSTING,
    CANDIDATE_SHARE,
    GENERATE_SHARE,
    MARGIN_SLACK,
    MAX_CANDIDATES,
    MAX_FORMS,
    MAX_OPEN,
    MAX_SHARED,
    MIN_KEY_LEN_FUZZY,
    MIN_KEY_LEN_SUBSTITUTION,
    NEAR_MISS,
    QUERY_CACHE_SIZE,
    Matcher,
    _compatible,
    _deletions,
    _margin,
    _searched_groups,
    name_variants,
    spelled_skeletons,
)
from rempart.domain.screening.model import Hit, NameQuery
from rempart.domain.screening.normalize import NameForm, TokenKind, analyze_name, schema_family
from rempart.domain.screening.score import other_features_bound, score_entity
from rempart.domain.screening.transliterate import skeleton


def _analyze_query(self: Matcher, name: str, schema: str) -> NameForm:
    """analyze_name of a query name, remembered (batches repeat names: John Smith, Kim Chol)."""
    key = (name, schema)
    form = self._query_cache.get(key)
    if form is None:
        if len(self._query_cache) >= QUERY_CACHE_SIZE:
            self._query_cache.clear()
        form = self._query_cache[key] = analyze_name(name, schema, self.lexicon)
    return form


def _fuzzy_keys(self: Matcher, key: str) -> set[str]:
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


def _candidates(self: Matcher, form: NameForm) -> dict[int, float]:
    """Candidate names of one query name with the share of the query weight their keys carry."""
    toks = form.tokens
    groups: list[tuple[float, list[list[int]]]] = []  # per query unit: weight, postings
    carry: list[list[int]] = []  # found merged with the next part: counts for that part too
    for i, t in enumerate(toks):
        if t.kind is TokenKind.INITIAL or t.weight <= 0:
            carry = []
            continue
        posts: list[list[int]] = carry
        carry = []
        for g in _searched_groups(t):  # the names of its name groups (`Matcher._group_postings`)
            p = self._group_postings.get(g)
            if p:
                posts.append(p)
        if t.abjad:
            if len(t.cons) >= 2:
                p = self._cons_postings.get(t.cons)
                if p:
                    posts.append(p)
            else:
                p = self._postings.get(t.skel)
                if p:
                    posts.append(p)
            if i + 1 < len(toks) and len(t.cons) + len(toks[i + 1].cons) >= 2:
                p = self._cons_postings.get(t.cons + toks[i + 1].cons)
                if p:
                    posts.append(p)
                    if toks[i + 1].kind is not TokenKind.INITIAL:
                        carry = [p]
        elif t.syllabic:
            # a Korean or Chinese part pairs only with a near-identical spelling or the same
            # consonants (features.SYLLABIC_MIN): no deletion neighbourhood
            for key in {t.skel, skeleton(t.text)}:  # (Hangul: `index._syllabic_keys`)
                p = self._postings.get(key)
                if p:
                    posts.append(p)
            if len(t.cons) >= 4:
                p = self._cons_postings.get(t.cons)
                if p:
                    posts.append(p)
            if i + 1 < len(toks) and toks[i + 1].kind is not TokenKind.INITIAL:
                p = self._postings.get(t.skel + toks[i + 1].skel)
                if p:
                    posts.append(p)
        else:
            near = _fuzzy_keys(self, t.skel)
            for k in near:
                posts.append(self._postings[k])
            if len(t.skel) < MIN_KEY_LEN_FUZZY or not near:
                # the keys near the part as written (`Matcher._spelled_keys`)
                spelled: set[str] = set()
                for sk in spelled_skeletons(t.text):
                    if sk in self._postings:
                        spelled.add(sk)
                    spelled.update(self._deletion_index.get(sk, ()))
                for k in spelled:
                    posts.append(self._postings[k])
            # merged with the next token (Abdul Hai -> Abdulhai)
            if i + 1 < len(toks) and toks[i + 1].kind is not TokenKind.INITIAL:
                merged = [self._postings[k] for k in _fuzzy_keys(self, t.skel + toks[i + 1].skel)]
                posts.extend(merged)
                if merged and not (toks[i + 1].abjad or toks[i + 1].syllabic):
                    carry = merged
        groups.append((t.weight, posts))
    total = sum(w for w, _ in groups)
    if total <= 0:
        return {}
    # one set per query part (built at C speed), the rarest first
    sets: list[tuple[float, AbstractSet[int]]] = []
    for w, posts in groups:
        if w <= 0:
            continue
        got: AbstractSet[int]
        if len(posts) == 1 and len(posts[0]) > BIG_POSTING:
            got = _big_set(self, posts[0])
        else:
            union: set[int] = set()
            for p in posts:
                union.update(p)
            got = union
        sets.append((w / total, got))
    if not sets:
        return {}
    sets.sort(key=lambda g: len(g[1]))
    opening: AbstractSet[int] = set()
    opened = 0.0
    for share, got in sets:
        # the rare parts open candidates, the common ones only add to them (IDF-like): when the
        # rare parts (even unknown ones) carry enough of the weight, the common ones cannot
        # lift a name that shares nothing else to the threshold
        if opened >= GENERATE_SHARE or (opened > 0 and len(got) > BIG_POSTING):
            break
        if opened == 0 and len(got) > BIG_POSTING and len(sets) > 1:
            # every part is common (Mohammad Hassan, Kim Chol): a candidate holds two of them
            opening = got & sets[1][1]
            break
        opening |= got
        opened += share
    acc: dict[int, float] = dict.fromkeys(opening, 0.0)
    for share, got in sets:
        for fid in opening & got if len(got) > len(opening) else got & opening:
            acc[fid] += share
    if len(acc) > MAX_OPEN:
        # keep the names sharing the most, and among them the closest in weight to the query
        fw = self._form_weight
        qw = form.weight
        best = heapq.nlargest(MAX_OPEN, acc.items(), key=lambda kv: (kv[1], -abs(fw[kv[0]] - qw)))
        acc = dict(best)
    return acc


def _big_set(self: Matcher, posting: list[int]) -> frozenset[int]:
    """A big posting list as a set, made once (Mohammad's consonants are in thousands of names)."""
    key = id(posting)  # posting lists live as long as the index
    got = self._set_cache.get(key)
    if got is None:
        got = self._set_cache[key] = frozenset(posting)
    return got


def search(
    self: Matcher,
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
    forms: list[NameForm] = []
    for n in (query.name, *query.alt_names):
        for v in name_variants(n, query.schema) if n.strip() else ():
            f = _analyze_query(self, v, query.schema)
            if f.tokens and all(f.text != g.text for g in forms):
                forms.append(f)
    lists = set(query.lists)
    margin = _margin(query)
    # no cut depends on min_score (issue #3): names ranked by whether their key bound reaches the
    # threshold, their share, their closeness in weight; at most MAX_FORMS per entity
    plausible = self.threshold - margin
    ranked_names: list[tuple[bool, float, float, int, int]] = []
    fe = self._form_entity
    for qi, form in enumerate(forms):
        qw = form.weight
        for fid, share in _candidates(self, form).items():
            if share < CANDIDATE_SHARE:
                continue
            entry = self._entries[fe[fid]]
            if lists and entry.list_name not in lists:
                continue
            if not _compatible(qfamily, entry.family):
                continue
            bound = name_score_bound(qw, self._form_weight[fid], share)
            if bound < plausible - NEAR_MISS:
                continue
            ranked_names.append((bound >= plausible, share, -abs(self._form_weight[fid] - qw), -qi, -fid))
    ranked_names.sort(reverse=True)
    per_entity: dict[int, int] = {}
    shared: list[tuple[int, int]] = []  # (query form, name)
    for *_k, mqi, mfid in ranked_names:
        if len(shared) == MAX_SHARED:
            break
        e = fe[-mfid]
        if per_entity.get(e, 0) < MAX_FORMS or len(ranked_names) <= MAX_SHARED:
            per_entity[e] = per_entity.get(e, 0) + 1
            shared.append((-mqi, -mfid))
    memo: Memo = {}
    rows: list[Rows] = [{} for _ in forms]
    prime_similarities(forms, [self._forms[fid] for _q, fid in shared], memo)
    by_entity: dict[int, dict[int, float]] = {}  # entity -> name -> estimate
    others: dict[int, float] = {}
    reach = self.threshold - MARGIN_SLACK
    for qi, fid in shared:
        eidx = fe[fid]
        if eidx not in others:
            others[eidx] = (
                1.0 if query.identifiers else other_features_bound(query, self._entries[eidx].entity)
            )
        est = name_score_estimate(forms[qi], self._forms[fid], memo, rows[qi])
        if est + max(0.0, others[eidx]) < reach - NEAR_MISS:
            continue
        names = by_entity.setdefault(eidx, {})
        if est > names.get(fid, -1.0):
            names[fid] = est
    best_est = {e: max(v.values()) for e, v in by_entity.items()}
    ranked = sorted(by_entity, key=lambda e: (best_est[e] + others[e] < reach, -best_est[e], e))
    ranked = ranked[:MAX_CANDIDATES]  # scored in full, every one (no bound skips any)
    hits: list[Hit] = []
    for eidx in ranked:
        entry = self._entries[eidx]
        names = by_entity[eidx]
        fids = sorted(sorted(names, key=lambda f: (-names[f], f))[:MAX_FORMS])
        listed = [self._forms[f] for f in fids]
        scored = score_entity(query, forms, entry.entity, listed, memo)
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
