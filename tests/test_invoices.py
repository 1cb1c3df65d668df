"""Invoices from vendor mail and attached invoices: number, amount, currency, dates, terms."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vendorwatch.nlp.invoices import extract_invoices, segment

SENT = datetime(2026, 3, 2, 10, 15, tzinfo=timezone(timedelta(hours=1)))  # Monday 2 March


def one(text, attachments=(), sent=SENT, day_first=None):
    invoices = extract_invoices(text, list(attachments), sent, day_first)
    assert len(invoices) == 1, invoices
    return invoices[0]


def test_inline_invoice_with_net_terms():
    inv = one("Hi Dana,\n\nAttached is invoice ACME-2031 for $1,250.00, Net 30.\n\nBest, Ravi")
    assert (inv.number, inv.amount, inv.currency) == ("ACME-2031", Decimal("1250.00"), "USD")
    assert inv.issued == date(2026, 3, 2)
    assert (inv.terms, inv.due) == ("net 30", date(2026, 4, 1))
    assert inv.source == "text" and inv.notes == () and not inv.reminder


def test_sender_calendar_decides_the_issue_date():
    late_evening = datetime(2026, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert one("Invoice Q7-118 for USD 90, due on receipt.", sent=late_evening).issued == date(
        2026, 3, 2
    )


def test_attached_document_wins_and_fills_dates():
    pdf = (
        "INVOICE PX-0042\nPixelcraft Studio\nInvoice date: 26.02.2026\n"
        "Design work 12 h x EUR 55,00    EUR 660,00\nHosting    EUR 40,00\n"
        "Total: EUR 700,00\nPayment terms: Net 15\n"
    )
    inv = one("Please find my invoice attached.", [("Invoice_PX-0042.pdf", pdf)], day_first=True)
    assert (inv.number, inv.amount, inv.currency) == ("PX-0042", Decimal("700.00"), "EUR")
    assert inv.issued == date(2026, 2, 26)
    assert (inv.terms, inv.due) == ("net 15", date(2026, 3, 13))
    assert inv.source == "Invoice_PX-0042.pdf"


def test_text_and_document_disagreeing_is_noted():
    pdf = "INVOICE PX-0042\nTotal: EUR 700,00\n"
    inv = one("Invoice PX-0042 for EUR 650 attached.", [("PX-0042.pdf", pdf)])
    assert inv.amount == Decimal("700.00")
    assert any("650" in n and "700" in n for n in inv.notes)


def test_csv_invoice_attachment():
    csv = (
        "invoice,INV-2026-3\nitem,qty,price\n"
        "logo,1,USD 300.00\nicons,4,USD 50.00\ntotal,,USD 500.00\n"
    )
    inv = one("Here you go.", [("invoice_march.csv", csv)])
    assert (inv.number, inv.amount, inv.currency) == ("INV-2026-3", Decimal("500.00"), "USD")


def test_unit_prices_and_sums():
    inv = one("My invoice WD-12: 40 hours × USD 45 per hour = USD 1,800.00.")
    assert inv.amount == Decimal("1800.00")
    inv = one("Invoice LB-9 is attached: Rp 1.450.000 per illustration, total Rp 5.800.000.")
    assert (inv.amount, inv.currency) == (Decimal("5800000.00"), "IDR")


@pytest.mark.parametrize(
    "text, day_first, number, amount, currency, due",
    [
        (
            "Hallo Dana,\n\nanbei die Rechnung RE-2026-17 über 1.320,00 €, zahlbar bis 07.04.2026.",
            True,
            "RE-2026-17",
            "1320.00",
            "EUR",
            date(2026, 4, 7),
        ),
        (
            "Te adjunto la factura F-0311 por ARS 285.000, vence el 16/03.",
            True,
            "F-0311",
            "285000.00",
            "ARS",
            date(2026, 3, 16),
        ),
        (
            "Segue em anexo a fatura FT 2026/45 no valor de R$ 3.200,00, vencimento 20/03/2026.",
            True,
            "FT",
            None,
            None,
            None,
        ),
        (
            "Halo,\n\nInvoice saya:\nNomor invoice: PR/2026/003\nJumlah: Rp 4.500.000\n"
            "Jatuh tempo: 9 Maret 2026",
            None,
            "PR/2026/003",
            "4500000.00",
            "IDR",
            date(2026, 3, 9),
        ),
        (
            "Vă trimit atașat factura CC-2026-0007, total RON 4.750,00, scadentă 16.03.2026.",
            True,
            "CC-2026-0007",
            "4750.00",
            "RON",
            date(2026, 3, 16),
        ),
    ],
)
def test_languages(text, day_first, number, amount, currency, due):
    invoices = extract_invoices(text, [], SENT, day_first)
    if amount is None:  # "FT 2026/45": a number with a space is not read as one token
        assert all(i.number != "FT 2026/45" for i in invoices)
        return
    (inv,) = invoices
    assert (inv.number, inv.amount, inv.currency, inv.due) == (
        number,
        Decimal(amount),
        currency,
        due,
    )


@pytest.mark.parametrize(
    "sentence, terms, days",
    [
        ("Payment is due on receipt.", "due on receipt", 0),
        ("Payment within 7 days please.", "7 days", 7),
        ("It is due in 14 days.", "14 days", 14),
        ("Zahlbar innerhalb von 10 Tagen.", "10 days", 10),
        ("Pembayaran dalam 14 hari.", "14 days", 14),
        ("Terms: net 45.", "net 45", 45),
    ],
)
def test_terms_applied_to_the_issue_date(sentence, terms, days):
    inv = one(f"Invoice ZX-501 for USD 200.00 is attached.\n\n{sentence}")
    assert inv.terms == terms
    assert inv.due == date(2026, 3, 2) + timedelta(days=days)


def test_business_day_terms():
    inv = one("Invoice ZX-502 for USD 200.00, payable within 5 business days.")
    assert (inv.terms, inv.due) == ("5 business days", date(2026, 3, 9))


def test_stated_due_date_beats_terms():
    inv = one("Invoice ZX-503 (EUR 80,00), net 30, due 15 March.")
    assert inv.due == date(2026, 3, 15)


def test_day_month_order_from_sense_when_locale_unknown():
    sent = datetime(2026, 11, 3, 9, 0, tzinfo=timezone(timedelta(hours=-3)))
    assert one("Invoice OC-88 for ARS 120.000, due 10/11.", sent=sent).due == date(2026, 11, 10)
    # a locale that reads it as 11 October (before the invoice) is overruled, with a note
    inv = one("Invoice OC-88 for ARS 120.000, due 10/11.", sent=sent, day_first=False)
    assert inv.due == date(2026, 11, 10)
    assert any("other day/month order" in n for n in inv.notes)


def test_two_invoices_in_one_message():
    text = (
        "Hi,\n\nInvoice A-101 for USD 300.00 covers January, Net 15.\n\n"
        "Invoice A-102 for USD 450.00 covers February, Net 30."
    )
    invoices = extract_invoices(text, [], SENT)
    assert [(i.number, i.amount, i.due) for i in invoices] == [
        ("A-101", Decimal("300.00"), date(2026, 3, 17)),
        ("A-102", Decimal("450.00"), date(2026, 4, 1)),
    ]


# ---- bad input: kept with what could be read, and a note -----------------------------------


def test_no_amount():
    inv = one("Invoice NA-1 is attached, Net 30.")
    assert inv.amount is None and inv.currency is None
    assert "no amount" in inv.notes


def test_two_currencies_leave_the_amount_empty():
    inv = one("Invoice TC-7: USD 500.00 (EUR 460.00), due 20 March.")
    assert inv.amount is None
    assert "two currencies (EUR, USD): amount left empty" in inv.notes
    assert inv.due == date(2026, 3, 20)


def test_negative_amount_is_kept_with_a_note():
    inv = one("Credit note on invoice CN-4: total -EUR 120,00.")
    assert inv.amount == Decimal("-120.00")
    assert "negative amount" in inv.notes


def test_impossible_date():
    inv = one("Invoice IM-31 for USD 99.00, due 31/02.")
    assert inv.due is None
    assert "impossible date 31/02" in inv.notes
    assert "no due date or terms" in inv.notes


def test_unreadable_attachment_is_noted():
    inv = one("Invoice ENC-9 attached, USD 75.00, net 7.", [("Invoice_ENC-9.pdf", None)])
    assert inv.amount == Decimal("75.00")
    assert any("ENC-9.pdf" in n and "no text" in n for n in inv.notes)


def test_unnumbered_invoice():
    inv = one("Please find attached my invoice for EUR 300,00.")
    assert inv.number is None
    assert inv.amount == Decimal("300.00")
    assert "no invoice number" in inv.notes


@pytest.mark.parametrize("text", ["", "   ", "\x00\xff\xfe" * 100, "Thanks, talk soon!"])
def test_nothing_to_read(text):
    assert extract_invoices(text, [("logo.png", None)], SENT) == []


def test_bad_types_do_not_raise():
    assert extract_invoices(None, None, SENT) == []  # type: ignore[arg-type]
    assert extract_invoices("Invoice X-1 for USD 5", [], "yesterday") == []  # type: ignore[arg-type]


def test_huge_text_is_bounded():
    text = "Invoice BIG-1 for USD 10.00 attached. " + "lorem ipsum dolor " * 60_000  # ~1 MB
    (inv,) = extract_invoices(text, [("big.txt", "x" * 1_000_000)], SENT)
    assert inv.number == "BIG-1"


# ---- what is not an invoice ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Receipt #2291-4410 · Paid March 2, 2026\nAmount paid: $45.00 USD\nVisa ending in 4242",
        "Here is our quote Q-2026-5 for USD 1,200.00, valid for 30 days.",
        "Attached is the proforma invoice PF-88 for USD 900.00.",
        "I will invoice you next week once the work is approved.",
        "I'll send the invoice for March at the end of the month, around USD 2,000.",
        "Your order confirmation #A-5521: 2 items, EUR 35,00.",
        "Thanks for the payment of invoice PD-3, received today!",
    ],
)
def test_not_invoices(text):
    assert [i for i in extract_invoices(text, [], SENT) if not i.reminder] == []


@pytest.mark.parametrize(
    "text",
    [
        "Just a friendly reminder that invoice RM-12 (USD 400.00) is now overdue.",
        "Did you get INV-12?",
        "Invoice RM-12 was due on 20 February and is still unpaid. Could you check?",
        "Te recuerdo que la factura RM-12 sigue pendiente de pago.",
        "Kurze Erinnerung: die Rechnung RM-12 ist noch offen.",
    ],
)
def test_reminders_point_back(text):
    (inv,) = extract_invoices(text, [], SENT)
    assert inv.reminder
    assert inv.issued is None  # never the reminder's own date


def test_segment_keeps_wrapped_lines_and_abbreviations_together():
    text = (
        "Please find attached invoice CC-1 for EUR 1,900.00, due\n17.03.2026.\n\nNo. Invoice: X-1"
    )
    sentences = [text[s.start : s.end] for s in segment(text)]
    assert sentences[0] == "Please find attached invoice CC-1 for EUR 1,900.00, due\n17.03.2026."
    assert sentences[1] == "No. Invoice: X-1"


def test_a_payment_notice_about_an_invoice_is_not_an_invoice():
    text = "Payment for invoice NW-2026-044 (USD 14,400.00) was sent by ACH today."
    assert extract_invoices(text, [], SENT) == []


def test_a_provider_receipt_naming_an_invoice_is_not_an_invoice():
    text = (
        "You sent a payment of $1,250.00 USD to Ravi Kumar.\n\nNote to recipient: Invoice PX-0042\n"
    )
    assert extract_invoices(text, [], SENT) == []
