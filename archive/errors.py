"""The archive's exceptions: what every backend and the ledger raise."""

from __future__ import annotations


class ArchiveError(Exception):
    """A storage problem that the user can act on; the message says what and where."""


class ArchiveLockedError(ArchiveError):
    """Another process holds the writer lock for this archive."""


class NotFoundError(ArchiveError):
    pass
