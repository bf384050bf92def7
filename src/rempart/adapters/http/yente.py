"""A yente-compatible `POST /match/{dataset}`: the request and response shapes of OpenSanctions'
yente (FollowTheMoney entity examples in, scored FtM entities out), so that tools built for yente
(nomenklatura's `YenteEnricher`, the OpenSanctions API clients) can point at Rempart.

Compatibility, against yente's `routers/match.py` and `data/common.py`:
- request `{"queries": {key: {"id"?, "schema", "properties"}}, "weights"?, "config"?}`; a property
  is a string or a list; name parts (`firstName`, `lastName`...) make a name as FtM's
  `combine_names` does; unknown properties are ignored, as yente does;
- query parameters `limit`, `threshold`, `cutoff` (results at or below it are left out),
  `algorithm`, `include_dataset`, `exclude_dataset`, `exclude_schema`, `exclude_entity_ids`,
  `topics`, `changed_since` (accepted; Rempart keeps no per-entity change date), `fuzzy`;
- response `{"responses": {key: {"status", "results", "total", "query"}}, "limit", "matcher"}`;
  `total.value` counts the results at or above the threshold, as yente's `score_results` does;
- each result is a FtM entity (`id, caption, schema, properties, datasets, referents, target,
  first_seen, last_seen, last_change`) with `score`, `match`, `features` (older yente) and
  `explanations` (yente 5: `{feature: {score, detail, query, candidate}}`); schema and property
  names are FtM's (an aircraft is an `Airplane`), so that FtM can load the result as an entity.
  Rempart adds `explanation`, `list_version` and `algorithm`.
- errors: an unknown dataset is a 404; an unknown or non-screenable schema, an example without a
  name (or address, for a `CryptoWallet`) and too many queries are input errors (422, the body
  names the query and the field), where yente answers 400.

Scoring is Rempart's matcher; `algorithm` is accepted and echoed as `requested_algorithm`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from rempart.adapters.http.deps import Principal, stateless_access
from rempart.adapters.http.screen import get_screening, parse_dates
from rempart.adapters.sources._common import country_code
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
NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName", "nameSuffix")

# FtM schemas a query may use -> the schema Rempart's matcher screens it as. `LegalEntity` (and
# `Thing`) are parents of both persons and organizations in FtM: they meet every party.
QUERY_SCHEMAS = {
    "Person": "Person",
    "Organization": "Organization",
    "Company": "Organization",
    "PublicBody": "Organization",
    "LegalEntity": "Thing",
    "Thing": "Thing",
    "Vessel": "Vessel",
    "Airplane": "Aircraft",
    "Aircraft": "Aircraft",
}
WALLET_SCHEMA = "CryptoWallet"
# Rempart's schema of a listed entity -> the FtM schema of the result.
FTM_SCHEMA = {"Aircraft": "Airplane"}

# The FtM properties each result schema has (FollowTheMoney 4), so that a client loading the result
# into FtM meets no unknown property.
_THING = frozenset(
    {"name", "alias", "weakAlias", "previousName", "country", "address", "program", "topics", "notes"}
)
_LEGAL = _THING | {
    "idNumber",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "taxNumber",
    "swiftBic",
}
FTM_PROPS: dict[str, frozenset[str]] = {
    "Person": _LEGAL | {"birthDate", "birthPlace", "nationality", "gender", "passportNumber", "citizenship"},
    "Organization": _LEGAL | {"imoNumber"},
    "Company": _LEGAL | {"imoNumber"},
    "PublicBody": _LEGAL | {"imoNumber"},
    "LegalEntity": _LEGAL,
    "Vessel": _THING | {"imoNumber", "mmsi", "registrationNumber", "flag"},
    "Airplane": _THING | {"registrationNumber"},
}


class EntityExample(BaseModel):
    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(..., examples=[{"name": ["John Doe"]}])

    model_config = {"populate_by_name": True}


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field({}, description="Accepted for compatibility; not used.")
    config: dict[str, Any] = Field({}, description="Accepted for compatibility; not used.")
    queries: dict[str, EntityExample | None]


def _values(props: dict[str, str | list[Any]], *names: str) -> list[str]:
    out: list[str] = []
    for n in names:
        v = props.get(n)
        if v is None:
            continue
        for x in [v] if isinstance(v, str | int | float) else v:
            if isinstance(x, str | int | float) and not isinstance(x, bool) and str(x).strip():
                out.append(str(x).strip())
    return out


def _countries(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        code = country_code(v.upper() if len(v) == 2 else v)
        out.append(code or v.upper())
    return tuple(dict.fromkeys(out))


def example_names(props: dict[str, str | list[Any]]) -> list[str]:
    """The example's names: `name`, then the name parts joined (FtM's `combine_names`), then aliases."""
    names = _values(props, "name")
    parts = [" ".join(_values(props, p)) for p in NAME_PARTS]
    joined = " ".join(p for p in parts if p)
    if joined and joined not in names:
        names.append(joined)
    names += [n for n in _values(props, "alias", "previousName", "weakAlias") if n not in names]
    return names


def example_query(key: str, ex: EntityExample, lists: tuple[str, ...]) -> NameQuery:
    props = ex.properties
    schema = QUERY_SCHEMAS.get(ex.schema_)
    if schema is None:
        raise InputError(
            f"query {key!r}: schema {ex.schema_!r} cannot be screened",
            element=f"queries.{key}",
            field="schema",
            expected=" | ".join([*QUERY_SCHEMAS, WALLET_SCHEMA]),
            value=ex.schema_,
        )
    names = example_names(props)
    if not names:
        raise InputError(
            f"query {key!r} has no name",
            element=f"queries.{key}",
            field="properties.name",
            expected="at least one name (or firstName/lastName)",
        )
    dates = parse_dates(_values(props, "birthDate", "incorporationDate"), f"queries.{key}.birthDate")
    ids = tuple(Identifier(kind, v) for prop, kind in ID_PROPS.items() for v in _values(props, prop))
    nats = _countries(_values(props, "nationality", "citizenship", "country", "jurisdiction"))
    genders = _values(props, "gender")
    return NameQuery(
        name=names[0],
        schema=schema,
        alt_names=tuple(names[1:]),
        birth_dates=dates,
        nationalities=nats,
        identifiers=ids,
        gender=genders[0] if genders else None,
        lists=lists,
    )


def query_echo(ex: EntityExample) -> dict[str, Any]:
    """The example as yente echoes it: every property a list of strings."""
    props = {k: v for k, v in ((k, _values(ex.properties, k)) for k in ex.properties) if v}
    return {"id": ex.id, "schema": ex.schema_, "properties": props}


def ftm_schema(schema: str) -> str:
    return FTM_SCHEMA.get(schema, schema)


def entity_properties(e: ListedEntity) -> dict[str, list[str]]:
    schema = ftm_schema(e.schema)
    allowed = FTM_PROPS.get(schema, _THING)
    p: dict[str, list[str]] = {"name": [], "alias": [], "weakAlias": [], "previousName": []}
    for n in e.names:
        key = {
            NameKind.PRIMARY: "name",
            NameKind.ALIAS: "alias",
            NameKind.WEAK_ALIAS: "weakAlias",
            NameKind.PREVIOUS: "previousName",
        }[n.kind]
        if n.full not in p[key]:
            p[key].append(n.full)
    p["birthDate"] = [d.iso() for d in e.birth_dates]
    p["birthPlace"] = list(e.birth_places)
    p["nationality"] = [c.lower() for c in e.nationalities]
    if e.gender:
        p["gender"] = [e.gender]
    p["country"] = [c.lower() for c in e.countries]
    for i in e.identifiers:
        prop = ID_KIND_PROP.get(i.kind, "idNumber")
        if prop not in allowed:
            prop = "registrationNumber" if "registrationNumber" in allowed else "notes"
        if i.value not in p.setdefault(prop, []):
            p[prop].append(i.value)
    p["address"] = [a.text for a in e.addresses]
    p["program"] = list(e.programs)
    p["topics"] = ["sanction"]
    if e.remarks:
        p.setdefault("notes", []).append(e.remarks)
    return {k: v for k, v in p.items() if v and k in allowed}


def _contribution(v: Any) -> float | None:
    if not isinstance(v, dict):
        return None
    c = v.get("contribution", v.get("score"))
    return round(float(c), 4) if isinstance(c, int | float) and not isinstance(c, bool) else None


def features(explanation: dict[str, Any]) -> dict[str, float]:
    """Older yente's `features`: each feature's contribution."""
    out: dict[str, float] = {}
    for k, v in explanation.items():
        c = _contribution(v)
        if c is not None:
            out[k] = c
    return out


def explanations(explanation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """yente 5's `explanations`: `{feature: {score, detail, query, candidate}}` (nomenklatura's
    `FeatureResult`), from Rempart's per-feature explanation."""
    out: dict[str, dict[str, Any]] = {}
    for k, v in explanation.items():
        c = _contribution(v)
        if c is None:
            continue
        assert isinstance(v, dict)
        rest = {x: y for x, y in v.items() if x not in ("contribution", "score", "query", "candidate")}
        q, cand = v.get("query"), v.get("candidate")
        out[k] = {
            "score": c,
            "detail": json.dumps(rest, ensure_ascii=False, sort_keys=True, default=str) if rest else None,
            "query": None if q is None else str(q),
            "candidate": None if cand is None else str(cand),
        }
    return out


def scored_entity(screener: Screener, h: Hit) -> dict[str, Any]:
    e = screener.entity(h.entity_id)
    caption = e.primary_name if e else h.name
    return {
        "id": h.entity_id,
        "caption": caption,
        "schema": ftm_schema(h.schema),
        "properties": entity_properties(e) if e else {"name": [h.name], "topics": ["sanction"]},
        "datasets": [LIST_DATASET.get(h.list_name, h.list_name)],
        "referents": [h.source_id],
        "target": True,
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
        "score": round(h.score, 4),
        "features": features(h.explanation),
        "explanations": explanations(h.explanation),
        "match": h.match,
        "explanation": h.explanation,
        "list": h.list_name,
        "list_version": h.list_version,
        "matched_name": h.name,
        "algorithm": h.algorithm,
    }


def _resolve_dataset(dataset: str, screener: Screener) -> tuple[str, ...]:
    if dataset in screener.versions:
        return (dataset,)
    if dataset not in DATASETS:
        raise NotFound(
            f"no dataset {dataset!r}",
            dataset=dataset,
            expected="one of " + ", ".join([*DATASETS, *sorted(screener.versions)]),
        )
    lists = DATASETS[dataset]
    if lists is None:
        return ()
    loaded = tuple(x for x in lists if x in screener.versions)
    if not loaded:
        raise NotFound(
            f"dataset {dataset!r} is not loaded (import one of: {', '.join(lists)})", dataset=dataset
        )
    return loaded


def _dataset_lists(names: list[str]) -> set[str]:
    out: set[str] = set()
    for d in names:
        ds = DATASETS.get(d, (d,))
        out.update(ds if ds is not None else ())
    return out


MATCHER_DOCS = {
    "name": {
        "description": "Best name similarity across scripts, transliterations, name order and legal forms",
        "coefficient": 1.0,
        "url": "https://github.com/rempart/rempart/blob/main/src/rempart/domain/screening/features.py",
    },
    "birth_date": {
        "description": "Birth date agrees (raises) or contradicts (lowers)",
        "coefficient": 1.0,
        "url": "https://github.com/rempart/rempart/blob/main/src/rempart/domain/screening/score.py",
    },
    "nationality": {
        "description": "Nationality agrees or contradicts",
        "coefficient": 1.0,
        "url": "https://github.com/rempart/rempart/blob/main/src/rempart/domain/screening/score.py",
    },
    "identifier": {
        "description": "A shared identifier raises the score",
        "coefficient": 1.0,
        "url": "https://github.com/rempart/rempart/blob/main/src/rempart/domain/screening/score.py",
    },
    "address": {
        "description": "A wallet address equal to a listed one after chain-aware normalization",
        "coefficient": 1.0,
        "url": "https://github.com/rempart/rempart/blob/main/src/rempart/domain/screening/addresses.py",
    },
}


@router.post("/match/{dataset}", summary="Query-by-example matching, yente-compatible")
def match(
    dataset: str,
    body: EntityMatchQuery,
    response: Response,
    limit: int = Query(5, ge=1, le=500, description="Results per query"),
    threshold: float | None = Query(
        None, ge=0.0, le=1.0, description="Score at or above which `match` is true (default: Rempart's)"
    ),
    cutoff: float | None = Query(
        None,
        ge=0.0,
        le=1.0,
        description="Results scoring at or below this are left out (deprecated in yente; default 0.5, "
        "never above the threshold)",
    ),
    algorithm: str = Query("best", description="Accepted for compatibility; Rempart's matcher scores"),
    include_dataset: list[str] = Query([]),
    exclude_dataset: list[str] = Query([]),
    exclude_schema: list[str] = Query([]),
    exclude_entity_ids: list[str] = Query([]),
    topics: list[str] = Query([], description="Only entities with one of these topics (all are `sanction`)"),
    changed_since: str | None = Query(None, description="Accepted for compatibility; not applied"),
    svc: ScreeningService = Depends(get_screening),
    principal: Principal = Depends(stateless_access("engineer", "analyst")),
) -> dict[str, Any]:
    screener = svc.screener()
    lists = _resolve_dataset(dataset, screener)
    if include_dataset:
        inc = _dataset_lists(include_dataset)
        lists = tuple(x for x in (lists or tuple(screener.versions)) if x in inc)
    excl = _dataset_lists(exclude_dataset)
    if excl:
        lists = tuple(x for x in (lists or tuple(screener.versions)) if x not in excl)
    nothing = (bool(include_dataset or excl) and not lists) or (
        bool(topics) and not any(t == "sanction" or t.startswith("sanction.") for t in topics)
    )
    if len(body.queries) > MAX_BATCH:
        raise InputError(f"too many queries in one batch (limit: {MAX_BATCH})", field="queries")
    examples = {k: ex for k, ex in body.queries.items() if ex is not None}
    if not examples:
        raise InputError("no queries provided", field="queries", expected="at least one entity example")
    thr = screener.threshold if threshold is None else threshold
    floor = min(cutoff, thr) if cutoff is not None else min(0.5, thr)
    excluded_schemas = set(exclude_schema) | {
        x for s in exclude_schema for x, y in FTM_SCHEMA.items() if y == s
    }
    # Parse every example first: one bad example fails the whole batch, as in yente.
    parsed: dict[str, NameQuery | tuple[list[str], str | None]] = {}
    for key, ex in examples.items():
        if ex.schema_ == WALLET_SCHEMA:
            addrs = _values(ex.properties, "publicKey", "address", "cryptoAddress")
            if not addrs:
                raise InputError(
                    f"query {key!r} has no wallet address",
                    element=f"queries.{key}",
                    field="properties.publicKey",
                    expected="a wallet address",
                )
            currencies = _values(ex.properties, "currency", "currencySymbol", "blockchain")
            parsed[key] = (addrs, currencies[0] if currencies else None)
        else:
            parsed[key] = example_query(key, ex, lists)
    responses: dict[str, Any] = {}
    for key, ex in examples.items():
        p = parsed[key]
        hits: list[Hit] = []
        if nothing:
            pass
        elif isinstance(p, NameQuery):
            want = limit + len(exclude_entity_ids) + (5 if excluded_schemas else 0)
            # the matches first, exactly as `/v1/screen` finds them; then the near-misses above the
            # cutoff (a search with a lower floor weighs more candidates and may rank differently)
            hits = screener.screen_name(p, limit=want, threshold=thr).hits
            if floor < thr:
                seen_ids = {h.entity_id for h in hits}
                hits += [
                    h
                    for h in screener.screen_name(p, limit=want, threshold=thr, min_score=floor).hits
                    if h.entity_id not in seen_ids
                ]
        else:
            addrs, chain = p
            seen: set[str] = set()
            for a in addrs:
                for h in screener.screen_address(a, chain, lists).hits:
                    if h.entity_id not in seen:
                        seen.add(h.entity_id)
                        hits.append(h)
        hits = [
            h
            for h in hits
            if (h.score > floor or h.match)
            and h.schema not in excluded_schemas
            and h.entity_id not in exclude_entity_ids
            and h.source_id not in exclude_entity_ids
        ]
        hits.sort(key=lambda h: (not h.match, -h.score))
        responses[key] = {
            "status": 200,
            "results": [scored_entity(screener, h) for h in hits[:limit]],
            "total": {"value": sum(1 for h in hits if h.match), "relation": "eq"},
            "query": query_echo(ex),
        }
    response.headers["x-batch-size"] = str(len(responses))
    return {
        "responses": responses,
        "matcher": MATCHER_DOCS,
        "limit": limit,
        "algorithm": screener.algorithm,
        "requested_algorithm": algorithm,
        "threshold": thr,
        "lists": {k: v for k, v in screener.versions.items() if not lists or k in lists},
    }


def _entity_response(screener: Screener, entity_id: str) -> dict[str, Any]:
    e = screener.entity(entity_id)
    info = screener.entities.get(entity_id)
    if e is None or info is None:
        raise NotFound(f"no entity {entity_id!r}", entity_id=entity_id)
    return {
        "id": entity_id,
        "caption": e.primary_name,
        "schema": ftm_schema(e.schema),
        "properties": entity_properties(e),
        "datasets": [LIST_DATASET.get(info.list_name, info.list_name)],
        "referents": [e.source_id],
        "target": True,
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
        "list": info.list_name,
        "list_version": info.list_version,
    }


@router.get("/entities/{entity_id}", summary="One listed entity as a FtM entity, yente-compatible")
def entity(
    entity_id: str,
    nested: bool = Query(True, description="Accepted for compatibility (Rempart has no adjacent entities)"),
    svc: ScreeningService = Depends(get_screening),
    principal: Principal = Depends(stateless_access("engineer", "analyst")),
) -> dict[str, Any]:
    return _entity_response(svc.screener(), entity_id)


@router.get("/catalog", summary="The datasets /match/{dataset} accepts, yente-compatible")
def catalog(
    svc: ScreeningService = Depends(get_screening),
    principal: Principal = Depends(stateless_access("engineer", "analyst")),
) -> dict[str, Any]:
    screener = svc.screener()
    loaded = set(screener.versions)
    datasets = []
    for name, lists in DATASETS.items():
        children = sorted(loaded if lists is None else loaded & set(lists))
        if not children:
            continue
        version = "-".join(screener.versions[c] for c in children)
        datasets.append(
            {
                "name": name,
                "title": name,
                "load": True,
                "version": version[:64],
                "index_version": version[:64],
                "index_current": True,
                "children": children,
                "lists": {c: screener.versions[c] for c in children},
            }
        )
    for lst in sorted(loaded):
        datasets.append(
            {
                "name": lst,
                "title": lst,
                "load": True,
                "version": screener.versions[lst],
                "index_version": screener.versions[lst],
                "index_current": True,
                "children": [],
                "lists": {lst: screener.versions[lst]},
            }
        )
    names = [d["name"] for d in datasets]
    return {"datasets": datasets, "current": names, "outdated": [], "index_stale": False}


@router.get("/algorithms", summary="The scoring algorithm, yente-compatible")
def algorithms(svc: ScreeningService = Depends(get_screening)) -> dict[str, Any]:
    name = svc.screener().algorithm
    docs = {
        "name": name,
        "description": "Rempart's name matcher with birth date, nationality and identifier corroboration",
        "config": {},
        "features": MATCHER_DOCS,
    }
    return {"algorithms": [{**docs, "docs": docs}], "default": name, "best": name}


@router.get("/readyz", summary="Ready once the screener is built, yente-compatible")
def readyz(svc: ScreeningService = Depends(get_screening)) -> dict[str, Any]:
    svc.screener()
    return {"status": "ok"}
