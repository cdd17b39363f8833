"""Messaging and social accounts: ``<platform>:<id>``, e.g. ``line:scam_boss``,
``whatsapp:+66812345678``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from scamintel.indicators._scan import FOUND_CACHE_SIZE, NameScan, matches_at, views
from scamintel.indicators.financial import _NAME_NOISE, name_key, names_alternation
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.phone import PhoneKind, to_ascii_digits
from scamintel.indicators.web import MESSENGER_LINK, refang

PLATFORMS: Final[dict[str, tuple[str, ...]]] = {
    "line": ("LINE ID", "ไลน์"),
    "telegram": ("tg", "tele", "เทเลแกรม"),
    "whatsapp": ("WhatsApp", "wa"),
    "facebook": ("fb", "เฟซบุ๊ก", "เฟสบุ๊ค", "เฟสบุ๊ก"),
    "wechat": ("weixin", "微信"),
    "signal": (),
    "viber": (),
    "zalo": (),
    "instagram": ("ig", "insta"),
    "tiktok": ("tik tok",),
    # BlackBerry Messenger PINs: gone since 2019, still in the region's older scam SMS.
    "bbm": ("BlackBerry Messenger", "PIN BBM", "PIN BB", "BB PIN", "BB"),
}
_PLATFORM_INDEX: Final = {
    name_key(name): platform
    for platform, aliases in PLATFORMS.items()
    for name in (platform, *aliases)
}
# Usernames there are case-insensitive, so "Scam_Boss" and "scam_boss" are one account.
_CASE_INSENSITIVE = frozenset({"line", "telegram", "instagram", "tiktok", "facebook"})
# Accounts that are phone numbers (WhatsApp always; the others when a number is given).
_PHONE_PLATFORMS = frozenset({"whatsapp", "signal", "viber", "zalo"})

_ID = r"[A-Za-z0-9_~](?:[A-Za-z0-9._\-]{0,62}[A-Za-z0-9_])?"
_PHONE_ID = r"\+?\d(?:[ \-.()]{0,2}\d){5,19}"
_ALL_PLATFORM_NAMES = [name for p, aliases in PLATFORMS.items() for name in (p, *aliases)]
_PLATFORM_NAMES = names_alternation(_ALL_PLATFORM_NAMES)
_PLATFORM_NAME_SCAN = NameScan(_ALL_PLATFORM_NAMES, _NAME_NOISE)
_ID_WORD = r"(?:\s*(?:id|ไอดี)(?![A-Za-z]))?"
# "Viber at 0962…", "WA ke 0812…", "Viber sa 0917…": a word between the app and the number.
_CONNECTOR = r"(?:(?:at|on|sa|ke|di|to|kami|saya|ku|me)\s+(?=\+?\d))?"
_NAMED = re.compile(
    rf"(?P<platform>{_PLATFORM_NAMES})(?P<sep>{_ID_WORD}\s*(?:[:：\-]\s*|\s+|(?=@)){_CONNECTOR})"
    r"(?P<id>\S.*)",
    re.IGNORECASE,
)
_NAMED_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])(?P<platform>{_PLATFORM_NAMES})(?P<sep>{_ID_WORD}\s*[:：\-]?\s*{_CONNECTOR})"
    # "แอดไลน์ LINE ID: @x": a platform's name is never the id of the one named before it.
    rf"(?P<at>@)?(?!(?:{_PLATFORM_NAMES})(?![A-Za-z0-9_]))(?P<id>{_PHONE_ID}|{_ID})"
    r"(?![A-Za-z0-9_@])",
    re.IGNORECASE,
)
_LINK_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9./@_\-])" + MESSENGER_LINK.pattern + r"(?![A-Za-z0-9_%/?#=&\-])",
    re.IGNORECASE,
)
# Profile links of the social platforms, read when a value is given as a handle.
_PROFILE_LINK = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:"
    r"(?:facebook|fb)\.com/(?P<facebook>[A-Za-z0-9.]{5,50})"
    r"|instagram\.com/(?P<instagram>[A-Za-z0-9._]{1,30})"
    r"|tiktok\.com/@(?P<tiktok>[A-Za-z0-9._]{2,24})"
    r")/?",
    re.IGNORECASE,
)
# Where _LINK_IN_TEXT may match: every profile link has ".me/" after its platform ("t",
# "telegram", "wa" or "line"), maybe after "www." and a scheme.
_DOT_ME = re.compile(r"\.[mM][eE]/")
_BEFORE_DOT_ME = sorted(
    {platform + www + scheme for platform in (1, 2, 4, 8) for www in (0, 4) for scheme in (0, 7, 8)}
)


def _link_starts(text: str) -> list[int]:
    if "/" not in text:
        return []
    starts = [
        dot.start() - before
        for dot in _DOT_ME.finditer(text)
        for before in _BEFORE_DOT_ME
        if before <= dot.start()
    ]
    starts.sort()
    return starts


_USERNAME = re.compile(r"[A-Za-z0-9._\-]{1,64}")
_BBM_PIN = re.compile(r"[0-9A-Fa-f]{8}")
_TELEGRAM_USERNAME = re.compile(r"[A-Za-z0-9_]{4,32}")
_PHONE_SHAPED = re.compile(r"\+?[\d\s\-.()]{6,30}")
_PHONE_NOISE = re.compile(r"[\s\-.()]")
_NO_SPACE = re.compile(r"\S+")


def _invalid(raw: str, reason: str) -> InvalidIndicatorError:
    return InvalidIndicatorError(raw, reason, IndicatorType.HANDLE)


def _link_account(match: re.Match[str]) -> tuple[str, str]:
    platform, ident = next((name, value) for name, value in match.groupdict().items() if value)
    # wa.me links carry the full international number without its plus.
    if platform == "whatsapp" and not ident.startswith("+"):
        ident = "+" + ident
    return platform, ident


def _link(value: str) -> tuple[str, str] | None:
    """(platform, id) when the whole value is an account's profile link."""
    for pattern in (MESSENGER_LINK, _PROFILE_LINK):
        match = pattern.fullmatch(value)
        if match is not None:
            return _link_account(match)
    return None


def _names_the_account(platform: str, separator: str, ident: str) -> bool:
    """Whether "<platform> <id>" is meant as an account: "line 2" or "signal strength" in a
    sentence is not, so a Latin-script platform name needs "ID", a colon or an @ first."""
    if not platform.isascii() or ident.startswith("@"):
        return True
    platform_code = _PLATFORM_INDEX[name_key(platform)]
    if platform_code == "bbm":
        return _BBM_PIN.fullmatch(ident) is not None
    if platform_code in _PHONE_PLATFORMS and _PHONE_SHAPED.fullmatch(ident):
        # "WhatsApp 0812…": these apps' accounts are phone numbers, so the number is one.
        return True
    separator = separator.lower()
    return ":" in separator or "：" in separator or "id" in separator or "ไอดี" in separator


class HandleKind:
    """Accounts on messaging and social platforms; the platform must be named."""

    type = IndicatorType.HANDLE

    def __init__(self) -> None:
        self._phones = PhoneKind()
        # The same accounts come back report after report.
        self._handle_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_handle)

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        value = refang(raw.strip())
        link = _link(value)
        if link is not None:
            return self._handle(raw, link[0], link[1], context)
        named = _NAMED.fullmatch(value)
        if named is not None:
            platform = _PLATFORM_INDEX[name_key(named["platform"])]
            return self._handle(raw, platform, named["id"], context)
        if value.startswith("@"):
            raise _invalid(raw, "an @name alone does not say which platform it is on")
        raise _invalid(raw, "name the platform, e.g. line:scam_boss or telegram:@scam_boss")

    def _handle(self, raw: str, platform: str, ident: str, context: ParseContext) -> Indicator:
        ident = to_ascii_digits(ident.strip()).lstrip("@~")
        if not ident:
            raise _invalid(raw, f"no {platform} account is given")
        if platform in _PHONE_PLATFORMS and _PHONE_SHAPED.fullmatch(ident):
            phone = self._phone(raw, ident, context)
            return Indicator(IndicatorType.HANDLE, f"{platform}:{phone.value}", phone.country)
        if platform == "whatsapp":
            raise _invalid(raw, "a WhatsApp account is a phone number")
        if _PHONE_SHAPED.fullmatch(ident):
            # A LINE or Telegram account looked up by phone number, written with spaces.
            ident = _PHONE_NOISE.sub("", ident)
        self._check_username(raw, platform, ident)
        if platform in _CASE_INSENSITIVE:
            ident = ident.lower()
        elif platform == "bbm":
            ident = ident.upper()
        return Indicator(IndicatorType.HANDLE, f"{platform}:{ident}")

    def _phone(self, raw: str, ident: str, context: ParseContext) -> Indicator:
        try:
            return self._phones.canonicalise(ident, context)
        except InvalidIndicatorError as error:
            raise _invalid(
                raw, f"the account's phone number is not valid: {error.reason}"
            ) from None

    @staticmethod
    def _check_username(raw: str, platform: str, ident: str) -> None:
        pattern = {"telegram": _TELEGRAM_USERNAME, "bbm": _BBM_PIN}.get(platform, _USERNAME)
        if pattern.fullmatch(ident.lstrip("+")) is None:
            raise _invalid(raw, f"{ident!r} is not a valid {platform} account name")

    def looks_like(self, raw: str) -> bool:
        value = raw.strip()
        if _link(value) is not None:
            return True
        named = _NAMED.fullmatch(value)
        if named is None or not _names_the_account(named["platform"], named["sep"], named["id"]):
            return False
        ident = named["id"].strip()
        return _NO_SPACE.fullmatch(ident) is not None or _PHONE_SHAPED.fullmatch(ident) is not None

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        yield from self._find_links(text, context)
        yield from self._find_named(text, context)

    def _find_links(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        for match in matches_at(_LINK_IN_TEXT, text, _link_starts(text)):
            platform, ident = _link_account(match)
            yield from self._found(text, match, platform, ident, context)

    def _find_named(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        seen = views(text)
        if seen.plain_case:
            starts = _PLATFORM_NAME_SCAN.starts(seen)
            matches = matches_at(_NAMED_IN_TEXT, seen.mapped, starts)
        else:
            matches = _NAMED_IN_TEXT.finditer(seen.mapped)
        for match in matches:
            ident = (match["at"] or "") + match["id"]
            if not _names_the_account(match["platform"], match["sep"], ident):
                continue
            platform = _PLATFORM_INDEX[name_key(match["platform"])]
            yield from self._found(text, match, platform, ident, context)

    def _found(
        self, text: str, match: re.Match[str], platform: str, ident: str, context: ParseContext
    ) -> Iterator[FoundIndicator]:
        indicator = self._handle_in_text(platform, ident, context.default_region)
        if indicator is not None:
            start, end = match.span()
            yield FoundIndicator(indicator, text[start:end], start, end)

    def _read_handle(self, platform: str, ident: str, region: str) -> Indicator | None:
        try:
            return self._handle(ident, platform, ident, ParseContext(region))
        except InvalidIndicatorError:
            return None
