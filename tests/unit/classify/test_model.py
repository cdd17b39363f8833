"""The shipped message classifier: labels, probabilities, the model file and its training."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import numpy as np
import pytest

from scamintel.classify.model import (
    CLASSES,
    MODEL_PATH,
    MessageClassifier,
    ModelFileError,
    ModelParameters,
    default_classifier,
)
from scamintel.classify.training import (
    EVALUATION_ONLY,
    DatasetFile,
    Message,
    TrainingConfig,
    load_training_sets,
    train,
)
from scamintel.reports.model import ScamType

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "messages"

# Clear cases the shipped model must get right, per language.
CLEAR_MESSAGES = [
    ("สล็อตเว็บตรง ฝากถอนไม่มีขั้นต่ำ สมัครวันนี้รับเครดิตฟรี 100 คลิก https://bit.ly/3abcd", "th", "scam"),
    ("รหัส OTP ของคุณคือ 482913 ห้ามบอกรหัสนี้กับผู้อื่น", "th", "ham"),
    ("Your OTP is 483920. Do not share this code with anyone.", "en", "ham"),
    ("Hey, are we still meeting for lunch tomorrow?", "en", "ham"),
    (
        "Dear customer your SBI account KYC has expired, update now or your account will be "
        "blocked: http://sbi-kyc.in.net",
        "en",
        "scam",
    ),
    (
        "Congratulations! You have won a $1000 Walmart gift card. Click http://bit.ly/claim "
        "to claim now",
        "en",
        "scam",
    ),
    ("Nanti sore aku jemput ya", "id", "ham"),
    (
        "Selamat! Nomor anda mendapatkan hadiah mobil dari Telkomsel. Untuk info hub 081234567890",
        "id",
        "scam",
    ),
    ("Con về ăn cơm nhé mẹ, tối nay nhà mình ăn lẩu", "vi", "ham"),
    (
        "Quý khách đã trúng thưởng xe SH, vui lòng truy cập http://vn-qua.com để nhận quà",
        "vi",
        "scam",
    ),
]


def message_factory(seed: int = 7) -> list[DatasetFile]:
    """Two small made-up data sets with all three labels, enough for five folds."""
    rng = random.Random(seed)
    templates = {
        "ham": ["see you at {n} tonight", "meeting moved to {n} pm", "your code is {n}, thanks"],
        "scam": [
            "you won {n} baht, claim at http://x{n}.top",
            "account blocked, verify at bit.ly/{n}",
        ],
        "spam": ["promo! {n}% off all items this week", "buy 1 get 1 free, sms {n} to join"],
    }
    sets = []
    for name in ("alpha", "beta"):
        messages = [
            Message(rng.choice(options).format(n=rng.randrange(10_000)), label, "en", name)
            for label, options in templates.items()
            for _ in range(40)
        ]
        sets.append(DatasetFile(name, hashlib.sha256(name.encode()).hexdigest(), tuple(messages)))
    return sets


SMALL_CONFIG = TrainingConfig(target_ham_flag_rate=0.05)


@pytest.mark.parametrize(("text", "language", "label"), CLEAR_MESSAGES)
def test_clear_messages_get_their_label_and_language(text: str, language: str, label: str) -> None:
    prediction = default_classifier().predict(text)
    assert (prediction.label, prediction.language) == (label, language)


@pytest.mark.xfail(
    strict=True,
    reason="known failure mode (docs/model-card.md): the Thai training set has parcel "
    "notices only as legitimate messages, so a Thai parcel scam reads as ham to the model",
)
def test_a_thai_parcel_scam_is_a_scam() -> None:
    text = (
        "แจ้งเตือน! พัสดุของท่านถูกกักที่ศุลกากร กรุณาชำระค่าธรรมเนียม 150 บาท ภายใน 24 ชั่วโมง "
        "มิฉะนั้นพัสดุจะถูกทำลาย คลิก https://bit.ly/3kPx9"
    )
    assert default_classifier().predict(text).label == "scam"


@pytest.mark.parametrize(("text", "language", "label"), CLEAR_MESSAGES)
def test_probabilities_sum_to_one_and_score_is_the_label_probability(
    text: str, language: str, label: str
) -> None:
    prediction = default_classifier().predict(text)
    assert set(prediction.probabilities) == set(CLASSES)
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
    assert 0.0 <= prediction.score <= 1.0
    assert prediction.score == prediction.probabilities[prediction.label]


def test_scam_type_is_given_for_scams_only() -> None:
    classifier = default_classifier()
    scam = classifier.predict("สล็อตเว็บตรง ฝากถอนไม่มีขั้นต่ำ รับเครดิตฟรี 100 คลิก https://bit.ly/3abcd")
    ham = classifier.predict("Hey, are we still meeting for lunch tomorrow?")
    assert scam.label == "scam"
    assert scam.scam_type == ScamType.GAMBLING_LURE
    assert ham.scam_type is None


def test_empty_and_odd_texts_are_scored() -> None:
    for text in ["", "   ", "🙂", "x" * 10_000, "\u200b\u200b"]:
        prediction = default_classifier().predict(text)
        assert prediction.label in CLASSES
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0)


def test_predict_many_agrees_with_predict() -> None:
    classifier = default_classifier()
    texts = [text for text, _, _ in CLEAR_MESSAGES]
    # A batch and a single row may take different BLAS kernels (CPU-dependent), which sum in
    # another order: the same answer, probabilities equal to the last few bits.
    for many, one in zip(
        classifier.predict_many(texts), [classifier.predict(text) for text in texts], strict=True
    ):
        assert (many.label, many.scam_type, many.language) == (
            one.label,
            one.scam_type,
            one.language,
        )
        assert many.score == pytest.approx(one.score, rel=1e-9)
        assert many.probabilities == pytest.approx(one.probabilities, rel=1e-9, abs=1e-15)


def test_shipped_model_file_is_small_portable_and_documented() -> None:
    data = MODEL_PATH.read_bytes()
    assert len(data) < 20 * 1024 * 1024
    header = ModelParameters.from_bytes(data).header  # np.load with allow_pickle=False
    trained_on = {item["dataset"] for item in header["training_data"]}
    assert trained_on == {
        "id_sms_spam",
        "mendeley_smishing",
        "thai_sms",
        "uci_sms_spam",
        "vi_smishing",
    }
    assert not trained_on & EVALUATION_ONLY
    assert all(len(item["sha256"]) == 64 for item in header["training_data"])
    assert header["seed"] == TrainingConfig().seed
    assert all(0.0 < value <= 0.5 for value in header["ham_thresholds"]["languages"].values())


def test_a_damaged_model_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError):
        ModelParameters.from_bytes(b"not a zip file")
    with pytest.raises(ModelFileError):
        MessageClassifier.from_file(tmp_path / "missing.npz")


def test_model_file_predicts_what_the_trained_pipeline_predicts() -> None:
    result = train(message_factory(), SMALL_CONFIG)
    classifier = MessageClassifier(ModelParameters.from_bytes(result.data))
    texts = [m.text for d in message_factory(seed=99) for m in d.messages] + [
        "",
        "completely unrelated words",
        "สวัสดีครับ",
    ]
    expected = result.pipeline.predict_proba(texts)
    np.testing.assert_allclose(classifier.probabilities(texts), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        np.vstack([classifier.decision_scores(t) for t in texts]),
        result.pipeline.decision_function(texts),
        rtol=0,
        atol=1e-9,
    )


def test_training_twice_gives_identical_bytes() -> None:
    first = train(message_factory(), SMALL_CONFIG)
    second = train(message_factory(), SMALL_CONFIG)
    assert first.data == second.data
    assert ModelParameters.from_bytes(first.data).header["seed"] == SMALL_CONFIG.seed


@pytest.mark.slow
def test_training_on_the_shared_data_reproduces_the_shipped_model() -> None:
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the training data {SHARED_DATA} is missing")
        pytest.skip(f"the training data folder {SHARED_DATA} is absent (kept outside the repo)")
    result = train(load_training_sets(SHARED_DATA))
    if result.sha256 == hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest():
        return
    # Byte-identical on a CPU whose BLAS kernels match the one the model was trained on;
    # elsewhere the same model up to floating-point rounding.
    shipped = ModelParameters.from_bytes(MODEL_PATH.read_bytes())
    trained = result.parameters
    for name in ("idf", "coef", "intercept", "calibration_coef", "calibration_intercept"):
        np.testing.assert_allclose(
            getattr(trained, name), getattr(shipped, name), rtol=1e-5, atol=1e-7, err_msg=name
        )
    assert_same_header(trained.header, shipped.header)


def assert_same_header(trained: object, shipped: object, where: str = "header") -> None:
    """Equal, numbers up to rounding."""
    if isinstance(shipped, dict):
        assert isinstance(trained, dict), where
        assert trained.keys() == shipped.keys(), where
        for key, value in shipped.items():
            assert_same_header(trained[key], value, f"{where}.{key}")
    elif isinstance(shipped, float):
        assert trained == pytest.approx(shipped, rel=1e-6, abs=1e-9), where
    else:
        assert trained == shipped, where
