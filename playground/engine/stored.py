"""A finished run's result (Run.result()) as bytes and back, for a store shared by several processes (server/disk_store.py).

Reading runs no code from the bytes: the tensors come back through torch.load(weights_only=True), which unpickles only
tensors and plain containers, and the history and snapshot are JSON, checked field by field. Bytes that are not what
dumps() wrote raise ValueError.
"""
from __future__ import annotations

import dataclasses
import io
import json

import torch

from playground.engine.training import History, Snapshot

FORMAT = 1  # bumped when the layout below changes: older entries then read as missing
_HISTORY = tuple(f.name for f in dataclasses.fields(History))
_SNAPSHOT = ("epoch", "step", "n_epochs", "done", "diverged", "tick")  # its history is the run's history


def dumps(result: tuple[dict, History, Snapshot, dict]) -> bytes:
    """(state_dict, history, snapshot, frames) as one torch file: tensors as tensors, history and snapshot as JSON."""
    state_dict, history, snapshot, frames = result
    payload = {
        "format": FORMAT,
        "state_dict": dict(state_dict),
        "frames": {int(epoch): dict(state) for epoch, state in frames.items()},
        "history": json.dumps(dataclasses.asdict(history)),
        "snapshot": json.dumps({name: getattr(snapshot, name) for name in _SNAPSHOT}),
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def loads(data: bytes) -> tuple[dict, History, Snapshot, dict]:
    """Inverse of dumps(); ValueError for anything else (a corrupted or planted entry)."""
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:  # a weights-only refusal, a broken zip, a truncated file: all mean "not ours"
        raise ValueError(f"not a stored run: {type(err).__name__}: {err}") from None
    if not (isinstance(payload, dict) and payload.get("format") == FORMAT):
        raise ValueError("not a stored run (unknown format)")
    state_dict = _tensors(payload.get("state_dict"))
    frames = payload.get("frames")
    if not isinstance(frames, dict) or not all(isinstance(epoch, int) for epoch in frames):
        raise ValueError("not a stored run (frames)")
    frames = {epoch: _tensors(state) for epoch, state in frames.items()}
    shapes = {name: tensor.shape for name, tensor in state_dict.items()}
    if any({name: tensor.shape for name, tensor in state.items()} != shapes for state in frames.values()):
        raise ValueError("not a stored run (a replay frame does not match its weights)")
    history = History(**_fields(payload.get("history"), _HISTORY))
    if not all(isinstance(getattr(history, name), list) for name in _HISTORY if name != "seconds"):
        raise ValueError("not a stored run (history)")
    if not isinstance(history.seconds, (int, float)):
        raise ValueError("not a stored run (history's time)")
    snapshot = Snapshot(history=history, **_fields(payload.get("snapshot"), _SNAPSHOT))
    return state_dict, history, snapshot, frames


def _tensors(state) -> dict:
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise ValueError("not a stored run (a state_dict holds names and tensors)")
    return state


def _fields(text, names: tuple[str, ...]) -> dict:
    """A JSON object with exactly these fields."""
    try:
        values = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        values = None
    if not isinstance(values, dict) or set(values) != set(names):
        raise ValueError("not a stored run (history or snapshot)")
    return values
