"""When the daily summary goes out: once a day, at the owner's time, never twice.

APScheduler (3.x) fires a cron job at `[summary] time` in the owner's timezone, so the
wall-clock time holds across DST changes. A laptop asleep at that time, a daemon that was
down, or a send that failed are caught up by a check every few minutes and one at start:
each of them only calls `run_due`, which decides from the clock and the database whether
today's summary is due, and claims the day in the database before sending, so no two
processes (or two jobs) ever send the same day's summary.
"""

from __future__ import annotations

import logging
import smtplib
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .config import Config
from .errors import StoreError, VendorwatchError
from .followup import refresh
from .mailer import SendError, abort, send, send_alerts, summary_message
from .store import Store
from .summary import collect, local_day, scheduled_at

log = logging.getLogger("vendorwatch.scheduler")

MISFIRE_GRACE = timedelta(hours=12)  # a cron run this late still runs (the default is 1 s)
CHECK_EVERY = timedelta(minutes=10)  # catch-up checks: a missed run, a failed send
RETRY_AFTER = timedelta(minutes=30)  # a failed (or abandoned) send is tried again after this
STOP_GRACE = timedelta(seconds=3)  # within the 5 s a SIGTERM allows the daemon
DAILY_JOB = "daily-summary"
CHECK_JOB = "summary-check"
FOLLOWUP_JOB = "followup"
FOLLOWUP_EVERY = timedelta(hours=1)  # payments turn overdue and reviews late as hours pass
FOLLOWUP_FIRST = timedelta(minutes=1)
RECORD_FOR = timedelta(minutes=1)
ALERTS_EVERY = timedelta(minutes=5)
ALERTS_JOB = "alerts"


def daily_trigger(config: Config) -> CronTrigger:
    """Every day at the summary time, on the owner's wall clock."""
    at = config.summary.time
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=config.owner.timezone)


class SummaryScheduler:
    """Sends the daily summary from a background thread of the daemon.

    `clock` replaces the wall clock in `run_due` (tests inject one); APScheduler's own
    timing always uses the real clock.
    """

    def __init__(
        self,
        config: Config,
        db_path: Path,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        self.config = config
        self.db_path = Path(db_path)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()  # one decision-and-send at a time in this process
        self._client: smtplib.SMTP | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._warned: set[str] = set()
        self._stopping = threading.Event()  # set first by stop(): no new send starts

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Schedule the daily job and the catch-up check, and check once right away."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            timezone=self.config.owner.timezone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            },
        )
        scheduler.add_job(self._job, daily_trigger(self.config), id=DAILY_JOB)
        scheduler.add_job(
            self._job,
            IntervalTrigger(seconds=int(CHECK_EVERY.total_seconds())),
            id=CHECK_JOB,
            next_run_time=datetime.now(UTC),  # the catch-up on start
        )
        scheduler.add_job(
            self.refresh_followups,
            IntervalTrigger(seconds=int(FOLLOWUP_EVERY.total_seconds())),
            id=FOLLOWUP_JOB,
            # soon after start, not with the catch-up check: one writer at a time
            next_run_time=datetime.now(UTC) + FOLLOWUP_FIRST,
        )
        scheduler.add_job(
            self.send_alerts,
            IntervalTrigger(seconds=int(ALERTS_EVERY.total_seconds())),
            id=ALERTS_JOB,
        )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        """Stop the jobs. A send in progress gets STOP_GRACE to finish, then is cut short
        (its claim is released with the error, and a later start retries)."""
        self._stopping.set()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        # cutting a send between the server's acceptance and its reply would make the
        # next start send the day again: give a send in flight a moment first
        if self._lock.acquire(timeout=STOP_GRACE.total_seconds()):
            self._lock.release()
        else:
            client = self._client
            if client is not None:
                abort(client)
        scheduler.shutdown(wait=True)

    def reconfigure(self, config: Config) -> None:
        """Take a reloaded config: a new time or timezone moves the daily job, and a time
        moved earlier than now sends today's summary at the next check."""
        self.config = config
        scheduler = self._scheduler
        if scheduler is None:
            return
        scheduler.reschedule_job(DAILY_JOB, trigger=daily_trigger(config))
        scheduler.modify_job(CHECK_JOB, next_run_time=datetime.now(UTC))

    def next_run(self) -> datetime | None:
        """When the daily job fires next (for `STATUS=` lines and logs)."""
        job = self._scheduler.get_job(DAILY_JOB) if self._scheduler else None
        return job.next_run_time if job else None

    # -- the decision --------------------------------------------------------------------

    def run_due(self, now: datetime | None = None) -> bool:
        """Send today's summary if it is due and has not gone out; True when sent now.

        Due means: the owner's local time is past `[summary] time` today, and the
        database has no sent (or quiet-skipped) summary for today. Never raises: a failure
        is logged as one line and tried again after RETRY_AFTER.
        """
        now = now or self.clock()
        config = self.config
        if self._stopping.is_set() or not self._can_send(config):
            return False
        day = local_day(now, config)
        if now < scheduled_at(day, config):
            return False
        with self._lock:
            try:
                with Store.open(self.db_path) as store:
                    return self._send_day(store, config, day, now)
            except (VendorwatchError, sqlite3.OperationalError) as exc:
                log.error("daily summary for %s: %s", day, exc)
                return False

    def _can_send(self, config: Config) -> bool:
        problem = None
        if not config.summary.recipients:
            problem = "no [summary] recipients configured: no summary email"
        elif config.smtp is None:
            problem = "no [smtp] server configured: no summary email"
        if problem and problem not in self._warned:
            self._warned.add(problem)
            log.warning(problem)
        return problem is None

    def refresh_followups(self) -> None:
        """Bring the date-dependent findings (due, overdue, unreviewed, slipping) up to
        today even when no mail arrives. Never raises: a failure is one log line."""
        if self._stopping.is_set():
            return
        try:
            with Store.open(self.db_path) as store, store.transaction():
                refresh(store, self.config)
        except VendorwatchError as exc:
            log.error("follow-up findings not refreshed: %s", exc)
        except Exception:  # a bug: logged with its traceback, the daemon carries on
            log.exception("follow-up findings not refreshed")

    def _send_day(self, store: Store, config: Config, day: date, now: datetime) -> bool:
        with store.transaction():
            refresh(store, config, day)  # the summary reports today's state
        try:
            outcome = send_summary(store, config, day, now, on_connect=self._on)
        except VendorwatchError as exc:
            log.error("daily summary for %s not sent: %s", day, exc)
            return False
        except Exception:  # a bug: logged with its traceback, the daemon carries on
            log.exception("daily summary for %s not sent", day)
            return False
        if outcome == "sent":
            log.info("daily summary for %s sent to %s", day, ", ".join(config.summary.recipients))
        elif outcome == "skipped":
            log.info("daily summary for %s: a quiet day, not sent (send_when_quiet)", day)
        return outcome == "sent"

    def send_alerts(self) -> None:
        """The optional immediate emails for serious new findings (`[alerts]`, off by
        default); rate-limited and never sent twice by `mailer.send_alerts`."""
        if self._stopping.is_set() or not self.config.alerts.enabled:
            return
        try:
            with Store.open(self.db_path) as store:
                send_alerts(store, self.config)
        except (VendorwatchError, sqlite3.OperationalError) as exc:
            log.error("alerts not sent: %s", exc)
        except Exception:  # a bug: logged with its traceback, the daemon carries on
            log.exception("alerts not sent")

    def _on(self, client: smtplib.SMTP | None) -> None:
        self._client = client
        if client is not None and self._stopping.is_set():
            abort(client)  # stopping: a send that only now connects is cut at once

    def _job(self) -> None:
        try:
            self.run_due()
        except Exception:  # run_due never raises; this keeps a bug from killing the job
            log.exception("daily summary check failed")


def send_summary(
    store: Store,
    config: Config,
    day: date,
    now: datetime,
    *,
    force: bool = False,
    quiet_rule: bool = True,
    on_connect: Callable[[smtplib.SMTP | None], None] | None = None,
) -> str:
    """Claim the day, build its summary, send it, record it. Returns "sent", "skipped"
    (quiet, and `send_when_quiet` is off; only with `quiet_rule`), "done" (it went out
    already) or "busy" (another process holds the claim). `force` sends even so.

    A failed send releases the claim with its error and raises the `SendError`.
    """
    if config.smtp is None or not config.summary.recipients:
        raise SendError(
            f"{config.path or 'config'}: [smtp] and [summary] recipients are needed to send"
        )
    if not force:
        if store.summary_sent(day):
            return "done"
        if not store.claim_summary(day, now, RETRY_AFTER):
            return "busy"
    recipients = list(config.summary.recipients)
    try:
        summary = collect(store, config, day, now)
        if quiet_rule and summary.quiet and not config.summary.send_when_quiet:
            store.record_summary(day, [], now, status="skipped")
            return "skipped"
        send(summary_message(summary, config), config.smtp, recipients, on_connect=on_connect)
    except VendorwatchError as exc:
        store.release_summary(day, str(exc))
        raise
    except Exception as exc:  # a bug must not leave the day claimed until RETRY_AFTER
        store.release_summary(day, f"internal error: {type(exc).__name__}: {exc}")
        raise
    _record_sent(store, day, recipients, now)
    return "sent"


def _record_sent(store: Store, day: date, recipients: list[str], now: datetime) -> None:
    """The email went out: recording it must not fail on a busy database, or the claim
    would lapse and the day be sent twice. Retried for a minute, then logged loudly."""
    deadline = time.monotonic() + RECORD_FOR.total_seconds()
    while True:
        try:
            store.record_summary(day, recipients, now)
            return
        except (sqlite3.OperationalError, StoreError) as exc:
            if time.monotonic() > deadline:
                log.error("summary for %s was sent but could not be recorded: %s", day, exc)
                raise
            time.sleep(1)
