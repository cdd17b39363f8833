"""Extraction as users call it: POST /api/v1/extract and ``scamintel extract``."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from helpers import run_scamintel
from scamintel.api.schemas import MAX_TEXT_TO_READ
from scamintel.settings import Settings

# A Thai parcel scam as forwarded: Thai digits, a defanged link, a zero-width space inside
# the account number and a LINE id.
THAI_MESSAGE = (
    "พัสดุของท่านถูกกักที่ศุลกากร ชำระค่าปรับที่ hxxps://thaipost-th[.]com/pay "
    "หรือโอนเข้าบัญชี กสิกร 123-4-56789\u200b-0 โทร ๐๘๑-๒๓๔-๕๖๗๘ วันที่ 12/05/2026 เวลา 14:30"
)


def test_extract_returns_canonical_values_with_offsets_into_the_text(client: TestClient) -> None:
    response = client.post("/api/v1/extract", json={"text": THAI_MESSAGE})

    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "TH"
    found = [(item["type"], item["value"]) for item in body["indicators"]]
    assert found == [
        ("url", "https://thaipost-th.com/pay"),
        ("bank_account", "TH:KBANK:1234567890"),
        ("phone", "+66812345678"),
    ]
    for item in body["indicators"]:
        assert THAI_MESSAGE[item["start"] : item["end"]] == item["raw"]
    assert body["indicators"][1]["raw"] == "กสิกร 123-4-56789\u200b-0"


def test_extract_reads_local_numbers_in_the_region_asked_for(client: TestClient) -> None:
    text = "Hubungi 012-345 6789 sekarang"

    default = client.post("/api/v1/extract", json={"text": text}).json()
    malaysian = client.post("/api/v1/extract", json={"text": text, "region": "my"}).json()

    assert default["indicators"] == []
    assert malaysian["region"] == "MY"
    assert [item["value"] for item in malaysian["indicators"]] == ["+60123456789"]


def test_extract_of_text_without_indicators_is_an_empty_list(client: TestClient) -> None:
    text = (
        "OTP 482913 valid 5 min. Order #20261128-7731 ships 28/11/2026 at 09:15, total 1,250.00 THB"
    )

    response = client.post("/api/v1/extract", json={"text": text})

    assert response.status_code == 200
    assert response.json()["indicators"] == []


def test_extract_refuses_an_unknown_region_and_oversized_text(client: TestClient) -> None:
    unknown = client.post("/api/v1/extract", json={"text": "x", "region": "QQ"})
    too_long = client.post("/api/v1/extract", json={"text": "a" * (MAX_TEXT_TO_READ + 1)})
    missing = client.post("/api/v1/extract", json={})

    assert unknown.status_code == 422
    assert "QQ is not a country code" in unknown.text
    assert too_long.status_code == 422
    assert str(MAX_TEXT_TO_READ) in too_long.text
    assert missing.status_code == 422
    assert "text" in missing.text


def test_cli_extract_prints_json_like_the_api(settings: Settings, tmp_path: Path) -> None:
    result = run_scamintel(settings, tmp_path, "extract", "--json", stdin=THAI_MESSAGE.encode())

    assert result.returncode == 0, result.stderr.decode()
    body = json.loads(result.stdout)
    assert [item["value"] for item in body["indicators"]] == [
        "https://thaipost-th.com/pay",
        "TH:KBANK:1234567890",
        "+66812345678",
    ]
    for item in body["indicators"]:
        assert THAI_MESSAGE[item["start"] : item["end"]] == item["raw"]


def test_cli_extract_refuses_bad_input_with_exit_code_2(settings: Settings, tmp_path: Path) -> None:
    not_utf8 = run_scamintel(settings, tmp_path, "extract", stdin=b"call \xff\xfe 0812345678")
    bad_region = run_scamintel(
        settings, tmp_path, "extract", "--region", "QQ", stdin=b"call 0812345678"
    )

    assert not_utf8.returncode == 2
    assert b"not UTF-8 text (byte 0xff at offset 5)" in not_utf8.stderr
    assert bad_region.returncode == 2
    assert b"'QQ' is not a country code" in bad_region.stderr


def test_extract_reads_through_homoglyphs_and_full_width_letters(client: TestClient) -> None:
    cyrillic_a = "\u0430"
    full_width_link = "ｈｔｔｐｓ：／／ｓｃｂ－ｖｅｒｉｆｙ．ｃｏｍ／ｌｏｇｉｎ"
    text = f"ยืนยันที่ kb{cyrillic_a}nk-th.com หรือ {full_width_link}"

    body = client.post("/api/v1/extract", json={"text": text}).json()

    assert [(item["type"], item["value"]) for item in body["indicators"]] == [
        ("domain", "xn--kbnk-th-3fg.com"),
        ("url", "https://scb-verify.com/login"),
    ]
    for item in body["indicators"]:
        assert text[item["start"] : item["end"]] == item["raw"]
