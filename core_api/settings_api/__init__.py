"""Per-tenant operational settings over the API: SLA target, fraud thresholds, sampling."""
