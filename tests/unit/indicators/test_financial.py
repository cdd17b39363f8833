"""Bank accounts (``CC:<BANK>:<digits>``) and e-wallets (``<PROVIDER>:<id>``)."""

from __future__ import annotations

import phonenumbers
import pytest

from scamintel.indicators import default_registry
from scamintel.indicators.banks import Wallet, wallet_table
from scamintel.indicators.financial import BankAccountKind, EwalletKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext

THAILAND = ParseContext("TH")
KBANK_ACCOUNT = "TH:KBANK:1234567890"
VALID_THAI_ID = "1234567890121"  # passes the national ID checksum
BAD_THAI_ID = "1234567890123"


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
        "Kasikornbank 123-4-56789-0",
        "K-Bank 1234567890",
        "K+ 123 4 56789 0",
        "Kasikorn Bank a/c 123-4-56789-0",
        "กสิกร 123-4-56789-0",
        "ธ.กสิกร 123-4-56789-0",
        "ธนาคารกสิกรไทย 1234567890",
        "ธนาคาร กสิกรไทย 123.456.7890",
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


# One account per country, written with spaces, dashes, dots, the English name, an
# abbreviation and the local-script name (and local digits).
ONE_ACCOUNT_PER_COUNTRY = [
    (
        "MY:MAYBANK:123456789012",
        [
            "Maybank 1234 5678 9012",
            "Malayan Banking 1234-5678-9012",
            "M2U 1234.5678.9012",
            "马银行 123456789012",
            "MAYBANK:1234 5678 9012",
        ],
    ),
    (
        "SG:DBS:1234567890",
        [
            "DBS 123-456789-0",
            "DBS Bank 123 456 7890",
            "Development Bank of Singapore 123.456.7890",
            "星展银行 1234567890",
            "sg:dbs:123-456789-0",
        ],
    ),
    (
        "VN:VCB:0011001234567",
        [
            "Vietcombank 0011 0012 34567",
            "VCB 0011-001-234567",
            "Ngân hàng Ngoại thương 0011.001.234567",
            "ngan hang ngoai thuong viet nam 0011001234567",
            "Vietcombank STK: 0011001234567",
        ],
    ),
    (
        "ID:BCA:1234567890",
        [
            "BCA 123-456-7890",
            "Bank BCA 123 456 7890",
            "Bank Central Asia 123.456.7890",
            "bca no rek 1234567890",
            "ID:BCA:1234567890",
        ],
    ),
    (
        "PH:BPI:1234567890",
        [
            "BPI 1234-5678-90",
            "Bank of the Philippine Islands 1234 5678 90",
            "BPI account no. 1234.5678.90",
            "BPI:1234567890",
        ],
    ),
    (
        "KH:ACLEDA:00010112345612",
        [
            "ACLEDA 0001-01-123456-1-2",
            "ACLEDA Bank 0001 01 123456 1 2",
            "ធនាគារអេស៊ីលីដា 00010112345612",
            "អេស៊ីលីដា គណនី ០០០១.០១.១២៣៤៥៦.១.២",
        ],
    ),
    (
        "MM:KBZ:02730102712345601",
        [
            "KBZ 0273 0102 7123 4560 1",
            "Kanbawza Bank 0273-0102-7123-4560-1",
            "ကမ္ဘောဇဘဏ် ၀၂၇၃၀၁၀၂၇၁၂၃၄၅၆၀၁",
            "KBZ Bank: 0273.0102.7123.4560.1",
        ],
    ),
    (
        "LA:BCEL:0101000123456",
        [
            "BCEL 010-10-00-123456",
            "BCEL One 010.10.00.123456",
            "ທະນາຄານການຄ້າຕ່າງປະເທດລາວ ໐໑໐໑໐໐໐໑໒໓໔໕໖",
            "Banque pour le Commerce Exterieur Lao 010 10 00 123456",
        ],
    ),
    ("TH:BAAC:020012345678", ["ธ.ก.ส. 0200 1234 5678", "BAAC 0200-1234-5678", "ธกส 020012345678"]),
]


@pytest.mark.parametrize(
    ("canonical", "raw"),
    [(canonical, raw) for canonical, raws in ONE_ACCOUNT_PER_COUNTRY for raw in raws],
)
def test_an_account_of_each_country_written_many_ways_has_one_value(
    banks: BankAccountKind, canonical: str, raw: str
) -> None:
    country = canonical[:2]

    indicator = banks.canonicalise(raw, ParseContext(country))

    assert indicator.value == canonical
    assert indicator.country == country


@pytest.mark.parametrize(
    ("canonical", "raw"),
    [(canonical, raws[0]) for canonical, raws in ONE_ACCOUNT_PER_COUNTRY]
    + [(canonical, raws[-2]) for canonical, raws in ONE_ACCOUNT_PER_COUNTRY],
)
def test_the_same_accounts_are_found_in_messages(
    banks: BankAccountKind, canonical: str, raw: str
) -> None:
    text = f"pls transfer to {raw} now"

    found = [(f.raw, f.indicator.value) for f in banks.find(text, ParseContext(canonical[:2]))]

    assert found == [(raw, canonical)]


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("SCB 111-2-33333-4", "TH:SCB:1112333334"),
        ("Bangkok Bank 111 222 3333", "TH:BBL:1112223333"),
        ("กรุงไทย 111-2-33333-4", "TH:KTB:1112333334"),
        ("Krungsri:1112333334", "TH:BAY:1112333334"),
        ("ออมสิน 0201 2345 6789", "TH:GSB:020123456789"),
        ("ธอส. 0012 3456 7890", "TH:GHB:001234567890"),
        ("LH Bank 123-4-56789-0", "TH:LHB:1234567890"),
        ("MY:Maybank:1234 5678 9012", "MY:MAYBANK:123456789012"),
        ("RHB 1234 5678 9012 34", "MY:RHB:12345678901234"),
        ("Vietcombank 0123456789", "VN:VCB:0123456789"),
        ("VietinBank 1012 3456 7890", "VN:CTG:101234567890"),
        ("Sacombank 0601 2345 6789", "VN:STB:060123456789"),
        ("BRI 0123-01-012345-50-1", "ID:BRI:012301012345501"),
        ("CIMB Niaga 800123456789", "ID:CIMB:800123456789"),
        ("Landbank 0123-4567-89", "PH:LANDBANK:0123456789"),
        ("Canadia 0001234567890", "KH:CANADIA:0001234567890"),
        ("KBZ Bank 12345678", "MM:KBZ:12345678"),
        ("Yoma Bank 0012 3456 7890", "MM:YOMA:001234567890"),
        ("BCEL:0101000123456", "LA:BCEL:0101000123456"),
    ],
)
def test_known_bank_names_map_to_their_code_and_country(
    banks: BankAccountKind, raw: str, canonical: str
) -> None:
    indicator = banks.canonicalise(raw, THAILAND)

    assert indicator.value == canonical
    assert indicator.country == canonical[:2]


@pytest.mark.parametrize(
    ("raw", "region", "canonical"),
    [
        ("CIMB 1234567890", "TH", "TH:CIMB:1234567890"),
        ("CIMB 1234567890", "MY", "MY:CIMB:1234567890"),
        ("CIMB 1234567890", "ID", "ID:CIMB:1234567890"),
        # The reader's country has no CIMB: the first row of the table carrying the name.
        ("CIMB 1234567890", "VN", "MY:CIMB:1234567890"),
        ("UOB 1234567890", "TH", "TH:UOB:1234567890"),
        ("UOB 1234567890", "PH", "SG:UOB:1234567890"),
        ("Maybank 1234567890", "ID", "ID:MAYBANK:1234567890"),
        # An explicit country always wins.
        ("MY:CIMB:1234567890", "TH", "MY:CIMB:1234567890"),
        ("TH:CIMB:1234567890", "MY", "TH:CIMB:1234567890"),
    ],
)
def test_a_name_banks_of_several_countries_share_is_read_in_the_readers_country(
    banks: BankAccountKind, raw: str, region: str, canonical: str
) -> None:
    assert banks.canonicalise(raw, ParseContext(region)).value == canonical


def test_an_unknown_bank_code_without_country_takes_the_readers_country(
    banks: BankAccountKind,
) -> None:
    assert banks.canonicalise("XYZBANK:1234567890", THAILAND).value == "TH:XYZBANK:1234567890"


def test_explicit_country_and_unknown_bank_code_are_kept(banks: BankAccountKind) -> None:
    indicator = banks.canonicalise("ph:fakebank:0012-3456-78", THAILAND)

    assert indicator.value == "PH:FAKEBANK:0012345678"
    assert indicator.country == "PH"


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("KBANK:12345", "TH", "Kasikornbank account numbers have 10 digits, not 5"),
        ("KBANK 123-4-56789", "TH", "Kasikornbank account numbers have 10 digits, not 9"),
        ("กสิกร 123-4-56789-01", "TH", "Kasikornbank account numbers have 10 digits, not 11"),
        ("ออมสิน 1234567890", "TH", "Government Savings Bank account numbers have 12 digits"),
        ("Maybank 1234 5678 901", "MY", "Maybank account numbers have 12 digits, not 11"),
        ("CIMB 123456789012", "MY", "CIMB Bank account numbers have 10 or 14 digits, not 12"),
        ("DBS 12345678", "SG", "DBS Bank account numbers have 9 or 10 digits, not 8"),
        ("BCA 123456789", "ID", "Bank Central Asia account numbers have 10 digits, not 9"),
        ("BDO 12345678901", "PH", "BDO Unibank account numbers have 10 or 12 digits, not 11"),
        ("BIDV:12345", "VN", "6 to 20 digits, not 5"),
        ("KBZ 1234567890123456789012", "MM", "6 to 20 digits, not 22"),
        ("Somchai Bank 1234567890", "TH", "write it as BANK:digits"),
        ("1234567890", "TH", "write it as BANK:digits"),
        ("KBANK:12ab34567", "TH", "write it as BANK:digits"),
    ],
)
def test_bank_account_rejections_say_why(
    banks: BankAccountKind, raw: str, region: str, reason: str
) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        banks.canonicalise(raw, ParseContext(region))

    assert caught.value.indicator_type is IndicatorType.BANK_ACCOUNT


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("XX:FOO:123456", "XX is not a country code"),
        ("ZZ:ANYBANK:1234567890", "ZZ is not a country code"),
        ("UK:BARCLAYS:12345678", "UK is not a country code"),
        ("XX:KBANK:1234567890", "XX is not a country code"),
        ("MY:KBANK:123456", "KBANK is a bank of TH, not MY"),
        ("SG:KBANK:1234567", "KBANK is a bank of TH, not SG"),
        ("LA:Kasikorn:1234567890", "KBANK is a bank of TH, not LA"),
        ("VN:CIMB:1234567890", "CIMB is a bank of MY, TH and ID, not VN"),
        ("TH:KBANK:123456", "Kasikornbank account numbers have 10 digits, not 6"),
    ],
)
def test_an_explicit_country_must_be_a_country_the_bank_is_in(
    banks: BankAccountKind, raw: str, reason: str
) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason):
        banks.canonicalise(raw, THAILAND)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # A bank this node's table lacks, in a real country: kept, so that partners' data
        # naming banks we do not list is not lost.
        ("TH:FOO:123456", "TH:FOO:123456"),
        ("LA:KBANKLAO:1234567", "LA:KBANKLAO:1234567"),
        ("SG:Maybank:1234567890", "SG:MAYBANK:1234567890"),
    ],
)
def test_an_unknown_bank_in_a_real_country_is_kept(
    banks: BankAccountKind, raw: str, canonical: str
) -> None:
    assert banks.canonicalise(raw, THAILAND).value == canonical


def test_an_account_in_the_wrong_country_is_not_extracted(banks: BankAccountKind) -> None:
    assert list(banks.find("โอน MY:KBANK 1234567890 ด่วน", THAILAND)) == []


@pytest.mark.parametrize(
    "raw",
    ["KBANK:1234567890", "TH:SCB:111-2-33333-4", "กสิกร 1234567890", "Bank BCA 1234567890"],
)
def test_bank_looks_like_needs_a_known_bank(banks: BankAccountKind, raw: str) -> None:
    assert banks.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    ["1234567890", "0812345678", "TRUEMONEY:0812345678", "line:12345678", "XYZBANK:1234567890"],
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


def test_bank_find_reads_the_word_for_bank_before_the_name(banks: BankAccountKind) -> None:
    text = "chuyen khoan vao Ngân hàng Vietcombank 0011001234567 hoac Bank BCA 1234567890"

    found = [(f.raw, f.indicator.value) for f in banks.find(text, THAILAND)]

    assert found == [
        ("Ngân hàng Vietcombank 0011001234567", "VN:VCB:0011001234567"),
        ("Bank BCA 1234567890", "ID:BCA:1234567890"),
    ]


def test_bank_find_skips_numbers_of_the_wrong_length(banks: BankAccountKind) -> None:
    text = "โอน KBANK 123-4-5678 หรือ SCB 111 222 333 444 ด่วน"

    assert list(banks.find(text, THAILAND)) == []


def test_bank_find_stops_an_account_where_the_next_number_starts(banks: BankAccountKind) -> None:
    text = "KBANK 123-4-56789-0 081 234 5678 ชื่อ สมชาย"

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in banks.find(text, THAILAND)]

    assert found == [_at(text, "KBANK 123-4-56789-0", KBANK_ACCOUNT)]


def test_bank_find_ignores_digits_without_a_bank(banks: BankAccountKind) -> None:
    assert list(banks.find("order 1234567890, ref: 9876543210", THAILAND)) == []


# --- ABA Pay is ABA Bank's app: one account, one value -----------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "ABA Pay 000 987 654",
        "ABAPay 000-987-654",
        "ABA Mobile 000987654",
        "ABA 000 987 654",
        "ABA:000987654",
        "KH:ABA:000987654",
        "ធនាគារ ABA 000 987 654",
    ],
)
def test_an_aba_account_has_one_value_however_the_app_is_named(
    banks: BankAccountKind, wallets: EwalletKind, raw: str
) -> None:
    indicator = banks.canonicalise(raw, ParseContext("KH"))

    assert indicator.value == "KH:ABA:000987654"
    assert indicator.country == "KH"
    assert banks.looks_like(raw)
    assert not wallets.looks_like(raw)


def test_aba_pay_in_a_message_is_the_bank_account(
    banks: BankAccountKind, wallets: EwalletKind
) -> None:
    text = "កក់មុន $100 តាម ABA Pay 000 987 654 ឈ្មោះ SOK DARA"
    cambodia = ParseContext("KH")

    found = [(f.raw, f.indicator.value) for f in banks.find(text, cambodia)]

    assert found == [("ABA Pay 000 987 654", "KH:ABA:000987654")]
    assert list(wallets.find(text, cambodia)) == []


# --- Names that are also ordinary words --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("ติดต่อสาขากรุงเทพ 081-234-5678 ได้ทุกวัน", "TH"),
        ("กรุงเทพ 081-234-5678", "TH"),
        ("ทหารไทย 081 234 5678 รับสมัคร", "TH"),
        ("Hubungi quân đội 0912 345 678", "VN"),
        ("Liên hệ quân đội 0912345678", "VN"),
        ("Gói cước 500 MB 0912 345 678 giá rẻ", "VN"),
        ("tặng 2 mb 0912345678", "VN"),
        ("Bộ Công Thương 0912 345 678", "VN"),
        ("Xe khách Sài Gòn - Hà Nội 0912 345 678", "VN"),
        ("Đại học Ngoại thương 0912 345 678", "VN"),
        ("Perumahan Permata 0812-3456-7890", "ID"),
        ("ဧရာဝတီ 09 420 123 456 ဆက်သွယ်ပါ", "MM"),
    ],
)
def test_a_bank_name_that_is_an_ordinary_word_does_not_swallow_a_number(
    banks: BankAccountKind, text: str, region: str
) -> None:
    assert list(banks.find(text, ParseContext(region))) == []


@pytest.mark.parametrize(
    ("text", "region", "raw", "canonical"),
    [
        (
            "โอนเข้า ธนาคารกรุงเทพ 123-4-56789-0 ด่วน",
            "TH",
            "ธนาคารกรุงเทพ 123-4-56789-0",
            "TH:BBL:1234567890",
        ),
        ("โอนเข้าบัญชีกรุงเทพ 123-4-56789-0", "TH", "กรุงเทพ 123-4-56789-0", "TH:BBL:1234567890"),
        ("กรุงเทพ เลขที่บัญชี 123-4-56789-0", "TH", "กรุงเทพ เลขที่บัญชี 123-4-56789-0", "TH:BBL:1234567890"),
        (
            "chuyển vào ngân hàng Quân đội 0123 4567 8901",
            "VN",
            "ngân hàng Quân đội 0123 4567 8901",
            "VN:MB:012345678901",
        ),
        ("chuyen khoan MB 0123456789012", "VN", "MB 0123456789012", "VN:MB:0123456789012"),
        ("MB Bank 0123456789012", "VN", "MB Bank 0123456789012", "VN:MB:0123456789012"),
        ("Quan doi STK 0123456789012", "VN", "Quan doi STK 0123456789012", "VN:MB:0123456789012"),
        ("QUÂN ĐỘI 0123456789012", "VN", "QUÂN ĐỘI 0123456789012", "VN:MB:0123456789012"),
        ("ဧရာဝတီဘဏ် 0020 1234 5678 9", "MM", "ဧရာဝတီဘဏ် 0020 1234 5678 9", "MM:AYA:0020123456789"),
    ],
)
def test_a_bank_name_that_is_an_ordinary_word_is_read_with_a_marker(
    banks: BankAccountKind, text: str, region: str, raw: str, canonical: str
) -> None:
    found = [(f.raw, f.indicator.value) for f in banks.find(text, ParseContext(region))]

    assert found == [(raw, canonical)]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Pinjaman dana 0812-3456-7890 cair cepat", "ID"),
        ("Dana 0812 3456 7890", "ID"),
        ("Butuh dana? 0812-3456-7890", "ID"),
        ("Maya 0917 123 4567 ang pangalan ko", "PH"),
        ("Tita Maya 09171234567", "PH"),
        ("Catch the wave 09 420 123 456", "MM"),
    ],
)
def test_a_wallet_name_that_is_an_ordinary_word_does_not_swallow_a_number(
    wallets: EwalletKind, text: str, region: str
) -> None:
    assert list(wallets.find(text, ParseContext(region))) == []


@pytest.mark.parametrize(
    ("text", "region", "raw", "canonical"),
    [
        ("transfer ke DANA 0812-3456-7890", "ID", "DANA 0812-3456-7890", "DANA:+6281234567890"),
        ("dana: 0812 3456 7890", "ID", "dana: 0812 3456 7890", "DANA:+6281234567890"),
        ("kirim ke akun dana 0812 3456 7890", "ID", "dana 0812 3456 7890", "DANA:+6281234567890"),
        ("nomor dana 081234567890", "ID", "dana 081234567890", "DANA:+6281234567890"),
        ("Dana wallet 0812 3456 7890", "ID", "Dana wallet 0812 3456 7890", "DANA:+6281234567890"),
        ("send to MAYA 0917 123 4567", "PH", "MAYA 0917 123 4567", "MAYA:+639171234567"),
        ("e-wallet Maya 0917 123 4567", "PH", "Maya 0917 123 4567", "MAYA:+639171234567"),
        ("PayMaya 0917 123 4567", "PH", "PayMaya 0917 123 4567", "MAYA:+639171234567"),
        ("Wave Money 09 420 123 456", "MM", "Wave Money 09 420 123 456", "WAVE:+959420123456"),
    ],
)
def test_a_wallet_name_that_is_an_ordinary_word_is_read_with_a_marker(
    wallets: EwalletKind, text: str, region: str, raw: str, canonical: str
) -> None:
    found = [(f.raw, f.indicator.value) for f in wallets.find(text, ParseContext(region))]

    assert found == [(raw, canonical)]


@pytest.mark.parametrize(
    ("text", "region", "phone"),
    [
        ("กรุงเทพ 081-234-5678", "TH", "+66812345678"),
        ("Pinjaman dana 0812-3456-7890", "ID", "+6281234567890"),
        ("Maya 0917 123 4567", "PH", "+639171234567"),
        ("quân đội 0912 345 678", "VN", "+84912345678"),
        ("Gói 500 MB 0912 345 678", "VN", "+84912345678"),
    ],
)
def test_the_number_after_an_ordinary_word_stays_a_phone_number(
    text: str, region: str, phone: str
) -> None:
    found = default_registry().extract(text, ParseContext(region))

    assert [(f.indicator.type, f.indicator.value) for f in found] == [(IndicatorType.PHONE, phone)]


def test_a_name_that_is_an_ordinary_word_still_reads_as_a_bare_value(
    banks: BankAccountKind, wallets: EwalletKind
) -> None:
    # A value given to check, or with its type, is read as written: only free text asks
    # for a marker.
    assert banks.canonicalise("กรุงเทพ 123-4-56789-0", THAILAND).value == "TH:BBL:1234567890"
    assert wallets.canonicalise("dana 0812 3456 7890", THAILAND).value == ("DANA:+6281234567890")


# --- E-wallets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical", "country"),
    [
        ("TRUEMONEY:081-234-5678", "TRUEMONEY:+66812345678", "TH"),
        ("true money 0812345678", "TRUEMONEY:+66812345678", "TH"),
        ("TrueMoney Wallet: 081 234 5678", "TRUEMONEY:+66812345678", "TH"),
        ("ทรูมันนี่ 081.234.5678", "TRUEMONEY:+66812345678", "TH"),
        ("พร้อมเพย์ 0812345678", "PROMPTPAY:+66812345678", "TH"),
        ("GCash 0905 123 4567", "GCASH:+639051234567", "PH"),
        ("PayMaya 0905-123-4567", "MAYA:+639051234567", "PH"),
        ("Touch 'n Go: 012-345 6789", "TNG:+60123456789", "MY"),
        ("touch n go 0123456789", "TNG:+60123456789", "MY"),
        ("Boost 012-345 6789", "BOOST:+60123456789", "MY"),
        ("momo:0912345678", "MOMO:+84912345678", "VN"),
        ("Ví MoMo 0912 345 678", "MOMO:+84912345678", "VN"),
        ("Viettel Money 0912345678", "VIETTELMONEY:+84912345678", "VN"),
        ("Pi Pay 091 234 567", "PIPAY:+85591234567", "KH"),
        ("GoPay:0812-345-678", "GOPAY:+62812345678", "ID"),
        ("LinkAja 0812 345 678", "LINKAJA:+62812345678", "ID"),
        ("KBZPay 09 212 3456", "KBZPAY:+9592123456", "MM"),
        ("AYA Pay 09-212-3456", "AYAPAY:+9592123456", "MM"),
        ("U-Money 020 23 123 456", "UMONEY:+8562023123456", "LA"),
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
    "raw",
    [
        "PROMPTPAY:1-2345-67890-12-1",
        "promptpay 1 2345 67890 12 1",
        "พร้อมเพย์ 1234567890121",
        "Prompt Pay: 1-2345-67890-121",
    ],
)
def test_promptpay_national_ids_are_checked_and_kept_as_digits(
    wallets: EwalletKind, raw: str
) -> None:
    indicator = wallets.canonicalise(raw, THAILAND)

    assert indicator.value == f"PROMPTPAY:{VALID_THAI_ID}"
    assert indicator.country == "TH"


def test_promptpay_takes_a_company_tax_id_and_a_15_digit_wallet_id(wallets: EwalletKind) -> None:
    assert wallets.canonicalise("PROMPTPAY:0-1055-12345-67-1", THAILAND).value == (
        "PROMPTPAY:0105512345671"
    )
    assert wallets.canonicalise("PromptPay 004-000-000-123-456", THAILAND).value == (
        "PROMPTPAY:004000000123456"
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("FooPay:0812345678", "'FooPay' is not an e-wallet provider this node knows"),
        ("0812345678", "write it as PROVIDER:id"),
        (f"PROMPTPAY:{BAD_THAI_ID}", "not a valid Thai national ID or Thai tax ID"),
        (
            "PROMPTPAY:12345678",
            "PromptPay ids are a phone number, a national ID number, a tax ID "
            "or a 15-digit e-wallet ID",
        ),
        ("PROMPTPAY:somchai", "PromptPay ids are a phone number"),
        ("GCash: juan.dc", "GCash ids are a phone number"),
        ("TRUEMONEY:12345", "TrueMoney Wallet ids are a phone number"),
        ("TRUEMONEY:+1", "TrueMoney Wallet ids are a phone number"),
    ],
)
def test_wallet_rejections_say_why(wallets: EwalletKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        wallets.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.EWALLET


def _an_id(wallet: Wallet) -> tuple[str, str]:
    """An id the wallet takes, as written and as stored."""
    if "phone" in wallet.id_formats:
        number = phonenumbers.example_number_for_type(
            wallet.country or "TH", phonenumbers.PhoneNumberType.MOBILE
        )
        assert number is not None
        written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return written, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "abc123", "abc123"


@pytest.mark.parametrize("wallet", wallet_table().wallets, ids=lambda wallet: wallet.code)
def test_every_provider_reads_by_its_code_and_names(wallets: EwalletKind, wallet: Wallet) -> None:
    written, stored = _an_id(wallet)

    for name in wallet.names:
        assert wallets.canonicalise(f"{name}: {written}", THAILAND).value == (
            f"{wallet.code}:{stored}"
        ), name


@pytest.mark.parametrize(
    "wallet",
    [wallet for wallet in wallet_table().wallets if "account" in wallet.id_formats],
    ids=lambda wallet: wallet.code,
)
def test_providers_that_take_account_names_keep_them(wallets: EwalletKind, wallet: Wallet) -> None:
    assert wallets.canonicalise(f"{wallet.code.lower()}:abc123", THAILAND).value == (
        f"{wallet.code}:abc123"
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
    text = (
        "โอนทรูมันนี่ 081-234-5678 หรือ ShopeePay: juan.dc หรือ พร้อมเพย์ 1-2345-67890-12-1 "
        "ไม่ใช่ GCash: juan.dc ของฉัน"
    )

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in wallets.find(text, THAILAND)]

    assert found == [
        _at(text, "ทรูมันนี่ 081-234-5678", "TRUEMONEY:+66812345678"),
        _at(text, "ShopeePay: juan.dc", "SHOPEEPAY:juan.dc"),
        _at(text, "พร้อมเพย์ 1-2345-67890-12-1", f"PROMPTPAY:{VALID_THAI_ID}"),
    ]
