"""The data subject's rights: applications under KVKK 11 and 13 (M5/6–7) and their answers,
privacy notices, and the breach register with the notification to the Board (M18/2)."""

from __future__ import annotations

from mahrem.services.rights.answering import answer_application, start_review
from mahrem.services.rights.applications import (
    KINDS,
    file_application,
    get_application,
    list_applications,
    overdue_applications,
)
from mahrem.services.rights.breach_notices import board_draft, patient_notice
from mahrem.services.rights.breaches import (
    add_measure,
    close_breach,
    find_affected,
    get_breach,
    list_breaches,
    notify_board,
    patients_notified,
    record_breach,
)
from mahrem.services.rights.notices import (
    NOTICE_FIELDS,
    get_notice,
    list_notices,
    notice_views,
    publish_notice,
    record_notice_seen,
)
from mahrem.services.rights.policy_drafts import (
    activate_policy,
    draft_policy,
    policy_drafts,
    policy_in_force,
    withdraw_policy,
)
from mahrem.services.rights.summary import DataSummary, my_data, my_data_pdf

__all__ = [
    "KINDS",
    "NOTICE_FIELDS",
    "DataSummary",
    "activate_policy",
    "add_measure",
    "answer_application",
    "board_draft",
    "close_breach",
    "draft_policy",
    "file_application",
    "find_affected",
    "get_application",
    "get_breach",
    "get_notice",
    "list_applications",
    "list_breaches",
    "list_notices",
    "my_data",
    "my_data_pdf",
    "notice_views",
    "notify_board",
    "overdue_applications",
    "patient_notice",
    "patients_notified",
    "policy_drafts",
    "policy_in_force",
    "publish_notice",
    "record_breach",
    "record_notice_seen",
    "start_review",
    "withdraw_policy",
]
