"""Deliveries (vendor hands work over) and revision requests (owner asks for changes)."""

from __future__ import annotations

import pytest

from vendorwatch.nlp.deliveries import detect_delivery, revision_request


@pytest.mark.parametrize(
    "text, names, item",
    [
        (
            "Hi Dana,\n\nAttached are the final files for the landing page.",
            ["landing-v3.zip"],
            "landing-v3.zip",
        ),
        ("Here is the draft: https://docs.example/d/abc123", [], "https://docs.example/d/abc123"),
        (
            "The second draft is up: https://share.example/x/draft2.docx",
            [],
            "https://share.example/x/draft2.docx",
        ),
        (
            "You can find the logo files here: https://files.example/logo",
            [],
            "https://files.example/logo",
        ),
        ("Hola Dana, te adjunto el informe final.", ["informe_final.pdf"], "informe_final.pdf"),
        ("Olá Dana, segue em anexo o relatório.", ["relatorio.pdf"], "relatorio.pdf"),
        ("Hallo Dana,\n\nanbei die übersetzten Texte.", ["texte_de.txt"], "texte_de.txt"),
        ("Halo Dana, desain final terlampir.", ["desain_final.png"], "desain_final.png"),
        ("Bună ziua, am atașat raportul lunar.", ["raport.csv"], "raport.csv"),
        (
            "Voici la maquette : https://figma.example/file/xyz",
            [],
            "https://figma.example/file/xyz",
        ),
        ("Ya está el PR #45 con el arreglo, listo para review.", [], "PR #45"),
        ("Done! The updated version is in the shared folder (banner_v2.png).", [], "banner_v2.png"),
        (
            "Here are the files:\n- https://files.example/a.svg\n- https://files.example/b.svg",
            [],
            "https://files.example/b.svg",
        ),
        (
            "I edited the first ten minutes as a test: https://files.example/ep12-test.wav",
            [],
            "https://files.example/ep12-test.wav",
        ),
    ],
)
def test_deliveries(text, names, item):
    delivery = detect_delivery(text, names, "in")
    assert delivery is not None
    assert item in delivery.items
    assert delivery.evidence


@pytest.mark.parametrize(
    "text",
    [
        "I've deployed the fix to production.",
        "The report is in the shared Drive folder.",
        "PR merged, the new endpoint is on staging.",
        "The migration is done, deployed to production this morning with no errors.",
        "It's live now. Sorry again for the delay.",
        "All 30 product descriptions are done (rows 2 to 31).",
        "Fixed, it was a caching issue on the server.",
        "The fix is on staging, each variant shows its own stock.",
    ],
)
def test_delivery_without_an_item(text):
    delivery = detect_delivery(text, [], "in")
    assert delivery is not None and delivery.items == ()


@pytest.mark.parametrize(
    "text, names",
    [
        ("I'll send the drafts by Friday.", []),
        ("We will share the report tomorrow, with the files attached.", []),
        ("Can you share the brand assets? I need them to start.", []),
        ("Is the brief in the shared folder?", []),
        ("Please find attached invoice INV-12 for USD 500.00.", ["Invoice_INV-12.pdf"]),
        ("My invoice AB-7 is attached.", ["AB-7.pdf"]),
        ("Here is my calendar link to book a call: https://calendly.example/dana/30min", []),
        ("Le enviaré el informe mañana.", []),
        ("Saya akan kirim desainnya besok.", []),
        ("Ich werde die Dateien morgen hochladen.", []),
        ("The files are not uploaded yet, sorry.", []),
        ("Once you confirm, I'll upload everything to the folder.", []),
        ("Thanks, talk soon!", ["image001.png"]),
        ("Is this the right logo? https://files.example/logo-old.png", []),
        ("The sketches are done, I'll send them tomorrow morning.", []),
        ("Is it live yet?", []),
        ("Done.", []),
    ],
)
def test_not_deliveries(text, names):
    assert detect_delivery(text, names, "in") is None


def test_owner_messages_are_never_deliveries():
    assert detect_delivery("Attached is the brief.", ["brief.pdf"], "out") is None


def test_invoice_next_to_work_counts_only_the_work():
    text = "My notes are attached.\n\nInvoice QA-9 (EUR 410,00) is attached as well."
    delivery = detect_delivery(text, ["qa-notes.txt", "Rechnung_QA-9.pdf"], "in")
    assert delivery.items == ("qa-notes.txt",)
    assert delivery.evidence == "My notes are attached."


def test_attachments_with_no_text():
    assert detect_delivery("", ["mockups.zip"], "in").items == ("mockups.zip",)


@pytest.mark.parametrize("text", [None, "", "\x00\xff" * 100])
def test_bad_input(text):
    assert detect_delivery(text, None, "in") is None  # type: ignore[arg-type]


def test_huge_text_is_bounded():
    text = "Attached is the report. " + "more words " * 100_000
    assert detect_delivery(text, ["r.pdf"], "in") is not None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thanks! Could you tighten the intro a little?", "Could you tighten the intro a little?"),
        ("Looks good. Please fix the typos on page 2.", "Please fix the typos on page 2."),
        (
            "Great start! Notes:\n- Keep your opening.\n- Bring the music down 3 dB.",
            "Bring the music down 3 dB.",
        ),
        ("Could you make the logo a bit bigger?", "Could you make the logo a bit bigger?"),
        ("¿Podrías cambiar el color del botón?", "¿Podrías cambiar el color del botón?"),
        ("Bitte ändere die Überschrift auf Seite 3.", "Bitte ändere die Überschrift auf Seite 3."),
        ("Tolong ganti warna latarnya.", "Tolong ganti warna latarnya."),
        (
            "Could you run one more test and add it to the report?",
            "Could you run one more test and add it to the report?",
        ),
    ],
)
def test_revision_requests(text, expected):
    assert revision_request(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Perfect, thanks Jonas. Approved!",
        "That ending is exactly it.",
        "Looks great, go ahead and ship it.",
        "Please send the invoice when you can.",
        "The first cut was great, and the fix works.",
        "",
        None,
    ],
)
def test_not_revision_requests(text):
    assert revision_request(text) is None


def test_interim_handovers_ask_for_the_go_ahead():
    from vendorwatch.nlp.deliveries import interim

    assert interim("Here are the first 10 pages as a sample. Should I continue this way?")
    assert interim("Te paso la primera parte como prueba, antes de seguir.")
    assert not interim("The final files are attached. Invoice to follow.")
    assert not interim("")
