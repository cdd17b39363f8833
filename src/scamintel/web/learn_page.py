"""``/learn``: the scam types and their red flags in plain words, and the "spot the scam"
exercise (``/learn/spot?n=``): a message, the reader's answer, and why, with the red flags
of the message marked.

Messages from real data sets are anonymised first (learn.anonymised). That is best effort:
numbers, links, addresses and names after a greeting are masked, not every name in free text
(docs/web-pages.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi.responses import HTMLResponse

from scamintel.api.state import NodeState
from scamintel.classify.redflags import TEXT_FLAGS, FlagCode, explanation
from scamintel.classify.service import assess_message
from scamintel.reports.model import ScamType
from scamintel.web.highlight import Span, first_of_each_kind, highlighted
from scamintel.web.i18n import N_
from scamintel.web.learn import anonymised, region_of
from scamintel.web.rendering import CurrentPage, page_router
from scamintel.web.vocabulary import FLAG_NAMES, SCAM_TYPE_NAMES

learn_pages = page_router()
_INDEX = re.compile(r"[0-9]{1,7}")

SCAM_TYPE_LESSONS: Mapping[ScamType, str] = {
    ScamType.OFFICIALS_IMPERSONATED: N_(
        "Someone calls as the police, a court or a government office and says you are part of "
        "a crime. They frighten you and ask you to move your money to be checked. Real officers "
        "never ask for money over the phone."
    ),
    ScamType.PHISHING_PARCEL_UTILITY: N_(
        "A message about a parcel, an unpaid bill or a refund, with a link to pay a small fee. "
        "The link leads to a fake site that steals your card or bank login."
    ),
    ScamType.MALICIOUS_APP: N_(
        "They ask you to install an app from a link, not from the app store. The app takes "
        "over your phone and empties your bank account."
    ),
    ScamType.BANK_IMPERSONATION: N_(
        "Someone says they are from your bank and asks for a code, a password or a transfer "
        '"to protect your money". Your bank never asks for these.'
    ),
    ScamType.INVESTMENT: N_(
        "An investment in trading, crypto or gold that promises high, sure profits. You see "
        "your money grow on a website, but you can never take it out."
    ),
    ScamType.JOB_TASK: N_(
        "An easy job online: like videos, rate products, do tasks. First you are paid a little; "
        "then you must pay in more and more to get your money back."
    ),
    ScamType.LOAN: N_(
        "A quick loan with no checks, but you must pay a fee or a deposit first. The loan "
        "never comes."
    ),
    ScamType.FAKE_SELLER: N_(
        "A shop or seller online with very low prices who wants payment by transfer first. "
        "The goods never arrive."
    ),
    ScamType.ROMANCE: N_(
        "Someone you met online becomes close to you, then needs money for an emergency, a "
        "ticket or an investment. You have never met them in person."
    ),
    ScamType.HACKED_ACCOUNT: N_(
        "A friend or relative writes from their account and asks to borrow money urgently. "
        "Their account was taken over. Call them on their usual number to check."
    ),
    ScamType.PRIZE_QR: N_(
        "You have won a prize, or must scan a QR code to receive money. Scanning or paying a "
        "fee sends your money away instead."
    ),
    ScamType.SEXTORTION: N_(
        "Someone threatens to share intimate photos or videos unless you pay. Do not pay; keep "
        "the messages and ask the police for help."
    ),
    ScamType.GAMBLING_LURE: N_(
        "Free credit for an online casino or betting site. The site is illegal and keeps what "
        "you deposit."
    ),
    ScamType.RECOVERY: N_(
        "After a scam, someone promises to get your money back for a fee. It is the same "
        "scammers, or new ones."
    ),
}
INDICATOR_FLAG_LESSONS: Mapping[FlagCode, str] = {
    FlagCode.SHORTENED_LINK: N_(
        "A short link (such as bit.ly) hides the website it leads to. Do not open it; go to the "
        "company's website yourself."
    ),
    FlagCode.LOOKALIKE_DOMAIN: N_(
        "A link that looks like a bank's or a company's address, with a letter changed or a "
        "word added. It is a fake site."
    ),
}


@learn_pages.get("/learn")
def learn(page: CurrentPage) -> HTMLResponse:
    scam_types = [(SCAM_TYPE_NAMES[code], lesson) for code, lesson in SCAM_TYPE_LESSONS.items()]
    flags = [(FLAG_NAMES[code], explanation(code, None, page.language)) for code in TEXT_FLAGS]
    flags += [
        (FLAG_NAMES[code], page.gettext(text)) for code, text in INDICATOR_FLAG_LESSONS.items()
    ]
    return page.render("learn.html", scam_types=scam_types, flags=flags)


@learn_pages.get("/learn/spot")
def spot_the_scam(page: CurrentPage, n: str = "0", answer: str = "") -> HTMLResponse:
    # Only ASCII digits, and few: str.isdigit() also takes "²" and numbers of any length.
    index = int(n) if _INDEX.fullmatch(n) else 0
    ui = page.ui
    node: NodeState = page.request.app.state.node
    message = ui.exercises.message(page.language, index)
    text = anonymised(message.text, node.registry, region_of(message.language, page.country))
    feedback = None
    if answer in ("scam", "not_scam"):
        with node.database.engine.connect() as connection:
            assessment = assess_message(
                node.database.reader(connection), text, node.messages, reader_language=page.language
            )
        flag_notes = [
            (FLAG_NAMES[flag.code], flag.raw, flag.explanation)
            for flag in first_of_each_kind(assessment.red_flags)
        ]
        spans = [
            Span(flag.start, flag.end, page.gettext(FLAG_NAMES[flag.code]))
            for flag in assessment.red_flags
        ]
        feedback = {
            "right": (answer == "scam") == message.is_scam,
            "marked": highlighted(text, spans),
            "flags": flag_notes,
        }
    return page.render(
        "learn_spot.html",
        index=index,
        text=text,
        message_language=message.language,
        is_scam=message.is_scam,
        answer=answer,
        feedback=feedback,
        next_url=f"/learn/spot?n={index + 1}",
    )
