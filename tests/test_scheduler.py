"""When the summary goes out: the owner's local time across DST, the catch-up after a
missed time, never the same day twice (also with two processes), quiet days, failures.

The clock is injected; nothing sleeps. Sends go to a real aiosmtpd server.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from test_mailer import with_smtp
from test_summary import loaded_store

from vendorwatch.daemon.scheduler import RETRY_AFTER, SummaryScheduler, daily_trigger
from vendorwatch.daemon.store import Store
from vendorwatch.daemon.summary import scheduled_at

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def ready(tmp_path, smtp_server):
    """(config with SMTP to the test server, db path) with a busy day's data."""
    _, db = loaded_store(tmp_path)
    return with_smtp(tmp_path, smtp_server), db


def at(day: date, hh: int, mm: int, zone=LONDON) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone)


def with_zone(config, zone: str, hh: int = 8, mm: int = 0):
    return replace(
        config,
        owner=replace(config.owner, timezone=zone),
        summary=replace(config.summary, time=time(hh, mm)),
    )


# ------------------------------------------------------------------------------------ DST


@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        ("Europe/London", date(2026, 3, 28), 8),  # GMT
        ("Europe/London", date(2026, 3, 29), 7),  # clocks go forward at 01:00: BST
        ("Europe/London", date(2026, 10, 25), 8),  # clocks go back at 02:00: GMT again
        ("America/New_York", date(2026, 3, 8), 12),  # EDT from 02:00
        ("America/New_York", date(2026, 11, 1), 13),  # EST from 02:00
        ("America/New_York", date(2026, 11, 2), 13),
    ],
)
def test_daily_time_on_dst_change_days(ready, zone, day, utc_hour):
    config = with_zone(ready[0], zone)
    expected = datetime.combine(day, time(utc_hour), tzinfo=UTC)
    assert scheduled_at(day, config) == expected
    trigger = daily_trigger(config)
    previous = expected - timedelta(days=1, hours=-2)  # the day before, after its run
    fire = trigger.get_next_fire_time(None, previous)
    assert fire == expected and fire.astimezone(ZoneInfo(zone)).hour == 8


def test_dst_day_sends_at_local_time_not_utc(ready, smtp_server):
    config, db = ready
    scheduler = SummaryScheduler(with_zone(config, "America/New_York"), db)
    day = date(2026, 3, 8)  # 08:00 EDT is 12:00 UTC; the day before it was 13:00 UTC
    assert scheduler.run_due(at(day, 7, 59, NEW_YORK)) is False
    assert scheduler.run_due(datetime.combine(day, time(12, 0), tzinfo=UTC)) is True
    assert len(smtp_server.wait_for(1)) == 1


def test_a_time_the_clocks_repeat_sends_once(ready, smtp_server):
    """01:30 happens twice in London on 25 Oct 2026; APScheduler fires at both."""
    config = with_zone(ready[0], "Europe/London", 1, 30)
    trigger = daily_trigger(config)
    first = trigger.get_next_fire_time(None, at(date(2026, 10, 24), 12, 0))
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)  # both 01:30s
    scheduler = SummaryScheduler(config, ready[1])
    assert scheduler.run_due(first) is True
    assert scheduler.run_due(second) is False
    assert len(smtp_server.messages) == 1


def test_a_time_the_clocks_skip_is_taken_an_hour_later(ready):
    config = with_zone(ready[0], "Europe/London", 1, 30)  # 01:30 does not exist on 29 Mar
    due = scheduled_at(date(2026, 3, 29), config)
    assert due.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST
    fire = daily_trigger(config).get_next_fire_time(None, at(date(2026, 3, 28), 12, 0))
    assert fire == due


# --------------------------------------------------------------------- due, never twice


def test_sends_once_the_time_has_passed_and_never_twice(ready, smtp_server):
    config, db = ready
    day = date(2026, 11, 10)
    scheduler = SummaryScheduler(config, db)
    assert scheduler.run_due(at(day, 7, 59)) is False  # not yet
    assert smtp_server.messages == []
    assert scheduler.run_due(at(day, 8, 0)) is True
    assert scheduler.run_due(at(day, 8, 10)) is False
    restarted = SummaryScheduler(config, db)  # the daemon restarted: the db remembers
    assert restarted.run_due(at(day, 12, 0)) is False
    assert len(smtp_server.wait_for(1)) == 1
    with Store.open(db) as store:
        record = store.summary_record(day)
    assert record["status"] == "sent" and record["recipients"] == ["dana@brightleaf.example"]
    assert restarted.run_due(at(day + timedelta(days=1), 8, 0)) is True  # the next day
    assert len(smtp_server.wait_for(2)) == 2


def test_catch_up_on_start_after_a_missed_time(ready, smtp_server):
    """The daemon was down at 08:00; started at 11:00 it sends today's summary."""
    config, db = ready
    day = date(2026, 11, 10)
    scheduler = SummaryScheduler(config, db, clock=lambda: at(day, 11, 0))
    scheduler.start()
    try:
        received = smtp_server.wait_for(1)
    finally:
        scheduler.stop()
    assert "Tue 10 Nov" in received[0].message["Subject"]
    with Store.open(db) as store:
        assert store.summary_sent(day)
    again = SummaryScheduler(config, db, clock=lambda: at(day, 11, 5))
    assert again.run_due() is False  # a second start the same day sends nothing


def test_no_catch_up_for_a_day_not_yet_due(ready, smtp_server):
    config, db = ready
    scheduler = SummaryScheduler(config, db, clock=lambda: at(date(2026, 11, 10), 6, 0))
    assert scheduler.run_due() is False
    assert smtp_server.messages == []


def test_two_processes_never_both_send(ready, smtp_server):
    config, db = ready
    now = at(date(2026, 11, 10), 8, 0)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def contender() -> None:
        scheduler = SummaryScheduler(config, db)  # its own connection, like a process
        barrier.wait()
        results.append(scheduler.run_due(now))

    threads = [threading.Thread(target=contender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert len(smtp_server.messages) == 1  # the send finished before run_due returned


def test_claim_is_atomic_across_connections(tmp_path):
    day, now = date(2026, 11, 10), datetime(2026, 11, 10, 8, tzinfo=UTC)
    with Store.open(tmp_path / "a.db") as one, Store.open(tmp_path / "a.db") as two:
        assert one.claim_summary(day, now, RETRY_AFTER) is True
        assert two.claim_summary(day, now, RETRY_AFTER) is False
        assert two.claim_summary(day, now + RETRY_AFTER, RETRY_AFTER) is True  # abandoned
        two.record_summary(day, ["a@b.example"], now)
        assert one.claim_summary(day, now + 3 * RETRY_AFTER, RETRY_AFTER) is False
        assert one.summary_sent(day)


# ------------------------------------------------------------------ quiet days, failures


def test_quiet_day_short_email_or_none(tmp_path, smtp_server):
    config = with_smtp(tmp_path, smtp_server)
    day = date(2026, 11, 10)
    SummaryScheduler(config, tmp_path / "quiet.db").run_due(at(day, 9, 0))
    message = smtp_server.wait_for(1)[0].message
    assert message["Subject"].endswith("nothing needs you today")
    assert "Nothing needs you today" in message.get_body(("plain",)).get_content()

    silent = replace(config, summary=replace(config.summary, send_when_quiet=False))
    scheduler = SummaryScheduler(silent, tmp_path / "silent.db")
    assert scheduler.run_due(at(day, 9, 0)) is False
    assert scheduler.run_due(at(day, 9, 30)) is False
    assert len(smtp_server.messages) == 1
    with Store.open(tmp_path / "silent.db") as store:
        assert store.summary_record(day)["status"] == "skipped"


def test_failed_send_is_logged_once_and_retried_later(ready, smtp_server, caplog):
    config, db = ready
    day = date(2026, 11, 10)
    port = smtp_server.port
    smtp_server.stop()
    scheduler = SummaryScheduler(config, db)
    assert scheduler.run_due(at(day, 8, 0)) is False
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"daily summary for {day} not sent: smtp 127.0.0.1:{port}: connection refused"
    ]
    with Store.open(db) as store:
        record = store.summary_record(day)
    assert record["status"] == "failed" and "connection refused" in record["error"]
    smtp_server.port = port
    smtp_server.start()
    assert scheduler.run_due(at(day, 8, 10)) is False  # within RETRY_AFTER: no hammering
    assert scheduler.run_due(at(day, 8, 0) + RETRY_AFTER) is True
    assert len(smtp_server.wait_for(1)) == 1


def test_without_smtp_or_recipients_nothing_is_claimed(ready, smtp_server):
    config, db = ready
    no_smtp = SummaryScheduler(replace(config, smtp=None), db)
    assert no_smtp.run_due(at(date(2026, 11, 10), 9, 0)) is False
    with Store.open(db) as store:
        assert store.summary_record(date(2026, 11, 10)) is None


def test_reconfigure_moves_the_daily_job(ready):
    config, db = ready
    scheduler = SummaryScheduler(config, db, clock=lambda: at(date(2026, 11, 10), 6, 0))
    scheduler.start()
    try:
        first = scheduler.next_run()
        scheduler.reconfigure(replace(config, summary=replace(config.summary, time=time(7, 15))))
        moved = scheduler.next_run()
    finally:
        scheduler.stop()
    assert first.astimezone(LONDON).time() == time(8, 0)
    assert moved.astimezone(LONDON).time() == time(7, 15)


# -------------------------------------------------------------------------------- CLI


def test_cli_send_records_the_day(ready, smtp_server, run_cli, tmp_path):
    config, db = ready
    args = ["--config", str(config.path), "--db", str(db), "summary", "--send"]
    today = datetime.now(LONDON).date().isoformat()
    first = run_cli(*args)
    assert first.code == 0, first.err
    assert f"summary for {today} sent to dana@brightleaf.example" in first.err
    assert "== Calls to schedule" not in first.out  # --send alone prints nothing
    again = run_cli(*args)
    assert again.code == 1 and "already went out" in again.err
    forced = run_cli(*args, "--force", "--print")
    assert forced.code == 0 and "vendorwatch summary for" in forced.out
    assert len(smtp_server.wait_for(2)) == 2


def test_cli_send_failure_is_one_line(ready, smtp_server, run_cli):
    config, db = ready
    smtp_server.stop()
    result = run_cli("--config", str(config.path), "--db", str(db), "summary", "--send")
    assert result.code == 5
    assert result.err.strip().count("\n") == 0 and "connection refused" in result.err


def until(condition, timeout: float = 10.0) -> None:
    """Wait for something another thread does (not a timing assertion)."""
    import time as clock

    deadline = clock.monotonic() + timeout
    while not condition():
        assert clock.monotonic() < deadline, "condition not reached"
        clock.sleep(0.01)


def test_stop_cuts_a_stalled_send_short_and_releases_the_day(tmp_path, smtp_server):
    """A server that never greets would hold the daemon for the whole SMTP timeout."""
    from servers.faultproxy import FaultProxy

    day = date(2026, 11, 10)
    with FaultProxy(smtp_server.host, smtp_server.port) as proxy:
        proxy.set_mode("stall")
        config = with_smtp(tmp_path, proxy, extra="timeout = 120\n")
        scheduler = SummaryScheduler(config, tmp_path / "stall.db", clock=lambda: at(day, 9, 0))
        scheduler.start()
        until(lambda: proxy.connections >= 1)
        scheduler.stop()
    with Store.open(tmp_path / "stall.db") as store:
        record = store.summary_record(day)
    assert record["status"] == "failed" and "timed out" not in record["error"]
    assert smtp_server.messages == []
