"""Configuration in one place: a frozen dataclass built once at the entry point from the
environment (and CLI flags), then passed down. Nothing else reads os.environ."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.db import postgres_url_problem, redact
from retrieval.embed import default_model


class SettingsError(ValueError):
    """A setting has a value that cannot work; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data/referatbot")
    #: a postgresql:// URL; None: the SQLite file `catalog_path`
    catalog_url: str | None = None
    embedding_model: str = field(default_factory=default_model)
    chroma_host: str | None = None
    chroma_port: int = 8000
    # Bot Framework (empty app id: no authentication, for local use and the Emulator)
    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    # digest
    digest_time: str = "08:00"
    digest_timezone: str = "Europe/Copenhagen"
    digest_weekdays_only: bool = True
    port: int = 3978

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

        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip()

        def integer(name: str, default: int) -> int:
            raw = get(name)
            if not raw:
                return default
            try:
                return int(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a whole number, not '{raw}'") from None

        weekdays = get("REFERATBOT_DIGEST_WEEKDAYS_ONLY", "true").lower()
        if weekdays not in ("true", "false", "1", "0", "yes", "no"):
            raise SettingsError(f"REFERATBOT_DIGEST_WEEKDAYS_ONLY must be true or false, not '{weekdays}'")
        digest_time = get("REFERATBOT_DIGEST_TIME") or "08:00"
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", digest_time):
            raise SettingsError(f"REFERATBOT_DIGEST_TIME must be a time such as 08:00, not '{digest_time}'")
        timezone = get("REFERATBOT_DIGEST_TIMEZONE") or "Europe/Copenhagen"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"REFERATBOT_DIGEST_TIMEZONE '{timezone}' is not a time zone "
                                "such as Europe/Copenhagen") from None
        catalog_url = get("REFERATBOT_CATALOG_URL") or None
        problem = catalog_url and postgres_url_problem(catalog_url)
        if problem:
            raise SettingsError(f"REFERATBOT_CATALOG_URL must be a PostgreSQL URL such as "
                                f"postgresql://user:password@host:5432/referatbot, but {problem}: "
                                f"'{redact(catalog_url)}'")
        app_type = get("MicrosoftAppType") or "MultiTenant"
        if app_type.lower() not in ("multitenant", "singletenant", "usermanagedidentity",
                                    "userassignedmsi"):
            raise SettingsError(f"MicrosoftAppType must be SingleTenant, MultiTenant or "
                                f"UserAssignedMSI (UserManagedIdentity), not '{app_type}'")
        if app_type.lower() == "singletenant" and not get("MicrosoftAppTenantId"):
            raise SettingsError("MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId")
        return cls(
            data_dir=Path(get("REFERATBOT_DATA_DIR") or cls.data_dir),
            catalog_url=catalog_url,
            embedding_model=get("REFERATBOT_EMBEDDING_MODEL") or default_model(),
            chroma_host=get("CHROMA_HOST") or None,
            chroma_port=integer("CHROMA_PORT", 8000),
            app_id=get("MicrosoftAppId"),
            app_password=get("MicrosoftAppPassword"),
            app_type=app_type,
            app_tenant_id=get("MicrosoftAppTenantId"),
            digest_time=digest_time,
            digest_timezone=timezone,
            digest_weekdays_only=weekdays in ("true", "1", "yes"),
            port=integer("PORT", 3978),
        )
