"""The bank and e-wallet tables (``indicators/data/banks.csv`` and ``ewallets.csv``) and the
account values read with them."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.indicators.banks import (
    BANK_COLUMNS,
    NAME_NOISE,
    WALLET_COLUMNS,
    Bank,
    BankDataError,
    bank_table,
    name_key,
    parse_banks,
    parse_wallets,
    wallet_table,
)
from scamintel.indicators.financial import BankAccountKind
from scamintel.indicators.model import ParseContext

COUNTRIES = ("TH", "MY", "SG", "VN", "ID", "PH", "MM", "KH", "LA")
# Codes values were stored under before the table moved to a data file: never change them.
FIRST_CODES = {
    "TH": {"KBANK", "SCB", "BBL", "KTB", "BAY", "TTB", "GSB"},
    "MY": {"MAYBANK", "CIMB", "PBB"},
    "SG": {"DBS", "OCBC", "UOB"},
    "VN": {"VCB", "TCB", "MB"},
    "ID": {"BCA", "BRI", "MANDIRI", "BNI"},
    "PH": {"BDO", "BPI", "METROBANK"},
    "KH": {"ABA", "ACLEDA"},
    "MM": {"KBZ", "CB", "AYA"},
    "LA": {"BCEL"},
}
# ABA was an e-wallet too until ABA Pay became a name of the ABA Bank row: ABA Pay ids are ABA
# account numbers, and one account must have one value (KH:ABA:digits).
FIRST_PROVIDERS = {
    "PROMPTPAY",
    "TRUEMONEY",
    "GCASH",
    "MAYA",
    "GOPAY",
    "OVO",
    "DANA",
    "MOMO",
    "ZALOPAY",
    "WAVE",
    "KBZPAY",
    "WING",
    "TNG",
    "GRABPAY",
    "SHOPEEPAY",
}
# How national bank codes look, by country (where the table has them).
NATIONAL_CODE = {"TH": r"\d{3}", "ID": r"\d{3}", "SG": r"\d{4}", "VN": r"970\d{3}"}
BANKS = bank_table().banks
HEADER = ",".join(BANK_COLUMNS)
WALLET_HEADER = ",".join(WALLET_COLUMNS)


def _bank_id(bank: Bank) -> str:
    return f"{bank.country}:{bank.code}"


@pytest.fixture(scope="module")
def kind() -> BankAccountKind:
    return BankAccountKind()


def test_the_data_files_parse_and_carry_a_version() -> None:
    assert bank_table().version
    assert wallet_table().version
    assert len(BANKS) >= 90
    assert len(wallet_table().wallets) >= 30


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_country_has_its_main_banks(country: str) -> None:
    codes = {bank.code for bank in BANKS if bank.country == country}

    assert FIRST_CODES[country] <= codes
    assert len(codes) >= (5 if country in ("MM", "KH", "LA") else 8)


def test_the_first_providers_keep_their_codes() -> None:
    assert {wallet.code for wallet in wallet_table().wallets} >= FIRST_PROVIDERS


def test_codes_are_unique_per_country() -> None:
    counts = Counter((bank.country, bank.code) for bank in BANKS)

    assert [key for key, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("bank", [bank for bank in BANKS if bank.swift], ids=_bank_id)
def test_every_swift_prefix_is_8_characters_of_a_bic_in_the_banks_country(bank: Bank) -> None:
    assert re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}", bank.swift)
    assert bank.swift[4:6] == bank.country


@pytest.mark.parametrize("bank", [bank for bank in BANKS if bank.national_code], ids=_bank_id)
def test_national_codes_have_their_countrys_shape(bank: Bank) -> None:
    assert re.fullmatch(NATIONAL_CODE[bank.country], bank.national_code)


def test_national_codes_are_unique_per_country() -> None:
    counts = Counter((bank.country, bank.national_code) for bank in BANKS if bank.national_code)

    assert [key for key, count in counts.items() if count > 1] == []


def test_every_bank_has_a_source_and_lengths_in_range() -> None:
    for bank in BANKS:
        assert bank.source, bank
        assert all(6 <= n <= 20 for n in bank.account_lengths), bank


def test_a_name_names_one_bank_per_country() -> None:
    seen: dict[tuple[str, str], str] = {}
    for bank in BANKS:
        for name in bank.names:
            assert seen.setdefault((bank.country, name_key(name)), bank.code) == bank.code, name


def test_bank_and_wallet_names_never_meet() -> None:
    bank_keys = {name_key(name) for bank in BANKS for name in bank.names}
    wallet_keys = {name_key(name) for wallet in wallet_table().wallets for name in wallet.names}

    assert bank_keys & wallet_keys == set()


def test_aba_pay_and_aba_mobile_are_names_of_aba_bank() -> None:
    for name in ("ABA Pay", "ABAPay", "ABA Mobile", "ABA"):
        assert [_bank_id(bank) for bank in bank_table().named(name)] == ["KH:ABA"], name
        assert wallet_table().named(name) is None, name


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("กรุงเทพ", True),
        ("Bangkok Bank", False),
        ("MB", True),
        ("mb", True),
        ("Quan  doi", True),
        ("MBBank", False),
        ("Kasikorn", False),
    ],
)
def test_names_that_are_ordinary_words_are_listed(name: str, word: bool) -> None:
    assert bank_table().is_word_name(name) is word


def test_wallet_names_that_are_ordinary_words_are_listed() -> None:
    assert wallet_table().is_word_name("dana")
    assert wallet_table().is_word_name("Maya")
    assert not wallet_table().is_word_name("PayMaya")
    assert not wallet_table().is_word_name("GCash")


def test_every_word_name_is_one_of_its_rows_names() -> None:
    for bank in BANKS:
        keys = {name_key(name) for name in bank.names}
        assert all(name_key(word) in keys for word in bank.word_names), bank
    for wallet in wallet_table().wallets:
        keys = {name_key(name) for name in wallet.names}
        assert all(name_key(word) in keys for word in wallet.word_names), wallet


def test_every_local_script_is_in_the_table() -> None:
    local = "".join(name for bank in BANKS for name in bank.local_names)

    for script, first, last in [
        ("Thai", "\u0e00", "\u0e7f"),
        ("Burmese", "\u1000", "\u109f"),
        ("Khmer", "\u1780", "\u17ff"),
        ("Lao", "\u0e80", "\u0eff"),
    ]:
        assert any(first <= char <= last for char in local), script


def test_the_first_cuts_mapping_is_still_there() -> None:
    from scamintel.indicators.banks import BANKS as FIRST_CUT

    assert "กสิกร" in FIRST_CUT["TH"]["KBANK"]
    assert set(FIRST_CUT) == set(COUNTRIES)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("TH,KBANK,Kasikornbank,,,,004,KASITHBK,10,x\nTH,KBANK,Other,,,,,,,x", "already in the"),
        ("TH,KBANK,Kasikornbank,,,,004,KASIMYBK,10,x", "not 8 characters of a BIC in TH"),
        ("TH,KBANK,Kasikornbank,,,,004,KASITH,10,x", "not 8 characters"),
        ("TH,KBANK,Kasikornbank,,,,004,,ten,x", "not whole numbers"),
        ("TH,KBANK,Kasikornbank,,,,004,,25,x", "outside 6-20 digits"),
        ("TH,KBANK,Kasikornbank,,,,,,,", "source is empty"),
        ("Thailand,KBANK,Kasikornbank,,,,,,,x", "not an ISO alpha-2"),
        ("TH,K BANK,Kasikornbank,,,,,,,x", "capital letters and digits"),
        ("TH,KBANK,Kasikornbank,,K-Bank,,,,,x\nTH,SCB,SCB,,KBank,,,,,x", "already names TH:KBANK"),
        ("VN,BIDV,BIDV,Đầu tư,,,,,,x", "write it in ASCII"),
        ("TH,KBANK,Kasikornbank,,KBANK:1,,,,,x", "has a colon"),
        ("TH,KBANK,Kasikornbank,,,,,,", "9 fields, not 10"),
    ],
)
def test_a_bad_row_is_refused_naming_its_line(row: str, message: str) -> None:
    with pytest.raises(BankDataError, match=message) as caught:
        parse_banks(f"# version: test\n{HEADER}\n{row}\n", "banks.csv")

    assert "banks.csv, line 3" in str(caught.value) or "line 4" in str(caught.value)


def test_a_file_with_other_columns_is_refused() -> None:
    with pytest.raises(BankDataError, match="the columns are"):
        parse_banks("country,code,name\nTH,KBANK,Kasikornbank\n")


def test_a_wallet_with_an_unknown_id_format_is_refused() -> None:
    header = WALLET_HEADER

    with pytest.raises(BankDataError, match="id formats"):
        parse_wallets(f"{header}\nFOOPAY,TH,FooPay,,,,email,,x\n")


def test_a_word_name_must_be_one_of_the_rows_names() -> None:
    with pytest.raises(BankDataError, match="word name 'Bangkok' is not one of the row's names"):
        parse_banks(f"# version: test\n{HEADER}\nTH,BBL,Bangkok Bank,กรุงเทพ,,Bangkok,,,,x\n")
    with pytest.raises(BankDataError, match="word name 'funds'"):
        parse_wallets(f"{WALLET_HEADER}\nDANA,ID,DANA,,,funds,phone,,x\n")


def test_word_names_are_read_from_their_column() -> None:
    table = parse_banks(f"# version: test\n{HEADER}\nTH,BBL,Bangkok Bank,กรุงเทพ,,กรุงเทพ,,,,x\n")

    assert table.banks[0].word_names == ("กรุงเทพ",)
    assert table.is_word_name("กรุงเทพ")
    assert not table.is_word_name("Bangkok Bank")


@pytest.mark.parametrize("bank", BANKS, ids=_bank_id)
def test_every_bank_reads_by_each_of_its_names_in_its_country(
    kind: BankAccountKind, bank: Bank
) -> None:
    digits = _digits_for(bank)
    context = ParseContext(bank.country)
    expected = f"{bank.country}:{bank.code}:{digits}"

    for name in bank.names:
        assert kind.canonicalise(f"{name} {digits}", context).value == expected, name
    assert kind.canonicalise(f"{bank.country}:{bank.code.lower()}:{digits}", context).value == (
        expected
    )


def _digits_for(bank: Bank, length: int | None = None) -> str:
    length = length or (bank.account_lengths[0] if bank.account_lengths else 10)
    return ("0123456789" * 2)[:length]


# --- Property: one account, every supported way of writing it, one value ------------------------


def _cased(text: str, flips: list[bool]) -> str:
    return "".join(
        char.swapcase() if flips[index % len(flips)] else char for index, char in enumerate(text)
    )


@st.composite
def _written_accounts(draw: st.DrawFn) -> tuple[Bank, str, str]:
    """A bank, one of its accounts as canonical value, and that account written some way."""
    bank = draw(st.sampled_from(BANKS))
    if bank.account_lengths:
        length = draw(st.sampled_from(bank.account_lengths))
    else:
        length = draw(st.integers(6, 20))
    digits = draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    separators = draw(
        st.lists(st.sampled_from(["", "", " ", "-", "."]), min_size=length - 1, max_size=length - 1)
    )
    number = digits[0] + "".join(sep + d for sep, d in zip(separators, digits[1:], strict=True))
    name = draw(st.sampled_from(bank.names))
    parts = [part for part in NAME_NOISE.split(name) if part]
    glue = [draw(st.sampled_from(["", " ", "-", ".", "_"])) for _ in parts[1:]]
    name = parts[0] + "".join(g + part for g, part in zip(glue, parts[1:], strict=True))
    name = _cased(name, draw(st.lists(st.booleans(), min_size=1, max_size=3)))
    style = draw(st.integers(0, 4))
    written = [
        f"{name} {number}",
        f"{name}: {number}",
        f"{bank.country}:{bank.code.lower()}:{number}",
        f"{name} account no. {number}",
        f"{bank.code}:{number}",
    ][style]
    return bank, f"{bank.country}:{bank.code}:{digits}", written


@settings(max_examples=400, deadline=None)
@given(account=_written_accounts())
def test_every_written_style_of_an_account_reads_as_one_value(
    account: tuple[Bank, str, str],
) -> None:
    bank, canonical, written = account
    kind = BankAccountKind()

    indicator = kind.canonicalise(written, ParseContext(bank.country))

    assert indicator.value == canonical
    assert indicator.country == bank.country


@settings(max_examples=200, deadline=None)
@given(account=_written_accounts(), region=st.sampled_from(COUNTRIES))
def test_canonicalising_an_account_is_idempotent(
    account: tuple[Bank, str, str], region: str
) -> None:
    bank, _, written = account
    kind = BankAccountKind()
    once = kind.canonicalise(written, ParseContext(bank.country))

    twice = kind.canonicalise(once.value, ParseContext(region))

    assert twice == once
