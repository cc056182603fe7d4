"""Configuration from the environment: defaults, and a clear sentence for each bad value."""
import re
from pathlib import Path

import pytest

from bot.settings import APP_TYPES, SETTINGS, Settings, SettingsError
from bot.stores import open_embedder
from retrieval.embed import default_model


def test_defaults():
    s = Settings.from_env({})
    assert s.data_dir == Path("data/referatbot")
    assert s.embedding_model == default_model()
    assert s.chroma_host is None and s.app_id == ""
    assert (s.digest_time, s.digest_timezone, s.digest_weekdays_only) == ("08:00", "Europe/Copenhagen", True)


def test_the_model_cache_is_a_setting_handed_to_the_embedder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings.from_env({}).model_cache == tmp_path / "xdg" / "referatbot"
    settings = Settings.from_env({"REFERATBOT_MODEL_CACHE": str(tmp_path / "models")})
    assert open_embedder(settings).model_cache == tmp_path / "models"


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
    ({"CHROMA_DATABASE": "ab"}, "CHROMA_DATABASE must be 3 to 512 letters"),
    ({"CHROMA_DATABASE": "-test"}, "CHROMA_DATABASE"),
    ({"REFERATBOT_DIGEST_TIME": "25:00"}, "REFERATBOT_DIGEST_TIME"),
    ({"REFERATBOT_DIGEST_TIMEZONE": "Mars/Olympus"}, "REFERATBOT_DIGEST_TIMEZONE"),
    ({"REFERATBOT_DIGEST_WEEKDAYS_ONLY": "sometimes"}, "REFERATBOT_DIGEST_WEEKDAYS_ONLY"),
    ({"MicrosoftAppType": "Anyone"}, "MicrosoftAppType"),
    ({"MicrosoftAppType": "SingleTenant"}, "MicrosoftAppTenantId"),
    ({"REFERATBOT_FORUM_ALIASES": "byrådet=Kommunalbestyrelsen;BY"},
     "REFERATBOT_FORUM_ALIASES must be alias=forum entries .* but 'BY' is not alias=forum"),
])
def test_bad_values_name_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_forum_aliases_are_read_into_pairs():
    s = Settings.from_env({"REFERATBOT_FORUM_ALIASES": "byrådet=Kommunalbestyrelsen;BY=Kommunalbestyrelsen"})
    assert s.forum_aliases == (("byrådet", "Kommunalbestyrelsen"), ("BY", "Kommunalbestyrelsen"))
    assert Settings.from_env({}).forum_aliases == ()


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


def test_unset_and_blank_variables_take_the_declared_defaults():
    blank = Settings.from_env({s.env: "  " for s in SETTINGS})
    assert blank == Settings.from_env({}) == Settings()


def test_the_readme_configuration_table_is_the_declared_settings():
    """Each row of the README's table names variables (first column) and their defaults
    (second column, in the same order); together they are SETTINGS, no more, no less."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in table.splitlines() if line.startswith("| ")][1:]
    documented = {}
    for names, defaults, _meaning in rows:
        variables = re.findall(r"`([A-Za-z_]+)`", names)
        shown = [d.strip() for d in defaults.split(",")] if len(variables) > 1 else [defaults]
        if len(shown) == 1 and len(variables) > 1:
            shown *= len(variables)
        assert len(shown) == len(variables), names
        documented.update(zip(variables, shown))
    declared = {s.env: s.shown for s in SETTINGS}
    assert set(documented) == set(declared)
    for env, shown in declared.items():
        assert documented[env].startswith(shown), (env, documented[env], shown)


def test_the_app_type_is_checked_once_and_given_by_the_name_botbuilder_reads():
    assert Settings.from_env({"MicrosoftAppType": "usermanagedidentity",
                              "MicrosoftAppTenantId": "t"}).app_type == "UserAssignedMSI"
    assert set(APP_TYPES.values()) == {"MultiTenant", "SingleTenant", "UserAssignedMSI"}
