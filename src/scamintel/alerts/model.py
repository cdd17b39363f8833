"""Scam alerts as analysts write them: the rules an alert must meet, and publishing one.

Validation here is the only copy of the rules; the API's schemas and the CLI call it, so a
mistake gets the same message wherever it is made."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid4

from scamintel.classify.redflags import RULE_LANGUAGES
from scamintel.governance.audit import AuditEvent
from scamintel.reports.model import ScamType

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_AUTHOR = 200
# The countries are stored as one comma-separated column of 200 characters: "TH,MM,…".
MAX_COUNTRIES = 67
DEFAULT_FEED_SIZE = 50
MAX_FEED_SIZE = 200

#: The languages an alert may be written in: those the node's pages and explanations speak.
ALERT_LANGUAGES: tuple[str, ...] = RULE_LANGUAGES

# Every officially assigned ISO 3166-1 alpha-2 code.
_ISO_3166_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
ISO_COUNTRIES: frozenset[str] = frozenset(_ISO_3166_ALPHA_2.split())
COUNTRY_EXAMPLES = "TH, MM, KH, LA, VN, MY, SG, ID or PH"

Value = TypeVar("Value")
Cleaned = TypeVar("Cleaned")


@dataclass(frozen=True, slots=True)
class AlertProblem:
    field: str
    message: str


class InvalidAlertError(ValueError):
    """An alert (or a feed query) that breaks the rules; each problem names its field."""

    def __init__(self, problems: Iterable[AlertProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert that meets the rules, before it is published."""

    title: str
    body: str
    scam_type: ScamType
    countries: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Alert:
    id: UUID
    title: str
    body: str
    scam_type: ScamType
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    published_at: datetime
    author: str

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, as the API and ``scamintel alert --json`` show an alert."""
        return {
            "id": str(self.id),
            "title": self.title,
            "body": self.body,
            "scam_type": self.scam_type.value,
            "countries": list(self.countries),
            "languages": list(self.languages),
            "published_at": rfc3339(self.published_at),
            "author": self.author,
        }


def rfc3339(moment: datetime) -> str:
    """UTC with a ``Z``, as JSON Feed and Atom want dates."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """Which alerts a feed or a listing shows, newest first."""

    country: str | None = None
    language: str | None = None
    scam_type: ScamType | None = None
    limit: int = DEFAULT_FEED_SIZE


class AlertStore(Protocol):
    """What publishing needs from storage; the storage package provides it."""

    def add_alert(self, alert: Alert) -> None: ...

    def audit(self, event: AuditEvent) -> None: ...


def _first_character_xml_refuses(text: str) -> tuple[int, str] | None:
    # Feeds are XML as well as JSON, and XML 1.0 cannot carry most control characters,
    # lone surrogates or U+FFFE/U+FFFF at all, not even escaped.
    for position, character in enumerate(text):
        code = ord(character)
        if code < 0x20 and character not in "\t\n\r":
            return position, character
        if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            return position, character
    return None


def _refuse_unwritable_characters(text: str) -> None:
    found = _first_character_xml_refuses(text)
    if found is not None:
        position, character = found
        raise ValueError(
            f"contains the invisible character U+{ord(character):04X} at position {position}; "
            "remove it"
        )


def clean_title(title: str) -> str:
    """One line: runs of spaces and line breaks become one space."""
    _refuse_unwritable_characters(title)
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ValueError(
            "the title is empty: write a short headline, such as "
            "'Fake parcel SMS asks for a customs fee'"
        )
    if len(cleaned) > MAX_TITLE:
        raise ValueError(
            f"the title is {len(cleaned)} characters long; shorten it to at most {MAX_TITLE} "
            "and put the details in the body"
        )
    return cleaned


def clean_body(body: str) -> str:
    _refuse_unwritable_characters(body)
    cleaned = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise ValueError(
            "the body is empty: say what the scam looks like and what people should do"
        )
    if len(cleaned) > MAX_BODY:
        raise ValueError(
            f"the body is {len(cleaned):,} characters long; shorten it to at most {MAX_BODY:,}"
        )
    return cleaned


def parse_scam_type(value: str | ScamType) -> ScamType:
    try:
        return ScamType(value.strip().lower())
    except ValueError:
        raise ValueError(
            f"{value!r} is not a scam type: use one of " + ", ".join(ScamType)
        ) from None


def clean_country(code: str) -> str:
    cleaned = code.strip().upper()
    if cleaned not in ISO_COUNTRIES:
        raise ValueError(
            f"{code!r} is not an ISO 3166 alpha-2 country code: use codes such as "
            + COUNTRY_EXAMPLES
        )
    return cleaned


def clean_countries(codes: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased, each once, in the order given."""
    given = list(codes)
    unknown = [code for code in given if code.strip().upper() not in ISO_COUNTRIES]
    if len(unknown) == 1:
        raise ValueError(
            f"{unknown[0]!r} is not an ISO 3166 alpha-2 country code: use codes such as "
            + COUNTRY_EXAMPLES
        )
    if unknown:
        listed = ", ".join(repr(code) for code in unknown)
        raise ValueError(
            f"{listed} are not ISO 3166 alpha-2 country codes: use codes such as "
            + COUNTRY_EXAMPLES
        )
    cleaned = tuple(dict.fromkeys(code.strip().upper() for code in given))
    if not cleaned:
        raise ValueError(
            "name at least one country the alert is for (ISO 3166 alpha-2, such as TH)"
        )
    if len(cleaned) > MAX_COUNTRIES:
        raise ValueError(
            f"{len(cleaned)} countries are more than an alert can name ({MAX_COUNTRIES}); "
            "name the countries where the scam is seen"
        )
    return cleaned


def clean_language(code: str) -> str:
    cleaned = code.strip().lower()
    if cleaned not in ALERT_LANGUAGES:
        raise ValueError(
            f"{code!r} is not a language of this node: use one of " + " ".join(ALERT_LANGUAGES)
        )
    return cleaned


def clean_languages(codes: Iterable[str]) -> tuple[str, ...]:
    """Lower-cased, each once, in the order given."""
    given = list(codes)
    unknown = [code for code in given if code.strip().lower() not in ALERT_LANGUAGES]
    if unknown:
        listed = ", ".join(repr(code) for code in unknown)
        verb = "is not a language" if len(unknown) == 1 else "are not languages"
        raise ValueError(
            f"{listed} {verb} of this node: use ISO 639-1 codes among " + " ".join(ALERT_LANGUAGES)
        )
    cleaned = tuple(dict.fromkeys(code.strip().lower() for code in given))
    if not cleaned:
        raise ValueError(
            "name at least one language the alert is written in: one of "
            + " ".join(ALERT_LANGUAGES)
        )
    return cleaned


def clean_author(author: str) -> str:
    cleaned = " ".join(author.split())
    if not cleaned:
        raise ValueError("the author is empty: name the organisation that publishes the alert")
    if len(cleaned) > MAX_AUTHOR:
        raise ValueError(f"the author is longer than {MAX_AUTHOR} characters; shorten it")
    return cleaned


def _collect(
    problems: list[AlertProblem], field: str, clean: Callable[[Value], Cleaned], value: Value
) -> Cleaned | None:
    try:
        return clean(value)
    except ValueError as error:
        problems.append(AlertProblem(field, str(error)))
        return None


def draft_alert(
    *,
    title: str,
    body: str,
    scam_type: str | ScamType,
    countries: Iterable[str],
    languages: Iterable[str],
) -> AlertDraft:
    """The alert, cleaned; :class:`InvalidAlertError` lists every rule it breaks at once."""
    problems: list[AlertProblem] = []
    cleaned_title = _collect(problems, "title", clean_title, title)
    cleaned_body = _collect(problems, "body", clean_body, body)
    cleaned_type = _collect(problems, "scam_type", parse_scam_type, scam_type)
    cleaned_countries = _collect(problems, "countries", clean_countries, countries)
    cleaned_languages = _collect(problems, "languages", clean_languages, languages)
    if (
        problems
        or cleaned_title is None
        or cleaned_body is None
        or cleaned_type is None
        or cleaned_countries is None
        or cleaned_languages is None
    ):
        raise InvalidAlertError(problems)
    return AlertDraft(
        cleaned_title, cleaned_body, cleaned_type, cleaned_countries, cleaned_languages
    )


def alert_query(
    *,
    country: str | None = None,
    language: str | None = None,
    scam_type: str | ScamType | None = None,
    limit: int = DEFAULT_FEED_SIZE,
) -> AlertQuery:
    """What to show; :class:`InvalidAlertError` names every filter that cannot be used.
    The language filter's field is ``lang``, as the feeds' query string spells it."""
    problems: list[AlertProblem] = []
    chosen_country = (
        None if country is None else _collect(problems, "country", clean_country, country)
    )
    chosen_language = (
        None if language is None else _collect(problems, "lang", clean_language, language)
    )
    chosen_type = (
        None if scam_type is None else _collect(problems, "scam_type", parse_scam_type, scam_type)
    )
    if not 1 <= limit <= MAX_FEED_SIZE:
        problems.append(
            AlertProblem("limit", f"{limit} is out of range: ask for 1 to {MAX_FEED_SIZE} alerts")
        )
    if problems:
        raise InvalidAlertError(problems)
    return AlertQuery(chosen_country, chosen_language, chosen_type, limit)


def publish_alert(
    store: AlertStore,
    draft: AlertDraft,
    *,
    author: str,
    actor: str,
    now: datetime | None = None,
    alert_id: UUID | None = None,
) -> Alert:
    """Store the alert and write ``alert.publish`` to the audit log, in the caller's
    transaction. ``author`` is shown to the public; ``actor`` is who did it, for the audit.
    ``alert_id`` (derived from a form's one-time id) makes storing the same form twice fail."""
    try:
        shown_author = clean_author(author)
    except ValueError as error:
        raise InvalidAlertError([AlertProblem("author", str(error))]) from None
    alert = Alert(
        id=alert_id or uuid4(),
        title=draft.title,
        body=draft.body,
        scam_type=draft.scam_type,
        countries=draft.countries,
        languages=draft.languages,
        published_at=(now or datetime.now(UTC)).astimezone(UTC),
        author=shown_author,
    )
    store.add_alert(alert)
    store.audit(
        AuditEvent(
            actor=actor,
            action="alert.publish",
            object_type="alert",
            object_id=str(alert.id),
            details={
                "scam_type": alert.scam_type.value,
                "countries": list(alert.countries),
                "languages": list(alert.languages),
                "author": alert.author,
            },
        )
    )
    return alert
