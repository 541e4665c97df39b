"""A process-wide memo for functions of strings that batches call again and again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """``func`` of many strings at once, each distinct string computed once per process.

    Lookups run at C speed (``map(dict.get, …)``); only the misses call ``func``. The memo is
    emptied when it holds more than ``limit`` strings, which bounds its memory.
    """

    def __init__(self, func: Callable[[str], V], limit: int) -> None:
        self.func = func
        self.limit = limit
        self.values: dict[str, V] = {}

    def __call__(self, keys: Sequence[str]) -> list[V]:
        """``[func(k) for k in keys]``, from the memo where it can."""
        if len(self.values) > self.limit:
            self.values.clear()
        found: list[V | None] = list(map(self.values.get, keys))
        if None in found:
            for i, value in enumerate(found):
                if value is None:
                    found[i] = self.values[keys[i]] = self.func(keys[i])
        return found  # type: ignore[return-value]  # every None is filled in
