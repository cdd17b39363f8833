"""The words the analyst pages show for the product's codes, marked for translation and
translated where shown: ``{{ _(name_of(vocabulary.request_kinds, item.kind)) }}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scamintel.cases.requests import Outcome, RequestKind, RequestStatus
from scamintel.federation.markings import Purpose
from scamintel.indicators import IndicatorType
from scamintel.reports.model import Channel
from scamintel.web.i18n import N_
from scamintel.web.vocabulary import CHANNEL_NAMES, INDICATOR_TYPE_NAMES

REQUEST_KIND_NAMES: Mapping[RequestKind, str] = {
    RequestKind.IDENTIFY_SUBSCRIBER: N_("Identify the subscriber"),
    RequestKind.FREEZE_ACCOUNT: N_("Freeze the account"),
    RequestKind.SUSPEND_NUMBER: N_("Suspend the number"),
    RequestKind.TAKE_DOWN_DOMAIN: N_("Take the site down"),
    RequestKind.PRESERVE_DATA: N_("Preserve the data"),
    RequestKind.SHARE_RAW_VALUE: N_("Share the full value"),
}
REQUEST_STATUS_NAMES: Mapping[RequestStatus, str] = {
    RequestStatus.SENT: N_("Sent"),
    RequestStatus.RECEIVED: N_("Received"),
    RequestStatus.ACCEPTED: N_("Accepted"),
    RequestStatus.REJECTED: N_("Rejected"),
    RequestStatus.IN_PROGRESS: N_("In progress"),
    RequestStatus.FULFILLED: N_("Fulfilled"),
}
OUTCOME_NAMES: Mapping[Outcome, str] = {
    Outcome.FROZEN: N_("frozen"),
    Outcome.BLOCKED: N_("blocked"),
    Outcome.TAKEN_DOWN: N_("taken down"),
    Outcome.FALSE_POSITIVE: N_("not a scam after all"),
}
PURPOSE_NAMES: Mapping[Purpose, str] = {
    Purpose.PREVENTION: N_("Prevention"),
    Purpose.INVESTIGATION: N_("Investigation"),
}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every name map the analyst templates use, in one context variable."""

    indicator_types: Mapping[IndicatorType, str]
    channels: Mapping[Channel, str]
    request_kinds: Mapping[RequestKind, str]
    request_statuses: Mapping[RequestStatus, str]
    outcomes: Mapping[Outcome, str]
    purposes: Mapping[Purpose, str]


VOCABULARY = Vocabulary(
    indicator_types=INDICATOR_TYPE_NAMES,
    channels=CHANNEL_NAMES,
    request_kinds=REQUEST_KIND_NAMES,
    request_statuses=REQUEST_STATUS_NAMES,
    outcomes=OUTCOME_NAMES,
    purposes=PURPOSE_NAMES,
)


def name_of(names: Mapping[Any, str], code: StrEnum | str) -> str:
    """The untranslated name of ``code`` (an enum member or its text); an unknown code is
    shown as it is rather than hidden."""
    for member, name in names.items():
        if member == code:
            return name
    return str(code)


def names_of(names: Mapping[Any, str], codes: Iterable[StrEnum | str]) -> list[str]:
    """The names of several codes, in the order of the map (a stable order to read)."""
    wanted = {str(code) for code in codes}
    return [name for member, name in names.items() if str(member) in wanted]
