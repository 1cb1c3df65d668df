"""Progress for long syncs and imports: a bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import Protocol

log = logging.getLogger(__name__)


class Progress(Protocol):
    def add_total(self, n: int) -> None: ...
    def advance(self, n: int) -> None: ...
    def note(self, message: str) -> None: ...


class QuietProgress:
    def add_total(self, n: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def note(self, message: str) -> None:
        log.info("%s", message)


class PlainProgress:
    """A line every few seconds on stderr, for logs and pipes."""

    def __init__(self, label: str, every: float = 5.0):
        self.label = label
        self.every = every
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.last = 0.0

    def add_total(self, n: int) -> None:
        self.total += n

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            self._line()

    def note(self, message: str) -> None:
        sys.stderr.write(f"{message}\n")

    def _line(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        total = f"/{self.total}" if self.total else ""
        sys.stderr.write(f"{self.label}: {self.done}{total} messages ({rate:.0f}/s)\n")
        sys.stderr.flush()

    def close(self) -> None:
        pass


class BarProgress:
    """rich's progress bar with messages/s and time remaining."""

    def __init__(self, label: str):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task(label, total=0, rate="")
        self.started = time.monotonic()
        self.done = 0
        self.progress.start()

    def add_total(self, n: int) -> None:
        task = self.progress.tasks[0]
        self.progress.update(self.task, total=(task.total or 0) + n)

    def advance(self, n: int) -> None:
        self.done += n
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        self.progress.update(self.task, advance=n, rate=f"{rate:.0f} msg/s")

    def note(self, message: str) -> None:
        from rich.text import Text

        self.progress.console.print(Text(message, style="yellow"))

    def close(self) -> None:
        self.progress.stop()


def make_progress(label: str) -> PlainProgress | BarProgress:
    return BarProgress(label) if sys.stderr.isatty() else PlainProgress(label)
