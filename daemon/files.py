"""File sources for `vendorwatch import`: an mbox file, a Maildir, or loose message files.

They yield the same `RawMessage` batches as the IMAP source. Files are read as they are
and never modified; an oversized message is read only up to the cap.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from .errors import SourceError
from .sources import TRUNCATED_BODY_BYTES, Location, RawMessage, truncation_note

SOURCE = "import"
_FROM_LINE = re.compile(rb"^From \S")
_ESCAPED_FROM = re.compile(rb"^>(>*From )")


def kind_of(path: Path) -> str:
    """ "maildir", "mbox", "directory" (one message per file) or "file" (one message)."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        return "directory"
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
    return "mbox" if head == b"From " else "file"


def read(path: Path, cap: int) -> Iterator[RawMessage]:
    """Every message under `path`, in file order."""
    path = path.expanduser().resolve()
    kind = kind_of(path)
    if kind == "mbox":
        yield from read_mbox(path, cap)
    elif kind == "maildir":
        yield from read_maildir(path, cap)
    elif kind == "directory":
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            if file.name.startswith(".") or file.name.endswith((".md", ".py")):
                continue
            yield _read_file(file, Location(SOURCE, str(path), 0, str(file.relative_to(path))), cap)
    else:
        yield _read_file(path, Location(SOURCE, str(path.parent), 0, path.name), cap)


def count(path: Path) -> int | None:
    """How many messages `read` will yield, cheaply; None when it would mean reading it all."""
    path = path.expanduser().resolve()
    kind = kind_of(path)
    if kind == "maildir":
        return sum(1 for sub in ("cur", "new") for p in (path / sub).iterdir() if p.is_file())
    if kind == "file":
        return 1
    if kind == "mbox":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.startswith(b"From "))
    return None


def read_mbox(path: Path, cap: int) -> Iterator[RawMessage]:
    """Stream an mbox (mboxo or mboxrd) without loading it whole; items are content hashes."""
    folder = str(path)
    lines: list[bytes] = []
    size = 0
    started = False
    try:
        with path.open("rb") as handle:
            for line in handle:
                if _FROM_LINE.match(line) and (not lines or lines[-1] in (b"\n", b"\r\n")):
                    if started:
                        yield _mbox_message(folder, lines, size, cap)
                    lines, size, started = [], 0, True
                    continue
                size += len(line)
                if size <= cap + 65536:
                    lines.append(_ESCAPED_FROM.sub(rb"\1", line))
            if started:
                yield _mbox_message(folder, lines, size, cap)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from None


def _mbox_message(folder: str, lines: list[bytes], size: int, cap: int) -> RawMessage:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]  # the blank line that separates messages
        size -= 1
    raw = b"".join(lines)
    note = None
    if size > cap:
        raw, note = _cut(raw), truncation_note(size, cap)
    item = "sha256:" + hashlib.sha256(raw).hexdigest()
    return RawMessage(Location(SOURCE, folder, 0, item), raw, size, note)


def read_maildir(path: Path, cap: int) -> Iterator[RawMessage]:
    files = sorted(p for sub in ("cur", "new") for p in (path / sub).iterdir() if p.is_file())
    for file in files:
        key = file.name.split(":", 1)[0]
        yield _read_file(file, Location(SOURCE, str(path), 0, key), cap)


def _read_file(file: Path, location: Location, cap: int) -> RawMessage:
    try:
        size = file.stat().st_size
        with file.open("rb") as handle:
            if size <= cap:
                return RawMessage(location, handle.read(), size)
            head = handle.read(cap if cap < TRUNCATED_BODY_BYTES * 2 else TRUNCATED_BODY_BYTES * 2)
    except OSError as exc:
        raise SourceError(f"{file}: cannot read: {exc.strerror}") from None
    return RawMessage(location, _cut(head), size, truncation_note(size, cap))


def _cut(raw: bytes) -> bytes:
    """Keep the header block and the first part of the body of an oversized message."""
    match = re.search(rb"\r?\n\r?\n", raw[: 4 * 1024 * 1024])
    end = match.end() if match else 0
    return raw[: end + TRUNCATED_BODY_BYTES]
