"""pytest-supaseed: real, deterministic, seeded Supabase/Postgres databases for every test."""

__version__ = "0.1.0"
