"""AES-256-GCM for clinical free text and attachments at rest.

Each sealed value is `key_id (1 byte length + ascii) | nonce (12) | ciphertext+tag`, so a
value names the key that sealed it: keys rotate by adding a new current key while old
ones stay in the ring to open older values.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16


class KeyRingError(ValueError):
    pass


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, spec: str, current: str | None = None) -> KeyRing:
        """`kid1:base64key,kid2:base64key`; the current key is `current` or the last one."""
        keys: dict[str, bytes] = {}
        for entry in filter(None, (part.strip() for part in spec.split(","))):
            kid, _, encoded = entry.partition(":")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise KeyRingError(f"key {kid!r} is not base64") from exc
            if not kid or len(kid) > 40 or not kid.isascii() or len(key) != KEY_BYTES:
                raise KeyRingError(f"key {kid!r} must be a 1-40 char id and 32 bytes")
            keys[kid] = key
        if not keys:
            raise KeyRingError("no encryption keys configured")
        chosen = current or next(reversed(keys))
        if chosen not in keys:
            raise KeyRingError(f"current key {chosen!r} is not in the ring")
        return cls(chosen, keys)

    def seal(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        kid = self.current.encode()
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext, context)
        return bytes([len(kid)]) + kid + nonce + sealed

    def open(self, blob: bytes, *, context: bytes = b"") -> bytes:
        """The plaintext; `KeyRingError` for a malformed value or one sealed with a key not
        in the ring, `cryptography.exceptions.InvalidTag` for a tampered one."""
        kid = self.key_id_of(blob)
        body = blob[1 + len(kid) :]
        if len(body) < NONCE_BYTES + TAG_BYTES:
            raise KeyRingError("sealed value is truncated")
        key = self.keys.get(kid)
        if key is None:
            raise KeyRingError(f"value sealed with unknown key {kid!r}")
        return AESGCM(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], context)

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        if not blob or len(blob) < 1 + blob[0]:
            raise KeyRingError("sealed value is malformed")
        try:
            return blob[1 : 1 + blob[0]].decode("ascii")
        except UnicodeDecodeError as exc:
            raise KeyRingError("sealed value is malformed") from exc
