"""The store of finished runs shared by every server process on one host: a directory, bounded in bytes.

diskcache (SQLite underneath, safe across processes and threads) keeps the entries; they are bytes made by an
encode function and read back by its decode function (engine/stored.py for runs: tensors through
torch.load(weights_only=True), histories as JSON). Nothing in the directory is ever unpickled: SafeDisk refuses
diskcache's pickled keys and values, so a file or row planted there reads as a miss (logged), never as code run.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from typing import Callable, Hashable

import diskcache

log = logging.getLogger(__name__)

DEFAULT_MB = 512


class Refused(ValueError):
    """An entry this store did not write: pickled, or not bytes."""


class SafeDisk(diskcache.Disk):
    """diskcache's Disk that reads back raw keys and byte values only (its pickle mode is how it stores anything
    else, and unpickling a planted entry could run code)."""

    def get(self, key, raw):
        if not raw:
            raise Refused("a pickled key")
        return super().get(key, raw)

    def fetch(self, mode, filename, value, read):
        if mode == diskcache.core.MODE_RAW and isinstance(value, (bytes, memoryview)):
            return bytes(value)
        if mode == diskcache.core.MODE_BINARY and not read and _inside(filename):
            return super().fetch(mode, filename, value, read)
        raise Refused(f"an entry in mode {mode}, not bytes")


def _inside(filename) -> bool:
    """A value file's name as diskcache makes them (ab/cd/....val), not a path out of the directory."""
    return isinstance(filename, str) and not os.path.isabs(filename) and ".." not in filename.split("/")


def key_text(key: Hashable) -> str:
    """The same text for an equal key in every process: a digest of its repr (the keys are tuples of numbers, strings
    and frozen dataclasses of them, whose repr is their content; Python's hash() differs between processes)."""
    return "run-" + hashlib.sha256(repr(key).encode()).hexdigest()


class DiskStore:
    """get/put like store.Bounded, for values encode() turns into bytes and decode() reads back (raising on bytes it
    did not make). At most size_mb megabytes: when a put passes that, the least recently used entries go, ten at a time
(diskcache's cull). A broken or refused entry
    is a miss; a store that cannot be written to (disk full, locked too long) drops the put: the page never fails."""

    def __init__(self, directory: str, encode: Callable[[object], bytes], decode: Callable[[bytes], object],
                 size_mb: float = DEFAULT_MB, timeout: float = 5.0):
        self.directory, self.encode, self.decode = str(directory), encode, decode
        self.size_limit = int(size_mb * 2**20)
        self._cache = diskcache.Cache(self.directory, timeout=timeout, disk=SafeDisk, size_limit=self.size_limit,
                                      eviction_policy="least-recently-used", statistics=0, tag_index=0)

    def get(self, key: Hashable, default=None):
        """The value for key, else default (also for an entry that cannot be read or was not written here)."""
        name = key_text(key)
        try:
            data = self._cache.get(name, default=None)
            if data is None:
                return default
            return self.decode(data)
        except (diskcache.Timeout, sqlite3.OperationalError) as err:  # busy (another process writing): a miss only
            log.warning("shared run store %s: busy, entry %s not read (%s)", self.directory, name, err)
            return default
        except Exception as err:  # Refused, a decode ValueError: a miss, and the bad entry goes
            log.warning("shared run store %s: entry %s unreadable, dropped (%s: %s)", self.directory, name,
                        type(err).__name__, err)
            self.pop(key)
            return default

    def put(self, key: Hashable, value) -> None:
        """Store value under key (the most recently used); past the size bound the least recently used go."""
        try:
            self._cache.set(key_text(key), self.encode(value))
            if self._cache.volume() > self.size_limit:  # set() culls before adding: a big entry can tip it over
                self._cache.cull()
        except Exception as err:
            log.warning("shared run store %s: could not store an entry (%s: %s)", self.directory, type(err).__name__, err)

    def pop(self, key: Hashable, default=None):
        """Remove key (its value is not read back: nothing here needs it)."""
        try:
            self._cache.delete(key_text(key))
        except Exception as err:
            log.warning("shared run store %s: could not drop an entry (%s)", self.directory, err)
        return default

    def volume(self) -> int:
        """Bytes the directory's entries and database take (diskcache's estimate)."""
        return self._cache.volume()

    def __len__(self) -> int:
        return len(self._cache)

    def __contains__(self, key: Hashable) -> bool:
        try:
            return key_text(key) in self._cache
        except Exception:
            return False

    def close(self) -> None:
        self._cache.close()
