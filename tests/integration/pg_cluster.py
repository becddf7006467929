"""A throwaway PostgreSQL cluster with TLS on (certificate from a test CA), for `sslmode` tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.smtp_server import free_port
from tests.integration.tls_helpers import TestCA, make_ca

PASSWORD = "tls-test-password"


@dataclass(frozen=True)
class Cluster:
    """A running server on 127.0.0.1:`port` whose certificate `ca` signed; superuser `postgres`."""

    __test__ = False

    port: int
    ca: TestCA

    def url(self, host: str = "127.0.0.1", **query: str) -> str:
        tail = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgresql://postgres:{PASSWORD}@{host}:{self.port}/postgres" + (
            f"?{tail}" if tail else ""
        )


def _bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_owner(command: list[str]) -> list[str]:
    """initdb and postgres refuse root: run them as the `postgres` account then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def tls_cluster(folder: Path) -> Iterator[Cluster]:
    """Start the cluster (ssl=on), yield it, stop it; raises FileNotFoundError without initdb."""
    binaries = _bin()
    if binaries is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        raise FileNotFoundError("no initdb here")
    folder.mkdir(parents=True, exist_ok=True)
    ca = make_ca(folder / "tls")
    data, password = folder / "data", folder / "password"
    password.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for path in (*folder.rglob("*"), folder):
            shutil.chown(path, "postgres")
    ca.key_file.chmod(0o600)
    subprocess.run(
        _as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                   "--auth=scram-sha-256", f"--pwfile={password}", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c ssl=on "
        f"-c ssl_cert_file={ca.cert_file} -c ssl_key_file={ca.key_file} -c fsync=off"
    )
    ctl = str(binaries / "pg_ctl")
    subprocess.run(
        _as_owner([ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield Cluster(port, ca)
    finally:
        subprocess.run(_as_owner([ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)  # fmt: skip
