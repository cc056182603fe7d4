"""The catalog backends the tests run against: SQLite always; PostgreSQL on the server
named by REFERATBOT_TEST_POSTGRES (scripts/test.sh starts one). Without that variable the
PostgreSQL cases are skipped with the reason, or fail under REFERATBOT_REQUIRE_POSTGRES=1
(scripts/test.sh sets it: there they must run)."""
from __future__ import annotations

import contextlib
import os
import uuid

import pytest

BACKENDS = ("sqlite", "postgresql")


def postgres_server() -> str:
    """The test server's URL; skips (or fails, see above) the calling test without one."""
    url = os.environ.get("REFERATBOT_TEST_POSTGRES", "").strip()
    if not url:
        reason = "REFERATBOT_TEST_POSTGRES is not set (scripts/test.sh starts a PostgreSQL server)"
        if os.environ.get("REFERATBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + ", and REFERATBOT_REQUIRE_POSTGRES=1", pytrace=False)
        pytest.skip(reason)
    return url


@contextlib.contextmanager
def fresh_postgres_catalog():
    """The URL of an empty schema of its own on the test server; dropped afterwards."""
    import psycopg

    server = postgres_server()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
