"""Date expressions resolved in the sender's calendar (nlp.dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from vendorwatch.nlp.dates import add_business_days, find_dates, parse_date


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0, offset: float = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=timezone(timedelta(hours=offset)))


WED = at(2025, 4, 9, offset=-3)  # Wednesday 9 April 2025, Buenos Aires


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 April", date(2025, 4, 30)),
        ("30 April 2025", date(2025, 4, 30)),
        ("April 30", date(2025, 4, 30)),
        ("April 30th, 2026", date(2026, 4, 30)),
        ("the 30th of April", date(2025, 4, 30)),
        ("2025-06-16", date(2025, 6, 16)),
        ("07.04.2025", date(2025, 4, 7)),
        ("20.05.", date(2025, 5, 20)),
        ("30 de abril", date(2025, 4, 30)),
        ("16 de maio", date(2025, 5, 16)),
        ("4. Mai", date(2025, 5, 4)),
        ("12 iunie", date(2025, 6, 12)),
        ("le 3 juin", date(2025, 6, 3)),
        ("tanggal 2 Mei", date(2025, 5, 2)),
        ("Friday", date(2025, 4, 11)),
        ("viernes", date(2025, 4, 11)),
        ("Jumat", date(2025, 4, 11)),
        ("sexta-feira", date(2025, 4, 11)),
        ("Freitag", date(2025, 4, 11)),
        ("vineri", date(2025, 4, 11)),
        ("vendredi", date(2025, 4, 11)),
        ("Wednesday", date(2025, 4, 16)),  # the same weekday means next week's
        ("next Monday", date(2025, 4, 14)),
        ("this Thursday", date(2025, 4, 10)),
        ("Monday next week", date(2025, 4, 14)),
        ("Thursday next week", date(2025, 4, 17)),
        ("the 15th", date(2025, 4, 15)),
        ("the 3rd", date(2025, 5, 3)),  # already past this month
        ("tomorrow", date(2025, 4, 10)),
        ("mañana", date(2025, 4, 10)),
        ("besok", date(2025, 4, 10)),
        ("day after tomorrow", date(2025, 4, 11)),
        ("EOD", date(2025, 4, 9)),
        ("tomorrow EOD", date(2025, 4, 10)),
        ("EOD Friday", date(2025, 4, 11)),
        ("end of month", date(2025, 4, 30)),
        ("end of next month", date(2025, 5, 31)),
        ("end of the week", date(2025, 4, 11)),
        ("end of next week", date(2025, 4, 18)),
        ("fin de mes", date(2025, 4, 30)),
        ("within 3 business days", date(2025, 4, 14)),
        ("within 3 days", date(2025, 4, 12)),
        ("in 48 hours", date(2025, 4, 11)),
        ("dalam 2 hari kerja", date(2025, 4, 11)),
        ("innerhalb von 5 Werktagen", date(2025, 4, 16)),
    ],
)
def test_forms(text: str, expected: date) -> None:
    assert parse_date(text, WED) == expected


@pytest.mark.parametrize(
    "text",
    ["soon", "in a while", "Q2", "in about two weeks", "this sprint", "next week", "", "May"],
)
def test_vague_is_no_date(text: str) -> None:
    assert parse_date(text, WED) is None
    assert find_dates(text, WED) == []


def test_impossible_dates_are_none() -> None:
    assert parse_date("31/02", WED) is None
    assert parse_date("31.02.2025", WED) is None
    assert parse_date("30 February", WED) is None
    assert parse_date("2025-13-01", WED) is None


def test_numeric_order_follows_the_locale() -> None:
    sent = at(2025, 3, 1)
    assert parse_date("12/03", sent, day_first=True) == date(2025, 3, 12)
    assert parse_date("12/03", sent, day_first=False) == date(2025, 12, 3)
    assert parse_date("04/05/2025", sent, day_first=True) == date(2025, 5, 4)
    assert parse_date("04/05/2025", sent, day_first=False) == date(2025, 4, 5)


def test_numeric_order_from_the_values_when_unknown() -> None:
    sent = at(2025, 11, 4, offset=-5)
    assert parse_date("11/20", sent) == date(2025, 11, 20)  # 20 cannot be a month
    assert parse_date("16/06", sent) == date(2026, 6, 16)
    # both readings valid: the one not before the message wins (10 Nov, not 11 Oct)
    assert parse_date("10/11", at(2025, 11, 3)) == date(2025, 11, 10)


def test_a_reading_the_locale_cannot_give_falls_back_to_the_other() -> None:
    assert parse_date("11/20", at(2025, 11, 4), day_first=True) == date(2025, 11, 20)


def test_dotted_numeric_dates_are_day_first() -> None:
    assert parse_date("03.12.2025", at(2025, 11, 3), day_first=False) == date(2025, 12, 3)


def test_weekday_resolves_in_the_senders_calendar() -> None:
    """Friday 06:30 in Jakarta is still Thursday in UTC and in New York: "tomorrow" and
    "by Friday" are counted from the sender's Friday."""
    sent = at(2025, 4, 11, 6, 30, offset=7)
    assert parse_date("tomorrow", sent) == date(2025, 4, 12)
    assert parse_date("Friday", sent) == date(2025, 4, 18)
    as_utc = sent.astimezone(UTC)
    assert parse_date("tomorrow", as_utc) == date(2025, 4, 11)
    assert parse_date("Friday", as_utc) == date(2025, 4, 11)


def test_hours_count_from_the_timestamp_across_a_dst_change() -> None:
    """Lisbon leaves summer time on 26 October 2025: 48 hours after Saturday 25 October 22:00
    (+01:00) is Monday 27 October 21:00 (+00:00), still Monday for the sender."""
    lisbon = ZoneInfo("Europe/Lisbon")
    sent = datetime(2025, 10, 25, 22, 0, tzinfo=lisbon)
    assert sent.utcoffset() == timedelta(hours=1)
    assert parse_date("within 48 hours", sent) == date(2025, 10, 27)
    late = datetime(2025, 10, 25, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    assert parse_date("in 24 hours", late) == date(2025, 10, 26)


def test_dst_offsets_of_the_header_decide_the_local_date() -> None:
    """New York at -04:00 in summer: 21:30 local is already the next day in UTC."""
    sent = datetime(2025, 7, 10, 21, 30, tzinfo=ZoneInfo("America/New_York"))
    assert parse_date("tomorrow", sent) == date(2025, 7, 11)
    assert parse_date("Friday", sent) == date(2025, 7, 11)


def test_year_rolls_over_from_december_to_january() -> None:
    dec = at(2025, 12, 18)
    assert parse_date("5 January", dec) == date(2026, 1, 5)
    assert parse_date("January 5", dec) == date(2026, 1, 5)
    assert parse_date("05/01", dec, day_first=True) == date(2026, 1, 5)
    assert parse_date("the 2nd", dec) == date(2026, 1, 2)
    assert parse_date("Monday", at(2025, 12, 31)) == date(2026, 1, 5)
    assert parse_date("within 5 business days", at(2025, 12, 29)) == date(2026, 1, 5)
    # and back: late December mentioned in early January is last month
    assert parse_date("28 December", at(2026, 1, 3)) == date(2025, 12, 28)


def test_explicit_date_wins_over_its_weekday() -> None:
    sent = at(2025, 3, 8)
    assert parse_date("next Thursday, 13 March", sent) == date(2025, 3, 13)
    assert parse_date("sexta-feira, dia 16 de maio", at(2025, 5, 2)) == date(2025, 5, 16)
    assert parse_date("Monday 4th August", at(2025, 7, 24)) == date(2025, 8, 4)


def test_weekday_with_day_number_picks_the_month_where_it_fits() -> None:
    assert parse_date("Friday the 20th", at(2025, 6, 17)) == date(2025, 6, 20)
    assert parse_date("miércoles 14", at(2025, 5, 9)) == date(2025, 5, 14)
    # the 1st of next month is a Wednesday
    assert parse_date("Wednesday the 1st", at(2025, 9, 20)) == date(2025, 10, 1)


def test_business_days_skip_weekends() -> None:
    assert add_business_days(date(2025, 4, 11), 1) == date(2025, 4, 14)
    assert add_business_days(date(2025, 4, 12), 1) == date(2025, 4, 14)
    assert add_business_days(date(2025, 4, 9), 0) == date(2025, 4, 9)
    assert add_business_days(date(2025, 4, 9), 10) == date(2025, 4, 23)


def spans(text: str, sent: datetime = WED, **kw) -> list[tuple[str, str]]:
    return [(m.text, m.value.isoformat()) for m in find_dates(text, sent, **kw)]


def test_find_dates_gives_spans_in_the_text() -> None:
    text = "I'll have the drafts ready by Friday and the final set by the 25th."
    found = find_dates(text, WED)
    assert [(m.text, m.value) for m in found] == [
        ("Friday", date(2025, 4, 11)),
        ("the 25th", date(2025, 4, 25)),
    ]
    for m in found:
        assert text[m.start : m.end] == m.text


def test_find_dates_ignores_words_that_only_look_like_dates() -> None:
    text = (
        "We may need to revisit ticket #4411 and PR #2025; version 1.2.3 costs EUR 1.250,00 "
        "and Rp 7.300.000. We offer 24/7 support. This is the 3rd round of feedback. "
        "Up 2.5% on last month; the 2nd draft is better."
    )
    assert spans(text) == []


def test_bare_numbers_need_a_word_that_makes_them_dates() -> None:
    assert spans("Ships by 16/06.") == [("16/06", "2025-06-16")]
    assert spans("Liefere ich bis 20.05.") == [("20.05.", "2025-05-20")]
    assert spans("Ratio 3/4 of the screens") == []
    assert spans("Final by 11/20, notes first.", day_first=False) == [("11/20", "2025-11-20")]


def test_past_and_recurring_weekdays_are_not_resolved_forward() -> None:
    assert spans("I sent it last Friday.") == []
    assert spans("We meet every Monday.") == []
    assert spans("Terima kasih untuk call Jumat lalu.") == []
    assert spans("Reports go out on Fridays.") == []


def test_ambiguous_weekday_words_need_context() -> None:
    assert spans("A segunda versão está pronta.") == []  # "second"
    assert spans("Envio na sexta.") == [("sexta", "2025-04-11")]
    assert spans("Kita bicara minggu depan.") == []  # "next week", not Sunday
    assert spans("Saya kirim hari Minggu.") == [("Minggu", "2025-04-13")]


def test_morning_is_not_tomorrow() -> None:
    assert spans("Lo reviso por la mañana.") == []
    assert spans("Heute Morgen war ich beim Kunden.") == [("Heute", "2025-04-09")]
    assert spans("Te lo mando mañana.") == [("mañana", "2025-04-10")]


def test_within_counts_from_the_message_not_from_an_event() -> None:
    assert spans("Results within 48 hours of receiving your build.") == []
    assert spans("Results within 48 hours.") == [("within 48 hours", "2025-04-11")]
    assert spans("Results in 2-3 days.") == []


def test_bad_input_never_raises() -> None:
    assert find_dates(None, WED) == []  # type: ignore[arg-type]
    assert find_dates("Friday", None) == []  # type: ignore[arg-type]
    assert parse_date("Friday", "2025-04-09") is None  # type: ignore[arg-type]
    assert find_dates("within 99999999 days", WED) == []
    assert find_dates("by the 99th", WED) == []
    naive = datetime(2025, 4, 9, 10, 0)
    assert parse_date("Friday", naive) == date(2025, 4, 11)


def test_a_range_of_days_is_not_one_date() -> None:
    assert spans("Sale runs 27-30 November.") == []
    assert spans("The migration weekend is September 27–28.") == []
    assert spans("Offline from 3 to 7 May.") == []
