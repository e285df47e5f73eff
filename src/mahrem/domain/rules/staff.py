"""M6 — health staff: current care (M6/1), past data with an e-Nabız account (M6/2) or
within the statutory windows without one (M6/3), the history lock and its one-time code
(M6/5), restricted categories (M6/6); corrections by the facility (M13/3); analyses (KTS/2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mahrem.domain.clock import day_start
from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Episode, Facts, StaffPost, any_in_force
from mahrem.domain.policy import Policy


def posts_at(facts: Facts, req: Request) -> list[StaffPost]:
    return [p for p in facts.staff_posts if p.span.contains(req.at)]


def _physician_posts(facts: Facts, req: Request) -> list[StaffPost]:
    return [p for p in posts_at(facts, req) if p.role == "physician"]


def staff_read(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 4 — M6/1 for current care, else past data under M6/2 or M6/3."""
    if req.action != "read":
        return None
    if req.purpose not in policy.care_purposes:
        return deny("6/1", "staff.purpose_not_care")
    if current_care(req, facts, policy):
        return permit("6/1", "staff.current_care")
    return past_data(req, facts, policy)


def current_care(req: Request, facts: Facts, policy: Policy) -> bool:
    """M6/1 — the record was made at the actor's facility during this patient's episode there
    (a check-in's 24 hours, or an admission until discharge), and that episode is still open.

    SPEC.md (Interpretations): data of the current episode falls under M6/1 care and is open to
    all of that facility's staff; M6/3 governs past data only.
    """
    record = facts.record
    if record is None or not any(p.facility == record.facility for p in posts_at(facts, req)):
        return False
    for episode in facts.episodes:
        if episode.facility != record.facility:
            continue
        span = episode_span(episode, policy)
        if (
            span[0] <= record.created_at
            and _before_end(record.created_at, span[1])
            and span[0] <= req.at
            and _before_end(req.at, span[1])
        ):
            return True
    return False


def episode_open_at_post(req: Request, facts: Facts, policy: Policy) -> bool:
    """M6/1 — the actor holds a post at a facility where this patient's episode (a check-in's
    24 hours, or an admission until discharge) is open at the request's time."""
    facilities = {p.facility for p in posts_at(facts, req)}
    for episode in facts.episodes:
        if episode.facility in facilities:
            start, end = episode_span(episode, policy)
            if start <= req.at and _before_end(req.at, end):
                return True
    return False


def episode_span(episode: Episode, policy: Policy) -> tuple[datetime, datetime | None]:
    """A check-in is open for the policy's window (24 h); an admission until discharge."""
    if episode.kind == "check_in":
        return episode.span.start, episode.span.start + policy.check_in_window
    return episode.span.start, episode.span.end


def _before_end(at: datetime, end: datetime | None) -> bool:
    return end is None or at < end


def family_doctor(req: Request, facts: Facts, policy: Policy) -> str | None:
    """M6/3-a — "aile hekimi tarafından": the registered family doctor, no time limit."""
    if any(doc == req.actor and span.contains(req.at) for doc, span in facts.family_doctor):
        return "6/3-a"
    return None


def appointment_physician(req: Request, facts: Facts, policy: Policy) -> str | None:
    """M6/3-b — the physician the patient has an appointment with, on that day, until the
    appointment's procedures are completed.

    "randevu aldığı hekim tarafından, randevunun alındığı gün ile sınırlı olmak kaydıyla ve
    alınan sağlık hizmeti ile doğrudan bağlantılı işlemler sonlanana kadar"
    """
    # We read "randevunun alındığı gün" as the appointment's Istanbul calendar day (SPEC.md,
    # Interpretations); the booking day would let a doctor read weeks early.
    if any(a.physician == req.actor and a.open_at(req.at) for a in facts.appointments):
        return "6/3-b"
    return None


def _episode_window(kind: str, basis: str) -> Callable[[Request, Facts, Policy], str | None]:
    def window(req: Request, facts: Facts, policy: Policy) -> str | None:
        facilities = {p.facility for p in _physician_posts(facts, req)}
        for episode in facts.episodes:
            if episode.kind != kind or episode.facility not in facilities:
                continue
            start, end = episode_span(episode, policy)
            if start <= req.at and _before_end(req.at, end):
                return basis
        return None

    return window


check_in_physician = _episode_window("check_in", "6/3-c")
check_in_physician.__doc__ = """M6/3-c — any physician of a facility the patient checked in to,
for 24 hours from the check-in ("başvurduğu sağlık tesisindeki hekimler tarafından 24 saat")."""
admission_physician = _episode_window("admission", "6/3-ç")
admission_physician.__doc__ = """M6/3-ç — any physician of the facility where the patient is
admitted, until discharge ("yatarak tedavi ... taburcu olana kadar")."""

# M6/3 a, b, c, ç — tried in this order; the first that applies is the basis.
WINDOWS = (family_doctor, appointment_physician, check_in_physician, admission_physician)


def care_window(req: Request, facts: Facts, policy: Policy) -> str | None:
    """The first M6/3 window that holds for this physician and patient, or None."""
    if not _physician_posts(facts, req):
        return None
    for window in WINDOWS:
        basis = window(req, facts, policy)
        if basis is not None:
            return basis
    return None


def past_data(req: Request, facts: Facts, policy: Policy) -> Verdict:
    """M6/2 (account holders) or M6/3 (no account) for past data, then M6/5 and M6/6."""
    has_account = any_in_force(facts.enabiz_account, req.at)
    window = care_window(req, facts, policy)
    if window is None:
        if has_account:
            return deny("6/2", "staff.no_care_relationship")
        return deny("6/3", "staff.no_statutory_window")
    granted = any_in_force(facts.code_grants, req.at)
    if any_in_force(facts.history_locks, req.at) and not granted:
        return deny("6/5", "staff.history_locked")
    if restricted_for(req, facts, policy) and not granted:
        return deny("6/6", "staff.restricted_category")
    if has_account:
        return permit("6/2", "staff.past_data_account")
    return permit(window, "staff.past_data_window")


def restricted_for(req: Request, facts: Facts, policy: Policy) -> bool:
    """M6/6 — a restricted category the physician neither wrote nor has the specialty for."""
    record = facts.record
    if record is None or not policy.is_restricted(record.category):
        return False
    if record.author == req.actor:
        return False
    return not any(
        policy.specialty_matches(record.category, p.specialty) for p in _physician_posts(facts, req)
    )


def staff_correct(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 4a — M13/3: records created on or after GM's cut-off date are corrected by the
    facility that created them ("bu tarihten sonra oluşturulan ... ilgili sağlık tesisi")."""
    if req.action != "correct":
        return None
    record = facts.record
    cutoff = next((c for c in facts.cutoffs if c.span.contains(req.at)), None)
    if record is None or cutoff is None:
        return deny("13/3", "correction.no_cutoff")
    if not any(p.facility == record.facility for p in posts_at(facts, req)):
        return deny("13/3", "correction.not_record_facility")
    # SPEC.md: a record created on the cut-off day itself is the facility's to correct.
    if record.created_at < day_start(cutoff.day):
        return deny("13/3", "correction.before_cutoff")
    return permit("13/3", "correction.facility")


def staff_analyze(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 4b — KTS/2: staff of the installation's facility analyse (rule 1 required the
    written opinion)."""
    if req.action != "analyze":
        return None
    installation = facts.installation
    if installation is not None and any(
        p.facility == installation.facility for p in posts_at(facts, req)
    ):
        return permit("KTS/2", "kts.analysis_with_opinion")
    return None


STAFF_RULES = (staff_read, staff_correct, staff_analyze)
