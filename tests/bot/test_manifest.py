"""The Teams app package: a zip that a Teams administrator can upload, valid against the
official manifest schema v1.29, with the bot's commands and the project's own icons."""
from __future__ import annotations

import importlib.util
import io
import json
import shutil
import socket
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator
from PIL import Image
from referencing import Registry

from bot.commands import WORDS, Question, Unclear, parse_command
from bot.teams.compose import COMMAND_ID, PARAMETER
from bot.teams.manifest import (MANIFEST_DIR, ManifestError, build_manifest, build_package,
                          load_schema, schema_violations, validate_manifest)
from bot.teams.manifest_cli import manifest_command
from fake_teams import card_of, texts

APP_ID = "1b4f9c3e-2d7a-4e8b-9f60-3c2a1d5e7b90"
HOST = "bot.albertslund.dk"
SCHEMA_PATH = MANIFEST_DIR / "schema" / "teams-manifest-v1.29.schema.json"


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return build_package(APP_ID, tmp_path_factory.mktemp("pkg") / "referatbot.zip", host=HOST)


@pytest.fixture(scope="module")
def files(package) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def manifest(files) -> dict:
    return json.loads(files["manifest.json"].decode("utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def draft4_errors(schema: dict, instance: dict) -> list:
    # an empty registry: no $ref outside the schema file is ever fetched
    return list(Draft4Validator(schema, registry=Registry()).iter_errors(instance))


# --- the schema kept in the repository ---------------------------------------------------

def test_the_official_schema_is_in_the_repository_with_its_licence(schema):
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    # the schema is itself a valid draft-04 schema (checked without the `regex` format:
    # a few Office add-in patterns use \p{L}, which Python's re does not know; the manifest
    # never reaches them)
    assert list(Draft4Validator(Draft4Validator.META_SCHEMA).iter_errors(schema)) == []
    assert "const" in schema["properties"]["manifestVersion"]
    licence = SCHEMA_PATH.parent / "LICENSE-teams-manifest-schema.txt"
    assert "MIT License" in licence.read_text(encoding="utf-8")
    assert "Microsoft" in licence.read_text(encoding="utf-8")


# --- the package ------------------------------------------------------------------------

def test_built_manifest_is_valid_against_the_official_schema(manifest, schema):
    assert draft4_errors(schema, manifest) == []
    assert schema_violations(manifest) == []
    assert manifest["$schema"] == ("https://developer.microsoft.com/en-us/json-schemas/teams/"
                                   "v1.29/MicrosoftTeams.schema.json")
    assert manifest["manifestVersion"] == "1.29"


def test_zip_holds_exactly_the_manifest_and_two_icons_at_its_root(package, files):
    with zipfile.ZipFile(package) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert sorted(names) == ["color.png", "manifest.json", "outline.png"]
    assert len(names) == len(set(names))
    assert not files["manifest.json"].startswith(b"\xef\xbb\xbf")  # no BOM


def test_icons_named_in_the_manifest_are_the_ones_in_the_zip(manifest, files):
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert files["color.png"] == (MANIFEST_DIR / "color.png").read_bytes()
    assert files["outline.png"] == (MANIFEST_DIR / "outline.png").read_bytes()


def test_color_icon_is_192_square_full_colour_and_opaque(files):
    img = Image.open(io.BytesIO(files["color.png"]))
    assert img.format == "PNG"
    assert img.size == (192, 192)
    assert img.mode in ("RGB", "RGBA")
    if img.mode == "RGBA":
        assert img.getchannel("A").getextrema() == (255, 255)
    colours = img.convert("RGB").getcolors(maxcolors=192 * 192)
    assert len(colours) > 3  # a drawing, not a flat square


def test_outline_icon_is_32_square_white_on_transparent(files):
    img = Image.open(io.BytesIO(files["outline.png"]))
    assert img.format == "PNG"
    assert img.size == (32, 32)
    assert img.mode == "RGBA"
    px = img.load()
    pixels = [px[x, y] for y in range(32) for x in range(32)]
    not_white = [(i % 32, i // 32, p) for i, p in enumerate(pixels)
                 if p[3] != 0 and p[:3] != (255, 255, 255)]
    assert not_white == []
    opaque = sum(1 for p in pixels if p[3] == 255)
    transparent = sum(1 for p in pixels if p[3] == 0)
    assert opaque > 50 and transparent > 400  # a visible mark on a transparent field
    assert all(img.getpixel(corner)[3] == 0 for corner in [(0, 0), (31, 0), (0, 31), (31, 31)])


def test_committed_icons_are_what_the_drawing_script_draws():
    spec = importlib.util.spec_from_file_location("draw_icons", MANIFEST_DIR / "draw_icons.py")
    draw_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(draw_icons)
    for drawn, path in ((draw_icons.draw_color(), "color.png"),
                        (draw_icons.draw_outline(), "outline.png")):
        committed = Image.open(MANIFEST_DIR / path)
        assert committed.mode == drawn.mode
        assert committed.size == drawn.size
        assert committed.tobytes() == drawn.tobytes(), path


def test_building_twice_gives_the_same_bytes(package, tmp_path):
    again = build_package(APP_ID, tmp_path / "again.zip", host=HOST)
    assert again.read_bytes() == package.read_bytes()


# --- the manifest's content -------------------------------------------------------------

def test_bot_id_is_the_app_id_and_the_bot_works_in_all_three_scopes(manifest):
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False


def test_the_command_lists_hold_the_handlers_commands_for_every_scope(manifest):
    """The basic commands are the handler's commands (bot/commands.py), each by its
    Danish word, in every command list; the rest are prompt starters."""
    [bot] = manifest["bots"]
    danish = {}
    for word, name in WORDS.items():  # Danish first
        danish.setdefault(name, word)
    covered = set()
    for command_list in bot["commandLists"]:
        basic = [c for c in command_list["commands"] if c.get("type", "basic") == "basic"]
        assert sorted(c["title"] for c in basic) == sorted(danish.values())
        commands = [parse_command(c["title"]) for c in basic]
        assert {c.meant if isinstance(c, Unclear) else type(c) for c in commands} \
            == set(WORDS.values())
        covered |= set(command_list["scopes"])
    assert covered == set(bot["scopes"])
    descriptions = {c["title"]: c["description"] for c in bot["commandLists"][0]["commands"]}
    assert "møde 24-04-2024" in descriptions["møde"]
    assert "seneste møde" in descriptions["seneste"]
    assert "dagligt overblik" in descriptions["abonner"]
    assert descriptions["afmeld"].startswith("Stop")
    assert "sag 83.02.00-A00-1-23" in descriptions["sag"]
    assert descriptions["hjælp"].startswith("Vis hvad")


def test_prompt_starters_are_questions_within_teams_limits(manifest):
    """At most 10 commands a list (Teams' prompt suggestion docs; the v1.29 schema allows
    12), titles of at most 32 characters and descriptions of 128 (the limits of the
    schema versions before, stricter than v1.29's 128 and 4,000); a prompt starter is
    `type: prompt` with the question Teams puts into the compose box. Two at least: the
    commands take eight of the ten places (`sag` took a third question's)."""
    [bot] = manifest["bots"]
    for command_list in bot["commandLists"]:
        commands = command_list["commands"]
        assert len(commands) <= 10
        assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
        prompts = [c for c in commands if c.get("type") == "prompt"]
        assert len(prompts) >= 2
        assert all(isinstance(parse_command(c["prompt"]), Question) for c in prompts)


def test_the_compose_box_search_is_the_handlers(manifest):
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == APP_ID == manifest["bots"][0]["botId"]
    [command] = extension["commands"]
    assert (command["id"], command["type"], command["initialRun"]) == (COMMAND_ID, "query", True)
    assert set(command["context"]) == {"compose", "commandBox"}
    [parameter] = command["parameters"]
    assert parameter["name"] == PARAMETER and parameter["inputType"] == "text"
    assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    assert len(parameter["title"]) <= 32 and len(parameter["description"]) <= 128


def test_host_is_the_valid_domain_and_the_base_of_the_developer_urls(manifest):
    assert manifest["validDomains"] == [HOST]
    assert manifest["developer"] == {
        "name": "Albertslund Kommune",
        "websiteUrl": f"https://{HOST}/",
        "privacyUrl": f"https://{HOST}/privacy",
        "termsOfUseUrl": f"https://{HOST}/terms",
    }


def test_name_version_descriptions_and_colour(manifest):
    assert manifest["name"]["short"] == "referatbot"
    assert manifest["name"]["full"].startswith("referatbot: ")
    assert manifest["version"] == "1.0.0"
    assert "Chefforum" in manifest["description"]["short"]
    assert "hvad besluttede CF om telefontider?" in manifest["description"]["full"]
    assert manifest["accentColor"] == "#1F6E43"
    assert "{{" not in json.dumps(manifest)


def test_name_version_and_host_are_filled_in():
    m = build_manifest(APP_ID, name="CF-referater", host="Referat.Albertslund.DK",
                       version="2.3.14")
    assert m["name"]["short"] == "CF-referater"
    assert m["description"]["full"].startswith("CF-referater læser")
    assert m["version"] == "2.3.14"
    assert m["validDomains"] == ["referat.albertslund.dk"]
    assert schema_violations(m) == []


def test_without_a_host_there_are_no_valid_domains_and_the_urls_are_the_kommunes():
    m = build_manifest(APP_ID)
    assert m["validDomains"] == []
    assert {m["developer"][k] for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl")} == {
        "https://www.albertslund.dk/"}
    assert schema_violations(m) == []


def test_app_id_is_trimmed_and_lower_cased():
    m = build_manifest(f"  {APP_ID.upper()}\n")
    assert m["id"] == m["bots"][0]["botId"] == APP_ID


# --- validation must be able to fail ------------------------------------------------------

BREAKAGES = {
    "bot id not a GUID": (lambda m: m["bots"][0].__setitem__("botId", "referatbot"),
                          "bots[0].botId"),
    "unknown scope": (lambda m: m["bots"][0]["scopes"].append("meeting"), "bots[0].scopes[3]"),
    "no privacy URL": (lambda m: m["developer"].pop("privacyUrl"), "developer"),
    "plain-http-less URL": (lambda m: m["developer"].__setitem__("websiteUrl", "bot.dk"),
                            "developer.websiteUrl"),
    "colour name": (lambda m: m.__setitem__("accentColor", "green"), "accentColor"),
    "short description too long": (
        lambda m: m["description"].__setitem__("short", "x" * 81), "description.short"),
    "command title too long": (
        lambda m: m["bots"][0]["commandLists"][0]["commands"][0].__setitem__("title", "x" * 129),
        "bots[0].commandLists[0].commands[0].title"),
    "unknown top-level key": (lambda m: m.__setitem__("botName", "x"), "(root)"),
    "two bots": (lambda m: m["bots"].append(dict(m["bots"][0])), "bots"),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_manifest_fails_validation(breakage, schema):
    m = build_manifest(APP_ID, host=HOST)
    breaker, path = BREAKAGES[breakage]
    breaker(m)
    assert draft4_errors(schema, m) != []
    with pytest.raises(ManifestError) as raised:
        validate_manifest(m)
    assert f"  - {path}: " in str(raised.value)
    assert "schema v1.29" in str(raised.value)


def test_validation_lists_every_violation():
    m = build_manifest(APP_ID, host=HOST)
    m["accentColor"] = "green"
    m["bots"][0]["botId"] = "x"
    problems = schema_violations(m)
    assert len(problems) == 2
    assert [p.split(":")[0] for p in problems] == ["accentColor", "bots[0].botId"]


def test_the_manifest_version_const_is_enforced_although_draft_04_lacks_const(schema):
    m = build_manifest(APP_ID, host=HOST)
    m["manifestVersion"] = "1.28"
    assert draft4_errors(schema, m) == []  # plain draft-04 ignores `const`
    with pytest.raises(ManifestError, match=r"manifestVersion: '1.29' was expected"):
        validate_manifest(m)


def test_validation_never_goes_to_the_network(monkeypatch, tmp_path):
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise AssertionError("network access during manifest validation")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    build_package(APP_ID, tmp_path / "p.zip", host=HOST)
    remote = {"$schema": "http://json-schema.org/draft-04/schema#",
              "properties": {"id": {"$ref": "https://example.com/guid.json"}}}
    with pytest.raises(ManifestError, match="https://example.com/guid.json.*not fetched"):
        schema_violations({"id": "x"}, remote)
    assert calls == []


# --- inputs a person types ----------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    "nope",
    "1b4f9c3e2d7a4e8b9f603c2a1d5e7b90",          # no dashes
    "{1b4f9c3e-2d7a-4e8b-9f60-3c2a1d5e7b90}",    # registry-style braces
    "1b4f9c3e-2d7a-4e8b-9f60-3c2a1d5e7b9",       # one digit short
    "1b4f9c3e-2d7a-4e8b-9f60-3c2a1d5e7b9g",      # not hexadecimal
])
def test_a_bad_guid_is_a_clear_error_and_writes_nothing(bad, tmp_path):
    out = tmp_path / "referatbot.zip"
    with pytest.raises(ValueError) as raised:
        build_package(bad, out)
    message = str(raised.value)
    assert f"App id '{bad}' is not a GUID" in message
    assert "8-4-4-4-12 hexadecimal digits" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_missing_app_id_is_a_clear_error(missing):
    with pytest.raises(ValueError, match="An app id is required: the Microsoft App ID"):
        build_manifest(missing)


def test_the_all_zero_guid_is_refused():
    with pytest.raises(ValueError, match="all-zero placeholder"):
        build_manifest("00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize("bad, says", [
    ("https://bot.albertslund.dk", "without scheme, path or port (did you mean bot.albertslund.dk?)"),
    ("https://bot.albertslund.dk/api/messages", "(did you mean bot.albertslund.dk?)"),
    ("bot.albertslund.dk:443", "(did you mean bot.albertslund.dk?)"),
    ("bot.albertslund.dk/api", "without scheme, path or port"),
    ("*.albertslund.dk", "not a wildcard"),
    ("localhost", "is not a domain name"),
    ("10.0.0.1", "is not a domain name"),
    ("bot_1.albertslund.dk", "is not a domain name"),
    ("", "Host is empty"),
])
def test_a_bad_host_is_a_clear_error(bad, says):
    with pytest.raises(ValueError) as raised:
        build_manifest(APP_ID, host=bad)
    message = str(raised.value)
    assert says in message
    if bad:
        assert f"Host '{bad}'" in message
        assert "bot.albertslund.dk" in message


def test_a_danish_host_becomes_punycode():
    assert build_manifest(APP_ID, host="referat.ærø.dk")["validDomains"] == [
        "referat.xn--r-3fa9c.dk"]


@pytest.mark.parametrize("name, says", [
    ("", "Name is empty"),
    ("x" * 31, "is 31 characters long; Teams allows at most 30"),
])
def test_a_bad_name_is_a_clear_error(name, says):
    with pytest.raises(ValueError, match=says):
        build_manifest(APP_ID, name=name)


def test_a_name_of_30_characters_is_fine():
    assert build_manifest(APP_ID, name="x" * 30)["name"]["short"] == "x" * 30


@pytest.mark.parametrize("version", ["1.0", "1.0.0-beta", "v1.0.0", "01.0.0", ""])
def test_a_bad_version_is_a_clear_error(version):
    with pytest.raises(ValueError, match=f"Version '{version}' must be MAJOR.MINOR.PATCH"):
        build_manifest(APP_ID, version=version)


def test_output_that_is_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="is a folder; give a file name"):
        build_package(APP_ID, tmp_path)


def test_an_icon_of_the_wrong_size_is_refused(tmp_path):
    folder = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    Image.new("RGBA", (64, 64), (255, 255, 255, 0)).save(folder / "outline.png")
    with pytest.raises(ManifestError, match=r"outline.png is 64x64 pixels; Teams needs 32x32"):
        build_package(APP_ID, tmp_path / "p.zip", manifest_dir=folder)
    assert not (tmp_path / "p.zip").exists()


def test_a_template_placeholder_nothing_fills_is_refused(tmp_path):
    folder = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    template = folder / "manifest.template.json"
    template.write_text(template.read_text(encoding="utf-8").replace(
        '"Albertslund Kommune"', '"{{DEVELOPER}}"'), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"placeholders nothing fills: \{\{DEVELOPER\}\}"):
        build_manifest(APP_ID, manifest_dir=folder)


def test_load_schema_reads_the_repositorys_copy():
    assert load_schema() == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --- the command ------------------------------------------------------------------------

def run(args, env=None):
    env = {"MicrosoftAppId": None, **(env or {})}
    return CliRunner().invoke(manifest_command, args, env=env)


def test_command_builds_the_package(tmp_path):
    out = tmp_path / "referatbot.zip"
    result = run(["--app-id", APP_ID, "--host", HOST, "--name", "Referater",
                  "--version", "1.2.3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        m = json.loads(zf.read("manifest.json"))
    assert m["bots"][0]["botId"] == APP_ID
    assert m["name"]["short"] == "Referater"
    assert m["version"] == "1.2.3"
    assert m["validDomains"] == [HOST]


def test_command_takes_the_app_id_from_the_environment(tmp_path):
    out = tmp_path / "p.zip"
    result = run(["--out", str(out)], env={"MicrosoftAppId": APP_ID})
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("manifest.json"))["id"] == APP_ID


def test_command_with_a_bad_guid_says_why(tmp_path):
    result = run(["--app-id", "nope", "--out", str(tmp_path / "p.zip")])
    assert result.exit_code == 1
    assert "Error: App id 'nope' is not a GUID: expected 8-4-4-4-12" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "p.zip").exists()


def test_command_with_a_url_for_host_says_why(tmp_path):
    result = run(["--app-id", APP_ID, "--host", "https://bot.albertslund.dk/api/messages",
                  "--out", str(tmp_path / "p.zip")])
    assert result.exit_code == 1
    assert "must be a bare domain such as bot.albertslund.dk" in result.output


def test_command_without_an_app_id_says_so(tmp_path):
    result = run(["--out", str(tmp_path / "p.zip")])
    assert result.exit_code == 2
    assert "Missing option '--app-id'" in result.output


def test_command_with_a_bad_version_says_why(tmp_path):
    result = run(["--app-id", APP_ID, "--version", "1.0", "--out", str(tmp_path / "p.zip")])
    assert result.exit_code == 1
    assert "Version '1.0' must be MAJOR.MINOR.PATCH" in result.output


async def test_every_prompt_starter_is_answered_from_the_minutes(manifest, chat):
    prompts = [c["prompt"] for c in manifest["bots"][0]["commandLists"][0]["commands"]
               if c.get("type") == "prompt"]
    for prompt in prompts:
        [reply] = await chat.send(prompt)
        # an answer: its text cites a source, the card under it lists the sources (a
        # refusal's card says "Intet svar i referaterne")
        assert "[1]" in reply.text, prompt
        assert texts(card_of(reply))[0] == "Kilder", prompt
