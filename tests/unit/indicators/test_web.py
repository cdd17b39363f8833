"""Links and domains: refanging, URL normalisation, registrable domains (offline), extraction."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.indicators import web
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.web import LONGEST_URL, DomainKind, PublicSuffixes, UrlKind, refang

THAILAND = ParseContext("TH")


@pytest.fixture(scope="module")
def url_kind() -> UrlKind:
    return UrlKind()


@pytest.fixture(scope="module")
def domain_kind() -> DomainKind:
    return DomainKind()


@pytest.mark.parametrize(
    ("defanged", "refanged"),
    [
        ("hxxps://kbank-secure[.]com/login", "https://kbank-secure.com/login"),
        ("hXXp://evil(.)com", "http://evil.com"),
        ("hxxp[:]//evil[dot]com/a", "http://evil.com/a"),
        ("h**ps://evil{.}co[.]th", "https://evil.co.th"),
        ("scam (dot) example (dot) com", "scam.example.com"),
        ("https://plain.example.com/", "https://plain.example.com/"),
    ],
)
def test_refang_undoes_common_defanging(defanged: str, refanged: str) -> None:
    assert refang(defanged) == refanged


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("hxxps://kbank-secure[.]com/login", "https://kbank-secure.com/login"),
        ("bit.ly/abc", "http://bit.ly/abc"),
        ("www.x.com/path", "http://www.x.com/path"),
        ("www.kbank.com", "http://www.kbank.com/"),
        ("HTTPS://WWW.KBank.COM/Login?Ref=AbC", "https://www.kbank.com/Login?Ref=AbC"),
        ("http://kbank.com", "http://kbank.com/"),
        ("https://kbank.com/a#section-2", "https://kbank.com/a"),
        ("kbank.com.:8080/a", "http://kbank.com:8080/a"),
    ],
)
def test_url_is_refanged_and_normalised(url_kind: UrlKind, raw: str, canonical: str) -> None:
    indicator = url_kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.URL
    assert indicator.value == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("http://kbank.com:80/x", "http://kbank.com/x"),
        ("https://kbank.com:443/x", "https://kbank.com/x"),
        ("https://kbank.com:80/x", "https://kbank.com:80/x"),
        ("http://kbank.com:8443/x", "http://kbank.com:8443/x"),
    ],
)
def test_only_the_schemes_default_port_is_dropped(
    url_kind: UrlKind, raw: str, canonical: str
) -> None:
    assert url_kind.canonicalise(raw, THAILAND).value == canonical


def test_path_and_query_keep_their_case_and_encoding(url_kind: UrlKind) -> None:
    raw = "https://Scam.example.com/Pay/%E0%B8%81?Token=XyZ&b=1"

    assert url_kind.canonicalise(raw, THAILAND).value == (
        "https://scam.example.com/Pay/%E0%B8%81?Token=XyZ&b=1"
    )


def test_internationalised_host_becomes_punycode(url_kind: UrlKind) -> None:
    indicator = url_kind.canonicalise("https://กสิกร.com/login", THAILAND)

    assert indicator.value == "https://xn--12ca6h0a4c.com/login"


def test_host_refused_by_uts46_falls_back_to_idna_2003(url_kind: UrlKind) -> None:
    assert url_kind.canonicalise("http://☃.net/", THAILAND).value == "http://xn--n3h.net/"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("http://203.0.113.7:8080/a", "http://203.0.113.7:8080/a"),
        ("http://[2001:db8:0:0::1]/", "http://[2001:db8::1]/"),
    ],
)
def test_ip_hosts_are_accepted_in_compressed_form(
    url_kind: UrlKind, raw: str, canonical: str
) -> None:
    assert url_kind.canonicalise(raw, THAILAND).value == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ftp://kbank.com/file", "only http and https"),
        ("mailto:scam@kbank.com", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http://localhost/admin", "does not end in a known public suffix"),
        ("http://kbank.notatld/", "does not end in a known public suffix"),
        ("http://co.th/", "is a public suffix, not a registrable domain"),
        ("http://kbank.com:99999/", "not a port number"),
        ("http://kbank .com/", "no spaces"),
        ("http:///path", "no host name"),
    ],
)
def test_url_rejections_say_why(url_kind: UrlKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        url_kind.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.URL


@pytest.mark.parametrize(
    "raw",
    ["https://kbank.com", "hxxps://kbank[.]com/x", "www.kbank.com", "bit.ly/abc", "HTTP://X.COM"],
)
def test_url_looks_like_scheme_www_or_host_with_path(url_kind: UrlKind, raw: str) -> None:
    assert url_kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "kbank.com",
        "scam@kbank.com",
        "081-234-5678",
        "t.me/scam_boss",
        "https://wa.me/66812345678",
        "report.notatld/x",
        "https://kbank.com/a b",
    ],
)
def test_url_looks_like_leaves_domains_emails_phones_and_profiles(
    url_kind: UrlKind, raw: str
) -> None:
    assert not url_kind.looks_like(raw)


def test_url_find_reads_defanged_link_in_thai_text(url_kind: UrlKind) -> None:
    text = "คลิก hxxps://kbank-secure[.]com/login ด่วน"

    [found] = url_kind.find(text, THAILAND)

    assert found.raw == "hxxps://kbank-secure[.]com/login"
    assert (found.start, found.end) == (5, 37)
    assert found.indicator.value == "https://kbank-secure.com/login"


def test_url_find_trims_sentence_punctuation_and_unbalanced_brackets(url_kind: UrlKind) -> None:
    text = "See (https://x.com/a_(b)), then www.kbank.com. Or bit.ly/abc!"

    found = [item.raw for item in url_kind.find(text, THAILAND)]

    assert found == ["https://x.com/a_(b)", "www.kbank.com", "bit.ly/abc"]


def test_url_find_leaves_messenger_profile_links_to_the_handle_kind(url_kind: UrlKind) -> None:
    text = "https://t.me/scam_boss and https://t.me/scam_boss/12"

    assert [item.raw for item in url_kind.find(text, THAILAND)] == ["https://t.me/scam_boss/12"]


def test_url_find_reads_a_link_as_long_as_the_bound(url_kind: UrlKind) -> None:
    link = "https://kbank-secure.com/login?t="
    link += "x" * (LONGEST_URL - len(link))

    [found] = url_kind.find(f"คลิก {link} ด่วน", THAILAND)

    assert found.indicator.type is IndicatorType.URL
    assert found.indicator.value == link
    assert (found.start, found.end) == (5, 5 + LONGEST_URL)


@pytest.mark.parametrize(
    ("beginning", "host"),
    [
        ("https://kbank-secure.com", "kbank-secure.com"),
        ("hxxps://kbank-secure[.]com", "kbank-secure.com"),
        ("http://user@login.kbank-secure.co.th:8443", "kbank-secure.co.th"),
        ("www.kbank-secure.com", "kbank-secure.com"),
        ("kbank-secure.com", "kbank-secure.com"),
    ],
)
def test_url_find_reads_a_longer_link_as_the_domain_of_its_host(
    url_kind: UrlKind, beginning: str, host: str
) -> None:
    # Padding a link past the bound must not hide it: its host is still read.
    link = f"{beginning}/login?t=" + "x" * LONGEST_URL
    text = f"คลิก {link} ด่วน"

    [found] = url_kind.find(text, THAILAND)

    assert found.indicator.type is IndicatorType.DOMAIN
    assert found.indicator.value == host
    assert found.raw == beginning == text[found.start : found.end]
    assert found.start == 5


@pytest.mark.parametrize(
    "text",
    [
        "http://203.0.113.5/login?t=" + "x" * LONGEST_URL,  # an IP address is no domain
        "https://kbank-secure.com" + "x" * LONGEST_URL,  # the host itself has no end
        "www." * LONGEST_URL,
    ],
    ids=["IP host", "endless host", "endless www"],
)
def test_url_find_reads_nothing_from_a_longer_link_without_a_domain(
    url_kind: UrlKind, text: str
) -> None:
    assert list(url_kind.find(text, THAILAND)) == []


def test_url_find_reads_a_longer_link_once(url_kind: UrlKind) -> None:
    # The links written inside a long link are part of it, as they are in a short one.
    text = "https://tracker.example.com/?next=https://kbank-secure.com/x&t=" + "x" * LONGEST_URL

    found = [(item.indicator.type, item.indicator.value) for item in url_kind.find(text, THAILAND)]

    assert found == [(IndicatorType.DOMAIN, "example.com")]


_link_pieces = st.sampled_from(
    [*"ab.-:/?()[]@ x", "(.)", "[.]", "[dot]", "www.", "http://", "hxxp[:]//", ":80/", "com/", "ſ"]
)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(_link_pieces, max_size=30),
    repeat=st.sampled_from([1, 1, 1, 40, 400]),
)
def test_link_scan_finds_what_finditer_finds_however_long(pieces: list[str], repeat: int) -> None:
    text = "".join(pieces) * repeat

    found = [(start, end) for start, end, _ in web._link_spans(text)]

    assert found == [match.span() for match in web._URL_CANDIDATE.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_link_pieces, max_size=30))
def test_host_name_scan_finds_what_finditer_finds(pieces: list[str]) -> None:
    text = "".join(pieces)[: web.LONGEST_HOST_NAME]

    found = [match.span() for match in web._hostname_matches(text)]

    assert found == [match.span() for match in web._HOSTNAME_IN_TEXT.finditer(text)]


def test_domain_find_reads_no_part_of_a_host_name_longer_than_the_bound(
    domain_kind: DomainKind,
) -> None:
    text = "a." * web.LONGEST_HOST_NAME + "kbank-secure.com ok"

    assert list(domain_kind.find(text, THAILAND)) == []


@pytest.mark.parametrize(
    ("raw", "registrable"),
    [
        ("www.KBank-TH.co.th", "kbank-th.co.th"),
        ("kbank-secure[.]com", "kbank-secure.com"),
        ("login.kbank-secure.com.", "kbank-secure.com"),
        ("https://a.b.scam.pages.dev/x", "scam.pages.dev"),
        ("scam.github.io", "scam.github.io"),
        ("github.io", "github.io"),
        ("ตัวอย่าง.ไทย", "xn--72c1a1bt4awk9o.xn--o3cw4h"),
        ("kbank.com:8080", "kbank.com"),
    ],
)
def test_domain_is_the_registrable_domain(
    domain_kind: DomainKind, raw: str, registrable: str
) -> None:
    indicator = domain_kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.DOMAIN
    assert indicator.value == registrable


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("co.th", "co.th is a public suffix, not a registrable domain"),
        ("kbank.notatld", "does not end in a known public suffix"),
        ("203.0.113.7", "an IP address has no registrable domain"),
        ("kbank com", "no spaces"),
    ],
)
def test_domain_rejections_say_why(domain_kind: DomainKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason):
        domain_kind.canonicalise(raw, THAILAND)


@pytest.mark.parametrize("raw", ["kbank-th.com", "kbank[.]co[.]th", "ตัวอย่าง.ไทย"])
def test_domain_looks_like_a_name_under_a_known_suffix(domain_kind: DomainKind, raw: str) -> None:
    assert domain_kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw", ["kbank", "report.notatld", "kbank.com/login", "a@kbank.com", "081.234.5678"]
)
def test_domain_looks_like_refuses_other_shapes(domain_kind: DomainKind, raw: str) -> None:
    assert not domain_kind.looks_like(raw)


def test_domain_find_reads_bare_hostnames_with_a_known_suffix(domain_kind: DomainKind) -> None:
    text = "เว็บปลอม www.kbank-th.com และ kbank-secure[.]com ไม่ใช่ report.notatld"

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in domain_kind.find(text, THAILAND)]

    assert found == [
        ("www.kbank-th.com", "kbank-th.com", 9, 25),
        ("kbank-secure[.]com", "kbank-secure.com", 30, 48),
    ]


def test_domain_find_skips_the_domain_of_an_email_address(domain_kind: DomainKind) -> None:
    assert list(domain_kind.find("mail scam@kbank-th.com", THAILAND)) == []


def test_public_suffixes_never_use_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public suffix list must come from the bundled snapshot")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    suffixes = PublicSuffixes()

    assert suffixes.registrable("www.kbank-th.co.th") == "kbank-th.co.th"


_labels = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_suffixes = st.sampled_from(["com", "co.th", "net", "org", "in.th", "com.my", "io", "asia"])
_path = st.from_regex(r"(?:/[A-Za-z0-9._~%!$&'*+,;=:@-]{0,8}){0,3}", fullmatch=True)
_query = st.one_of(st.just(""), st.from_regex(r"\?[A-Za-z0-9=&%._-]{1,12}", fullmatch=True))


@settings(max_examples=200, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTP://", "hxxps://", ""]),
    labels=st.lists(_labels, min_size=1, max_size=3),
    suffix=_suffixes,
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=_path,
    query=_query,
    fragment=st.sampled_from(["", "#top"]),
)
def test_canonicalising_a_canonical_url_returns_it_unchanged(
    scheme: str,
    labels: list[str],
    suffix: str,
    port: str,
    path: str,
    query: str,
    fragment: str,
) -> None:
    kind = UrlKind()
    host = ".".join([*labels, suffix])
    raw = f"{scheme or 'www.'}{host}{port}{path}{query}{fragment}"

    canonical = kind.canonicalise(raw, THAILAND)

    assert kind.canonicalise(canonical.value, THAILAND) == canonical
