"""Links and domains: refanged, normalised URLs and registrable domains (offline suffix list)."""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import idna
import tldextract

from scamintel.indicators._scan import FOUND_CACHE_SIZE
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)

_DEFANGED = re.compile(r" ?[\[({] ?(?:\.|dot) ?[\])}] ?|\[:\]|\[://\]|\[/\]", re.IGNORECASE)
_REFANGED = {"[:]": ":", "[://]": "://", "[/]": "/"}
_DEFANGED_SCHEMES = {"hxxp": "http", "hxxps": "https", "h**p": "http", "h**ps": "https"}


def _refanged(match: re.Match[str]) -> str:
    return _REFANGED.get(match.group(), ".")


def refang(value: str) -> str:
    """Undo the defanging analysts and victims use so links are not clickable: ``[.]``,
    ``(dot)``, ``[:]`` anywhere, and ``hxxp``/``h**p`` as the scheme at the start."""
    if "[" in value or "(" in value or "{" in value:
        value = _DEFANGED.sub(_refanged, value)
    if ";//" in value[:8]:
        value = value.replace(";//", "://", 1)
    scheme, colon, rest = value.partition(":")
    if colon and len(scheme) <= 5:
        fanged = _DEFANGED_SCHEMES.get(scheme.lower())
        if fanged is not None:
            value = f"{fanged}:{rest}"
    return value


class PublicSuffixes:
    """Registrable domains under the public suffix list bundled with tldextract: never the
    network. Private suffixes (github.io, pages.dev, blogspot.com) count, so a scam site on
    free hosting is its own registrable domain rather than the hosting platform's."""

    def __init__(self, extractor: tldextract.TLDExtract | None = None) -> None:
        self._extractor = extractor or tldextract.TLDExtract(
            suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
        )
        # The same hosts come back report after report; a lookup costs ~5 µs.
        self.split = lru_cache(maxsize=65_536)(self._split)

    def _split(self, host: str) -> tuple[str, str]:
        """(registrable domain, public suffix) of an ASCII host; "" for what it lacks."""
        result = self._extractor(host)
        if result.domain and result.suffix:
            return f"{result.domain}.{result.suffix}", result.suffix
        if result.is_private:
            # The host is itself a private suffix (github.io): registrable under the ICANN part.
            labels = result.suffix.split(".")
            wanted = result.registry_suffix.count(".") + 2
            if len(labels) >= wanted:
                return ".".join(labels[-wanted:]), result.suffix
        return "", result.suffix

    def registrable(self, host: str) -> str:
        return self.split(host)[0]

    def has_suffix(self, host: str) -> bool:
        return bool(self.split(host)[1])

    def unregistrable_reason(self, host: str) -> str:
        if self.has_suffix(host):
            return f"{host} is a public suffix, not a registrable domain"
        return f"{host} does not end in a known public suffix"


@cache
def offline_suffixes() -> PublicSuffixes:
    """One reader for all kinds: each TLDExtract loads and indexes the whole list (~0.1 s, 6 MB)."""
    return PublicSuffixes()


# Messenger profile links name an account, not a web page: the handle kind reads them, and
# the URL kind leaves them alone so detection and extraction agree. Invite and message links
# (t.me/+…, t.me/name/123) and LINE's opaque QR tokens are not accounts and stay URLs.
MESSENGER_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:"
    r"(?:t|telegram)\.me/(?P<telegram>[A-Za-z0-9_]{4,32})"
    r"|wa\.me/(?P<whatsapp>\+?[0-9]{6,15})"
    r"|line\.me/(?:R/)?ti/p/(?:~|%40|@)(?P<line>[A-Za-z0-9._-]{0,63}[A-Za-z0-9_-])"
    r")/?",
    re.IGNORECASE,
)

_SCHEME_AND_REST = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<authority>[^/?#\\]*)"
    r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#.*)?",
    re.DOTALL,
)
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# "name:" not followed by a port number: some other scheme (mailto:, javascript:, tel:).
_OTHER_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)")
_WHITESPACE = re.compile(r"\s")
_HOST_LABELS = re.compile(r"(?:[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?\.)*[a-z0-9_\-]{1,63}")
_PORT = re.compile(r"[0-9]{1,5}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class _Url:
    scheme: str
    userinfo: str
    host: str
    port: str
    path: str
    query: str

    def __str__(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.port}" if self.port else ""
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{userinfo}{self.host}{port}{self.path}{query}"


def _invalid_url(raw: str, reason: str) -> InvalidIndicatorError:
    return InvalidIndicatorError(raw, reason, IndicatorType.URL)


def _split_url(raw: str, value: str) -> _Url:
    """The parts of an absolute http(s) URL; a missing scheme is taken to be http."""
    if _HAS_SCHEME.match(value) is None:
        if _OTHER_SCHEME.match(value):
            raise _invalid_url(raw, "only http and https links are read")
        value = "http://" + value
    match = _SCHEME_AND_REST.fullmatch(value)
    if match is None:
        raise _invalid_url(raw, "it is not a link")
    scheme = match["scheme"].lower()
    if scheme not in _DEFAULT_PORTS:
        raise _invalid_url(raw, f"only http and https links are read, not {scheme}")
    userinfo, _, hostport = match["authority"].rpartition("@")
    host, port = _split_host_port(raw, hostport)
    return _Url(scheme, userinfo, host, port, match["path"] or "/", match["query"] or "")


def _split_host_port(raw: str, hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        host, bracket, port = hostport.partition("]")
        host += bracket
        port = port.removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
    if port and _PORT.fullmatch(port) is None:
        raise _invalid_url(raw, f"{port!r} is not a port number")
    if port and not 0 < int(port) < 65536:
        raise _invalid_url(raw, f"{port} is not a port number")
    return host, port


def _ip_host(host: str) -> str | None:
    """The compressed form of an IP address host (IPv6 in brackets), or None."""
    try:
        if host.startswith("[") and host.endswith("]"):
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        if host[-1:].isdigit():
            return str(ipaddress.IPv4Address(host))
    except ValueError:
        return None
    return None


def ascii_host_name(host: str) -> str | None:
    """Lowercase punycode form of a hostname, or None when it cannot be one."""
    host = host.lower().rstrip(".")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            # UTS46 refuses some names browsers still open (symbols, hyphen rules): IDNA 2003.
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
    return host if _HOST_LABELS.fullmatch(host) else None


class UrlKind:
    """http(s) links, refanged and normalised; the host must be an IP or a registrable name."""

    type = IndicatorType.URL

    def __init__(self, suffixes: PublicSuffixes | None = None) -> None:
        self._suffixes = suffixes or offline_suffixes()
        # The same links come back report after report.
        self._url_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_url)
        self._domain_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_domain)

    def _read_url(self, raw: str, region: str) -> Indicator | None:
        try:
            return self.canonicalise(raw, ParseContext(region))
        except InvalidIndicatorError:
            return None

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        value = refang(raw.strip())
        if _WHITESPACE.search(value):
            raise _invalid_url(raw, "a link has no spaces in it")
        url = _split_url(raw, value)
        host = self._host(raw, url.host)
        port = "" if url.port and int(url.port) == _DEFAULT_PORTS[url.scheme] else url.port
        canonical = _Url(url.scheme, url.userinfo, host, port, url.path, url.query)
        return Indicator(IndicatorType.URL, str(canonical))

    def _host(self, raw: str, host: str) -> str:
        if not host:
            raise _invalid_url(raw, "it has no host name")
        ip = _ip_host(host)
        if ip is not None:
            return ip
        ascii_host = ascii_host_name(host)
        if ascii_host is None:
            raise _invalid_url(raw, f"{host!r} is not a valid host name")
        if not self._suffixes.registrable(ascii_host):
            raise _invalid_url(raw, self._suffixes.unregistrable_reason(ascii_host))
        return ascii_host

    def looks_like(self, raw: str) -> bool:
        value = raw.strip()
        if _WHITESPACE.search(value) or MESSENGER_LINK.fullmatch(value):
            return False
        value = refang(value)
        lowered = value[:8].lower()
        if lowered.startswith(("http://", "https://", "www.")) or _HAS_SCHEME.match(value):
            # Any "scheme://": the URL kind explains which schemes it reads.
            return True
        host, slash, _ = value.partition("/")
        if not slash or "@" in host or "." not in host:
            return False
        ascii_host = ascii_host_name(host.partition(":")[0])
        return ascii_host is not None and bool(self._suffixes.registrable(ascii_host))

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        for start, end, beginning in _link_spans(text):
            if end - start > LONGEST_URL:
                found = self._domain_of_long_link(text, start, end, beginning)
                if found is not None:
                    yield found
                continue
            raw = _trim_trailing_punctuation(text[start:end])
            if MESSENGER_LINK.fullmatch(raw):
                continue
            indicator = self._url_in_text(raw, context.default_region)
            if indicator is None and (shorter := _without_glued_word(raw)):
                raw = shorter
                indicator = self._url_in_text(raw, context.default_region)
            if indicator is None:
                continue
            yield FoundIndicator(indicator, raw, start, start + len(raw))

    def _domain_of_long_link(
        self, text: str, start: int, end: int, beginning: re.Match[str]
    ) -> FoundIndicator | None:
        """A link too long to read, as the registrable domain of its host: the scheme and
        host as written (up to its path) are the finding's text."""
        host_end: int | None
        if beginning.lastindex == _BEGUN_BY_HOST:
            host_end = beginning.end() - 1  # the "/" after the host and port
        else:
            host_start = beginning.end() if beginning.lastindex == _BEGUN_BY_SCHEME else start
            limit = min(end, host_start + _LONGEST_AUTHORITY)
            host_end = _authority_end(text, host_start, limit)
        if host_end is None:
            return None
        raw = text[start:host_end]
        registrable = self._domain_in_text(raw)
        if not registrable:
            return None
        return FoundIndicator(Indicator(IndicatorType.DOMAIN, registrable), raw, start, host_end)

    def _read_domain(self, raw: str) -> str:
        """The registrable domain of the host of a link's beginning ("https://host:port"),
        "" where it has none (an IP address, a name not under a public suffix)."""
        try:
            host = _split_url(raw, refang(raw)).host
            if not host or _ip_host(host) is not None:
                return ""
            ascii_host = ascii_host_name(host)
        except InvalidIndicatorError:
            return ""
        return "" if ascii_host is None else self._suffixes.registrable(ascii_host)


# Links longer than this are not read in text: browsers and servers refuse longer ones. Such a
# link is read as the registrable domain of its host instead (see UrlKind.find).
LONGEST_URL = 4_096
# RFC 1035: 253 characters in dotted form; a defanged one ("[.]") is a little longer.
LONGEST_HOST_NAME = 400
# A host with user information and a port before it: longer ones are not read in a long link.
_LONGEST_AUTHORITY = 2 * LONGEST_HOST_NAME
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%{}]"
_HOST_IN_TEXT = r"(?:[A-Za-z0-9\-]+(?:\.|\[\.\]|\(\.\)|\[dot\]))+[A-Za-z][A-Za-z0-9\-]{1,62}"
# How a link in text begins: a scheme, "www." or a bare host with its first "/".
_SCHEME_IN_TEXT = r"(?<![A-Za-z0-9])h(?:tt|xx|\*\*)ps?(?::|\[:\]|;)//"
_WWW_IN_TEXT = r"(?<![A-Za-z0-9@/\-])www(?:\.|\[\.\])"
_BARE_HOST_IN_TEXT = r"(?<![A-Za-z0-9.@/_\-])" + _HOST_IN_TEXT + r"(?::[0-9]{1,5})?/"
# Text is scanned in ASCII only: Thai, Burmese and Khmer are written without spaces, so a link
# is often glued to the next word, and non-ASCII link text is too rare to be worth that risk.
_URL_CANDIDATE = re.compile(
    _SCHEME_IN_TEXT + _URL_CHARS + "+"
    "|" + _WWW_IN_TEXT + _URL_CHARS + "+"
    "|" + _BARE_HOST_IN_TEXT + _URL_CHARS + "*",
    re.IGNORECASE,
)
# _URL_CANDIDATE is a beginning (made of link characters only) and then the rest of the run of
# link characters it is in: it is found as a match of the beginning, then the end of the run.
# The groups say which alternative began the link.
_BEGUN_BY_SCHEME, _BEGUN_BY_WWW, _BEGUN_BY_HOST = 1, 2, 3
_NAMED_BEGINNING = f"({_SCHEME_IN_TEXT})(?={_URL_CHARS})|({_WWW_IN_TEXT})(?={_URL_CHARS})"
_URL_BEGINNING = re.compile(f"{_NAMED_BEGINNING}|({_BARE_HOST_IN_TEXT})", re.IGNORECASE)
_URL_NAMED_BEGINNING = re.compile(_NAMED_BEGINNING, re.IGNORECASE)
# The labels and separators a bare host's beginning reads from a place its look-behind allows:
# where that beginning fails, it fails from every later label of the chain too (the same
# last label ends them all), and those are the only places in the chain it could start at.
_LABEL_SEPARATOR = r"(?:\.|\[\.\]|\(\.\)|\[dot\])"
_BARE_HOST_CHAIN = re.compile(
    rf"(?<![A-Za-z0-9.@/_\-])(?:[A-Za-z0-9\-]++{_LABEL_SEPARATOR})*+[A-Za-z0-9\-]*+",
    re.IGNORECASE,
)
_URL_RUN = re.compile(_URL_CHARS + "*", re.IGNORECASE)
# Where the host of a link ends: its path, query or fragment (a defanged "[/]" too).
_AUTHORITY_ENDS = "/?#"


def _link_spans(text: str) -> Iterator[tuple[int, int, re.Match[str]]]:
    """(start, end, beginning) of each match of ``_URL_CANDIDATE``, as ``finditer`` gives
    them, however long. Each run of link characters is read to its end once: a start whose
    beginning does not match costs the beginning, one that does ends the run."""
    position = 0
    tried = -1
    chain_end = -1  # before it, no bare host begins a link
    for start in _url_starts(text):
        if start < position or start == tried:
            continue
        tried = start
        if start < chain_end:
            beginning = _URL_NAMED_BEGINNING.match(text, start)
        else:
            beginning = _URL_BEGINNING.match(text, start)
            if beginning is None and (chain := _BARE_HOST_CHAIN.match(text, start)) is not None:
                chain_end = chain.end()
        if beginning is None:
            continue
        run = _URL_RUN.match(text, beginning.end())
        position = run.end() if run is not None else beginning.end()
        yield start, position, beginning


def _authority_end(text: str, host_start: int, limit: int) -> int | None:
    """Where the host (with user information and port) starting at ``host_start`` ends,
    looking no further than ``limit``; None when it does not end before."""
    ends = [end for char in _AUTHORITY_ENDS if (end := text.find(char, host_start, limit)) >= 0]
    if not ends:
        return None
    end = min(ends)
    return end - 1 if end > host_start and text.startswith("[/]", end - 1) else end


# Where _URL_CANDIDATE may match: a scheme ends in "//" (or "[:]//") 5 to 8 characters after
# its "h"; "www" starts its alternative; a bare host runs up to its port or first "/". Host
# characters, ignoring case, include the four non-ASCII letters that fold to ASCII ones.
_DOUBLE_SLASH = "//"
# One pattern per case of the first "w": a literal first character is searched for in C.
_WWW = (re.compile(r"w(?=[wW][wW])"), re.compile(r"W(?=[wW][wW])"))
_HOST_CHARS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.[]():\u0130\u0131\u017f\u212a"
)
# Inside a run of host characters, a host can start after these: the look-behinds refuse
# letters, digits, dots and dashes before one.
_HOST_RUN = re.compile("[" + re.escape(_HOST_CHARS) + "]+")
_HOST_OPENERS = re.compile(r"[\[\]():]")


class _HostStarts:
    """Where a host ending at a position may start: at the start of the run of host
    characters before it, or after a bracket or colon inside that run (no further back than
    the longest host). Asked for positions in ascending order, it does its work in one pass
    over the text: a text that is one endless run must not be rescanned for each of them."""

    def __init__(self, text: str) -> None:
        self._runs = [(run.start(), run.end()) for run in _HOST_RUN.finditer(text)]
        self._run_starts = [start for start, _ in self._runs]
        self._openers = [opener.end() for opener in _HOST_OPENERS.finditer(text)]
        self._next_opener = 0

    def add(self, end: int, starts: list[int]) -> None:
        index = bisect_right(self._run_starts, end - 1) - 1
        run_start, run_end = self._runs[index] if index >= 0 else (end, end)
        run = run_start if run_end >= end else end
        starts.append(run)
        # After an opener at position p (opener end p + 1) and before end - 1.
        lowest = max(run + 1, end - LONGEST_HOST_NAME)
        openers = self._openers
        first = max(self._next_opener, bisect_left(openers, lowest))
        last = bisect_left(openers, end)
        starts.extend(openers[first:last])
        self._next_opener = max(self._next_opener, last)


# A run of host characters that a "/" ends: where a bare host before its path may be.
_HOST_RUN_BEFORE_SLASH = re.compile(
    "(?<![" + re.escape(_HOST_CHARS) + "])[" + re.escape(_HOST_CHARS) + "]++(?=/)"
)
_BEFORE_DOUBLE_SLASH = re.compile(f"(?={_DOUBLE_SLASH})")


def _url_starts(text: str) -> list[int]:
    """What :class:`_HostStarts` gives for every "/" (a host before its path), in one pass of
    the regular expression engine, and the places a scheme or "www" may start."""
    starts: list[int] = []
    if "/" in text:
        for run in _HOST_RUN_BEFORE_SLASH.finditer(text):
            run_start, end = run.span()
            starts.append(run_start)
            if end - run_start > 1:
                lowest = max(run_start, end - LONGEST_HOST_NAME - 1)
                starts.extend(
                    opener.end() for opener in _HOST_OPENERS.finditer(text, lowest, end - 1)
                )
        if _DOUBLE_SLASH in text:
            starts.extend(
                start
                for slashes in _BEFORE_DOUBLE_SLASH.finditer(text)
                for start in range(max(slashes.start() - 8, 0), max(slashes.start() - 4, 0))
            )
    for first, www in zip("wW", _WWW, strict=True):
        if first in text:
            starts.extend(match.start() for match in www.finditer(text))
    starts.sort()
    return starts


def _without_glued_word(candidate: str) -> str | None:
    """A host-only link with the next word glued on after a dot ("www.x.com.Terms"): the
    link without it, or None when there is nothing to cut."""
    scheme_end = candidate.find("//")
    host_start = scheme_end + 2 if 0 <= scheme_end < 9 else 0
    if "/" in candidate[host_start:]:
        return None
    cut = candidate.rfind(".")
    return candidate[:cut] if cut > host_start else None


_TRAILING = ".,;:!?'\""
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _trim_trailing_punctuation(candidate: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a link."""
    while candidate:
        last = candidate[-1]
        if last in _TRAILING or (
            last in _CLOSERS and candidate.count(last) > candidate.count(_CLOSERS[last])
        ):
            candidate = candidate[:-1]
        else:
            break
    return candidate


_HOSTNAME_LOOK_BEHIND = r"(?<![A-Za-z0-9.@_/:\-])"
_HOSTNAME_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_HOSTNAME_IN_TEXT = re.compile(
    _HOSTNAME_LOOK_BEHIND + rf"(?:{_HOSTNAME_LABEL}{_LABEL_SEPARATOR})+"
    r"[A-Za-z][A-Za-z0-9\-]{0,62}"
    r"(?![A-Za-z0-9_@\-\u00c0-\u024f\u1e00-\u1eff]|\.[A-Za-z0-9]|\[\.\])",
    re.IGNORECASE,
)
# The labels and separators _HOSTNAME_IN_TEXT reads from a place its look-behind allows, and
# the label after them: its match ends in this chain, and where it fails, it fails from every
# later label of the chain too (its ends are among theirs), and those are the only places in
# the chain it could start at.
_HOSTNAME_CHAIN = re.compile(
    _HOSTNAME_LOOK_BEHIND + rf"(?:{_HOSTNAME_LABEL}{_LABEL_SEPARATOR})*+[A-Za-z0-9\-]*+",
    re.IGNORECASE,
)


def _hostname_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of _HOSTNAME_IN_TEXT as ``finditer`` gives them, except in a chain of
    labels longer than the longest host name, where a match may start only in its last
    LONGEST_HOST_NAME characters. Each chain is read a bounded number of times."""
    position = 0
    skip_until = -1
    for start in _hostname_starts(text):
        if start < position or start < skip_until:
            continue
        chain = _HOSTNAME_CHAIN.match(text, start)
        if chain is None:
            continue
        if chain.end() - start > LONGEST_HOST_NAME:
            skip_until = chain.end() - LONGEST_HOST_NAME
            continue
        match = _HOSTNAME_IN_TEXT.match(text, start)
        if match is None:
            skip_until = chain.end()
            continue
        yield match
        position = match.end()


# Every host name has a separator followed by a letter (before its last label).
# (One pattern per separator's first character: a literal one is searched for in C.)
_LETTER = "[A-Za-z\u0130\u0131\u017f\u212a]"  # what [A-Za-z] matches, ignoring case
_LABEL_BREAKS = (
    (".", re.compile(rf"\.(?={_LETTER})")),
    ("[", re.compile(rf"\[(?=(?:\.|[dD][oO][tT])\]{_LETTER})")),
    ("(", re.compile(rf"\((?=\.\){_LETTER})")),
)


def _hostname_starts(text: str) -> list[int]:
    """Where _HOSTNAME_IN_TEXT may match: in the run of host characters before a separator."""
    separators = sorted(
        separator.start()
        for first, label_break in _LABEL_BREAKS
        if first in text
        for separator in label_break.finditer(text)
    )
    starts: list[int] = []
    if separators:
        host_starts = _HostStarts(text)
        for separator in separators:
            host_starts.add(separator, starts)
    starts.sort()
    return starts


# A name written without a scheme, "www." or a path is read as a domain when its top-level
# domain is a country code, three letters or one of these: the longer generic ones are
# mostly English words, and "by tomorrow.call 6744…" is a sentence missing its space.
_BARE_DOMAIN_LONG_TLDS = frozenset(
    [
        "info",
        "mobi",
        "asia",
        "name",
        "online",
        "site",
        "website",
        "store",
        "shop",
        "club",
        "live",
        "life",
        "link",
        "buzz",
        "space",
        "tech",
        "world",
        "today",
        "email",
        "click",
        "cyou",
        "rest",
        "host",
        "fund",
        "bond",
        "cash",
        "loan",
        "finance",
        "money",
    ]
)


def _may_be_bare_domain(registrable: str) -> bool:
    tld = registrable.rpartition(".")[2]
    return len(tld) <= 3 or tld in _BARE_DOMAIN_LONG_TLDS or tld.startswith("xn--")


class DomainKind:
    """Registrable domains (eTLD+1), lowercase punycode."""

    type = IndicatorType.DOMAIN

    def __init__(self, suffixes: PublicSuffixes | None = None) -> None:
        self._suffixes = suffixes or offline_suffixes()
        # The same hosts come back report after report.
        self._registrable_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_registrable)

    def _read_registrable(self, written: str) -> str:
        """The registrable domain of a host name as found in text, "" where it has none."""
        ascii_host = ascii_host_name(refang(written))
        return "" if ascii_host is None else self._suffixes.registrable(ascii_host)

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        host = self._host_of(raw, refang(raw.strip()))
        if _ip_host(host) is not None:
            raise self._invalid(raw, "an IP address has no registrable domain")
        ascii_host = ascii_host_name(host)
        if ascii_host is None:
            raise self._invalid(raw, f"{host!r} is not a valid host name")
        registrable = self._suffixes.registrable(ascii_host)
        if not registrable:
            raise self._invalid(raw, self._suffixes.unregistrable_reason(ascii_host))
        return Indicator(IndicatorType.DOMAIN, registrable)

    def _host_of(self, raw: str, value: str) -> str:
        # A whole link or an address given as a domain: its host is meant.
        if "/" in value or "@" in value:
            try:
                return _split_url(raw, value).host
            except InvalidIndicatorError as error:
                raise self._invalid(raw, error.reason) from None
        if _WHITESPACE.search(value):
            raise self._invalid(raw, "a domain has no spaces in it")
        return value.rpartition(":")[0] if value.count(":") == 1 else value

    @staticmethod
    def _invalid(raw: str, reason: str) -> InvalidIndicatorError:
        return InvalidIndicatorError(raw, reason, IndicatorType.DOMAIN)

    def looks_like(self, raw: str) -> bool:
        value = refang(raw.strip())
        if "." not in value or _WHITESPACE.search(value) or "/" in value or "@" in value:
            return False
        ascii_host = ascii_host_name(value)
        return ascii_host is not None and self._suffixes.has_suffix(ascii_host)

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        for match in _hostname_matches(text):
            registrable = self._registrable_in_text(match.group())
            if registrable and _may_be_bare_domain(registrable):
                indicator = Indicator(IndicatorType.DOMAIN, registrable)
                yield FoundIndicator(indicator, match.group(), match.start(), match.end())
