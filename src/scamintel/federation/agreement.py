"""Sharing agreements: one file per partner (YAML or JSON) that says what may flow, and how.

The exporter asks an agreement what it may send (``allows_export``, ``blind``); the importer
asks its own agreement with the sender again (``refusal``) and refuses, with a reason, what the
agreement does not allow. The format is documented, with a commented example, in
docs/federation.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from scamintel.federation.markings import SCAMINTEL_NAMESPACE, Purpose, Tlp
from scamintel.indicators import Indicator, IndicatorType

MIN_BLIND_KEY_CHARS = 32
VictimData = Literal["never", "on_approved_request"]


class AgreementError(ValueError):
    """An agreement file that cannot be applied; the message says what to fix."""


class Agreement(BaseModel):
    """What this node and one partner node share, in both directions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partner: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1)
    types: frozenset[IndicatorType] = Field(min_length=1)
    markings: frozenset[Tlp] = Field(min_length=1)
    share_as: Tlp = Tlp.AMBER
    purposes: frozenset[Purpose] = Field(min_length=1)
    blind: frozenset[IndicatorType] = frozenset()
    blind_key: SecretStr | None = None
    victim_data: VictimData = "never"
    retention_days: int = Field(ge=1, le=3650)
    onward_sharing: bool = False
    push: bool = False
    legal_basis: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> Agreement:
        if self.share_as not in self.markings:
            raise ValueError(f"share_as {self.share_as.value!r} must be one of the markings")
        if not self.blind <= self.types:
            extra = ", ".join(sorted(t.value for t in self.blind - self.types))
            raise ValueError(f"blind types must also be in types (not in types: {extra})")
        if self.blind and self.blind_key is None:
            raise ValueError("blind types need a blind_key both nodes share")
        key = self.blind_key.get_secret_value() if self.blind_key else ""
        if self.blind_key is not None and len(key) < MIN_BLIND_KEY_CHARS:
            raise ValueError(f"blind_key must be at least {MIN_BLIND_KEY_CHARS} characters")
        return self

    @property
    def collection_id(self) -> str:
        """The TAXII collection that holds what this node shares with the partner."""
        return str(uuid.uuid5(SCAMINTEL_NAMESPACE, f"agreement\x00{self.partner}"))

    def allows_export(self, indicator_type: IndicatorType, purpose: Purpose) -> bool:
        return indicator_type in self.types and purpose in self.purposes

    def is_blind(self, indicator_type: IndicatorType) -> bool:
        return indicator_type in self.blind

    def selector(self, indicator: Indicator) -> str:
        """The keyed hash a partner matches instead of the raw value (HMAC-SHA256, hex)."""
        if self.blind_key is None:
            raise AgreementError(f"the agreement with {self.partner} has no blind_key")
        return blind_selector(self.blind_key.get_secret_value(), indicator)

    def refusal(
        self, indicator_type: IndicatorType, marking: Tlp, purpose: Purpose, *, blind: bool
    ) -> str | None:
        """Why the importer refuses an object of this kind, or None when it is allowed."""
        if indicator_type not in self.types:
            return f"type {indicator_type.value} is not in the agreement"
        if marking not in self.markings:
            return f"marking TLP:{marking.value.upper()} is not in the agreement"
        if purpose not in self.purposes:
            return f"purpose {purpose.value} is not in the agreement"
        if indicator_type in self.blind and not blind:
            return f"{indicator_type.value} values must arrive as blind selectors"
        return None

    def document(self) -> dict[str, Any]:
        """The agreement as stored and audited: canonical, without the blind key."""
        data = self.model_dump(mode="json", exclude={"blind_key"})
        for name in ("types", "markings", "purposes", "blind"):
            data[name] = sorted(data[name])
        data["has_blind_key"] = self.blind_key is not None
        data["blind_key_fingerprint"] = self.blind_key_fingerprint
        return data

    @property
    def blind_key_fingerprint(self) -> str | None:
        """A short digest of the blind key that the two operators compare to make sure their
        agreements hold the same key, without reading the key out."""
        if self.blind_key is None:
            return None
        material = b"scamintel blind key\x00" + self.blind_key.get_secret_value().encode()
        return hashlib.sha256(material).hexdigest()[:16]

    def fingerprint(self) -> str:
        """A digest of the whole agreement, blind key included, for the audit log."""
        key = self.blind_key.get_secret_value() if self.blind_key else ""
        text = json.dumps(self.document(), sort_keys=True) + "\x00" + key
        return hashlib.sha256(text.encode()).hexdigest()


def blind_selector(key: str, indicator: Indicator) -> str:
    """HMAC-SHA256 over ``type`` NUL ``canonical value`` with the agreement's key, hex."""
    message = f"{indicator.type.value}\x00{indicator.value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def parse_agreement(text: str, source: str = "agreement") -> Agreement:
    """The agreement in ``text`` (YAML, or JSON, which YAML reads too)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AgreementError(f"{source}: not valid YAML or JSON: {error}") from error
    if not isinstance(data, dict):
        raise AgreementError(f"{source}: must be a mapping of fields (partner, version, ...)")
    try:
        return Agreement.model_validate(data)
    except ValidationError as error:
        raise AgreementError(f"{source}: {_explain(error)}") from error


def _explain(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "agreement"
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def agreement_from_document(document: str, blind_key: str | None) -> Agreement:
    """An agreement as stored (its document and the unsealed key)."""
    data = json.loads(document)
    data.pop("has_blind_key", None)
    data.pop("blind_key_fingerprint", None)
    if blind_key is not None:
        data["blind_key"] = blind_key
    return Agreement.model_validate(data)
