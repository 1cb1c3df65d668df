"""Tracked work and money in the store: statuses on a given day, the owner's marks
winning, re-extraction never duplicating, and the quality figures."""

from __future__ import annotations

from datetime import date

import pytest

from vendorwatch.daemon import quality
from vendorwatch.daemon.errors import NotFoundError
from vendorwatch.daemon.store import Store

TODAY = date(2025, 6, 20)


def _message(store: Store, key: str, thread: str, direction: str, when: str) -> None:
    store.insert_message(
        {
            "message_key": key,
            "message_id": key,
            "thread_id": thread,
            "direction": direction,
            "vendor": "Ravi",
            "subject": "Logo",
            "date": when,
            "date_utc": when,
        },
        b"raw",
    )


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "t.db") as store:
        store.save_vendors([{"name": "Ravi", "addresses": ["ravi@px.example"], "domains": []}])
        with store.transaction():
            _message(store, "m1", "t1", "in", "2025-06-01T10:00:00+00:00")
            store.save_extractions(
                "m1",
                {
                    "commitments": [
                        {
                            "ckey": "m1#c0",
                            "message_key": "m1",
                            "message_id": "m1",
                            "thread_id": "t1",
                            "vendor": "Ravi",
                            "kind": "delivery",
                            "set_by": "vendor",
                            "due_date": date(2025, 6, 10),
                            "text": "I'll send the drafts by Tuesday.",
                            "made_at": "2025-06-01T10:00:00+00:00",
                        },
                        {
                            "ckey": "m1#c1",
                            "message_key": "m1",
                            "message_id": "m1",
                            "thread_id": "t1",
                            "vendor": "Ravi",
                            "kind": "delivery",
                            "set_by": "vendor",
                            "due_date": date(2025, 6, 30),
                            "text": "Finals by the 30th.",
                            "made_at": "2025-06-01T10:00:00+00:00",
                        },
                    ],
                    "invoices": [
                        {
                            "ikey": "m1#i0",
                            "message_key": "m1",
                            "message_id": "m1",
                            "thread_id": "t1",
                            "vendor": "Ravi",
                            "number": "INV-7",
                            "amount": "1250.00",
                            "currency": "USD",
                            "issued": date(2025, 6, 1),
                            "due": date(2025, 6, 15),
                        },
                        {
                            "ikey": "m1#i1",
                            "message_key": "m1",
                            "message_id": "m1",
                            "thread_id": "t1",
                            "vendor": "Ravi",
                            "number": "INV-8",
                            "amount": "99.50",
                            "currency": "USD",
                            "issued": date(2025, 6, 1),
                            "due": date(2025, 6, 25),
                        },
                    ],
                },
            )
        yield store


def test_statuses_on_a_day(store):
    rows = store.due(TODAY)
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("delivery", "overdue"),
        ("payment", "overdue"),
        ("payment", "open"),
        ("delivery", "open"),
    ]
    assert rows[1]["invoice_number"] == "INV-7" and rows[1]["amount"] == "1250.00"
    invoices = {r["number"]: r["status"] for r in store.invoices(TODAY)}
    assert invoices == {"INV-7": "overdue", "INV-8": "open"}


def test_payment_and_marks(store):
    with store.transaction():
        _message(store, "m2", "t1", "out", "2025-06-16T10:00:00+00:00")
        store.save_extractions(
            "m2",
            {
                "payments": [
                    {
                        "pkey": "m2#p0",
                        "message_key": "m2",
                        "vendor": "Ravi",
                        "invoice_number": "inv-7",
                        "paid_on": date(2025, 6, 16),
                        "kind": "owner_sent",
                    }
                ]
            },
        )
    paid = {r["number"]: r for r in store.invoices(TODAY)}
    assert paid["INV-7"]["status"] == "paid_late" and paid["INV-7"]["paid_on"] == "2025-06-16"
    # the owner's record wins over the mail, and survives re-extraction
    store.add_mark("paid", store.mark_target("paid", "INV-7"), "2025-06-14")
    store.add_mark("delivered", store.mark_target("delivered", "1"), "2025-06-09")
    with store.transaction():
        store.save_extractions("m2", {"payments": []})
    assert {r["number"]: r["status"] for r in store.invoices(TODAY)}["INV-7"] == "paid"
    done = store.due(TODAY, include_done=True)
    assert done[0]["status"] == "done" and done[0]["done_on"] == "2025-06-09"
    assert [r["status"] for r in store.due(TODAY)] == ["open", "open"]


def test_unknown_mark_targets_are_one_line_errors(store):
    with pytest.raises(NotFoundError, match="no invoice numbered 'INV-404'"):
        store.mark_target("paid", "INV-404")
    with pytest.raises(NotFoundError, match="no commitment with id 99"):
        store.mark_target("delivered", "99")
    with pytest.raises(NotFoundError, match="no delivery"):
        store.mark_target("reviewed", "<nope@x>")


def test_re_extraction_replaces_rows(store):
    before = store.due(TODAY, include_done=True)
    with store.transaction():
        store.save_extractions("m1", {"commitments": [], "invoices": []})
    assert store.due(TODAY, include_done=True) == []
    assert len(before) == 4


def test_vendors_overview_counts_open_work_and_unpaid_totals(store):
    (ravi,) = store.vendors_overview(TODAY)
    assert ravi["open_deliveries"] == 2
    assert ravi["unpaid_invoices"] == 2
    assert ravi["unpaid_totals"] == {"USD": "1349.50"}
    # one promise passed with nothing delivered: 0 of 1 on time
    assert ravi["on_time_rate"] == 0.0
    assert store.vendors_overview(date(2025, 6, 5))[0]["on_time_rate"] is None  # no data


def test_quality_window_no_data_and_slip():
    deliveries = [
        {"delivered_on": f"2024-{m:02d}-10", "due_date": f"2024-{m:02d}-10", "revision_rounds": 0}
        for m in range(1, 9)
    ]
    late = [
        {"delivered_on": f"2025-0{m}-12", "due_date": f"2025-0{m}-10", "revision_rounds": 2}
        for m in (4, 5, 6)
    ]
    figures = quality.summary([], deliveries + late, [], date(2025, 6, 30))
    assert figures["on_time_rate"]["baseline"] == 1.0
    assert figures["on_time_rate"]["window"] == 0.0
    slips = quality.slips(figures)
    assert any(s.startswith("on-time 100% → 0%") for s in slips)
    assert any(s.startswith("revision rounds") for s in slips)
    quiet = quality.summary([], deliveries, [], date(2025, 6, 30))
    assert quiet["on_time_rate"]["window"] is None  # no deliveries: no data, not 0%
    assert quality.slips(quiet) == []
    too_few = quality.summary([], deliveries[:2] + late, [], date(2025, 6, 30))
    assert quality.slips(too_few) == []  # a baseline of 2 means nothing
    assert quality.sparkline([None, 1.0, 0.0]) == "·█▁"


def test_slip_seen_for_a_vendor_hired_within_the_window():
    """Four on time in August and September, four late since: the window holds all eight,
    so the later half is compared with the earlier half."""
    days = ["08-19", "08-20", "09-16", "09-30", "10-21", "10-23", "11-24", "11-26"]
    deliveries = [
        {
            "delivered_on": f"2026-{d}",
            "due_date": f"2026-{d}" if i < 4 else "2026-10-01",
            "revision_rounds": 0,
        }
        for i, d in enumerate(days)
    ]
    figures = quality.summary([], deliveries, [], date(2026, 11, 27))
    (slip,) = quality.slips(figures)
    assert slip.startswith("on-time 100% → 0% (since 2026-10-21, 4 deliveries scored, 4 before)")
