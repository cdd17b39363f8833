"""Lookalike domains: the brand a host imitates, and how; never the brand's own domains."""

from __future__ import annotations

import re

import pytest

from scamintel.indicators import Indicator, IndicatorType
from scamintel.indicators.lookalike import (
    BrandEntry,
    BrandFile,
    BrandListError,
    BrandLookalikes,
    Technique,
    default_brands,
    default_lookalikes,
    load_brands,
    skeleton,
)
from scamintel.indicators.web import offline_suffixes


@pytest.fixture(scope="module")
def lookalikes() -> BrandLookalikes:
    return default_lookalikes()


def brand_list(*brands: BrandEntry) -> BrandFile:
    return BrandFile(
        name="brands",
        version="2026.11.28",
        description="Brands made for a test",
        sources=("https://example.org/source",),
        brands=brands,
    )


def test_the_brand_list_parses_with_a_date_version_sources_and_tokens() -> None:
    brands = load_brands()
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", brands.version)
    assert brands.sources
    suffixes = offline_suffixes()
    for brand in brands.brands:
        assert brand.tokens or brand.weak_tokens, brand.name
        for domain in brand.domains:
            assert suffixes.registrable(domain) == domain, domain


def test_the_brand_list_covers_the_regions_kinds_of_brand() -> None:
    brands = default_brands().brands
    assert {brand.category for brand in brands} == {
        "bank",
        "government",
        "police",
        "courier",
        "telco",
        "ewallet",
        "platform",
    }
    countries = {brand.country for brand in brands}
    assert {"TH", "MM", "KH", "LA", "VN", "MY", "SG", "ID", "PH", "BN"} <= countries


@pytest.mark.parametrize(
    ("host", "brand", "technique"),
    [
        ("kasikornbank-th.com", "Kasikornbank", Technique.ADDED_WORDS),
        ("kbank-secure.com", "Kasikornbank", Technique.ADDED_WORDS),
        ("secure-kbank-th.net", "Kasikornbank", Technique.ADDED_WORDS),
        ("mykbankonline.com", "Kasikornbank", Technique.ADDED_WORDS),
        ("rnaybank2u.com", "Maybank", Technique.CONFUSABLE),
        ("maybank2u.com.co", "Maybank", Technique.OTHER_DOMAIN),
        ("kb\u0430nk.com", "Kasikornbank", Technique.CONFUSABLE),  # Cyrillic а
        ("xn--kbnk-63d.com", "Kasikornbank", Technique.CONFUSABLE),  # the same, as punycode
        ("paypa1.com", "PayPal", Technique.CONFUSABLE),
        ("sh\u03bfpee.co", "Shopee", Technique.CONFUSABLE),  # Greek ο
        ("kasikornbnak.com", "Kasikornbank", Technique.TYPO),
        ("maybnak2u-my.com", "Maybank", Technique.TYPO),
        ("kbank.github.io", "Kasikornbank", Technique.OTHER_DOMAIN),
        ("www.kbank.co.th.verify-login.xyz", "Kasikornbank", Technique.OTHER_DOMAIN),
        ("scb-th.com", "Siam Commercial Bank", Technique.ADDED_WORDS),
        ("dbs-secure.com", "DBS / POSB", Technique.ADDED_WORDS),
        ("thailandpost-th.com", "Thailand Post", Technique.ADDED_WORDS),
        ("kerry-express.info", "Kerry Express", Technique.OTHER_DOMAIN),
        ("singpass-gov.com", "Singpass", Technique.ADDED_WORDS),
    ],
)
def test_a_lookalike_names_the_brand_it_imitates(
    lookalikes: BrandLookalikes, host: str, brand: str, technique: Technique
) -> None:
    match = lookalikes.match(host)
    assert match is not None, host
    assert (match.brand.name, match.technique) == (brand, technique)


@pytest.mark.parametrize(
    "host",
    [
        "kbank.co.th",
        "www.kasikornbank.com",
        "www.maybank2u.com.my",
        "online.maybank2u.com.sg",
        "google.com",
        "banking-news.com",
        # A brand name glued to a word that is not one scammers add is left alone: too many
        # ordinary names start with a short brand token.
        "kbankxyz.com",
        "ibank.com",
        "taxis.com",
        "smart-home.com",
        "dbs-online.com",
        "paypal.de",
        "pdrm.gov.my",
        "line.me",
        "example.com",
        "192.168.1.1",
    ],
)
def test_unrelated_names_and_the_brands_own_domains_are_not_lookalikes(
    lookalikes: BrandLookalikes, host: str
) -> None:
    assert lookalikes.match(host) is None


def test_no_brand_domain_or_subdomain_is_ever_a_lookalike(lookalikes: BrandLookalikes) -> None:
    for brand in lookalikes.brands:
        for domain in brand.domains:
            for host in (domain, f"www.{domain}", f"secure-login.{domain}"):
                assert lookalikes.match(host) is None, host


@pytest.mark.parametrize(
    ("host", "brand"),
    [
        ("flashexpress.co.th", "Flash Express"),
        ("www.flashexpress.co.th", "Flash Express"),
        ("flashexpress.ph", "Flash Express"),
        ("flashexpress.my", "Flash Express"),
        ("jtexpress.com.kh", "J&T Express"),
    ],
)
def test_couriers_own_country_domains_are_not_lookalikes(
    lookalikes: BrandLookalikes, host: str, brand: str
) -> None:
    assert lookalikes.match(host) is None
    assert any(brand == entry.name for entry in lookalikes.brands)


@pytest.mark.parametrize("host", ["flashexpress-th.com", "flashexpress.co", "flashexpress.la"])
def test_a_couriers_name_elsewhere_is_still_a_lookalike(
    lookalikes: BrandLookalikes, host: str
) -> None:
    match = lookalikes.match(host)

    assert match is not None
    assert match.brand.name == "Flash Express"


def test_a_brand_owning_its_name_everywhere_is_still_imitated_with_added_words(
    lookalikes: BrandLookalikes,
) -> None:
    assert lookalikes.match("paypal.de") is None
    match = lookalikes.match("paypal-verify.de")
    assert match is not None
    assert match.brand.name == "PayPal"


def test_links_and_addresses_are_checked_on_their_host(lookalikes: BrandLookalikes) -> None:
    link = lookalikes.match_indicator(Indicator(IndicatorType.URL, "https://kbank-th.com/login"))
    assert link is not None
    assert link.describe() == "Kasikornbank (kasikornbank.com)"
    address = lookalikes.match_indicator(Indicator(IndicatorType.EMAIL, "cs@maybank2u-my.com"))
    assert address is not None
    assert address.brand.name == "Maybank"
    phone = Indicator(IndicatorType.PHONE, "+66812345678", "TH")
    assert lookalikes.match_indicator(phone) is None


def test_the_skeleton_folds_what_looks_alike() -> None:
    assert skeleton("kb\u0430nk") == "kbank"
    assert skeleton("p\u0430yp\u0430l") == "paypal"
    assert skeleton("paypa1") == "paypal"
    assert skeleton("g00gle") == "google"
    assert skeleton("rnaybank") == "maybank"
    assert skeleton("vvallet") == "wallet"
    assert skeleton("kbânk") == "kbank"
    assert skeleton("ＫＢＡＮＫ") == "kbank"


def test_a_token_claimed_by_two_brands_is_refused() -> None:
    one = BrandEntry(
        name="One", country="TH", category="bank", domains=("one.com",), tokens=("same",)
    )
    two = BrandEntry(
        name="Two", country="TH", category="bank", domains=("two.com",), tokens=("same",)
    )
    with pytest.raises(BrandListError, match="Two"):
        BrandLookalikes(brand_list(one, two))


def test_a_token_too_short_to_match_safely_is_refused() -> None:
    brand = BrandEntry(
        name="Abc", country="TH", category="bank", domains=("abc.com",), tokens=("abc",)
    )
    with pytest.raises(BrandListError, match="too short"):
        BrandLookalikes(brand_list(brand))


def test_a_brand_domain_must_be_registrable() -> None:
    brand = BrandEntry(
        name="Abcd", country="TH", category="bank", domains=("www.abcd.com",), tokens=("abcd",)
    )
    with pytest.raises(BrandListError, match="registrable"):
        BrandLookalikes(brand_list(brand))
