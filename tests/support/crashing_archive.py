"""An archive whose ledger dies on the n-th call of one method: crash tests of the alert
stages (recovery, fulfilment notices) check what a restart finds."""

from __future__ import annotations

from typing import Any

from archive import Archive


class CrashingLedger:
    """Delegates to a real ledger but dies on the n-th call of one method."""

    def __init__(self, inner: Any, method: str, after: int) -> None:
        self._inner, self._method, self._left = inner, method, after

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if self._left <= 0:
                raise RuntimeError("simulated crash")
            self._left -= 1
            return attr(*args, **kwargs)

        return wrapped


class CrashingArchive:
    """A real archive whose ledger dies on the n-th call of one method."""

    def __init__(self, inner: Archive, method: str, after: int) -> None:
        self._inner = inner
        self.ledger = CrashingLedger(inner.ledger, method, after)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
