"""Training turns: at most `slots` sessions compute at once; the others queue for their turn.

A small network trains at the speed of Python, holding the GIL, so ten sessions training at once
finish no sooner than one after another, and every thread that wants the GIL slows down the
server's event loop (page loads, clicks, every session's redraws). So sessions take turns: a
session keeps its slot while nobody waits, and hands it to the longest-waiting session after
`slice_seconds` when others are queued. A session's `clock()` leaves out the time it queued, so
a page that redraws every 0.2 s of its own training draws about once per turn under load.
"""
from __future__ import annotations

import collections
import os
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from playground.server import device

SLICE_SECONDS = 0.2


class Turns:
    """A first-come, first-served pool of `slots` training slots shared by every session."""

    def __init__(self, slots: int, slice_seconds: float = SLICE_SECONDS):
        self.slots, self.slice_seconds = max(1, slots), slice_seconds
        self._free = self.slots
        self._queue: collections.deque = collections.deque()
        self._cond = threading.Condition()

    @property
    def waiting(self) -> int:
        """How many sessions are queued for a slot."""
        return len(self._queue)

    @property
    def busy(self) -> bool:
        """True when a newcomer would have to queue."""
        return self._free == 0 or bool(self._queue)

    def _take(self) -> bool:
        """Wait for a slot in arrival order; True if this had to queue."""
        ticket = object()
        with self._cond:
            queued = self.busy
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket or self._free == 0:
                    self._cond.wait()
            except BaseException:  # never leave a dead ticket at the head: it would block everyone
                self._queue.remove(ticket)
                self._cond.notify_all()
                raise
            self._queue.popleft()
            self._free -= 1
            self._cond.notify_all()  # the next in line may go too if another slot is free
        return queued

    def _give_back(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()

    @contextmanager
    def turn(self) -> Iterator[Turn]:
        """Hold a slot for a training loop; it is given back however the loop ends (Stop raises inside it)."""
        turn = Turn(self)
        turn.start()
        try:
            yield turn
        finally:
            turn.stop()


class Turn:
    """One session's hold on a slot: share() lets others in between steps, clock() is its own compute time."""

    def __init__(self, turns: Turns):
        self.turns = turns
        self.held = 0.0  # seconds of slot time before the current hold
        self._since: float | None = None

    def start(self) -> bool:
        """Take a slot (queueing if need be); True if this had to wait for it."""
        queued = self.turns._take()
        self._since = time.monotonic()
        return queued

    def stop(self) -> None:
        if self._since is not None:
            self.held += time.monotonic() - self._since
            self._since = None
            self.turns._give_back()

    def clock(self) -> float:
        """Seconds this session has held a slot or paused, not queued (wall time while nobody else trains)."""
        return self.held + (time.monotonic() - self._since if self._since is not None else 0.0)

    def share(self) -> bool:
        """Between two steps: after a full slice, if others wait, go to the back of the queue. True if it did."""
        if self._since is None or time.monotonic() - self._since < self.turns.slice_seconds or not self.turns.waiting:
            return False
        self.stop()
        return self.start()

    def pause(self, seconds: float) -> None:
        """Wait without holding a slot (a paced animation must not keep others out); the wait counts on clock()."""
        self.stop()
        t0 = time.monotonic()
        time.sleep(seconds)
        self.held += time.monotonic() - t0
        self.start()


def default_slots() -> int:
    """$PLAYGROUND_SLOTS, else one slot per core's worth of torch threads (2 cores x 1 thread -> 2 slots)."""
    env = os.environ.get("PLAYGROUND_SLOTS", "")
    if env.isdigit():
        return max(1, int(env))
    return max(1, device.cores() // device.cpu_threads())
