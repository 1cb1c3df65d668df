"""A TCP proxy on 127.0.0.1 that breaks an IMAP connection on purpose, for fault tests.

It sits between vendorwatch and the private Dovecot and runs its own asyncio loop in a
background thread, so a test (or a benchmark) drives it from ordinary blocking code. The
mode can be switched at any time and applies at once to every open connection:

- ``pass``: forward both ways untouched;
- ``reset``: when the server is halfway through the literal of a FETCH response
  (``* 3 FETCH (UID 7 BODY[] {1234}``), reset the client connection (SO_LINGER 0 then
  close, so the client sees ECONNRESET, not a clean end of file);
- ``stall``: forward nothing more, accept new connections and send them nothing; with
  ``in_literal=True`` the stall starts in the middle of a FETCH literal instead of at once;
- ``trickle``: deliver the server's bytes one at a time (each its own write);
- ``cut``: close the connection (a clean FIN) after ``after`` bytes from the server.

``faults`` counts how often a fault actually fired, so a test can tell that the fault it set
up really happened rather than passing because the mail was too small to reach it.

Also imported by bench/ scripts: no pytest in this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import struct
import threading
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

MODES = ("pass", "reset", "stall", "trickle", "cut")
LOOPBACK = "127.0.0.1"
CHUNK = 65536
SETTLE_SECONDS = 0.05  # lets the bytes before a reset leave the socket first
_FETCH_LINE = re.compile(rb"^\* \d+ FETCH ", re.IGNORECASE)
_LITERAL_END = re.compile(rb"\{(\d+)\+?\}\r?\n$")
_MAX_LINE = 1 << 20  # a line longer than this is not tracked further (never in IMAP practice)


@dataclass(frozen=True)
class Mode:
    """The active fault and its parameters (immutable, swapped whole by `set_mode`)."""

    name: str = "pass"
    after: int = 0  # cut: bytes from the server per connection before the cut
    in_literal: bool = False  # stall: start in a FETCH literal rather than at once


class LiteralScanner:
    """Follows the server->client IMAP stream to know where FETCH literals are.

    IMAP sends a message body as ``{N}\\r\\n`` followed by N raw bytes; everything else is
    lines. `feed` returns the offset, inside the chunk, of the middle of a FETCH literal when
    `want_middle` is set and the chunk reaches it, so the caller can break the stream there.
    """

    def __init__(self) -> None:
        self.line = bytearray()
        self.left = 0  # bytes of the current literal not yet seen
        self.size = 0  # size of the current literal
        self.continued = False  # the next line continues a response cut by a literal
        self.in_fetch = False  # the current response is a FETCH response
        self.literal_bytes = 0  # FETCH literal bytes seen so far (all literals)

    def feed(self, data: bytes, want_middle: bool = False) -> int | None:
        i = 0
        while i < len(data):
            if self.left:
                take = min(self.left, len(data) - i)
                if want_middle and self.in_fetch:
                    done = self.size - self.left
                    middle = max(1, self.size // 2)
                    if done <= middle < done + take:
                        return i + (middle - done)
                self.left -= take
                if self.in_fetch:
                    self.literal_bytes += take
                i += take
                continue
            end = data.find(b"\n", i)
            if end < 0:
                if len(self.line) < _MAX_LINE:
                    self.line += data[i:]
                break
            self.line += data[i : end + 1]
            i = end + 1
            self._line_done(bytes(self.line))
            self.line.clear()
        return None

    def _line_done(self, line: bytes) -> None:
        if not self.continued:
            self.in_fetch = bool(_FETCH_LINE.match(line))
        literal = _LITERAL_END.search(line)
        if literal:
            self.size = self.left = int(literal[1])
            self.continued = True
        else:
            self.continued = False


@dataclass(eq=False)
class _Conn:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    scanner: LiteralScanner = field(default_factory=LiteralScanner)
    sent: int = 0  # bytes delivered to the client


class FaultProxy:
    """A proxy from `host:port` (a free port, chosen at start) to `target_host:target_port`."""

    def __init__(self, target_host: str, target_port: int, host: str = LOOPBACK) -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self.mode = Mode()
        self.faults = 0  # how many times a fault fired
        self.connections = 0  # connections accepted so far
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._changed: asyncio.Event | None = None
        self._conns: set[_Conn] = set()
        self._lock = threading.Lock()

    # -- control (any thread) -----------------------------------------------------------

    def start(self) -> FaultProxy:
        """Start the loop thread and listen; returns once the port accepts."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._listen())
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="faultproxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            self._thread = None
            raise RuntimeError(f"fault proxy could not listen: {failure[0]}")
        return self

    def stop(self) -> None:
        """Close every connection and the listener, and end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def set_mode(self, name: str, *, after: int = 0, in_literal: bool = False) -> None:
        """Switch the fault for every connection, open or new."""
        if name not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {name!r}")
        if name == "cut" and after <= 0:
            raise ValueError("cut needs after > 0 bytes")
        self.mode = Mode(name, after, in_literal)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake)

    def reset_counters(self) -> None:
        with self._lock:
            self.faults = 0
            self.connections = 0

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the loop ----------------------------------------------------------------------

    async def _listen(self) -> None:
        self._changed = asyncio.Event()
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns):
            _abort(conn.client)
            if conn.server is not None:
                _abort(conn.server)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _wake(self) -> None:
        """Wake every pump waiting in a stall so it looks at the new mode."""
        assert self._changed is not None
        self._changed.set()
        self._changed = asyncio.Event()

    def _fired(self) -> None:
        with self._lock:
            self.faults += 1

    async def _until_unstalled(self) -> None:
        while self.mode.name == "stall":
            assert self._changed is not None
            await self._changed.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.connections += 1
        conn = _Conn(writer)
        self._conns.add(conn)
        try:
            if self.mode.name == "stall" and not self.mode.in_literal:
                self._fired()
                await self._until_unstalled()
            try:
                up_reader, conn.server = await asyncio.open_connection(*self.target)
            except OSError:
                return
            _nodelay(writer)
            _nodelay(conn.server)
            await _first_done(
                self._upstream(reader, conn),
                self._downstream(up_reader, conn),
            )
        finally:
            self._conns.discard(conn)
            _close(writer)
            if conn.server is not None:
                _close(conn.server)

    async def _upstream(self, reader: asyncio.StreamReader, conn: _Conn) -> None:
        """Client -> server: forwarded as is (stalled too, when the mode says so)."""
        assert conn.server is not None
        while data := await reader.read(CHUNK):
            if self.mode.name == "stall" and not self.mode.in_literal:
                await self._until_unstalled()
            conn.server.write(data)
            await conn.server.drain()

    async def _downstream(self, reader: asyncio.StreamReader, conn: _Conn) -> None:
        """Server -> client: where every fault happens."""
        while data := await reader.read(CHUNK):
            if not await self._deliver(data, conn):
                return

    async def _deliver(self, data: bytes, conn: _Conn) -> bool:
        """Send one chunk under the current mode; False when the connection was broken."""
        mode = self.mode
        if mode.name == "stall" and not mode.in_literal:
            await self._until_unstalled()
            return await self._deliver(data, conn)
        if mode.name in ("reset", "stall"):
            at = conn.scanner.feed(data, want_middle=True)
            if at is not None:
                await self._send(conn, data[:at])
                if mode.name == "reset":
                    await asyncio.sleep(SETTLE_SECONDS)
                    self._fired()
                    _reset(conn.client)
                    return False
                self._fired()
                self.mode = Mode("stall")  # from here on, nothing moves
                await self._until_unstalled()
                conn.scanner.feed(data[at:])
                await self._send(conn, data[at:])
                return True
            await self._send(conn, data)
            return True
        conn.scanner.feed(data)
        if mode.name == "cut":
            room = mode.after - conn.sent
            if room < len(data):
                await self._send(conn, data[: max(room, 0)])
                self._fired()
                return False
        if mode.name == "trickle":
            for i in range(len(data)):
                await self._send(conn, data[i : i + 1])
            return True
        await self._send(conn, data)
        return True

    async def _send(self, conn: _Conn, data: bytes) -> None:
        if not data:
            return
        conn.client.write(data)
        conn.sent += len(data)
        await conn.client.drain()


async def _first_done(*coros: Awaitable[Any]) -> None:
    """Run the two pumps until either side ends, then stop the other."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _abort(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
