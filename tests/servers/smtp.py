"""A private SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives in memory.

For testing code that sends mail (alerts, digests) without a relay: a test sends, then asserts
on `server.wait_for(1)[0].message`. Optional AUTH and STARTTLS mirror what a real submission
server asks for. No pytest in this module, so scripts can use it too.
"""

from __future__ import annotations

import email.policy
import logging
import shutil
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from .certs import make_certificates
from .dovecot import LOOPBACK, free_port

# aiosmtpd logs a deprecation of its own internals on every successful AUTH; drop just that.
_NOISE = "Session.login_data is deprecated"


class _DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_NOISE)


logging.getLogger("mail.log").addFilter(_DropNoise())


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the server got it: envelope, raw bytes and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    auth_user: str | None = None  # the AUTH login, when the client authenticated
    message: EmailMessage = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # SMTP delivers CRLF; parsed with LF endings the bodies compare equal to what was sent.
        text = self.content.replace(b"\r\n", b"\n")
        parsed = BytesParser(policy=email.policy.default).parsebytes(text)
        object.__setattr__(self, "message", parsed)


class SmtpServer:
    """aiosmtpd on 127.0.0.1 on a free port; `messages` fills as mail arrives.

    With `username`/`password`, AUTH (PLAIN, LOGIN) is required before MAIL FROM (530 if
    not). With `starttls`, TLS is required first (and AUTH only after it, as on a real server);
    clients verify against `ca_file`. Without STARTTLS, AUTH is allowed in plaintext, which
    aiosmtpd refuses by default (`auth_require_tls`) but loopback tests need; the handler then
    enforces AUTH itself, because aiosmtpd's `auth_required` without TLS warns on every
    connection.
    """

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.host = LOOPBACK
        self.port = 0
        self.username = username
        self.password = password
        self.starttls = starttls
        self.messages: list[ReceivedMessage] = []
        self.ca_file: str | None = None
        self._arrived = threading.Condition()
        self._controller: Controller | None = None
        self._temp_dir: Path | None = None
        self._tls_context = self._make_tls_context() if starttls else None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpServer:
        """Listen on a free port (aiosmtpd's port=0 does not work) and return when ready."""
        if self._controller is not None:
            return self
        if not self.port:
            self.port = free_port(self.host)
        controller = Controller(
            _Collector(self),
            hostname=self.host,
            port=self.port,
            authenticator=self._authenticate if self.username else None,
            auth_required=self.username is not None and self.starttls,
            auth_require_tls=self.starttls,
            tls_context=self._tls_context,
            require_starttls=self.starttls,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; safe to call twice. Received messages stay in `messages`."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def cleanup(self) -> None:
        """Stop and remove the generated certificate directory."""
        self.stop()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        return (
            f"<SmtpServer {self.host}:{self.port} auth={self.username is not None} "
            f"starttls={self.starttls} messages={len(self.messages)}>"
        )

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting exactly this server's CA (for smtplib.starttls)."""
        if not self.ca_file:
            raise RuntimeError("this server was started without starttls: it has no CA")
        return ssl.create_default_context(cafile=self.ca_file)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Block until at least `count` messages arrived; they are delivered asynchronously."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"expected {count} message(s) within {timeout} s, got {len(self.messages)}"
                    )
                self._arrived.wait(left)
            return list(self.messages)

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()

    def _received(self, message: ReceivedMessage) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def _make_tls_context(self) -> ssl.SSLContext:
        self._temp_dir = Path(tempfile.mkdtemp(prefix="vw-smtp-"))
        certs = make_certificates(self._temp_dir)
        self.ca_file = str(certs.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.cert_file, certs.key_file)
        return context


class _Collector:
    """aiosmtpd handler: every accepted DATA becomes a ReceivedMessage on the server."""

    def __init__(self, owner: SmtpServer) -> None:
        self._owner = owner

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self._owner.username and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        self._owner._received(
            ReceivedMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=content,
                auth_user=login.decode() if login else None,
            )
        )
        return "250 Message accepted for delivery"
