"""Bank accounts (``CC:<BANK>:<digits>``) and e-wallets (``<PROVIDER>:<id>``): first cut."""

from __future__ import annotations

import pytest

from scamintel.indicators.banks import BANKS
from scamintel.indicators.financial import PROVIDERS, BankAccountKind, EwalletKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext

THAILAND = ParseContext("TH")
KBANK_ACCOUNT = "TH:KBANK:1234567890"


def _at(text: str, raw: str, value: str) -> tuple[str, str, int, int]:
    """What extraction should report for ``raw``, written once in ``text``."""
    start = text.index(raw)
    return raw, value, start, start + len(raw)


@pytest.fixture(scope="module")
def banks() -> BankAccountKind:
    return BankAccountKind()


@pytest.fixture(scope="module")
def wallets() -> EwalletKind:
    return EwalletKind()


@pytest.mark.parametrize(
    "raw",
    [
        "TH:KBANK:1234567890",
        "TH:KBANK:123-4-56789-0",
        "th : kbank : 123 456 7890",
        "KBANK:123.456.7890",
        "Kasikorn 123-4-56789-0",
        "K-Bank 1234567890",
        "Kasikorn Bank a/c 123-4-56789-0",
        "กสิกร 123-4-56789-0",
        "ธนาคารกสิกรไทย 1234567890",
        "กสิกรไทย เลขที่บัญชี ๑๒๓-๔-๕๖๗๘๙-๐",
    ],
)
def test_one_kbank_account_written_many_ways_has_one_value(
    banks: BankAccountKind, raw: str
) -> None:
    indicator = banks.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.BANK_ACCOUNT
    assert indicator.value == KBANK_ACCOUNT
    assert indicator.country == "TH"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("SCB 111-2-33333-4", "TH:SCB:1112333334"),
        ("Bangkok Bank 111 222 3333", "TH:BBL:1112223333"),
        ("กรุงไทย 111-2-33333-4", "TH:KTB:1112333334"),
        ("Krungsri:1112333334", "TH:BAY:1112333334"),
        ("MY:Maybank:1234 5678 9012", "MY:MAYBANK:123456789012"),
        ("Vietcombank 0123456789", "VN:VCB:0123456789"),
        ("BCA 1234567890", "ID:BCA:1234567890"),
        ("KBZ Bank 12345678", "MM:KBZ:12345678"),
        ("BCEL:0101000123456", "LA:BCEL:0101000123456"),
    ],
)
def test_known_bank_names_map_to_their_code_and_country(
    banks: BankAccountKind, raw: str, canonical: str
) -> None:
    indicator = banks.canonicalise(raw, THAILAND)

    assert indicator.value == canonical
    assert indicator.country == canonical[:2]


def test_bank_code_without_country_takes_the_context_region_for_unknown_banks(
    banks: BankAccountKind,
) -> None:
    assert banks.canonicalise("LHBANK:1234567890", THAILAND).value == "TH:LHBANK:1234567890"


def test_explicit_country_and_unknown_bank_code_are_kept(banks: BankAccountKind) -> None:
    indicator = banks.canonicalise("ph:landbank:0012-3456-78", THAILAND)

    assert indicator.value == "PH:LANDBANK:0012345678"
    assert indicator.country == "PH"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("KBANK:12345", "6 to 20 digits, not 5"),
        ("KBANK 1234567890123456789012", "6 to 20 digits, not 22"),
        ("Somchai Bank 1234567890", "write it as BANK:digits"),
        ("1234567890", "write it as BANK:digits"),
        ("KBANK:12ab34567", "write it as BANK:digits"),
    ],
)
def test_bank_account_rejections_say_why(banks: BankAccountKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        banks.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.BANK_ACCOUNT


@pytest.mark.parametrize("raw", ["KBANK:1234567890", "TH:SCB:111-2-33333-4", "กสิกร 1234567890"])
def test_bank_looks_like_needs_a_known_bank(banks: BankAccountKind, raw: str) -> None:
    assert banks.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    ["1234567890", "0812345678", "TRUEMONEY:0812345678", "line:12345678", "LHBANK:1234567890"],
)
def test_bank_looks_like_leaves_bare_digits_and_other_prefixes(
    banks: BankAccountKind, raw: str
) -> None:
    assert not banks.looks_like(raw)


def test_bank_find_reads_named_accounts_in_thai_text(banks: BankAccountKind) -> None:
    text = "โอนเข้าบัญชีกสิกรไทย 123-4-56789-0 หรือ TH:SCB:111-2-33333-4 ด่วน"

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in banks.find(text, THAILAND)]

    assert found == [
        _at(text, "กสิกรไทย 123-4-56789-0", KBANK_ACCOUNT),
        _at(text, "TH:SCB:111-2-33333-4", "TH:SCB:1112333334"),
    ]


def test_bank_find_ignores_digits_without_a_bank(banks: BankAccountKind) -> None:
    assert list(banks.find("order 1234567890, ref: 9876543210", THAILAND)) == []


@pytest.mark.parametrize(
    ("country", "code"),
    [(country, code) for country, codes in BANKS.items() for code in codes],
)
def test_every_bank_in_the_table_reads_by_its_code(
    banks: BankAccountKind, country: str, code: str
) -> None:
    indicator = banks.canonicalise(f"{country}:{code.lower()}:1234567", THAILAND)

    assert indicator.value == f"{country}:{code}:1234567"


@pytest.mark.parametrize(
    ("raw", "canonical", "country"),
    [
        ("TRUEMONEY:081-234-5678", "TRUEMONEY:+66812345678", "TH"),
        ("true money 0812345678", "TRUEMONEY:+66812345678", "TH"),
        ("TrueMoney Wallet: 081 234 5678", "TRUEMONEY:+66812345678", "TH"),
        ("พร้อมเพย์ 0812345678", "PROMPTPAY:+66812345678", "TH"),
        ("PROMPTPAY:1-2345-67890-12-3", "PROMPTPAY:1234567890123", "TH"),
        ("GCash 0905 123 4567", "GCASH:+639051234567", "PH"),
        ("Touch 'n Go: 012-345 6789", "TNG:+60123456789", "MY"),
        ("touch n go 0123456789", "TNG:+60123456789", "MY"),
        ("momo:0912345678", "MOMO:+84912345678", "VN"),
        ("ABA Pay 091 234 567", "ABA:+85591234567", "KH"),
        ("GoPay:0812-345-678", "GOPAY:+62812345678", "ID"),
        ("KBZPay 09 212 3456", "KBZPAY:+9592123456", "MM"),
        ("GrabPay:+65 8123 4567", "GRABPAY:+6581234567", "SG"),
        ("shopeepay: john doe", "SHOPEEPAY:johndoe", None),
    ],
)
def test_wallet_ids_that_are_phone_numbers_become_e164_in_the_providers_country(
    wallets: EwalletKind, raw: str, canonical: str, country: str | None
) -> None:
    indicator = wallets.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.EWALLET
    assert indicator.value == canonical
    assert indicator.country == country


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("FooPay:0812345678", "'FooPay' is not an e-wallet provider this node knows"),
        ("0812345678", "write it as PROVIDER:id"),
    ],
)
def test_wallet_rejections_say_why(wallets: EwalletKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        wallets.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.EWALLET


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_provider_reads_by_its_code(wallets: EwalletKind, provider: str) -> None:
    assert wallets.canonicalise(f"{provider.lower()}:abc123", THAILAND).value == (
        f"{provider}:abc123"
    )


@pytest.mark.parametrize("raw", ["TRUEMONEY:0812345678", "gcash 0905 123 4567", "TnG eWallet: x1"])
def test_wallet_looks_like_needs_a_known_provider(wallets: EwalletKind, raw: str) -> None:
    assert wallets.looks_like(raw)


@pytest.mark.parametrize(
    "raw", ["0812345678", "line:scam_boss", "FooPay:123", "GCash", "Dana Scully", "Maya Santos"]
)
def test_wallet_looks_like_refuses_other_values(wallets: EwalletKind, raw: str) -> None:
    assert not wallets.looks_like(raw)


def test_wallet_find_reads_provider_and_number_or_explicit_id(wallets: EwalletKind) -> None:
    text = "โอนทรูมันนี่ 081-234-5678 หรือ GCash: juan.dc ไม่ใช่ Maya ของฉัน"

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in wallets.find(text, THAILAND)]

    assert found == [
        _at(text, "ทรูมันนี่ 081-234-5678", "TRUEMONEY:+66812345678"),
        _at(text, "GCash: juan.dc", "GCASH:juan.dc"),
    ]
