"""Word attachments: their text is read for the originality check, and broken or
hostile files give a note, never an exception."""

from __future__ import annotations

import io
import zipfile

from vendorwatch.daemon.docxtext import docx_text

BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="x"><w:body>'
    "<w:p><w:r><w:t>Ten product descriptions</w:t></w:r></w:p>"
    '<w:p><w:r><w:t xml:space="preserve">Soap &amp; candles, </w:t></w:r>'
    "<w:r><w:t>hand made.</w:t></w:r></w:p></w:body></w:document>"
)


def _docx(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_paragraphs_and_entities():
    text, note = docx_text(_docx({"word/document.xml": BODY}), 10_000)
    assert text == "Ten product descriptions\nSoap & candles, hand made."
    assert note is None


def test_cut_at_the_limit_with_a_note():
    text, note = docx_text(_docx({"word/document.xml": BODY}), 10)
    assert text == "Ten produc" and "cut at 10" in note


def test_bad_input_is_a_note():
    assert docx_text(b"not a zip", 100) == (None, "unreadable Word document (BadZipFile)")
    text, note = docx_text(_docx({"other.xml": "x"}), 100)
    assert text is None and "no word/document.xml" in note
    truncated = _docx({"word/document.xml": BODY})[:-30]
    text, note = docx_text(truncated, 100)
    assert text is None and note.startswith("unreadable Word document")


def test_a_zip_bomb_is_read_only_up_to_the_cap(monkeypatch):
    from vendorwatch.daemon import docxtext

    monkeypatch.setattr(docxtext, "MAX_DOCUMENT_XML", 1000)
    bomb = _docx({"word/document.xml": "<w:p><w:t>" + "a" * 50_000 + "</w:t></w:p>"})
    text, note = docx_text(bomb, 100_000)
    assert "read the first 1000" in note
    assert text == ""  # the run is never closed inside the part read
