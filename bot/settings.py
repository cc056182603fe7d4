"""Configuration in one place: a frozen dataclass built once at the entry point from the
environment (and CLI flags), then passed down. Nothing else reads os.environ.

Each setting is declared once, in SETTINGS: its variable, the field it fills, how its
text is read, its default, and what it means. `Settings.from_env` reads them all the
same way, and a test holds the README's configuration table to the same list.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.links import template_problem
from ingest.db import postgres_url_problem, redact
from retrieval.embed import backend_problem, default_model
from retrieval.forums import parse_aliases
from retrieval.store import DATABASE_NAME, DEFAULT_DATABASE


class SettingsError(ValueError):
    """A setting has a value that cannot work; the message names the variable."""


#: MicrosoftAppType values, lower-cased, and the name botbuilder reads (UserManagedIdentity
#: is what the Azure portal shows for a user-assigned managed identity).
APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant",
             "userassignedmsi": "UserAssignedMSI", "usermanagedidentity": "UserAssignedMSI"}
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


# --- how a variable's text is read (raw is stripped and never empty) ------------------------

def _text(raw: str, name: str) -> str:
    return raw


def _path(raw: str, name: str) -> Path:
    return Path(raw)


def _port(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not '{raw}'") from None


def _seconds(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name} must be a number of seconds above 0, such as 10, not '{raw}'")
    return value


def _yes_no(raw: str, name: str) -> bool:
    if raw.lower() not in TRUE + FALSE:
        raise SettingsError(f"{name} must be true or false, not '{raw}'")
    return raw.lower() in TRUE


def _clock(raw: str, name: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", raw):
        raise SettingsError(f"{name} must be a time such as 08:00, not '{raw}'")
    return raw


def _zone(raw: str, name: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name} '{raw}' is not a time zone such as Europe/Copenhagen") from None
    return raw


def _user_cache() -> Path:
    """The user's cache folder for referatbot: $XDG_CACHE_HOME/referatbot, else
    ~/.cache/referatbot."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "referatbot"


def _checked(problem_of: Callable[[str], str | None], wanted: str,
             shown: Callable[[str], str] = str) -> Callable[[str, str], str]:
    """A reader of text that `problem_of` checks: its problem, named with the variable,
    what is `wanted` and the value as `shown` (a URL without its password)."""
    def parse(raw: str, name: str) -> str:
        problem = problem_of(raw)
        if problem:
            raise SettingsError(f"{name} must be {wanted}, but {problem}: '{shown(raw)}'")
        return raw
    return parse


_postgres_url = _checked(postgres_url_problem, "a PostgreSQL URL such as "
                         "postgresql://user:password@host:5432/referatbot", redact)
_chroma_database = _checked(
    lambda raw: None if DATABASE_NAME.fullmatch(raw) else "it is not such a name",
    "3 to 512 letters, digits, '.', '_' or '-', starting and ending with a letter or digit")
_source_url = _checked(template_problem, "a link template such as "
                       "https://intranet.example.dk/cf/{date}#punkt-{punkt}")


def _aliases(raw: str, name: str) -> tuple[tuple[str, str], ...]:
    try:
        return parse_aliases(raw)
    except ValueError as e:
        raise SettingsError(f"{name} must be alias=forum entries separated by ';', such as "
                            f"byrådet=Kommunalbestyrelsen;BY=Kommunalbestyrelsen, but {e}") from None


def app_type(raw: str, name: str = "MicrosoftAppType") -> str:
    """The app type by the name botbuilder reads; the one check of its value."""
    try:
        return APP_TYPES[raw.strip().lower()]
    except KeyError:
        raise SettingsError(f"{name} must be MultiTenant, SingleTenant or UserAssignedMSI, "
                            f"not '{raw}'") from None


@dataclass(frozen=True)
class Setting:
    env: str
    field: str
    parse: Callable[[str, str], object]
    #: the value when the variable is unset or blank; a callable is called for it
    default: object
    #: the default as the README's configuration table writes it
    shown: str
    help: str

    def value(self, raw: str | None):
        raw = (raw or "").strip()
        if raw:
            return self.parse(raw, self.env)
        return self.default() if callable(self.default) else self.default


SETTINGS = (
    Setting("REFERATBOT_DATA_DIR", "data_dir", _path, Path("data/referatbot"), "`data/referatbot`",
            "the catalog (catalog.sqlite3) and the embedded Chroma (chroma/); also --data-dir"),
    Setting("REFERATBOT_CATALOG_URL", "catalog_url", _postgres_url, None, "unset",
            "a PostgreSQL catalog instead of the SQLite file in the data dir"),
    Setting("REFERATBOT_EMBEDDING_MODEL", "embedding_model", _text, default_model,
            "bundled multilingual-e5-small",
            "a sentence-transformers model name or path (run `referatbot reindex` after a change)"),
    Setting("REFERATBOT_EMBEDDING_BACKEND", "embedding_backend", _text, "",
            "onnx-fp32 for the bundled e5, else torch",
            "what runs the model: torch, onnx-fp32 or onnx-int8 (onnx: the bundled e5 only; "
            "run `referatbot reindex` after a change)"),
    Setting("REFERATBOT_MODEL_CACHE", "model_cache", _path, _user_cache, "`~/.cache/referatbot`",
            "where the bundled e5's folder and its onnxruntime export are built, once"),
    Setting("CHROMA_HOST", "chroma_host", _text, None, "unset",
            "a `chroma run` server instead of the embedded store"),
    Setting("CHROMA_PORT", "chroma_port", _port, 8000, "8000", "the Chroma server's port"),
    Setting("CHROMA_DATABASE", "chroma_database", _chroma_database, DEFAULT_DATABASE,
            f"`{DEFAULT_DATABASE}`", "the database on the Chroma server, made if missing: "
            "deployments sharing one server each keep their own"),
    Setting("MicrosoftAppId", "app_id", _text, "", "empty",
            "the Bot Framework app id; with none, /api/messages is open (local use only)"),
    Setting("MicrosoftAppPassword", "app_password", _text, "", "empty", "its client secret"),
    Setting("MicrosoftAppType", "app_type", app_type, "MultiTenant", "empty",
            "MultiTenant, SingleTenant or UserAssignedMSI (UserManagedIdentity)"),
    Setting("MicrosoftAppTenantId", "app_tenant_id", _text, "", "empty",
            "the tenant, for SingleTenant and UserAssignedMSI"),
    Setting("REFERATBOT_DIGEST_TIME", "digest_time", _clock, "08:00", "`08:00`",
            "when the daily digest is sent, local time"),
    Setting("REFERATBOT_DIGEST_TIMEZONE", "digest_timezone", _zone, "Europe/Copenhagen",
            "`Europe/Copenhagen`", "the digest's time zone"),
    Setting("REFERATBOT_DIGEST_WEEKDAYS_ONLY", "digest_weekdays_only", _yes_no, True, "`true`",
            "send the digest on weekdays only"),
    Setting("REFERATBOT_SOURCE_URL", "source_url", _source_url, None, "unset",
            "a link to the original referat for each source: a URL template with {date} "
            "and {punkt}"),
    Setting("REFERATBOT_DEFAULT_FORUM", "default_forum", _text, "Chefforum", "`Chefforum`",
            "the forum of a referat whose head names none (ingest and the inbox say so)"),
    Setting("REFERATBOT_FORUM_ALIASES", "forum_aliases", _aliases, (), "unset",
            "more names of forums in questions and commands: alias=forum;… (a forum is "
            "already known by its name as Danish inflects it and by its initials)"),
    Setting("REFERATBOT_INBOX", "inbox", _path, None, "unset",
            "a folder `serve` takes new and changed minutes from by itself"),
    Setting("REFERATBOT_INBOX_POLL_SECONDS", "inbox_poll_seconds", _seconds, 10.0, "`10`",
            "how often the inbox is looked at; a file is taken within two looks of its copy ending"),
    Setting("PORT", "port", _port, 3978, "3978", "the port of `referatbot serve`"),
)
_BY_FIELD = {s.field: s for s in SETTINGS}


def _default(name: str):
    declared = _BY_FIELD[name].default
    return field(default_factory=declared) if callable(declared) else declared


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _default("data_dir")
    #: a postgresql:// URL; None: the SQLite file `catalog_path`
    catalog_url: str | None = _default("catalog_url")
    embedding_model: str = _default("embedding_model")
    #: empty: the model's own (retrieval.embed.default_backend)
    embedding_backend: str = _default("embedding_backend")
    #: where the bundled e5 is built (retrieval.e5_build, retrieval.onnx_build)
    model_cache: Path = _default("model_cache")
    chroma_host: str | None = _default("chroma_host")
    chroma_port: int = _default("chroma_port")
    chroma_database: str = _default("chroma_database")
    # Bot Framework (empty app id: no authentication, for local use and the Emulator)
    app_id: str = _default("app_id")
    app_password: str = _default("app_password")
    app_type: str = _default("app_type")
    app_tenant_id: str = _default("app_tenant_id")
    # digest
    digest_time: str = _default("digest_time")
    digest_timezone: str = _default("digest_timezone")
    digest_weekdays_only: bool = _default("digest_weekdays_only")
    #: a link template for the original referat (bot.links); None: no links
    source_url: str | None = _default("source_url")
    #: the forum of a referat that names none
    default_forum: str = _default("default_forum")
    #: (alias, forum) pairs: more names of forums (retrieval/forums.py)
    forum_aliases: tuple[tuple[str, str], ...] = _default("forum_aliases")
    #: a folder `serve` takes minutes from (bot/jobs/inbox.py); None: no inbox
    inbox: Path | None = _default("inbox")
    inbox_poll_seconds: float = _default("inbox_poll_seconds")
    port: int = _default("port")

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def catalog(self) -> str | Path:
        """Where the catalog lives: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.catalog_url or self.catalog_path

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        settings = cls(**{s.field: s.value(env.get(s.env)) for s in SETTINGS})
        settings.check_bot(connecting=False)
        problem = backend_problem(settings.embedding_model, settings.embedding_backend)
        if problem:
            raise SettingsError(problem)
        return settings

    def check_inbox(self) -> None:
        """SettingsError unless the inbox, when one is set, is a folder (at start-up:
        a share that goes away later is polled until it is back)."""
        if self.inbox is not None and not self.inbox.is_dir():
            raise SettingsError(f"REFERATBOT_INBOX must be a folder, but '{self.inbox}' "
                                f"{'is not one' if self.inbox.exists() else 'does not exist'}")

    def check_bot(self, *, connecting: bool = True) -> str:
        """The app type botbuilder reads, or SettingsError naming what makes the Bot
        Framework settings unusable. Without `connecting` (every command at start-up)
        only what no command can work with; with it (serve, digest --send) all of it."""
        kind = app_type(self.app_type)
        if kind != "MultiTenant" and not self.app_tenant_id:
            raise SettingsError(f"MicrosoftAppType={self.app_type} needs MicrosoftAppId "
                                "and MicrosoftAppTenantId")
        if not connecting:
            return kind
        if self.app_id and kind != "UserAssignedMSI" and not self.app_password:
            raise SettingsError("MicrosoftAppPassword must be set when MicrosoftAppId is")
        if kind != "MultiTenant" and not self.app_id:
            raise SettingsError(f"MicrosoftAppType={self.app_type} needs MicrosoftAppId "
                                "and MicrosoftAppTenantId")
        return kind
