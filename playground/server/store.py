"""A bounded, thread-safe least-recently-used map: the shared store of finished runs, and each session's runs and races."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable


class Bounded:
    """Least-recently-used map holding at most max_entries: get and put count as use; past the bound the least
    recently used entry goes. Thread-safe (the shared store is used by every session's script thread at once)."""

    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        """The value for key (now the most recently used), else default."""
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value) -> None:
        """Set key's value as the most recently used; drop the least recently used past the bound."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def pop(self, key: Hashable, default=None):
        """Remove key; its value, else default."""
        with self._lock:
            return self._items.pop(key, default)

    def keys(self) -> list:
        """The keys, least recently used first (a copy)."""
        with self._lock:
            return list(self._items)

    def values(self) -> list:
        """The values, least recently used first (a copy)."""
        with self._lock:
            return list(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items
