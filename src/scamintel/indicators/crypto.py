"""Crypto wallets: ``<CHAIN>:<address>`` for Bitcoin, Ethereum (and EVM tokens) and TRON, every
address checked against its checksum so a mistyped address never matches a real one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import base58
from Crypto.Hash import keccak

from scamintel.indicators._scan import FOUND_CACHE_SIZE, matches_at, views
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)

BTC = "BTC"
ETH = "ETH"
TRON = "TRON"

# How people label the chain in front of an address; USDT is sent over all three.
_CHAIN_PREFIXES = {
    "btc": BTC,
    "bitcoin": BTC,
    "eth": ETH,
    "ethereum": ETH,
    "erc20": ETH,
    "usdterc20": ETH,
    "tron": TRON,
    "trx": TRON,
    "trc20": TRON,
    "usdttrc20": TRON,
}
_PREFIX = re.compile(r"(?P<chain>[A-Za-z][A-Za-z0-9 _\-()]{1,14}?)\s*:\s*(?P<address>.+)")
_PREFIX_NOISE = re.compile(r"[\s_\-()]")

_B58 = "1-9A-HJ-NP-Za-km-z"
_ETH_SHAPE = re.compile(r"0[xX][0-9a-fA-F]{40}")
_TRON_SHAPE = re.compile(rf"T[{_B58}]{{33}}")
_BTC_BASE58_SHAPE = re.compile(rf"[13][{_B58}]{{25,34}}")
_BECH32_SHAPE = re.compile(r"(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}")
_ADDRESS_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    + "|".join(p.pattern for p in (_ETH_SHAPE, _TRON_SHAPE, _BTC_BASE58_SHAPE, _BECH32_SHAPE))
    + r")(?![0-9A-Za-z])"
)

# Where _ADDRESS_IN_TEXT may match: at a character that starts one of the address shapes
# with enough of it following (a match takes the one character, so every start is found).
_ADDRESS_START = re.compile(
    rf"0(?=[xX][0-9a-fA-F]{{40}})|T(?=[{_B58}]{{33}})|1(?=[{_B58}]{{25}})|3(?=[{_B58}]{{25}})"
    r"|b(?=c1)|B(?=C1)"
)

_LONG_RUN = b"\x01" * 26  # base58: 1 or 3 and 25 or more; TRON 34; Ethereum 42

_TRON_VERSION = 0x41
_BTC_VERSIONS = frozenset({0x00, 0x05})  # P2PKH, P2SH
_HASH160_PAYLOAD = 21  # version byte and a 20-byte hash, checksum already removed

_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_VALUES = {char: value for value, char in enumerate(_BECH32_CHARSET)}
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CONST = 1  # BIP-173, witness version 0
_BECH32M_CONST = 0x2BC830A3  # BIP-350, witness versions 1 to 16
_BTC_HRP = "bc"


def _invalid(raw: str, reason: str) -> InvalidIndicatorError:
    return InvalidIndicatorError(raw, reason, IndicatorType.CRYPTO_WALLET)


def _eip55(hex_address: str) -> str:
    """``0x`` and the EIP-55 mixed-case form of 40 lowercase hex digits."""
    digest = keccak.new(digest_bits=256, data=hex_address.encode("ascii")).hexdigest()
    checksummed = (
        char.upper() if char.isalpha() and int(nibble, 16) >= 8 else char
        for char, nibble in zip(hex_address, digest, strict=False)
    )
    return "0x" + "".join(checksummed)


def _ethereum(raw: str, address: str) -> str:
    if _ETH_SHAPE.fullmatch(address) is None:
        raise _invalid(raw, "an Ethereum address is 0x and 40 hexadecimal digits")
    digits = address[2:]
    checksummed = _eip55(digits.lower())
    # One case throughout means no checksum was written; mixed case is an EIP-55 checksum.
    if digits != digits.lower() and digits != digits.upper() and digits != checksummed[2:]:
        raise _invalid(raw, "bad checksum: the mixed-case letters do not match EIP-55")
    return checksummed


def _base58check(raw: str, address: str, chain: str) -> bytes:
    try:
        payload: bytes = base58.b58decode_check(address)
    except ValueError as error:
        if "checksum" in str(error).lower():
            raise _invalid(raw, f"bad checksum: not a valid {chain} base58check address") from None
        raise _invalid(raw, f"not a {chain} address: it is not base58") from None
    if len(payload) != _HASH160_PAYLOAD:
        raise _invalid(raw, f"not a {chain} address: it decodes to the wrong length")
    return payload


def _tron(raw: str, address: str) -> str:
    if _TRON_SHAPE.fullmatch(address) is None:
        raise _invalid(raw, "a TRON address is T and 33 base58 characters")
    if _base58check(raw, address, TRON)[0] != _TRON_VERSION:
        raise _invalid(raw, "not a TRON address: its version byte is not 0x41")
    return address


def _bitcoin_base58(raw: str, address: str) -> str:
    if _BTC_BASE58_SHAPE.fullmatch(address) is None:
        raise _invalid(raw, "a legacy Bitcoin address is 1 or 3 and 25 to 34 base58 characters")
    if _base58check(raw, address, BTC)[0] not in _BTC_VERSIONS:
        raise _invalid(raw, "not a mainnet Bitcoin P2PKH or P2SH address")
    return address


def _bech32_polymod(values: Sequence[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_BECH32_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]


def _convert_bits(data: Sequence[int], from_bits: int, to_bits: int) -> list[int] | None:
    """Regroup bits without padding (BIP-173 decoding); None when the padding is not zero."""
    accumulator = bits = 0
    result: list[int] = []
    mask = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & mask)
    if bits >= from_bits or (accumulator << (to_bits - bits)) & mask:
        return None
    return result


def _bitcoin_segwit(raw: str, address: str) -> str:
    if address != address.lower() and address != address.upper():
        raise _invalid(raw, "a bech32 address is all lowercase or all uppercase")
    address = address.lower()
    hrp, _, data_part = address.rpartition("1")
    if hrp != _BTC_HRP or len(address) > 90 or len(data_part) < 6:
        raise _invalid(raw, "not a mainnet Bitcoin bech32 address")
    if not _BECH32_VALUES.keys() >= set(data_part):
        raise _invalid(raw, "not a bech32 address: it has characters outside the bech32 set")
    data = [_BECH32_VALUES[char] for char in data_part]
    constant = _bech32_polymod(_hrp_expand(hrp) + data)
    if constant not in (_BECH32_CONST, _BECH32M_CONST):
        raise _invalid(raw, "bad checksum: not a valid bech32 address")
    _check_witness(raw, data[0] if len(data) > 6 else -1, data[1:-6], constant)
    return address


def _check_witness(raw: str, version: int, program_5bit: Sequence[int], constant: int) -> None:
    program = _convert_bits(program_5bit, 5, 8)
    if version < 0 or version > 16 or program is None or not 2 <= len(program) <= 40:
        raise _invalid(raw, "not a valid segwit address: bad witness program")
    if version == 0 and len(program) not in (20, 32):
        raise _invalid(raw, "not a valid segwit v0 address: the program is 20 or 32 bytes")
    expected = _BECH32_CONST if version == 0 else _BECH32M_CONST
    if constant != expected:
        variant = "bech32" if version == 0 else "bech32m"
        raise _invalid(raw, f"bad checksum: witness version {version} needs a {variant} checksum")


def _reader(address: str) -> tuple[str, Callable[[str, str], str]] | None:
    """The chain an address is written for, by its shape, and the function that checks it."""
    if address[:2] in ("0x", "0X"):
        return ETH, _ethereum
    if address[:3] in ("bc1", "BC1"):
        return BTC, _bitcoin_segwit
    if address[:1] == "T":
        return TRON, _tron
    if address[:1] in ("1", "3"):
        return BTC, _bitcoin_base58
    return None


def _split_prefix(raw: str, value: str) -> tuple[str | None, str]:
    match = _PREFIX.fullmatch(value)
    if match is None:
        return None, value
    label = _PREFIX_NOISE.sub("", match["chain"]).lower()
    chain = _CHAIN_PREFIXES.get(label)
    if chain is None:
        raise _invalid(raw, f"{match['chain']!r} is not a chain this node reads (BTC, ETH, TRON)")
    # BIP-21 payment links carry an amount and a label after the address.
    return chain, match["address"].partition("?")[0].strip()


class CryptoWalletKind:
    """Wallet addresses on BTC, ETH and TRON, checksums verified."""

    type = IndicatorType.CRYPTO_WALLET

    def __init__(self) -> None:
        # Checking a checksum costs a hash; the same wallets come back report after report.
        self._address_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_address)

    def _read_address(self, value: str, region: str) -> Indicator | None:
        try:
            return self.canonicalise(value, ParseContext(region))
        except InvalidIndicatorError:
            return None

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        named_chain, address = _split_prefix(raw, raw.strip())
        reader = _reader(address)
        if reader is None:
            raise _invalid(raw, "it is not a BTC, ETH or TRON address")
        chain, read = reader
        if named_chain is not None and named_chain != chain:
            raise _invalid(raw, f"it is labelled {named_chain} but written as a {chain} address")
        return Indicator(IndicatorType.CRYPTO_WALLET, f"{chain}:{read(raw, address)}")

    def looks_like(self, raw: str) -> bool:
        value = raw.strip()
        match = _PREFIX.fullmatch(value)
        if match is not None:
            label = _PREFIX_NOISE.sub("", match["chain"]).lower()
            if label not in _CHAIN_PREFIXES:
                return False
            value = match["address"].partition("?")[0].strip()
        return any(
            shape.fullmatch(value) is not None
            for shape in (_ETH_SHAPE, _TRON_SHAPE, _BECH32_SHAPE, _BTC_BASE58_SHAPE)
        )

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        # Every address is a run of at least 26 ASCII letters and digits, or starts "bc1".
        seen = views(text)
        if _LONG_RUN not in seen.alnum and b"bc1" not in seen.skeleton:
            return
        starts = [start.start() for start in _ADDRESS_START.finditer(text)]
        for match in matches_at(_ADDRESS_IN_TEXT, text, starts):
            indicator = self._address_in_text(match.group(), context.default_region)
            if indicator is None:
                continue
            yield FoundIndicator(indicator, match.group(), match.start(), match.end())
