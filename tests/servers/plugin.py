"""pytest fixtures for the private Dovecot and SMTP servers.

Registered from tests/conftest.py with `pytest_plugins = ["servers.plugin"]` (tests/ is on
sys.path there). When Dovecot is missing the IMAP fixtures fail with the install hint, so CI can
never pass by silently skipping the real-server tests; set VENDORWATCH_ALLOW_SKIP_IMAP=1 on a
machine without Dovecot to skip them instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .dovecot import Dovecot, DovecotNotFound, find_dovecot
from .smtp import SmtpServer

ALLOW_SKIP_ENV = "VENDORWATCH_ALLOW_SKIP_IMAP"
DOVECOT_FIXTURES = frozenset(
    {"dovecot", "dovecot_session", "dovecot_ssl", "dovecot_starttls", "dovecot_tls"}
)


def require_dovecot() -> str:
    """The dovecot binary; if missing, fail the test (or skip it, if the env var allows)."""
    try:
        return find_dovecot()
    except DovecotNotFound as exc:
        if os.environ.get(ALLOW_SKIP_ENV) == "1":
            pytest.skip(str(exc))
        pytest.fail(f"{exc} (or set {ALLOW_SKIP_ENV}=1 to skip)", pytrace=False)


def new_dovecot(tls: str = "none", root: Path | None = None) -> Dovecot:
    """A configured, not yet started Dovecot, for tests that need one the fixtures don't give."""
    require_dovecot()
    return Dovecot(root=root, tls=tls)



@contextmanager
def seeded_dovecot(messages: int, seed: int, owner: str) -> Iterator[Dovecot]:
    """A started private Dovecot holding `messages` generated ones as a mailbox holds them
    (the owner's in Sent, the rest in INBOX); stopped and removed afterwards."""
    bench = str(Path(__file__).resolve().parents[2] / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    import mailgen

    dovecot = new_dovecot()
    try:
        dovecot.start()
        inbox, sent = mailgen.by_folder(messages, seed=seed, owner=owner)
        dovecot.append_many("INBOX", inbox)
        dovecot.append_many("Sent", sent)
        yield dovecot
    finally:
        dovecot.cleanup()

def _serve(tls: str) -> Iterator[Dovecot]:
    server = new_dovecot(tls)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A fresh server (plaintext, LOGIN allowed) for one test: mail and state are its own."""
    yield from _serve("none")


@pytest.fixture(scope="session")
def dovecot_session() -> Iterator[Dovecot]:
    """One server shared by the whole run, for tests that only read or use their own folders.

    Tests must create uniquely named folders (e.g. with uuid4) and never stop or restart it.
    """
    yield from _serve("none")


@pytest.fixture
def dovecot_ssl() -> Iterator[Dovecot]:
    """Implicit TLS (imaps) with a fresh CA: clients must trust `dovecot_ssl.ca_file`."""
    yield from _serve("ssl")


@pytest.fixture
def dovecot_starttls() -> Iterator[Dovecot]:
    """Plaintext port with STARTTLS; LOGIN before STARTTLS is refused. Listens on
    `dovecot_starttls.host` (127.0.0.2 on Linux: see servers/dovecot.py for why)."""
    yield from _serve("starttls")


@pytest.fixture(params=["ssl", "starttls"])
def dovecot_tls(request: pytest.FixtureRequest) -> Iterator[Dovecot]:
    """Runs the test once per TLS mode; `dovecot_tls.tls` says which."""
    yield from _serve(request.param)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server (no AUTH, no TLS) collecting mail in `smtp_server.messages`."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SmtpServer]]:
    """Make started SMTP servers with options, e.g. `factory(username="u", password="p",
    starttls=True)`; all are stopped after the test."""
    servers: list[SmtpServer] = []

    def make(**options: Any) -> SmtpServer:
        server = SmtpServer(**options)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.cleanup()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a Dovecot fixture `imap`, so `-m "not imap"` leaves them out."""
    for item in items:
        if DOVECOT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.imap)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failed test, attach the end of each server's Dovecot log to the report: the
    server's side of a protocol error is usually the quickest explanation."""
    report = yield
    if report.when == "call" and report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, Dovecot):
                report.sections.append((f"dovecot log ({name})", value.log_tail()))
    return report
