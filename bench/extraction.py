"""Indicator extraction against two open-source extractors, iocextract and iocsearcher.

Quality: our extractor (``default_registry().extract``) and the two peers read every message of
the hand-labelled corpus (``tests/data/extraction/``); per type, precision, recall, F1 and the
number of labels, matching each message's findings to its labels as multisets of (type,
canonical value). Peers' findings are mapped to our types and made canonical with our own
canonicaliser; the rules that keep this fair are printed with the figures and written in
docs/benchmarks.md. Throughput: messages/s and MB/s (UTF-8) of each extractor over the whole
corpus on one core, in the same run; ours cold (a new process, a new registry, the corpus read
for the first time) and warm (the same registry's second pass).

    .venv/bin/python -m bench.extraction
    .venv/bin/python -m bench.extraction --repeat 3 --errors
    .venv/bin/python -m bench.extraction --corpus /tmp/part.jsonl --corpus other.jsonl

The peers are the ``peers`` extra: ``.venv/bin/pip install -e '.[dev,peers]'`` (``make bench``
installs it).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import (
    REPO_ROOT,
    machine,
    median,
    source_fingerprint,
    write_result,
)
from bench.extraction_corpus import (
    CORPUS_FILES,
    SHARED_DATA_ENV,
    CorpusError,
    CorpusMessage,
    describe,
    load_corpus,
)
from scamintel.indicators import IndicatorType, ParseContext, default_registry
from scamintel.indicators.registry import IndicatorRegistry, default_kinds
from scamintel.indicators.web import MESSENGER_LINK

GOAL_PRECISION = 0.95
GOAL_RECALL = 0.95
GOAL_MESSAGES_PER_SECOND = 2_000.0
DEFAULT_REPEAT = 5
OURS = "scamintel"
PEER_NAMES = ("iocextract", "iocsearcher")
TYPES = tuple(IndicatorType)
# Our convention marks a link once: whatever lies inside it (its host, a number in its path,
# an address in its query) is part of it. The same goes for an e-mail address's domain.
CONTAINER_TYPES = frozenset({IndicatorType.URL, IndicatorType.EMAIL, IndicatorType.HANDLE})

FAIRNESS = (
    "Findings are matched to the labels per message as multisets of (type, canonical value); "
    "offsets are not compared (ours are reported separately).",
    "Each peer finding is mapped to our type and made canonical by our canonicaliser for that "
    "type in the message's region; a value ours refuses is kept lower-cased, so a peer's "
    "invalid finding counts as a false positive instead of being dropped.",
    "A peer finding lying inside one of the same peer's links or e-mail addresses (a host, an "
    "IP, a number in a path) is dropped: our convention marks a link once, as url.",
    "A peer link that is a messenger account link (t.me/..., wa.me/..., line.me/ti/p/~...) "
    "counts as a handle, and an iocsearcher fqdn starting with 'www.' as a url, as our "
    "labels mark them.",
    "iocextract runs with refang=True and strip=True (its own clean-up of trailing garbage); it "
    "gives no positions, so containment is judged on values (an IP or number that is part of "
    "one of its URLs) and a value it repeats counts at most as often as the labels have it "
    "(at least once): its duplicate matches of one link do not count against it.",
    "iocsearcher runs its own regular expressions for the mapped types (search_matches, with "
    "its validation and refanging), and its phone search the way its '-p COUNTRY' option "
    "does (phonenumbers.PhoneNumberMatcher) with the message's region as the country.",
    "A type a peer cannot emit after mapping is n/a for it; its overall figures count every "
    "label (recall includes the types it cannot find) and are also given on its own types.",
    "Throughput times the peers' own extraction calls only (not our canonicalisation of their "
    "output); ours includes making every value canonical. One core, corpus read once per "
    "pass, median of the passes.",
)


# -- findings and scores -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Finding:
    type: IndicatorType
    value: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class RawFinding:
    """What an extractor itself reported: its own type name, its value and span if it has one."""

    kind: str
    value: str
    start: int | None = None
    end: int | None = None


@dataclass(slots=True)
class Counts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    exact_offsets: int = 0  # true positives whose start and end equal the label's

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def found(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        if not self.found and not self.support:
            return None
        denominator = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / denominator

    def add(self, other: Counts) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives
        self.exact_offsets += other.exact_offsets

    def as_dict(self) -> dict[str, Any]:
        return {
            "support": self.support,
            "found": self.found,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Mistake:
    message_id: str
    kind: str  # "false positive" or "false negative"
    type: IndicatorType
    value: str


@dataclass(slots=True)
class Score:
    by_type: dict[IndicatorType, Counts] = field(
        default_factory=lambda: {indicator_type: Counts() for indicator_type in TYPES}
    )
    mistakes: list[Mistake] = field(default_factory=list)

    def overall(self, types: Iterable[IndicatorType] = TYPES) -> Counts:
        total = Counts()
        for indicator_type in types:
            total.add(self.by_type[indicator_type])
        return total

    @property
    def offset_accuracy(self) -> float | None:
        total = self.overall()
        return total.exact_offsets / total.true_positives if total.true_positives else None


Key = tuple[IndicatorType, str]


def score_message(
    message: CorpusMessage, findings: Sequence[Finding], score: Score, clip: bool = False
) -> None:
    """Add one message's findings to ``score``. ``clip``: an extractor without positions,
    whose repeats of a value count at most as often as the labels have it (at least once)."""
    expected: Counter[Key] = Counter((label.type, label.value) for label in message.labels)
    found: Counter[Key] = Counter((finding.type, finding.value) for finding in findings)
    if clip:
        found = Counter({key: min(count, max(expected[key], 1)) for key, count in found.items()})
    label_spans: dict[Key, Counter[tuple[int, int]]] = {}
    for label in message.labels:
        label_spans.setdefault((label.type, label.value), Counter())[label.start, label.end] += 1
    found_spans: dict[Key, Counter[tuple[int, int]]] = {}
    for finding in findings:
        if finding.start is not None and finding.end is not None:
            key = (finding.type, finding.value)
            found_spans.setdefault(key, Counter())[finding.start, finding.end] += 1
    for key in expected.keys() | found.keys():
        counts = score.by_type[key[0]]
        matched = min(expected[key], found[key])
        counts.true_positives += matched
        counts.false_positives += found[key] - matched
        counts.false_negatives += expected[key] - matched
        if matched and key in found_spans:
            exact = sum((label_spans[key] & found_spans[key]).values())
            counts.exact_offsets += min(exact, matched)
        for _ in range(found[key] - matched):
            score.mistakes.append(Mistake(message.id, "false positive", *key))
        for _ in range(expected[key] - matched):
            score.mistakes.append(Mistake(message.id, "false negative", *key))


def score_corpus(
    messages: Sequence[CorpusMessage],
    extract: Callable[[CorpusMessage], Sequence[Finding]],
    clip: bool = False,
) -> Score:
    score = Score()
    for message in messages:
        score_message(message, extract(message), score, clip=clip)
    return score


def our_findings(
    message: CorpusMessage, registry: IndicatorRegistry | None = None
) -> list[Finding]:
    """What scamintel finds in the message, read in its region."""
    found = (registry or default_registry()).extract(message.text, ParseContext(message.region))
    return [
        Finding(item.indicator.type, item.indicator.value, item.start, item.end) for item in found
    ]


def our_score(messages: Sequence[CorpusMessage]) -> Score:
    return score_corpus(messages, our_findings)


# -- peers ---------------------------------------------------------------------------------------
class PeerMissingError(RuntimeError):
    """A peer extractor is not installed."""


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise PeerMissingError(
            f"{name} is not installed ({error}): .venv/bin/pip install -e '.[dev,peers]'"
        ) from error


def canonical(raw: str, indicator_type: IndicatorType, region: str) -> tuple[str, bool]:
    """Our canonical form of a peer's value, or the value lower-cased when ours refuses it;
    the flag says whether ours read it."""
    try:
        return default_registry().canonicalise(
            raw, indicator_type, ParseContext(region)
        ).value, True
    except ValueError:  # InvalidIndicatorError, or anything else a value can raise
        return raw.strip().lower(), False


@dataclass(slots=True)
class MappingStats:
    """How a peer's findings were carried over, for the output."""

    reported: int = 0
    unmapped: int = 0  # of a type we do not score
    inside_link: int = 0  # dropped: inside one of its own links or e-mail addresses
    retyped: int = 0  # messenger links as handles, iocsearcher's www. hosts as urls
    refused: int = 0  # kept lower-cased: our canonicaliser refused the value
    errors: int = 0  # messages on which the peer raised

    def as_dict(self) -> dict[str, int]:
        return {
            "reported": self.reported,
            "unmapped": self.unmapped,
            "dropped_inside_own_link": self.inside_link,
            "retyped": self.retyped,
            "kept_raw_refused_by_ours": self.refused,
            "messages_where_it_raised": self.errors,
        }


def _is_messenger_link(value: str) -> bool:
    return MESSENGER_LINK.fullmatch(value.strip()) is not None


class Peer:
    """An open-source extractor: ``run`` is its own work (what the throughput times),
    ``findings`` maps what it reported to our types and canonical values."""

    name: str
    types: frozenset[IndicatorType]
    clip: bool = False

    def __init__(self) -> None:
        self.version = importlib.metadata.version(self.name)
        self.stats = MappingStats()

    def run(self, text: str, region: str) -> list[RawFinding]:
        raise NotImplementedError

    def findings(self, message: CorpusMessage) -> list[Finding]:
        try:
            raw = self.run(message.text, message.region)
        except Exception:  # a peer's crash on one message costs it that message only
            self.stats.errors += 1
            return []
        self.stats.reported += len(raw)
        return self.map(raw, message.region)

    def map(self, raw: list[RawFinding], region: str) -> list[Finding]:
        raise NotImplementedError

    def _canonical(self, raw: str, indicator_type: IndicatorType, region: str) -> str:
        value, read = canonical(raw, indicator_type, region)
        if not read:
            self.stats.refused += 1
        return value


class IocExtract(Peer):
    name = "iocextract"
    types = frozenset(
        {
            IndicatorType.URL,
            IndicatorType.IP,
            IndicatorType.EMAIL,
            IndicatorType.PHONE,
            IndicatorType.HANDLE,
        }
    )
    clip = True  # no positions; one link can match several of its patterns

    def __init__(self) -> None:
        self.module = _import("iocextract")
        super().__init__()

    def run(self, text: str, region: str) -> list[RawFinding]:
        module = self.module
        found = [
            RawFinding("url", url) for url in module.extract_urls(text, refang=True, strip=True)
        ]
        found += [RawFinding("ip", ip) for ip in module.extract_ips(text, refang=True)]
        found += [RawFinding("email", email) for email in module.extract_emails(text, refang=True)]
        found += [RawFinding("phone", number) for number in module.extract_telephone_nums(text)]
        return found

    def map(self, raw: list[RawFinding], region: str) -> list[Finding]:
        links = [item.value for item in raw if item.kind == "url"]
        addresses = [item.value for item in raw if item.kind == "email"]
        findings: list[Finding] = []
        for item in raw:
            containers = links if item.kind in ("ip", "email") else links + addresses
            if item.kind != "url" and any(item.value in link for link in containers):
                self.stats.inside_link += 1
                continue
            indicator_type = {
                "url": IndicatorType.URL,
                "ip": IndicatorType.IP,
                "email": IndicatorType.EMAIL,
                "phone": IndicatorType.PHONE,
            }[item.kind]
            if indicator_type is IndicatorType.URL and _is_messenger_link(item.value):
                indicator_type = IndicatorType.HANDLE
                self.stats.retyped += 1
            value = self._canonical(item.value, indicator_type, region)
            findings.append(Finding(indicator_type, value))
        return findings


# iocsearcher's type names (its patterns.ini sections) and ours; its blockchain types are
# added from its own list, blockchain_types.
IOCSEARCHER_TYPES: Mapping[str, IndicatorType] = {
    "url": IndicatorType.URL,
    "fqdn": IndicatorType.DOMAIN,
    "email": IndicatorType.EMAIL,
    "ip4": IndicatorType.IP,
    "ip6": IndicatorType.IP,
    "phoneNumber": IndicatorType.PHONE,
    "telegramHandle": IndicatorType.HANDLE,
    "whatsappHandle": IndicatorType.HANDLE,
    "iban": IndicatorType.BANK_ACCOUNT,
}


class IocSearcher(Peer):
    name = "iocsearcher"
    types = frozenset(
        {
            IndicatorType.URL,
            IndicatorType.DOMAIN,
            IndicatorType.EMAIL,
            IndicatorType.IP,
            IndicatorType.PHONE,
            IndicatorType.HANDLE,
            IndicatorType.BANK_ACCOUNT,
            IndicatorType.CRYPTO_WALLET,
        }
    )

    def __init__(self) -> None:
        searcher_module = _import("iocsearcher.searcher")
        self.phonenumbers = _import("phonenumbers")
        self.searcher = searcher_module.Searcher()
        self.mapped = dict(IOCSEARCHER_TYPES)
        for chain in searcher_module.blockchain_types:  # its every blockchain address type
            self.mapped[chain] = IndicatorType.CRYPTO_WALLET
        self.targets = sorted(self.mapped)
        super().__init__()

    def run(self, text: str, region: str) -> list[RawFinding]:
        found = [
            RawFinding(
                match.name,
                match.rearmed_value,
                match.start_offset,
                match.start_offset + len(match.raw_value),
            )
            for match in self.searcher.search_matches(text, targets=self.targets)
        ]
        # What search_phone_numbers(text, country) does, keeping each number's position.
        phonenumbers = self.phonenumbers
        e164 = phonenumbers.PhoneNumberFormat.E164
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            number = phonenumbers.format_number(match.number, e164)
            found.append(RawFinding("phone", number, match.start, match.end))
        return found

    def map(self, raw: list[RawFinding], region: str) -> list[Finding]:
        typed: list[tuple[IndicatorType, str, int, int]] = []
        for item in raw:
            if item.start is None or item.end is None:
                continue  # every iocsearcher finding has its position
            if item.kind == "phone":
                indicator_type = IndicatorType.PHONE
            elif item.kind in self.mapped:
                indicator_type = self.mapped[item.kind]
            else:
                self.stats.unmapped += 1
                continue
            value = item.value
            if item.kind == "url" and _is_messenger_link(value):
                indicator_type = IndicatorType.HANDLE
                self.stats.retyped += 1
            elif item.kind == "fqdn" and value[:4].lower() == "www.":
                indicator_type = IndicatorType.URL
                self.stats.retyped += 1
            elif item.kind == "telegramHandle":
                value = f"t.me/{value}"
            elif item.kind == "whatsappHandle":
                value = f"wa.me/{value}"
            typed.append((indicator_type, value, item.start, item.end))
        # Longest first: a link is kept before what lies inside it.
        typed.sort(key=lambda entry: (entry[2] - entry[3], entry[2]))
        kept: list[tuple[IndicatorType, str, int, int]] = []
        for entry in typed:
            indicator_type, value, start, end = entry
            if any(
                (other[0] in CONTAINER_TYPES and other[2] <= start and end <= other[3])
                # The regex phone and the phone search reporting one number twice.
                or (other[0] is indicator_type and start < other[3] and other[2] < end)
                for other in kept
            ):
                self.stats.inside_link += 1
                continue
            kept.append(entry)
        kept.sort(key=lambda entry: (entry[2], entry[3]))
        return [
            Finding(indicator_type, self._canonical(value, indicator_type, region), start, end)
            for indicator_type, value, start, end in kept
        ]


PEERS: dict[str, Callable[[], Peer]] = {"iocextract": IocExtract, "iocsearcher": IocSearcher}


# -- throughput ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Throughput:
    seconds: float  # median seconds per pass over the corpus
    passes: int
    messages: int
    utf8_bytes: int

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds

    @property
    def megabytes_per_second(self) -> float:
        return self.utf8_bytes / self.seconds / 1e6

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_seconds_per_pass": self.seconds,
            "passes": self.passes,
            "messages_per_second": self.messages_per_second,
            "megabytes_per_second": self.megabytes_per_second,
        }


def time_pass(run: Callable[[str, str], object], work: Sequence[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for text, region in work:
        run(text, region)
    return time.perf_counter() - started


# Read once in the new process before the clock starts, so that numbering plans and the
# public suffix list are loaded (as in a running node) while no corpus value is cached.
PRIMING = (
    ("Call 081 234 5678 or +44 20 7946 0958, see https://example.org/a, mail x@example.org", "TH"),
    ("Hubungi 0812-3456-7890 di www.example.net/b", "ID"),
    ("Goi 0912 345 678 tai example.com", "VN"),
    ("Text 09171234567 or visit example.ph/c", "PH"),
    ("Call 07700 900123 now", "GB"),
    ("Call 012-345 6789", "MY"),
    ("Call 09 123 456 789", "MM"),
    ("Call 012 345 678", "KH"),
    ("Call 020 5555 1234", "LA"),
)


def our_passes(work: Sequence[tuple[str, str]]) -> tuple[float, float]:
    """Seconds of a fresh registry's first (cold) and second (warm) pass over ``work``."""
    primer = IndicatorRegistry(default_kinds())
    for text, region in PRIMING:
        primer.extract(text, ParseContext(region))
    registry = IndicatorRegistry(default_kinds())

    def run(text: str, region: str) -> object:
        return registry.extract(text, ParseContext(region))

    return time_pass(run, work), time_pass(run, work)


def our_throughput(
    corpus_paths: Sequence[Path], repeat: int, messages: Sequence[CorpusMessage]
) -> tuple[Throughput, Throughput]:
    """Ours cold and warm: each repeat in a new process (cold means no corpus value cached)."""
    cold: list[float] = []
    warm: list[float] = []
    command = [sys.executable, "-m", "bench.extraction", "--our-passes"]
    for path in corpus_paths:
        command += ["--corpus", str(path)]
    for _ in range(repeat):
        finished = subprocess.run(
            command, cwd=REPO_ROOT, check=True, capture_output=True, text=True
        )
        result = json.loads(finished.stdout.strip().splitlines()[-1])
        cold.append(result["cold"])
        warm.append(result["warm"])
    size = sum(message.utf8_bytes for message in messages)
    return (
        Throughput(median(cold), repeat, len(messages), size),
        Throughput(median(warm), repeat, len(messages), size),
    )


def peer_throughput(peer: Peer, repeat: int, messages: Sequence[CorpusMessage]) -> Throughput:
    work = [(message.text, message.region) for message in messages]

    def run(text: str, region: str) -> object:
        try:
            return peer.run(text, region)
        except Exception:  # counted in the quality pass
            return None

    time_pass(run, work)  # warm-up
    seconds = [time_pass(run, work) for _ in range(repeat)]
    return Throughput(
        median(seconds), repeat, len(messages), sum(message.utf8_bytes for message in messages)
    )


def pin_to_one_core() -> int | None:
    """Run on one CPU (children inherit it); the CPU's number, or None where unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


# -- output --------------------------------------------------------------------------------------
def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _prf(counts: Counts) -> str:
    return " / ".join(_figure(value) for value in (counts.precision, counts.recall, counts.f1))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("| " + " | ".join("---" if i == 0 else "---:" for i in range(len(headers))) + " |")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdicts(ours: Score, peer: Score, types: Iterable[IndicatorType]) -> dict[str, str]:
    """Per type the peer can emit: ours 'ahead', 'tied' or 'behind' on F1; 'both perfect'
    (nothing to be ahead on) and 'no data' (no label and no finding of the type) do not
    count against the goal."""
    result: dict[str, str] = {}
    for indicator_type in TYPES:
        if indicator_type not in types:
            continue
        our_f1 = ours.by_type[indicator_type].f1
        peer_f1 = peer.by_type[indicator_type].f1
        if our_f1 is None and peer_f1 is None:
            result[indicator_type.value] = "no data"
        elif (our_f1 or 0.0) > (peer_f1 or 0.0):
            result[indicator_type.value] = "ahead"
        elif our_f1 == 1.0 and peer_f1 == 1.0:
            result[indicator_type.value] = "both perfect"
        elif (our_f1 or 0.0) == (peer_f1 or 0.0):
            result[indicator_type.value] = "tied"
        else:
            result[indicator_type.value] = "behind"
    return result


def quality_table(
    ours: Score, peers: dict[str, Score | None], peer_types: dict[str, frozenset[IndicatorType]]
) -> str:
    names = [OURS, *peers]
    headers = ["type", "labels", *[f"{name} P / R / F1" for name in names]]
    rows: list[list[object]] = []
    for indicator_type in TYPES:
        row: list[object] = [indicator_type.value, ours.by_type[indicator_type].support]
        row.append(_prf(ours.by_type[indicator_type]))
        for name, score in peers.items():
            if score is None:
                row.append("not installed")
            elif indicator_type not in peer_types[name]:
                row.append("n/a")
            else:
                row.append(_prf(score.by_type[indicator_type]))
        rows.append(row)
    overall: list[object] = ["**overall**", ours.overall().support, _prf(ours.overall())]
    overall += [
        "not installed" if score is None else _prf(score.overall()) for score in peers.values()
    ]
    rows.append(overall)
    return markdown_table(headers, rows)


def throughput_table(rows: Sequence[tuple[str, Throughput | None]]) -> str:
    cells: list[list[object]] = []
    for name, figure in rows:
        if figure is None:
            cells.append([name, "not installed", "", "", ""])
            continue
        cells.append(
            [
                name,
                f"{figure.messages_per_second:,.0f}",
                f"{figure.megabytes_per_second:.3f}",
                f"{figure.seconds * 1000:.1f}",
                figure.passes,
            ]
        )
    return markdown_table(["extractor", "messages/s", "MB/s", "ms per pass", "passes"], cells)


def print_errors(score: Score, messages: Sequence[CorpusMessage], limit: int) -> None:
    texts = {message.id: message.text for message in messages}
    print(f"\nour mistakes ({len(score.mistakes)}; first {limit}):")
    for mistake in score.mistakes[:limit]:
        snippet = texts[mistake.message_id].replace("\n", " ")[:140]
        print(f"  {mistake.message_id}: {mistake.kind} {mistake.type.value} {mistake.value!r}")
        print(f"      {snippet}")


# -- main ----------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="a corpus file (repeatable); default: tests/data/extraction/real.jsonl and "
        "written.jsonl",
    )
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="timed passes per extractor"
    )
    parser.add_argument(
        "--errors", type=int, nargs="?", const=100, default=0, help="list our mistakes (first N)"
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    parser.add_argument("--our-passes", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus_paths: list[Path] = args.corpus or [path for path in CORPUS_FILES if path.is_file()]
    if not args.corpus and len(corpus_paths) < len(CORPUS_FILES):
        absent = [str(path) for path in CORPUS_FILES if path not in corpus_paths]
        print(f"not there yet: {', '.join(absent)}; scoring the rest of the corpus")
    if not corpus_paths:
        return 2
    try:
        messages = load_corpus(corpus_paths)
    except (CorpusError, FileNotFoundError) as error:
        print(f"cannot load the corpus: {error}")
        return 2
    if args.our_passes:  # one cold and one warm pass in this new process, for the parent
        first, second = our_passes([(message.text, message.region) for message in messages])
        print(json.dumps({"cold": first, "warm": second}))
        return 0
    environment = machine()  # before pinning, which would hide the other cores
    core = None if args.no_pin else pin_to_one_core()
    corpus = describe(messages)
    print(
        f"corpus: {', '.join(str(path) for path in corpus_paths)}: {corpus['messages']} "
        f"messages ({corpus['real']} real, {corpus['written']} written), {corpus['labels']} "
        f"labels {corpus['labels_by_type']}, {corpus['utf8_bytes']:,} bytes"
    )
    print(f"shared data: ${SHARED_DATA_ENV} or ../shared/data; pinned to CPU {core}")

    ours = our_score(messages)
    peers: dict[str, Peer | None] = {}
    for name, make in PEERS.items():
        try:
            peers[name] = make()
        except PeerMissingError as error:
            print(f"{name}: {error}")
            peers[name] = None
    peer_scores: dict[str, Score | None] = {
        name: None if peer is None else score_corpus(messages, peer.findings, clip=peer.clip)
        for name, peer in peers.items()
    }
    peer_types = {name: frozenset() if peer is None else peer.types for name, peer in peers.items()}

    print("\nHow the peers are run and scored:")
    for rule in FAIRNESS:
        print(f"- {rule}")
    versions = [f"{peer.name} {peer.version}" for peer in peers.values() if peer is not None]
    print(f"\nPrecision / recall / F1 per type ({', '.join(versions) or 'no peer installed'})")
    print(quality_table(ours, peer_scores, peer_types))
    for name, score in peer_scores.items():
        if score is None:
            continue
        own = sorted(peer_types[name], key=TYPES.index)
        print(
            f"on {name}'s types ({', '.join(t.value for t in own)}): {OURS} "
            f"{_prf(ours.overall(own))}, {name} {_prf(score.overall(own))}"
        )
    print(f"our offset accuracy: {_figure(ours.offset_accuracy)} of our true positives")
    for name, peer in peers.items():
        if peer is not None:
            print(f"{name} mapping: {peer.stats.as_dict()}")

    print(f"\nThroughput, one core, median of {args.repeat} passes over the corpus")
    cold, warm = our_throughput(corpus_paths, args.repeat, messages)
    speeds: list[tuple[str, Throughput | None]] = [
        (f"{OURS} (cold: new process and registry)", cold),
        (f"{OURS} (warm: second pass)", warm),
    ]
    peer_speeds: dict[str, Throughput | None] = {}
    for name, peer in peers.items():
        peer_speeds[name] = None if peer is None else peer_throughput(peer, args.repeat, messages)
        speeds.append((name, peer_speeds[name]))
    print(throughput_table(speeds))

    overall = ours.overall()
    ahead = {
        name: verdicts(ours, score, peer_types[name])
        for name, score in peer_scores.items()
        if score is not None
    }
    thresholds = {
        "precision": (overall.precision, GOAL_PRECISION),
        "recall": (overall.recall, GOAL_RECALL),
        "messages_per_second_cold": (cold.messages_per_second, GOAL_MESSAGES_PER_SECOND),
    }
    goals: dict[str, dict[str, Any]] = {}
    print("\nGoals:")
    for goal, (value, target) in thresholds.items():
        met = value is not None and value >= target
        goals[goal] = {"value": value, "goal": target, "met": met}
        print(f"  {goal}: {_figure(value)} (goal ≥ {target}): {'met' if met else 'not met'}")
    for name, by_type in ahead.items():
        behind = [t for t, verdict in by_type.items() if verdict in ("behind", "tied")]
        goals[f"ahead_of_{name}"] = {"types": by_type, "met": not behind}
        print(
            f"  ahead of {name} on every type it supports: {'yes' if not behind else 'no'}"
            f" ({', '.join(f'{t} {v}' for t, v in by_type.items())})"
        )
    if args.errors:
        print_errors(ours, messages, args.errors)

    payload = {
        "benchmark": "extraction",
        "machine": environment,
        "pinned_cpu": core,
        "code": source_fingerprint("scamintel.indicators"),
        "corpus": {"files": [str(path) for path in corpus_paths], **corpus},
        "fairness": list(FAIRNESS),
        "peers": {
            name: None if peer is None else {"version": peer.version, "types": sorted(peer.types)}
            for name, peer in peers.items()
        },
        "quality": {
            OURS: _score_json(ours),
            **{name: None if s is None else _score_json(s) for name, s in peer_scores.items()},
        },
        "mapping": {
            name: None if peer is None else peer.stats.as_dict() for name, peer in peers.items()
        },
        "offset_accuracy": ours.offset_accuracy,
        "throughput": {
            f"{OURS}_cold": cold.as_dict(),
            f"{OURS}_warm": warm.as_dict(),
            **{name: None if t is None else t.as_dict() for name, t in peer_speeds.items()},
        },
        "verdicts": ahead,
        "goals": goals,
    }
    print(f"\nwritten to {write_result('extraction', payload)}")
    return 2 if any(peer is None for peer in peers.values()) else 0


def _score_json(score: Score) -> dict[str, Any]:
    return {
        "by_type": {t.value: score.by_type[t].as_dict() for t in TYPES},
        "overall": score.overall().as_dict(),
    }


if __name__ == "__main__":
    sys.exit(main())
