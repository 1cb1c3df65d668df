"""`vendorwatch check`: is the config valid, and do the servers it names answer?"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable

from .config import Config, Smtp
from .errors import VendorwatchError
from .imap import ImapSource, describe, ssl_context
from .secrets import password


def run_checks(config: Config, say: Callable[[str], None]) -> list[str]:
    """Print one line per check; return the problems found (empty when all is well)."""
    problems: list[str] = []
    say(
        f"ok   config {config.path}: {len(config.accounts)} account(s), "
        f"{len(config.vendors)} vendor(s), database {config.database}"
    )
    for account in config.accounts:
        try:
            with ImapSource(account, config.sync.max_message_bytes) as source:
                folders = source.folders()
            say(
                f"ok   account {account.name}: logged in to {account.host}:{account.port} "
                f"({account.tls}); folders to sync: {', '.join(folders)}"
            )
        except VendorwatchError as exc:
            problems.append(str(exc))
            say(f"FAIL {exc}")
    if config.smtp is not None:
        try:
            check_smtp(config.smtp)
            say(f"ok   smtp {config.smtp.host}:{config.smtp.port} ({config.smtp.tls})")
        except VendorwatchError as exc:
            problems.append(str(exc))
            say(f"FAIL {exc}")
    return problems


def check_smtp(smtp: Smtp) -> None:
    """Connect, negotiate TLS and log in, without sending anything."""
    who = f"smtp {smtp.host}:{smtp.port}"
    context = ssl_context(smtp.ca_file)
    try:
        if smtp.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            client.ehlo()
            if smtp.tls == "starttls":
                if not client.has_extn("starttls"):
                    raise VendorwatchError(f"{who}: server does not offer STARTTLS")
                client.starttls(context=context)
                client.ehlo()
            if smtp.username and smtp.secret.configured:
                client.login(smtp.username, password(smtp.secret, "smtp", smtp.username))
    except smtplib.SMTPAuthenticationError:
        raise VendorwatchError(f"{who}: login refused for {smtp.username}") from None
    except (TimeoutError, OSError, ssl.SSLError, smtplib.SMTPException) as exc:
        raise VendorwatchError(f"{who}: {describe(exc)}") from None
