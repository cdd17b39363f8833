"""Classifying a whole message as users do it: POST /api/v1/classify, the check given a
pasted message, and ``scamintel classify``."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from helpers import run_scamintel
from scamintel.settings import Settings

PARCEL_SCAM = (
    "ด่วน! พัสดุของท่านถูกกักที่ศุลกากร ชำระค่าปรับภายใน 24 ชม. ที่ hxxps://thaipost-th[.]com/pay "
    "หรือโทร 081-234-5678"
)
OTP_NOTICE = "Your OTP is 482913. Do not share this code with anyone."


def test_classify_gives_label_flags_and_indicators_with_verdicts(
    client: TestClient, police_key: str
) -> None:
    report = {"narrative": "Parcel scam", "indicators": [{"value": "081-234-5678"}]}
    headers = {"Authorization": f"Bearer {police_key}"}
    assert client.post("/api/v1/reports", json=report, headers=headers).status_code == 201

    response = client.post("/api/v1/classify", json={"text": PARCEL_SCAM, "lang": "th"})

    assert response.status_code == 200
    body = response.json()
    assert body["score"] == body["probabilities"][body["label"]]
    assert abs(sum(body["probabilities"].values()) - 1) < 1e-6
    assert body["language"] == "th"
    assert body["region"] == "TH"
    codes = {flag["code"] for flag in body["red_flags"]}
    assert {"urgency", "impersonation", "lookalike_domain"} <= codes
    for flag in body["red_flags"]:
        assert PARCEL_SCAM[flag["start"] : flag["end"]] == flag["raw"]
        assert flag["explanation"]
    verdicts = {item["value"]: item["verdict"] for item in body["indicators"]}
    assert verdicts == {"https://thaipost-th.com/pay": "no_reports", "+66812345678": "scam"}


def test_check_of_a_pasted_message_answers_for_the_message(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": PARCEL_SCAM}).json()

    assert body["indicator"] is None
    assert body["message"]["language"] == "th"
    # Whatever the model's label, several kinds of red flag make the message suspicious.
    assert body["verdict"] == "suspicious"
    assert body["score"] > 0
    assert "Red flags:" in body["explanation"]


def test_two_kinds_of_red_flag_beside_a_link_make_a_message_suspicious(
    client: TestClient,
) -> None:
    text = (
        "URGENT: Your parcel is held at customs. Pay the 150 THB fee within 24 hours at "
        "https://thaipost-fee.top/pay or it will be returned."
    )
    body = client.get("/api/v1/check", params={"q": text}).json()

    kinds = {flag["code"] for flag in body["message"]["red_flags"]}
    assert kinds == {"urgency", "impersonation"}
    assert body["verdict"] == "suspicious"
    assert "kinds beside a link are reason enough to be careful" in body["explanation"]
    without_link = client.get(
        "/api/v1/check", params={"q": text.replace(" at https://thaipost-fee.top/pay", "")}
    ).json()
    assert without_link["verdict"] == "no_reports"


def test_check_of_an_ordinary_message_is_no_reports_never_safe(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": OTP_NOTICE}).json()

    assert body["verdict"] == "no_reports"
    assert "not proof that it is safe" in body["explanation"]


def test_a_reported_number_in_a_message_makes_the_message_a_scam(
    client: TestClient, police_key: str
) -> None:
    report = {"narrative": "Parcel scam", "indicators": [{"value": "081-234-5678"}]}
    for _ in range(2):
        client.post("/api/v1/reports", json=report)
    client.post("/api/v1/reports", json=report, headers={"Authorization": f"Bearer {police_key}"})

    body = client.get("/api/v1/check", params={"q": PARCEL_SCAM}).json()

    assert body["verdict"] == "scam"
    assert "+66812345678" in body["explanation"]
    assert body["report_count"] == 3
    assert body["first_seen"] is not None
    assert body["imitates"]["brand"] == "Thailand Post"


def test_an_otp_notice_is_not_called_a_scam(client: TestClient) -> None:
    body = client.post("/api/v1/classify", json={"text": OTP_NOTICE}).json()

    assert body["label"] == "ham"
    assert body["red_flags"] == []


def test_classify_refuses_empty_text_and_unknown_regions(client: TestClient) -> None:
    empty = client.post("/api/v1/classify", json={"text": ""})
    unknown = client.post("/api/v1/classify", json={"text": "hello there", "region": "QQ"})

    assert empty.status_code == 422
    assert unknown.status_code == 422
    assert "QQ is not a country code" in unknown.text


def test_cli_classify_prints_the_assessment_as_json(
    settings: Settings, node_database: object, tmp_path: Path
) -> None:
    result = run_scamintel(
        settings, tmp_path, "classify", "--json", "--lang", "th", stdin=PARCEL_SCAM.encode()
    )

    assert result.returncode == 0, result.stderr.decode()
    body = json.loads(result.stdout)
    assert body["language"] == "th"
    assert [item["value"] for item in body["indicators"]] == [
        "https://thaipost-th.com/pay",
        "+66812345678",
    ]


def test_cli_classify_refuses_empty_input(
    settings: Settings, node_database: object, tmp_path: Path
) -> None:
    result = run_scamintel(settings, tmp_path, "classify", stdin=b"  \n")

    assert result.returncode == 2
    assert b"standard input is empty" in result.stderr


def test_a_thai_message_without_spaces_is_a_message_not_a_value(client: TestClient) -> None:
    text = "บัญชีของท่านถูกระงับกรุณายืนยันตัวตนที่ลิงก์นี้"

    response = client.get("/api/v1/check", params={"q": text})

    assert response.status_code == 200
    assert response.json()["message"]["language"] == "th"


def test_classify_refuses_blank_text_and_unknown_explanation_languages(
    client: TestClient,
) -> None:
    blank = client.post("/api/v1/classify", json={"text": "   "})
    unknown = client.post("/api/v1/classify", json={"text": "hello there", "lang": "xx"})
    upper = client.post("/api/v1/classify", json={"text": "hello there", "lang": "TH"})

    assert blank.status_code == 422
    assert "blank" in blank.text
    assert unknown.status_code == 422
    assert "en th my km lo vi id ms tl" in unknown.text
    assert upper.status_code == 200


def test_a_malaysian_number_in_a_message_read_as_indonesian_is_still_found(
    client: TestClient,
) -> None:
    text = "Jom makan tengah hari esok, call saya 012-345 6789"

    body = client.post("/api/v1/classify", json={"text": text}).json()

    assert [item["value"] for item in body["indicators"]] == ["+60123456789"]


def test_cli_check_of_a_message_answers_like_the_api(
    settings: Settings, node_database: object, tmp_path: Path
) -> None:
    result = run_scamintel(
        settings, tmp_path, "check", "--json", "URGENT verify your account now at http://bit.ly/x"
    )

    assert result.returncode == 0, result.stderr.decode()
    body = json.loads(result.stdout)
    assert body["indicator"] is None
    assert body["verdict"] == "suspicious"
    assert "shortened link" in body["explanation"]
    assert body["message"]["red_flags"]
