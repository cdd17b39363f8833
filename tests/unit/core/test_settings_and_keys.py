"""Settings validation and API key handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from scamintel.access.keys import hash_secret, issue_key, secret_matches, split_token
from scamintel.settings import DEFAULT_POOL_SIZE, Settings


def test_database_defaults_to_sqlite_in_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'scamintel.db'}"


def test_production_refuses_the_development_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="SCAMINTEL_SECRET_KEY is still the development"):
        Settings(home=tmp_path, environment="production")


def test_node_country_must_be_alpha2(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ISO 3166 alpha-2"):
        Settings(home=tmp_path, node_country="THA")
    assert Settings(home=tmp_path, node_country="mm").node_country == "MM"


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAMINTEL_NODE_COUNTRY", "PH")
    monkeypatch.setenv("SCAMINTEL_HOME", str(tmp_path))
    settings = Settings()
    assert (settings.node_country, settings.home) == ("PH", tmp_path)


def test_the_database_pool_size_comes_from_the_environment_and_is_at_least_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings(home=tmp_path).database_pool_size == DEFAULT_POOL_SIZE == 20
    monkeypatch.setenv("SCAMINTEL_DATABASE_POOL_SIZE", "7")
    assert Settings(home=tmp_path).database_pool_size == 7
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Settings(home=tmp_path, database_pool_size=0)


def test_an_issued_key_verifies_only_with_its_own_secret() -> None:
    issued = issue_key()
    stored = hash_secret(issued.secret)
    assert stored.startswith("$argon2")
    assert split_token(issued.token) == (issued.key_id, issued.secret)
    assert secret_matches(stored, issued.secret)
    assert not secret_matches(stored, issued.secret + "x")
    assert not secret_matches("not-a-hash", issued.secret)


@pytest.mark.parametrize(
    "token", ["", "si_", "xx_abc_def", "si_abc", "si__secret", "si_\x00ab_x", "si_ab/../cd_x"]
)
def test_malformed_tokens_are_not_split(token: str) -> None:
    assert split_token(token) is None
