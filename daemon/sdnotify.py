"""systemd's notify protocol (sd_notify(3)), spoken directly over `$NOTIFY_SOCKET`.

It is one datagram of `KEY=value` lines to a unix socket, so no library is needed. The
socket may be a path or, when it starts with "@", an abstract socket. Outside systemd
(no `$NOTIFY_SOCKET`) every call does nothing, so the daemon code can notify freely.

The variables are removed from the environment once read, as sd_notify's
`unset_environment` does: the password commands the daemon runs must not inherit them
and talk to systemd in its name.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import MutableMapping

log = logging.getLogger(__name__)

ENV_KEYS = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


class Notifier:
    def __init__(self, environ: MutableMapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_usec = _watchdog_usec(env)
        for key in ENV_KEYS:
            env.pop(key, None)
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between WATCHDOG=1 pings (half of `WatchdogSec=`), or None when off."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec else None

    def notify(self, **fields: str) -> bool:
        """Send `KEY=value` lines (keys upper-cased); False when not under systemd or the
        send failed (logged at debug: a missed notification must not stop the daemon)."""
        if self.address is None or not fields:
            return False
        text = "\n".join(f"{key.upper()}={_one_line(value)}" for key, value in fields.items())
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(text.encode("utf-8", errors="replace"), self.address)
        except OSError as exc:
            log.debug("sd_notify to %r failed: %s", self.address, exc)
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        return self.notify(ready="1", **({"status": status} if status else {}))

    def status(self, text: str) -> bool:
        return self.notify(status=text)

    def watchdog(self) -> bool:
        return self.notify(watchdog="1")

    def stopping(self, status: str | None = None) -> bool:
        return self.notify(stopping="1", **({"status": status} if status else {}))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _address(value: str) -> str | bytes | None:
    """A path as given; "@name" is the abstract socket "\\0name" (bytes)."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    log.debug("ignoring NOTIFY_SOCKET=%r: neither a path nor an abstract socket", value)
    return None


def _watchdog_usec(env: MutableMapping[str, str]) -> int | None:
    """`$WATCHDOG_USEC` when it is meant for this process (`$WATCHDOG_PID` unset or ours)."""
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None


def _one_line(value: str) -> str:
    return " ".join(str(value).split())
