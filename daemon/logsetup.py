"""Log lines for the daemon: what journald wants when it is listening, timestamps otherwise.

journald stamps every line itself and reads a `<N>` prefix as the syslog priority, so
under systemd a line is `<4>vendorwatch.service: ...` and `journalctl -p warning` works.
In a terminal or a plain log file each line carries its own time instead. journald is
recognised the documented way: `$JOURNAL_STREAM` holds the device and inode of the
stream it gave us, and stderr still is that stream (not redirected since).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

QUIET_BELOW_DEBUG = ("apscheduler", "imapclient")
# syslog priorities (sd-daemon(3)): err, warning, info, debug
_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6}


class JournalFormatter(logging.Formatter):
    """`<priority>level name: message`, one line (journald splits on newlines)."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 7)
        text = super().format(record)
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines() or [""])


def journald_is_stderr(stream: TextIO | None = None, environ: dict | None = None) -> bool:
    """Whether stderr is the stream journald handed us (`$JOURNAL_STREAM` = "dev:inode")."""
    env = os.environ if environ is None else environ
    value = env.get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    if not device.isdigit() or not inode.isdigit():
        return False
    try:
        st = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return st.st_dev == int(device) and st.st_ino == int(inode)


def configure(level: int, stream: TextIO | None = None) -> bool:
    """Route the root logger to stderr in the right format; True when journald receives it."""
    stream = stream or sys.stderr
    journal = journald_is_stderr(stream)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JournalFormatter()
        if journal
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in QUIET_BELOW_DEBUG:  # their INFO lines are per job run and per logout
        logging.getLogger(chatty).setLevel(
            logging.DEBUG if level <= logging.DEBUG else max(level, logging.WARNING)
        )
    return journal
