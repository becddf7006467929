"""SQLAlchemy 2 ORM, database setup, Alembic migrations and the queries that feed the engine."""
