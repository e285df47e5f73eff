"""Policy changes as the law allows them (M6/4, M5/8; issue 21) on SQLite and PostgreSQL: what
the law fixes is refused with its article, a draft takes effect at its time with its notice,
and only a GM officer drafts and activates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from mahrem.domain.errors import Forbidden, Refused
from mahrem.domain.policy_bounds import STATUTORY_BOUNDS, fixed_by_law
from mahrem.services import access, rights
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem
from tests.integration.helpers import loaded, read, rows, t

NOW = t("2026-03-02T10:00:00+03:00")
NOTICE = {
    "title_tr": "Aydınlatma metni (sürüm 2)",
    "title_en": "Information notice (version 2)",
    "body_tr": "Tek kullanımlık kodların süresi 15 dakikaya çıkarıldı.",
    "body_en": "One-time codes now last 15 minutes.",
}


def draft(service: Mahrem, changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "changes": changes,
        "effective_at": NOW + timedelta(days=7),
        "reason": "Hastaların SMS gecikmeleri",
        "notice": NOTICE,
        "at": NOW,
        **extra,
    }
    return rights.draft_policy(service, "G1", **args)


@pytest.mark.parametrize(
    ("changes", "basis"),
    [
        ({"max_reidentifiers_per_unit": 5}, "7/1"),  # M7/1: "en fazla üç kişi"
        ({"retention_after_death_years": 5}, "11/2"),  # M11/2: at least twenty years
        ({"application_answer_days": 60}, "KVKK/13-2"),  # KVKK 13/2: thirty days
        ({"destruction_request_days": 45}, "KVKK/13-2"),
        ({"breach_notification_hours": 240}, "KVKK/12-5"),  # the Board's 72 hours
        ({"care_purposes": ["treatment", "insurance"]}, "6/1"),  # KVKK 6/3 with M6/1
        ({"majority_age": 14}, "TMK/11"),  # TMK 11: eighteen
        ({"discernment_age": 18}, "8/1"),  # M8/1's second sentence would be void
    ],
)
def test_what_the_law_fixes_is_refused_with_its_article(
    service: Mahrem, changes: dict[str, Any], basis: str
) -> None:
    loaded(service)
    with pytest.raises(Refused) as refused:
        draft(service, changes)
    assert (refused.value.code, refused.value.basis) == ("policy.statutory_bound", basis)
    assert refused.value.field == next(iter(changes))
    assert not rows(service, "policy_draft")
    with pytest.raises(Refused):  # and no other door moves it either
        access.change_policy(service, changes, "G1", NOW)


def test_the_law_s_bounds_allow_the_direction_it_allows(service: Mahrem) -> None:
    loaded(service)
    stricter = {
        "max_reidentifiers_per_unit": 2,
        "retention_after_death_years": 25,
        "application_answer_days": 15,
        "breach_notification_hours": 24,
        "care_purposes": ["treatment", "diagnosis"],
        "discernment_age": 16,
    }
    assert draft(service, stricter)["status"] == "draft"
    assert {b.parameter for b in STATUTORY_BOUNDS} >= set(stricter)
    assert fixed_by_law("majority_age") and not fixed_by_law("code_lifetime")


def test_a_draft_takes_effect_at_its_time_with_its_notice_m6_4(service: Mahrem) -> None:
    loaded(service)
    before = policy_at_now(service)
    made = draft(service, {"code_lifetime": 900})
    active = rights.activate_policy(service, "G1", made["id"], at=NOW + timedelta(hours=1))
    assert active["status"] == "active" and active["policy_version"] == before.version + 1
    [notice] = rows(service, "notice", version=active["notice_version"])
    assert notice["title_tr"] == NOTICE["title_tr"]
    assert notice["published_at"] == NOW + timedelta(hours=1)  # told before it applies
    effective = NOW + timedelta(days=7)
    with service.uow.read() as store:
        assert policy_at(store, effective - timedelta(seconds=1)).version == before.version
        assert policy_at(store, effective).code_lifetime == timedelta(seconds=900)
    shown = rights.policy_in_force(service, at=NOW + timedelta(hours=2))
    assert shown["version"] == before.version
    [scheduled] = shown["scheduled"]
    assert scheduled["version"] == before.version + 1
    assert datetime.fromisoformat(scheduled["effective_at"]) == effective
    # every decision names the version it used
    read(service, (effective - timedelta(minutes=1)).isoformat())
    read(service, (effective + timedelta(minutes=1)).isoformat())
    decisions = [e["policy_version"] for e in rows(service, "audit_log", kind="decision")]
    assert decisions[-2:] == [before.version, before.version + 1]
    [changed] = rows(service, "audit_log", action="policy_changed")
    assert changed["actor"] == "G1" and changed["basis"] == "6/4"
    assert changed["detail"]["notice_version"] == active["notice_version"]


def policy_at_now(service: Mahrem) -> Any:
    with service.uow.read() as store:
        return policy_at(store, NOW)


def test_a_change_takes_effect_only_after_it_is_recorded_m6_4(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(Refused) as refused:
        draft(service, {"code_lifetime": 900}, effective_at=NOW)
    assert refused.value.basis == "6/4"
    made = draft(service, {"code_lifetime": 900})
    with pytest.raises(Refused) as late:  # its time passed before it was activated
        rights.activate_policy(service, "G1", made["id"], at=NOW + timedelta(days=8))
    assert late.value.code == "policy.effective_past"


def test_a_draft_is_activated_once_and_a_withdrawn_one_never(service: Mahrem) -> None:
    loaded(service)
    first, second = draft(service, {"code_lifetime": 900}), draft(service, {"copy_window": 7200})
    rights.activate_policy(service, "G1", first["id"], at=NOW)
    with pytest.raises(Refused) as again:
        rights.activate_policy(service, "G1", first["id"], at=NOW)
    assert again.value.code == "policy.draft_closed"
    assert rights.withdraw_policy(service, "G1", second["id"], at=NOW)["status"] == "withdrawn"
    with pytest.raises(Refused):
        rights.activate_policy(service, "G1", second["id"], at=NOW)
    listed = rights.policy_drafts(service, "G1", at=NOW)
    assert [(d["id"], d["status"]) for d in listed] == [
        (second["id"], "withdrawn"),
        (first["id"], "active"),
    ]


def test_only_a_gm_officer_drafts_activates_and_lists(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(Forbidden):
        rights.draft_policy(
            service,
            "A1",
            changes={"code_lifetime": 900},
            effective_at=NOW + timedelta(days=1),
            reason="r",
            notice=NOTICE,
            at=NOW,
        )
    made = draft(service, {"code_lifetime": 900})
    with pytest.raises(Forbidden):
        rights.activate_policy(service, "D1", made["id"], at=NOW)
    with pytest.raises(Forbidden):
        rights.policy_drafts(service, "P1", at=NOW)
