"""The data subject's rights: applications under KVKK 11 and 13 (M5/6–7) and their answers,
privacy notices, and the breach register with the notification to the Board (M18/2)."""

from __future__ import annotations

from mahrem.services.rights.applications import DataSummary, KINDS, answer_application, file_application, get_application, get_notice, list_applications, list_notices, my_data, my_data_pdf, notice_views, overdue_applications, publish_notice, record_notice_seen, start_review
from mahrem.services.rights.breaches import add_measure, board_draft, close_breach, find_affected, get_breach, list_breaches, notify_board, patient_notice, patients_notified, record_breach

__all__ = [
    "DataSummary",
    "KINDS",
    "add_measure",
    "answer_application",
    "board_draft",
    "close_breach",
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
    "publish_notice",
    "record_breach",
    "record_notice_seen",
    "start_review",
]
