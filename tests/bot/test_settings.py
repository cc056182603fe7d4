"""Configuration from the environment: defaults, and a clear sentence for each bad value."""
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from retrieval.embed import default_model


def test_defaults():
    s = Settings.from_env({})
    assert s.data_dir == Path("data/referatbot")
    assert s.embedding_model == default_model()
    assert s.chroma_host is None and s.app_id == ""
    assert (s.digest_time, s.digest_timezone, s.digest_weekdays_only) == ("08:00", "Europe/Copenhagen", True)


def test_values_from_the_environment():
    s = Settings.from_env({
        "REFERATBOT_DATA_DIR": "/srv/referatbot", "CHROMA_HOST": "chroma.local", "CHROMA_PORT": "8001",
        "MicrosoftAppId": "id", "MicrosoftAppType": "SingleTenant", "MicrosoftAppTenantId": "t",
        "REFERATBOT_DIGEST_TIME": "7:30", "REFERATBOT_DIGEST_WEEKDAYS_ONLY": "false"})
    assert s.data_dir == Path("/srv/referatbot") and s.chroma_port == 8001
    assert (s.app_id, s.app_type, s.app_tenant_id) == ("id", "SingleTenant", "t")
    assert s.digest_time == "7:30" and not s.digest_weekdays_only
    assert s.catalog_path == Path("/srv/referatbot/catalog.sqlite3")


@pytest.mark.parametrize("env, named", [
    ({"CHROMA_PORT": "eighty"}, "CHROMA_PORT"),
    ({"REFERATBOT_DIGEST_TIME": "25:00"}, "REFERATBOT_DIGEST_TIME"),
    ({"REFERATBOT_DIGEST_TIMEZONE": "Mars/Olympus"}, "REFERATBOT_DIGEST_TIMEZONE"),
    ({"REFERATBOT_DIGEST_WEEKDAYS_ONLY": "sometimes"}, "REFERATBOT_DIGEST_WEEKDAYS_ONLY"),
    ({"MicrosoftAppType": "Anyone"}, "MicrosoftAppType"),
    ({"MicrosoftAppType": "SingleTenant"}, "MicrosoftAppTenantId"),
])
def test_bad_values_name_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_flags_override_the_environment(tmp_path):
    s = Settings.from_env({"REFERATBOT_DATA_DIR": "/elsewhere"}).with_(data_dir=tmp_path, port=None)
    assert s.data_dir == tmp_path and s.port == 3978


def test_the_catalog_is_the_sqlite_file_unless_a_postgresql_url_is_set():
    assert Settings.from_env({"REFERATBOT_DATA_DIR": "/srv/r"}).catalog == Path("/srv/r/catalog.sqlite3")
    for url in ("postgresql://bot:secret@db.local:5432/referatbot", "postgres://db.local/referatbot"):
        s = Settings.from_env({"REFERATBOT_DATA_DIR": "/srv/r", "REFERATBOT_CATALOG_URL": url})
        assert s.catalog_url == url and s.catalog == url


@pytest.mark.parametrize("url, problem", [
    ("mysql://bot:secret@db.local/referatbot", "does not start with postgresql://"),
    ("postgresql://bot:secret@db.local:fivefour/referatbot", "port is not a number"),
    ("postgresql://bot:secret@db.local:5432/", "names no database"),
    ("/srv/catalog.sqlite3", "does not start with postgresql://"),
])
def test_a_malformed_catalog_url_is_named_without_its_password(url, problem):
    with pytest.raises(SettingsError, match="REFERATBOT_CATALOG_URL") as e:
        Settings.from_env({"REFERATBOT_CATALOG_URL": url})
    assert problem in str(e.value) and "secret" not in str(e.value)
