"""The score of a query against one listed entity, with its explanation.

score = clamp(best name score + birth date + nationality + identifier + gender contributions, 0, 1)

The name score is the best over every (query name, listed name) pair. Each other feature
contributes only when both sides carry it. The explanation has one entry per feature, each with
what was compared with what, and its contribution; contributions add up to the score (before the
clamp, which the explanation records when it applies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rempart.domain.lists import ListedEntity
from rempart.domain.screening.features import (
    Feature,
    Memo,
    NameComparison,
    birth_date_feature,
    compare_name_forms,
    gender_feature,
    identifier_feature,
    nationality_feature,
)
from rempart.domain.screening.model import NameQuery
from rempart.domain.screening.normalize import NameForm

__all__ = [
    "ALGORITHM",
    "DEFAULT_THRESHOLD",
    "VERSION",
    "Compared",
    "Scored",
    "algorithm_id",
    "other_features_bound",
    "score_entity",
]

ALGORITHM = "rempart-name"
VERSION = "4"
DEFAULT_THRESHOLD = 0.70


def algorithm_id() -> str:
    return f"{ALGORITHM}/{VERSION}"


# (id(query name), id(listed name)) -> their comparison; the names must outlive it
Compared = dict[tuple[int, int], NameComparison]


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    name: str  # the listed name that matched best
    query_name: str
    explanation: dict[str, Any]


def best_name(
    query_forms: Sequence[NameForm],
    listed_forms: Sequence[NameForm],
    memo: Memo | None = None,
    compared: Compared | None = None,
) -> tuple[float, NameForm | None, NameForm | None, NameComparison | None]:
    best: tuple[float, NameForm | None, NameForm | None, NameComparison | None] = (0.0, None, None, None)
    for qf in query_forms:
        for lf in listed_forms:
            if compared is None:
                cmp = compare_name_forms(qf, lf, memo)
            else:
                key = (id(qf), id(lf))
                got = compared.get(key)
                if got is None:
                    got = compared[key] = compare_name_forms(qf, lf, memo)
                cmp = got
            if cmp.score > best[0] or best[3] is None:
                best = (cmp.score, qf, lf, cmp)
    return best


def other_features_bound(query: NameQuery, entity: ListedEntity) -> float:
    """What birth date, nationality and gender add to (or take from) the name score of this entity:
    the search skips an entity whose name cannot reach the threshold with it."""
    total = 0.0
    for f in (
        birth_date_feature(query.birth_dates, entity.birth_dates),
        nationality_feature(query.nationalities, (*entity.nationalities, *entity.countries)),
        gender_feature(query.gender, entity.gender),
    ):
        if f is not None:
            total += f.contribution
    return total


def score_entity(
    query: NameQuery,
    query_forms: Sequence[NameForm],
    entity: ListedEntity,
    listed_forms: Sequence[NameForm],
    memo: Memo | None = None,
    compared: Compared | None = None,
) -> Scored:
    """Score a query (already analyzed into name forms) against one entity (likewise).
    `memo` remembers token similarities across the entities of one search, `compared` the
    comparisons of two names (one person on four lists under the same names is compared once)."""
    name_score, qf, lf, cmp = best_name(query_forms, listed_forms, memo, compared)
    features: list[Feature] = []
    name_detail: dict[str, Any] = {
        "query": qf.original if qf else query.name,
        "candidate": lf.original if lf else "",
    }
    if cmp is not None:
        name_detail.update(cmp.detail())
    features.append(Feature("name", name_score, name_detail))
    for f in (
        birth_date_feature(query.birth_dates, entity.birth_dates),
        nationality_feature(query.nationalities, (*entity.nationalities, *entity.countries)),
        gender_feature(query.gender, entity.gender),
    ):
        if f is not None:
            features.append(f)
    total = sum(f.contribution for f in features)
    idf = identifier_feature(query.identifiers, entity.identifiers, min(1.0, max(0.0, total)))
    if idf is not None:
        features.append(idf)
        total += idf.contribution
    score = min(1.0, max(0.0, total))
    explanation: dict[str, Any] = {f.name: f.to_dict() for f in features}
    if score != total:
        explanation["clamped"] = {"from": round(total, 4), "to": round(score, 4)}
    return Scored(score, lf.original if lf else "", qf.original if qf else query.name, explanation)
