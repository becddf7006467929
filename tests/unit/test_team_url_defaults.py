"""A team database on another machine is reached over verified TLS unless the URL says otherwise."""

from __future__ import annotations

from slaapp.models.database import Database


def _query(url: str) -> dict[str, str]:
    database = Database(url)
    try:
        return {k: str(v) for k, v in database.engine.url.query.items()}
    finally:
        database.dispose()


def test_a_remote_server_gets_verify_full_and_the_app_name() -> None:
    query = _query("postgresql://ann@db.acme.test/slaapp")
    assert query["sslmode"] == "verify-full" and query["application_name"] == "slaapp"
    assert "sslrootcert" in query


def test_what_the_url_says_wins_and_this_machine_needs_no_tls() -> None:
    assert _query("postgresql://ann@db.acme.test/slaapp?sslmode=require")["sslmode"] == "require"
    assert "sslmode" not in _query("postgresql://ann@127.0.0.1/slaapp")
    assert Database("postgresql://ann:s3cret@db.acme.test/slaapp").display == (
        "postgresql://ann:***@db.acme.test/slaapp"
    )
