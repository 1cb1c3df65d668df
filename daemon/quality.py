"""Each vendor's score over time, from tracked rows: on-time rate, revision rounds per
delivery, response time, and whether the recent window slipped against the vendor's own
earlier record.

A window with nothing in it is "no data" (None), never 100% or 0%, and a slip is only
called when both the window and the baseline hold enough events to mean something.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

MIN_BASELINE = 4  # scored deliveries before the window
MIN_WINDOW = 3  # scored deliveries inside it
ON_TIME_DROP = 0.25  # 95% -> 70% is a slip; 95% -> 80% is noise at these counts
RESPONSE_FACTOR = 2.0
RESPONSE_MIN_HOURS = 24.0
REVISION_RISE = 1.0
TREND_PERIODS = 4


@dataclass(frozen=True)
class Event:
    """One scored thing on a day: a delivery against its date, a response, a revision count."""

    day: date
    value: float


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def on_time_events(
    commitments: Iterable[dict[str, Any]], deliveries: Iterable[dict[str, Any]], today: date
) -> list[Event]:
    """1.0 for a delivery on or before its date, 0.0 for a late one or a promise that
    passed with nothing delivered. Deliveries no dated promise covers are not scored."""
    events = []
    for d in deliveries:
        if d.get("due_date"):
            delivered = date.fromisoformat(d["delivered_on"])
            events.append(Event(delivered, float(delivered <= date.fromisoformat(d["due_date"]))))
    for c in commitments:
        if (
            c.get("done_on")
            or c.get("conditional")  # its condition may not have been met
            or c["set_by"] == "vendor"
            and c["kind"] == "request_deadline"
        ):
            continue
        due = date.fromisoformat(c["due_date"])
        if due < today:
            events.append(Event(due, 0.0))
    return sorted(events, key=lambda e: e.day)


def revision_events(deliveries: Iterable[dict[str, Any]]) -> list[Event]:
    return [
        Event(date.fromisoformat(d["delivered_on"]), float(d.get("revision_rounds") or 0))
        for d in deliveries
    ]


def response_events(responses: Iterable[tuple[str, float]]) -> list[Event]:
    return [Event(datetime.fromisoformat(when).date(), hours) for when, hours in responses]


def windows(today: date, days: int) -> tuple[Window, Window]:
    """The recent window and the baseline before it (the vendor's whole earlier record)."""
    start = today - timedelta(days=days - 1)
    return Window(start, today), Window(date.min, start - timedelta(days=1))


def rate(events: Sequence[Event]) -> float | None:
    return sum(e.value for e in events) / len(events) if events else None


def median(events: Sequence[Event]) -> float | None:
    return statistics.median(e.value for e in events) if events else None


def mean(events: Sequence[Event]) -> float | None:
    return statistics.fmean(e.value for e in events) if events else None


def within(events: Iterable[Event], window: Window) -> list[Event]:
    return [e for e in events if window.holds(e.day)]


def split(events: Sequence[Event], today: date, days: int) -> tuple[list[Event], list[Event]]:
    """(recent, earlier): the events of the last `days` days and those before. When the
    record before the window is too short to compare with (a vendor hired four months
    ago), the recent side is the later half of the record inside the window, so a
    vendor who was on time for months and late for weeks is still seen slipping."""
    recent_window, earlier_window = windows(today, days)
    recent, earlier = within(events, recent_window), within(events, earlier_window)
    if len(earlier) >= MIN_BASELINE or len(events) < MIN_BASELINE + MIN_WINDOW:
        return recent, earlier
    keep = max(MIN_WINDOW, len(events) - max(MIN_BASELINE, len(events) // 2))
    recent = recent[-keep:]
    cut = len(events) - len(recent)
    return recent, list(events[:cut])


def summary(
    commitments: Sequence[dict[str, Any]],
    deliveries: Sequence[dict[str, Any]],
    responses: Sequence[tuple[str, float]],
    today: date,
    window_days: int = 90,
) -> dict[str, Any]:
    """The figures `vendor NAME` shows and the slip check reads."""
    on_time = on_time_events(commitments, deliveries, today)
    revisions = revision_events(deliveries)
    response = response_events(responses)
    figures: dict[str, Any] = {}
    for name, events, measure in (
        ("on_time_rate", on_time, rate),
        ("revision_rounds", revisions, mean),
        ("response_hours", response, median),
    ):
        recent, earlier = split(events, today, window_days)
        figures[name] = {
            "all": _round(measure(events)),
            "window": _round(measure(recent)),
            "baseline": _round(measure(earlier)),
            "count": len(events),
            "window_count": len(recent),
            "baseline_count": len(earlier),
            "window_from": recent[0].day.isoformat() if recent else None,
        }
    figures["on_time"] = {
        "on_time": int(sum(e.value for e in on_time)),
        "scored": len(on_time),
    }
    figures["trend"] = trend(on_time, today, window_days)
    figures["window_days"] = window_days
    return figures


def trend(events: Sequence[Event], today: date, days: int) -> list[dict[str, Any]]:
    """On-time rate over the last few windows, oldest first ("no data" stays None)."""
    periods = []
    end = today
    for _ in range(TREND_PERIODS):
        window = Window(end - timedelta(days=days - 1), end)
        inside = within(events, window)
        periods.append(
            {
                "from": window.start.isoformat(),
                "to": window.end.isoformat(),
                "on_time_rate": _round(rate(inside)),
                "scored": len(inside),
            }
        )
        end = window.start - timedelta(days=1)
    return list(reversed(periods))


def sparkline(values: Sequence[float | None]) -> str:
    """A tiny trend for tables: one block per period, a dot where there is no data."""
    blocks = "▁▂▃▄▅▆▇█"
    return "".join(
        "·" if v is None else blocks[min(len(blocks) - 1, int(v * (len(blocks) - 1) + 0.5))]
        for v in values
    )


def slips(figures: dict[str, Any]) -> list[str]:
    """The significant slips, each worded with its figures; empty when there is not
    enough behind a comparison to call it."""
    found = []
    on_time = figures["on_time_rate"]
    if (
        on_time["baseline_count"] >= MIN_BASELINE
        and on_time["window_count"] >= MIN_WINDOW
        and on_time["baseline"] - on_time["window"] >= ON_TIME_DROP
    ):
        found.append(
            f"on-time {_pct(on_time['baseline'])} → {_pct(on_time['window'])} "
            f"({_since(on_time, figures)}, {on_time['window_count']} deliveries scored, "
            f"{on_time['baseline_count']} before)"
        )
    response = figures["response_hours"]
    if (
        response["baseline_count"] >= MIN_BASELINE
        and response["window_count"] >= MIN_WINDOW
        and response["window"] >= response["baseline"] * RESPONSE_FACTOR
        and response["window"] - response["baseline"] >= RESPONSE_MIN_HOURS
    ):
        found.append(
            f"median response time {response['baseline']:.0f} h → {response['window']:.0f} h "
            f"({_since(response, figures)})"
        )
    revisions = figures["revision_rounds"]
    if (
        revisions["baseline_count"] >= MIN_BASELINE
        and revisions["window_count"] >= MIN_WINDOW
        and revisions["window"] - revisions["baseline"] >= REVISION_RISE
    ):
        found.append(
            f"revision rounds per delivery {revisions['baseline']:.1f} → "
            f"{revisions['window']:.1f} ({_since(revisions, figures)})"
        )
    return found


def _since(metric: dict[str, Any], figures: dict[str, Any]) -> str:
    if metric["baseline_count"] and metric["window_from"]:
        return f"since {metric['window_from']}"
    return f"over the last {figures['window_days']} days"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
