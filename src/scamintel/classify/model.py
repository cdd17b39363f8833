"""The message classifier: is this SMS or chat text a scam, spam or an ordinary message.

The model is a linear one over hashed character n-grams (no word segmentation, so Thai,
Burmese, Khmer and Lao need nothing special), trained by :mod:`scamintel.classify.training`
with scikit-learn and shipped as a plain ``.npz`` file (arrays and a JSON header, no pickle).
Prediction needs numpy only: the file is read once, on first use.

Steps for one text (the same at training time, see :func:`hashed_ngram_counts`):

1. Unicode NFKC, case folding, every decimal digit written as ``0``.
2. Character n-grams of 1 to 5 characters inside each whitespace-separated word padded with one
   space either side (scikit-learn's ``char_wb``), each hashed with CRC-32 into 2**18 buckets.
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
MODEL_FORMAT_VERSION: Final = 1
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


class ModelFileError(ValueError):
    """The model file is missing, damaged or of a format this code does not read."""


@dataclass(frozen=True)
class FeatureSpec:
    """How a text becomes hashed n-gram counts; stored in the model header."""

    n_features: int = 2**18
    min_n: int = 1
    max_n: int = 5

    def to_json(self) -> dict[str, Any]:
        return {
            "analyzer": "char_wb",
            "normalisation": "NFKC, casefold, decimal digits as 0",
            "hash": "crc32 of the UTF-8 n-gram, modulo n_features",
            "min_n": self.min_n,
            "max_n": self.max_n,
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
        )


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), case folding, digits as ``0``."""
    return _DIGIT.sub("0", unicodedata.normalize("NFKC", text).casefold())


@functools.lru_cache(maxsize=1 << 16)
def _word_hashes(word: str, min_n: int, max_n: int, modulus: int) -> tuple[int, ...]:
    """The bucket of every n-gram of one word padded with a space either side."""
    crc32 = zlib.crc32
    padded = f" {word} "
    length = len(padded)
    hashes: list[int] = []
    for n in range(min_n, max_n + 1):
        if n >= length:  # the whole padded word, once
            hashes.append(crc32(padded.encode()) % modulus)
            break
        hashes.extend(
            crc32(padded[start : start + n].encode()) % modulus for start in range(length - n + 1)
        )
    return tuple(hashes)


def hashed_ngram_counts(text: str, spec: FeatureSpec) -> tuple[IntArray, FloatArray]:
    """Sorted bucket indices and their counts for the ``char_wb`` n-grams of ``text``."""
    hashes: list[int] = []
    for word in normalise_text(text).split():
        hashes.extend(_word_hashes(word, spec.min_n, spec.max_n, spec.n_features))
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
        # Columns as float64 once: a message touches a few hundred of the 2**18 buckets.
        self._idf = params.idf.astype(np.float64)
        self._coef_t = np.ascontiguousarray(params.coef.T, dtype=np.float64)
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

    def decision_scores(self, text: str) -> FloatArray:
        """The three one-vs-rest scores (ham, scam, spam) before calibration."""
        indices, counts = hashed_ngram_counts(text, self.features)
        if indices.size == 0:
            return self.params.intercept.copy()
        weights = (np.log(counts) + 1.0) * self._idf[indices]
        weights /= np.sqrt(np.dot(weights, weights))
        return weights @ self._coef_t[indices] + self.params.intercept

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated probabilities, one row per text, columns in ``CLASSES`` order."""
        if not texts:
            return np.zeros((0, len(CLASSES)))
        scores = np.vstack([self.decision_scores(text) for text in texts])
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
        results: list[Prediction] = []
        for text, row in zip(batch, self.probabilities(batch), strict=True):
            language = detect_language(text)
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
