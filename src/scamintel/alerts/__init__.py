"""Scam alerts: what analysts publish for citizens, and the JSON Feed and Atom feeds that carry
them to apps and web sites."""

from scamintel.alerts.model import (
    Alert,
    AlertDraft,
    AlertQuery,
    AlertStore,
    InvalidAlertError,
    alert_query,
    draft_alert,
    publish_alert,
)

__all__ = [
    "Alert",
    "AlertDraft",
    "AlertQuery",
    "AlertStore",
    "InvalidAlertError",
    "alert_query",
    "draft_alert",
    "publish_alert",
]
