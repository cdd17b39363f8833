"""The node's audit-signing key and signed heads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scamintel.governance.signing import (
    AuditSigner,
    HeadFormatError,
    KeyRing,
    SignedHead,
    parse_public_key,
    signature_problem,
    verify_signature,
)
from scamintel.settings import Settings

SECRET = "a-node-secret-key-long-enough-for-the-tests-0123456789"
NOW = datetime(2025, 1, 15, 3, 4, 5, 123456, tzinfo=UTC)


def head(signer: AuditSigner, size: int = 7) -> SignedHead:
    return signer.sign_head(
        node="th-tac", size=size, root_hash="ab" * 32, head_hash="cd" * 32, signed_at=NOW
    )


def test_every_worker_derives_the_same_key_from_the_secret() -> None:
    assert AuditSigner(SECRET).public == AuditSigner(SECRET).public
    assert AuditSigner(SECRET).key_id != AuditSigner(SECRET + "x").key_id
    assert len(AuditSigner(SECRET).key_id) == 64


def test_a_signed_head_verifies_and_survives_its_json_form() -> None:
    signer = AuditSigner(SECRET)
    signed = head(signer)
    assert verify_signature(signed, signer.public, "th-tac")
    again = SignedHead.from_json(json.loads(json.dumps(signed.to_json())))
    assert again == signed
    assert verify_signature(again, signer.public)


@pytest.mark.parametrize(
    ("field", "value"),
    [("size", 8), ("root_hash", "ac" * 32), ("head_hash", "ce" * 32), ("node", "mm-node")],
)
def test_a_changed_field_breaks_the_signature(field: str, value: object) -> None:
    signer = AuditSigner(SECRET)
    data = head(signer).to_json()
    data[field] = value
    changed = SignedHead.from_json(data)
    assert not verify_signature(changed, signer.public)


def test_another_nodes_key_or_name_is_named() -> None:
    signer = AuditSigner(SECRET)
    other = AuditSigner("another-secret-key-of-another-node-0123456789")
    assert "not this node's key" in (signature_problem(head(other), signer.public) or "")
    assert "names node" in (signature_problem(head(signer), signer.public, "other") or "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"size": 0}, "size must be"),
        ({"size": "7"}, "size must be"),
        ({"root_hash": "xyz"}, "root_hash must be 64"),
        ({"signed_at": "yesterday"}, "signed_at must be"),
        ({"signed_at": "2025-01-15T03:04:05"}, "UTC offset"),
        ({"signature": "***"}, "signature must be base64"),
    ],
)
def test_a_malformed_head_file_says_what_to_fix(change: dict[str, object], message: str) -> None:
    data = {**head(AuditSigner(SECRET)).to_json(), **change}
    with pytest.raises(HeadFormatError, match=message):
        SignedHead.from_json(data)


def test_a_head_without_fields_or_not_an_object_is_refused() -> None:
    with pytest.raises(HeadFormatError, match="lacks: signature"):
        SignedHead.from_json(
            {k: v for k, v in head(AuditSigner(SECRET)).to_json().items() if k != "signature"}
        )
    with pytest.raises(HeadFormatError, match="JSON object"):
        SignedHead.from_json([1, 2])


def test_a_retired_key_verifies_its_heads_and_an_unknown_key_is_refused() -> None:
    old = AuditSigner(SECRET + "-before-rotation")
    new = AuditSigner(SECRET)
    ring = new.key_ring([old.public.base64])
    assert ring == KeyRing(new.public, (old.public,))
    assert verify_signature(head(old), ring, "th-tac")
    assert verify_signature(head(new), ring, "th-tac")
    stranger = AuditSigner("a-stranger-secret-key-0123456789-0123456789")
    problem = signature_problem(head(stranger), ring) or ""
    assert "nor a retired key in SCAMINTEL_AUDIT_RETIRED_KEYS" in problem


@pytest.mark.parametrize(
    ("text", "message"), [("***", "not base64"), ("AAAA", "not an Ed25519 public key")]
)
def test_a_retired_key_that_is_not_a_key_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_public_key(text)
    with pytest.raises(ValueError, match="SCAMINTEL_AUDIT_RETIRED_KEYS"):
        Settings(audit_retired_keys=[text])
