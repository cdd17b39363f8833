"""Crypto wallets: BTC (base58check, bech32, bech32m), ETH (EIP-55) and TRON, checksums enforced."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from scamintel.indicators.crypto import CryptoWalletKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext

THAILAND = ParseContext("TH")

TRON_USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
BTC_P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
# BIP-173 and BIP-350 test vectors.
BTC_P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
BTC_P2WSH = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"
BTC_P2TR = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
# EIP-55 test vectors.
ETH_CHECKSUMMED = (
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
)

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M = 0x2BC830A3


def _bech32_address(version: int, program: bytes, constant: int) -> str:
    """Encode a segwit address with the checksum constant given (to build wrong ones)."""

    def polymod(values: Sequence[int]) -> int:
        checksum = 1
        generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
        for value in values:
            top = checksum >> 25
            checksum = (checksum & 0x1FFFFFF) << 5 ^ value
            for bit, generator in enumerate(generators):
                if (top >> bit) & 1:
                    checksum ^= generator
        return checksum

    accumulator = bits = 0
    data = [version]
    for byte in program:
        accumulator = (accumulator << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((accumulator >> bits) & 31)
    if bits:
        data.append((accumulator << (5 - bits)) & 31)
    expanded = [3, 3, 0, 2, 3]  # "bc" expanded per BIP-173
    checksum = polymod(expanded + data + [0] * 6) ^ constant
    data += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(_CHARSET[value] for value in data)


@pytest.fixture(scope="module")
def kind() -> CryptoWalletKind:
    return CryptoWalletKind()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (TRON_USDT, f"TRON:{TRON_USDT}"),
        (f"TRON:{TRON_USDT}", f"TRON:{TRON_USDT}"),
        (f"trc20: {TRON_USDT}", f"TRON:{TRON_USDT}"),
        (f"USDT (TRC20): {TRON_USDT}", f"TRON:{TRON_USDT}"),
        (BTC_P2PKH, f"BTC:{BTC_P2PKH}"),
        (BTC_P2SH, f"BTC:{BTC_P2SH}"),
        (f"btc:{BTC_P2PKH}", f"BTC:{BTC_P2PKH}"),
        (f"bitcoin:{BTC_P2PKH}?amount=0.5", f"BTC:{BTC_P2PKH}"),
        (BTC_P2WPKH, f"BTC:{BTC_P2WPKH}"),
        (BTC_P2WPKH.upper(), f"BTC:{BTC_P2WPKH}"),
        (BTC_P2WSH, f"BTC:{BTC_P2WSH}"),
        (BTC_P2TR, f"BTC:{BTC_P2TR}"),
        (f"erc20:{ETH_CHECKSUMMED[1]}", f"ETH:{ETH_CHECKSUMMED[1]}"),
        (f"eth: {ETH_CHECKSUMMED[0]}", f"ETH:{ETH_CHECKSUMMED[0]}"),
    ],
)
def test_address_becomes_chain_and_address(
    kind: CryptoWalletKind, raw: str, canonical: str
) -> None:
    indicator = kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.CRYPTO_WALLET
    assert indicator.value == canonical


@pytest.mark.parametrize("checksummed", ETH_CHECKSUMMED)
def test_ethereum_address_in_one_case_becomes_its_eip55_form(
    kind: CryptoWalletKind, checksummed: str
) -> None:
    for written in (checksummed.lower(), "0x" + checksummed[2:].upper(), checksummed):
        assert kind.canonicalise(written, THAILAND).value == f"ETH:{checksummed}"


def test_ethereum_address_with_wrong_mixed_case_has_a_bad_checksum(
    kind: CryptoWalletKind,
) -> None:
    wrong = ETH_CHECKSUMMED[0][:-2] + "ED"

    with pytest.raises(InvalidIndicatorError, match="bad checksum") as caught:
        kind.canonicalise(wrong, THAILAND)

    assert caught.value.indicator_type is IndicatorType.CRYPTO_WALLET


@pytest.mark.parametrize(
    "mistyped",
    [TRON_USDT[:-1] + "u", BTC_P2PKH[:-1] + "b", BTC_P2WPKH[:-1] + "5", BTC_P2TR[:-1] + "q"],
)
def test_mistyped_address_has_a_bad_checksum(kind: CryptoWalletKind, mistyped: str) -> None:
    with pytest.raises(InvalidIndicatorError, match="bad checksum"):
        kind.canonicalise(mistyped, THAILAND)


def test_segwit_v0_with_a_bech32m_checksum_is_rejected(kind: CryptoWalletKind) -> None:
    address = _bech32_address(0, bytes(range(20)), _BECH32M)

    with pytest.raises(InvalidIndicatorError, match="needs a bech32 checksum"):
        kind.canonicalise(address, THAILAND)


def test_taproot_with_a_bech32_checksum_is_rejected(kind: CryptoWalletKind) -> None:
    address = _bech32_address(1, bytes(range(32)), 1)

    with pytest.raises(InvalidIndicatorError, match="needs a bech32m checksum"):
        kind.canonicalise(address, THAILAND)


def test_test_helper_encodes_the_bip173_vector() -> None:
    program = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")

    assert _bech32_address(0, program, 1) == BTC_P2WPKH


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "all lowercase or all uppercase"),
        ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "not a BTC, ETH or TRON address"),
        ("bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "bad checksum"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "0x and 40 hexadecimal digits"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", "T and 33 base58 characters"),
        (f"btc:{ETH_CHECKSUMMED[0]}", "labelled BTC but written as a ETH address"),
        (f"doge:{BTC_P2PKH}", "not a chain this node reads"),
        ("LTC1qhello", "not a BTC, ETH or TRON address"),
    ],
)
def test_rejections_say_why(kind: CryptoWalletKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason):
        kind.canonicalise(raw, THAILAND)


@pytest.mark.parametrize(
    "raw",
    [TRON_USDT, f"trc20:{TRON_USDT}", BTC_P2PKH, BTC_P2WSH, ETH_CHECKSUMMED[2].lower()],
)
def test_looks_like_each_address_shape(kind: CryptoWalletKind, raw: str) -> None:
    assert kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw", ["0812345678", "+66812345678", "kbank.com", "line:scam_boss", f"doge:{BTC_P2PKH}"]
)
def test_looks_like_refuses_other_values(kind: CryptoWalletKind, raw: str) -> None:
    assert not kind.looks_like(raw)


def test_find_reads_valid_addresses_and_skips_bad_checksums(kind: CryptoWalletKind) -> None:
    text = (
        f"โอน USDT ไปที่{TRON_USDT}เท่านั้น, ห้ามใช้ {TRON_USDT[:-1]}u; "
        f"ETH {ETH_CHECKSUMMED[0].lower()} BTC {BTC_P2WPKH}."
    )

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in kind.find(text, THAILAND)]

    expected = [
        (TRON_USDT, f"TRON:{TRON_USDT}"),
        (ETH_CHECKSUMMED[0].lower(), f"ETH:{ETH_CHECKSUMMED[0]}"),
        (BTC_P2WPKH, f"BTC:{BTC_P2WPKH}"),
    ]
    assert found == [
        (raw, value, text.index(raw), text.index(raw) + len(raw)) for raw, value in expected
    ]


def test_find_does_not_read_a_transaction_hash_as_an_address(kind: CryptoWalletKind) -> None:
    tx_hash = "0x" + "ab" * 32

    assert list(kind.find(f"tx {tx_hash}", THAILAND)) == []
