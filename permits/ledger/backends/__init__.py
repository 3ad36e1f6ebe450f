"""Database backends: each turns a location into a configured SQLAlchemy engine for ``permits.ledger.sql``."""
