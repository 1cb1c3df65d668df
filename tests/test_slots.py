"""Proposed call slots fall inside both parties' working hours, on weekdays."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from vendorwatch.nlp.slots import propose, vendor_zone

LONDON_HOURS = (time(9), time(17, 30))


def check_inside(slot, owner_tz, vendor_tz, vendor_hours=(time(9), time(18))):
    start_o, end_o = slot.start.astimezone(owner_tz), slot.end.astimezone(owner_tz)
    start_v, end_v = slot.start.astimezone(vendor_tz), slot.end.astimezone(vendor_tz)
    assert start_o.weekday() < 5 and start_v.weekday() < 5
    assert time(9) <= start_o.time() and end_o.time() <= time(17, 30)
    assert vendor_hours[0] <= start_v.time() and end_v.time() <= vendor_hours[1]
    assert slot.end - slot.start == timedelta(minutes=30)


def test_india_overlap_same_day():
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday
    tz = vendor_zone([330])
    slots = propose(now, "Europe/London", LONDON_HOURS, tz)
    assert len(slots) == 3
    assert slots[0].start.isoformat() == "2026-11-27T11:00:00+00:00"
    assert slots[0].vendor_start.isoformat() == "2026-11-27T16:30:00+05:30"
    for slot in slots:
        check_inside(slot, ZoneInfo("Europe/London"), tz)


def test_weekend_is_skipped_and_slots_are_ordered():
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Friday afternoon, Manila evening
    tz = vendor_zone([480])
    slots = propose(now, "Europe/London", LONDON_HOURS, tz)
    assert [s.start.weekday() for s in slots] == [0, 0, 1]
    assert slots == sorted(slots, key=lambda s: s.start)
    for slot in slots:
        check_inside(slot, ZoneInfo("Europe/London"), tz)


def test_latest_offset_wins_and_configured_zone_overrides():
    assert vendor_zone([60, 120]).utcoffset(None) == timedelta(hours=2)
    assert vendor_zone([], None).utcoffset(None) == timedelta(0)
    assert str(vendor_zone([60], "Asia/Kolkata")) == "Asia/Kolkata"


def test_no_overlap_stretches_the_vendor_day_and_says_so():
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    tz = timezone(timedelta(hours=-9))  # Alaska: 09:00 there is 18:00 in London
    slots = propose(now, "Europe/London", LONDON_HOURS, tz)
    assert slots and all(s.stretched for s in slots)
    for slot in slots:
        check_inside(slot, ZoneInfo("Europe/London"), tz, (time(8), time(20)))


def test_dst_change_in_owner_zone():
    now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # London moves to BST on 29 March
    slots = propose(now, "Europe/London", LONDON_HOURS, vendor_zone([-180]), count=6)
    assert {s.start.utcoffset() for s in slots} <= {timedelta(0), timedelta(hours=1)}
    for slot in slots:
        check_inside(slot, ZoneInfo("Europe/London"), vendor_zone([-180]))
