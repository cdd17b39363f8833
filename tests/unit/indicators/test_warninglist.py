"""Warninglists: versioned, sourced data files and the one question every consumer asks."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import phonenumbers
import pytest

from scamintel.indicators import (
    Indicator,
    IndicatorType,
    ParseContext,
    default_registry,
)
from scamintel.indicators.warninglist import (
    ListKind,
    Warninglist,
    WarninglistEntry,
    WarninglistError,
    WarninglistFile,
    default_warninglists,
    load_warninglists,
    official_phone_contacts,
    warninglist_files,
)
from scamintel.reports.intake import build_report
from scamintel.reports.model import ReportSource
from scamintel.reports.submission import ReportSubmission

THAILAND = ParseContext("TH")
ASEAN = {"TH", "MM", "KH", "LA", "VN", "MY", "SG", "ID", "PH", "BN"}


@pytest.fixture(scope="module")
def warninglist() -> Warninglist:
    return Warninglist()


def read(raw: str, region: str = "TH") -> Indicator:
    return default_registry().canonicalise(raw, None, ParseContext(region))


def a_list(kind: ListKind, *entries: WarninglistEntry, name: str = "test") -> WarninglistFile:
    return WarninglistFile(
        name=name,
        version="2026.11.28",
        kind=kind,
        description="A list made for a test",
        sources=("https://example.org/source",),
        entries=entries,
    )


def test_every_data_file_parses_with_a_date_version_and_sources() -> None:
    files = warninglist_files()
    lists = load_warninglists(files)
    assert {item.kind for item in lists} == set(ListKind)
    for item, listed in zip(files, lists, strict=True):
        assert item.name == f"{listed.name}.json"
        assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", listed.version)
        datetime.strptime(listed.version, "%Y.%m.%d").replace(tzinfo=UTC)
        assert listed.sources
        assert all(source.strip() for source in listed.sources)
        assert listed.description
        assert listed.entries


def test_every_listed_number_has_a_source_or_a_note_saying_why_not() -> None:
    for listed in default_warninglists():
        for entry in listed.entries:
            if entry.phones or entry.phone_ranges or entry.e164_patterns:
                assert entry.sources or entry.note, f"{listed.name}: {entry.name}"


def test_every_official_number_is_valid_in_its_plan_or_a_short_code() -> None:
    for raw, country, name in official_phone_contacts():
        parsed = phonenumbers.parse(raw, country)
        digits = re.sub(r"[\s\-().]", "", raw)
        valid = phonenumbers.is_valid_number(parsed)
        assert valid or re.fullmatch(r"[0-9]{3,8}", digits), f"{country} {raw} ({name})"
        if valid:
            assert phonenumbers.region_code_for_number(parsed) == country, raw


def test_official_hotlines_cover_every_asean_country_and_the_anti_scam_lines() -> None:
    hotlines = next(item for item in default_warninglists() if item.name == "official-hotlines")
    assert {entry.country for entry in hotlines.entries} == ASEAN
    dialled = {(raw, entry.country) for entry in hotlines.entries for raw in entry.phones}
    for anti_scam in [("1441", "TH"), ("997", "MY"), ("1799", "SG"), ("1326", "PH")]:
        assert anti_scam in dialled


@pytest.mark.parametrize(
    ("dialled", "country", "who"),
    [
        ("1191", "LA", "police"),
        ("1195", "LA", "ambulance"),
        ("1190", "LA", "fire"),
        ("199", "MM", "Police"),
        ("192", "MM", "ambulance"),
        ("191", "MM", "Fire"),
        ("117", "KH", "Police"),
        ("118", "KH", "fire"),
        ("119", "KH", "ambulance"),
    ],
)
def test_the_emergency_numbers_of_laos_myanmar_and_cambodia_are_official(
    warninglist: Warninglist, dialled: str, country: str, who: str
) -> None:
    match = warninglist.benign_dialled(dialled, country)

    assert match is not None
    assert match.kind is ListKind.OFFICIAL
    assert who in match.name


def test_no_official_number_rests_on_a_weak_or_single_source_without_saying_so() -> None:
    hotlines = next(item for item in default_warninglists() if item.name == "official-hotlines")
    for entry in hotlines.entries:
        assert not any("manthraah.com" in source for source in entry.sources), entry.name
        if len(entry.sources) == 1 and "googlesource.com" in entry.sources[0]:
            assert entry.note, entry.name
            assert "Single-sourced" in entry.note, entry.name


def test_the_fictional_north_american_range_is_sourced_from_nanpa() -> None:
    reserved = next(item for item in default_warninglists() if item.name == "reserved")
    nanp = next(entry for entry in reserved.entries if entry.e164_patterns)

    assert any("nationalnanpa.com" in source for source in nanp.sources)
    assert not any("gemini" in source or "mastogem" in source for source in nanp.sources)


def test_banks_of_every_asean_country_are_listed_with_their_domains() -> None:
    banks = next(item for item in default_warninglists() if item.name == "banks")
    assert {entry.country for entry in banks.entries} == ASEAN
    assert all(entry.domains for entry in banks.entries)


def test_an_official_number_is_benign_and_names_who_answers_it(warninglist: Warninglist) -> None:
    match = warninglist.benign(read("02-888-8888"))
    assert match is not None
    assert match.kind is ListKind.OFFICIAL
    assert "Kasikornbank" in match.name
    assert (match.list_name, match.list_version) == ("banks", "2026.11.28")
    assert warninglist.benign(read("+66 2 888 8888")) == match


def test_short_codes_are_matched_as_dialled_in_their_own_country(warninglist: Warninglist) -> None:
    aoc = warninglist.benign_dialled("1441", "TH")
    assert aoc is not None
    assert "Anti Online Scam" in aoc.name
    assert warninglist.benign_dialled("1441", "MY") is None
    assert warninglist.benign_dialled("997", "MY") is not None
    assert warninglist.benign_dialled("1-300-88-6688", "MY") is not None
    assert warninglist.benign_dialled("call 1441", "TH") is None


def test_a_bank_domain_and_every_link_on_it_is_benign(warninglist: Warninglist) -> None:
    for raw in [
        "kasikornbank.com",
        "https://www.kasikornbank.com/th/personal/login?next=1",
        "https://online.maybank2u.com.my/",
        "callcentre@kasikornbank.com",
    ]:
        match = warninglist.benign(read(raw))
        assert match is not None, raw
        assert match.kind is ListKind.OFFICIAL, raw


def test_a_platform_domain_is_benign(warninglist: Warninglist) -> None:
    for raw in ["google.com", "https://www.facebook.com/", "https://line.me", "apple.com"]:
        match = warninglist.benign(read(raw))
        assert match is not None, raw
        assert match.kind is ListKind.PLATFORM, raw


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.facebook.com/Kbank.Refund.Centre",
        "https://sites.google.com/view/kbank-refund",
        "https://docs.google.com/forms/d/e/1FAIpQLSf/viewform",
        "https://www.google.com/url?q=https://kbank-verify.com",
        "https://shopee.co.th/some.seller",
        "someone@gmail.com",
    ],
)
def test_content_on_a_user_content_platform_is_not_benign(
    warninglist: Warninglist, raw: str
) -> None:
    assert warninglist.benign(read(raw)) is None


def test_unlisted_values_are_not_benign(warninglist: Warninglist) -> None:
    for raw in ["0812345678", "kbank-secure.com", "https://kbank-verify.com/login"]:
        assert warninglist.benign(read(raw)) is None
    assert warninglist.benign(Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890")) is None


def test_shorteners_are_flagged_and_never_benign(warninglist: Warninglist) -> None:
    for raw, host in [
        ("bit.ly/abc", "bit.ly"),
        ("https://s.id/x1", "s.id"),
        ("cutt.ly", "cutt.ly"),
    ]:
        indicator = read(raw)
        shortened = warninglist.shortener(indicator)
        assert shortened is not None
        assert shortened.host == host
        assert shortened.list_name == "url-shorteners"
        assert warninglist.benign(indicator) is None
    assert warninglist.shortener(read("https://kbank-verify.com/x")) is None
    assert warninglist.shortener(read("0812345678")) is None


def test_numbers_and_domains_reserved_for_fiction_are_benign(warninglist: Warninglist) -> None:
    for raw, region in [("020 7946 0123", "GB"), ("(212) 555-0142", "US")]:
        match = warninglist.benign(read(raw, region))
        assert match is not None, raw
        assert match.kind is ListKind.RESERVED, raw
    assert warninglist.benign(read("+1 212 555 0200")) is None
    match = warninglist.benign(read("https://portal.example.com/pay"))
    assert match is not None
    assert match.kind is ListKind.RESERVED


def test_a_domain_that_is_not_registrable_is_refused() -> None:
    entry = WarninglistEntry(name="Somebody", domains=("www.somebody.com",))
    with pytest.raises(WarninglistError, match="not a registrable domain"):
        Warninglist([a_list(ListKind.PLATFORM, entry)])


def test_a_number_that_is_neither_valid_nor_a_short_code_is_refused() -> None:
    entry = WarninglistEntry(name="Nobody", country="TH", phones=("02-888-8888-888",))
    with pytest.raises(WarninglistError, match="neither a valid number"):
        Warninglist([a_list(ListKind.OFFICIAL, entry)])


def test_a_domain_listed_for_two_owners_is_refused() -> None:
    one = WarninglistEntry(name="One", domains=("shared.com",))
    two = WarninglistEntry(name="Two", domains=("shared.com",))
    with pytest.raises(WarninglistError, match="already listed"):
        Warninglist([a_list(ListKind.OFFICIAL, one), a_list(ListKind.PLATFORM, two, name="b")])


def test_a_shortener_can_not_also_be_benign() -> None:
    platform = WarninglistEntry(name="Platform", domains=("short.io",))
    shortener = WarninglistEntry(name="Shortener", domains=("short.io",))
    with pytest.raises(WarninglistError, match="both kinds"):
        Warninglist(
            [a_list(ListKind.PLATFORM, platform), a_list(ListKind.SHORTENER, shortener, name="s")]
        )


def test_intake_leaves_benign_values_out_of_reports(warninglist: Warninglist) -> None:
    submission = ReportSubmission.model_validate(
        {
            "narrative": "I called 02-888-8888, the bank said https://kbank-verify.com/x is fake",
            "victim_country": "TH",
            "indicators": [
                {"value": "1441"},
                {"value": "kasikornbank.com"},
                {"value": "https://www.facebook.com/"},
                {"value": "https://www.facebook.com/Kbank.Refund.Centre"},
                {"value": "081-234-5678"},
            ],
        }
    )
    report = build_report(
        submission,
        registry=default_registry(),
        context=THAILAND,
        source=ReportSource.API,
        received_at=datetime(2026, 11, 28, tzinfo=UTC),
        warninglist=warninglist,
    )
    kept = {item.indicator.value for item in report.indicators}
    assert kept == {
        "https://www.facebook.com/Kbank.Refund.Centre",
        "+66812345678",
        "https://kbank-verify.com/x",
    }
