"""Size bombs: peak memory of vendorwatch on messages built to exhaust it.

Each case is one message written to a file and imported with `vendorwatch import` in a
fresh process (and the 200 MB message also synced from the private Dovecot), measuring the
process's peak RSS with wait4 and reading back what was stored and why:

- a 200 MB message (a big attachment): over the size cap, so stored in part;
- message/rfc822 nested 100 levels deep, and 5,000 deep (past the parser's limit);
- a zip nested 100 levels deep around 200 MB of zeros (a zip bomb): kept as one
  attachment, never expanded;
- a 50 MB HTML part (over the cap), and a 20 MB one under a raised cap (fully parsed).

    python bench/bombs.py [--scale 1.0] [--no-imap]

`--scale 0.1` makes every size ten times smaller. tests/test_size_bombs.py reuses the
builders with small sizes and asserts memory bounds; this script prints the figures.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))

from common import Run, measure, vendorwatch  # noqa: E402

MB = 1_000_000
DEFAULT_CAP = 25 * 1024 * 1024  # [sync] max_message_bytes by default
ZIP_DATE = (2026, 1, 5, 8, 0, 0)
OWNER = "owner@test.example"
VENDOR = "ravi@pixelcraft.example"


def headers(ident: str, subject: str, content_type: str) -> bytes:
    return (
        f"From: Ravi <{VENDOR}>\r\nTo: <{OWNER}>\r\nSubject: {subject}\r\n"
        f"Date: Mon, 05 Jan 2026 08:00:00 +0000\r\nMessage-ID: <{ident}@bomb.example>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
    ).encode()


# -- builders (each yields the message in chunks, so a 200 MB one is never held whole) ----


def big_attachment(size: int) -> Iterator[bytes]:
    """A short note and a `size`-byte binary attachment (base64, as mail carries it)."""
    yield headers("big", "the full video export", 'multipart/mixed; boundary="b"')
    yield b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nHi, the export is attached.\r\n"
    yield b'--b\r\nContent-Type: video/mp4; name="export.mp4"\r\n'
    yield b"Content-Transfer-Encoding: base64\r\n\r\n"
    block = os.urandom(57 * 1024)  # 57 bytes -> one 76-character base64 line
    lines = b"\r\n".join(base64.b64encode(block[i : i + 57]) for i in range(0, len(block), 57))
    for _ in range(max(1, size // (len(lines) + 2))):
        yield lines + b"\r\n"
    yield b"--b--\r\n"


def nested_rfc822(depth: int) -> Iterator[bytes]:
    """A forwarded message inside a forwarded message ... `depth` levels deep."""
    for level in range(depth):
        yield headers(f"fwd{level}", f"Fwd: level {level}", "message/rfc822") + b"\r\n"
    yield headers("core", "the bottom", "text/plain") + b"\r\nhello from the bottom\r\n"


def nested_zip(depth: int, core: int) -> bytes:
    """A zip of a zip ... `depth` levels around `core` bytes of zeros; the same bytes for
    the same arguments (fixed member dates)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("zeros.bin", ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = bytes(MB)
            for _ in range(max(1, core // MB)):
                member.write(chunk)
    blob = data.getvalue()
    for level in range(depth):
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo(f"level{level}.zip", ZIP_DATE)
            archive.writestr(info, blob, zipfile.ZIP_DEFLATED)
        blob = data.getvalue()
    return blob


def zip_message(depth: int, core: int) -> Iterator[bytes]:
    blob = base64.encodebytes(nested_zip(depth, core))
    yield headers("zip", "the files, zipped", 'multipart/mixed; boundary="z"')
    yield b"\r\n--z\r\nContent-Type: text/plain\r\n\r\nAll files in the zip.\r\n"
    yield b'--z\r\nContent-Type: application/zip; name="files.zip"\r\n'
    yield b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"--z--\r\n"


def big_html(size: int) -> Iterator[bytes]:
    """One text/html part of `size` bytes: a newsletter-like table that never ends."""
    yield headers("html", "monthly report", "text/html; charset=utf-8") + b"\r\n"
    yield b"<html><body><table>\n"
    row = b"<tr><td>item <b>bold</b></td><td><a href='https://x.example/a'>link</a></td></tr>\n"
    for _ in range(max(1, size // (len(row) * 1000))):
        yield row * 1000
    yield b"</table></body></html>\r\n"


def write(path: Path, chunks: Iterator[bytes]) -> int:
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path.stat().st_size


# -- running a case --------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    run: Run
    stored: dict | None  # the message row (truncated, parse_error, notes, sizes)
    attachments: list[tuple]


def config(work: Path, db: Path, max_message_bytes: int | None = None, imap=None) -> Path:
    lines = [
        "[owner]",
        f'addresses = ["{OWNER}"]',
        "",
        "[[vendors]]",
        'name = "PixelCraft"',
        f'addresses = ["{VENDOR}"]',
        "",
    ]
    if imap is not None:
        lines += [
            "[[accounts]]",
            'name = "bomb"',
            f'host = "{imap.host}"',
            f"port = {imap.port}",
            'tls = "none"',
            f'username = "{imap.user}"',
            'password_env = "VW_BOMB_PASSWORD"',
            'folders = ["INBOX"]',
            "",
        ]
    lines += ["[storage]", f'database = "{db}"', "", "[sync]", "analysis = false"]
    if max_message_bytes:
        lines.append(f"max_message_bytes = {max_message_bytes}")
    path = work / f"config-{db.stem}.toml"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def read_back(db: Path) -> tuple[dict | None, list[tuple]]:
    if not db.exists():
        return None, []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT message_key, subject, size, truncated, parse_error, notes, "
            "length(body_text) AS body_chars, length(new_text) AS new_chars, "
            "(SELECT length(raw) FROM raw_messages r WHERE r.message_key = m.message_key) "
            "AS raw_stored FROM messages m"
        ).fetchone()
        attachments = conn.execute("SELECT name, content_type, size FROM attachments").fetchall()
    finally:
        conn.close()
    return (dict(row) if row else None), [tuple(a) for a in attachments]


def import_case(work: Path, name: str, message: Path, max_message_bytes: int | None = None):
    db = work / f"{name}.db"
    cfg = config(work, db, max_message_bytes)
    env = dict(os.environ, VENDORWATCH_HOME=str(work / "home"))
    run = measure(vendorwatch("--config", str(cfg), "import", str(message)), env)
    stored, attachments = read_back(db)
    return Outcome(run, stored, attachments)


def imap_case(work: Path, message: Path) -> Outcome:
    """Append the message to a private Dovecot and `sync --once` it."""
    from servers.dovecot import Dovecot

    db = work / "imap.db"
    with Dovecot() as server:
        server.append("INBOX", message.read_bytes())
        cfg = config(work, db, imap=server)
        env = dict(
            os.environ, VENDORWATCH_HOME=str(work / "home"), VW_BOMB_PASSWORD=server.password
        )
        run = measure(vendorwatch("--config", str(cfg), "sync", "--once"), env)
    stored, attachments = read_back(db)
    return Outcome(run, stored, attachments)


def describe(outcome: Outcome) -> str:
    row = outcome.stored
    if row is None:
        return f"NOT STORED (exit {outcome.run.code}: {outcome.run.err.strip()[-200:]})"
    why = row["truncated"] or row["parse_error"] or row["notes"] or "parsed whole"
    return (
        f"stored (raw kept {row['raw_stored'] / MB:.1f} MB compressed, body "
        f"{row['body_chars']} chars, {len(outcome.attachments)} attachment(s)): {why}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    parser.add_argument("--no-imap", action="store_true", help="skip the IMAP sync case")
    args = parser.parse_args()
    scale = args.scale
    work = Path(tempfile.mkdtemp(prefix="vw-bombs-"))
    try:
        plain = work / "plain.eml"
        write(plain, iter([headers("plain", "hello", "text/plain") + b"\r\nhello\r\n"]))
        cases: list[tuple[str, Path, int | None]] = [("baseline (one small message)", plain, None)]
        big = work / "big.eml"
        size = write(big, big_attachment(int(200 * MB * scale)))
        cases.append((f"{size / MB:.0f} MB message", big, None))
        for depth in (100, 5000):
            path = work / f"nested{depth}.eml"
            write(path, nested_rfc822(depth))
            cases.append((f"message/rfc822 nested {depth} deep", path, None))
        path = work / "zip.eml"
        size = write(path, zip_message(100, int(200 * MB * scale)))
        cases.append(
            (f"zip nested 100 deep around {200 * scale:.0f} MB ({size // 1000} KB)", path, None)
        )
        path = work / "html50.eml"
        size = write(path, big_html(int(50 * MB * scale)))
        over = " (over the 25 MiB cap)" if size > DEFAULT_CAP else ""
        cases.append((f"{size / MB:.0f} MB HTML part{over}", path, None))
        path = work / "html20.eml"
        size = write(path, big_html(int(20 * MB * scale)))
        cases.append((f"{size / MB:.0f} MB HTML part, cap raised to 64 MB", path, 64 * MB))

        print(f"{'case':52} {'peak RSS':>9} {'seconds':>8}  result")
        for index, (label, message, cap) in enumerate(cases):
            outcome = import_case(work, f"case{index}", message, cap)
            print(
                f"{'import: ' + label:52} {outcome.run.rss_mb:6d} MB {outcome.run.seconds:8.1f}"
                f"  {describe(outcome)}"
            )
        if not args.no_imap:
            outcome = imap_case(work, big)
            label = f"sync --once: {big.stat().st_size / MB:.0f} MB message"
            print(
                f"{label:52} {outcome.run.rss_mb:6d} MB {outcome.run.seconds:8.1f}"
                f"  {describe(outcome)}"
            )
        print("peak RSS: the largest process of the run (vendorwatch or a parse worker)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
