"""The hand-labelled extraction corpus (``tests/data/extraction/``), read and checked.

Two kinds of line (see ``tests/data/extraction/README.md``): messages drawn from the shared SMS
data sets, which name a data set, a 0-based data row of its ``train.csv`` and the SHA-256 of
the text (the text itself is not committed), and messages written for the corpus, which carry
their text. Loading resolves every text, checks its digest and checks that every label's
offsets lie inside it; anything wrong is an error naming the file, the line and the message.

The shared data sets are looked for in ``<repository>/../shared/data/messages``; the
environment variable ``SCAMINTEL_SHARED_DATA`` names another ``data`` folder (the one that
holds ``messages/``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bench.common import REPO_ROOT
from scamintel.indicators import IndicatorType

CORPUS_DIR = REPO_ROOT / "tests" / "data" / "extraction"
REAL_CORPUS = CORPUS_DIR / "real.jsonl"
WRITTEN_CORPUS = CORPUS_DIR / "written.jsonl"
CORPUS_FILES = (REAL_CORPUS, WRITTEN_CORPUS)
SHARED_DATA_ENV = "SCAMINTEL_SHARED_DATA"
_T = TypeVar("_T")


class CorpusError(ValueError):
    """A corpus line that cannot be used: what is wrong and where."""


class SharedDataMissingError(CorpusError):
    """The shared message data sets that the corpus refers to are not there."""


@dataclass(frozen=True, slots=True)
class Label:
    """One indicator marked by hand: its type, canonical value and character span."""

    type: IndicatorType
    value: str
    start: int
    end: int
    # Written in a way the canonicaliser does not read (spaces inside a link, a bank word
    # glued to the name): the value was worked out by hand.
    read_by_hand: bool = False


@dataclass(frozen=True, slots=True)
class CorpusMessage:
    id: str
    region: str
    text: str
    labels: tuple[Label, ...]
    # "thai_sms:412" for a message of a shared data set, "written" for one written for the corpus.
    source: str = "written"
    origin: str = field(default="", compare=False)  # "real.jsonl:17", for messages about it

    @property
    def utf8_bytes(self) -> int:
        return len(self.text.encode("utf-8"))


def shared_data_dir() -> Path:
    """The ``data`` folder of the shared files: ``$SCAMINTEL_SHARED_DATA`` or ``../shared/data``."""
    configured = os.environ.get(SHARED_DATA_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return REPO_ROOT.parent / "shared" / "data"


def messages_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or shared_data_dir()) / "messages"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DataSets:
    """The texts of the shared data sets (``<messages>/<name>/train.csv``), each read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._texts: dict[str, list[str]] = {}

    def text(self, dataset: str, row: int, where: str) -> str:
        texts = self._texts.get(dataset)
        if texts is None:
            texts = self._texts[dataset] = self._read(dataset, where)
        if not 0 <= row < len(texts):
            raise CorpusError(
                f"{where}: row {row} is not a data row of {self._path(dataset)} "
                f"({len(texts)} data rows, counted from 0)"
            )
        return texts[row]

    def _path(self, dataset: str) -> Path:
        return self.folder / dataset / "train.csv"

    def _read(self, dataset: str, where: str) -> list[str]:
        if not self.folder.is_dir():
            raise SharedDataMissingError(
                f"{where}: the shared message data sets are missing: {self.folder} does not "
                f"exist. Put the shared folder beside the repository (../shared/data/messages) "
                f"or set {SHARED_DATA_ENV} to the folder that holds messages/."
            )
        if "/" in dataset or "\\" in dataset or dataset.startswith("."):
            raise CorpusError(f"{where}: {dataset!r} is not a data set name")
        path = self._path(dataset)
        if not path.is_file():
            raise SharedDataMissingError(f"{where}: data set {dataset!r} is missing: no {path}")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header or header[0] != "text":
                raise CorpusError(f"{path}: the first column is not 'text' (header {header})")
            return [record[0] for record in reader]


def load_corpus(
    paths: Sequence[Path] = CORPUS_FILES, data_dir: Path | None = None
) -> list[CorpusMessage]:
    """Every message of ``paths`` in order, texts resolved and checked."""
    datasets = DataSets(messages_dir(data_dir))
    messages: list[CorpusMessage] = []
    for path in paths:
        messages.extend(load_file(path, datasets))
    return messages


def load_file(path: Path, datasets: DataSets) -> list[CorpusMessage]:
    if not path.is_file():
        raise FileNotFoundError(f"no corpus file {path}")
    messages: list[CorpusMessage] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{where}: not JSON: {error}") from error
            if not isinstance(record, dict):
                raise CorpusError(f"{where}: not a JSON object")
            messages.append(_message(record, where, datasets))
    return messages


def _message(record: dict[str, Any], where: str, datasets: DataSets) -> CorpusMessage:
    identifier = _field(record, "id", str, where)
    where = f"{where} ({identifier})"
    region = _field(record, "region", str, where)
    if "dataset" in record:
        dataset = _field(record, "dataset", str, where)
        row = _field(record, "row", int, where)
        expected = _field(record, "sha256", str, where).lower()
        text = datasets.text(dataset, row, where)
        actual = sha256_text(text)
        if actual != expected:
            raise CorpusError(
                f"{where}: row {row} of {dataset}/train.csv has SHA-256 {actual}, the corpus "
                f"expects {expected}: the data file changed or the row number is wrong"
            )
        source = f"{dataset}:{row}"
    else:
        text = _field(record, "text", str, where)
        source = "written"
    raw_labels = record.get("indicators")
    if not isinstance(raw_labels, list):
        raise CorpusError(f"{where}: 'indicators' must be a list (empty when there is none)")
    labels = tuple(_label(raw, index, text, where) for index, raw in enumerate(raw_labels))
    return CorpusMessage(identifier, region, text, labels, source, where)


def _label(raw: Any, index: int, text: str, where: str) -> Label:
    where = f"{where}, indicator {index}"
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: not a JSON object")
    type_name = _field(raw, "type", str, where)
    try:
        indicator_type = IndicatorType(type_name)
    except ValueError:
        known = ", ".join(member.value for member in IndicatorType)
        raise CorpusError(f"{where}: unknown type {type_name!r} (known: {known})") from None
    value = _field(raw, "value", str, where)
    start = _field(raw, "start", int, where)
    end = _field(raw, "end", int, where)
    if not value:
        raise CorpusError(f"{where}: empty value")
    if not 0 <= start < end <= len(text):
        raise CorpusError(
            f"{where}: offsets {start}..{end} do not lie in the text ({len(text)} characters)"
        )
    return Label(indicator_type, value, start, end, raw.get("read_by_hand") is True)


def _field(record: dict[str, Any], name: str, kind: type[_T], where: str) -> _T:
    value = record.get(name)
    # bool is an int to Python, never a row number or an offset.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CorpusError(f"{where}: {name!r} must be a {kind.__name__}, not {value!r}")
    return value


def describe(messages: Iterable[CorpusMessage]) -> dict[str, Any]:
    """Counts for the output: messages, labels by type, real and written."""
    listed = list(messages)
    by_type: dict[str, int] = {}
    for message in listed:
        for label in message.labels:
            by_type[label.type.value] = by_type.get(label.type.value, 0) + 1
    return {
        "messages": len(listed),
        "real": sum(1 for message in listed if message.source != "written"),
        "written": sum(1 for message in listed if message.source == "written"),
        "labels": sum(by_type.values()),
        "labels_by_type": dict(sorted(by_type.items())),
        "utf8_bytes": sum(message.utf8_bytes for message in listed),
    }
