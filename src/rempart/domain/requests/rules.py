"""Request rules as data: routes (instrument x data category per provider entity), jurisdictions,
agencies, red flags. Pure: built from already-parsed YAML documents; resolved on a date only through
`rempart.domain.rules.resolve` (the one effective-dating primitive).
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from rempart.domain.requests.model import CATEGORIES
from rempart.domain.rules.model import Rule
from rempart.domain.rules.resolve import in_window, version_as_of
from rempart.errors import InputError

RELATIONS_EU = ("same_ms", "other_ms", "other_ms_no_eevidence", "third_country")
RELATIONS_US = ("domestic", "foreign")


# --- the one dating primitive, reused ------------------------------------------------------------


def _version_in_force(route: Route, d: date) -> RouteVersion | None:
    # `version_as_of` reads only `versions`, `enabled`, `valid_from` and `until`, which our route
    # versions share with restriction rule versions: reuse it rather than compare dates here.
    return cast("RouteVersion | None", version_as_of(cast(Rule, route), d))


def in_force(start: date, until: date | None, d: date) -> bool:
    """A dated fact (agreement, designation) in force on `d`: start and end inclusive."""
    return in_window(d, start, until)


# --- terms and domains ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-fold and strip accents, keeping Cyrillic letters (for term matching)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ё", "е")


@dataclass(frozen=True)
class Terms:
    """Words or stems matched at a word start, case- and accent-insensitive."""

    terms: tuple[str, ...]
    pattern: re.Pattern[str] | None = field(init=False, compare=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if self.terms:
            compiled = re.compile("|".join(rf"(?<!\w){re.escape(fold(t))}" for t in self.terms))
            object.__setattr__(self, "pattern", compiled)

    def find(self, text: str) -> list[str]:
        if self.pattern is None or not text:
            return []
        return sorted({m.group(0) for m in self.pattern.finditer(fold(text))})


def domain_matches(domain: str, pattern: str) -> bool:
    """`pattern` is a domain (matching itself and its subdomains) with optional `*` wildcards."""
    domain, pattern = domain.lower().strip("."), pattern.lower().strip(".")
    return fnmatch.fnmatchcase(domain, pattern) or fnmatch.fnmatchcase(domain, "*." + pattern)


# --- model ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grant:
    instruments: frozenset[str]
    issuers: frozenset[str]  # empty: any issuer
    citation: str
    authority_types: frozenset[str] = frozenset()
    min_penalty_years: Decimal | None = None
    cloud_act_agreement: bool = False


@dataclass(frozen=True, slots=True)
class Needs:
    instrument: str
    issuers: tuple[str, ...]
    min_penalty_years: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"instrument": self.instrument, "issuers": list(self.issuers)}
        if self.min_penalty_years is not None:
            out["min_penalty_years"] = int(self.min_penalty_years)
        return out


@dataclass(frozen=True, slots=True)
class CategoryRule:
    grants: tuple[Grant, ...]
    needs: Needs


@dataclass(frozen=True, slots=True)
class Preservation:
    grants: tuple[Grant, ...]
    needs: Needs
    days: int
    extension_days: int | None = None


@dataclass(frozen=True, slots=True)
class EmergencyRule:
    mode: str  # voluntary | escalate | none
    any_instrument: bool
    citation: str


@dataclass(frozen=True, slots=True)
class Deadline:
    instruments: frozenset[str]
    days: int
    emergency_hours: int
    citation: str


@dataclass(frozen=True, slots=True)
class Notice:
    code: str
    categories: frozenset[str]
    message: str
    citation: str


@dataclass(frozen=True)
class RouteVersion:
    route_id: str
    valid_from: date
    until: date | None
    citation: str
    categories: Mapping[str, CategoryRule]
    preservation: Preservation
    emergency: EmergencyRule
    deadline: Deadline | None
    requires_agreement: bool = False
    scope_warning: str | None = None
    listed_offences: tuple[tuple[str, Terms], ...] = ()
    notices: tuple[Notice, ...] = ()
    enabled: bool = True

    def ref(self) -> dict[str, Any]:
        return {
            "id": self.route_id,
            "version_from": self.valid_from.isoformat(),
            "version_until": self.until.isoformat() if self.until else None,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class Route:
    id: str
    entity: str
    relation: str
    title: str
    versions: tuple[RouteVersion, ...]

    def as_of(self, d: date) -> RouteVersion | None:
        return _version_in_force(self, d)


@dataclass(frozen=True, slots=True)
class DatedCountries:
    countries: frozenset[str]
    valid_from: date
    until: date | None
    name: str
    citation: str


@dataclass(frozen=True, slots=True)
class Designation:
    list_name: str
    entry: str
    valid_from: date
    until: date | None
    citation: str
    program: str = ""


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    authority_type: str
    domains: tuple[str, ...]
    designations: tuple[Designation, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class OrgFlag:
    id: str
    name: str
    terms: Terms
    designated_by: str
    reject_countries: frozenset[str]
    citation: str
    designations: tuple[tuple[str, date, str], ...] = ()


@dataclass(frozen=True)
class OffenceFlag:
    id: str
    label: str
    terms: Terms
    reject_countries: frozenset[str]
    citation: str


@dataclass(frozen=True)
class RedFlags:
    organisations: tuple[OrgFlag, ...]
    offences: tuple[OffenceFlag, ...]
    political_terms: Terms
    political_citation: str
    authority_types: Mapping[str, tuple[str, str]]  # authority type -> (action, citation)
    target_tags: frozenset[str]
    target_tags_citation: str


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    country: str


@dataclass(frozen=True)
class Policy:
    sanctions_reject_score: float
    sanctions_citation: str
    non_disclosure_review_days: int
    non_disclosure_citation: str
    user_notice_citation: str


@dataclass(frozen=True)
class RequestRules:
    entities: Mapping[str, Entity]
    policy: Policy
    routes: tuple[Route, ...]
    eu_member_states: frozenset[str]
    eevidence_participants: frozenset[str]
    eevidence_citation: str
    agreement_paths: tuple[DatedCountries, ...]
    cloud_act_agreements: tuple[DatedCountries, ...]
    free_mail_domains: tuple[str, ...]
    government_domains: Mapping[str, tuple[str, ...]]
    agencies: tuple[Agency, ...]
    red_flags: RedFlags
    sources: tuple[str, ...] = ()

    def route(self, entity: str, relation: str) -> Route | None:
        for r in self.routes:
            if r.entity == entity and r.relation == relation:
                return r
        return None

    def agreement(self, country: str, d: date) -> DatedCountries | None:
        return _dated_match(self.agreement_paths, country, d)

    def cloud_act(self, country: str, d: date) -> DatedCountries | None:
        return _dated_match(self.cloud_act_agreements, country, d)

    def agency_by_domain(self, domain: str) -> Agency | None:
        best: tuple[int, Agency] | None = None
        for a in self.agencies:
            for p in a.domains:
                if domain_matches(domain, p):
                    score = len(p.replace("*", ""))  # the most specific pattern wins
                    if best is None or score > best[0]:
                        best = (score, a)
        return best[1] if best else None

    def agency_by_name(self, name: str, country: str | None) -> Agency | None:
        key = _name_key(name)
        for a in self.agencies:
            if country and a.country != country:
                continue
            if any(_name_key(n) == key for n in a.names()):
                return a
        return None

    def is_free_mail(self, domain: str) -> bool:
        return any(domain_matches(domain, p) for p in self.free_mail_domains)

    def government_domain(self, domain: str, country: str | None) -> bool:
        if not country:
            return False
        return any(domain_matches(domain, p) for p in self.government_domains.get(country, ()))


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(name)).split())


def _dated_match(items: Iterable[DatedCountries], country: str, d: date) -> DatedCountries | None:
    for item in items:
        if country in item.countries and in_force(item.valid_from, item.until, d):
            return item
    return None


# --- building from parsed documents --------------------------------------------------------------


def _d(v: Any, where: str) -> date:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise InputError("not a date", file=where, expected="YYYY-MM-DD", value=str(v)) from None


def _dn(v: Any, where: str) -> date | None:
    return None if v is None else _d(v, where)


def _expand(countries: Iterable[str], groups: Mapping[str, Sequence[str]], where: str) -> frozenset[str]:
    out: set[str] = set()
    for c in countries:
        c = str(c)
        if c.startswith("@"):
            if c[1:] not in groups:
                raise InputError(
                    "unknown country group", file=where, expected="a group of rules/groups.yaml", value=c
                )
            out.update(groups[c[1:]])
        else:
            out.add(c)
    return frozenset(out)


def _grant(g: Mapping[str, Any]) -> Grant:
    mp = g.get("min_penalty_years")
    return Grant(
        instruments=frozenset(g["instruments"]),
        issuers=frozenset(g.get("issuers") or ()),
        citation=str(g["citation"]),
        authority_types=frozenset(g.get("authority_types") or ()),
        min_penalty_years=Decimal(str(mp)) if mp is not None else None,
        cloud_act_agreement=bool(g.get("cloud_act_agreement", False)),
    )


def _needs(n: Mapping[str, Any]) -> Needs:
    mp = n.get("min_penalty_years")
    return Needs(
        str(n["instrument"]), tuple(n.get("issuers") or ()), Decimal(str(mp)) if mp is not None else None
    )


def _route_version(route_id: str, v: Mapping[str, Any], where: str) -> RouteVersion:
    cats = {
        c: CategoryRule(
            tuple(_grant(g) for g in v["categories"][c]["grants"]), _needs(v["categories"][c]["needs"])
        )
        for c in CATEGORIES
    }
    p = v["preservation"]
    e = v["emergency"]
    dl = v.get("deadline")
    return RouteVersion(
        route_id=route_id,
        valid_from=_d(v["from"], where),
        until=_dn(v.get("until"), where),
        citation=str(v["citation"]),
        categories=cats,
        preservation=Preservation(
            tuple(_grant(g) for g in p["grants"]), _needs(p["needs"]), int(p["days"]), p.get("extension_days")
        ),
        emergency=EmergencyRule(str(e["mode"]), bool(e["any_instrument"]), str(e["citation"])),
        deadline=Deadline(
            frozenset(dl["instruments"]), int(dl["days"]), int(dl["emergency_hours"]), str(dl["citation"])
        )
        if dl
        else None,
        requires_agreement=bool(v.get("requires_agreement", False)),
        scope_warning=v.get("scope_warning"),
        listed_offences=tuple(
            (str(o["id"]), Terms(tuple(o["terms"]))) for o in v.get("listed_offences") or ()
        ),
        notices=tuple(
            Notice(str(n["code"]), frozenset(n["categories"]), str(n["message"]), str(n["citation"]))
            for n in v.get("notices") or ()
        ),
        enabled=bool(v.get("enabled", True)),
    )


def build_rules(
    documents: Mapping[str, Mapping[str, Any]], groups: Mapping[str, Sequence[str]]
) -> RequestRules:
    """Assemble the rules from validated documents keyed by file name (each has a `kind`)."""
    by_kind: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for name, doc in documents.items():
        by_kind.setdefault(str(doc["kind"]), []).append((name, doc))
    for kind in ("entities", "jurisdictions", "routes", "agencies", "red_flags"):
        if kind not in by_kind:
            raise InputError(f"no rule file of kind {kind!r}", expected=f"a file with 'kind: {kind}'")
        if kind != "routes" and kind != "agencies" and len(by_kind[kind]) > 1:
            raise InputError(
                f"more than one rule file of kind {kind!r}", file=", ".join(n for n, _ in by_kind[kind])
            )

    _ent_name, ent = by_kind["entities"][0]
    entities = {
        str(e["id"]): Entity(str(e["id"]), str(e["name"]), str(e["country"])) for e in ent["entities"]
    }
    pol = ent["policy"]
    policy = Policy(
        float(pol["sanctions_reject_score"]),
        str(pol["sanctions_citation"]),
        int(pol["non_disclosure_review_days"]),
        str(pol["non_disclosure_citation"]),
        str(pol["user_notice_citation"]),
    )

    jur_name, jur = by_kind["jurisdictions"][0]

    def dated(items: Iterable[Mapping[str, Any]]) -> tuple[DatedCountries, ...]:
        return tuple(
            DatedCountries(
                _expand(i["countries"], groups, jur_name),
                _d(i["from"], jur_name),
                _dn(i.get("until"), jur_name),
                str(i["name"]),
                str(i["citation"]),
            )
            for i in items
        )

    routes: list[Route] = []
    seen: set[tuple[str, str]] = set()
    for name, doc in by_kind["routes"]:
        entity = str(doc["provider_entity"])
        allowed = RELATIONS_EU if entity == "EU" else RELATIONS_US
        for r in doc["routes"]:
            rel = str(r["relation"])
            if rel not in allowed:
                raise InputError(
                    "relation not valid for this entity",
                    file=name,
                    element=str(r["id"]),
                    field="relation",
                    expected=" | ".join(allowed),
                    value=rel,
                )
            if (entity, rel) in seen:
                raise InputError("two routes for one relation", file=name, element=str(r["id"]), value=rel)
            seen.add((entity, rel))
            versions = tuple(_route_version(str(r["id"]), v, name) for v in r["versions"])
            for v in versions:
                if v.until is not None and v.until < v.valid_from:
                    raise InputError(
                        "'until' before 'from'",
                        file=name,
                        element=str(r["id"]),
                        field="until",
                        expected=f"on or after {v.valid_from}",
                        value=str(v.until),
                    )
            routes.append(Route(str(r["id"]), entity, rel, str(r["title"]), versions))
    for e in entities:
        for rel in RELATIONS_EU if e == "EU" else RELATIONS_US:
            if (e, rel) not in seen:
                raise InputError(
                    f"no route for entity {e} and relation {rel}", expected="a route for every relation"
                )

    agencies: list[Agency] = []
    for name, doc in by_kind["agencies"]:
        for a in doc["agencies"]:
            agencies.append(
                Agency(
                    id=str(a["id"]),
                    name=str(a["name"]),
                    aliases=tuple(str(x) for x in a.get("aliases") or ()),
                    country=str(a["country"]),
                    authority_type=str(a["authority_type"]),
                    domains=tuple(str(x) for x in a["domains"]),
                    designations=tuple(
                        Designation(
                            str(d["list"]),
                            str(d["entry"]),
                            _d(d["from"], name),
                            _dn(d.get("until"), name),
                            str(d["citation"]),
                            str(d.get("program", "")),
                        )
                        for d in a.get("designations") or ()
                    ),
                )
            )

    rf_name, rf = by_kind["red_flags"][0]
    red = RedFlags(
        organisations=tuple(
            OrgFlag(
                str(o["id"]),
                str(o["name"]),
                Terms(tuple(o["terms"])),
                str(o["designated_by"]),
                _expand(o["reject_countries"], groups, rf_name),
                str(o["citation"]),
                tuple(
                    (str(x["label"]), _d(x["from"], rf_name), str(x["citation"]))
                    for x in o.get("designations") or ()
                ),
            )
            for o in rf["organisations"]
        ),
        offences=tuple(
            OffenceFlag(
                str(o["id"]),
                str(o["label"]),
                Terms(tuple(o["terms"])),
                _expand(o["reject_countries"], groups, rf_name),
                str(o["citation"]),
            )
            for o in rf["offences"]
        ),
        political_terms=Terms(tuple(rf["political_context"]["terms"])),
        political_citation=str(rf["political_context"]["citation"]),
        authority_types={
            str(a["authority_type"]): (str(a["action"]), str(a["citation"])) for a in rf["authority_types"]
        },
        target_tags=frozenset(str(t).lower() for t in rf["target_tags"]["tags"]),
        target_tags_citation=str(rf["target_tags"]["citation"]),
    )

    return RequestRules(
        entities=entities,
        policy=policy,
        routes=tuple(routes),
        eu_member_states=_expand(jur["eu_member_states"], groups, jur_name),
        eevidence_participants=_expand(jur["eevidence_participants"]["countries"], groups, jur_name),
        eevidence_citation=str(jur["eevidence_participants"]["citation"]),
        agreement_paths=dated(jur["agreement_paths"]),
        cloud_act_agreements=dated(jur["cloud_act_agreements"]),
        free_mail_domains=tuple(str(x) for x in jur["free_mail_domains"]),
        government_domains={str(k): tuple(str(x) for x in v) for k, v in jur["government_domains"].items()},
        agencies=tuple(agencies),
        red_flags=red,
        sources=tuple(sorted(documents)),
    )
