"""Request and response bodies of the alert endpoints. The rules live in
:mod:`scamintel.alerts.model`; these schemas only call them, so a mistake gets the same
message from the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from scamintel.alerts.model import (
    ALERT_LANGUAGES,
    MAX_BODY,
    MAX_TITLE,
    Alert,
    AlertDraft,
    clean_body,
    clean_countries,
    clean_country,
    clean_language,
    clean_languages,
    clean_title,
    draft_alert,
)
from scamintel.reports.model import ScamType


def _country_list(codes: list[str]) -> list[str]:
    return list(clean_countries(codes))


def _language_list(codes: list[str]) -> list[str]:
    return list(clean_languages(codes))


#: One country code in a query string, upper-cased.
CountryCode = Annotated[str, AfterValidator(clean_country)]
#: One language code in a query string, lower-cased.
LanguageCode = Annotated[str, AfterValidator(clean_language)]


class AlertIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "ปลอมเป็นไปรษณีย์ไทย: SMS เรียกเก็บค่าธรรมเนียมพัสดุ",
                    "body": "SMS อ้างว่าพัสดุของคุณติดค้างและให้กดลิงก์เพื่อชำระค่าธรรมเนียม "
                    "ไปรษณีย์ไทยไม่ส่งลิงก์ชำระเงินทาง SMS อย่ากดลิงก์ อย่ากรอกข้อมูลบัตร "
                    "โทร 1441 หากโอนเงินไปแล้ว",
                    "scam_type": "phishing_parcel_utility",
                    "countries": ["TH"],
                    "languages": ["th"],
                }
            ]
        },
    )

    title: Annotated[str, AfterValidator(clean_title)] = Field(
        description=f"A one-line headline, 1–{MAX_TITLE} characters"
    )
    body: Annotated[str, AfterValidator(clean_body)] = Field(
        description=f"What the scam looks like and what to do, 1–{MAX_BODY:,} characters "
        "of plain text (line breaks kept)"
    )
    scam_type: ScamType
    countries: Annotated[list[str], AfterValidator(_country_list)] = Field(
        description="Where the scam is seen: ISO 3166 alpha-2 codes such as TH, MM, KH; "
        "at least one"
    )
    languages: Annotated[list[str], AfterValidator(_language_list)] = Field(
        description="The languages the alert is written in, ISO 639-1 among "
        + " ".join(ALERT_LANGUAGES)
        + "; at least one"
    )

    def draft(self) -> AlertDraft:
        return draft_alert(
            title=self.title,
            body=self.body,
            scam_type=self.scam_type,
            countries=self.countries,
            languages=self.languages,
        )


class AlertOut(BaseModel):
    id: UUID
    title: str
    body: str
    scam_type: ScamType
    countries: list[str] = Field(description="ISO 3166 alpha-2, upper case")
    languages: list[str] = Field(description="ISO 639-1, lower case")
    published_at: datetime
    author: str = Field(description="The organisation that published it")
    url: str = Field(description="The alert on the node's alerts page")

    @classmethod
    def of(cls, alert: Alert, page_url: str) -> AlertOut:
        return cls(
            id=alert.id,
            title=alert.title,
            body=alert.body,
            scam_type=alert.scam_type,
            countries=list(alert.countries),
            languages=list(alert.languages),
            published_at=alert.published_at,
            author=alert.author,
            url=page_url,
        )
