"""Dated commitments: vendor promises and deadlines, and what is not one (nlp.commitments).

Sentences are written for these tests, in the languages vendors write in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from vendorwatch.nlp.commitments import Commitment, extract_commitments, sentences

# Tuesday 14 October 2025, 11:00 in the sender's zone
TUE = datetime(2025, 10, 14, 11, 0, tzinfo=timezone(timedelta(hours=2)))


def one(text: str, direction: str = "in", sent: datetime = TUE, **kw) -> Commitment:
    found = extract_commitments(text, sent, direction, **kw)
    assert len(found) == 1, found
    return found[0]


def none(text: str, direction: str = "in", sent: datetime = TUE) -> None:
    found = extract_commitments(text, sent, direction)
    assert found == [], found


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("I'll send the wireframes by Friday.", date(2025, 10, 17)),
        ("We can have the API changes on staging by the 22nd.", date(2025, 10, 22)),
        ("The updated logo files will be ready on Monday 20 October.", date(2025, 10, 20)),
        ("You will get the cleaned spreadsheet tomorrow EOD.", date(2025, 10, 15)),
        ("Expect the full report by end of next week.", date(2025, 10, 24)),
        ("I'll deliver within 3 business days.", date(2025, 10, 17)),
        ("Te mando los textos corregidos el jueves.", date(2025, 10, 16)),
        ("Puedo entregar la versión final para el 24 de octubre.", date(2025, 10, 24)),
        ("Envio as gravações até quinta-feira.", date(2025, 10, 16)),
        ("Entregamos o relatório na sexta, dia 17.", date(2025, 10, 17)),
        ("Die Übersetzung schicke ich Ihnen bis Donnerstag.", date(2025, 10, 16)),
        ("Ich liefere bis 24.10.", date(2025, 10, 24)),
        ("Saya akan kirim desainnya hari Kamis.", date(2025, 10, 16)),
        ("Kami kirim laporan paling lambat tanggal 20.", date(2025, 10, 20)),
        ("Vă trimit documentația până vineri.", date(2025, 10, 17)),
        ("Je vous envoie la maquette vendredi.", date(2025, 10, 17)),
        (
            "Sorry for the delay, the fixed build will be up by Thursday at the latest.",
            date(2025, 10, 16),
        ),
    ],
)
def test_vendor_promises(text: str, due: date) -> None:
    c = one(text)
    assert (c.kind, c.by, c.due) == ("delivery", "vendor", due)
    assert not c.conditional


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("We need the translated strings by the 20th.", date(2025, 10, 20)),
        ("Please send the test results within 48 hours.", date(2025, 10, 16)),
        ("Could you deliver the icons by Wednesday, October 22?", date(2025, 10, 22)),
        ("Final copy by end of month would be great.", date(2025, 10, 31)),
        (
            "Launch is on Friday the 24th, so please have the build ready by then.",
            date(2025, 10, 24),
        ),
        ("Por favor, envíame el presupuesto antes del jueves.", date(2025, 10, 16)),
        ("Bitte schicken Sie die Dateien bis 21.10.", date(2025, 10, 21)),
        ("Tolong kirim revisinya sebelum hari Senin.", date(2025, 10, 20)),
    ],
)
def test_owner_deadlines(text: str, due: date) -> None:
    c = one(text, "out")
    assert (c.kind, c.by, c.due) == ("request_deadline", "owner", due)


def test_vendor_can_set_a_deadline_for_the_owner() -> None:
    c = one("Please send your feedback on the first cut by Thursday.")
    assert (c.kind, c.by, c.due) == ("request_deadline", "vendor", date(2025, 10, 16))


def test_conditional_promise_is_kept_and_flagged() -> None:
    c = one("If I get the copy by tomorrow, I'll deliver the layouts by Monday.")
    assert c.kind == "delivery"
    assert c.due == date(2025, 10, 20)
    assert c.conditional
    c = one("Wenn ich bis morgen Bescheid bekomme, liefere ich bis 23.10.")
    assert (c.due, c.conditional) == (date(2025, 10, 23), True)


def test_numeric_dates_follow_the_vendors_order() -> None:
    assert one("I'll send it by 11/12.", day_first=False).due == date(2025, 11, 12)
    assert one("I'll send it by 11/12.", day_first=True).due == date(2025, 12, 11)


def test_text_and_span_are_reported() -> None:
    c = one("Thanks!\n\nI'll send the\ndrafts by Friday. Have a nice day.")
    assert c.text == "I'll send the drafts by Friday."
    assert c.span == "Friday"


@pytest.mark.parametrize(
    "text",
    [
        # vague timing
        "I'll send the drafts soon.",
        "Should be ready in about two weeks.",
        "We'll get it done this sprint.",
        "Lo tengo en un rato.",
        # call times and meeting proposals
        "Can we do a call on Thursday at 3pm?",
        "Would Monday at 10:00 my time work for you?",
        "I'm free Wednesday or Thursday afternoon.",
        "Können wir am Donnerstag telefonieren?",
        # invoices and payment terms
        "Invoice INV-204 is attached, due 30 October.",
        "Payment within 14 days, please.",
        "La factura vence el 31 de octubre.",
        # the past
        "I sent the files on Monday.",
        "We delivered the first batch yesterday, as promised on the 10th.",
        # being away
        "I'm on holiday until 27 October.",
        "Estoy de vacaciones hasta el lunes.",
        # no date at all
        "I'll send it as soon as I can.",
        # a date about something else
        "Our office reopens after the 20th.",
        "Mercy from my team will back up the queue on Saturday.",
    ],
)
def test_vendor_non_commitments(text: str) -> None:
    none(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'll review it by Friday and get back to you.",  # the owner's own plan
        "We launch on the 28th.",  # context, nothing asked
        "Could you do a quick call on Thursday at 9am?",
        "Paid invoice INV-204 today.",
        "I'm travelling until Monday, so replies will be slow.",
        "Thanks for the files you sent on Friday!",
        "Please send it whenever you get a chance.",
    ],
)
def test_owner_non_commitments(text: str) -> None:
    none(text, "out")


def test_one_commitment_per_sentence_and_several_per_message() -> None:
    text = (
        "Hi Dana,\n\nThe sketches will be with you by Thursday. The final files follow "
        "by the 31st.\n\nInvoice attached, due on receipt.\n\nBest,\nRavi"
    )
    found = extract_commitments(text, TUE, "in")
    assert [(c.kind, c.due) for c in found] == [
        ("delivery", date(2025, 10, 16)),
        ("delivery", date(2025, 10, 31)),
    ]


def test_a_date_already_past_is_not_a_commitment() -> None:
    none("The revised version will be on staging by 3 October.")


def test_quoted_header_blocks_are_not_read() -> None:
    text = (
        "Thanks, noted.\n\n________________________________\nFrom: Dana <d@x.example>\n"
        "Sent: Monday, October 13, 2025 9:00\nTo: Ravi\n\nPlease send it by Friday."
    )
    none(text)


def test_sentences_split_list_items_and_short_lines() -> None:
    text = "Plan:\n- Drafts by Friday\n- Final by the 24th\nJatuh tempo: 30 Oktober 2025\n"
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["Plan:", "Drafts by Friday", "Final by the 24th", "Jatuh tempo: 30 Oktober 2025"]


def test_bad_input_never_raises() -> None:
    assert extract_commitments(None, TUE, "in") == []  # type: ignore[arg-type]
    assert extract_commitments("I'll send it Friday.", None, "in") == []  # type: ignore[arg-type]
    assert extract_commitments("I'll send it Friday.", TUE, "sideways") == []
    assert extract_commitments("", TUE, "in") == []
    assert extract_commitments("by Friday " * 5000, TUE, "in") is not None


def test_vendor_needing_something_by_a_date_is_their_request() -> None:
    c = one("We need the final copy by Thursday to start the layout.")
    assert (c.kind, c.by) == ("request_deadline", "vendor")
    c = one("Necesito los textos antes del jueves.")
    assert (c.kind, c.by) == ("request_deadline", "vendor")


def test_the_vendors_own_to_do_is_not_a_request() -> None:
    c = one("I'll send the fonts on Monday, I need to convert them first.")
    assert (c.kind, c.by) == ("delivery", "vendor")


def test_owner_limit_without_asking_is_a_deadline() -> None:
    c = one("Final artwork by Friday the 24th, as the printer needs two days.", "out")
    assert (c.kind, c.by, c.due) == ("request_deadline", "owner", date(2025, 10, 24))
    c = one("Please put the new prices live on 20 October.", "out")
    assert c.due == date(2025, 10, 20)
    none("We will decide on the layout by Friday.", "out")


def test_standing_rules_are_not_one_date() -> None:
    none("Please answer tickets within 4 hours on weekdays.", "out")
    none("We send the report every Monday.")


def test_an_owner_request_for_today_is_a_deadline_but_a_day_talked_about_is_not():
    sent = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
    (found,) = extract_commitments(
        "The packing slip is wrong. Can you check it today, please?", sent, "out"
    )
    assert (found.kind, found.due.isoformat()) == ("request_deadline", "2026-10-22")
    assert extract_commitments("Please show the tasks for today first.", sent, "out") == []
    assert extract_commitments("I'll look at it today.", sent, "out") == []
