"""Fraud and anomaly flags: the risk events the claim rules write (`core_api.claims.risk`)."""
