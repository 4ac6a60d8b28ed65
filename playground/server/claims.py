"""Which script run may train a run (or race): one at a time, the newest.

Streamlit (its default `runner.fastReruns`) starts a new script run as soon as a button is
clicked, and the run it replaces stops only at its next Streamlit call. A live loop makes no
Streamlit call between two frames, so after Stop the old run's thread went on training the model
that the new run was drawing: a picture one epoch behind the numbers drawn after it, and Train
pressed at once resumed the same generator from two threads ("generator already executing").

So a script run claims the run it shows or trains, and a live loop takes each step under the
run's lock, only while its own thread holds the claim. Claiming waits for a step in progress
elsewhere; the superseded loop raises Superseded before its next step and touches nothing more.
No Streamlit here: threads and locks only.
"""
from __future__ import annotations

import threading
from typing import Iterable, Iterator

_GUARD = threading.Lock()


class Superseded(Exception):
    """A newer script run has claimed what this loop trains: it must stop without another step."""


def _lock(target) -> threading.Lock:
    with _GUARD:
        lock = target.__dict__.get("_claim_lock")
        if lock is None:
            lock = target._claim_lock = threading.Lock()
        return lock


def claim(target) -> None:
    """The calling thread's script run takes target over; returns once no step is being taken elsewhere."""
    lock = _lock(target)
    target._claimed_by = threading.get_ident()  # first: a loop elsewhere starts no new step from now on
    with lock:  # then wait for the step it may be taking
        pass


def owner(target) -> int | None:
    """The thread that claimed target last (None: never claimed)."""
    return target.__dict__.get("_claimed_by")


def owned_steps(target, loop: Iterable) -> Iterator:
    """loop's items, each taken under target's lock while this thread holds the claim; then Superseded."""
    claim(target)
    lock, me, steps = _lock(target), threading.get_ident(), iter(loop)
    while True:
        with lock:
            if owner(target) != me:
                raise Superseded
            try:
                step = next(steps)
            except StopIteration:
                return
        yield step
