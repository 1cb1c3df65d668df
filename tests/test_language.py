"""Language detection and the language-barrier evidence (vendorwatch.nlp.language)."""

from __future__ import annotations

import random
import subprocess
import sys
import time

import pytest

from vendorwatch.nlp import language
from vendorwatch.nlp.findings import Evidence
from vendorwatch.nlp.language import (
    MIXED,
    UNKNOWN,
    LanguageResult,
    barrier_evidence,
    detect,
    detect_message,
)

PARAGRAPHS = {
    "en": (
        "Hope you're well. Trailmix 2.3 is feature-complete, so we're ready for the regression "
        "pass we talked about last week. Please log every bug with steps to reproduce."
    ),
    "es": (
        "Revisé los tickets de sincronización. Hay de los dos tipos: la mayoría son requests que "
        "fallan sin reintentar y el resto son conflictos entre dispositivos."
    ),
    "pt": (
        "Sou a Inês, trabalho com o Tiago. Já recrutei seis pessoas que abandonaram o cadastro "
        "nas últimas duas semanas e faço as sessões na próxima semana."
    ),
    "de": (
        "Im Figma gibt es allerdings zwei Versionen vom Onboarding. Welche ist aktuell? Wenn ich "
        "bis morgen eine Antwort habe, liefere ich die Übersetzung am Freitag."
    ),
    "id": (
        "Tapi saya masih sedikit bingung, maksudnya pakai warna brand atau style ilustrasi yang "
        "mirip logo? Setelah itu saya bisa kirim tiga sketsa kasar hari Jumat ini."
    ),
}

MIXED_REPLY = (
    "Halo Marcus,\n\n"
    "Terima kasih sudah menghubungi saya! Saya sudah baca brief-nya dan saya masih sedikit "
    "bingung dengan warna yang dimaksud.\n\n"
    "And what kind of character do you want for the mascot, an animal or a human?\n\n"
    "Putri"
)


# --------------------------------------------------------------------------------------------
# detect / detect_message
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_paragraph_language(lang: str) -> None:
    assert detect(PARAGRAPHS[lang]) == lang
    result = detect_message(f"Hi Marcus,\n\n{PARAGRAPHS[lang]}\n\nThanks,\nMarcus")
    assert result.lang == lang
    assert any(PARAGRAPHS[lang].split(".")[0] in text for text, _ in result.parts)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je vous envoie les fichiers demain matin, la facture est en pièce jointe.", "fr"),
        ("Ti mando i file domani mattina, non ho capito bene cosa intendi.", "it"),
        ("Ik stuur je de bestanden morgen toe, de factuur zit in de bijlage.", "nl"),
        ("Vă trimit fișierele mâine dimineață, factura este atașată.", "ro"),
        ("Я пришлю файлы завтра утром, счёт во вложении.", "ru"),
        ("明日の朝にファイルをお送りします。請求書を添付しました。", "ja"),
        ("我明天早上把文件发给你，发票在附件里。", "zh"),
        ("내일 아침에 파일을 보내드리겠습니다. 청구서를 첨부했습니다.", "ko"),
        ("Dosyaları yarın sabah göndereceğim, faturayı bu e-postaya ekledim.", "tr"),
        ("Wyślę ci pliki jutro rano, faktura jest w załączniku.", "pl"),
        ("Tôi sẽ gửi file cho anh vào sáng mai, hóa đơn ở trong tệp đính kèm.", "vi"),
        ("Jag skickar filerna i morgon bitti och fakturan finns i bilagan.", "sv"),
        ("Ipapadala ko po ang mga file bukas ng umaga, nasa attachment po ang invoice.", "tl"),
        ("Θα σας στείλω τα αρχεία αύριο το πρωί, το τιμολόγιο είναι συνημμένο.", "el"),
        ("मैं कल सुबह फाइलें भेज दूंगा, बिल संलग्न है।", "hi"),
    ],
)
def test_more_languages(text: str, lang: str) -> None:
    assert detect(text) == lang


def test_mixed_reply_is_mixed_with_both_parts() -> None:
    result = detect_message(MIXED_REPLY)
    assert result.lang == MIXED
    languages = {lang for _, lang in result.parts}
    assert {"id", "en"} <= languages
    foreign = result.foreign_parts("en")
    assert foreign and all(lang == "id" for _, lang in foreign)
    assert any("bingung" in text for text, _ in foreign)
    assert not any("mascot" in text for text, _ in foreign)


def test_mixed_inside_one_paragraph() -> None:
    text = (
        "Kurze Frage vorab: Bei vielen Strings fehlt mir der Kontext für die Übersetzung. "
        "Do you have screenshots or a Figma file for the onboarding screens?"
    )
    assert detect_message(text).lang == MIXED


def test_foreign_greeting_and_signoff_do_not_make_a_message_mixed() -> None:
    text = (
        "Hola Marcus!\n\nThe retries are fixed and the pull request is ready for review. "
        "I will start on the conflicts tomorrow.\n\nAbrazo,\nMartín"
    )
    result = detect_message(text)
    assert result.lang == "en"
    assert result.foreign_parts("en") == ()


def test_english_loanwords_do_not_make_indonesian_mixed() -> None:
    text = (
        "Halo Marcus,\n\nTerima kasih untuk call minggu lalu, sekarang jauh lebih jelas.\n\n"
        "Final files sudah saya upload ke sini: https://drive.example/putri/final\n"
        "- goat_base.svg\n- goat_wave.svg"
    )
    assert detect_message(text).lang == "id"


@pytest.mark.parametrize(
    "text",
    [
        "Hola Marcus!",
        "Danke!",
        "Obrigado!",
        "Terima kasih!",
        "Noted with thanks.",
        "Thanks!",
        "Sounds good",
        "Merci beaucoup",
        "OK",
        "Marcus",
    ],
)
def test_short_text_is_unknown(text: str) -> None:
    assert detect(text) == UNKNOWN
    assert detect_message(text).lang == UNKNOWN


@pytest.mark.parametrize(
    "text",
    [
        "https://drive.example/putri/trailmix-mascot-sketches https://example.com/a?b=c",
        "1.320,00 EUR 07.04.2025 #4471 #4478 #4490 TPL-2025-014",
        "goat_base.svg goat_wave.svg goat_climbing.svg goat_celebrate.svg",
        "Ioana Dumitrescu\nDevOps Engineer | Carpathia Code SRL\n+40 712 345 678",
        "Lucía Fernández\nOnda Corta Producciones\nBuenos Aires Argentina",
        "qa2@testpilotlabs.example qa3@testpilotlabs.example owner@northwind-studio.example",
    ],
)
def test_not_language_is_unknown(text: str) -> None:
    assert detect(text) == UNKNOWN
    assert detect_message(text).lang == UNKNOWN


def test_signature_under_a_rule_is_not_judged() -> None:
    text = (
        "Perfect, noted both dates for the next episodes.\n\n—\nLucía Fernández\n"
        "Onda Corta · edición y postproducción de audio\nBuenos Aires"
    )
    assert detect_message(text).lang == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("مرحبا ماركوس، الترجمة جاهزة تقريبا لكن ينقصني السياق لبعض النصوص.", "ar"),
        ("שלום מרקוס, התרגום כמעט מוכן אבל חסר לי הקשר לכמה מחרוזות.", "he"),
    ],
)
def test_right_to_left_scripts(text: str, lang: str) -> None:
    assert detect(text) == lang
    assert detect(f"\u202b{text}\u202c\u200f") == lang
    assert detect_message(f"\u200f{text}\n\n\u200fשלום").lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t ",
        "🙂🙌👍 🎉🎉 😄😄 🐐",
        "\x00\x01\x02\x7f\x9f\ufeff\u200b",
        "lone surrogate \ud800 and more",
        bytes(random.Random(1).randrange(256) for _ in range(5000)).decode("latin-1"),
        bytes(random.Random(2).randrange(256) for _ in range(5000)).decode("utf-8", "replace"),
        "a" * 50_000,
        "\n" * 50_000,
        "-- \n" * 1000,
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    result = detect_message(text)
    assert isinstance(result, LanguageResult)
    assert isinstance(detect(text), str)
    assert result.lang in (UNKNOWN, MIXED) or len(result.lang) == 2
    barrier_evidence([("in", text, result.lang), ("in", text, ""), ("out", text, "")])


def test_garbage_is_not_a_language() -> None:
    rng = random.Random(3)
    garbage = bytes(rng.randrange(256) for _ in range(20_000)).decode("cp1252", "replace")
    assert detect_message(garbage).lang == UNKNOWN
    assert detect(garbage) == UNKNOWN


def test_emoji_around_english() -> None:
    text = "Thanks so much for the quick turnaround 🙌 see you on Monday 👍"
    assert detect_message(text).lang == "en"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_one_megabyte_is_cut_and_fast(lang: str) -> None:
    text = (PARAGRAPHS[lang] + "\n\n") * (1_000_000 // len(PARAGRAPHS[lang]))
    start = time.perf_counter()
    result = detect_message(text)
    assert detect(text) == lang
    elapsed = time.perf_counter() - start
    assert result.lang == lang
    assert result.cut
    assert elapsed < 5.0
    assert sum(len(part) for part, _ in result.parts) <= language.MAX_CHARS


def test_short_text_is_not_cut() -> None:
    assert not detect_message(PARAGRAPHS["en"]).cut


# Short texts on which unseeded langdetect gives different answers from run to run.
BORDERLINE = [
    "Sounds good, see you then",
    "Perfect, noted both dates",
    "Phone numbers, whatever looks cleanest.",
    "Tú, I think? Neutral is fine.",
    "Sprint review: loyalty app, points at checkout",
    "Son dos problemas bastante distintos.",
    "Non ho capito bene cosa intendi con questo.",
    "Final files sudah saya upload ke sini",
]


def test_deterministic_within_a_process() -> None:
    first = [detect(t) for t in BORDERLINE]
    for _ in range(5):
        assert [detect(t) for t in BORDERLINE] == first
    messages = [detect_message(MIXED_REPLY) for _ in range(5)]
    assert all(m == messages[0] for m in messages)


def test_deterministic_across_processes() -> None:
    """The seed is fixed, so a fresh process (new random state) answers the same."""
    code = (
        "import json, sys\n"
        "from vendorwatch.nlp.language import detect\n"
        "print(json.dumps([detect(t) for t in json.loads(sys.stdin.read())]))\n"
    )
    import json

    payload = json.dumps(BORDERLINE)
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], input=payload, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert json.loads(runs[0]) == json.loads(runs[1]) == [detect(t) for t in BORDERLINE]


def test_langdetect_global_state_is_left_alone() -> None:
    from langdetect import DetectorFactory

    before = DetectorFactory.seed
    detect(PARAGRAPHS["es"])
    assert DetectorFactory.seed == before


# --------------------------------------------------------------------------------------------
# barrier_evidence
# --------------------------------------------------------------------------------------------

SPANISH_REPLY = (
    "Hola Marcus!\n\nSí, lo vi en los logs. Una pregunta antes de tocar nada: cuando decís que "
    "pierde hábitos, ¿es un conflicto entre dos dispositivos o son requests que fallan y no se "
    "reintentan? Son dos problemas bastante distintos.\n\nAbrazo,\nMartín"
)
OWNER = "Hi Martín, the sync loses habits for some users. Could you look into it this week?"
VENDOR_EN = "Hi Marcus, sure, I will look at the logs tomorrow morning and get back to you."


def _thread(*messages: tuple[str, str]) -> list[tuple[str, str, str]]:
    return [(direction, text, detect_message(text).lang) for direction, text in messages]


def test_vendor_writing_spanish_is_foreign_language() -> None:
    evidence = barrier_evidence(_thread(("out", OWNER), ("in", SPANISH_REPLY)))
    assert [e.rule for e in evidence] == ["foreign_language"]
    found = evidence[0]
    assert isinstance(found, Evidence)
    assert "Spanish" in found.reason and "English" in found.reason
    assert "lo vi en los logs" in found.sentence
    assert "call" in (found.hint or "")
    assert "\n" not in found.reason


def test_partly_foreign_reply_is_mixed_language() -> None:
    evidence = barrier_evidence(_thread(("out", OWNER), ("in", MIXED_REPLY)))
    assert [e.rule for e in evidence] == ["mixed_language"]
    assert "Indonesian" in evidence[0].reason
    assert "bingung" in evidence[0].sentence
    assert "mascot" not in evidence[0].sentence


def test_vendor_switching_language_is_a_switch() -> None:
    evidence = barrier_evidence(
        _thread(("out", OWNER), ("in", VENDOR_EN), ("out", OWNER), ("in", SPANISH_REPLY))
    )
    rules = [e.rule for e in evidence]
    assert rules == ["foreign_language", "language_switch"]
    switch = evidence[1]
    assert "English" in switch.reason and "Spanish" in switch.reason
    assert "The vendor" in switch.reason


def test_owner_switching_language_is_a_switch() -> None:
    owner_spanish = (
        "Hola Martín, gracias por revisar los logs. Creo que son conflictos entre dos "
        "dispositivos, pero no estoy seguro."
    )
    evidence = barrier_evidence(_thread(("out", OWNER), ("in", VENDOR_EN), ("out", owner_spanish)))
    assert [e.rule for e in evidence] == ["language_switch"]
    assert evidence[0].reason.startswith("You switched")


def test_owner_quoting_the_vendor_is_no_switch() -> None:
    quoting = (
        "Thanks Martín, I ran your note through a translator to be sure I understood it:\n\n"
        "Son dos problemas bastante distintos, los retries y los conflictos entre dispositivos.\n\n"
        "Let's fix the retries first and talk about the conflicts on Monday."
    )
    thread = _thread(("out", OWNER), ("in", VENDOR_EN), ("out", quoting))
    assert thread[2][2] == MIXED
    assert barrier_evidence(thread) == []


def test_switching_towards_the_owner_language_is_no_signal() -> None:
    evidence = barrier_evidence(_thread(("in", SPANISH_REPLY), ("out", OWNER), ("in", VENDOR_EN)))
    assert [e.rule for e in evidence] == ["foreign_language"]


@pytest.mark.parametrize(
    "vendor_text",
    [
        "Hola Dana,\n\nThe files are ready, I uploaded them to the shared folder this morning.",
        "Obrigado!",
        "Obrigado!\n\nInês Carvalho\nUX Researcher · Ferreira UX",
        "Terima kasih!\n\nPutri",
        "Me llegó el pago de MG-0525, ¡gracias Marcus! 🙌\n\nMartín",
        "Hi Marcus, the invoice is attached. Danke und viele Grüße!\n\nJonas Becker",
        "Dear Marcus, well received, we shall start on Monday inshaAllah.",
    ],
)
def test_greetings_names_and_one_line_thanks_are_no_barrier(vendor_text: str) -> None:
    thread = _thread(("out", OWNER), ("in", VENDOR_EN), ("out", OWNER), ("in", vendor_text))
    assert barrier_evidence(thread) == []


def test_owner_language_thread_has_no_evidence() -> None:
    assert barrier_evidence(_thread(("out", OWNER), ("in", VENDOR_EN), ("out", OWNER))) == []
    assert barrier_evidence([]) == []


def test_language_is_judged_when_not_given() -> None:
    evidence = barrier_evidence([("out", OWNER, ""), ("in", SPANISH_REPLY, "")])
    assert [e.rule for e in evidence] == ["foreign_language"]


def test_owner_language_other_than_english() -> None:
    evidence = barrier_evidence(
        [("out", PARAGRAPHS["es"], "es"), ("in", PARAGRAPHS["en"], "en")], owner_lang="es"
    )
    assert [e.rule for e in evidence] == ["foreign_language"]
    assert "English" in evidence[0].reason and "Spanish" in evidence[0].reason
    assert "Spanish" in (evidence[0].hint or "")


def test_quoted_sentence_is_shortened() -> None:
    long_spanish = " ".join([PARAGRAPHS["es"]] * 6)
    evidence = barrier_evidence([("in", long_spanish, "es")])
    assert len(evidence) == 1
    assert len(evidence[0].sentence) <= language.QUOTE_CHARS
    assert evidence[0].sentence.endswith("…")


def test_outgoing_foreign_message_alone_is_not_vendor_evidence() -> None:
    assert barrier_evidence([("out", SPANISH_REPLY, "es")]) == []
