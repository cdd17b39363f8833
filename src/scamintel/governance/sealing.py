"""Victim personal data is sealed (authenticated encryption, AES-256-GCM) with a key derived
from the node's secret, so a copy of the database alone does not reveal who reported what."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
# Binds each sealed value to its purpose, so it cannot be replayed as another kind of field.
ASSOCIATED_DATA = b"scamintel/reporter-contact"


class UnsealError(ValueError):
    pass


class PersonalDataSealer:
    def __init__(self, secret_key: str) -> None:
        key = hashlib.sha256(b"scamintel/personal-data/v1\x00" + secret_key.encode()).digest()
        self._cipher = AESGCM(key)

    def seal(self, data: dict[str, Any]) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        plaintext = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return FORMAT_VERSION + nonce + self._cipher.encrypt(nonce, plaintext, ASSOCIATED_DATA)

    def unseal(self, sealed: bytes) -> dict[str, Any]:
        if sealed[:1] != FORMAT_VERSION:
            raise UnsealError("sealed personal data has an unknown format version")
        nonce = sealed[1 : 1 + NONCE_BYTES]
        try:
            plaintext = self._cipher.decrypt(nonce, sealed[1 + NONCE_BYTES :], ASSOCIATED_DATA)
        except InvalidTag:
            raise UnsealError(
                "sealed personal data cannot be opened: wrong SCAMINTEL_SECRET_KEY or altered data"
            ) from None
        opened: dict[str, Any] = json.loads(plaintext)
        return opened
