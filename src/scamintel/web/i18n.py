"""The languages of the pages: message catalogs compiled in memory at start-up, and the choice
of language for one request (``?lang``, then the cookie, then ``Accept-Language``)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from gettext import GNUTranslations, NullTranslations
from importlib import resources
from importlib.resources.abc import Traversable

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT_LANGUAGE = "en"
# Each language named in its own script, so a reader finds theirs without reading English.
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "th": "ไทย",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
    "tl": "Filipino",
}
LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_NAMES)
# Tags browsers send for our languages under another name (Filipino is "fil" in CLDR,
# older systems say "in" for Indonesian and "zsm" for Standard Malay).
_TAG_ALIASES: Mapping[str, str] = {"fil": "tl", "in": "id", "zsm": "ms", "bur": "my"}
_MAX_ACCEPTED_TAGS = 20


def N_(message: str) -> str:  # noqa: N802 - the conventional name extraction looks for
    """Marks a message for extraction where it is defined; it is translated where shown."""
    return message


@dataclass(frozen=True, slots=True)
class Catalogs:
    """One compiled catalog per language; a message without a translation reads in English."""

    translations: Mapping[str, NullTranslations]

    def for_language(self, language: str) -> NullTranslations:
        return self.translations.get(language) or self.translations[DEFAULT_LANGUAGE]


def load_catalogs(locale_dir: Traversable | None = None) -> Catalogs:
    """Reads every ``<lang>/LC_MESSAGES/messages.po`` and compiles it in memory (no .mo files
    to build or commit). A language without a file falls back to English."""
    folder = locale_dir or resources.files("scamintel.web") / "locale"
    compiled: dict[str, NullTranslations] = {DEFAULT_LANGUAGE: NullTranslations()}
    for language in LANGUAGES:
        po_file = folder / language / "LC_MESSAGES" / "messages.po"
        if not po_file.is_file():
            continue
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=None, domain="messages")
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # skips empty and fuzzy entries: English shows instead
        buffer.seek(0)
        compiled[language] = GNUTranslations(buffer)
    return Catalogs(compiled)


def supported_language(code: str | None) -> str | None:
    """``code`` as one of our language codes, or None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    base = _TAG_ALIASES.get(base, base)
    return base if base in LANGUAGE_NAMES else None


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first (RFC 9110 quality values)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:_MAX_ACCEPTED_TAGS]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiated_language(header: str | None) -> str | None:
    """The language of ours the browser asks for first, if any."""
    preferred = [
        _TAG_ALIASES.get(tag.split("-")[0].lower(), tag) for tag in accepted_languages(header)
    ]
    chosen = negotiate_locale(preferred, list(LANGUAGES), sep="-")
    if chosen is not None:
        return supported_language(chosen)
    # negotiate_locale matches whole tags; "th-TH" or "my-MM" alone still mean Thai, Burmese.
    return next((code for tag in preferred if (code := supported_language(tag))), None)


def choose_language(
    query_value: str | None, cookie_value: str | None, accept_language: str | None
) -> tuple[str, bool]:
    """The page language and whether it was chosen now (so the cookie should remember it)."""
    from_query = supported_language(query_value)
    if from_query is not None:
        return from_query, True
    from_cookie = supported_language(cookie_value)
    if from_cookie is not None:
        return from_cookie, False
    return negotiated_language(accept_language) or DEFAULT_LANGUAGE, False
