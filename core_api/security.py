"""Secrets: password hashing (argon2 via pwdlib), opaque tokens, API key material."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from core_api.config import get_settings


def _password_hasher() -> PasswordHash:
    """argon2id at pwdlib's recommended cost; under `VETRA_ENV=test` at its lowest, since
    the suite creates hundreds of accounts and each hash costs a quarter of a second here.
    A hash records its parameters, so either verifies the other's."""
    if get_settings().env == "test":
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return PasswordHash.recommended()


_password_hash = _password_hasher()
# Verified when the account does not exist, so a miss costs as much time as a hit.
_DUMMY_HASH = _password_hash.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10
API_KEY_PREFIX = "vk"


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _password_hash.verify(password, _DUMMY_HASH)
        return False
    return _password_hash.verify(password, password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_api_key() -> tuple[str, str, str]:
    """Returns (full key shown once, public prefix stored in clear, digest of the secret)."""
    prefix = f"{API_KEY_PREFIX}_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    return f"{prefix}.{secret}", prefix, token_digest(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    prefix, sep, secret = key.partition(".")
    if not sep or not prefix.startswith(API_KEY_PREFIX + "_") or not secret:
        return None
    return prefix, secret
