"""The catalog backends the tests run against: SQLite always; PostgreSQL on the server
named by REFERATBOT_TEST_POSTGRES (scripts/test.sh starts one). Without that variable the
PostgreSQL cases are skipped with the reason, or fail under REFERATBOT_REQUIRE_POSTGRES=1
(scripts/test.sh sets it: there they must run). `PostgresServer` is a cluster of a test's
own, for a test that stops and starts the server."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

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


class PostgresServer:
    """A PostgreSQL cluster of a test's own, started and stopped under a running app like
    an operator would (`pg_ctl start`, `pg_ctl stop -m fast`), on one port and data dir.
    Needs Debian's postgresql package; as root, the server runs as its `postgres` user."""

    def __init__(self, port: int):
        import glob

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                       key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
        if not found:
            reason = "PostgreSQL is not installed (apt-get install postgresql)"
            if os.environ.get("REFERATBOT_REQUIRE_POSTGRES") == "1":
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        self.bin = Path(found[-1])
        self.port = port
        # postgres must reach its folder: not under pytest's tmp_path (mode 700, root's)
        self.root = Path(tempfile.mkdtemp(prefix="referatbot-pg-"))
        self.root.chmod(0o711)
        self.data = self.root / "data"
        self.url = f"postgresql://referatbot@127.0.0.1:{port}/referatbot"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def create(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "referatbot", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "referatbot",
                  "referatbot")
        return self

    def start(self) -> None:
        # -l: the server's output to a file (an inherited pipe would never close)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60",
                  "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
