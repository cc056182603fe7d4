"""The Teams app package: manifest.json (from manifest/manifest.template.json) plus the two
icons, zipped as a Teams administrator uploads it.

`build_manifest` returns the filled, validated manifest; `build_package` writes the zip.
Inputs a person types (app id, host, name, version) are checked first, with errors that say
what was wrong and what is expected; the result is then validated offline against the
official v1.29 schema kept in manifest/schema/.

The files live in the repository's manifest/ folder, found relative to this module (the
package is installed in editable mode from the repository root).
"""
from __future__ import annotations

import copy
import json
import os
import re
import struct
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, Draft6Validator
from jsonschema.validators import extend
from referencing import Registry
from referencing.exceptions import Unresolvable

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifest"
TEMPLATE_NAME = "manifest.template.json"
SCHEMA_NAME = "schema/teams-manifest-v1.29.schema.json"
# icon file -> (width, height) Teams requires
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}
# developer URLs when no host is given: the municipality's own site
DEFAULT_WEBSITE_URL = "https://www.albertslund.dk/"

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_EXAMPLE_GUID = "1b4f9c3e-2d7a-4e8b-9f60-3c2a1d5e7b90"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The official schema is draft-04, which has no `const`; the schema still uses it (for
# manifestVersion), so the validator is draft-04 with `const` taken from draft-06.
_ManifestValidator = extend(Draft4Validator, {"const": Draft6Validator.VALIDATORS["const"]})


class ManifestError(ValueError):
    """The manifest or the package cannot be built; the message says why."""


# --- inputs ----------------------------------------------------------------------------

def check_app_id(app_id: str | None) -> str:
    """The app id as a lower-case GUID, or ValueError saying what is expected."""
    if app_id is None or not str(app_id).strip():
        raise ValueError(
            "An app id is required: the Microsoft App ID of the bot's Azure app registration, "
            f"a GUID of 8-4-4-4-12 hexadecimal digits such as {_EXAMPLE_GUID}.")
    value = str(app_id).strip()
    if not _GUID.fullmatch(value):
        raise ValueError(
            f"App id '{app_id}' is not a GUID: expected 8-4-4-4-12 hexadecimal digits such as "
            f"{_EXAMPLE_GUID} (the Microsoft App ID of the bot's Azure app registration).")
    if set(value.replace("-", "")) == {"0"}:
        raise ValueError(
            f"App id '{app_id}' is the all-zero placeholder: use the Microsoft App ID of the "
            "bot's Azure app registration.")
    return value.lower()


def check_host(host: str | None) -> str | None:
    """The host as a lower-case bare domain (None stays None), or ValueError."""
    if host is None:
        return None
    raw = str(host)
    value = raw.strip()
    if not value:
        raise ValueError("Host is empty: give a bare domain such as bot.albertslund.dk, "
                         "or leave the host out.")
    if any(c in value for c in "/:?#@ \\"):
        try:
            domain = _domain(urlsplit(value if "://" in value else "//" + value).hostname or "")
        except ValueError:
            domain = None
        hint = f" (did you mean {domain}?)" if domain else ""
        raise ValueError(
            f"Host '{raw}' must be a bare domain such as bot.albertslund.dk, without scheme, "
            f"path or port{hint}; the bot is then reached at https://HOST/api/messages.")
    if value.startswith("*."):
        raise ValueError(f"Host '{raw}' must be one domain such as bot.albertslund.dk, not a "
                         "wildcard: the developer URLs are built from it.")
    domain = _domain(value)
    if domain is None:
        raise ValueError(
            f"Host '{raw}' is not a domain name: expected dot-separated labels of letters, "
            "digits and hyphens ending in a top-level domain, such as bot.albertslund.dk.")
    return domain


def _domain(value: str) -> str | None:
    """`value` as a lower-case ASCII domain name (IDNA for æ, ø, å), or None."""
    try:
        ascii_host = value.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if (not ascii_host or len(ascii_host) > 253 or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)
            or not (labels[-1].isalpha() or labels[-1].startswith("xn--"))):
        return None
    return ascii_host


def check_name(name: str, schema: dict) -> str:
    """The app's short name, within the schema's length limit, or ValueError."""
    value = (name or "").strip()
    limit = schema["properties"]["name"]["properties"]["short"]["maxLength"]
    if not value:
        raise ValueError("Name is empty: give the app's display name, such as referatbot.")
    if len(value) > limit:
        raise ValueError(f"Name '{value}' is {len(value)} characters long; Teams allows at most "
                         f"{limit} for an app's name.")
    return value


def check_version(version: str, schema: dict) -> str:
    """The app version as MAJOR.MINOR.PATCH, or ValueError.

    The schema's `version` property only limits the length; Teams requires the semver form
    that the schema defines under definitions/semver, so that pattern is checked here."""
    value = (version or "").strip()
    if not re.fullmatch(schema["definitions"]["semver"]["pattern"], value):
        raise ValueError(
            f"Version '{version}' must be MAJOR.MINOR.PATCH with plain numbers, such as 1.0.0; "
            "Teams needs a higher version for every update of an uploaded app.")
    return value


# --- schema ----------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path} is missing: the Teams manifest files are looked up in the "
                            "repository's manifest/ folder (install the package in editable "
                            "mode from the repository root).") from None
    except json.JSONDecodeError as e:
        raise ManifestError(f"{path} is not valid JSON: line {e.lineno}: {e.msg}") from None


def load_schema(manifest_dir: Path = MANIFEST_DIR) -> dict:
    """The official Teams manifest schema v1.29, read from the repository."""
    return _load_json((manifest_dir / SCHEMA_NAME).resolve())


def schema_violations(manifest: dict, schema: dict | None = None) -> list[str]:
    """Every place where `manifest` breaks the schema, as 'path: message' lines.

    Offline: the registry is empty and has no retriever, so a reference to anything outside
    the schema document fails instead of being fetched."""
    schema = load_schema() if schema is None else schema
    validator = _ManifestValidator(schema, registry=Registry())
    try:
        errors = sorted(validator.iter_errors(manifest),
                        key=lambda e: [str(p) for p in e.absolute_path])
    except Unresolvable as e:
        raise ManifestError(f"The manifest schema refers to {e.ref}, which is not in the schema "
                            "file; it is not fetched (validation runs offline).") from None
    return [f"{_json_path(e.absolute_path)}: {e.message}" for e in errors]


def validate_manifest(manifest: dict, schema: dict | None = None) -> None:
    """ManifestError listing every schema violation, or nothing."""
    problems = schema_violations(manifest, schema)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ManifestError(f"The manifest breaks the Teams manifest schema v1.29 in "
                            f"{len(problems)} place(s):\n{listing}")


def _json_path(parts) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(root)"


# --- building --------------------------------------------------------------------------

def build_manifest(app_id: str, *, name: str = "referatbot", host: str | None = None,
                   version: str = "1.0.0", manifest_dir: Path = MANIFEST_DIR) -> dict:
    """The manifest.json content for this bot: the template filled in and validated.

    The app id serves as both the Teams app id and the bot id. Without a host the manifest
    lists no valid domains and its developer URLs point at the municipality's website."""
    schema = load_schema(manifest_dir)
    app_id = check_app_id(app_id)
    host = check_host(host)
    name = check_name(name, schema)
    version = check_version(version, schema)
    base = f"https://{host}/" if host else DEFAULT_WEBSITE_URL
    values = {
        "APP_ID": app_id,
        "NAME": name,
        "VERSION": version,
        "HOST": host,  # None: entries that are only "{{HOST}}" are dropped
        "WEBSITE_URL": base,
        "PRIVACY_URL": f"{base}privacy" if host else base,
        "TERMS_URL": f"{base}terms" if host else base,
    }
    template_path = (manifest_dir / TEMPLATE_NAME).resolve()
    manifest = _fill(copy.deepcopy(_load_json(template_path)), values)
    left = sorted(set(re.findall(r"\{\{\w+\}\}", json.dumps(manifest))))
    if left:
        raise ManifestError(f"{template_path} has placeholders nothing fills: {', '.join(left)}")
    validate_manifest(manifest, schema)
    return manifest


def _fill(node, values: dict[str, str | None]):
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        dropped = {f"{{{{{k}}}}}" for k, v in values.items() if v is None}
        return [_fill(v, values) for v in node if not (isinstance(v, str) and v in dropped)]
    if isinstance(node, str):
        for key, value in values.items():
            if value is not None:
                node = node.replace(f"{{{{{key}}}}}", value)
    return node


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _icon(manifest_dir: Path, file_name: str) -> bytes:
    path = manifest_dir / file_name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"Icon {path} is missing; draw it with "
                            "python manifest/draw_icons.py.") from None
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ManifestError(f"Icon {path} is not a PNG image.")
    size = struct.unpack(">II", data[16:24])
    if size != ICONS[file_name]:
        raise ManifestError(f"Icon {path} is {size[0]}x{size[1]} pixels; Teams needs "
                            f"{ICONS[file_name][0]}x{ICONS[file_name][1]}.")
    return data


def build_package(app_id: str, out: Path, *, name: str = "referatbot", host: str | None = None,
                  version: str = "1.0.0", manifest_dir: Path = MANIFEST_DIR) -> Path:
    """Write the Teams app package to `out`: a zip with manifest.json, color.png and
    outline.png at its root. Returns `out`. Bad input: ValueError (ManifestError for a
    manifest or icon that cannot be built)."""
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"Output {out} is a folder; give a file name such as "
                         f"{out / 'referatbot.zip'}.")
    manifest = build_manifest(app_id, name=name, host=host, version=version,
                              manifest_dir=manifest_dir)
    files = {"manifest.json": manifest_bytes(manifest)}
    for icon_name in (manifest["icons"]["color"], manifest["icons"]["outline"]):
        files[icon_name] = _icon(manifest_dir, icon_name)

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as zf:
            for file_name, data in files.items():
                info = zipfile.ZipInfo(file_name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
