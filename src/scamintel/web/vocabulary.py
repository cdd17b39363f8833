"""The words the pages show for the product's codes (scam types, channels, red flags,
indicator types, verdicts), marked for translation and translated where shown."""

from __future__ import annotations

from collections.abc import Mapping

from scamintel.classify.redflags import FlagCode
from scamintel.indicators import IndicatorType
from scamintel.reports.model import Channel, ScamType
from scamintel.reports.verdict import Verdict
from scamintel.web.i18n import N_

SCAM_TYPE_NAMES: Mapping[ScamType, str] = {
    ScamType.OFFICIALS_IMPERSONATED: N_("Fake police, court or government officer"),
    ScamType.PHISHING_PARCEL_UTILITY: N_("Fake parcel, bill or refund message"),
    ScamType.MALICIOUS_APP: N_("Asked to install an app"),
    ScamType.BANK_IMPERSONATION: N_("Fake bank staff"),
    ScamType.INVESTMENT: N_("Investment or trading scam"),
    ScamType.JOB_TASK: N_("Online job or task scam"),
    ScamType.LOAN: N_("Fake loan"),
    ScamType.FAKE_SELLER: N_("Fake seller or shop"),
    ScamType.ROMANCE: N_("Romance scam"),
    ScamType.HACKED_ACCOUNT: N_("Hacked account of a friend or relative"),
    ScamType.PRIZE_QR: N_("Prize, lottery or QR code scam"),
    ScamType.SEXTORTION: N_("Threats to share intimate photos or videos"),
    ScamType.GAMBLING_LURE: N_("Online gambling lure"),
    ScamType.RECOVERY: N_("Promise to get lost money back"),
    ScamType.OTHER: N_("Something else"),
}

CHANNEL_NAMES: Mapping[Channel, str] = {
    Channel.CALL: N_("Phone call"),
    Channel.SMS: N_("Text message (SMS)"),
    Channel.LINE: N_("LINE"),
    Channel.TELEGRAM: N_("Telegram"),
    Channel.WHATSAPP: N_("WhatsApp"),
    Channel.FACEBOOK: N_("Facebook or Messenger"),
    Channel.WEB: N_("A website"),
    Channel.EMAIL: N_("E-mail"),
    Channel.IN_PERSON: N_("In person"),
    Channel.OTHER: N_("Another way"),
}

FLAG_NAMES: Mapping[FlagCode, str] = {
    FlagCode.URGENCY: N_("Rushes you"),
    FlagCode.IMPERSONATION: N_("Pretends to be someone official"),
    FlagCode.PAYMENT_REQUEST: N_("Asks for money"),
    FlagCode.CREDENTIAL_REQUEST: N_("Asks for codes or passwords"),
    FlagCode.APP_INSTALL: N_("Asks you to install an app"),
    FlagCode.MOVE_TO_CHAT: N_("Moves you to a private chat"),
    FlagCode.TOO_GOOD_TO_BE_TRUE: N_("Too good to be true"),
    FlagCode.THREAT: N_("Threatens you"),
    FlagCode.SHORTENED_LINK: N_("Hides where a link goes"),
    FlagCode.LOOKALIKE_DOMAIN: N_("Link that imitates a real company"),
}

INDICATOR_TYPE_NAMES: Mapping[IndicatorType, str] = {
    IndicatorType.PHONE: N_("Phone number"),
    IndicatorType.BANK_ACCOUNT: N_("Bank account"),
    IndicatorType.EWALLET: N_("E-wallet"),
    IndicatorType.CRYPTO_WALLET: N_("Crypto wallet"),
    IndicatorType.URL: N_("Link"),
    IndicatorType.DOMAIN: N_("Website address"),
    IndicatorType.EMAIL: N_("E-mail address"),
    IndicatorType.HANDLE: N_("Chat or social media account"),
    IndicatorType.IP: N_("Internet (IP) address"),
    IndicatorType.IMEI: N_("Phone serial number (IMEI)"),
}

VERDICT_NAMES: Mapping[Verdict, str] = {
    Verdict.SCAM: N_("Reported as a scam"),
    Verdict.SUSPICIOUS: N_("Be careful"),
    Verdict.NO_REPORTS: N_("No reports yet"),
    Verdict.OFFICIAL: N_("Official contact"),
}

MESSAGE_LABEL_NAMES: Mapping[str, str] = {
    "scam": N_("This message reads like a scam."),
    "spam": N_("This message reads like advertising (spam)."),
    "ham": N_("This message does not read like a scam, but that does not prove it is safe."),
}
# The words alone read as ordinary while the red flags, links or reports make the card say
# "be careful": the sentence must not sound like the all-clear.
HAM_WORDS_BUT_CAREFUL = N_(
    "Its wording alone does not read like a scam, but the red flags in it are reason to be careful."
)


def scam_type_name(code: str) -> str:
    """The untranslated name of a scam type code (unknown codes read as "Something else")."""
    try:
        return SCAM_TYPE_NAMES[ScamType(code)]
    except ValueError:
        return SCAM_TYPE_NAMES[ScamType.OTHER]
