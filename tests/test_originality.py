"""MinHash fingerprints: edited copies are near-duplicates, other texts are not.

The texts are written for this test: a research summary, copies of it edited the way a vendor
would re-use it (words swapped, sentences reordered, a paragraph added, re-cased), another
summary written in the same template about a different study, and an unrelated text.
`NEAR_DUPLICATE` must separate the two groups with room to spare.
"""

from __future__ import annotations

import subprocess
import sys

from vendorwatch.nlp.originality import (
    MIN_WORDS,
    NEAR_DUPLICATE,
    fingerprint,
    is_near_duplicate,
    similarity,
)

REPORT = """\
Onboarding study: summary of findings

We interviewed eight people who installed the app in the last month and stopped before the end
of the onboarding flow. Sessions lasted about forty minutes and were held over video.
Participants were asked to repeat the flow while thinking aloud.

The main reason for leaving was the permissions screen. Six of eight participants believed that
granting access to their contacts was required, and two said the request made them distrust the
app. Several expected to be able to skip this step and look for the button at the bottom of the
screen, where it is hidden below the fold on smaller phones.

The second problem was the length of the goal-setting questions. Participants wanted to start
with one habit and add more later; the current flow asks for three before showing the home
screen. Three participants typed placeholder answers just to move on.

We recommend making the permissions step optional, moving the skip button above the fold, and
asking for a single habit during onboarding. A follow-up test with five new participants should
confirm whether the completion rate improves.
"""

SAME_TEMPLATE = """\
Checkout study: summary of findings

We interviewed six customers who added items to the basket in the last two weeks and abandoned
the order before paying. Sessions lasted about thirty minutes and were held in the store's
meeting room. Participants were asked to buy a product of their choice while thinking aloud.

The main reason for abandoning was the delivery cost, which appears only on the last screen.
Four of six participants said they felt tricked when the total changed, and one closed the tab
at once. Most expected to see the delivery options on the product page.

The second problem was the account form. Participants wanted to pay as guests; the current form
asks for a password and a phone number before the payment step. Two participants used a fake
number to continue.

We recommend showing the delivery cost on the product page, offering guest checkout, and making
the phone number optional. A follow-up test should confirm whether fewer orders are abandoned.
"""

UNRELATED = """\
The quarterly newsletter is out. This issue covers the new office in the harbour district, the
summer volunteering day at the community garden, and the results of the staff survey on remote
work. Thanks to everyone who sent photos from the team dinner; the best ones are on the back
page. The kitchen on the second floor will be closed for repairs during the first week of the
month, so please use the one downstairs. Parking permits for the new year can be requested from
reception until the end of the month.
"""

SWAPS = ["several", "customers", "quickly", "screen", "option", "really", "app", "mostly"]


def edit_every(text: str, step: int) -> str:
    """Replace every `step`-th word: a copy touched up here and there."""
    words = text.split(" ")
    for i in range(step - 1, len(words), step):
        words[i] = SWAPS[i % len(SWAPS)]
    return " ".join(words)


def reorder(text: str) -> str:
    """Paragraphs in another order, the title last."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(paragraphs[2:] + paragraphs[1:2] + paragraphs[:1])


def with_extra(text: str) -> str:
    extra = (
        "Note on method: recruitment used the in-app survey, and each participant received a "
        "voucher. Recordings are stored in the shared folder for thirty days."
    )
    return text + "\n\n" + extra


def score(text: str) -> float:
    a, b = fingerprint(REPORT), fingerprint(text)
    assert a is not None and b is not None
    return similarity(a, b)


def test_lightly_edited_copies_are_near_duplicates():
    for copy in (
        REPORT,
        edit_every(REPORT, 20),
        edit_every(REPORT, 10),
        reorder(REPORT),
        with_extra(REPORT),
        REPORT.upper().replace("\n", " "),
    ):
        assert score(copy) >= NEAR_DUPLICATE


def test_other_texts_are_not():
    assert score(SAME_TEMPLATE) < NEAR_DUPLICATE
    assert score(UNRELATED) < NEAR_DUPLICATE


def test_threshold_has_room_on_both_sides():
    """The estimate's error is about 0.045 at 128 hashes: the threshold must not sit on either
    group's edge, or a lucky draw would flip the verdict."""
    copies = [edit_every(REPORT, 20), reorder(REPORT), with_extra(REPORT)]
    others = [SAME_TEMPLATE, UNRELATED]
    assert min(score(t) for t in copies) >= NEAR_DUPLICATE + 0.2
    assert max(score(t) for t in others) <= NEAR_DUPLICATE - 0.2


def test_heavier_edits_fade_gradually():
    assert (
        score(edit_every(REPORT, 20)) > score(edit_every(REPORT, 10)) > score(edit_every(REPORT, 4))
    )


def test_short_text_is_not_judged():
    assert fingerprint("Final files attached, thanks!") is None
    assert fingerprint(" ".join(["word"] * (MIN_WORDS - 1))) is None
    assert fingerprint("") is None
    assert fingerprint(None) is None  # type: ignore[arg-type]


def test_similarity_with_a_missing_sketch_is_zero():
    a = fingerprint(REPORT)
    assert a is not None
    assert similarity(a, ()) == 0.0
    assert similarity(a, a) == 1.0
    assert not is_near_duplicate(a, None)


def test_fingerprint_is_deterministic_across_processes():
    """Signatures are stored and compared later: a new process (another hash seed) must give
    the same numbers."""
    code = (
        "import sys; from vendorwatch.nlp.originality import fingerprint;"
        "print(list(fingerprint(sys.stdin.read())))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=REPORT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    assert runs.pop().strip() == str(list(fingerprint(REPORT)))
