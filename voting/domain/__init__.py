"""Pure domain logic: no Flask, no SQLAlchemy. Everything here is unit-testable on plain data."""
