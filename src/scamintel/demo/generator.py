"""Seeded generator of synthetic scam reports, each filed against one invented operation.

The generator first plans every operation (base, targets, scam types, lifetime, size), then
streams reports: each takes its operation from a shuffled assignment, so operation sizes are
exact and heavy-tailed, names a few of that operation's phones, mule accounts, wallets, sites
and handles (built the first time a report needs them) written the way victims write them, and
sometimes carries noise (the victim's own number, an official hotline, a typo). Nothing here
describes a real person.
"""

from __future__ import annotations

import math
import string
import time
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, product
from random import Random
from typing import Generic, NamedTuple, TypeVar

import base58
import phonenumbers
from Crypto.Hash import keccak

from scamintel.demo.catalogue import (
    ADJECTIVES,
    ARCHETYPES,
    BASES,
    BENIGN_BY_COUNTRY,
    BRAND_CATEGORY,
    BRAND_PATTERNS,
    DOMAIN_WORDS,
    EMAIL_LOCALS,
    HISTORY_DAYS,
    OTHER_PATTERNS,
    PHONE_PLANS,
    REFERENCE_DATE,
    REPORTER_MAIL_DOMAINS,
    SCAM_PROFILES,
    THAI_ROMAN,
    TLDS_BRAND,
    TLDS_OTHER,
    VICTIM_COUNTRIES,
    Base,
    PhonePlan,
    ScamProfile,
    VictimCountry,
)
from scamintel.demo.narratives import TEXTS

_T = TypeVar("_T")

_SPAN_SECONDS = HISTORY_DAYS * 86_400
_WINDOW_START = int(REFERENCE_DATE.timestamp()) - _SPAN_SECONDS

_OWN_PHONE_RATE = 0.05
_HOTLINE_RATE = 0.03
_TYPO_RATE = 0.02
_UNTYPED_RATE = 0.30
_OTHER_TYPE_RATE = 0.02
_MENTION_RATE = 0.7

# The mobile ranges in PHONE_PLANS end in at least four free digits in libphonenumber's
# metadata, so a block of 10,000 numbers sharing everything else is valid as a whole once both
# its ends are. That hands out a million numbers for a few thousand validity checks (the tests
# still check every number they see).
_BLOCK_DIGITS = 4
_BLOCK_SIZE = 10_000  # 10 ** _BLOCK_DIGITS
_BLOCK_STRIDE = 7_919  # coprime with the block size, so consecutive victims look unrelated
_VICTIM_LANES = 64
# SIM cards are bought in batches; operations draw from this many batches per country.
_SIM_BATCHES = 500

_INDICATOR_TYPE: Mapping[str, str] = {
    "phone": "phone",
    "bank": "bank_account",
    "ewallet": "ewallet",
    "tron": "crypto_wallet",
    "eth": "crypto_wallet",
    "url": "url",
    "domain": "domain",
    "email": "email",
    "line": "handle",
    "telegram": "handle",
}
_SENTENCE_KEY: Mapping[str, str] = {
    "bank": "bank",
    "ewallet": "ewallet",
    "tron": "crypto",
    "eth": "crypto",
    "url": "url",
    "domain": "domain",
    "email": "email",
    "line": "line",
    "telegram": "telegram",
}
# What a victim reached through a channel can always name.
_CHANNEL_KIND: Mapping[str, str] = {
    "call": "phone",
    "sms": "phone",
    "whatsapp": "phone",
    "line": "line",
    "telegram": "telegram",
    "email": "email",
    "web": "url",
}
_PHONE_SENTENCE: Mapping[str, str] = {"sms": "sms", "whatsapp": "whatsapp"}

# Phone styles (see render_phone): national dashed, national spaced, national compact,
# "+CC grouped", "+CC compact", "CC compact" (no plus), "+CC-dashed", national with one break.
_DOMESTIC_STYLES: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 7)
_DOMESTIC_STYLE_WEIGHTS: tuple[float, ...] = (3, 2, 4, 2, 2, 1, 0.5, 1)
# A foreign number dialled from the victim's country only works written internationally.
_FOREIGN_STYLES: tuple[int, ...] = (3, 4, 6)
_FOREIGN_STYLE_WEIGHTS: tuple[float, ...] = (5, 3, 1)
_NATIONAL_STYLES: tuple[int, ...] = (0, 1, 2, 7)
_NATIONAL_STYLE_WEIGHTS: tuple[float, ...] = (3, 2, 4, 1)
# How many of its operation's indicators a report names.
_SIZE_WEIGHTS: tuple[float, ...] = (35, 35, 20, 10)

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_HEX = "0123456789abcdef"
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_HANDLE_WORDS: tuple[str, ...] = (
    "official", "support", "vip", "team", "service", "admin", "cs", "club", "group", "hq",
    "center", "help",
)  # fmt: skip
_MONEY_EN: Mapping[str, str] = {
    "THB": "THB ",
    "MYR": "RM",
    "SGD": "S$",
    "VND": "VND ",
    "IDR": "Rp",
    "PHP": "PHP ",
}
_BANK_GROUPS: Mapping[str, tuple[int, ...]] = {
    bank.code: bank.groups for country in VICTIM_COUNTRIES.values() for bank in country.banks
}
_EWALLET_NAMES: Mapping[str, str] = {
    code: name for country in VICTIM_COUNTRIES.values() for code, name in country.ewallets
}


class _Weighted(Generic[_T]):
    """Items with weights, ready for one bisection per draw."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[_T], weights: Sequence[float]) -> None:
        cum = list(accumulate(weights))
        self.total = cum[-1]
        # random() * total can round up to total itself; nothing can pass infinity.
        cum[-1] = math.inf
        self.items = tuple(items)
        self.cum = tuple(cum)


class _Dice:
    """Draws from one seeded stream; ``Random.choice`` and ``choices`` cost several times more
    per call, which matters a million reports in."""

    __slots__ = ("random", "rng")

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.random = rng.random

    def pick(self, items: Sequence[_T]) -> _T:
        return items[int(self.random() * len(items))]

    def weighted(self, table: _Weighted[_T]) -> _T:
        return table.items[bisect_right(table.cum, self.random() * table.total)]

    def below(self, bound: int) -> int:
        return int(self.random() * bound)

    def digits(self, count: int) -> str:
        # Chunks of nine keep every digit uniform within a double's 53 bits.
        out = ""
        while count > 0:
            width = min(count, 9)
            out += f"{int(self.random() * 10**width):0{width}d}"
            count -= width
        return out


class Ref(NamedTuple):
    """One piece of an operation's infrastructure, before anyone writes it down."""

    kind: str  # phone bank ewallet tron eth url domain email line telegram
    region: str  # country of phones, accounts and wallets; "" otherwise
    value: str  # NSN, account digits, address, URL, domain, e-mail or handle id
    extra: str = ""  # bank code or e-wallet provider


@dataclass(slots=True)
class _Pool:
    """An operation's infrastructure aimed at one victim country.

    ``refs`` is filled per kind on first use ("phone", "bank", "url:investment", ...): most
    operations are small and never use most kinds, and building every kind up front cost more
    than writing the reports.
    """

    country: VictimCountry
    expected: float  # reports the operation files against this country
    refs: dict[str, list[Ref]]


@dataclass(slots=True)
class _Operation:
    id: str
    base: Base
    targets: _Weighted[str]
    types: _Weighted[str]
    size: int
    start: float  # seconds after the start of the window
    duration: float
    pools: dict[str, _Pool]
    # Built on first use: numbers of the base country (always written internationally) and
    # crypto wallets, shared by every target country.
    refs: dict[str, list[Ref]]


class _Claims:
    """Every value handed out so far, so no two operations share one by accident and no typo
    lands on a real indicator."""

    def __init__(self) -> None:
        self.phones: set[str] = set()
        self.blocks: set[str] = set()
        self.accounts: set[str] = set()
        self.names: set[str] = set()

    def claim_name(self, key: str) -> bool:
        if key in self.names:
            return False
        self.names.add(key)
        return True


# --- values ---------------------------------------------------------------------------------


def is_valid_phone(region: str, nsn: str) -> bool:
    """Whether ``nsn`` is a valid number of ``region`` under libphonenumber's metadata."""
    number = phonenumbers.PhoneNumber(
        country_code=int(PHONE_PLANS[region].calling_code), national_number=int(nsn)
    )
    return bool(phonenumbers.is_valid_number_for_region(number, region))


def tron_address(payload: bytes) -> str:
    """Base58check of the mainnet prefix 0x41 and a 20-byte account id."""
    encoded: bytes = base58.b58encode_check(b"\x41" + payload)
    return encoded.decode("ascii")


def is_valid_tron(address: str) -> bool:
    try:
        payload: bytes = base58.b58decode_check(address)
    except ValueError:
        return False
    return len(payload) == 21 and payload[0] == 0x41


def eth_checksum(address: str) -> str:
    """EIP-55 mixed-case form of a 40-hex-digit address (with or without ``0x``)."""
    plain = address.removeprefix("0x").lower()
    digest = keccak.new(digest_bits=256, data=plain.encode("ascii")).hexdigest()
    return "0x" + "".join(
        char.upper() if nibble in "89abcdef" else char
        for char, nibble in zip(plain, digest[: len(plain)], strict=True)
    )


class _Numbers:
    """Validated blocks of mobile numbers: SIM batches for operations, and separate blocks for
    victims, so a victim's own number can never be an operation's."""

    def __init__(self, claims: _Claims) -> None:
        self._claims = claims
        self._batches: dict[str, list[str]] = {}
        self._victim_blocks: dict[str, list[tuple[str, int]]] = {}
        self._victims_served: dict[str, int] = {}

    def _new_block(self, dice: _Dice, region: str) -> str:
        plan = PHONE_PLANS[region]
        while True:
            prefix, length = dice.pick(plan.prefixes)
            block = prefix + dice.digits(length - len(prefix) - _BLOCK_DIGITS)
            key = region + block
            if (
                key not in self._claims.blocks
                and is_valid_phone(region, block + "0" * _BLOCK_DIGITS)
                and is_valid_phone(region, block + "9" * _BLOCK_DIGITS)
            ):
                self._claims.blocks.add(key)
                return block

    def batches(self, dice: _Dice, region: str, count: int) -> list[str]:
        """``count`` SIM batches of ``region``, drawn from a shared stock that grows lazily."""
        stock = self._batches.setdefault(region, [])
        chosen: list[str] = []
        for _ in range(count):
            index = dice.below(_SIM_BATCHES)
            while len(stock) <= index:
                stock.append(self._new_block(dice, region))
            chosen.append(stock[index])
        return chosen

    def operation_number(self, dice: _Dice, region: str, batches: Sequence[str]) -> str:
        while True:
            nsn = dice.pick(batches) + dice.digits(_BLOCK_DIGITS)
            key = region + nsn
            if key not in self._claims.phones:
                self._claims.phones.add(key)
                return nsn

    def victim_number(self, dice: _Dice, region: str) -> str:
        """A number no one else in the data set has; victims are dealt round-robin over many
        blocks so neighbours in the file do not all share one exchange prefix."""
        served = self._victims_served.get(region, 0)
        self._victims_served[region] = served + 1
        blocks = self._victim_blocks.setdefault(region, [])
        group, within = divmod(served, _VICTIM_LANES * _BLOCK_SIZE)
        offset, lane = divmod(within, _VICTIM_LANES)
        block = group * _VICTIM_LANES + lane
        while len(blocks) <= block:
            # Each block starts its walk somewhere else, so first victims share no ending.
            blocks.append((self._new_block(dice, region), dice.below(_BLOCK_SIZE)))
        prefix, start = blocks[block]
        return prefix + f"{(start + offset * _BLOCK_STRIDE) % _BLOCK_SIZE:04d}"


# --- writing values the way people do ------------------------------------------------------


def _group(digits: str, sizes: Sequence[int], sep: str) -> str:
    parts: list[str] = []
    position = 0
    for size in sizes[:-1]:
        if position + size >= len(digits):
            break
        parts.append(digits[position : position + size])
        position += size
    parts.append(digits[position:])
    return sep.join(parts)


def render_phone(plan: PhonePlan, nsn: str, style: int) -> str:
    """One of the ways people write a number; each parses with the number's own region as
    default, and the international ones (3 to 6) from anywhere."""
    if style == 0:
        return _group(plan.trunk + nsn, plan.national_groups, "-")
    if style == 1:
        return _group(plan.trunk + nsn, plan.national_groups, " ")
    if style == 2:
        return plan.trunk + nsn
    if style == 3:
        return f"+{plan.calling_code} {_group(nsn, plan.international_groups, ' ')}"
    if style == 4:
        return f"+{plan.calling_code}{nsn}"
    if style == 5:
        return plan.calling_code + nsn
    if style == 6:
        return f"+{plan.calling_code}-{_group(nsn, plan.international_groups, '-')}"
    national = plan.trunk + nsn
    head = plan.national_groups[0]
    return f"{national[:head]}-{national[head:]}"


def _account_text(ref: Ref, style: int) -> str:
    if style == 0:
        return f"{ref.extra}:{ref.value}"
    if style == 1:
        return f"{ref.extra} {ref.value}"
    return f"{ref.extra} {_group(ref.value, _BANK_GROUPS[ref.extra], '-')}"


def _defang(url: str, dice: _Dice) -> str:
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    if dice.random() < 0.5:
        host = host.replace(".", "[.]")
    else:
        head, _, tld = host.rpartition(".")
        host = f"{head}[.]{tld}"
    return f"{scheme.replace('tt', 'xx')}://{host}{slash}{path}"


def _slug(text: str) -> str:
    if text in THAI_ROMAN:
        return THAI_ROMAN[text]
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed.lower() if char.isascii() and char.isalnum())


def _money_text(lang: str, currency: str, units: int, cents: int) -> str:
    number = f"{units:,}" if cents == 0 else f"{units:,}.{cents:02d}"
    if lang == "th":
        return f"{number} บาท"
    if lang == "ms":
        return f"RM{number}"
    if lang == "vi":
        return number.replace(",", ".") + " đồng"
    if lang == "id":
        return "Rp" + number.replace(",", ".")
    if lang == "tl":
        return f"₱{number}"
    return _MONEY_EN[currency] + number


def _round_significant(value: float, digits: int) -> int:
    step: int = 10 ** max(0, math.floor(math.log10(value)) - digits + 1)
    return max(1, round(value / step) * step)


def _n(expected: float, divisor: float) -> int:
    return 1 + int(expected**0.5 / divisor)


# --- planning operations --------------------------------------------------------------------


def _sample_without_replacement(
    dice: _Dice, items: Sequence[tuple[str, float]], count: int
) -> list[tuple[str, float]]:
    remaining = list(items)
    chosen: list[tuple[str, float]] = []
    while remaining and len(chosen) < count:
        index = remaining.index(dice.weighted(_Weighted(remaining, [w for _, w in remaining])))
        chosen.append(remaining.pop(index))
    return chosen


class _Planner:
    """Plans the operations, then builds their infrastructure as reports first need it,
    claiming every value it hands out. Reports are drawn in a fixed order, so what is built
    when is as deterministic as the rest."""

    def __init__(self, rng: Random, claims: _Claims, numbers: _Numbers) -> None:
        self.rng = rng
        self.dice = _Dice(rng)
        self.claims = claims
        self.numbers = numbers
        self.bases = _Weighted(BASES, [base.weight for base in BASES])
        self.archetypes = _Weighted([types for _, types in ARCHETYPES], [w for w, _ in ARCHETYPES])
        self.type_counts = _Weighted((1, 2, 3), (4, 4, 2))

    def plan(self, count: int) -> tuple[list[_Operation], array[int]]:
        rng = self.rng
        total = min(count, max(3, round(count / 25)))
        if total == 0:
            return [], array("I")
        weights = [rng.paretovariate(1.1) for _ in range(total)]
        # One runaway draw would otherwise swallow most of a small data set.
        cap = 0.1 * sum(weights)
        weights = [min(weight, cap) for weight in weights]
        sizes = [1] * total
        table = _Weighted(range(total), weights)
        for _ in range(count - total):
            sizes[self.dice.weighted(table)] += 1
        operations = [
            self._operation(f"op-{number + 1:04d}", size) for number, size in enumerate(sizes)
        ]
        assignment = array("I")
        for number, size in enumerate(sizes):
            assignment.extend([number] * size)
        rng.shuffle(assignment)
        return operations, assignment

    def _operation(self, op_id: str, size: int) -> _Operation:
        rng, dice = self.rng, self.dice
        base = dice.weighted(self.bases)
        targets = _sample_without_replacement(dice, base.targets, 1 if dice.random() < 0.6 else 2)
        shares = [1.0] + [rng.uniform(0.2, 0.6) for _ in targets[1:]]
        archetype = dice.weighted(self.archetypes)
        types = _sample_without_replacement(dice, archetype, dice.weighted(self.type_counts))
        type_names = tuple(name for name, _ in types)
        days = rng.lognormvariate(math.log(45), 0.7) * (1 + math.log10(size))
        duration = min(float(_SPAN_SECONDS), max(7.0, days) * 86_400)
        start = rng.uniform(0, _SPAN_SECONDS - duration)
        share_total = sum(shares)
        pools = {
            code: _Pool(VICTIM_COUNTRIES[code], size * share / share_total, {})
            for (code, _), share in zip(targets, shares, strict=True)
        }
        return _Operation(
            id=op_id,
            base=base,
            targets=_Weighted([code for code, _ in targets], shares),
            types=_Weighted(type_names, [weight for _, weight in types]),
            size=size,
            start=start,
            duration=duration,
            pools=pools,
            refs={},
        )

    def operation_refs(self, operation: _Operation, kind: str) -> list[Ref]:
        """The operation's base-country numbers or wallets of ``kind``, built on first use."""
        refs = operation.refs.get(kind)
        if refs is None:
            size = operation.size
            rng = self.rng
            if kind == "foreign":
                refs = self._phones(operation.base.country, 1 + int(size**0.4 / 3))
            elif kind == "tron":
                refs = [Ref(kind, "", tron_address(rng.randbytes(20))) for _ in range(_n(size, 4))]
            else:
                refs = [
                    Ref(kind, "", eth_checksum(rng.randbytes(20).hex())) for _ in range(_n(size, 8))
                ]
            operation.refs[kind] = refs
        return refs

    def pool_refs(self, operation: _Operation, pool: _Pool, key: str) -> list[Ref]:
        """The pool's infrastructure under ``key``, built on first use.

        Keys are "phone", "bank", "ewallet", "email", "line", "telegram", and "url:TYPE" or
        "domain:TYPE" for the sites of one scam type ("url:" and "domain:" for all of them).
        """
        refs = pool.refs.get(key)
        if refs is not None:
            return refs
        country, expected = pool.country, pool.expected
        code = country.code
        kind, _, scam_type = key.partition(":")
        if kind == "phone":
            refs = self._phones(code, 1 + int(expected**0.6 / 2))
        elif kind == "bank":
            refs = [self._account(country) for _ in range(1 + int(expected**0.6 / 2))]
        elif kind == "ewallet":
            if country.ewallets:
                provider = self.dice.pick(country.ewallets)[0]
                refs = self._phones(code, _n(expected, 3), "ewallet", provider)
            else:
                refs = self.pool_refs(operation, pool, "bank")
        elif kind in ("url", "domain") and scam_type:
            self._sites(pool, scam_type)
            refs = pool.refs[key]
        elif kind in ("url", "domain"):
            refs = [
                ref
                for name in operation.types.items
                for ref in self.pool_refs(operation, pool, f"{kind}:{name}")
            ]
        elif kind == "email":
            domains = self.pool_refs(operation, pool, f"domain:{operation.types.items[0]}")
            refs = [
                Ref("email", "", self._email(self.dice.pick(domains).value))
                for _ in range(1 + int(expected**0.4 / 3))
            ]
        else:
            themes = tuple(
                theme for name in operation.types.items for theme in SCAM_PROFILES[name].themes
            )
            cc = code.lower()
            if kind == "line":
                refs = [Ref(kind, "", self._line_id(themes, cc)) for _ in range(_n(expected, 4))]
            else:
                refs = [
                    Ref(kind, "", self._telegram_id(themes, cc)) for _ in range(_n(expected, 5))
                ]
        pool.refs[key] = refs
        return refs

    def _sites(self, pool: _Pool, scam_type: str) -> None:
        country = pool.country
        profile = SCAM_PROFILES[scam_type]
        domains: list[Ref] = []
        urls: list[Ref] = []
        for _ in range(_n(pool.expected, 5)):
            domain = self._domain(country, scam_type)
            domains.append(Ref("domain", "", domain))
            for _ in range(self.dice.pick((1, 1, 2))):
                urls.append(Ref("url", "", self._url(domain, country, profile)))
        pool.refs["domain:" + scam_type] = domains
        pool.refs["url:" + scam_type] = urls

    def _phones(
        self, region: str, count: int, kind: str = "phone", provider: str = ""
    ) -> list[Ref]:
        batches = self.numbers.batches(self.dice, region, 1 + count // 25)
        return [
            Ref(kind, region, self.numbers.operation_number(self.dice, region, batches), provider)
            for _ in range(count)
        ]

    def _account(self, country: VictimCountry) -> Ref:
        dice = self.dice
        while True:
            bank = dice.pick(country.banks)
            lead = dice.pick(bank.leads)
            digits = lead + dice.digits(bank.digits - len(lead))
            key = f"{bank.code}:{digits}"
            if key not in self.claims.accounts:
                self.claims.accounts.add(key)
                return Ref("bank", country.code, digits, bank.code)

    def _domain(self, country: VictimCountry, scam_type: str) -> str:
        dice = self.dice
        categories = BRAND_CATEGORY.get(scam_type)
        themes = SCAM_PROFILES[scam_type].themes
        cc = country.code.lower()
        attempt = 0
        while True:
            if categories and dice.random() < 0.9:
                brand = dice.pick(country.brands[dice.pick(categories)])
                label = dice.pick(BRAND_PATTERNS).format(
                    b=brand, cc=cc, w=dice.pick(DOMAIN_WORDS), n=1 + dice.below(99)
                )
                tld = dice.pick(TLDS_BRAND)
            else:
                label = dice.pick(OTHER_PATTERNS).format(
                    a=dice.pick(ADJECTIVES), t=dice.pick(themes), cc=cc, n=1 + dice.below(999)
                )
                tld = dice.pick(TLDS_OTHER)
            if attempt > 4:
                # The plain patterns run out in large data sets; scammers add digits too.
                label = f"{label}{2 + dice.below(9_998)}"
            domain = f"{label}.{tld}"
            if self.claims.claim_name("domain:" + domain):
                return domain
            attempt += 1

    def _url(self, domain: str, country: VictimCountry, profile: ScamProfile) -> str:
        dice = self.dice
        scheme = "https" if dice.random() < 0.75 else "http"
        host = f"www.{domain}" if dice.random() < 0.15 else domain
        path = dice.pick(profile.paths).format(
            tok="".join([dice.pick(_TOKEN_ALPHABET) for _ in range(6 + dice.below(3))]),
            num=dice.digits(6 + dice.below(5)),
            word=domain.split(".")[0].split("-")[0] + "-" + country.code.lower(),
        )
        return f"{scheme}://{host}{path}"

    def _email(self, domain: str) -> str:
        dice = self.dice
        while True:
            local = dice.pick(EMAIL_LOCALS)
            if dice.random() < 0.4:
                local += str(1 + dice.below(99))
            address = f"{local}@{domain}"
            if self.claims.claim_name("email:" + address):
                return address

    def _line_id(self, themes: Sequence[str], cc: str) -> str:
        dice = self.dice
        while True:
            roll = dice.random()
            if roll < 0.3:
                # The shape of LINE Official Account basic ids.
                letters = "".join([dice.pick(string.ascii_lowercase) for _ in range(4)])
                handle = f"{100 + dice.below(900)}{letters}"
            elif roll < 0.65:
                handle = f"{dice.pick(themes)}.{dice.pick(_HANDLE_WORDS)}{1 + dice.below(99)}"
            else:
                handle = f"{dice.pick(themes)}_{cc}{1 + dice.below(999)}"
            handle = handle[:20]
            if self.claims.claim_name("line:" + handle):
                return handle

    def _telegram_id(self, themes: Sequence[str], cc: str) -> str:
        dice = self.dice
        while True:
            first = dice.pick(themes).capitalize()
            if not first[0].isalpha():
                first = "Vip" + first  # Telegram usernames must start with a letter
            second = dice.pick(_HANDLE_WORDS).capitalize()
            suffix = dice.pick((cc.upper(), str(1 + dice.below(999)), ""))
            handle = f"{first}_{second}{suffix}"[:32]
            if len(handle) >= 5 and self.claims.claim_name("telegram:" + handle.lower()):
                return handle


# --- reports --------------------------------------------------------------------------------


class _Mention(NamedTuple):
    """An indicator as one victim wrote it: in the indicator list and in the narrative."""

    kind: str
    listed: str
    spoken: str  # "" when the narrative tells it another way (noise sentences)


class _ReportStream:
    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self.claims = _Claims()
        self.numbers = _Numbers(self.claims)
        self.planner = _Planner(
            Random(f"scamintel-demo/{seed}/operations"), self.claims, self.numbers
        )
        self.operations, self.assignment = self.planner.plan(count)
        self.dice = _Dice(Random(f"scamintel-demo/{seed}/reports"))
        self.victim_dice = _Dice(Random(f"scamintel-demo/{seed}/victims"))
        # Messaging apps differ by country (LINE is Thai, WhatsApp Malaysian and Indonesian),
        # and so do the channels victims name and the handles they can give.
        self.channels: dict[tuple[str, str], _Weighted[str]] = {}
        self.kinds: dict[tuple[str, str], _Weighted[str]] = {}
        for scam_type, profile in SCAM_PROFILES.items():
            for code, country in VICTIM_COUNTRIES.items():
                bias = country.channel_bias
                self.channels[scam_type, code] = _Weighted(
                    list(profile.channels),
                    [w * bias.get(c, 1.0) for c, w in profile.channels.items()],
                )
                self.kinds[scam_type, code] = _Weighted(
                    list(profile.kinds), [w * bias.get(k, 1.0) for k, w in profile.kinds.items()]
                )
        self.languages: dict[str, _Weighted[str]] = {
            code: _Weighted([lang for lang, _ in c.languages], [w for _, w in c.languages])
            for code, c in VICTIM_COUNTRIES.items()
        }
        self.domestic_styles = _Weighted(_DOMESTIC_STYLES, _DOMESTIC_STYLE_WEIGHTS)
        self.foreign_styles = _Weighted(_FOREIGN_STYLES, _FOREIGN_STYLE_WEIGHTS)
        self.national_styles = _Weighted(_NATIONAL_STYLES, _NATIONAL_STYLE_WEIGHTS)
        self.sizes = _Weighted((1, 2, 3, 4), _SIZE_WEIGHTS)
        self.openers: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self.reporters = {code: _reporter_names(c) for code, c in VICTIM_COUNTRIES.items()}

    def rows(self) -> Iterator[dict[str, object]]:
        for number in range(self.count):
            yield self._row(number)

    def _row(self, number: int) -> dict[str, object]:
        dice = self.dice
        random = dice.random
        operation = self.operations[self.assignment[number]]
        target = dice.weighted(operation.targets)
        pool = operation.pools[target]
        country = pool.country
        other = random() < _OTHER_TYPE_RATE
        scam_type = "other" if other else dice.weighted(operation.types)
        profile = SCAM_PROFILES[scam_type]
        channel = dice.weighted(self.channels[scam_type, target])
        moment = random()
        refs = self._pick_refs(operation, pool, scam_type, channel, moment)

        mentions = [self._mention(ref) for ref in refs]
        noise: list[dict[str, str]] = []
        if random() < _TYPO_RATE:
            self._add_typo(operation, pool, refs, mentions, noise)
        plan = country.phone
        victim_nsn = self.numbers.victim_number(self.victim_dice, target)
        told: list[tuple[str, str]] = []  # noise the victim also tells in the narrative
        if random() < _OWN_PHONE_RATE:
            own = render_phone(plan, victim_nsn, dice.weighted(self.domestic_styles))
            mentions.insert(dice.below(len(mentions) + 1), _Mention("phone", own, ""))
            told.append(("own_phone", own))
            noise.append({"kind": "victim_phone", "value": own})
        if random() < _HOTLINE_RATE:
            hotline = dice.pick(BENIGN_BY_COUNTRY[target])
            mentions.insert(dice.below(len(mentions) + 1), _Mention("phone", hotline, ""))
            told.append(("hotline", hotline))
            noise.append({"kind": "official_hotline", "value": hotline})

        indicators: list[dict[str, str]] = []
        for mention in mentions:
            if random() < _UNTYPED_RATE:
                indicators.append({"value": mention.listed})
            else:
                indicators.append({"type": _INDICATOR_TYPE[mention.kind], "value": mention.listed})

        amount, units, cents = self._amount(profile, country)
        lang = dice.weighted(self.languages[target])
        narrative = self._narrative(
            lang, scam_type, country, channel, mentions, told, units, cents, amount is not None
        )
        seconds = _WINDOW_START + int(operation.start + moment * operation.duration)
        name, email = self._reporter(country, number)
        reporter_phone = render_phone(plan, victim_nsn, dice.weighted(self.national_styles))
        return {
            "external_id": f"demo-{number + 1:06d}",
            "narrative": narrative,
            "scam_type": scam_type,
            "channel": channel,
            "victim_country": target,
            "amount": amount,
            "currency": country.currency,
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds)),
            "indicators": indicators,
            "reporter": {"name": name, "phone": reporter_phone, "email": email},
            "_operation": operation.id,
            "_noise": noise,
        }

    def _pick_refs(
        self, operation: _Operation, pool: _Pool, scam_type: str, channel: str, moment: float
    ) -> list[Ref]:
        dice = self.dice
        wanted = dice.weighted(self.sizes)
        kinds = self.kinds[scam_type, pool.country.code]
        kind = _CHANNEL_KIND.get(channel) or dice.weighted(kinds)
        chosen: list[Ref] = []
        for _ in range(wanted * 3):
            candidates = self._candidates(operation, pool, kind, scam_type, channel)
            # Operations burn numbers and accounts and move on, so reports close in time
            # share them: walk the pool with the report's place in the operation's lifetime.
            size = len(candidates)
            index = int((moment + (dice.random() - 0.5) * 0.4) * size)
            ref = candidates[min(size - 1, max(0, index))]
            if ref not in chosen:
                chosen.append(ref)
                if len(chosen) == wanted:
                    break
            kind = dice.weighted(kinds)
        return chosen

    def _candidates(
        self, operation: _Operation, pool: _Pool, kind: str, scam_type: str, channel: str
    ) -> list[Ref]:
        if kind == "phone":
            foreign_rate = 0.45 if channel == "whatsapp" else 0.2
            if self.dice.random() < foreign_rate:
                return self.planner.operation_refs(operation, "foreign")
        elif kind in ("tron", "eth"):
            return self.planner.operation_refs(operation, kind)
        elif kind in ("url", "domain"):
            # "other" reports are filed by victims who could not tell what it was.
            known = scam_type if scam_type in operation.types.items else ""
            kind = f"{kind}:{known}"
        refs = pool.refs.get(kind)
        return refs if refs is not None else self.planner.pool_refs(operation, pool, kind)

    def _mention(self, ref: Ref) -> _Mention:
        dice = self.dice
        kind = ref.kind
        if kind == "phone":
            plan = PHONE_PLANS[ref.region]
            styles = self.domestic_styles if ref.region in VICTIM_COUNTRIES else self.foreign_styles
            return _Mention(
                kind,
                render_phone(plan, ref.value, dice.weighted(styles)),
                render_phone(plan, ref.value, dice.weighted(styles)),
            )
        if kind == "bank":
            return _Mention(
                kind, _account_text(ref, dice.below(3)), _account_text(ref, 1 + dice.below(2))
            )
        if kind == "ewallet":
            local = PHONE_PLANS[ref.region].trunk + ref.value
            listed = f"{ref.extra}:{local}"
            spoken = listed if dice.random() < 0.5 else f"{_EWALLET_NAMES[ref.extra]} {local}"
            return _Mention(kind, listed, spoken)
        if kind == "tron":
            return _Mention(kind, "TRON:" + ref.value, ref.value)
        if kind == "eth":
            return _Mention(kind, "ETH:" + ref.value, ref.value)
        if kind == "url":
            written = _defang(ref.value, dice) if dice.random() < 0.15 else ref.value
            return _Mention(kind, written, written)
        if kind in ("line", "telegram"):
            return _Mention(kind, f"{kind}:@{ref.value}", "@" + ref.value)
        return _Mention(kind, ref.value, ref.value)

    def _add_typo(
        self,
        operation: _Operation,
        pool: _Pool,
        refs: list[Ref],
        mentions: list[_Mention],
        noise: list[dict[str, str]],
    ) -> None:
        dice = self.dice
        slots = [i for i, ref in enumerate(refs) if ref.kind in ("phone", "bank", "tron", "eth")]
        if not slots:
            refs.append(dice.pick(self._candidates(operation, pool, "phone", "", "call")))
            mentions.append(self._mention(refs[-1]))
            slots = [len(refs) - 1]
        slot = dice.pick(slots)
        ref = refs[slot]
        written, valid = self._typo(ref)
        mentions[slot] = _Mention(ref.kind, written, written)
        noise.append({"kind": "typo_valid" if valid else "typo_invalid", "value": written})

    def _typo(self, ref: Ref) -> tuple[str, bool]:
        """A slip of one character: a value nobody uses, or one the product must reject."""
        if ref.kind == "phone":
            return self._phone_typo(ref)
        dice = self.dice
        if ref.kind == "bank":
            digits = ref.value
            while True:
                position = 1 + dice.below(len(digits) - 1)
                digit = str((int(digits[position]) + 1 + dice.below(9)) % 10)
                changed = digits[:position] + digit + digits[position + 1 :]
                if f"{ref.extra}:{changed}" not in self.claims.accounts:
                    return _account_text(ref._replace(value=changed), dice.below(3)), True
        if ref.kind == "tron":
            while True:
                position = 1 + dice.below(len(ref.value) - 1)
                changed = ref.value[:position] + dice.pick(_BASE58) + ref.value[position + 1 :]
                if not is_valid_tron(changed):
                    return "TRON:" + changed, False
        while True:
            position = 2 + dice.below(len(ref.value) - 2)
            char = dice.pick(_HEX)
            char = char.upper() if dice.random() < 0.5 else char
            changed = ref.value[:position] + char + ref.value[position + 1 :]
            if changed.lower() != ref.value.lower() and eth_checksum(changed) != changed:
                return "ETH:" + changed, False

    def _phone_typo(self, ref: Ref) -> tuple[str, bool]:
        dice = self.dice
        plan = PHONE_PLANS[ref.region]
        style = dice.pick(_DOMESTIC_STYLES if ref.region in VICTIM_COUNTRIES else _FOREIGN_STYLES)
        nsn = ref.value
        if dice.random() < 0.5:
            for _ in range(20):
                # A slip in the last digits stays in the operation's SIM batch, a block no
                # victim is ever given, so the number is valid and belongs to nobody.
                position = len(nsn) - 1 - dice.below(_BLOCK_DIGITS)
                digit = str((int(nsn[position]) + 1 + dice.below(9)) % 10)
                changed = nsn[:position] + digit + nsn[position + 1 :]
                if ref.region + changed not in self.claims.phones and is_valid_phone(
                    ref.region, changed
                ):
                    return render_phone(plan, changed, style), True
        position = 2 + dice.below(len(nsn) - 2)
        for changed in (nsn[:position] + nsn[position + 1 :], nsn + dice.digits(1), nsn[:3]):
            if not is_valid_phone(ref.region, changed):
                return render_phone(plan, changed, style), False
        return render_phone(plan, nsn[:2], style), False

    def _amount(self, profile: ScamProfile, country: VictimCountry) -> tuple[str | None, int, int]:
        dice = self.dice
        if dice.random() < profile.no_loss:
            return None, 0, 0
        median = country.median_loss
        value = max(median / 300, median * profile.loss_factor * dice.rng.lognormvariate(0, 1.1))
        roll = dice.random()
        cents = 0
        # People transfer round sums, except fees and prices quoted to the cent.
        if roll < 0.55:
            units = _round_significant(value, 2)
        elif roll < 0.85:
            units = _round_significant(value, 3)
        else:
            units = int(value)
            if country.minor_units and dice.random() < 0.3:
                cents = 1 + dice.below(99)
        if country.minor_units == 0:
            units = max(1_000, units // 1_000 * 1_000)
            return str(units), units, 0
        return f"{units}.{cents:02d}", units, cents

    def _narrative(
        self,
        lang: str,
        scam_type: str,
        country: VictimCountry,
        channel: str,
        mentions: list[_Mention],
        told: list[tuple[str, str]],
        units: int,
        cents: int,
        lost: bool,
    ) -> str:
        dice = self.dice
        texts = TEXTS[lang]
        openers = self.openers.get((lang, scam_type, country.code))
        if openers is None:
            openers = self._openers(lang, scam_type, country)
        parts = [dice.pick(openers)]
        phone_key = _PHONE_SENTENCE.get(channel, "call")
        said = [m for m in mentions if m.spoken and dice.random() < _MENTION_RATE]
        if not said and mentions and mentions[0].spoken:
            said = [mentions[0]]
        for mention in said:
            key = phone_key if mention.kind == "phone" else _SENTENCE_KEY[mention.kind]
            parts.append(dice.pick(texts.sentences[key]).format(v=mention.spoken))
        for key, value in told:
            if dice.random() < 0.8:
                templates = texts.hotline if key == "hotline" else texts.own_phone
                parts.append(dice.pick(templates).format(v=value))
        if lost:
            money = _money_text(lang, country.currency, units, cents)
            parts.append(dice.pick(texts.loss).format(money=money))
        else:
            parts.append(dice.pick(texts.no_loss))
        return " ".join(parts)

    def _openers(self, lang: str, scam_type: str, country: VictimCountry) -> tuple[str, ...]:
        """Every opener of a scam type, with every organisation the scammer could claim."""
        texts = TEXTS[lang].openers
        categories = BRAND_CATEGORY.get(scam_type)
        if categories is None:
            openers = texts[scam_type]
        else:
            openers = tuple(
                template.format(org=english if lang == "en" else local)
                for category in categories
                for template in texts.get(f"{scam_type}/{category}") or texts[scam_type]
                for local, english in country.orgs[category]
            )
        self.openers[lang, scam_type, country.code] = openers
        return openers

    def _reporter(self, country: VictimCountry, number: int) -> tuple[str, str]:
        name, local, domain = self.dice.pick(self.reporters[country.code])
        # The report number keeps every address distinct without a registry of them.
        return name, f"{local}{number + 1}@{domain}"


def _reporter_names(country: VictimCountry) -> tuple[tuple[str, str, str], ...]:
    """Every (name, e-mail local part, mail domain) a reporter of ``country`` can have."""
    names: list[tuple[str, str, str]] = []
    for pattern in country.names:
        for parts in product(*pattern.parts):
            local = f"{_slug(parts[0])}.{_slug(parts[-1])}"
            names.extend((" ".join(parts), local, domain) for domain in REPORTER_MAIL_DOMAINS)
    return tuple(names)


def generate_reports(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """Stream ``count`` synthetic reports, JSON-ready, in a fixed order for ``seed``.

    Each row carries private keys the ingest format does not have: ``_operation``, the
    operation the report truly belongs to, and ``_noise``, the values in it that belong to no
    operation (``victim_phone``, ``official_hotline``, ``typo_valid``, ``typo_invalid``).
    Writers drop every key that starts with an underscore.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    yield from _ReportStream(count, seed).rows()
