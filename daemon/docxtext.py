"""The text of a Word (.docx) attachment, for the originality check and invoice reading.

A .docx file is a zip of XML parts; the body is word/document.xml. It is read with the
standard library and bounded before anything is inflated, so a zip bomb costs nothing:
the declared size of the part is checked first, and reading stops at the limit anyway.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

MAX_DOCUMENT_XML = 20 * 1024 * 1024  # inflated size of word/document.xml read at most
_PARAGRAPH_END = re.compile(r"</w:p>|<w:br\s*/>|<w:tab\s*/>")
_TEXT_RUN = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def docx_text(data: bytes, limit_chars: int) -> tuple[str | None, str | None]:
    """(text, note); never raises. The note says what could not be read, or where the
    text was cut."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                return None, "not a Word document (no word/document.xml)"
            if info.flag_bits & 0x1:
                return None, "encrypted Word document: text not read"
            note = None
            if info.file_size > MAX_DOCUMENT_XML:
                note = f"document body of {info.file_size} bytes: read the first {MAX_DOCUMENT_XML}"
            with archive.open(info) as part:
                xml = part.read(MAX_DOCUMENT_XML).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return None, f"unreadable Word document ({type(exc).__name__})"
    text = _text_of(xml)
    if len(text) > limit_chars:
        text = text[:limit_chars]
        note = note or f"text cut at {limit_chars} characters"
    return text, note


def _text_of(xml: str) -> str:
    """Paragraphs from the runs of text, one line each."""
    marked = _PARAGRAPH_END.sub("\x00", xml)
    lines = []
    for chunk in marked.split("\x00"):
        line = "".join(html.unescape(t) for t in _TEXT_RUN.findall(chunk)).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)
