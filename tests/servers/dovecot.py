"""A private Dovecot IMAP server on 127.0.0.1, for tests and benchmarks.

The sync code is tested against a real server because the things that break sync in practice
(UIDVALIDITY changes, special-use folders, TLS, IDLE timing, literal handling) are exactly what a
mock gets wrong. Each `Dovecot` has its own config file, base_dir, log and maildir, so it never
touches /etc/dovecot or a system instance, and many can run side by side.

Also imported by bench/ scripts: no pytest in this module.

Facts about running it here (see /work/shared/TESTING-NOTES.md):
- mail processes must not run as root: as root the one passwd-file user is `nobody`, and the
  mail store sits under a directory made with mode 0711 so that user can reach it;
- unix socket paths over ~100 characters fail, so base_dir is kept short under /tmp;
- the master is run in the foreground (`-F`) as our own child with its output sent to a file,
  so it cannot hang us through a pipe and stop() can wait for the exact process;
- APPEND into a folder that is not selected gets slower as it grows: `append_many` selects first;
- Dovecot 2.3 counts a connection whose remote IP equals its local IP as "secured", so on
  127.0.0.1 -> 127.0.0.1 `ssl = required` never refuses a plaintext LOGIN. The "starttls" server
  therefore listens on 127.0.0.2 (clients still come from 127.0.0.1 on Linux): always connect to
  `server.host`, never to a hard-coded 127.0.0.1.
"""

from __future__ import annotations

import atexit
import ctypes
import email.parser
import email.policy
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient

from .certs import make_certificates

TLS_MODES = ("none", "ssl", "starttls")
INSTALL_HINT = "dovecot not found: apt-get install dovecot-imapd"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
MAX_BASE_DIR_LEN = 60  # + the longest socket name stays well under the ~108-byte sun_path limit
APPEND_BATCH = 500  # messages per MULTIAPPEND command
LOOPBACK = "127.0.0.1"
# Another loopback address, so the client's address differs from the server's (see above).
LOOPBACK_ALIAS = "127.0.0.2"
DH_FILE = Path("/usr/share/dovecot/dh.pem")
MESSAGE_ID_ITEM = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")


class DovecotNotFound(RuntimeError):
    """The dovecot binary is not installed; the message says how to install it."""


class DovecotError(RuntimeError):
    """The server failed to start, stop or answer; the message includes the log tail."""


def find_dovecot() -> str:
    """Path of the dovecot binary; /usr/sbin is searched too since a user's PATH often lacks it."""
    found = shutil.which("dovecot") or shutil.which(
        "dovecot", path="/usr/sbin:/usr/local/sbin:/sbin"
    )
    if not found:
        raise DovecotNotFound(INSTALL_HINT)
    return found


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on `host` that nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def can_bind(host: str) -> bool:
    """False where only 127.0.0.1 is configured (e.g. macOS), not the whole 127/8 (Linux)."""
    try:
        free_port(host)
    except OSError:
        return False
    return True


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class MailOwner:
    """The unix identity Dovecot runs mail processes (and, unprivileged, everything) as."""

    name: str
    group: str
    uid: int
    gid: int
    privileged: bool  # we are root: Dovecot drops to this user, services keep their defaults


def mail_owner() -> MailOwner:
    """`nobody` when root (Dovecot refuses root mail processes), else the current user."""
    if os.geteuid() == 0:
        user = pwd.getpwnam("nobody")
        group = _group_named("nogroup", "nobody")
        return MailOwner(user.pw_name, group.gr_name, user.pw_uid, group.gr_gid, True)
    user = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(os.getegid())
    return MailOwner(user.pw_name, group.gr_name, user.pw_uid, group.gr_gid, False)


def _group_named(*names: str) -> grp.struct_group:
    for name in names:
        try:
            return grp.getgrnam(name)
        except KeyError:
            continue
    raise DovecotError(f"none of the groups {', '.join(names)} exists for the mail user")


class Dovecot:
    """One private Dovecot instance: one user, maildir, optional TLS, on a free local port.

    `root` is where its state directory is created (default /tmp); as root every directory on
    the way there must be searchable by `nobody`, which pytest's tmp root (0700) is not.

    `login_requires_tls` says whether a LOGIN before TLS is refused: true for "ssl" and, where
    127.0.0.2 exists, for "starttls" (which then listens there: see the module docstring).
    """

    user = "owner@test.example"
    password = "secret-pw-123"
    root: Path  # this instance's state directory (config, passwd, log, certs, mail)
    base_dir: Path  # Dovecot's sockets and pid file

    def __init__(self, root: Path | None = None, tls: str = "none") -> None:
        if tls not in TLS_MODES:
            raise ValueError(f"tls must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        self.tls = tls
        self.host = LOOPBACK
        self.login_requires_tls = tls == "ssl"
        if tls == "starttls" and can_bind(LOOPBACK_ALIAS):
            self.host, self.login_requires_tls = LOOPBACK_ALIAS, True
        self.port = 0
        self.ca_file: str | None = None
        self._binary = find_dovecot()
        self._owner = mail_owner()
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin_client: IMAPClient | None = None
        self._temp_dirs: list[Path] = []
        try:
            self._prepare(root)
        except BaseException:
            self.cleanup()  # no half-made temp dirs left behind
            raise

    def _prepare(self, root: Path | None) -> None:
        """Everything on disk a start() needs except the config (which depends on the port)."""
        self.root = self._make_state_dir(root)
        self.base_dir = self._make_base_dir()
        hosts = tuple(dict.fromkeys((self.host, LOOPBACK, "localhost")))
        self._certs = make_certificates(self.root / "tls", hosts) if self.tls != "none" else None
        if self._certs:
            self.ca_file = str(self._certs.ca_file)
        self._prepare_mail_home()
        self._write_passwd()

    # -- paths -------------------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        """Dovecot's own log (errors and info); the first place to look when a test fails."""
        return self.root / "dovecot.log"

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def mail_home(self) -> Path:
        """The user's home; the maildir is `mail_home / "Maildir"`."""
        return self.root / "mail" / "owner"

    @property
    def instance_name(self) -> str:
        """In the process titles (`dovecot-vw-dc-xxxx/imap`), so strays are easy to find."""
        return self.root.name

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Dovecot:
        """Start the master and return once the port gives an IMAP greeting."""
        if self.running:
            return self
        if not self.port:
            self.port = free_port(self.host)
        self.config_path.write_text(self._config_text())
        with open(self._startup_log, "wb") as out:
            # -F: the master stays our child, so stop() can wait for it; output to a file, never
            # a pipe, because Dovecot's processes keep it open.
            self._proc = subprocess.Popen(
                [self._binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                close_fds=True,
                preexec_fn=_die_with_parent(),
            )
        _RUNNING.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, graceful: bool = False) -> None:
        """Stop the master and wait until its processes are gone and the port is closed.

        By default the master gets SIGKILL: its children see it gone and exit by themselves
        within milliseconds, closing client connections. A SIGTERM'd master (`graceful=True`)
        does the same but then sleeps a fixed second, which adds up over hundreds of tests.
        Safe to call twice (a test may stop the server to see "connection refused" and the
        fixture stops it again).
        """
        self._close_admin()
        proc, self._proc = self._proc, None
        _RUNNING.discard(self)
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._wait_processes_gone()
        self._wait_port_closed()

    def restart(self, graceful: bool = False) -> Dovecot:
        """Stop, then start on the same port with the same mail (for reconnect tests)."""
        self.stop(graceful)
        return self.start()

    def cleanup(self) -> None:
        """Stop the server and remove every directory it created."""
        self.stop()
        for path in reversed(self._temp_dirs):
            shutil.rmtree(path, ignore_errors=True)
        self._temp_dirs.clear()

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Dovecot {self.host}:{self.port} tls={self.tls} {state} root={self.root}>"

    # -- clients -----------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this server's CA (and checks the host name)."""
        if not self.ca_file:
            raise DovecotError("this server was started with tls='none': it has no CA")
        return ssl.create_default_context(cafile=self.ca_file)

    def connect(self, login: bool = True, timeout: float = 10.0) -> IMAPClient:
        """A new imapclient connection, TLS per mode verified against `ca_file`; caller closes."""
        if self.tls == "ssl":
            client = IMAPClient(
                self.host, self.port, ssl=True, ssl_context=self.ssl_context(), timeout=timeout
            )
        else:
            client = IMAPClient(self.host, self.port, ssl=False, timeout=timeout)
            if self.tls == "starttls":
                client.starttls(self.ssl_context())
        if login:
            client.login(self.user, self.password)
        return client

    # -- admin helpers (their own connection, never the code under test) ---------------------

    def append(
        self,
        folder: str,
        raw: bytes,
        flags: Iterable[str | bytes] = (),
        msg_time: datetime | None = None,
    ) -> int:
        """APPEND one message; returns its UID (from the UIDPLUS APPENDUID response)."""
        response = self._admin().append(folder, raw, tuple(flags), msg_time)
        return _appenduids(response)[0]

    def append_many(self, folder: str, raws: Iterable[bytes]) -> list[int]:
        """APPEND many messages fast; returns their UIDs in order.

        One MULTIAPPEND (with LITERAL+, so no round trip per message) per 500 messages runs at
        ~2,000-17,000 small messages/s here (disk-bound, noisy), against a few hundred for one
        APPEND each, which also slows as the folder grows. The folder is EXAMINEd first, as
        TESTING-NOTES advises for seeding; read-only so no flag (not even \\Recent) is touched.
        """
        client = self._admin()
        client.select_folder(folder, readonly=True)
        uids: list[int] = []
        for batch in _batches(raws, APPEND_BATCH):
            typ, data = client.multiappend(folder, batch)
            if typ != "OK":
                raise DovecotError(f"APPEND to {folder} failed: {typ} {data!r}")
            uids.extend(_appenduids(data[0]))
        return uids

    def create_folder(self, name: str) -> None:
        """CREATE and SUBSCRIBE, like a mail client making a folder."""
        client = self._admin()
        client.create_folder(name)
        client.subscribe_folder(name)

    def delete_folder(self, name: str, missing_ok: bool = False) -> None:
        """DELETE a folder with its mail (an error if it does not exist, unless `missing_ok`).

        Re-creating it gives a new UIDVALIDITY even within the same second: Dovecot takes
        max(now, last + 1) from a per-user `dovecot-uidvalidity` counter (checked by
        test_servers.py), so no sleep is needed.
        """
        client = self._admin()
        if missing_ok and not client.folder_exists(name):
            return
        client.select_folder("INBOX", readonly=True)  # never delete the selected folder
        client.unsubscribe_folder(name)
        client.delete_folder(name)

    def folders(self) -> list[str]:
        return [name for _flags, _sep, name in self._admin().list_folders()]

    def uidvalidity(self, folder: str) -> int:
        status = self._admin().folder_status(folder, [b"UIDVALIDITY"])
        return int(status[b"UIDVALIDITY"])

    def uids(self, folder: str) -> list[int]:
        client = self._admin()
        client.select_folder(folder, readonly=True)
        return sorted(client.search("ALL"))

    def flags(self, folder: str) -> dict[int, tuple[str, ...]]:
        """UID -> sorted flags, read with EXAMINE so reading changes nothing.

        `\\Recent` is left out: it is per session (the first one to look gets it), so it would
        make two otherwise identical snapshots differ.
        """
        client = self._admin()
        uids = self.uids(folder)
        if not uids:
            return {}
        fetched = client.fetch(uids, ["FLAGS"])
        return {uid: _clean_flags(data[b"FLAGS"]) for uid, data in sorted(fetched.items())}

    def message_ids(self, folder: str) -> list[str]:
        """Message-IDs in UID order, without angle brackets (as vendorwatch stores them);
        messages without one are left out."""
        client = self._admin()
        uids = self.uids(folder)
        if not uids:
            return []
        fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        found = (_message_id(fetched[uid][MESSAGE_ID_ITEM]) for uid in sorted(fetched))
        return [ident for ident in found if ident]

    # -- internals ---------------------------------------------------------------------------

    @property
    def _startup_log(self) -> Path:
        return self.root / "startup.log"

    def _make_state_dir(self, root: Path | None) -> Path:
        """A fresh 0711 directory: others may pass through to the mail store but not list it."""
        parent = Path(root) if root is not None else Path("/tmp")
        parent.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix="vw-dc-", dir=parent))
        path.chmod(0o711)
        self._temp_dirs.append(path)
        if self._owner.privileged:
            _check_searchable(path, self._owner)
        return path

    def _make_base_dir(self) -> Path:
        """Sockets live here; a deep `root` gets a separate short directory under /tmp."""
        inside = self.root / "run"
        if len(str(inside)) <= MAX_BASE_DIR_LEN:
            return inside
        path = Path(tempfile.mkdtemp(prefix="vw-dc-run-", dir="/tmp"))
        path.chmod(0o755)
        self._temp_dirs.append(path)
        return path

    def _prepare_mail_home(self) -> None:
        for path in (self.mail_home.parent, self.mail_home):
            path.mkdir(mode=0o700)
            os.chown(path, self._owner.uid, self._owner.gid)

    def _write_passwd(self) -> None:
        """passwd-file: user:{PLAIN}password:uid:gid::home. Readable by Dovecot's auth process,
        which runs as the `dovecot` user when we are root."""
        line = (
            f"{self.user}:{{PLAIN}}{self.password}:{self._owner.uid}:{self._owner.gid}"
            f"::{self.mail_home}::\n"
        )
        passwd = self.root / "passwd"
        passwd.write_text(line)
        passwd.chmod(0o644)

    def _config_text(self) -> str:
        parts = [
            _general_settings(self),
            _ssl_settings(self),
            _auth_settings(self.root / "passwd"),
            _mail_settings(),
            _listener_settings(self.tls, self.host, self.port),
            _unprivileged_settings(self._owner),
        ]
        return "\n".join(part for part in parts if part)

    def _wait_ready(self) -> None:
        """Poll until the port sends `* OK` (through TLS in ssl mode), or fail with the log."""
        deadline = time.monotonic() + START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                code = self._proc.returncode if self._proc else None
                raise DovecotError(f"dovecot exited with status {code} on start\n{self.log_tail()}")
            try:
                greeting = self._read_greeting()
                if greeting.startswith(b"* OK"):
                    return
                last_error = DovecotError(f"unexpected greeting {greeting!r}")
            except OSError as exc:  # includes ssl.SSLError
                last_error = exc
            time.sleep(0.02)
        raise DovecotError(
            f"dovecot did not greet on {self.host}:{self.port} within {START_TIMEOUT:.0f} s "
            f"({last_error})\n{self.log_tail()}"
        )

    def _read_greeting(self) -> bytes:
        with socket.create_connection((self.host, self.port), timeout=2) as sock:
            if self.tls == "ssl":
                with self.ssl_context().wrap_socket(sock, server_hostname=self.host) as tls:
                    return tls.recv(512)
            return sock.recv(512)

    def log_tail(self, lines: int = 25) -> str:
        """The end of the startup output and of the log, for error messages."""
        chunks = []
        for path in (self._startup_log, self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                if text:
                    chunks.append(f"--- {path} ---\n" + "\n".join(text))
        return "\n".join(chunks) or f"(no output in {self.log_path})"

    def _wait_processes_gone(self) -> None:
        """Children exit once the master is gone; wait so no stray outlives stop()."""
        deadline = time.monotonic() + STOP_TIMEOUT
        while _instance_pids(self.instance_name) and time.monotonic() < deadline:
            time.sleep(0.02)
        for pid in _instance_pids(self.instance_name):  # still there: it won't go by itself
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _wait_port_closed(self) -> None:
        deadline = time.monotonic() + STOP_TIMEOUT
        while port_open(self.host, self.port):
            if time.monotonic() > deadline:
                raise DovecotError(f"port {self.port} still accepts after stop\n{self.log_tail()}")
            time.sleep(0.02)

    def _admin(self) -> IMAPClient:
        if not self.running:
            raise DovecotError("the server is not running: call start() first")
        if self._admin_client is None:
            self._admin_client = self.connect()
        return self._admin_client

    def _close_admin(self) -> None:
        client, self._admin_client = self._admin_client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # the server may already be gone; nothing to clean up then
            try:
                client.shutdown()
            except Exception:
                pass


# -- config sections ---------------------------------------------------------------------------


def _general_settings(server: Dovecot) -> str:
    return f"""\
# Generated by tests/servers/dovecot.py for one private test instance.
instance_name = {server.instance_name}
base_dir = {server.base_dir}
state_dir = {server.root / "state"}
protocols = imap
listen = {server.host}
log_path = {server.log_path}
info_log_path = {server.log_path}
debug_log_path = {server.log_path}
log_timestamp = "%Y-%m-%d %H:%M:%S "
# Lets the log show which login was refused and why.
auth_verbose = yes
# A wrong-password test would otherwise wait the default 2 s per attempt.
auth_failure_delay = 0
first_valid_uid = 1
first_valid_gid = 1
"""


def _ssl_settings(server: Dovecot) -> str:
    """ "none": no TLS, plaintext LOGIN allowed. Else TLS is required before any LOGIN."""
    if server.tls == "none":
        return "ssl = no\ndisable_plaintext_auth = no\n"
    assert server._certs is not None
    lines = [
        "ssl = required",
        "disable_plaintext_auth = yes",
        f"ssl_cert = <{server._certs.cert_file}",
        f"ssl_key = <{server._certs.key_file}",
    ]
    if DH_FILE.exists():
        lines.append(f"ssl_dh = <{DH_FILE}")
    return "\n".join(lines) + "\n"


def _auth_settings(passwd: Path) -> str:
    return f"""\
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
"""


def _mail_settings() -> str:
    r"""Maildir with the usual special-use folders; Archive and All Mail are known (so they get
    their \Archive / \All flag) but only exist once a test creates them.

    LAYOUT=fs + DIRNAME: the default Maildir++ layout refuses '.' in folder names and plain fs
    layout refuses folders named cur/new/tmp; real servers accept both ("Vendors.2026").
    """
    return r"""mail_location = maildir:~/Maildir:LAYOUT=fs:DIRNAME=.maildir
# Tests never need crash safety; fsync only makes seeding slower.
mail_fsync = never
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    auto = subscribe
    special_use = \Drafts
  }
  mailbox Sent {
    auto = subscribe
    special_use = \Sent
  }
  mailbox Trash {
    auto = subscribe
    special_use = \Trash
  }
  mailbox Archive {
    special_use = \Archive
  }
  mailbox "All Mail" {
    special_use = \All
  }
}
protocol imap {
  # Tests open several connections at once (admin, IDLE, the daemon); the default is 10.
  mail_max_userip_connections = 100
  # Dovecot's default: the "still here" keepalive during IDLE, not the new-mail delay.
  imap_idle_notify_interval = 2 mins
}
"""


def _listener_settings(tls: str, host: str, port: int) -> str:
    """Exactly one listener: imaps for "ssl", plain imap (maybe with STARTTLS) otherwise."""
    imap_port, imaps_port = (0, port) if tls == "ssl" else (port, 0)
    return f"""\
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
  }}
}}
"""


def _unprivileged_settings(owner: MailOwner) -> str:
    """Run as a normal user: every service as that user, and no chroot (needs root)."""
    if owner.privileged:
        return ""
    return f"""\
default_internal_user = {owner.name}
default_internal_group = {owner.group}
default_login_user = {owner.name}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


# -- small helpers -----------------------------------------------------------------------------


def _check_searchable(path: Path, owner: MailOwner) -> None:
    """As root, Dovecot reads the mail as `owner`: every parent must let it pass (o+x)."""
    for parent in path.parents:
        st = parent.stat()
        if st.st_uid != owner.uid and not st.st_mode & 0o001:
            raise DovecotError(
                f"{parent} (mode {st.st_mode & 0o777:o}) is not searchable by {owner.name}: "
                "use a root under /tmp or a directory with o+x"
            )


def _appenduids(response: bytes) -> list[int]:
    """UIDs from an APPENDUID response code, e.g. b'[APPENDUID 1700000000 4:6] ...' -> [4,5,6]."""
    match = _APPENDUID.search(response)
    if not match:
        raise DovecotError(f"no APPENDUID in the APPEND response {response!r}")
    uids: list[int] = []
    for part in match[2].decode().split(","):
        first, _, last = part.partition(":")
        uids.extend(range(int(first), int(last or first) + 1))
    return uids


def _batches(items: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _clean_flags(flags: Iterable[bytes | str]) -> tuple[str, ...]:
    names = (f.decode() if isinstance(f, bytes) else f for f in flags)
    return tuple(sorted(name for name in names if name.lower() != "\\recent"))


def _message_id(header_block: bytes) -> str | None:
    parsed = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(header_block)
    value = str(parsed.get("Message-ID") or "").strip()
    match = re.search(r"<([^<>\s]+)>", value)
    return match[1] if match else (value.strip("<>") or None)


def _instance_pids(instance: str) -> list[int]:
    """Live pids of this instance's children: Dovecot titles them `dovecot-NAME/imap` etc."""
    prefixes = (f"dovecot-{instance}/".encode(), f"{instance}/".encode())
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[-1].split()[0]
        except OSError:
            continue
        if cmdline.startswith(prefixes) and state != b"Z":
            pids.append(int(entry.name))
    return pids


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes the kernel SIGKILL the master when we die, even by SIGKILL (a CI
    timeout), which atexit cannot cover; its children then exit by themselves. Linux only, and
    only from the main thread: PR_SET_PDEATHSIG fires when the starting *thread* exits."""
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return preexec


# Servers still running when the interpreter exits (a bench script that crashed, a test run that
# was interrupted) are stopped here, so no master outlives its creator.
_RUNNING: set[Dovecot] = set()


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        try:
            server.cleanup()
        except Exception:
            pass
