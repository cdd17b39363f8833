"""The synthetic demonstration data set: deterministic, valid where it claims to be, and shaped
like the scam landscape it imitates."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import base58
import phonenumbers
import pytest

from scamintel.demo import BENIGN_VALUES, DemoDataset, generate_reports, write_demo_dataset
from scamintel.demo.catalogue import BRAND_CATEGORY
from scamintel.demo.generator import eth_checksum
from scamintel.demo.narratives import TEXTS

SCAM_TYPES = {
    "officials_impersonated",
    "phishing_parcel_utility",
    "malicious_app",
    "bank_impersonation",
    "investment",
    "job_task",
    "loan",
    "fake_seller",
    "romance",
    "hacked_account",
    "prize_qr",
    "sextortion",
    "gambling_lure",
    "recovery",
    "other",
}
CHANNELS = {
    "call",
    "sms",
    "line",
    "telegram",
    "whatsapp",
    "facebook",
    "web",
    "email",
    "in_person",
    "other",
}
INDICATOR_TYPES = {
    "phone",
    "bank_account",
    "ewallet",
    "crypto_wallet",
    "url",
    "domain",
    "email",
    "handle",
}
VICTIM_COUNTRIES = {"TH", "MY", "SG", "VN", "ID", "PH"}
CURRENCIES = {"TH": "THB", "MY": "MYR", "SG": "SGD", "VN": "VND", "ID": "IDR", "PH": "PHP"}
BANKS = {
    "TH": {"KBANK", "SCB", "BBL", "KTB", "BAY", "TTB"},
    "MY": {"MAYBANK", "CIMB", "PBB"},
    "SG": {"DBS", "OCBC", "UOB"},
    "VN": {"VCB", "TCB", "MB"},
    "ID": {"BCA", "BRI", "MANDIRI", "BNI"},
    "PH": {"BDO", "BPI", "METROBANK"},
}
PHONE_LIKE = re.compile(r"\+?[\d\s\-()]+")
BANK_ACCOUNT = re.compile(r"(?P<bank>[A-Z]+)[: ](?P<digits>[\d\- ]+)")
BENIGN_RAW = {raw for _, raw, _ in BENIGN_VALUES}
COUNT = 5000


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return list(generate_reports(COUNT))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return write_demo_dataset(tmp_path_factory.mktemp("demo"), count=COUNT)


def _indicators(row: dict[str, object]) -> list[dict[str, str]]:
    items = row["indicators"]
    assert isinstance(items, list)
    return items


def _noise(row: dict[str, object], *kinds: str) -> set[str]:
    items = row["_noise"]
    assert isinstance(items, list)
    return {item["value"] for item in items if item["kind"] in kinds}


def _values(rows: list[dict[str, object]], prefix: str) -> Iterator[tuple[str, set[str]]]:
    for row in rows:
        typos = _noise(row, "typo_invalid", "typo_valid")
        for item in _indicators(row):
            if item["value"].startswith(prefix):
                yield item["value"], typos


def _is_phone(item: dict[str, str]) -> bool:
    return item.get("type") == "phone" or (
        "type" not in item and PHONE_LIKE.fullmatch(item["value"]) is not None
    )


def test_same_seed_and_count_give_byte_identical_files(tmp_path: Path) -> None:
    first = write_demo_dataset(tmp_path / "a", count=800, seed=11)
    second = write_demo_dataset(tmp_path / "b", count=800, seed=11)
    assert first.reports_path.read_bytes() == second.reports_path.read_bytes()
    assert first.truth_path.read_bytes() == second.truth_path.read_bytes()


def test_output_does_not_depend_on_string_hashing(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from scamintel.demo import write_demo_dataset; "
        "write_demo_dataset(Path(sys.argv[1]), count=300)"
    )
    digests = []
    for hash_seed in ("1", "2"):
        target = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(target)], check=True, env=env)
        digests.append(hashlib.sha256((target / "reports.jsonl").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_another_seed_gives_another_data_set(tmp_path: Path) -> None:
    first = write_demo_dataset(tmp_path / "a", count=300, seed=1)
    second = write_demo_dataset(tmp_path / "b", count=300, seed=2)
    assert first.reports_path.read_bytes() != second.reports_path.read_bytes()


def test_rows_are_streamed_in_a_fixed_order(rows: list[dict[str, object]]) -> None:
    stream = generate_reports(COUNT)
    assert isinstance(stream, Iterator)
    assert [next(stream) for _ in range(20)] == rows[:20]
    stream.close()
    assert [row["external_id"] for row in rows[:3]] == ["demo-000001", "demo-000002", "demo-000003"]


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        next(generate_reports(-1))


def test_tiny_counts_give_exactly_that_many_reports() -> None:
    for count in (0, 1, 2, 3, 7):
        produced = list(generate_reports(count))
        assert len(produced) == count
        assert len({row["_operation"] for row in produced}) == min(count, 3)


def test_files_hold_the_ingest_format_without_private_keys(dataset: DemoDataset) -> None:
    lines = dataset.reports_path.read_text(encoding="utf-8").splitlines()
    assert dataset.count == len(lines) == COUNT
    expected = {
        "external_id",
        "narrative",
        "scam_type",
        "channel",
        "victim_country",
        "amount",
        "currency",
        "occurred_at",
        "indicators",
        "reporter",
    }
    for line in lines[:500]:
        report = json.loads(line)
        assert set(report) == expected
        assert set(report["reporter"]) == {"name", "phone", "email"}


def test_truth_file_has_one_row_per_report_in_order(dataset: DemoDataset) -> None:
    with dataset.truth_path.open(encoding="utf-8", newline="") as handle:
        truth = list(csv.DictReader(handle))
    reports = [
        json.loads(line)["external_id"]
        for line in dataset.reports_path.read_text(encoding="utf-8").splitlines()
    ]
    assert [row["external_id"] for row in truth] == reports
    assert len(set(reports)) == COUNT
    assert all(re.fullmatch(r"op-\d{4,}", row["operation_id"]) for row in truth)


def test_truth_matches_the_private_operation_key(
    dataset: DemoDataset, rows: list[dict[str, object]]
) -> None:
    with dataset.truth_path.open(encoding="utf-8", newline="") as handle:
        truth = {row["external_id"]: row["operation_id"] for row in csv.DictReader(handle)}
    assert truth == {row["external_id"]: row["_operation"] for row in rows}


def test_scam_types_channels_and_indicator_types_come_from_the_taxonomy(
    rows: list[dict[str, object]],
) -> None:
    assert {row["scam_type"] for row in rows} <= SCAM_TYPES
    assert {row["channel"] for row in rows} <= CHANNELS
    types = {item["type"] for row in rows for item in _indicators(row) if "type" in item}
    assert types <= INDICATOR_TYPES
    assert len({row["scam_type"] for row in rows}) >= 12


def test_channel_agrees_with_what_the_victim_can_name(rows: list[dict[str, object]]) -> None:
    for row in rows:
        values = [item["value"] for item in _indicators(row)]
        if row["channel"] == "line":
            assert any(value.startswith("line:@") for value in values)
        if row["channel"] == "telegram":
            assert any(value.startswith("telegram:@") for value in values)
        if row["channel"] in ("call", "sms", "whatsapp"):
            assert any(_is_phone(item) for item in _indicators(row))


def test_every_phone_is_valid_in_the_victims_region_except_deliberate_typos(
    rows: list[dict[str, object]],
) -> None:
    checked = 0
    for row in rows:
        region = row["victim_country"]
        assert isinstance(region, str)
        typos = _noise(row, "typo_invalid", "typo_valid")
        for item in _indicators(row):
            value = item["value"]
            if not _is_phone(item) or value in typos or value in BENIGN_RAW:
                continue
            assert phonenumbers.is_valid_number(phonenumbers.parse(value, region)), (value, region)
            checked += 1
    assert checked > COUNT // 2


def test_invalid_typos_really_are_invalid(rows: list[dict[str, object]]) -> None:
    invalid = 0
    for row in rows:
        typos = _noise(row, "typo_invalid")
        for item in _indicators(row):
            value = item["value"]
            if value not in typos:
                continue
            invalid += 1
            if value.startswith("TRON:"):
                with pytest.raises(ValueError, match="checksum"):
                    base58.b58decode_check(value[5:])
            elif value.startswith("ETH:"):
                assert eth_checksum(value[4:]) != value[4:]
            else:
                number = phonenumbers.parse(value, str(row["victim_country"]))
                assert not phonenumbers.is_valid_number(number)
    assert invalid > 0


def test_noise_rates_are_roughly_as_specified(rows: list[dict[str, object]]) -> None:
    kinds = Counter(
        item["kind"]
        for row in rows
        for item in row["_noise"]  # type: ignore[attr-defined]
    )
    assert 0.03 * COUNT < kinds["victim_phone"] < 0.07 * COUNT
    assert 0.015 * COUNT < kinds["official_hotline"] < 0.045 * COUNT
    assert 0.01 * COUNT < kinds["typo_valid"] + kinds["typo_invalid"] < 0.03 * COUNT
    assert kinds["typo_valid"] > 0
    assert kinds["typo_invalid"] > 0


def test_noise_values_appear_in_the_reports_indicators(rows: list[dict[str, object]]) -> None:
    for row in rows:
        listed = {item["value"] for item in _indicators(row)}
        assert _noise(row, "victim_phone", "official_hotline", "typo_valid", "typo_invalid") <= (
            listed
        )


def test_victims_own_numbers_are_theirs_alone(rows: list[dict[str, object]]) -> None:
    seen: set[str] = set()
    for row in rows:
        reporter = row["reporter"]
        assert isinstance(reporter, dict)
        number = phonenumbers.parse(reporter["phone"], str(row["victim_country"]))
        assert phonenumbers.is_valid_number(number)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert e164 not in seen
        seen.add(e164)
        for own in _noise(row, "victim_phone"):
            parsed = phonenumbers.parse(own, str(row["victim_country"]))
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == e164


def test_reporters_use_reserved_mail_domains(rows: list[dict[str, object]]) -> None:
    for row in rows:
        reporter = row["reporter"]
        assert isinstance(reporter, dict)
        assert re.fullmatch(r"[a-z0-9.]+@example\.(com|net|org)", reporter["email"])
        assert reporter["name"].strip()


def test_hotlines_used_as_noise_are_the_listed_benign_values(
    rows: list[dict[str, object]],
) -> None:
    assert all(kind == "phone" for kind, _, _ in BENIGN_VALUES)
    for row in rows:
        assert _noise(row, "official_hotline") <= BENIGN_RAW
    prefixes = {description.split(":")[0] for _, _, description in BENIGN_VALUES}
    assert prefixes == VICTIM_COUNTRIES


def test_tron_wallets_have_valid_base58check(rows: list[dict[str, object]]) -> None:
    found = 0
    for value, typos in _values(rows, "TRON:"):
        if value in typos:
            continue
        payload = base58.b58decode_check(value[5:])
        assert len(payload) == 21
        assert payload[0] == 0x41
        assert value[5] == "T"
        found += 1
    assert found > 50


def test_eth_wallets_carry_eip55_checksums(rows: list[dict[str, object]]) -> None:
    found = 0
    for value, typos in _values(rows, "ETH:"):
        if value in typos:
            continue
        address = value[4:]
        assert re.fullmatch(r"0x[0-9a-fA-F]{40}", address)
        assert eth_checksum(address) == address
        found += 1
    assert found > 10


def test_every_language_tells_every_scam_type() -> None:
    for texts in TEXTS.values():
        for scam_type in SCAM_TYPES:
            categories = BRAND_CATEGORY.get(scam_type, ())
            assert scam_type in texts.openers or all(
                f"{scam_type}/{category}" in texts.openers for category in categories
            ), scam_type
        assert set(texts.sentences) >= {"call", "sms", "whatsapp", "bank", "crypto", "url"}


def test_eip55_matches_the_reference_vector() -> None:
    expected = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert eth_checksum(expected.lower()) == expected


def test_bank_accounts_are_at_banks_of_the_victims_country(
    rows: list[dict[str, object]],
) -> None:
    found = 0
    for row in rows:
        for item in _indicators(row):
            if item.get("type") != "bank_account":
                continue
            match = BANK_ACCOUNT.fullmatch(item["value"])
            assert match, item["value"]
            assert match["bank"] in BANKS[str(row["victim_country"])]
            assert 10 <= len(re.sub(r"\D", "", match["digits"])) <= 15
            found += 1
    assert found > 500


def test_values_are_written_in_raw_forms_the_canonicaliser_reads(
    rows: list[dict[str, object]],
) -> None:
    for row in rows:
        for item in _indicators(row):
            value, kind = item["value"], item.get("type")
            if kind == "url":
                assert re.match(r"(https?|hxxps?)://", value)
            elif kind == "ewallet":
                assert re.fullmatch(r"(TRUEMONEY|TNG|MOMO|GOPAY|DANA|OVO|GCASH):0\d{8,12}", value)
            elif kind == "handle":
                assert re.fullmatch(r"(line:@[a-z0-9._\-]{4,20}|telegram:@[A-Za-z]\w{4,31})", value)
            elif kind == "crypto_wallet":
                assert value.startswith(("TRON:T", "ETH:0x"))
            elif kind == "email":
                assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.\-]+", value)
            elif kind == "domain":
                assert re.fullmatch(r"[a-z0-9\-]+(\.[a-z0-9\-]+)+", value)


def test_formats_vary_for_the_same_kind_of_value(rows: list[dict[str, object]]) -> None:
    thai = [
        item["value"]
        for row in rows
        if row["victim_country"] == "TH"
        for item in _indicators(row)
        if _is_phone(item) and item["value"] not in BENIGN_RAW
    ]
    assert any(re.fullmatch(r"0\d{2}-\d{3}-\d{4}", value) for value in thai)
    assert any(re.fullmatch(r"0\d{9}", value) for value in thai)
    assert any(re.fullmatch(r"\+66 \d{2} \d{3} \d{4}", value) for value in thai)
    assert any(re.fullmatch(r"66\d{9}", value) for value in thai)
    urls = [value for value, _ in _values(rows, "hxxp")]
    assert urls, "some URLs are defanged"
    untyped = sum("type" not in item for row in rows for item in _indicators(row))
    total = sum(len(_indicators(row)) for row in rows)
    assert 0.25 < untyped / total < 0.35


def test_each_report_names_one_to_four_of_its_operations_indicators(
    rows: list[dict[str, object]],
) -> None:
    for row in rows:
        noise = _noise(row, "victim_phone", "official_hotline")
        own = [item for item in _indicators(row) if item["value"] not in noise]
        assert 1 <= len(own) <= 5  # a typo may add a fifth


def test_operations_do_not_share_indicators_by_accident(rows: list[dict[str, object]]) -> None:
    owners: dict[str, set[object]] = {}
    for row in rows:
        noise = _noise(row, "victim_phone", "official_hotline", "typo_valid", "typo_invalid")
        for item in _indicators(row):
            if item["value"] in noise or _is_phone(item):
                continue
            key = item["value"].replace("hxxp", "http").replace("[.]", ".")
            owners.setdefault(key, set()).add(row["_operation"])
    assert all(len(operations) == 1 for operations in owners.values())


def test_operations_are_heavy_tailed(rows: list[dict[str, object]]) -> None:
    sizes = Counter(row["_operation"] for row in rows)
    assert abs(len(sizes) - COUNT / 25) <= 1
    largest = max(sizes.values())
    assert largest >= 10 * statistics.median(sizes.values())
    assert min(sizes.values()) >= 1


def test_reports_share_indicators_within_an_operation(rows: list[dict[str, object]]) -> None:
    by_value: dict[str, Counter[object]] = {}
    for row in rows:
        for item in _indicators(row):
            by_value.setdefault(item["value"], Counter())[row["_operation"]] += 1
    assert sum(1 for counts in by_value.values() if max(counts.values()) >= 5) > 100


def test_default_demo_spans_bases_and_all_six_victim_countries(
    rows: list[dict[str, object]],
) -> None:
    assert {row["victim_country"] for row in rows} == VICTIM_COUNTRIES
    base_codes = set()
    for row in rows:
        for item in _indicators(row):
            if _is_phone(item) and item["value"].startswith("+"):
                number = phonenumbers.parse(item["value"])
                base_codes.add(phonenumbers.region_code_for_number(number))
    assert len(base_codes & {"MM", "KH", "LA"}) >= 2


def test_currency_amount_and_time_are_plausible(rows: list[dict[str, object]]) -> None:
    nulls = 0
    for row in rows:
        assert row["currency"] == CURRENCIES[str(row["victim_country"])]
        amount = row["amount"]
        if amount is None:
            nulls += 1
        else:
            assert isinstance(amount, str)
            assert re.fullmatch(r"\d+(\.\d{2})?", amount)
            assert float(amount) > 0
        occurred = row["occurred_at"]
        assert isinstance(occurred, str)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", occurred)
        assert "2025-05-01" <= occurred < "2026-11-01"
    assert 0.2 < nulls / len(rows) < 0.4


def test_losses_are_heavy_tailed_per_currency(rows: list[dict[str, object]]) -> None:
    thb = sorted(float(str(r["amount"])) for r in rows if r["currency"] == "THB" and r["amount"])
    assert thb[-1] > 20 * statistics.median(thb)


def test_narratives_are_in_the_victims_languages_and_mention_indicators(
    rows: list[dict[str, object]],
) -> None:
    thai = [str(r["narrative"]) for r in rows if r["victim_country"] == "TH"]
    assert sum(bool(re.search(r"[\u0e00-\u0e7f]", text)) for text in thai) > len(thai) // 2
    vietnamese = [str(r["narrative"]) for r in rows if r["victim_country"] == "VN"]
    assert any("tài khoản" in text or "Tôi" in text for text in vietnamese)
    mentioned = 0
    for row in rows:
        narrative = str(row["narrative"])
        handles = [
            item["value"].split(":", 1)[1]
            for item in _indicators(row)
            if item["value"].startswith(("line:@", "telegram:@"))
        ]
        mentioned += any(handle in narrative for handle in handles)
    assert mentioned > 100
