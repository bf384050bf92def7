"""`evaluate(request, rules, context, as_of) -> Evaluation`: one request, the same checks whatever the country.

Pure: no database, clock or network. The requesting agency is screened through a callable (or
precomputed hits) handed in `context`. Every reason carries a code, a message and a citation.

Outcome precedence: any `reject` reason (sanctioned requester, no legal path, political case) wins over
`escalate` (unverified requester, human-rights review, emergency without a formal instrument), which
wins over `needs_info` (missing fields); otherwise the categories decide: all allowed -> `accept`, some
-> `partial`, none -> `reject`. Categories are listed as allowed only when the outcome is `accept` or
`partial`; `eligible_categories` says what the instrument would support once the review is done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rempart.domain.requests.model import CATEGORIES, DataRequest, format_datetime
from rempart.domain.requests.rules import Grant, Needs, RequestRules, RouteVersion, in_force
from rempart.domain.screening.model import Hit

OUTCOMES = ("accept", "partial", "needs_info", "escalate", "reject")

ScreenFn = Callable[[str, str], Sequence[Hit]]

FIELDS_CITATION = (
    "Fields a valid request needs: agency, officer, government e-mail, legal process, reference, targets, "
    "entity, data types, date range (platform practice [S55][S58][S60][S67][S71])"
)
VERIFY_CITATION = (
    "Government-domain e-mail or verified portal account required; verify out of band [S55][S58][S67][S69]"
)
EMERGENCY_UNVERIFIED_CITATION = (
    "Fake emergency requests and sold portal access are a known attack: verify out of band before any "
    "disclosure; § 2702 disclosure is voluntary (legal-reference Part 3, case 14) [S69]"
)


@dataclass(frozen=True)
class EvaluationContext:
    """What the pure evaluation may not fetch itself.

    `screen(name, schema)` screens a name against the loaded sanctions lists (the screening engine);
    `sanction_hits` are precomputed hits for the requesting agency (used in addition). `target_tags`
    maps a target value (customer id, e-mail, wallet, txid) to at-risk marks held by the provider.
    `lists` names the list versions screened against (for the record).
    """

    screen: ScreenFn | None = None
    sanction_hits: tuple[Hit, ...] | None = None
    target_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lists: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str
    citation: str
    effect: str = "info"  # info | allow | refuse | needs_info | escalate | reject
    category: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "citation": self.citation,
            "effect": self.effect,
        }
        if self.category:
            out["category"] = self.category
        return out


@dataclass(frozen=True, slots=True)
class Refusal:
    category: str
    needs: Needs
    code: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "needs": self.needs.instrument,
            "issuers": list(self.needs.issuers),
            "code": self.code,
        }
        if self.needs.min_penalty_years is not None:
            out["min_penalty_years"] = int(self.needs.min_penalty_years)
        return out


@dataclass(frozen=True)
class Evaluation:
    outcome: str
    allowed_categories: tuple[str, ...]
    refused_categories: tuple[Refusal, ...]
    reasons: tuple[Reason, ...]
    deadline: datetime | None
    as_of: date
    action: str = "none"  # disclose | preserve | none
    eligible_categories: tuple[str, ...] = ()
    preservation_until: date | None = None
    route: Mapping[str, Any] | None = None
    relation: str | None = None
    requester_verification: str = "unverified"
    agency_id: str | None = None
    sanctions_hits: tuple[Mapping[str, Any], ...] = ()
    user_notice: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "allowed_categories": list(self.allowed_categories),
            "refused_categories": [r.to_dict() for r in self.refused_categories],
            "reasons": [r.to_dict() for r in self.reasons],
            "deadline": format_datetime(self.deadline) if self.deadline else None,
            "as_of": self.as_of.isoformat(),
            "action": self.action,
            "eligible_categories": list(self.eligible_categories),
            "preservation_until": self.preservation_until.isoformat() if self.preservation_until else None,
            "route": dict(self.route) if self.route else None,
            "relation": self.relation,
            "requester_verification": self.requester_verification,
            "agency_id": self.agency_id,
            "sanctions_hits": [dict(h) for h in self.sanctions_hits],
            "user_notice": dict(self.user_notice),
        }


# --- the checks ------------------------------------------------------------------------------------


def _missing_fields(req: DataRequest) -> list[str]:
    missing: list[str] = []
    if not req.provider_entity:
        missing.append("provider_entity")
    r, i = req.requester, req.instrument
    for name in ("agency", "country", "authority_type", "officer", "email"):
        if getattr(r, name) is None:
            missing.append(f"requester.{name}")
    if i.type is None:
        missing.append("instrument.type")
    formal = i.type not in (None, "emergency", "informal")
    if formal:
        for name in ("issuer_role", "reference", "issued_at"):
            if getattr(i, name) is None:
                missing.append(f"instrument.{name}")
    if i.type != "emergency" and not req.is_emergency and i.offence is None:
        missing.append("instrument.offence")
    if not req.targets:
        missing.append("targets")
    if not req.data_categories:
        missing.append("data_categories")
    if req.date_range is None and not req.is_emergency and not req.is_preservation:
        missing.append("date_range")
    return missing


@dataclass
class _Acc:
    reasons: list[Reason] = field(default_factory=list)

    def add(
        self, code: str, message: str, citation: str, effect: str = "info", category: str | None = None
    ) -> None:
        self.reasons.append(Reason(code, message, citation, effect, category))

    def effects(self) -> set[str]:
        return {r.effect for r in self.reasons}


def _verify_requester(req: DataRequest, rules: RequestRules, acc: _Acc) -> tuple[str, str | None]:
    """Return (verification status, agency id of the registry)."""
    r = req.requester
    email = r.email or ""
    domain = email.rsplit("@", 1)[1] if "@" in email else None
    by_name = rules.agency_by_name(r.agency, r.country) if r.agency else None
    if r.email and domain is None:
        acc.add(
            "requester_email_invalid",
            f"contact e-mail {r.email!r} is not an address",
            VERIFY_CITATION,
            "needs_info",
        )
    status = "unverified"
    agency = by_name
    if domain and rules.is_free_mail(domain):
        if r.verified:
            status = "out_of_band"
            acc.add(
                "requester_verified_out_of_band",
                f"sent from a free-mail domain ({domain}) but verified out of band by the desk",
                VERIFY_CITATION,
            )
        else:
            acc.add(
                "requester_free_mail",
                f"sent from a free-mail domain ({domain}): requester unverified",
                VERIFY_CITATION,
                "escalate",
            )
    elif domain:
        by_domain = rules.agency_by_domain(domain)
        if by_domain is not None and (r.country is None or by_domain.country == r.country):
            status = "official_domain"
            agency = by_domain
            acc.add(
                "requester_official_domain",
                f"{domain} is an official domain of {by_domain.name} ({by_domain.country})",
                VERIFY_CITATION,
            )
        elif by_domain is not None:
            if r.verified:
                status = "out_of_band"
                acc.add(
                    "requester_verified_out_of_band",
                    f"{domain} belongs to {by_domain.name} ({by_domain.country}), not to a {r.country} "
                    "authority, but the desk verified the requester out of band",
                    VERIFY_CITATION,
                )
            else:
                acc.add(
                    "requester_domain_mismatch",
                    f"{domain} belongs to {by_domain.name} ({by_domain.country}), not to a {r.country} authority",
                    VERIFY_CITATION,
                    "escalate",
                )
        elif rules.government_domain(domain, r.country):
            status = "out_of_band" if r.verified else "government_domain"
            acc.add(
                "requester_government_domain",
                f"{domain} is a {r.country} government domain; the agency {r.agency!r} is not in the registry "
                "(add it to rules/requests/agencies.yaml)",
                VERIFY_CITATION,
            )
        elif r.verified:
            status = "out_of_band"
            acc.add(
                "requester_verified_out_of_band",
                f"unknown domain {domain}, but verified out of band by the desk",
                VERIFY_CITATION,
            )
        else:
            acc.add(
                "requester_unknown_domain",
                f"{domain} is not an official domain of a known {r.country or ''} authority: requester unverified",
                VERIFY_CITATION,
                "escalate",
            )
    elif r.verified:
        status = "out_of_band"
        acc.add("requester_verified_out_of_band", "verified out of band by the desk", VERIFY_CITATION)
    if status == "unverified" and req.is_emergency and domain is not None:
        acc.add(
            "emergency_unverified_requester",
            "emergency claimed by an unverified requester: nothing is disclosed before out-of-band verification "
            "(call the agency switchboard)",
            EMERGENCY_UNVERIFIED_CITATION,
            "escalate",
        )
    return status, agency.id if agency else None


def _screen(
    req: DataRequest,
    rules: RequestRules,
    context: EvaluationContext,
    agency_id: str | None,
    as_of: date,
    acc: _Acc,
    status: str,
) -> list[Hit]:
    names: list[str] = []
    agency = next((a for a in rules.agencies if a.id == agency_id), None)
    if req.requester.agency:
        names.append(req.requester.agency)
    if agency is not None:
        names.extend(agency.names())
    hits: dict[str, Hit] = {}
    for h in context.sanction_hits or ():
        if h.match and (h.entity_id not in hits or h.score > hits[h.entity_id].score):
            hits[h.entity_id] = h
    if context.screen is not None:
        seen: set[str] = set()
        for n in names:
            if n.casefold() in seen:
                continue
            seen.add(n.casefold())
            for h in context.screen(n, "Organization"):
                if h.match and (h.entity_id not in hits or h.score > hits[h.entity_id].score):
                    hits[h.entity_id] = h
    elif context.sanction_hits is None:
        acc.add(
            "screening_not_run",
            "the requesting agency was not screened against loaded lists (no lists available); only the "
            "registry's recorded designations were checked",
            rules.policy.sanctions_citation,
        )
    rejected_lists: set[str] = set()
    policy = rules.policy
    for h in sorted(hits.values(), key=lambda x: -x.score):
        if h.score >= policy.sanctions_reject_score:
            rejected_lists.add(h.list_name)
            acc.add(
                "requester_sanctioned",
                f"the requesting agency matches {h.name!r} on the {h.list_name.upper()} list "
                f"(entity {h.entity_id}, list version {h.list_version}, score {h.score:.2f}): no dealings, "
                "no disclosure",
                policy.sanctions_citation,
                "reject",
            )
        elif status in ("official_domain", "out_of_band") and agency is not None:
            acc.add(
                "requester_weak_sanctions_hit",
                f"the requesting agency resembles {h.name!r} on the {h.list_name.upper()} list "
                f"(entity {h.entity_id}, score {h.score:.2f}), but it is the registered {agency.name} "
                f"({agency.country}), verified ({status}): recorded, not a match",
                policy.sanctions_citation,
            )
        else:
            acc.add(
                "requester_possible_sanctions_match",
                f"the requesting agency resembles {h.name!r} on the {h.list_name.upper()} list "
                f"(entity {h.entity_id}, score {h.score:.2f}): adjudicate before any disclosure",
                policy.sanctions_citation,
                "escalate",
            )
    if agency is not None:
        for d in agency.designations:
            if d.list_name in rejected_lists:
                continue
            if in_force(d.valid_from, d.until, as_of):
                acc.add(
                    "requester_designated",
                    f"{agency.name} is designated on the {d.list_name.upper()} list since "
                    f"{d.valid_from.isoformat()} ({d.entry}): no dealings, no disclosure",
                    d.citation,
                    "reject",
                )
    return list(hits.values())


def _red_flags(req: DataRequest, rules: RequestRules, context: EvaluationContext, acc: _Acc) -> None:
    rf = rules.red_flags
    text = req.free_text()
    country = req.requester.country or ""
    political = rf.political_terms.find(text)
    for o in rf.organisations:
        found = o.terms.find(text)
        if not found:
            continue
        labels = ", ".join(f"'{label}' since {d.isoformat()}" for label, d, _ in o.designations)
        desig = f" (designated by {o.designated_by}{': ' + labels if labels else ''})"
        if country in o.reject_countries:
            acc.add(
                "political_organisation",
                f"the request concerns {o.name}{desig}, a politically designated organisation, from a "
                f"{country} authority: presumptively political; refuse and escalate to legal "
                f"(matched: {', '.join(found)})",
                o.citation,
                "reject",
            )
        else:
            acc.add(
                "political_organisation_review",
                f"the request concerns {o.name}{desig}: human-rights review (matched: {', '.join(found)})",
                o.citation,
                "escalate",
            )
    for off in rf.offences:
        found = off.terms.find(text)
        if not found:
            continue
        if country in off.reject_countries or political:
            why = (
                f"from a {country} authority"
                if country in off.reject_countries
                else f"tied to political activity ({', '.join(political)})"
            )
            acc.add(
                "political_offence",
                f"{off.label} {why}: refuse and escalate to legal (matched: {', '.join(found)})",
                off.citation,
                "reject",
            )
        else:
            acc.add(
                "political_offence_review",
                f"{off.label} (matched: {', '.join(found)}): check that the charge is not tied to political "
                "activity",
                off.citation,
                "escalate",
            )
    if political:
        acc.add(
            "political_context",
            f"the request mentions political activity ({', '.join(political)}): human-rights review",
            rf.political_citation,
            "escalate",
        )
    at = req.requester.authority_type
    if at and at in rf.authority_types:
        action, citation = rf.authority_types[at]
        acc.add(
            "authority_type_review",
            f"requests from {at} authorities need human-rights review",
            citation,
            action,
        )
    for t in req.targets:
        tags = (
            set(t.tags)
            | set(context.target_tags.get(t.value, ()))
            | set(context.target_tags.get(f"{t.type}:{t.value}", ()))
        )
        risky = sorted(tags & rf.target_tags)
        if risky:
            acc.add(
                "target_at_risk",
                f"target {t.type} {t.value} is marked at risk ({', '.join(risky)}): human-rights review",
                rf.target_tags_citation,
                "escalate",
            )


def _relation(req: DataRequest, rules: RequestRules) -> str | None:
    entity = rules.entities.get(req.provider_entity or "")
    country = req.requester.country
    if entity is None or not country:
        return None
    if entity.id == "US":
        return "domestic" if country == entity.country else "foreign"
    home = req.provider_country or entity.country
    if country == home or {country, home} == {"GR", "EL"}:
        return "same_ms"
    if country in rules.eu_member_states:
        return "other_ms" if country in rules.eevidence_participants else "other_ms_no_eevidence"
    return "third_country"


_FAILURE_RANK = {
    "instrument_insufficient": 0,
    "no_cloud_act_agreement": 1,
    "authority_type_insufficient": 2,
    "issuer_insufficient": 3,
    "offence_below_threshold": 4,
    "penalty_missing": 5,
}


def _check_grant(
    g: Grant, req: DataRequest, rv: RouteVersion, rules: RequestRules, as_of: date, acc: _Acc
) -> str | None:
    ins = req.instrument
    if ins.type not in g.instruments:
        return "instrument_insufficient"
    if g.cloud_act_agreement and rules.cloud_act(req.requester.country or "", as_of) is None:
        return "no_cloud_act_agreement"
    if g.authority_types and req.requester.authority_type not in g.authority_types:
        return "authority_type_insufficient"
    roles = {r for r in (ins.issuer_role, ins.validated_by) if r}
    if g.issuers and not roles & g.issuers:
        return "issuer_insufficient"
    if g.min_penalty_years is not None:
        listed = [oid for oid, terms in rv.listed_offences if terms.find(ins.offence or "")]
        if listed:
            acc.add(
                "listed_offence",
                f"offence {ins.offence!r} is a listed offence ({', '.join(listed)}): no penalty threshold",
                g.citation,
            )
            return None
        if ins.max_penalty_years is None:
            return "penalty_missing"
        if ins.max_penalty_years < g.min_penalty_years:
            return "offence_below_threshold"
    return None


def _evaluate_grants(
    grants: Sequence[Grant], req: DataRequest, rv: RouteVersion, rules: RequestRules, as_of: date, acc: _Acc
) -> tuple[Grant | None, str]:
    worst = "instrument_insufficient"
    for g in grants:
        failure = _check_grant(g, req, rv, rules, as_of, acc)
        if failure is None:
            return g, ""
        if _FAILURE_RANK[failure] > _FAILURE_RANK[worst]:
            worst = failure
    return None, worst


def _describe_needs(n: Needs) -> str:
    who = f" from a {' / '.join(r.replace('_', ' ') for r in n.issuers)}" if n.issuers else ""
    pen = (
        f", for an offence punishable by at least {n.min_penalty_years} years" if n.min_penalty_years else ""
    )
    return f"{n.instrument}{who}{pen}"


def _failure_message(code: str, req: DataRequest, n: Needs) -> str:
    ins = req.instrument
    given = f"{ins.type or 'no instrument'}" + (f" issued by a {ins.issuer_role}" if ins.issuer_role else "")
    extra = {
        "issuer_insufficient": "the issuer may not order this category",
        "offence_below_threshold": f"maximum penalty {ins.max_penalty_years} years is below the threshold",
        "penalty_missing": "the maximum penalty of the offence is needed",
        "authority_type_insufficient": f"a {req.requester.authority_type} authority may not use this path",
        "no_cloud_act_agreement": f"no CLOUD Act agreement with {req.requester.country}",
        "instrument_insufficient": "this instrument does not suffice",
        "no_legal_path": "no legal path from this country",
    }.get(code, code)
    return f"{given}: {extra}; needs {_describe_needs(n)}"


def evaluate(
    request: DataRequest, rules: RequestRules, context: EvaluationContext, as_of: date
) -> Evaluation:
    """Evaluate one request against the rules in force on `as_of`. See the module docstring."""
    acc = _Acc()
    received = request.received_at
    if received is None:
        received = datetime.combine(as_of, time(), UTC)
        acc.add(
            "received_at_assumed",
            f"no receipt time given: deadlines count from {format_datetime(received)}",
            FIELDS_CITATION,
        )

    for f in _missing_fields(request):
        acc.add("missing_field", f"missing {f}", FIELDS_CITATION, "needs_info")
    if request.is_emergency and not request.emergency_justification:
        acc.add(
            "emergency_justification_missing",
            "emergency without a stated nature of the emergency, who is at risk and why normal process is "
            "too slow: ask for it",
            FIELDS_CITATION,
        )

    status, agency_id = _verify_requester(request, rules, acc)
    hits = _screen(request, rules, context, agency_id, as_of, acc, status)
    _red_flags(request, rules, context, acc)

    cats = request.data_categories
    allowed: list[str] = []
    refused: list[Refusal] = []
    deadline: datetime | None = None
    preservation_until: date | None = None
    action = "none"
    relation = _relation(request, rules)
    route_ref: dict[str, Any] | None = None
    ins = request.instrument

    rv: RouteVersion | None = None
    if relation is not None:
        route = rules.route(request.provider_entity or "", relation)
        rv = route.as_of(as_of) if route else None
        if route is None or rv is None:
            acc.add(
                "no_rule_in_force",
                f"no request rule in force on {as_of.isoformat()} for {request.provider_entity} / {relation}",
                "rules/requests",
                "escalate",
            )
        else:
            route_ref = {**rv.ref(), "title": route.title}

    if rv is not None and ins.type is not None:
        country = request.requester.country or ""
        no_path = False
        if rv.requires_agreement:
            agreement = rules.agreement(country, as_of)
            if agreement is None:
                no_path = True
                if request.is_emergency:
                    acc.add(
                        "no_legal_path",
                        f"no MLAT or international agreement with {country} in force "
                        "(GDPR Art. 48); only the Art. 49(1)(f) vital-interests derogation, case by case",
                        rv.citation,
                        "escalate",
                    )
                    acc.add(
                        "emergency_vital_interests",
                        "emergency: legal review of the vital-interests derogation",
                        rv.emergency.citation,
                        "escalate",
                    )
                else:
                    acc.add(
                        "no_legal_path",
                        f"no MLAT or international agreement with {country} in force: the EU "
                        "entity may neither disclose nor preserve on this request (GDPR Art. 48)",
                        rv.citation,
                        "reject",
                    )
            else:
                acc.add(
                    "agreement_path", f"agreement path with {country}: {agreement.name}", agreement.citation
                )
        if no_path:
            refused = [Refusal(c, rv.categories[c].needs, "no_legal_path") for c in cats]
        elif request.is_preservation:
            p = rv.preservation
            grant, failure = _evaluate_grants(p.grants, request, rv, rules, as_of, acc)
            if grant is not None:
                allowed = list(cats)
                action = "preserve"
                preservation_until = received.date() + timedelta(days=p.days)
                ext = f", extendable by {p.extension_days} days" if p.extension_days else ""
                acc.add(
                    "preservation",
                    f"preserve {', '.join(cats) or 'the records'} until "
                    f"{preservation_until.isoformat()} ({p.days} days{ext}); preservation discloses nothing",
                    grant.citation,
                )
            else:
                refused = [Refusal(c, p.needs, failure) for c in cats]
                acc.add(
                    failure,
                    "preservation: " + _failure_message(failure, request, p.needs),
                    rv.citation,
                    "needs_info" if failure == "penalty_missing" else "refuse",
                )
        else:
            emergency_escalated = False
            for c in cats:
                cr = rv.categories[c]
                grant, failure = _evaluate_grants(cr.grants, request, rv, rules, as_of, acc)
                if grant is not None:
                    allowed.append(c)
                    acc.add(
                        "category_allowed",
                        f"{c}: {ins.type} issued by a {ins.issuer_role or 'requester'} suffices",
                        grant.citation,
                        "allow",
                        c,
                    )
                    continue
                em = rv.emergency
                if (
                    request.is_emergency
                    and em.mode != "none"
                    and (em.any_instrument or ins.type == "emergency")
                ):
                    if em.mode == "voluntary":
                        allowed.append(c)
                        acc.add(
                            "emergency_voluntary_disclosure",
                            f"{c}: voluntary good-faith emergency disclosure (danger of death or serious "
                            "physical injury); permissive, not compulsory",
                            em.citation,
                            "allow",
                            c,
                        )
                        continue
                    if not emergency_escalated:
                        emergency_escalated = True
                        acc.add(
                            "emergency_vital_interests",
                            "emergency without the formal instrument of this "
                            "route: legal review of a vital-interests disclosure, case by case",
                            em.citation,
                            "escalate",
                        )
                refused.append(Refusal(c, cr.needs, failure))
                cite = cr.grants[0].citation if cr.grants else rv.citation
                acc.add(
                    failure,
                    f"{c}: " + _failure_message(failure, request, cr.needs),
                    cite,
                    "needs_info" if failure == "penalty_missing" else "refuse",
                    c,
                )
            if allowed:
                action = "disclose"
        dl = rv.deadline
        if dl is not None and ins.type in dl.instruments and not no_path:
            if request.is_emergency:
                deadline = received + timedelta(hours=dl.emergency_hours)
                acc.add(
                    "deadline",
                    f"emergency: produce within {dl.emergency_hours} hours of receipt",
                    dl.citation,
                )
            else:
                deadline = received + timedelta(days=dl.days)
                acc.add("deadline", f"produce within {dl.days} days of receipt", dl.citation)
        if rv.scope_warning and ins.type in ("epoc", "epoc_pr"):
            acc.add("eevidence_scope_check", rv.scope_warning, rv.citation)
        for n in rv.notices:
            if set(allowed) & n.categories:
                acc.add(n.code, n.message, n.citation)
    if ins.due_at is not None:
        deadline = min(deadline, ins.due_at) if deadline else ins.due_at

    # user notification
    nd = request.non_disclosure
    policy = rules.policy
    notice: dict[str, Any]
    if nd is not None and nd.until is not None:
        notice = {
            "status": "withheld",
            "until": nd.until.isoformat(),
            "due_on": (nd.until + timedelta(days=1)).isoformat(),
        }
        acc.add(
            "non_disclosure_order",
            f"non-disclosure order until {nd.until.isoformat()}: notify the user when it lapses",
            policy.non_disclosure_citation,
        )
    elif nd is not None:
        review = nd.review_at or received.date() + timedelta(days=policy.non_disclosure_review_days)
        notice = {"status": "withheld_pending_review", "until": None, "review_at": review.isoformat()}
        acc.add(
            "non_disclosure_order",
            f"non-disclosure order without an end date: honour it, review on "
            f"{review.isoformat()}, notify the user when it lapses",
            policy.non_disclosure_citation,
        )
    elif request.is_emergency:
        notice = {"status": "due_after_emergency"}
    else:
        notice = {"status": "due_on_disclosure"}

    effects = acc.effects()
    if "reject" in effects:
        outcome = "reject"
    elif "escalate" in effects:
        outcome = "escalate"
    elif "needs_info" in effects:
        outcome = "needs_info"
    elif allowed and refused:
        outcome = "partial"
    elif allowed:
        outcome = "accept"
    else:
        outcome = "reject"
        acc.add(
            "no_category_allowed",
            "the instrument supports none of the requested categories",
            route_ref["citation"] if route_ref else "rules/requests",
            "reject",
        )

    eligible = tuple(c for c in CATEGORIES if c in allowed)
    return Evaluation(
        outcome=outcome,
        allowed_categories=eligible if outcome in ("accept", "partial") else (),
        refused_categories=tuple(refused),
        reasons=tuple(acc.reasons),
        deadline=deadline,
        as_of=as_of,
        action=action if outcome in ("accept", "partial") else "none",
        eligible_categories=eligible,
        preservation_until=preservation_until if outcome in ("accept", "partial") else None,
        route=route_ref,
        relation=relation,
        requester_verification=status,
        agency_id=agency_id,
        sanctions_hits=tuple(h.to_dict() for h in hits),
        user_notice=notice,
    )
