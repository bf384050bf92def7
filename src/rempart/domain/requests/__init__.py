"""The data-request desk's domain: request model, rules, evaluation, workflow, production (all pure)."""
