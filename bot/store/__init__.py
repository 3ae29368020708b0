"""The gateway's store: every customer, conversation, message, handoff, note, staff member and rating.

SQLAlchemy 2 (async), schema by Alembic migrations; SQLite (WAL) by default, PostgreSQL when
DATABASE_URL says so.
"""
