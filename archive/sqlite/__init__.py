"""The embedded SQLite archive (the default backend)."""
