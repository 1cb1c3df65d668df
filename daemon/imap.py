"""The IMAP source: read-only access to one account's folders with imapclient.

Folders are opened with EXAMINE and bodies fetched with BODY.PEEK, so a sync never sets
\\Seen or any other flag. Every socket operation has a timeout; every failure becomes a
one-line `SourceError` that names the account and what happened.
"""

from __future__ import annotations

import imaplib
import logging
import select
import socket
import ssl
from dataclasses import dataclass

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import SENT

from .config import Account
from .errors import SecretError, SourceError
from .secrets import oauth2_token, password
from .sources import TRUNCATED_BODY_BYTES, Location, RawMessage, truncation_note

log = logging.getLogger(__name__)

SENT_FALLBACKS = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Sent Mail",
    "[Gmail]/Sent Mail",
    "INBOX.Sent",
    "Gesendet",
    "Gesendete Elemente",
    "Envoyés",
    "Enviados",
)
NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError, EOFError)


class LoginRefused(SourceError):
    """The server refused the credentials: retrying soon would only risk locking the account."""


@dataclass(frozen=True)
class FolderInfo:
    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


class ImapSource:
    """One connection to one account; `folder` methods act on the folder last examined."""

    def __init__(self, account: Account, max_message_bytes: int):
        self.account = account
        self.max_message_bytes = max_message_bytes
        self.client: imapclient.IMAPClient | None = None
        self.current: FolderInfo | None = None

    @property
    def who(self) -> str:
        return f"account {self.account.name} ({self.account.host}:{self.account.port})"

    def connect(self) -> None:
        account = self.account
        context = ssl_context(account.ca_file)
        try:
            client = imapclient.IMAPClient(
                account.host,
                port=account.port,
                ssl=account.tls == "ssl",
                ssl_context=context,
                timeout=account.timeout,
            )
        except NETWORK_ERRORS as exc:
            raise SourceError(f"{self.who}: cannot connect: {describe(exc)}") from None
        self.client = client
        try:
            if account.tls == "starttls":
                if not client.has_capability("STARTTLS"):
                    raise SourceError(
                        f"{self.who}: server does not offer STARTTLS; refusing "
                        "to log in without TLS"
                    )
                client.starttls(context)
            self._login(client)
        except SourceError:
            self.close()
            raise
        except (SecretError, LoginError) as exc:
            if isinstance(exc, SecretError):
                self.close()
                raise
            if lost_connection(exc):  # imapclient wraps a dropped line in LoginError too
                self._drop()
                raise SourceError(
                    f"{self.who}: connection lost while logging in: {describe(exc)}"
                ) from None
            self.close()
            raise LoginRefused(
                f"{self.who}: login refused for {account.username}: {describe(exc)}"
            ) from None
        except NETWORK_ERRORS as exc:
            self._drop()
            raise SourceError(f"{self.who}: {describe(exc)}") from None

    def _login(self, client: imapclient.IMAPClient) -> None:
        who = f"accounts[{self.account.name}]"
        token = oauth2_token(self.account.secret, who)
        if token:
            client.oauth2_login(self.account.username, token)
        else:
            client.login(
                self.account.username, password(self.account.secret, who, self.account.username)
            )

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone
            try:
                self.client.shutdown()
            except Exception:
                pass
        self.client = None

    def _drop(self) -> None:
        """Forget a connection that failed mid-command, without LOGOUT: the line is broken
        or stalled, so a polite goodbye would only wait out another timeout."""
        client, self.client = self.client, None
        if client is not None:
            try:
                client.shutdown()
            except Exception:
                pass

    def _failed(self, what: str, exc: BaseException) -> SourceError:
        """The one-line error for a failed command. A broken line is dropped, so callers see
        `client is None` and stop; a server's NO to one command keeps the connection."""
        if lost_connection(exc):
            self._drop()
        return SourceError(f"{self.who}: {what}: {describe(exc)}")

    def __enter__(self) -> ImapSource:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require(self) -> imapclient.IMAPClient:
        if self.client is None:
            raise SourceError(f"{self.who}: not connected")
        return self.client

    # -- IDLE (RFC 2177), for `vendorwatch run` ------------------------------------------

    def has_idle(self) -> bool:
        """Whether the server offers IDLE; without it `run` polls the folder instead."""
        try:
            return bool(self._require().has_capability("IDLE"))
        except NETWORK_ERRORS as exc:
            raise self._failed("capability check failed", exc) from None

    def idle_start(self) -> None:
        """Enter IDLE on the examined folder: the server then announces new mail itself."""
        try:
            self._require().idle()
        except NETWORK_ERRORS as exc:
            raise self._failed("cannot start IDLE", exc) from None

    def idle_wait(self, timeout: float) -> bool:
        """Wait in IDLE up to `timeout` s; True when the server announced new messages.

        Short timeouts let the caller notice a stop request. A readable socket without a
        complete response (a closed connection, or bytes imaplib already read ahead) is
        settled by leaving and re-entering IDLE: a dead connection raises there instead of
        looking like silence forever.
        """
        client = self._require()
        try:
            if _read_ahead(client):
                return self._reenter(client)
            if not _readable(client.socket(), timeout):
                return False
            responses = client.idle_check(timeout=0)
            if not responses:
                return self._reenter(client)
        except NETWORK_ERRORS as exc:
            raise self._failed("connection lost in IDLE", exc) from None
        return self._news(responses)

    def idle_done(self) -> bool:
        """Leave IDLE; True when the responses since the last wait announced new mail."""
        try:
            _, responses = self._require().idle_done()
        except NETWORK_ERRORS as exc:
            raise self._failed("connection lost in IDLE", exc) from None
        return self._news(responses)

    def _reenter(self, client: imapclient.IMAPClient) -> bool:
        _, responses = client.idle_done()
        news = self._news(responses)
        client.idle()
        return news

    def announced_exists(self) -> int | None:
        """The examined folder's message count as the server last announced it.

        A message that arrives during a sync is announced (`* N EXISTS`) in the response
        to whatever command runs then, e.g. a SEARCH that did not include it yet;
        imapclient keeps such lines without acting on them, and IDLE will not announce
        the message again. Comparing this count with the one before the sync tells the
        caller to look once more before it goes back into IDLE.
        """
        client = self._require()
        untagged = getattr(getattr(client, "_imap", None), "untagged_responses", None) or {}
        counts = [
            int(v) for v in untagged.get("EXISTS", []) if isinstance(v, bytes) and v.isdigit()
        ]
        if counts:
            return counts[-1]
        return self.current.exists if self.current is not None else None

    def _news(self, responses: list) -> bool:
        """True when IDLE responses announce new mail (EXISTS); a BYE drops the connection."""
        bye = _bye_text(responses)
        if bye is not None:
            self._drop()
            raise SourceError(f"{self.who}: the server logged out: {bye}".rstrip(": "))
        return any(len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    def folders(self) -> list[str]:
        """The folders to sync: the configured ones, or INBOX and the \\Sent folder."""
        if self.account.folders:
            return list(self.account.folders)
        client = self._require()
        chosen = ["INBOX"]
        try:
            # SPECIAL-USE \\Sent first; imapclient then tries the usual names
            sent = client.find_special_folder(SENT)
            if not sent:
                names = {name for _, _, name in client.list_folders()}
                sent = next((n for n in SENT_FALLBACKS if n in names), None)
        except NETWORK_ERRORS as exc:
            raise self._failed("cannot list folders", exc) from None
        if sent and sent not in chosen:
            chosen.append(sent)
        return chosen

    def examine(self, folder: str) -> FolderInfo:
        """Open a folder read-only (EXAMINE)."""
        client = self._require()
        try:
            info = client.select_folder(folder, readonly=True)
        except NETWORK_ERRORS as exc:
            raise self._failed(f"cannot open folder {folder!r}", exc) from None
        self.current = FolderInfo(
            name=folder,
            uidvalidity=int(info.get(b"UIDVALIDITY", 0)),
            uidnext=int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None,
            exists=int(info.get(b"EXISTS", 0)),
        )
        return self.current

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above `last_uid` in the examined folder, ascending."""
        client = self._require()
        if self.current is not None and self.current.exists == 0:
            return []
        try:
            found = client.search(["UID", f"{last_uid + 1}:*"])
        except NETWORK_ERRORS as exc:
            raise self._failed("search failed", exc) from None
        # "N:*" matches the highest UID even when it is below N
        return sorted(uid for uid in found if uid > last_uid)

    def split(self, uids: list[int], budget: int) -> list[list[int]]:
        """`uids` in runs whose messages add up to at most `budget` bytes (a bigger one
        alone), so a folder of large attachments is never fetched a whole batch at once."""
        client = self._require()
        try:
            sizes = client.fetch(uids, ["RFC822.SIZE"])
        except NETWORK_ERRORS as exc:
            raise self._failed("fetch of message sizes failed", exc) from None
        runs: list[list[int]] = []
        run: list[int] = []
        total = 0
        for uid in uids:
            cost = min(_size(sizes, uid), self.max_message_bytes)  # oversized: read in part
            if run and total + cost > budget:
                runs.append(run)
                run, total = [], 0
            run.append(uid)
            total += cost
        if run:
            runs.append(run)
        return runs

    def fetch(self, uids: list[int]) -> list[RawMessage]:
        """Fetch a batch with BODY.PEEK; oversized messages only up to the cap."""
        client = self._require()
        folder = self.current
        assert folder is not None, "examine() a folder first"
        try:
            sizes = client.fetch(uids, ["RFC822.SIZE"])
            small = [u for u in uids if _size(sizes, u) <= self.max_message_bytes]
            large = [u for u in uids if _size(sizes, u) > self.max_message_bytes]
            bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
            parts = (
                client.fetch(
                    large, ["BODY.PEEK[HEADER]", f"BODY.PEEK[TEXT]<0.{TRUNCATED_BODY_BYTES}>"]
                )
                if large
                else {}
            )
        except NETWORK_ERRORS as exc:
            raise self._failed(f"fetch from {folder.name!r} failed", exc) from None
        messages = []
        for uid in uids:
            location = Location(self.account.name, folder.name, folder.uidvalidity, str(uid))
            size = _size(sizes, uid)
            if uid in bodies:
                raw = bodies[uid].get(b"BODY[]") or b""
                messages.append(RawMessage(location, raw, size or len(raw)))
            elif uid in parts:
                data = parts[uid]
                body = next((v for k, v in data.items() if k.startswith(b"BODY[TEXT]")), b"")
                raw = (data.get(b"BODY[HEADER]") or b"") + (body or b"")
                messages.append(
                    RawMessage(location, raw, size, truncation_note(size, self.max_message_bytes))
                )
            # a UID that vanished between SEARCH and FETCH (expunged) is simply absent
        return messages


def _readable(sock: socket.socket, timeout: float) -> bool:
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True  # decrypted bytes wait inside the TLS layer: select() cannot see them
    return bool(select.select([sock], [], [], timeout)[0])


def _read_ahead(client: imapclient.IMAPClient) -> bool:
    """Whether imaplib's buffered reader holds unread bytes (e.g. an EXISTS that arrived in
    the same packet as the IDLE continuation), which the socket no longer shows."""
    reader = getattr(getattr(client, "_imap", None), "file", None)
    if reader is None or not hasattr(reader, "peek"):
        return False
    sock = client.socket()
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return bool(reader.peek(1))
    except OSError:  # nothing buffered and nothing on the wire (would block)
        return False
    finally:
        sock.settimeout(timeout)


def _bye_text(responses: list) -> str | None:
    """The text of an untagged BYE among IDLE responses (the server is logging us out)."""
    for response in responses:
        if response and response[0] == b"BYE":
            return " ".join(
                w.decode(errors="replace") for w in response[1:] if isinstance(w, bytes)
            )
    return None


def _size(sizes: dict, uid: int) -> int:
    return int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Certificates and host names verified; `ca_file` adds a private CA."""
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise SourceError(f"ca_file {ca_file}: cannot load: {describe(exc)}") from None


def describe(exc: BaseException) -> str:
    """A one-line description of a network or protocol failure, for users."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message}); set ca_file for a private CA"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out waiting for the server"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, socket.gaierror):
        return f"host name lookup failed ({exc.strerror})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, EOFError):
        return "the server closed the connection"
    if "socket error" in str(exc):
        return _socket_error(str(exc))
    text = str(exc).strip()
    if isinstance(exc, bytes):
        text = exc.decode(errors="replace")
    text = text.replace("\r", " ").replace("\n", " ")
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def lost_connection(exc: BaseException) -> bool:
    """True when the line itself failed (reset, closed, timed out, garbled), as opposed to
    the server answering NO or BAD to one command on a healthy connection."""
    if isinstance(exc, OSError | EOFError | imaplib.IMAP4.abort):
        return True
    return "socket error" in str(exc)


def _socket_error(text: str) -> str:
    """imaplib reports a dropped line as text ("socket error: EOF", "... unterminated
    line: b'* OK [CAPABI'"); say what happened instead of echoing half a server line."""
    low = text.lower()
    if "timed out" in low:
        return "timed out waiting for the server"
    if "reset" in low:
        return "connection reset by the server"
    if "eof" in low or "unterminated line" in low:
        return "the server closed the connection"
    return "the connection failed: " + text.split("socket error:", 1)[-1].strip()[:120]
