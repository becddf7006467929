"""Team mode over TLS: `sslmode=verify-full` against a local server whose certificate a test CA signed."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from slaapp.models.database import DatabaseError, open_database
from slaapp.services.team import current_access
from tests.integration.pg_cluster import Cluster, tls_cluster
from tests.integration.tls_helpers import make_ca


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="slaapp-pg-"))  # the server's account must reach it
    try:
        with tls_cluster(folder) as running:
            yield running
    except FileNotFoundError as exc:
        pytest.skip(f"cannot start a PostgreSQL cluster here: {exc}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_verify_full_connects_over_tls_to_the_right_server(cluster: Cluster) -> None:
    url = cluster.url(sslmode="verify-full", sslrootcert=str(cluster.ca.ca_file))
    with open_database(url) as database:
        with database.session() as session:
            ssl = session.execute(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).scalar()
        assert ssl is True
        assert current_access(database).level == "admin"
    # the certificate names localhost too
    local = cluster.url("localhost", sslmode="verify-full", sslrootcert=str(cluster.ca.ca_file))
    with open_database(local) as database:
        assert database.revision() == database.head()


def test_verify_full_refuses_a_server_another_ca_signed(cluster: Cluster, tmp_path) -> None:
    other = make_ca(tmp_path / "other", "some other CA")
    url = cluster.url(sslmode="verify-full", sslrootcert=str(other.ca_file))
    with pytest.raises(DatabaseError, match="certificate verify failed"):
        open_database(url)
    # and a name the certificate does not hold is refused, though the CA is right
    wrong = cluster.url(
        "db.elsewhere.test", sslmode="verify-full", sslrootcert=str(cluster.ca.ca_file),
        hostaddr="127.0.0.1",
    )  # fmt: skip
    with pytest.raises(DatabaseError, match="does not match host name"):
        open_database(wrong)
