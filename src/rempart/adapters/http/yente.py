"""A yente-compatible `POST /match/{dataset}`: the request and response shapes of OpenSanctions'
yente (FollowTheMoney entity examples in, scored FtM entities out), so that tools built for yente
can point at Rempart. Scoring is Rempart's matcher; `algorithm` is accepted and reported."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from rempart.adapters.http.deps import Principal, stateless_access
from rempart.adapters.http.screen import get_screening, parse_dates
from rempart.domain.lists import Identifier, ListedEntity, NameKind
from rempart.domain.screening.model import Hit, NameQuery
from rempart.errors import InputError, NotFound
from rempart.services.screening import ScreeningService
from rempart.services.screening.engine import Screener

router = APIRouter(tags=["yente"])

MAX_BATCH = 100
# yente's dataset names -> Rempart's lists (None: every list)
DATASETS: dict[str, tuple[str, ...] | None] = {
    "default": None,
    "sanctions": None,
    "all": None,
    "crypto": ("crypto", "ofac_crypto", "il_nbctf"),
    "us_ofac_sdn": ("ofac", "ofac_crypto", "crypto"),
    "us_ofac_cons": ("ofac_cons",),
    "un_sc_sanctions": ("un",),
    "gb_hmt_sanctions": ("uk",),
    "gb_fcdo_sanctions": ("uk_sl", "uk"),
    "eu_fsf": ("eu",),
    "eu_journal_sanctions": ("eu",),
    "il_mod_crypto": ("il_nbctf",),
}
LIST_DATASET = {
    "ofac": "us_ofac_sdn",
    "ofac_crypto": "us_ofac_sdn",
    "crypto": "us_ofac_sdn",
    "ofac_cons": "us_ofac_cons",
    "un": "un_sc_sanctions",
    "uk": "gb_hmt_sanctions",
    "uk_sl": "gb_fcdo_sanctions",
    "eu": "eu_journal_sanctions",
    "il_nbctf": "il_mod_crypto",
}
ID_PROPS = {
    "idNumber": "national_id",
    "passportNumber": "passport",
    "registrationNumber": "registration",
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "imoNumber": "imo",
    "leiCode": "lei",
    "taxNumber": "tax_id",
    "swiftBic": "swift",
    "mmsi": "mmsi",
}
ID_KIND_PROP = {v: k for k, v in ID_PROPS.items()}
ORG_SCHEMAS = {"Organization", "Company", "LegalEntity", "PublicBody"}


class EntityExample(BaseModel):
    id: str | None = None
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(..., examples=[{"name": ["John Doe"]}])

    model_config = {"populate_by_name": True}


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = {}
    config: dict[str, Any] = {}
    queries: dict[str, EntityExample | None]


def _values(props: dict[str, str | list[Any]], *names: str) -> list[str]:
    out: list[str] = []
    for n in names:
        v = props.get(n)
        if v is None:
            continue
        for x in [v] if isinstance(v, str) else v:
            if isinstance(x, str | int | float) and str(x).strip():
                out.append(str(x).strip())
    return out


def example_query(ex: EntityExample, lists: tuple[str, ...]) -> NameQuery:
    props = ex.properties
    names = _values(props, "name")
    if not names:
        parts = [
            " ".join(_values(props, p))
            for p in ("firstName", "secondName", "middleName", "fatherName", "lastName")
        ]
        joined = " ".join(p for p in parts if p)
        names = [joined] if joined else []
    names += _values(props, "alias", "previousName", "weakAlias")
    if not names:
        raise InputError("the example has no name", field="properties.name", expected="at least one name")
    schema = ex.schema_
    our_schema = (
        "Organization"
        if schema in ORG_SCHEMAS
        else schema
        if schema in ("Person", "Vessel", "Aircraft")
        else "LegalEntity"
    )
    dates = tuple(d for d in parse_dates(_values(props, "birthDate", "incorporationDate"), "birthDate"))
    ids = tuple(Identifier(kind, v) for prop, kind in ID_PROPS.items() for v in _values(props, prop))
    nats = tuple(c.upper() for c in _values(props, "nationality", "citizenship", "country", "jurisdiction"))
    genders = _values(props, "gender")
    gender = genders[0] if genders else None
    return NameQuery(
        name=names[0],
        schema=our_schema,
        alt_names=tuple(names[1:]),
        birth_dates=dates,
        nationalities=nats,
        identifiers=ids,
        gender=gender,
        lists=lists,
    )


def entity_properties(e: ListedEntity) -> dict[str, list[str]]:
    p: dict[str, list[str]] = {"name": [], "alias": [], "weakAlias": [], "previousName": []}
    for n in e.names:
        key = {
            NameKind.PRIMARY: "name",
            NameKind.ALIAS: "alias",
            NameKind.WEAK_ALIAS: "weakAlias",
            NameKind.PREVIOUS: "previousName",
        }[n.kind]
        p[key].append(n.full)
    if e.schema == "Person":
        p["birthDate"] = [d.iso() for d in e.birth_dates]
        p["birthPlace"] = list(e.birth_places)
        p["nationality"] = [c.lower() for c in e.nationalities]
        if e.gender:
            p["gender"] = [e.gender]
    p["country"] = [c.lower() for c in e.countries]
    for i in e.identifiers:
        p.setdefault(ID_KIND_PROP.get(i.kind, "idNumber"), []).append(i.value)
    p["address"] = [a.text for a in e.addresses]
    p["program"] = list(e.programs)
    p["topics"] = ["sanction"]
    if e.remarks:
        p["notes"] = [e.remarks]
    return {k: v for k, v in p.items() if v}


def features(explanation: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in explanation.items():
        if isinstance(v, dict) and isinstance(v.get("contribution"), int | float):
            out[k] = round(float(v["contribution"]), 4)
    return out


def scored_entity(screener: Screener, h: Hit) -> dict[str, Any]:
    e = screener.entity(h.entity_id)
    caption = e.primary_name if e else h.name
    return {
        "id": h.entity_id,
        "caption": caption,
        "schema": h.schema,
        "properties": entity_properties(e) if e else {"name": [h.name]},
        "datasets": [LIST_DATASET.get(h.list_name, h.list_name)],
        "referents": [h.source_id],
        "target": True,
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
        "score": round(h.score, 4),
        "features": features(h.explanation),
        "match": h.match,
        "explanation": h.explanation,
        "list_version": h.list_version,
        "algorithm": h.algorithm,
    }


def _resolve_dataset(dataset: str, screener: Screener) -> tuple[str, ...]:
    if dataset in screener.versions:
        return (dataset,)
    if dataset not in DATASETS:
        raise NotFound(f"no dataset {dataset!r}", dataset=dataset)
    lists = DATASETS[dataset]
    if lists is None:
        return ()
    loaded = tuple(x for x in lists if x in screener.versions)
    if not loaded:
        raise NotFound(
            f"dataset {dataset!r} is not loaded (import one of: {', '.join(lists)})", dataset=dataset
        )
    return loaded


@router.post("/match/{dataset}", summary="Query-by-example matching, yente-compatible")
def match(
    dataset: str,
    body: EntityMatchQuery,
    response: Response,
    limit: int = Query(5, ge=1, le=500, description="Results per query"),
    threshold: float | None = Query(
        None, ge=0.0, le=1.0, description="Score at or above which `match` is true"
    ),
    cutoff: float | None = Query(
        None, ge=0.0, le=1.0, description="Lowest score returned (deprecated in yente)"
    ),
    algorithm: str = Query("best", description="Accepted for compatibility; Rempart's matcher scores"),
    include_dataset: list[str] = Query([]),
    exclude_dataset: list[str] = Query([]),
    exclude_schema: list[str] = Query([]),
    exclude_entity_ids: list[str] = Query([]),
    svc: ScreeningService = Depends(get_screening),
    principal: Principal = Depends(stateless_access("engineer", "analyst")),
) -> dict[str, Any]:
    screener = svc.screener()
    lists = _resolve_dataset(dataset, screener)
    if include_dataset:
        inc = {x for d in include_dataset for x in (DATASETS.get(d) or (d,))}
        lists = tuple(x for x in (lists or tuple(screener.versions)) if x in inc)
    excl = {x for d in exclude_dataset for x in (DATASETS.get(d) or (d,))}
    if excl:
        lists = tuple(x for x in (lists or tuple(screener.versions)) if x not in excl)
    if len(body.queries) > MAX_BATCH:
        raise InputError(f"too many queries in one batch (limit: {MAX_BATCH})", field="queries")
    if not body.queries:
        raise InputError("no queries provided", field="queries", expected="at least one entity example")
    thr = screener.threshold if threshold is None else threshold
    floor = min(cutoff, thr) if cutoff is not None else min(0.5, thr)
    responses: dict[str, Any] = {}
    for key, ex in body.queries.items():
        if ex is None:
            continue
        if ex.schema_ == "CryptoWallet":
            addrs = _values(ex.properties, "publicKey", "address")
            currencies = _values(ex.properties, "currency")
            chain = currencies[0] if currencies else None
            hits = [h for a in addrs for h in screener.screen_address(a, chain, lists).hits]
        else:
            q = example_query(ex, lists)
            hits = screener.screen_name(
                q, limit=limit + len(exclude_entity_ids), threshold=thr, min_score=floor
            ).hits
        hits = [
            h
            for h in hits
            if h.schema not in exclude_schema
            and h.entity_id not in exclude_entity_ids
            and h.source_id not in exclude_entity_ids
        ][:limit]
        responses[key] = {
            "status": 200,
            "results": [scored_entity(screener, h) for h in hits],
            "total": {"value": len(hits), "relation": "eq"},
            "query": {"id": ex.id, "schema": ex.schema_, "properties": ex.properties},
        }
    response.headers["x-batch-size"] = str(len(responses))
    return {
        "responses": responses,
        "matcher": {
            "name": {
                "description": "Best name similarity across scripts and transliterations",
                "coefficient": 1.0,
            },
            "birth_date": {"description": "Birth date agrees or contradicts", "coefficient": 1.0},
            "nationality": {"description": "Nationality agrees or contradicts", "coefficient": 1.0},
            "identifier": {"description": "A shared identifier raises the score", "coefficient": 1.0},
        },
        "limit": limit,
        "algorithm": screener.algorithm,
        "requested_algorithm": algorithm,
        "lists": {k: v for k, v in screener.versions.items() if not lists or k in lists},
    }
