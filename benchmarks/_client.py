"""A Streamlit session without a browser: the websocket protocol a browser tab speaks, in a thread.

A classroom's students each run their browser on their own machine; on this benchmark machine ten
Chromium tabs would take the cores the server is being measured on. ProtocolSession opens the
same /_stcore/stream websocket the page opens, asks for a script run with the page's query string
(a share link), presses a button by sending its trigger, and reads every message the server sends
(deltas are parsed, so the server does all the work it does for a real tab). Its own CPU use is
small and is printed by the load benchmark.
"""
from __future__ import annotations

import threading
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


class ProtocolSession:
    """One Streamlit session driven over its websocket; `alerts`, `metrics` hold what the page shows."""

    def __init__(self, base_url: str, query_string: str = "", cookie: str | None = None):
        self.url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.query_string = query_string
        self.buttons: dict[str, str] = {}  # widget key -> widget id, from the page's deltas
        self.alerts: list[str] = []  # every alert body shown, in order
        self.alert_times: list[float] = []  # time.monotonic() each alert arrived
        self.metrics: dict[str, str] = {}  # latest value per metric label
        self.exceptions: list[str] = []
        self.messages = 0
        self.bytes = 0
        self.script_runs_finished = 0
        self.closed = False
        # cookie: a Cookie header for the websocket's handshake, as a browser sends its cookies (a proxy's sticky
        # session cookie: deploy/replicas.py); upstream: the process that served it, as that proxy names it
        self._ws = connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=30,
                           additional_headers={"Cookie": cookie} if cookie else None)
        self.upstream = self._ws.response.headers.get("X-Playground-Upstream")
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                with self._changed:
                    self.messages += 1
                    self.bytes += len(data)
                    self._take(msg)
                    self._changed.notify_all()
        except Exception:  # noqa: BLE001 - the connection closed (by us or by the server)
            pass
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def _take(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            self.script_runs_finished += 1
        if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if which == "button" and "-" in element.button.id:
            self.buttons[element.button.id.rsplit("-", 1)[-1]] = element.button.id
        elif which == "alert":
            self.alerts.append(element.alert.body)
            self.alert_times.append(time.monotonic())
        elif which == "metric":
            self.metrics[element.metric.label] = element.metric.body
        elif which == "exception":
            self.exceptions.append(element.exception.message)

    def rerun(self, trigger: str | None = None) -> None:
        """Ask for a script run, as the page does on load (trigger=None) or on a button click."""
        back = BackMsg()
        back.rerun_script.query_string = self.query_string
        if trigger is not None:
            state = back.rerun_script.widget_states.widgets.add()
            state.id = self.buttons[trigger]
            state.trigger_value = True
        self._ws.send(back.SerializeToString())

    def wait_for(self, condition, timeout: float) -> bool:
        """Wait until condition(self) holds (checked on every message) or the time is up."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return condition(self)
                self._changed.wait(left)
        return True

    def first_shown(self, text: str) -> float | None:
        """time.monotonic() at which an alert containing text first arrived, or None."""
        return next((t for t, alert in zip(self.alert_times, self.alerts) if text in alert), None)

    def shows(self, text: str) -> bool:
        return any(text in alert for alert in self.alerts[-3:])

    def close(self) -> None:
        self._ws.close()
        self._reader.join(5)
