"""Vetra BFF: the public backend-for-frontend in front of the core API."""
