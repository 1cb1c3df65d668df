"""The text layer of a PDF attachment (pypdf), bounded in size, pages and characters.

Vendors attach invoices and reports as PDFs; their text is what `nlp.invoices` and the
originality check read. A PDF is untrusted input: it may be encrypted, a scan with no text
layer, truncated, or a 30 MB file built to be slow. So the file size and page count are checked
before any page is parsed, text stops at `limit_chars`, and every failure becomes a one-line
note next to a `None` text, never an exception (ingest must go on with the rest of the message).
"""

from __future__ import annotations

import io
import logging
import warnings

MAX_PDF_BYTES = 20 * 1024 * 1024  # larger files are not parsed (a 30 MB scan has no text anyway)
MAX_PAGES = 50  # pages read; an invoice or a report's text is on its first pages
MAX_PAGE_CHARS = 200_000  # one page's text beyond this is a content-stream bomb, not prose

logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def pdf_text(data: bytes, limit_chars: int) -> tuple[str | None, str | None]:
    """(text, note): the text of the first pages, or None with a note saying why not.

    A note is also given with text when something was left out (pages or characters cut).
    """
    if not isinstance(data, (bytes, bytearray)) or not data:
        return None, "PDF is empty"
    if len(data) > MAX_PDF_BYTES:
        mb = 1024 * 1024
        return (
            None,
            f"PDF not read: {len(data) // mb} MB is over the {MAX_PDF_BYTES // mb} MB limit",
        )
    if b"%PDF-" not in bytes(data[:1024]):
        return None, "not a PDF (no %PDF header)"
    try:
        return _extract(bytes(data), max(0, int(limit_chars)))
    except Exception as exc:  # pypdf raises many types on broken files
        return None, f"PDF unreadable: {_one_line(exc)}"


def _extract(data: bytes, limit_chars: int) -> tuple[str | None, str | None]:
    from pypdf import PdfReader  # imported here: CLI queries never need it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            return None, "PDF is encrypted: no text read"
        pages = reader.pages
        count = len(pages)
        notes = []
        if count > MAX_PAGES:
            notes.append(f"only the first {MAX_PAGES} of {count} pages read")
        parts: list[str] = []
        size = 0
        for index in range(min(count, MAX_PAGES)):
            page_text = (pages[index].extract_text() or "")[:MAX_PAGE_CHARS]
            parts.append(page_text)
            size += len(page_text) + 1
            if size > limit_chars:
                break
    text = "\n".join(parts)
    if not text.strip():
        return None, "PDF has no text layer (a scan or images only)"
    if len(text) > limit_chars:
        text = text[:limit_chars]
        notes.append(f"PDF text cut at {limit_chars} characters")
    return text, "; ".join(notes) or None


def _opens_without_password(reader) -> bool:
    """Many PDFs are encrypted with an empty user password (only editing is restricted)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # no crypto backend for AES, or a broken encryption dictionary
        return False


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__
