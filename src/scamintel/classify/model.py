"""The message classifier: is this SMS or chat text a scam, spam or an ordinary message.

The model is a linear one over hashed character n-grams (no word segmentation, so Thai,
Burmese, Khmer and Lao need nothing special), trained by :mod:`scamintel.classify.training`
with scikit-learn and shipped as a plain ``.npz`` file (arrays and a JSON header, no pickle).
Prediction needs numpy only: the file is read once, on first use.

Steps for one text (the same at training time, see :func:`hashed_ngram_counts`):

1. Unicode NFKC, case folding, every decimal digit written as ``0``.
2. Character n-grams of 1 to 5 characters inside each whitespace-separated word padded with one
   space either side (scikit-learn's ``char_wb``), and word unigrams and bigrams, each hashed
   with CRC-32 into 2**18 buckets. Every character n-gram is counted twice: once as it is and
   once tagged with the message's detected language, so that the model can learn what a
   phrase means in one language only (an operator's advert is legitimate in one data set
   and spam in another) while sharing what all languages have in common (links, numbers,
   English words). Malay is tagged as Indonesian and Filipino as English (no training data of
   their own). This is feature augmentation for domain adaptation (Daumé III, 2007).
3. TF-IDF: ``1 + log(count)`` times the bucket's inverse document frequency, L2-normalised.
4. One-vs-rest linear SVM scores (``X @ coef.T + intercept``), one per class.
5. Calibration: a multinomial logistic regression over the three scores, fitted on
   out-of-fold scores, gives probabilities that sum to one.
6. Decision: the message is flagged when P(ham) falls below the threshold tuned for its
   language inside the training folds (at most 0.5, so a flagged message is more likely not
   ham than ham); a flagged message is ``scam`` or ``spam``, whichever is likelier.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, cast

import numpy as np
import numpy.typing as npt

from scamintel.classify.language import detect_language
from scamintel.classify.scam_types import guess_scam_type
from scamintel.reports.model import ScamType

Label = Literal["scam", "spam", "ham"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MODEL_FORMAT: Final = "scamintel-message-classifier"
MODEL_FORMAT_VERSION: Final = 2
MODEL_PATH: Final = Path(__file__).resolve().parent / "data" / "model.npz"
CLASSES: Final[tuple[Label, ...]] = ("ham", "scam", "spam")
ARRAY_NAMES: Final = (
    "idf",
    "coef",
    "intercept",
    "calibration_coef",
    "calibration_intercept",
)
_DIGIT: Final = re.compile(r"\d")  # every Unicode decimal digit (category Nd)
_TOKEN: Final = re.compile(r"\w+")


class ModelFileError(ValueError):
    """The model file is missing, damaged or of a format this code does not read."""


@dataclass(frozen=True)
class FeatureSpec:
    """How a text becomes hashed n-gram counts; stored in the model header."""

    n_features: int = 2**18
    min_n: int = 1
    max_n: int = 5
    language_copies: bool = True
    # Languages without training data of their own, tagged as their nearest trained one:
    # Malay reads much like Indonesian, and Filipino SMS mix in a lot of English.
    language_aliases: tuple[tuple[str, str], ...] = (("ms", "id"), ("tl", "en"))
    max_word_n: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.max_word_n <= 2:
            raise ValueError(f"max_word_n is 0, 1 or 2, not {self.max_word_n}")

    def language_tag(self, language: str) -> str:
        """What the language copy of each n-gram is tagged with ('' when there is none)."""
        if not self.language_copies:
            return ""
        return f"{dict(self.language_aliases).get(language, language)}|"

    def to_json(self) -> dict[str, Any]:
        return {
            "analyzer": "char_wb",
            "normalisation": "NFKC, casefold, decimal digits as 0",
            "hash": "crc32 of the UTF-8 n-gram, modulo n_features",
            "min_n": self.min_n,
            "max_n": self.max_n,
            "language_copies": self.language_copies,
            "language_tag": "character n-grams again, crc32 of '<language>|' + n-gram",
            "language_aliases": dict(self.language_aliases),
            "max_word_n": self.max_word_n,
            "word_tag": "crc32 of 'w<n>|' + words joined by one space, words as \\w+ runs",
            "n_features": self.n_features,
            "tf": "1 + log(count)",
            "norm": "l2",
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        return cls(
            n_features=int(data["n_features"]),
            min_n=int(data["min_n"]),
            max_n=int(data["max_n"]),
            language_copies=bool(data["language_copies"]),
            language_aliases=tuple(sorted(data["language_aliases"].items())),
            max_word_n=int(data["max_word_n"]),
        )


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), case folding, digits as ``0``."""
    return _DIGIT.sub("0", unicodedata.normalize("NFKC", text).casefold())


@functools.lru_cache(maxsize=1 << 16)
def _word_hashes(
    word: str, min_n: int, max_n: int, modulus: int, language_tag: str
) -> tuple[int, ...]:
    """The bucket of every n-gram of one word padded with a space either side.

    With a ``language_tag`` each n-gram is hashed a second time behind the tag (the CRC-32
    of the tag is the starting value, which equals hashing the concatenation).
    """
    crc32 = zlib.crc32
    seeds = [0] if not language_tag else [0, crc32(language_tag.encode())]
    padded = f" {word} "
    length = len(padded)
    grams: list[bytes] = []
    for n in range(min_n, max_n + 1):
        if n >= length:  # the whole padded word, once
            grams.append(padded.encode())
            break
        grams.extend(padded[start : start + n].encode() for start in range(length - n + 1))
    return tuple(crc32(gram, seed) % modulus for seed in seeds for gram in grams)


@functools.lru_cache(maxsize=1 << 16)
def _token_codes(token: str) -> tuple[int, int, bytes]:
    """A word's unigram hash, the CRC-32 state after ``w2|<word>`` (a bigram's start) and
    the bytes `` <word>`` that end a bigram: hashing a bigram is then one CRC-32 step."""
    return (
        zlib.crc32(f"w1|{token}".encode()),
        zlib.crc32(f"w2|{token}".encode()),
        f" {token}".encode(),
    )


def _word_ngram_hashes(text: str, max_word_n: int, modulus: int) -> list[int]:
    """Word unigrams and bigrams (``max_word_n`` is 1 or 2): crc32 of ``w<n>|`` + the words
    joined by one space."""
    if max_word_n < 1:
        return []
    codes = [_token_codes(token) for token in _TOKEN.findall(text)]
    hashes = [unigram % modulus for unigram, _, _ in codes]
    if max_word_n >= 2:
        crc32 = zlib.crc32
        hashes.extend(
            crc32(second[2], first[1]) % modulus for first, second in itertools.pairwise(codes)
        )
    return hashes


def hashed_ngram_counts(text: str, spec: FeatureSpec, language: str) -> tuple[IntArray, FloatArray]:
    """Sorted bucket indices and their counts for the features of ``text`` (module docstring).

    ``language`` is the message's detected language (:func:`detect_language`).
    """
    normalised = normalise_text(text)
    language_tag = spec.language_tag(language)
    hashes: list[int] = []
    for word in normalised.split():
        hashes.extend(_word_hashes(word, spec.min_n, spec.max_n, spec.n_features, language_tag))
    hashes.extend(_word_ngram_hashes(normalised, spec.max_word_n, spec.n_features))
    if not hashes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    indices, counts = np.unique(np.asarray(hashes, dtype=np.int64), return_counts=True)
    return indices, counts.astype(np.float64)


@dataclass(frozen=True)
class Prediction:
    """What the classifier says about one message.

    ``score`` is the calibrated probability of ``label``; ``probabilities`` holds all three;
    ``scam_type`` is set only when ``label`` is ``scam``; ``language`` is ISO 639-1.
    """

    label: Label
    score: float
    probabilities: dict[str, float]
    scam_type: ScamType | None
    language: str


@dataclass(frozen=True)
class ModelParameters:
    """Everything the model file holds, as arrays plus the JSON header."""

    header: dict[str, Any]
    idf: npt.NDArray[np.float32]
    coef: npt.NDArray[np.float32]
    intercept: FloatArray
    calibration_coef: FloatArray
    calibration_intercept: FloatArray

    @property
    def features(self) -> FeatureSpec:
        return FeatureSpec.from_json(self.header["features"])

    def to_bytes(self) -> bytes:
        """The ``.npz`` file, byte for byte the same for the same parameters.

        ``numpy.savez`` stamps each member with the current time; this writes the same
        layout (one ``.npy`` member per array, ``header`` as UTF-8 JSON bytes) with a fixed
        timestamp so that training twice gives identical files.
        """
        arrays: dict[str, npt.NDArray[Any]] = {
            "header": np.frombuffer(
                json.dumps(self.header, sort_keys=True, ensure_ascii=False).encode(),
                dtype=np.uint8,
            ),
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
            "calibration_coef": self.calibration_coef,
            "calibration_intercept": self.calibration_intercept,
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, array in arrays.items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, member.getvalue(), compresslevel=9)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ModelParameters:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                header = json.loads(bytes(archive["header"]).decode())
                arrays = {name: archive[name] for name in ARRAY_NAMES}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            raise ModelFileError(f"not a readable model file: {error}") from error
        if header.get("format") != MODEL_FORMAT or header.get("version") != MODEL_FORMAT_VERSION:
            raise ModelFileError(
                f"model format {header.get('format')!r} version {header.get('version')!r}; "
                f"this code reads {MODEL_FORMAT!r} version {MODEL_FORMAT_VERSION}"
            )
        if tuple(header.get("classes", ())) != CLASSES:
            raise ModelFileError(f"model classes {header.get('classes')!r}, expected {CLASSES}")
        params = cls(
            header=header,
            idf=arrays["idf"].astype(np.float32, copy=False),
            coef=arrays["coef"].astype(np.float32, copy=False),
            intercept=arrays["intercept"].astype(np.float64, copy=False),
            calibration_coef=arrays["calibration_coef"].astype(np.float64, copy=False),
            calibration_intercept=arrays["calibration_intercept"].astype(np.float64, copy=False),
        )
        n_features = params.features.n_features
        n_classes = len(CLASSES)
        if params.idf.shape != (n_features,) or params.coef.shape != (n_classes, n_features):
            raise ModelFileError("model arrays do not match the header's feature count")
        return params


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return cast(FloatArray, exponentials / exponentials.sum(axis=-1, keepdims=True))


class MessageClassifier:
    """Scores messages with the parameters of one model file."""

    def __init__(self, params: ModelParameters) -> None:
        self.params = params
        self.features = params.features
        self.header = params.header
        # One row per bucket: its idf times each class's weight, then its idf squared (for the
        # L2 norm). A message touches a few hundred of the 2**18 buckets at random, so one
        # 32-byte row per bucket is one memory fetch where separate arrays would be two.
        idf = params.idf.astype(np.float64)
        self._bucket_rows = np.ascontiguousarray(
            np.column_stack([idf[:, None] * params.coef.T.astype(np.float64), idf * idf])
        )
        thresholds = params.header["ham_thresholds"]
        self._default_threshold = float(thresholds["default"])
        self._thresholds = {
            str(lang): float(value) for lang, value in thresholds["languages"].items()
        }

    @classmethod
    def from_file(cls, path: Path) -> MessageClassifier:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ModelFileError(f"cannot read the model file {path}: {error}") from error
        return cls(ModelParameters.from_bytes(data))

    def decision_scores(self, text: str, language: str | None = None) -> FloatArray:
        """The three one-vs-rest scores (ham, scam, spam) before calibration.

        ``language`` is the text's detected language, when the caller has it already.
        """
        if language is None:
            language = detect_language(text)
        indices, counts = hashed_ngram_counts(text, self.features, language)
        if indices.size == 0:
            return self.params.intercept.copy()
        tf = np.log(counts) + 1.0
        rows = self._bucket_rows.take(indices, axis=0)
        # Σ tf·idf·coef / ‖tf·idf‖: the TF-IDF vector's L2 norm without building the vector.
        totals: FloatArray = tf @ rows
        classes = len(CLASSES)
        norm = float(np.sqrt(np.dot(tf * tf, rows[:, classes])))
        return totals[:classes] / norm + self.params.intercept

    def probabilities(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> FloatArray:
        """Calibrated probabilities, one row per text, columns in ``CLASSES`` order.

        ``languages``, when given, are the texts' detected languages (saves detecting twice).
        """
        if not texts:
            return np.zeros((0, len(CLASSES)))
        if languages is None:
            languages = [detect_language(text) for text in texts]
        scores = np.vstack(
            [
                self.decision_scores(text, language)
                for text, language in zip(texts, languages, strict=True)
            ]
        )
        logits = scores @ self.params.calibration_coef.T + self.params.calibration_intercept
        return _softmax(logits)

    def ham_threshold(self, language: str) -> float:
        """Flag a message in ``language`` when its P(ham) is below this."""
        return self._thresholds.get(language, self._default_threshold)

    def decide(self, probabilities: FloatArray, language: str) -> Label:
        """The label for one row of :meth:`probabilities` (see the module docstring, step 6)."""
        ham, scam, spam = (float(value) for value in probabilities)
        if ham >= self.ham_threshold(language):
            return "ham"
        return "scam" if scam >= spam else "spam"

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        batch = list(texts)
        languages = [detect_language(text) for text in batch]
        results: list[Prediction] = []
        for text, language, row in zip(
            batch, languages, self.probabilities(batch, languages), strict=True
        ):
            label = self.decide(row, language)
            probabilities: dict[str, float] = {
                name: float(value) for name, value in zip(CLASSES, row, strict=True)
            }
            results.append(
                Prediction(
                    label=label,
                    score=probabilities[label],
                    probabilities=probabilities,
                    scam_type=guess_scam_type(text, language) if label == "scam" else None,
                    language=language,
                )
            )
        return results


@functools.cache
def default_classifier() -> MessageClassifier:
    """The classifier shipped with the package, read on first use and kept."""
    return MessageClassifier.from_file(MODEL_PATH)
