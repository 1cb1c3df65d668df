"""Reading and checking the TOML configuration.

Every problem becomes one `ConfigError` naming the file, the key and the fix, because a
daemon that dies with a traceback over a typo in its config does not get run twice.
Unknown keys are errors too: a misspelt key silently ignored is a setting the user
believes in and does not have.
"""

from __future__ import annotations

import ipaddress
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import paths
from .errors import ConfigError

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
TLS_MODES = ("ssl", "starttls", "none")
SECRET_KEYS = (
    "password",
    "password_command",
    "password_env",
    "keyring_service",
    "oauth2_token_command",
)


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Owner:
    name: str = ""
    addresses: tuple[str, ...] = ()
    timezone: str = "UTC"
    working_hours: WorkingHours = WorkingHours(time(9), time(17, 30))
    language: str = "en"

    def today(self) -> date:
        """The owner's local date: what "due today" and "overdue" are measured against."""
        return datetime.now(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class Secret:
    """Where a password or OAuth2 token comes from; never the value itself (except literal)."""

    password: str | None = None
    password_command: str | None = None
    password_env: str | None = None
    keyring_service: str | None = None
    oauth2_token_command: str | None = None

    @property
    def configured(self) -> bool:
        return any(getattr(self, key) for key in SECRET_KEYS)


@dataclass(frozen=True)
class Account:
    name: str
    host: str
    port: int
    tls: str
    username: str
    secret: Secret
    folders: tuple[str, ...] | None = None  # None: INBOX and the \Sent folder
    idle: tuple[str, ...] = ("INBOX",)
    ca_file: str | None = None
    timeout: float = 60.0
    batch_size: int = 200
    poll_interval: int = 300


@dataclass(frozen=True)
class Vendor:
    name: str
    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    locale: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Summary:
    time: time = time(8)
    recipients: tuple[str, ...] = ()
    weekly_day: str = "monday"
    send_when_quiet: bool = True
    reminder_days: int = 3  # a question or request unanswered this long is listed
    subject: str = "vendorwatch"  # the subject starts with this; the date and counts follow


@dataclass(frozen=True)
class Alerts:
    """Immediate emails for serious findings, between two daily summaries (off by default)."""

    enabled: bool = False
    min_severity: str = "high"
    max_per_hour: int = 2  # emails, not findings: one email carries every new finding
    recipients: tuple[str, ...] = ()  # default: the summary's recipients


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 587
    tls: str = "starttls"
    username: str | None = None
    secret: Secret = Secret()
    sender: str | None = None
    ca_file: str | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class Sync:
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    attachment_text_bytes: int = 256 * 1024
    analysis: bool = True


@dataclass(frozen=True)
class Analysis:
    spacy_model: str | None = None


@dataclass(frozen=True)
class Tracking:
    review_days: int = 3  # a delivery unreviewed this long is a finding
    payment_due_days: int = 3  # an unpaid invoice due within this many days is a finding
    quality_window_days: int = 90  # recent window compared with the vendor's earlier baseline
    reference_folder: Path | None = None  # files a delivery must not copy (originality)


@dataclass(frozen=True)
class Config:
    path: Path | None
    owner: Owner = Owner()
    accounts: tuple[Account, ...] = ()
    vendors: tuple[Vendor, ...] = ()
    summary: Summary = Summary()
    smtp: Smtp | None = None
    database: Path = field(default_factory=paths.default_database)
    sync: Sync = Sync()
    analysis: Analysis = Analysis()
    tracking: Tracking = Tracking()
    alerts: Alerts = Alerts()
    warnings: tuple[str, ...] = ()


class _Section:
    """Typed access to one TOML table that records which keys were read."""

    def __init__(self, path: Path | None, where: str, data: Any):
        self.path = path or "<config>"
        self.where = where
        if not isinstance(data, dict):
            raise ConfigError(self.path, where, "must be a table", f"write [{where}]")
        self.data = data
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def error(self, name: str, problem: str, fix: str | None = None) -> ConfigError:
        return ConfigError(self.path, self.key(name), problem, fix)

    def get(
        self, name: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False
    ) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if required:
                raise self.error(name, "is missing", f"add {name} = ... to [{self.where}]")
            return default
        value = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            value_ok = False
        else:
            value_ok = isinstance(value, kinds)
        if not value_ok:
            wanted = " or ".join(_type_name(k) for k in kinds)
            raise self.error(name, f"must be {wanted}, not {_type_name(type(value))}")
        return value

    def strings(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.get(name, (list, str), None)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        for item in value:
            if not isinstance(item, str):
                raise self.error(name, "must be a list of strings")
        return tuple(value)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise self.error(
                unknown[0], "unknown key", "check the spelling against config.example.toml"
            )


def _type_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)


def load(
    explicit: str | os.PathLike[str] | None = None,
    *,
    database: str | os.PathLike[str] | None = None,
    required: bool = False,
) -> Config:
    """Load the config from the path `paths.config_path` picks.

    A missing file is fine unless `required` (the daemon needs accounts; `import` does not).
    """
    path = paths.config_path(explicit)
    if not path.exists():
        if required or explicit:
            raise ConfigError(
                path, None, "no such file", "copy config.example.toml there or pass --config PATH"
            )
        config = Config(path=None)
    else:
        config = parse(read_toml(path), path)
    if database:
        config = _replace(config, database=Path(database).expanduser())
    return config


def read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            path, None, f"cannot read: {exc.strerror or exc}", "check the path and its permissions"
        ) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(path, None, "is not UTF-8 text", "save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"invalid TOML: {exc}", "fix the syntax") from None


def parse(data: dict[str, Any], path: Path | None = None) -> Config:
    """Turn the TOML document into a `Config`; `path` is only for error messages."""
    top = _Section(path, "", data)
    warnings: list[str] = []
    owner = _owner(_Section(path, "owner", top.get("owner", dict, {})))
    accounts = tuple(
        _account(_Section(path, f"accounts[{i}]", item), i)
        for i, item in enumerate(top.get("accounts", list, []))
    )
    names = [a.name for a in accounts]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(
                path or "<config>",
                "accounts",
                f"two accounts named {name!r}",
                "give each account its own name",
            )
    vendors = tuple(
        _vendor(_Section(path, f"vendors[{i}]", item))
        for i, item in enumerate(top.get("vendors", list, []))
    )
    summary = _summary(_Section(path, "summary", top.get("summary", dict, {})))
    smtp_data = top.get("smtp", dict, None)
    smtp = _smtp(_Section(path, "smtp", smtp_data)) if smtp_data is not None else None
    storage = _Section(path, "storage", top.get("storage", dict, {}))
    db = storage.get("database", str, None)
    storage.finish()
    sync = _sync(_Section(path, "sync", top.get("sync", dict, {})))
    analysis = _analysis(_Section(path, "analysis", top.get("analysis", dict, {})))
    tracking = _tracking(_Section(path, "tracking", top.get("tracking", dict, {})))
    alerts = _alerts(_Section(path, "alerts", top.get("alerts", dict, {})))
    top.finish()
    if path is not None and _has_literal_secret(accounts, smtp):
        warnings.extend(_permission_warnings(path))
    return Config(
        path=path,
        owner=owner,
        accounts=accounts,
        vendors=vendors,
        summary=summary,
        smtp=smtp,
        database=Path(db).expanduser() if db else paths.default_database(),
        sync=sync,
        analysis=analysis,
        tracking=tracking,
        alerts=alerts,
        warnings=tuple(warnings),
    )


def _owner(s: _Section) -> Owner:
    tz = s.get("timezone", str, "UTC")
    _check_timezone(s, "timezone", tz)
    hours = s.get("working_hours", str, "09:00-17:30")
    owner = Owner(
        name=s.get("name", str, ""),
        addresses=tuple(a.lower() for a in _addresses(s, "addresses")),
        timezone=tz,
        working_hours=_working_hours(s, "working_hours", hours),
        language=s.get("language", str, "en"),
    )
    s.finish()
    return owner


def _account(s: _Section, index: int) -> Account:
    name = s.get("name", str, f"account{index + 1}")
    s.where = f"accounts[{name}]"
    host = s.get("host", str, required=True)
    tls = s.get("tls", str, "ssl")
    if tls not in TLS_MODES:
        raise s.error("tls", f"must be one of ssl, starttls, none, not {tls!r}")
    if tls == "none" and not is_loopback(host):
        raise s.error(
            "tls",
            f"plaintext login to {host} would send the password in clear",
            'use tls = "ssl" or "starttls"; "none" is only for 127.0.0.1',
        )
    port = s.get("port", int, 993 if tls == "ssl" else 143)
    _check_port(s, "port", port)
    username = s.get("username", str, required=True)
    secret = _secret(s)
    if not secret.configured:
        raise s.error(
            "password_command",
            "no password or token source",
            "set password_command, password_env, keyring_service or oauth2_token_command",
        )
    folders = s.strings("folders") or None
    account = Account(
        name=name,
        host=host,
        port=port,
        tls=tls,
        username=username,
        secret=secret,
        folders=folders,
        idle=s.strings("idle", ("INBOX",)),
        ca_file=_existing_file(s, "ca_file"),
        timeout=float(_positive(s, "timeout", (int, float), 60)),
        batch_size=_positive(s, "batch_size", int, 200),
        poll_interval=_positive(s, "poll_interval", int, 300),
    )
    s.finish()
    return account


def _secret(s: _Section) -> Secret:
    values = {key: s.get(key, str, None) for key in SECRET_KEYS}
    given = [key for key, value in values.items() if value]
    password_sources = [k for k in given if k != "oauth2_token_command"]
    if len(password_sources) > 1:
        raise s.error(
            password_sources[1], f"conflicts with {password_sources[0]}", "keep one password source"
        )
    return Secret(**values)


def _vendor(s: _Section) -> Vendor:
    name = s.get("name", str, required=True)
    if not name.strip():
        raise s.error("name", "is empty", "give the vendor a name")
    s.where = f"vendors[{name}]"
    domains = tuple(d.lower().lstrip("@") for d in s.strings("domains"))
    tz = s.get("timezone", str, None)
    if tz:
        _check_timezone(s, "timezone", tz)
    vendor = Vendor(
        name=name,
        addresses=tuple(a.lower() for a in _addresses(s, "addresses")),
        domains=domains,
        locale=s.get("locale", str, None),
        timezone=tz,
    )
    s.finish()
    if not vendor.addresses and not vendor.domains:
        raise s.error(
            "addresses",
            "no addresses and no domains",
            "list the vendor's email addresses or domains",
        )
    return vendor


def _summary(s: _Section) -> Summary:
    at = _clock(s, "time", s.get("time", str, "08:00"))
    day = s.get("weekly_day", str, "monday").lower()
    if day not in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        raise s.error("weekly_day", f"{day!r} is not a weekday", 'write e.g. "monday"')
    summary = Summary(
        time=at,
        recipients=_addresses(s, "recipients"),
        weekly_day=day,
        send_when_quiet=s.get("send_when_quiet", bool, True),
        reminder_days=_positive(s, "reminder_days", int, 3),
        subject=_one_line(s, "subject", s.get("subject", str, "vendorwatch")),
    )
    s.finish()
    return summary


def _smtp(s: _Section) -> Smtp:
    host = s.get("host", str, required=True)
    tls = s.get("tls", str, "starttls")
    if tls not in TLS_MODES:
        raise s.error("tls", f"must be one of ssl, starttls, none, not {tls!r}")
    username = s.get("username", str, None)
    secret = _secret(s)
    if tls == "none" and not is_loopback(host):
        raise s.error(
            "tls",
            f"plaintext SMTP to {host} would send the password and the summary in clear",
            'use tls = "ssl" or "starttls"; "none" is only for 127.0.0.1',
        )
    port = s.get("port", int, {"ssl": 465, "starttls": 587, "none": 25}[tls])
    _check_port(s, "port", port)
    smtp = Smtp(
        host=host,
        port=port,
        tls=tls,
        username=username,
        secret=secret,
        sender=s.get("sender", str, None),
        ca_file=_existing_file(s, "ca_file"),
        timeout=float(_positive(s, "timeout", (int, float), 60)),
    )
    s.finish()
    return smtp


def _sync(s: _Section) -> Sync:
    sync = Sync(
        max_message_bytes=_positive(s, "max_message_bytes", int, DEFAULT_MAX_MESSAGE_BYTES),
        attachment_text_bytes=_positive(s, "attachment_text_bytes", int, 256 * 1024),
        analysis=s.get("analysis", bool, True),
    )
    s.finish()
    return sync


def _analysis(s: _Section) -> Analysis:
    analysis = Analysis(spacy_model=s.get("spacy_model", str, None))
    s.finish()
    return analysis


def _tracking(s: _Section) -> Tracking:
    folder = s.get("reference_folder", str, None)
    if folder and not Path(folder).expanduser().is_dir():
        raise s.error("reference_folder", f"{folder} is not a folder", "give an existing folder")
    tracking = Tracking(
        review_days=_positive(s, "review_days", int, 3),
        payment_due_days=_positive(s, "payment_due_days", int, 3),
        quality_window_days=_positive(s, "quality_window_days", int, 90),
        reference_folder=Path(folder).expanduser() if folder else None,
    )
    s.finish()
    return tracking


SEVERITIES = ("low", "medium", "high")


def _alerts(s: _Section) -> Alerts:
    severity = s.get("min_severity", str, "high").lower()
    if severity not in SEVERITIES:
        raise s.error("min_severity", f"{severity!r} is not a severity", "low, medium or high")
    alerts = Alerts(
        enabled=s.get("enabled", bool, False),
        min_severity=severity,
        max_per_hour=_positive(s, "max_per_hour", int, 2),
        recipients=_addresses(s, "recipients"),
    )
    s.finish()
    return alerts


def _one_line(s: _Section, name: str, value: str) -> str:
    """A value that goes into a mail header: no line breaks (they would inject headers)."""
    if any(c in value for c in "\r\n") or not value.strip():
        raise s.error(name, "must be one non-empty line", 'write e.g. "vendorwatch"')
    return value.strip()


def _addresses(s: _Section, name: str) -> tuple[str, ...]:
    values = s.strings(name)
    for value in values:
        if "@" not in value or value.startswith("@") or value.endswith("@"):
            raise s.error(name, f"{value!r} is not an email address")
    return values


def _check_timezone(s: _Section, name: str, tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise s.error(
            name, f"unknown timezone {tz!r}", 'use an IANA name such as "Europe/London"'
        ) from None


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _clock(s: _Section, name: str, value: str) -> time:
    match = _CLOCK.match(value.strip())
    if not match:
        raise s.error(name, f"{value!r} is not a time of day", 'write "HH:MM", e.g. "08:00"')
    return time(int(match[1]), int(match[2]))


def _working_hours(s: _Section, name: str, value: str) -> WorkingHours:
    start, sep, end = value.partition("-")
    if not sep:
        raise s.error(name, f"{value!r} is not a range", 'write "09:00-17:30"')
    hours = WorkingHours(_clock(s, name, start), _clock(s, name, end))
    if hours.end <= hours.start:
        raise s.error(name, f"{value!r} ends before it starts", 'write "09:00-17:30"')
    return hours


def _check_port(s: _Section, name: str, port: int) -> None:
    if not 0 < port < 65536:
        raise s.error(name, f"{port} is not a TCP port", "use 1-65535")


def _positive(s: _Section, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = s.get(name, kind, default)
    if value <= 0:
        raise s.error(name, f"must be positive, not {value}")
    return value


def _existing_file(s: _Section, name: str) -> str | None:
    value = s.get(name, str, None)
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise s.error(name, f"no such file {value!r}", "give the path of a PEM file")
    return str(path)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _has_literal_secret(accounts: tuple[Account, ...], smtp: Smtp | None) -> bool:
    secrets = [a.secret for a in accounts] + ([smtp.secret] if smtp else [])
    return any(secret.password for secret in secrets)


def _permission_warnings(path: Path) -> list[str]:
    try:
        mode = path.stat().st_mode
    except OSError:  # parsed from memory, or the file went away: nothing to warn about
        return []
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return [
            f"{path}: holds a literal password and is readable by others "
            f"(chmod 600 {path}, or use password_command)"
        ]
    return []


def _replace(config: Config, **changes: Any) -> Config:
    from dataclasses import replace

    return replace(config, **changes)
