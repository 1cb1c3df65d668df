"""Sending vendorwatch's own email: the daily summary and the optional alerts.

One message has a plain-text and an HTML part (multipart/alternative) and, when calls are
suggested, their .ics invitations attached. SMTP follows the IMAP rules: ssl or starttls
with verified certificates, plaintext only to loopback, the password from the configured
source. Every failure is one `SendError` line naming host:port and never the password.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from .config import SEVERITIES, Config, Smtp, is_loopback
from .errors import VendorwatchError
from .imap import describe
from .secrets import oauth2_token, password
from .store import Store
from .summary import DailySummary, Item, Section, render_html, render_text, subject_line

log = logging.getLogger("vendorwatch.mailer")

ALERT_AGE = timedelta(hours=48)  # findings about older mail are news for the summary only


class SendError(VendorwatchError):
    """The SMTP server could not be reached, refused us, or refused the message."""

    exit_code = 5


def sender(config: Config) -> str:
    """From: [smtp] sender, else the first summary recipient, else the owner's address."""
    if config.smtp and config.smtp.sender:
        return config.smtp.sender
    for address in (*config.summary.recipients, *config.owner.addresses):
        return address
    return "vendorwatch@localhost"


def build_message(
    config: Config,
    recipients: Sequence[str],
    subject: str,
    text: str,
    html: str,
    attachments: Sequence[tuple[str, bytes]] = (),
    kind: str = "summary",
) -> EmailMessage:
    """text + HTML as multipart/alternative; attachments make it multipart/mixed.

    `Auto-Submitted` marks it machine-made (RFC 3834): when it lands in a mailbox that
    vendorwatch reads, ingest files it as an automatic message, never as work.
    """
    from_ = sender(config)
    message = EmailMessage()
    message["From"] = from_
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(from_)[1].rpartition("@")[2] or "vendorwatch.invalid"
    message["Message-ID"] = make_msgid("vendorwatch", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Vendorwatch"] = kind
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(
            data, maintype="text", subtype="calendar", filename=name, params={"method": "REQUEST"}
        )
    return message


def summary_message(summary: DailySummary, config: Config) -> EmailMessage:
    return build_message(
        config,
        config.summary.recipients,
        subject_line(summary, config.summary.subject),
        render_text(summary),
        render_html(summary),
        summary.invitations,
    )


def send(
    message: EmailMessage,
    smtp: Smtp,
    recipients: Sequence[str],
    *,
    on_connect: Callable[[smtplib.SMTP | None], None] | None = None,
) -> None:
    """Deliver `message` to `recipients` through the configured server.

    `on_connect` receives the live client once connected (and None when done), so the
    scheduler can cut a send short when the daemon stops.
    """
    who = f"smtp {smtp.host}:{smtp.port}"
    if not recipients:
        raise SendError(f"{who}: no recipients configured ([summary] recipients)")
    if smtp.tls == "none" and not is_loopback(smtp.host):
        raise SendError(f"{who}: refusing plaintext SMTP to a remote host (use ssl or starttls)")
    envelope_from = parseaddr(str(message["From"]))[1] or None
    try:
        context = ssl.create_default_context(cafile=smtp.ca_file)
        client = _connect(smtp, context, on_connect)
        try:
            client.ehlo()
            if smtp.tls == "starttls":
                if not client.has_extn("starttls"):
                    raise SendError(f"{who}: server does not offer STARTTLS")
                client.starttls(context=context)
                client.ehlo()
            _login(client, smtp, who)
            refused = client.send_message(message, envelope_from, list(recipients))
        except BaseException:
            client.close()  # no QUIT: a stalled server would hold us another timeout
            raise
        _quit(client)
    except smtplib.SMTPAuthenticationError:
        raise SendError(
            f"{who}: login refused for {smtp.username} (check the password source)"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{who}: every recipient refused: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        reply = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise SendError(f"{who}: server said {exc.smtp_code} {' '.join(reply.split())}") from None
    except (TimeoutError, OSError, ssl.SSLError, smtplib.SMTPException) as exc:
        raise SendError(f"{who}: {describe(exc)}") from None
    finally:
        if on_connect:
            on_connect(None)
    if refused:
        log.warning("%s: some recipients refused: %s", who, ", ".join(sorted(refused)))


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; once the message is accepted, a failing QUIT is no failed send."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _connect(
    smtp: Smtp,
    context: ssl.SSLContext,
    on_connect: Callable[[smtplib.SMTP | None], None] | None,
) -> smtplib.SMTP:
    """Connect after handing the client to `on_connect`, so that a server that never
    sends its greeting can be cut short too."""
    if smtp.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(timeout=smtp.timeout)
    client._host = smtp.host  # the TLS server name; smtplib sets it only when __init__ connects
    if on_connect:
        on_connect(client)
    code, reply = client.connect(smtp.host, smtp.port)
    if code != 220:
        client.close()
        raise smtplib.SMTPConnectError(code, reply)
    return client


def _login(client: smtplib.SMTP, smtp: Smtp, who: str) -> None:
    """Log in with the password source, or XOAUTH2 with a token command; none: no login."""
    if not smtp.secret.configured:
        return
    if not smtp.username:
        raise SendError(f"{who}: a password source is set but no username ([smtp] username)")
    token = oauth2_token(smtp.secret, "smtp")
    if token is not None and not _has_password_source(smtp):
        user = smtp.username

        def xoauth2(challenge: bytes | None = None) -> str:
            # a challenge means the server rejected the token: answer empty to get its error
            return "" if challenge else f"user={user}\x01auth=Bearer {token}\x01\x01"

        client.auth("XOAUTH2", xoauth2, initial_response_ok=True)
        return
    client.login(smtp.username, password(smtp.secret, "smtp", smtp.username))


def _has_password_source(smtp: Smtp) -> bool:
    s = smtp.secret
    return bool(s.password or s.password_command or s.password_env or s.keyring_service)


def abort(client: smtplib.SMTP) -> None:
    """Cut a send short from another thread: the blocked call fails at once."""
    sock = getattr(client, "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# -------------------------------------------------------------------------------- alerts


def send_alerts(store: Store, config: Config, now: datetime | None = None) -> int:
    """Email new findings at or above `[alerts] min_severity` right away; returns how many.

    Off unless `[alerts] enabled`. One email carries every new finding; at most
    `max_per_hour` emails go out in any hour (the rest wait for the next call, and the
    summary lists them anyway). Findings about mail older than two days never alert: a
    backfill of old mail is not news. The findings are claimed in the database before the
    send, so they are never alerted twice; a failed send releases them. Never raises.
    """
    alerts = config.alerts
    recipients = alerts.recipients or config.summary.recipients
    if not alerts.enabled or config.smtp is None or not recipients:
        return 0
    now = now or datetime.now(UTC)
    severities = SEVERITIES[SEVERITIES.index(alerts.min_severity) :]
    try:
        rows = store.alert_candidates(severities, now - ALERT_AGE, (now - ALERT_AGE).date())
        if not rows:
            return 0
        batch = uuid.uuid4().hex
        claimed = set(
            store.claim_alerts([r["fingerprint"] for r in rows], batch, now, alerts.max_per_hour)
        )
    except VendorwatchError as exc:
        log.error("alerts: %s", exc)
        return 0
    rows = [r for r in rows if r["fingerprint"] in claimed]
    if not rows:
        return 0
    message = alert_message(rows, config, recipients, now)
    try:
        send(message, config.smtp, recipients)
    except VendorwatchError as exc:
        log.error("alert email not sent: %s", exc)
        try:
            store.release_alerts(batch)
        except VendorwatchError as release_error:
            log.error("alerts: %s", release_error)
        return 0
    return len(rows)


def alert_message(
    rows: list[dict], config: Config, recipients: Sequence[str], now: datetime
) -> EmailMessage:
    items = [
        Item(
            headline=f"{r['vendor'] or '(unknown vendor)'}: {r['subject'] or ''}".rstrip(": "),
            detail=f"{r['severity']} {r['kind'].replace('_', ' ')}: {r['suggestion'] or ''}",
            quotes=[e.get("sentence", "") for e in r["evidence"] if isinstance(e, dict)][:3],
            vendor=r["vendor"],
            subject=r["subject"],
            kind=r["kind"],
            message_id=r["message_id"],
        )
        for r in rows
    ]
    local = now.astimezone(ZoneInfo(config.owner.timezone))
    summary = DailySummary(
        local.date(),
        local,
        config.owner.name,
        [Section("alerts", "Needs your attention now", items)],
        title="vendorwatch alert",
        intro="This should not wait for tomorrow's summary.",
    )
    subject = f"{config.summary.subject} alert: {len(rows)} finding(s) need you now"
    return build_message(
        config,
        recipients,
        subject,
        render_text(summary),
        render_html(summary),
        kind="alert",
    )
