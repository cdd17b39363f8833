"""The hand-labelled extraction corpus (tests/data/extraction/): intact, labelled in our
canonical forms, and read by our extractor with precision and recall of at least 0.95.

The real messages' texts live in the shared data sets beside the repository
(``../shared/data/messages``, or ``$SCAMINTEL_SHARED_DATA/messages``). Without them the corpus
tests are skipped, except in CI, where they fail. bench/extraction.py compares the same figures
with two open-source extractors.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from bench.extraction import GOAL_PRECISION, GOAL_RECALL, TYPES, Finding, Score, our_score
from bench.extraction import score_message as add_to_score
from bench.extraction_corpus import (
    REAL_CORPUS,
    SHARED_DATA_ENV,
    WRITTEN_CORPUS,
    CorpusError,
    CorpusMessage,
    Label,
    SharedDataMissingError,
    load_corpus,
    messages_dir,
)

from scamintel.indicators import IndicatorType, ParseContext, default_registry

MIN_REAL_MESSAGES = 400
MIN_WRITTEN_MESSAGES = 100


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def corpus() -> list[CorpusMessage]:
    folder = messages_dir()
    if not folder.is_dir():
        reason = (
            f"the shared message data sets are missing ({folder}); put the shared folder beside "
            f"the repository or set {SHARED_DATA_ENV}"
        )
        if _in_ci():
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)
    return load_corpus()


# -- the corpus ----------------------------------------------------------------------------------
def test_corpus_ids_are_unique(corpus: list[CorpusMessage]) -> None:
    counts = Counter(message.id for message in corpus)
    repeated = sorted(identifier for identifier, count in counts.items() if count > 1)
    assert not repeated, f"ids used more than once: {repeated}"


def test_corpus_has_enough_real_and_written_messages(corpus: list[CorpusMessage]) -> None:
    real = [message for message in corpus if message.origin.startswith(REAL_CORPUS.name)]
    written = [message for message in corpus if message.origin.startswith(WRITTEN_CORPUS.name)]
    assert all(message.source != "written" for message in real), "real.jsonl carries texts"
    assert len(real) >= MIN_REAL_MESSAGES, f"{len(real)} real messages"
    assert len(written) >= MIN_WRITTEN_MESSAGES, f"{len(written)} written messages"


def test_every_label_is_our_canonical_form_of_its_span(corpus: list[CorpusMessage]) -> None:
    registry = default_registry()
    wrong: list[str] = []
    for message in corpus:
        for label in message.labels:
            # A value worked out by hand must at least be canonical as it stands.
            span = label.value if label.read_by_hand else message.text[label.start : label.end]
            try:
                ours = registry.canonicalise(span, label.type, ParseContext(message.region)).value
            except ValueError as error:
                ours = f"refused: {error}"
            if ours != label.value:
                wrong.append(
                    f"{message.id} {label.type.value} {span!r}: {label.value!r}, ours {ours}"
                )
    assert not wrong, f"{len(wrong)} labels differ from our canonical form:\n" + "\n".join(wrong)


def test_our_extractor_reaches_the_precision_and_recall_goals(
    corpus: list[CorpusMessage],
) -> None:
    score = our_score(corpus)
    overall = score.overall()
    per_type = ", ".join(
        f"{t.value} {score.by_type[t].true_positives}/{score.by_type[t].support} "
        f"(+{score.by_type[t].false_positives} wrong)"
        for t in TYPES
        if score.by_type[t].support or score.by_type[t].found
    )
    mistakes = "\n".join(
        f"  {m.message_id}: {m.kind} {m.type.value} {m.value!r}" for m in score.mistakes[:40]
    )
    summary = f"precision {overall.precision}, recall {overall.recall}; {per_type}\n{mistakes}"
    assert overall.precision is not None, summary
    assert overall.precision >= GOAL_PRECISION, summary
    assert overall.recall is not None, summary
    assert overall.recall >= GOAL_RECALL, summary


# -- the loader and the scoring, on corpus files of their own ------------------------------------
def _shared(tmp_path: Path, texts: list[str]) -> Path:
    folder = tmp_path / "data" / "messages" / "tiny_sms"
    folder.mkdir(parents=True)
    with (folder / "train.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("text,label,lang\n")
        for text in texts:
            handle.write('"' + text.replace('"', '""') + '",scam,en\n')
    return tmp_path / "data"


def _line(path: Path, **record: object) -> Path:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_loader_resolves_real_rows_and_written_texts(tmp_path: Path) -> None:
    texts = ["Hello, no link here", 'Call 081-234-5678, "now"\nor visit kbank-th.com']
    data = _shared(tmp_path, texts)
    label = {"type": "phone", "value": "+66812345678", "start": 5, "end": 17}
    real = _line(
        tmp_path / "real.jsonl",
        id="t-1",
        dataset="tiny_sms",
        row=1,
        sha256=_sha(texts[1]),
        region="TH",
        indicators=[label],
    )
    written = _line(
        tmp_path / "written.jsonl", id="w-1", lang="ms", region="MY", text="Tiada", indicators=[]
    )
    messages = load_corpus([real, written], data_dir=data)
    assert [(m.id, m.source, m.text) for m in messages] == [
        ("t-1", "tiny_sms:1", texts[1]),
        ("w-1", "written", "Tiada"),
    ]
    assert messages[0].labels == (Label(IndicatorType.PHONE, "+66812345678", 5, 17),)


def test_loader_names_the_row_whose_text_changed(tmp_path: Path) -> None:
    data = _shared(tmp_path, ["first", "second"])
    real = _line(
        tmp_path / "real.jsonl",
        id="t-9",
        dataset="tiny_sms",
        row=1,
        sha256=_sha("first"),
        region="TH",
        indicators=[],
    )
    with pytest.raises(CorpusError, match=r"real\.jsonl:1 \(t-9\): row 1 of tiny_sms"):
        load_corpus([real], data_dir=data)


def test_loader_refuses_offsets_outside_the_text(tmp_path: Path) -> None:
    label = {"type": "url", "value": "http://x.com/", "start": 3, "end": 40}
    written = _line(
        tmp_path / "written.jsonl", id="w-2", region="TH", text="go x.com", indicators=[label]
    )
    with pytest.raises(CorpusError, match=r"w-2.*offsets 3\.\.40 do not lie in the text"):
        load_corpus([written], data_dir=tmp_path)


def test_loader_says_which_shared_data_is_missing(tmp_path: Path) -> None:
    real = _line(
        tmp_path / "real.jsonl",
        id="t-1",
        dataset="tiny_sms",
        row=0,
        sha256=_sha("x"),
        region="TH",
        indicators=[],
    )
    with pytest.raises(SharedDataMissingError, match=SHARED_DATA_ENV):
        load_corpus([real], data_dir=tmp_path / "nowhere")


def test_scoring_matches_type_and_value_multisets_per_message() -> None:
    message = CorpusMessage(
        "m-1",
        "TH",
        "0812345678 0812345678 kbank-th.com",
        (
            Label(IndicatorType.PHONE, "+66812345678", 0, 10),
            Label(IndicatorType.PHONE, "+66812345678", 11, 21),
            Label(IndicatorType.DOMAIN, "kbank-th.com", 22, 34),
        ),
    )
    score = Score()
    found = [
        Finding(IndicatorType.PHONE, "+66812345678", 0, 10),
        Finding(IndicatorType.PHONE, "+66812345678", 12, 21),  # found, offsets off by one
        Finding(IndicatorType.URL, "http://kbank-th.com/", 22, 34),  # the wrong type
    ]
    add_to_score(message, found, score)
    phone, domain, url = (
        score.by_type[t] for t in (IndicatorType.PHONE, IndicatorType.DOMAIN, IndicatorType.URL)
    )
    assert (phone.true_positives, phone.false_positives, phone.false_negatives) == (2, 0, 0)
    assert (domain.false_negatives, url.false_positives) == (1, 1)
    assert score.offset_accuracy == 0.5
    assert score.overall().precision == pytest.approx(2 / 3)
    assert score.overall().recall == pytest.approx(2 / 3)


def test_every_label_checked_without_a_type_keeps_its_type_and_value(
    corpus: list[CorpusMessage],
) -> None:
    # A citizen pastes a value found in a message into the check: it must be read as the same
    # indicator, or one account (say) would be stored and looked up under two values.
    registry = default_registry()
    differ: list[str] = []
    for message in corpus:
        for label in message.labels:
            read = registry.canonicalise(label.value, None, ParseContext(message.region))
            if (read.type, read.value) != (label.type, label.value):
                differ.append(f"{message.id}: {label.type.value} {label.value!r} → {read}")
    assert not differ, "\n".join(differ)
