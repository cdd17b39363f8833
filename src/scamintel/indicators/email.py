"""E-mail addresses: lowercased, domain in punycode, domain under a known public suffix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from scamintel.indicators._scan import FOUND_CACHE_SIZE, matches_at
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.web import PublicSuffixes, ascii_host_name, offline_suffixes, refang

_DEFANGED_AT = re.compile(r"\s*[\[({]\s*at\s*[\])}]\s*", re.IGNORECASE)
_EMAIL_SHAPE = re.compile(r"[^\s@/]+@[^\s@/]+\.[^\s@/]+")
# RFC 5322 atext and dots, plus any non-ASCII letter (RFC 6531 addresses). Quoted local parts
# are legal but no scam report has ever needed one.
_LOCAL_PART = re.compile(r"[\w!#$%&'*+/=?^`{|}~\-]+(?:\.[\w!#$%&'*+/=?^`{|}~\-]+)*")
_MAX_LOCAL_LENGTH = 64

_EMAIL_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+"
    r"(?:@|\s?[\[({]\s?at\s?[\])}]\s?)"
    r"(?:[A-Za-z0-9\-]+(?:\.|\s?[\[({]\s?(?:\.|dot)\s?[\])}]\s?))+[A-Za-z][A-Za-z0-9\-]+",
    re.IGNORECASE,
)


# Where _EMAIL_IN_TEXT may match: at the start of the run of local-part characters (with,
# ignoring case, the four non-ASCII letters that fold to ASCII ones) that ends at an "@" or,
# maybe after one space, at a bracketed "at"; the run may be empty. A run is matched only from
# its first character (the look-behind), and never given back (possessive), so one pass over
# the text finds them all.
_LOCAL_CHARS = re.escape(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-\u0130\u0131\u017f\u212a"
)
_EMAIL_START = re.compile(rf"(?<![{_LOCAL_CHARS}])[{_LOCAL_CHARS}]*+(?=@|\s?[\[({{]\s?[aA][tT])")


def _email_starts(text: str) -> list[int]:
    if "@" not in text and "[" not in text and "(" not in text and "{" not in text:
        return []
    return [start.start() for start in _EMAIL_START.finditer(text)]


def _refang_email(value: str) -> str:
    if "[" in value or "(" in value or "{" in value:
        value = _DEFANGED_AT.sub("@", value)
    return refang(value)


class EmailKind:
    """E-mail addresses."""

    type = IndicatorType.EMAIL

    def __init__(self, suffixes: PublicSuffixes | None = None) -> None:
        self._suffixes = suffixes or offline_suffixes()
        # The same addresses come back report after report.
        self._email_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_email)

    def _read_email(self, raw: str, region: str) -> Indicator | None:
        try:
            return self.canonicalise(raw, ParseContext(region))
        except InvalidIndicatorError:
            return None

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        value = _refang_email(raw.strip()).lower()
        if value.count("@") != 1:
            raise self._invalid(raw, "an e-mail address has exactly one @")
        local, _, domain = value.partition("@")
        self._check_local_part(raw, local)
        return Indicator(IndicatorType.EMAIL, f"{local}@{self._domain(raw, domain)}")

    def _check_local_part(self, raw: str, local: str) -> None:
        if not local:
            raise self._invalid(raw, "nothing is written before the @")
        if len(local) > _MAX_LOCAL_LENGTH:
            raise self._invalid(raw, "the part before the @ is longer than 64 characters")
        if _LOCAL_PART.fullmatch(local) is None:
            raise self._invalid(raw, "the part before the @ has characters or dots out of place")

    def _domain(self, raw: str, domain: str) -> str:
        host = ascii_host_name(domain) if domain else None
        if host is None:
            raise self._invalid(raw, f"{domain!r} after the @ is not a domain name")
        if not self._suffixes.registrable(host):
            raise self._invalid(raw, self._suffixes.unregistrable_reason(host))
        return host

    @staticmethod
    def _invalid(raw: str, reason: str) -> InvalidIndicatorError:
        return InvalidIndicatorError(raw, reason, IndicatorType.EMAIL)

    def looks_like(self, raw: str) -> bool:
        value = raw.strip()
        if "://" in value:
            return False
        return _EMAIL_SHAPE.fullmatch(_refang_email(value)) is not None

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        for match in matches_at(_EMAIL_IN_TEXT, text, _email_starts(text)):
            indicator = self._email_in_text(match.group(), context.default_region)
            if indicator is None:
                continue
            yield FoundIndicator(indicator, match.group(), match.start(), match.end())
