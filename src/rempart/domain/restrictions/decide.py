"""`decide(facts, rules, as_of) -> Decision`: pure, every rule considered and explained.

Each rule gives a three-valued result: it applies, it does not, or it cannot be decided from the
facts (undetermined). The outcome is the most severe outcome of the rules that apply (freeze >
offboard > deny > allow), unless an undetermined rule could lead to something more severe: then
`review`. A missing fact that matters is never a silent `allow`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rempart.domain.restrictions.facts import Customer, Facts, Sanction
from rempart.domain.rules.model import SEVERITY, Exemption, ResolvedRule, Rule, RuleSet, RuleVersion
from rempart.domain.rules.resolve import as_of as resolve_as_of
from rempart.domain.rules.resolve import in_window, next_start

YES, NO, UNKNOWN = "yes", "no", "unknown"
DEPOSIT_LIMIT_EUR = Decimal("100000.00")
# Services a MiCA-wide rule ("any") reaches; the 2022 wording reaches custody only.
ACTION_SERVICES = {
    "deposit": "custody",
    "withdraw": "custody",
    "trade": "exchange",
    "transfer_out": "transfer",
}


def fmt_eur(v: Decimal) -> str:
    """Exact, with at least two decimals: 12500.000 -> 12500.00, 10000.005 stays."""
    q = v.quantize(Decimal("0.01"))
    return f"{q:.2f}" if q == v else format(v.normalize(), "f")


# ---------------------------------------------------------------- valuation


@dataclass(frozen=True)
class Valuation:
    total: Decimal  # known part
    per_account: dict[str, Decimal]
    unpriced: tuple[str, ...]
    prices_used: tuple[dict[str, Any], ...]
    delta: Decimal | None  # value the action adds (+) or removes (-); None when its asset has no price
    delta_account: str | None

    @property
    def complete(self) -> bool:
        return not self.unpriced

    def to_dict(self, aggregation: str) -> dict[str, Any]:
        return {
            "currency": "EUR",
            "aggregation": aggregation,
            "total_eur": fmt_eur(self.total),
            "complete": self.complete,
            "unpriced_assets": list(self.unpriced),
            "per_account": {k: fmt_eur(v) for k, v in sorted(self.per_account.items())},
            "prices": list(self.prices_used),
            "action_value_eur": fmt_eur(self.delta) if self.delta is not None else None,
        }


def _price(facts: Facts, asset: str) -> Decimal | None:
    p = facts.prices.get(asset)
    if p is not None:
        return p.price_eur
    return Decimal(1) if asset == "EUR" else None


def value_holdings(facts: Facts) -> Valuation:
    total = Decimal(0)
    per_account: dict[str, Decimal] = {}
    unpriced: set[str] = set()
    used: set[str] = set()
    for h in facts.holdings:
        price = _price(facts, h.asset)
        per_account.setdefault(h.account_id, Decimal(0))
        if price is None:
            if h.amount != 0:
                unpriced.add(h.asset)
            continue
        used.add(h.asset)
        v = h.amount * price
        total += v
        per_account[h.account_id] += v
    delta: Decimal | None = Decimal(0)
    account = facts.account_id
    if (
        facts.amount is not None
        and facts.asset is not None
        and facts.action in ("deposit", "withdraw", "transfer_out", "open_account")
    ):
        price = _price(facts, facts.asset)
        if price is None:
            delta = None
        else:
            used.add(facts.asset)
            sign = -1 if facts.action in ("withdraw", "transfer_out") else 1
            delta = sign * facts.amount * price
        if account is None:
            account = max(per_account, key=lambda k: per_account[k]) if per_account else "default"
    prices = tuple(
        {
            "asset": a,
            "price_eur": str(_price(facts, a)),
            "source": facts.prices[a].source if a in facts.prices else "identity",
            "as_of": facts.prices[a].as_of if a in facts.prices else None,
        }
        for a in sorted(used)
    )
    return Valuation(total, per_account, tuple(sorted(unpriced)), prices, delta, account)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    version: RuleVersion | None
    status: str  # applies | not_applicable | undetermined
    outcome: str | None  # the outcome if it applies (or could apply)
    reason: str
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        v = self.version
        return {
            "id": self.rule.id,
            "title": self.rule.title,
            "version_from": v.valid_from.isoformat() if v else None,
            "version_until": v.until.isoformat() if v and v.until else None,
            "citation": v.citation.render() if v else _first_citation(self.rule),
            "applied": self.status == "applies",
            "status": self.status,
            "outcome": self.outcome if self.status != "not_applicable" else None,
            "reason": self.reason,
            "uncertain": bool(v and (v.uncertain or any(e.uncertain for e in v.exemptions))),
            "uncertainty": v.uncertainty if v else None,
            "overridden": list(v.overridden) if v else [],
            "missing_facts": list(self.missing),
            "regime": self.rule.regime,
            "source_file": self.rule.source,
        }


def _first_citation(rule: Rule) -> str:
    return rule.versions[0].citation.render() if rule.versions else ""


@dataclass(frozen=True)
class Decision:
    outcome: str
    action: str
    as_of: date
    provider_entity: str
    holdings_eur: Decimal
    valuation: Valuation
    aggregation: str
    results: tuple[RuleResult, ...]
    decided_by: tuple[str, ...]
    action_allowed: bool
    plan: dict[str, Any] | None
    facts_hash: str
    rules_hash: str
    missing_facts: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "holdings_eur": fmt_eur(self.holdings_eur),
            "rules": [r.to_dict() for r in self.results],
            "decided_by": list(self.decided_by),
            "action": self.action,
            "action_allowed": self.action_allowed,
            "as_of": self.as_of.isoformat(),
            "provider_entity": self.provider_entity,
            "valuation": self.valuation.to_dict(self.aggregation),
            "plan": self.plan,
            "missing_facts": list(self.missing_facts),
            "rule_versions": {r.rule.id: r.version.valid_from.isoformat() for r in self.results if r.version},
            "facts_hash": self.facts_hash,
            "rules_hash": self.rules_hash,
        }


# ---------------------------------------------------------------- three-valued helpers


def _any3(values: Iterable[str]) -> str:
    vals = list(values)
    return YES if YES in vals else (UNKNOWN if UNKNOWN in vals else NO)


def _active(s: Sanction, d: date) -> bool:
    return in_window(d, s.listed_from, s.listed_until)


def _freeze_coverage(v: RuleVersion, c: Customer, d: date) -> tuple[str, str, tuple[str, ...]]:
    lists = v.covers.listed_on
    confirmed = [s for s in c.sanctions if s.list in lists and s.status == "confirmed" and _active(s, d)]
    if confirmed:
        s = confirmed[0]
        return YES, f"confirmed match on the {s.list.upper()} list ({s.entity_id or s.regime or 'entry'})", ()
    possible = [s for s in c.sanctions if s.list in lists and s.status == "possible" and _active(s, d)]
    reasons: list[str] = []
    state = NO
    if possible:
        s = possible[0]
        state = UNKNOWN
        reasons.append(
            f"possible match on the {s.list.upper()} list not yet adjudicated ({s.entity_id or 'entry'})"
        )
    if v.covers.owned_by_listed_share is not None and c.ownership:
        for o in c.ownership:
            listed = [s for s in o.sanctions if s.list in lists and _active(s, d)]
            if not listed:
                continue
            if (
                any(s.status == "confirmed" for s in listed)
                and o.share is not None
                and o.share >= v.covers.owned_by_listed_share
            ):
                return (
                    YES,
                    (
                        f"owned {o.share} % by a person with a confirmed {listed[0].list.upper()} listing: "
                        "control presumed (rebuttable)"
                    ),
                    (),
                )
            state = UNKNOWN
            reasons.append(
                f"owner listed or possibly listed on {listed[0].list.upper()} with share "
                f"{o.share if o.share is not None else 'unknown'} %: control to be assessed"
            )
    if state == UNKNOWN:
        return UNKNOWN, "; ".join(reasons), ("sanctions adjudication",)
    return NO, f"no confirmed or possible match on {', '.join(sorted(x.upper() for x in lists))}", ()


def _restriction_coverage(v: RuleVersion, c: Customer) -> tuple[str, str, tuple[str, ...]]:
    cov = v.covers
    if c.type is None:
        return UNKNOWN, "customer type (person or entity) unknown", ("customer.type",)
    if c.type == "person":
        parts: list[tuple[str, str, str | None]] = []
        if cov.nationals:
            if c.nationalities is None:
                parts.append((UNKNOWN, "nationality unknown", "customer.nationalities"))
            else:
                hit = sorted(set(c.nationalities) & cov.nationals)
                parts.append(
                    (YES, f"national of {'/'.join(hit)}", None)
                    if hit
                    else (NO, f"not a national of {'/'.join(sorted(cov.nationals))}", None)
                )
        if cov.residents:
            if c.residence_country is None:
                parts.append((UNKNOWN, "residence country unknown", "customer.residence_country"))
            elif c.residence_country in cov.residents:
                parts.append((YES, f"natural person residing in {c.residence_country}", None))
            else:
                parts.append((NO, f"residing in {c.residence_country}", None))
        if not parts:
            return NO, "the rule does not cover natural persons", ()
        state = _any3(p[0] for p in parts)
        chosen = [p for p in parts if p[0] == state]
        missing = tuple(p[2] for p in parts if p[0] == UNKNOWN and p[2])
        return state, "; ".join(p[1] for p in chosen), missing if state != YES else ()
    # legal person
    parts2: list[tuple[str, str, str | None]] = []
    if cov.established_in:
        if c.establishment_country is None:
            parts2.append((UNKNOWN, "country of establishment unknown", "customer.establishment_country"))
        elif c.establishment_country in cov.established_in:
            parts2.append((YES, f"legal person established in {c.establishment_country}", None))
        else:
            parts2.append((NO, f"established in {c.establishment_country}", None))
    if cov.owned_by is not None:
        ob = cov.owned_by
        if c.establishment_country is not None and c.establishment_country in ob.established_outside:
            parts2.append((NO, f"established in {c.establishment_country}, inside the Union", None))
        elif c.ownership is None:
            parts2.append((UNKNOWN, "ownership unknown", "customer.ownership"))
        else:
            share = Decimal(0)  # known share of owners who are RU nationals or residents
            maybe = Decimal(0)  # known share of owners of whom neither nationality nor residence is known
            unsized = False  # such an owner (covered or maybe covered) whose share is unknown
            known_total = Decimal(0)
            for o in c.ownership:
                if o.share is not None:
                    known_total += o.share
                owner_hit = (o.nationalities is not None and bool(set(o.nationalities) & ob.countries)) or (
                    o.residence_country is not None and o.residence_country in ob.countries
                )
                owner_unknown = o.type == "person" and o.nationalities is None and o.residence_country is None
                if o.share is None and (owner_hit or owner_unknown):
                    unsized = True
                elif owner_hit and o.share is not None:
                    share += o.share
                elif owner_unknown and o.share is not None:
                    maybe += o.share
            if unsized:  # an owner of unknown size holds at most what the known shares leave
                maybe += max(Decimal(0), Decimal(100) - known_total)
            cs = "/".join(sorted(ob.countries))
            if share > ob.share_exceeds:
                parts2.append(
                    (
                        YES,
                        f"more than {ob.share_exceeds} % owned ({share} %) by {cs} nationals or residents",
                        None,
                    )
                )
            elif share + maybe > ob.share_exceeds:
                parts2.append(
                    (
                        UNKNOWN,
                        f"{share} % owned by {cs} nationals or residents; up to {maybe} % more held by owners "
                        "whose share, nationality or residence is unknown",
                        "customer.ownership[]",
                    )
                )
            else:
                parts2.append(
                    (
                        NO,
                        f"not more than {ob.share_exceeds} % owned by {cs} nationals or residents "
                        f"({share} %)",
                        None,
                    )
                )
    if not parts2:
        return NO, "the rule does not cover legal persons", ()
    state = _any3(p[0] for p in parts2)
    chosen = [p for p in parts2 if p[0] == state]
    missing = tuple(p[2] for p in parts2 if p[0] == UNKNOWN and p[2])
    return state, "; ".join(p[1] for p in chosen), missing if state != YES else ()


def _exemption(v: RuleVersion, c: Customer, d: date) -> tuple[str, str, tuple[str, ...]]:
    """YES: exempt; NO: not exempt; UNKNOWN: an unknown fact could exempt."""
    states: list[tuple[str, str, str | None]] = []
    for e in v.exemptions:
        states.append(_one_exemption(e, c, d))
    if not states:
        return NO, "no exemption", ()
    state = _any3(s[0] for s in states)
    chosen = [s for s in states if s[0] == state]
    missing = tuple(s[2] for s in states if s[0] == UNKNOWN and s[2])
    return state, "; ".join(s[1] for s in chosen), missing if state == UNKNOWN else ()


def _one_exemption(e: Exemption, c: Customer, d: date) -> tuple[str, str, str | None]:
    tag = f" ({e.id}{', not confirmed' if e.uncertain else ''})"
    if e.natural_persons_only and c.type != "person":
        return NO, "the natural-person exemptions do not help a legal person" + tag, None
    if e.kind == "nationality":
        if c.nationalities is None:
            return (
                UNKNOWN,
                "nationality unknown, so a nationality exemption cannot be ruled out" + tag,
                "customer.nationalities",
            )
        hit = sorted(set(c.nationalities) & e.countries)
        if hit:
            return YES, f"exempt: national of {'/'.join(hit)}" + tag, None
        return NO, "no exempting nationality" + tag, None
    # residence permit
    unknown = False
    notes: list[str] = []
    for p in c.residence_permits:
        if p.country not in e.countries:
            continue
        if p.kind not in e.permit_kinds:
            notes.append(f"a {p.kind} in {p.country} is not a residence permit")
            continue
        if p.valid_until is None and p.kind != "permanent":
            unknown = True
            notes.append(f"{p.kind} permit in {p.country} without an expiry date")
            continue
        if in_window(d, p.valid_from, p.valid_until):
            until = f" valid until {p.valid_until}" if p.valid_until else ""
            return YES, f"exempt: {p.kind} residence permit in {p.country}{until}" + tag, None
        notes.append(
            f"{p.kind} permit in {p.country} not valid on {d} "
            f"({'expired ' + str(p.valid_until) if p.valid_until and p.valid_until < d else 'not yet valid'})"
        )
    if unknown:
        return UNKNOWN, "; ".join(notes) + tag, "customer.residence_permits[].valid_until"
    return (
        NO,
        ("; ".join(notes) if notes else "no valid residence permit in an exempting country") + tag,
        None,
    )


def _services(facts: Facts) -> set[str]:
    s = set(facts.services) if facts.services is not None else {"custody"}
    extra = ACTION_SERVICES.get(facts.action)
    if extra:
        s.add(extra)
        # Moving assets in or out of the provider is custody. A trade is custody only at a custodial
        # account: when the provider says which services it gives (e.g. reception and transmission of
        # orders without custody), a trade is that service, outside the 2022 wording (Part 3 case 12).
        if facts.action != "trade" or facts.services is None:
            s.add("custody")
    if facts.action == "open_account" and facts.services is None:
        s.add("custody")
    return s


def _measure(v: RuleVersion, val: Valuation) -> tuple[str, str, bool]:
    """Threshold on holdings after the action -> (state, reason, crossed_before_action)."""
    th = v.threshold
    assert th is not None
    if th.aggregation == "per_account":
        before = max(val.per_account.values(), default=Decimal(0))
        after_acc = dict(val.per_account)
        if val.delta is not None and val.delta_account is not None:
            after_acc[val.delta_account] = after_acc.get(val.delta_account, Decimal(0)) + val.delta
        after = max(after_acc.values(), default=Decimal(0))
        what = "largest account"
    else:
        before = val.total
        after = val.total + (val.delta or Decimal(0))
        what = "holdings at the provider"
    crossed_before = th.crossed(before)
    if th.crossed(after):
        tail = "" if val.delta in (None, Decimal(0)) else f" after this {fmt_eur(abs(val.delta))} EUR action"
        return YES, f"{what} EUR {fmt_eur(after)}{tail} {th.describe()}", crossed_before
    if not val.complete or val.delta is None:
        missing = ", ".join(val.unpriced) if val.unpriced else "the action's asset"
        return UNKNOWN, f"{what} EUR {fmt_eur(after)} known; no EUR price for {missing}", crossed_before
    verb = "does not exceed" if th.comparison == "exceeds" else "is below"
    return NO, f"{what} EUR {fmt_eur(after)} {verb} EUR {th.amount:,.2f}", crossed_before


def _outcome_for(v: RuleVersion, action: str) -> str:
    if v.action == "offboard" and action == "open_account":
        return "deny"
    return v.action


def evaluate_rule(rr: ResolvedRule, facts: Facts, val: Valuation) -> RuleResult:
    rule, v, d = rr.rule, rr.version, rr.on
    if facts.jurisdiction not in rule.binds:
        return RuleResult(
            rule,
            v,
            "not_applicable",
            None,
            f"binds the provider's {'/'.join(sorted(rule.binds))} entity; this customer is served by "
            f"the {facts.provider_entity} entity",
        )
    if v is None:
        nxt = next_start(rule, d)
        off = [
            x
            for x in rule.versions
            if not x.enabled and x.valid_from <= d and (x.until is None or d <= x.until)
        ]
        reading = "".join(
            f"; the uncertain version from {x.valid_from} is switched off by the operator" for x in off
        )
        return RuleResult(
            rule,
            None,
            "not_applicable",
            None,
            f"no version in force on {d}" + (f" (next from {nxt})" if nxt else "") + reading,
        )
    if facts.action not in v.actions:
        scope = ", ".join(sorted(v.actions)) or "no customer action (it governs the provider itself)"
        return RuleResult(
            rule, v, "not_applicable", None, f"action {facts.action} is outside its scope ({scope})"
        )
    if "any" not in v.services and "deposit_taking" not in v.services:
        used_services = _services(facts)
        if not used_services & v.services:
            return RuleResult(
                rule,
                v,
                "not_applicable",
                None,
                f"services {', '.join(sorted(used_services))} are outside its scope "
                f"({', '.join(sorted(v.services))})",
            )
    outcome = _outcome_for(v, facts.action)
    if rule.kind == "freeze":
        state, why, missing = _freeze_coverage(v, facts.customer, d)
        if state == YES:
            return RuleResult(rule, v, "applies", "freeze", why + "; freeze and report")
        if state == UNKNOWN:
            return RuleResult(rule, v, "undetermined", "freeze", why, missing)
        return RuleResult(rule, v, "not_applicable", None, why)
    cstate, cwhy, cmissing = _restriction_coverage(v, facts.customer)
    if cstate == NO:
        return RuleResult(rule, v, "not_applicable", None, f"not covered: {cwhy}")
    estate, ewhy, emissing = _exemption(v, facts.customer, d)
    if estate == YES:
        return RuleResult(
            rule, v, "not_applicable", None, f"{ewhy}" + (f" (covered: {cwhy})" if cstate == YES else "")
        )
    tstate, twhy, crossed_before = YES, "no threshold", True
    if v.threshold is not None:
        tstate, twhy, crossed_before = _measure(v, val)
        if tstate == NO:
            return RuleResult(rule, v, "not_applicable", None, f"covered ({cwhy}) but {twhy}")
        if tstate == YES and not crossed_before and outcome != "freeze":
            outcome = "deny"
    if cstate == YES and estate == NO and tstate == YES:
        reason = f"covered: {cwhy}; {ewhy}; {twhy}"
        if v.uncertain:
            reason += " (uncertain rule version applied as encoded; an operator may override it)"
        return RuleResult(rule, v, "applies", outcome, reason)
    unknowns = [w for s, w in ((cstate, cwhy), (estate, ewhy), (tstate, twhy)) if s == UNKNOWN]
    return RuleResult(
        rule,
        v,
        "undetermined",
        outcome,
        "cannot decide: " + "; ".join(unknowns),
        tuple(dict.fromkeys(cmissing + emissing + (("prices_eur",) if tstate == UNKNOWN else ()))),
    )


# ---------------------------------------------------------------- plans


def offboard_plan(result: RuleResult, facts: Facts, val: Valuation) -> dict[str, Any]:
    return {
        "type": "offboard",
        "rule": result.rule.id,
        "no_new_services": True,
        "close_accounts": True,
        "freeze": False,
        "steps": [
            "Refuse new services and accounts; do not accept new deposits or trades.",
            "Return the existing crypto-assets to an external wallet of the customer, after screening the "
            "destination (not a listed person; not a Russia-established CASP or DeFi platform).",
            "Or convert them to fiat or another unsanctioned asset class; a conversion into fiat deposits is "
            f"allowed only up to EUR {DEPOSIT_LIMIT_EUR:,.2f} per credit institution (Art. 5b(1)).",
            "Close the account once assets are returned or converted.",
        ],
        "permitted_actions": ["withdraw", "transfer_out"],
        "return_assets": {"to": "external wallet of the customer", "screen_destination": True},
        "convert_to_fiat": {
            "allowed": True,
            "limit_eur": fmt_eur(DEPOSIT_LIMIT_EUR),
            "per": "credit institution",
        },
        "holdings_eur": fmt_eur(val.total),
        "basis": "Commission consolidated FAQ 833/269 (21 Mar 2023), C.6 Q2: no new services; close; return or "
        "convert; no freeze foreseen [S5]",
    }


REPORT_TO = {
    "EU": "the national competent authority of the Member State",
    "US": "OFAC",
    "UK": "OFSI (HM Treasury)",
    "UN": "the competent authority of the provider's entity",
}


def freeze_plan(result: RuleResult) -> dict[str, Any]:
    return {
        "type": "freeze",
        "rule": result.rule.id,
        "nothing_moves": True,
        "return_assets": False,
        "make_nothing_available": True,
        "report_to": REPORT_TO.get(result.rule.jurisdiction, "the competent authority"),
        "steps": [
            "Freeze every account and asset now: no withdrawal, transfer, trade or conversion.",
            "Make no funds or economic resources available, directly or indirectly.",
            f"Report to {REPORT_TO.get(result.rule.jurisdiction, 'the competent authority')} without delay.",
            "Release only under a licence or derogation granted by the competent authority.",
        ],
        "basis": result.version.citation.render() if result.version else "",
    }


# ---------------------------------------------------------------- decide


def decide(facts: Facts, rules: RuleSet, as_of: date | None = None) -> Decision:
    """Decide one customer action on `as_of` (default: the facts' date) with every rule in `rules`."""
    d = as_of or facts.as_of
    val = value_holdings(facts)
    results = tuple(evaluate_rule(rr, facts, val) for rr in resolve_as_of(rules, d))
    applies = [r for r in results if r.status == "applies"]
    pending = [r for r in results if r.status == "undetermined"]
    certain = max((SEVERITY[r.outcome or "allow"] for r in applies), default=0)
    possible = max((SEVERITY[r.outcome or "allow"] for r in pending), default=0)
    plan: dict[str, Any] | None = None
    if pending and possible > certain:
        outcome = "review"
        decided_by = tuple(r.rule.id for r in pending if SEVERITY[r.outcome or "allow"] > certain)
        plan = {
            "type": "review",
            "missing_facts": sorted({m for r in pending for m in r.missing}),
            "steps": [
                "Hold the action until a compliance analyst decides.",
                "Obtain the missing facts or adjudicate the possible match, then decide again.",
            ],
        }
    else:
        outcome = next((k for k, s in SEVERITY.items() if s == certain), "allow")
        decided_by = tuple(r.rule.id for r in applies if r.outcome == outcome)
        first = next((r for r in applies if r.outcome == outcome), None)
        if outcome == "offboard" and first is not None:
            plan = offboard_plan(first, facts, val)
        elif outcome == "freeze" and first is not None:
            plan = freeze_plan(first)
    allowed = outcome == "allow" or (outcome == "offboard" and facts.action in ("withdraw", "transfer_out"))
    agg = next(
        (
            r.version.threshold.aggregation
            for r in results
            if r.version and r.version.threshold and r.status != "not_applicable"
        ),
        None,
    )
    agg = agg or next(
        (
            rr.version.threshold.aggregation
            for rr in resolve_as_of(rules, d)
            if rr.version and rr.version.threshold
        ),
        "per_provider",
    )
    return Decision(
        outcome=outcome,
        action=facts.action,
        as_of=d,
        provider_entity=facts.provider_entity,
        holdings_eur=val.total,
        valuation=val,
        aggregation=agg,
        results=results,
        decided_by=decided_by,
        action_allowed=allowed,
        plan=plan,
        facts_hash=facts.content_hash(),
        rules_hash=rules.content_hash,
        missing_facts=tuple(sorted({m for r in pending for m in r.missing})),
    )


def rules_snapshot(rules: RuleSet, d: date) -> list[dict[str, Any]]:
    """The rule versions in force on `d`, as data, to store with a decision and replay it."""
    out = []
    for rr in resolve_as_of(rules, d):
        r = rr.rule
        out.append(
            {
                "id": r.id,
                "title": r.title,
                "kind": r.kind,
                "regime": r.regime,
                "jurisdiction": r.jurisdiction,
                "binds": sorted(r.binds),
                "source": r.source,
                "versions": [dict(rr.version.raw)] if rr.version else [],
            }
        )
    return out
