"""PDF text layers: read when there is one, a one-line note (never an exception) when not."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from pypdf import PdfReader, PdfWriter

from vendorwatch.daemon import pdftext
from vendorwatch.daemon.parse import parse
from vendorwatch.daemon.pdftext import pdf_text


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer, written by hand (pypdf cannot write text)."""
    body = "".join(f"({line}) Tj T*\n" for line in lines)
    stream = f"BT\n/F1 11 Tf\n14 TL\n56 780 Td\n{body}ET\n".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


INVOICE_LINES = ["INVOICE ACME-2031", "Invoice date: 03.02.2026", "Total: EUR 1.250,00"]


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_text_layer_is_read():
    text, note = pdf_text(text_pdf(INVOICE_LINES), 10_000)
    assert note is None
    assert "INVOICE ACME-2031" in text
    assert "EUR 1.250,00" in text


def test_encrypted_with_a_password_gives_a_note():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(INVOICE_LINES))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    text, note = pdf_text(written(writer), 10_000)
    assert text is None
    assert "encrypted" in note


def test_encrypted_with_an_empty_user_password_is_read():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(INVOICE_LINES))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    text, note = pdf_text(written(writer), 10_000)
    assert "ACME-2031" in text


def test_no_text_layer_gives_a_note():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    text, note = pdf_text(written(writer), 10_000)
    assert text is None
    assert "no text layer" in note


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_truncated_file_never_raises(cut):
    data = text_pdf(INVOICE_LINES)
    text, note = pdf_text(data[: int(len(data) * cut)], 10_000)
    assert text is not None or note  # either what could be read, or why not


@pytest.mark.parametrize(
    "data", [b"", b"hello, not a pdf", b"%PDF-1.4\n\x00\xff garbage", bytes(range(256)) * 10]
)
def test_garbage_gives_a_note(data):
    text, note = pdf_text(data, 10_000)
    assert text is None
    assert note


def test_oversized_file_is_not_parsed(monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_PDF_BYTES", 1000)
    text, note = pdf_text(text_pdf(INVOICE_LINES) + b" " * 2000, 10_000)
    assert text is None
    assert "limit" in note


def test_page_count_and_characters_are_capped(monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_PAGES", 3)
    page = PdfReader(io.BytesIO(text_pdf(INVOICE_LINES))).pages[0]
    writer = PdfWriter()
    for _ in range(5):
        writer.add_page(page)
    text, note = pdf_text(written(writer), 10_000)
    assert text.count("ACME-2031") == 3
    assert "first 3 of 5 pages" in note
    text, note = pdf_text(written(writer), 20)
    assert len(text) == 20
    assert "cut at 20 characters" in note


def mail_with(attachment: bytes, name: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "ravi@pixelcraft.example"
    msg["To"] = "owner@example.com"
    msg["Subject"] = "Invoice"
    msg["Date"] = "Tue, 03 Feb 2026 10:00:00 +0530"
    msg["Message-ID"] = "<inv-1@pixelcraft.example>"
    msg.set_content("Invoice attached.")
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes()


def test_parse_reads_the_pdf_attachment():
    parsed = parse(mail_with(text_pdf(INVOICE_LINES), "Invoice_ACME-2031.pdf"))
    (attachment,) = parsed.attachments
    assert "Total: EUR 1.250,00" in attachment.text
    assert not parsed.notes


def test_parse_notes_a_pdf_without_text():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    parsed = parse(mail_with(written(writer), "scan.pdf"))
    assert parsed.attachments[0].text is None
    assert any("scan.pdf" in n and "no text layer" in n for n in parsed.notes)
