"""Password hashes: argon2id, its cost recorded in each hash."""

from __future__ import annotations

from pwdlib import PasswordHash

from core_api.security import hash_password, verify_password


async def test_a_hash_made_at_the_production_cost_verifies_here() -> None:
    """The suite hashes at argon2's lowest cost; a hash holds its own parameters, so the
    accounts a deployment made at the recommended cost still verify, and only them."""
    stored = PasswordHash.recommended().hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "m=65536" in stored
    assert await verify_password("correct horse battery", stored)
    assert not await verify_password("wrong horse battery", stored)


async def test_hashes_are_argon2id_and_salted() -> None:
    first, second = await hash_password("same password"), await hash_password("same password")
    assert first.startswith("$argon2id$")
    assert first != second
    assert await verify_password("same password", first)
    assert not await verify_password("same password", None)
