"""`referatbot serve`: a real process on a real port, started and stopped as a person
would; and Bot Framework settings that cannot work are refused before it starts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.cli import main
from bot.settings import SettingsError
from bot.teams.auth import BotConfig
from servers import free_port

SERVE_TIMEOUT = 120


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.slow  # a subprocess
def test_serve_prints_the_chat_page_url_answers_and_stops_cleanly(bot_settings):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--data-dir", str(bot_settings.data_dir), "serve",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        first = server.stderr.readline()
        assert first.startswith(f"referatbot: local chat page on http://localhost:{port}/"), first
        deadline = time.monotonic() + SERVE_TIMEOUT
        while True:
            try:
                status, body = get(f"http://127.0.0.1:{port}/readyz")
            except OSError:  # not listening yet
                status, body = 0, ""
            if status == 200:
                break
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, body
            time.sleep(0.2)
        status, body = get(f"http://127.0.0.1:{port}/api/ask?q=telefontider")
        assert status == 200
        assert json.loads(body)["citations"][0]["punkt"] == 7
        assert get(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Traceback" not in err
    assert "MicrosoftAppId is not set" in err
    assert out == ""


@pytest.mark.slow  # a subprocess
@pytest.mark.parametrize("host, shown", [("0.0.0.0", "0.0.0.0"), ("::", "[::]")])
def test_serve_on_every_interface_says_so_and_warns_who_it_answers(bot_settings, host, shown):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--data-dir", str(bot_settings.data_dir), "serve",
         "--host", host, "--port", str(port)], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, env=env, text=True)
    try:
        first, warning = server.stderr.readline(), server.stderr.readline()
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
    assert first.startswith(f"referatbot: local chat page on http://{shown}:{port}/"), first
    assert warning.startswith("referatbot: warning: listening on every interface"), warning
    assert all(route in warning for route in ("/api/ask", "/api/chat", "the chat page",
                                              "anyone"))


def test_an_app_id_without_a_password_stops_serve_with_a_sentence(settings):
    result = CliRunner().invoke(main, ["--data-dir", str(settings.data_dir), "serve",
                                       "--port", str(free_port())],
                                env={"MicrosoftAppId": "app", "MicrosoftAppPassword": ""})
    assert result.exit_code == 1
    assert "MicrosoftAppPassword must be set when MicrosoftAppId is" in result.output


@pytest.mark.parametrize("changes, named", [
    ({"app_id": "app", "app_password": "pw", "app_type": "SingleTenant"},
     "MicrosoftAppType=SingleTenant needs MicrosoftAppId and MicrosoftAppTenantId"),
    ({"app_type": "UserAssignedMSI", "app_tenant_id": "t"},
     "MicrosoftAppType=UserAssignedMSI needs MicrosoftAppId and MicrosoftAppTenantId"),
    ({"app_type": "Everyone"}, "MicrosoftAppType must be MultiTenant, SingleTenant or "
                               "UserAssignedMSI, not 'Everyone'"),
])
def test_create_app_refuses_bot_settings_that_cannot_work(settings, changes, named):
    with pytest.raises(SettingsError, match=named):
        create_app(settings.with_(**changes))


@pytest.mark.parametrize("app_type, expected", [("multitenant", "MultiTenant"),
                                                ("SingleTenant", "SingleTenant"),
                                                ("UserManagedIdentity", "UserAssignedMSI")])
def test_app_type_is_given_to_botbuilder_by_the_name_it_reads(settings, app_type, expected):
    config = BotConfig.from_settings(settings.with_(
        app_id="app", app_password="pw", app_type=app_type, app_tenant_id="tenant"))
    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE, config.APP_TENANTID) == \
        ("app", "pw", expected, "tenant")
