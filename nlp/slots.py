"""Proposing call times that fall inside both parties' working hours.

The vendor's clock is usually unknown, so it is inferred from the UTC offsets of the
Date headers of their own messages (the most recent offset wins: it follows DST).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

SLOT = timedelta(minutes=30)
SEARCH_DAYS = 14
DEFAULT_VENDOR_HOURS = (time(9), time(18))
STRETCHED_VENDOR_HOURS = (time(8), time(20))
WEEKDAYS = range(0, 5)


@dataclass(frozen=True)
class Slot:
    start: datetime  # in the owner's timezone
    end: datetime
    vendor_start: datetime  # the same instant on the vendor's clock
    stretched: bool = False  # outside the vendor's usual 09:00-18:00, within 08:00-20:00

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "vendor_start": self.vendor_start.isoformat(),
            "stretched": self.stretched,
        }


def vendor_zone(offsets_minutes: Iterable[int | None], name: str | None = None) -> tzinfo:
    """The vendor's clock: a configured IANA zone, else their latest Date-header offset."""
    if name:
        return ZoneInfo(name)
    known = [o for o in offsets_minutes if o is not None]
    minutes = known[-1] if known else 0
    return timezone(timedelta(minutes=minutes))


def propose(
    now: datetime,
    owner_zone: str,
    owner_hours: tuple[time, time],
    vendor_tz: tzinfo,
    count: int = 3,
    vendor_hours: tuple[time, time] = DEFAULT_VENDOR_HOURS,
) -> list[Slot]:
    """The next `count` 30-minute slots, weekdays, inside both parties' hours.

    When the two working days do not overlap at all, the vendor's day is stretched to
    08:00-20:00 and the slots say so, rather than proposing nothing.
    """
    owner_tz = ZoneInfo(owner_zone)
    slots = _search(now, owner_tz, owner_hours, vendor_tz, vendor_hours, count)
    if len(slots) < count:
        extra = _search(now, owner_tz, owner_hours, vendor_tz, STRETCHED_VENDOR_HOURS, count)
        slots += [
            Slot(s.start, s.end, s.vendor_start, stretched=True)
            for s in extra
            if s.start not in {x.start for x in slots}
        ]
        slots.sort(key=lambda s: s.start)
    return slots[:count]


def _search(
    now: datetime,
    owner_tz: tzinfo,
    owner_hours: tuple[time, time],
    vendor_tz: tzinfo,
    vendor_hours: tuple[time, time],
    count: int,
) -> list[Slot]:
    start = _next_half_hour(now.astimezone(owner_tz) + timedelta(hours=1))
    limit = start + timedelta(days=SEARCH_DAYS)
    found: list[Slot] = []
    cursor = start
    while cursor < limit and len(found) < count:
        end = cursor + SLOT
        if _inside(cursor, end, owner_tz, owner_hours) and _inside(
            cursor, end, vendor_tz, vendor_hours
        ):
            found.append(Slot(cursor, end, cursor.astimezone(vendor_tz)))
        cursor += SLOT
    return found


def _inside(start: datetime, end: datetime, tz: tzinfo, hours: tuple[time, time]) -> bool:
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if (
        local_start.weekday() not in WEEKDAYS
        or local_start.date() != local_end.date()
        and local_end.time() != time(0)
    ):
        return False
    begin, finish = hours
    end_time = local_end.time() if local_end.time() != time(0) else time(23, 59, 59)
    return begin <= local_start.time() and end_time <= finish


def _next_half_hour(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    extra = (30 - moment.minute % 30) % 30
    return moment + timedelta(minutes=extra)
