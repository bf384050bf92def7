"""The data-request desk's use cases: evaluate, submit, advance, approve, produce, deliver, list what is due.

Every state change is written with its audit event in one transaction (`store.begin()`); decisions
(evaluations, approvals, productions) go through `save_decision`. The pure rules live in
`rempart.domain.requests`.
"""

from __future__ import annotations

from rempart.services.requests.desk import (
    advance,
    approve,
    deliver,
    download,
    due,
    evaluate_json,
    evaluation_context,
    get_request,
    list_requests,
    mark_customer,
    notify,
    principal_for_user,
    produce,
    reject,
    resupply,
    rules_from_settings,
    submit,
)
from rempart.services.requests.records import import_records
from rempart.services.requests.rules_loader import load_request_rules

__all__ = [
    "advance",
    "approve",
    "deliver",
    "download",
    "due",
    "evaluate_json",
    "evaluation_context",
    "get_request",
    "import_records",
    "list_requests",
    "load_request_rules",
    "mark_customer",
    "notify",
    "principal_for_user",
    "produce",
    "reject",
    "resupply",
    "rules_from_settings",
    "submit",
]
