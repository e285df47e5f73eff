"""The patient's pages: my records, privacy preferences (M6/2, M6/5, M8/1), the codes I
received, who saw my data (C5), my applications (KVKK 11) and my masked printout (M5/5).
Every change is an event (`events.apply`); the family's pages are in family.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mahrem.domain.clock import local_date
from mahrem.domain.errors import InputError, MahremError
from mahrem.domain.masking import tr_lower
from mahrem.entrypoints.web import charts
from mahrem.entrypoints.web.fhir_view import CATEGORY_LABELS, RESTRICTED, TYPE_LABELS, readable
from mahrem.entrypoints.web.i18n import N_
from mahrem.entrypoints.web.pages import (
    PREFIX,
    Form,
    Person,
    apply_event,
    parse_day,
    redirect,
    render,
    secured,
)
from mahrem.services import accounts, audit, events, printouts, records

router = APIRouter(include_in_schema=False)
DONE = {
    "hidden": N_("The record is now hidden from everyone but you."),
    "unhidden": N_("The record is visible again to those the law allows."),
    "locked": N_("Your history is locked: physicians need the code sent to your phone."),
    "unlocked": N_("Your history is unlocked."),
    "restricted": N_("Your parents now need your permission to see your records."),
    "granted": N_("This parent may see your records again."),
    "filed": N_("Your application is received. The answer is due within 30 days."),
    "consented": N_("Your consent is recorded. You may withdraw it at any time."),
    "consent_withdrawn": N_("Your consent is withdrawn: no transfer relies on it from now on."),
}


@router.get("/me/records")
def records_page(v: Person, category: str | None = None, done: str | None = None) -> Response:
    assert v.me is not None
    view = records.read_records(v.m, v.me.id, v.me.id)
    mine = sorted(view.permitted, key=lambda r: r.created_at, reverse=True)
    categories = sorted({r.category for r in mine})
    shown = [r for r in mine if not category or r.category == category]
    rows = [
        {
            "id": r.id,
            "category": r.category,
            "type": r.resource_type,
            "created_at": r.created_at,
            "facility": r.facility,
            "title": readable(r.resource, v._)[0] or r.resource_type,
        }
        for r in shown
    ]
    names = accounts.names(v.m, {r["facility"] for r in rows})
    return render(
        v,
        "records.html",
        rows=rows,
        categories=categories,
        category=category,
        names=names,
        privacy=accounts.privacy(v.m, v.me.id, v.now),
        done=DONE.get(done or ""),
        labels=CATEGORY_LABELS,
        types=TYPE_LABELS,
        restricted=RESTRICTED,
    )


@router.get("/me/records/{record}")
def record(v: Person, record: str) -> Response:
    assert v.me is not None
    try:
        r = records.read_record(v.m, v.me.id, record, patient=v.me.id)
    except MahremError:
        return render(
            v, "error.html", status=404, message=v._("There is no such record among yours.")
        )
    title, lines = readable(r.resource, v._)
    return render(
        v,
        "record.html",
        r=r,
        title=title or r.resource_type,
        lines=lines,
        names=accounts.names(v.m, {r.facility}),
        privacy=accounts.privacy(v.m, v.me.id, v.now),
        labels=CATEGORY_LABELS,
        types=TYPE_LABELS,
    )


@router.post("/me/records/{record}/{change}")
def hide(v: Person, form: Form, record: str, change: str) -> Response:
    assert v.me is not None
    if change not in ("hide", "unhide"):
        return redirect(f"{PREFIX}/me/records")
    # a record not among the patient's own, hidden, of a concealed patient or unknown: one answer
    try:
        events.apply_event(
            v.m,
            {
                "type": "record_hidden" if change == "hide" else "record_unhidden",
                "patient": v.me.id,
                "record": record,
            },
        )
    except InputError:
        return render(
            v, "error.html", status=404, message=v._("There is no such record among yours.")
        )
    back = (
        f"{PREFIX}/me/records/{record}" if form.get("back") == "record" else f"{PREFIX}/me/records"
    )
    return redirect(f"{back}?done={'hidden' if change == 'hide' else 'unhidden'}")


TRANSFER_RECIPIENTS = ("private", "foreign")


@router.get("/me/privacy")
def privacy(v: Person, done: str | None = None, error: str | None = None) -> Response:
    assert v.me is not None
    return render(
        v,
        "privacy.html",
        privacy=accounts.privacy(v.m, v.me.id, v.now),
        done=DONE.get(done or ""),
        error=error,
    )


@router.post("/me/privacy/{change}")
def change_privacy(v: Person, form: Form, change: str) -> Response:
    assert v.me is not None
    events = {
        "lock": ({"type": "history_locked", "patient": v.me.id}, "locked"),
        "unlock": ({"type": "history_unlocked", "patient": v.me.id}, "unlocked"),
        "restrict-parents": (
            {"type": "parental_access_restricted", "child": v.me.id},
            "restricted",
        ),
        "grant-parent": (
            {
                "type": "parental_access_granted",
                "child": v.me.id,
                "parent": str(form.get("parent")),
            },
            "granted",
        ),
    }
    for kind in TRANSFER_RECIPIENTS:  # M15/1: explicit consent, withdrawable for the future
        events[f"consent-{kind}"] = (
            {"type": "transfer_consent_given", "patient": v.me.id, "recipient_kind": kind},
            "consented",
        )
        events[f"withdraw-{kind}"] = (
            {"type": "transfer_consent_withdrawn", "patient": v.me.id, "recipient_kind": kind},
            "consent_withdrawn",
        )
    if change not in events:
        return redirect(f"{PREFIX}/me/privacy")
    event, done = events[change]
    try:
        refused = apply_event(v, event)
    except InputError:
        refused = v._("That change could not be made.")
    if refused:
        return render(
            v,
            "privacy.html",
            status=422,
            privacy=accounts.privacy(v.m, v.me.id, v.now),
            done=None,
            error=refused,
        )
    return redirect(f"{PREFIX}/me/privacy?done={done}")


@router.get("/me/codes")
def codes(v: Person) -> Response:
    assert v.me is not None
    messages = (
        sorted(accounts.outbox(v.m, v.me.phone), key=lambda r: r["created_at"], reverse=True)
        if v.me.phone
        else []
    )
    return render(v, "codes.html", messages=messages)


@router.get("/me/access")
def access(
    v: Person, decision: str = "", since: str = "", until: str = "", who: str = ""
) -> Response:
    assert v.me is not None
    entries = audit.access_log(v.m, v.me.id, v.me.id, v.lang, limit=5000)
    errors: dict[str, str] = {}
    first, last = parse_day(since), parse_day(until)
    if since and first is None:
        errors["since"] = v._("Enter a date as YYYY-MM-DD.")
    if until and last is None:
        errors["until"] = v._("Enter a date as YYYY-MM-DD.")
    if first and last and first > last:
        errors["until"] = v._("The end date is before the start date.")
    needle = tr_lower(who.strip())
    shown = [
        e
        for e in entries
        if (not decision or e["decision"] == decision)
        and (not first or charts.day_of(e["at"]) >= first)
        and (not last or charts.day_of(e["at"]) <= last)
        and (not needle or needle in tr_lower(f"{e['actor_name'] or ''} {e['actor'] or ''}"))
    ]
    today = local_date(v.now)
    # The chart spans the filter's dates, else from the first access shown (two weeks at least).
    start = first or min([today - timedelta(days=13)] + [charts.day_of(e["at"]) for e in shown])
    chart = charts.timeline(shown, start, last or today)
    filters = {"decision": decision, "since": since, "until": until, "who": who}
    return render(
        v,
        "access.html",
        entries=list(reversed(shown)),
        chart=chart,
        filters=filters,
        errors=errors,
        total=len(entries),
    )


def _applications_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    from mahrem.services import corrections
    from mahrem.services import rights as applications

    return render(
        v,
        "applications.html",
        status=status,
        applications=applications.list_applications(v.m, v.me.id, lang=v.lang),
        corrections=corrections.corrections_of(v.m, v.me.id, v.me.id, lang=v.lang),
        kinds={
            k: (article, en if v.lang == "en" else tr)
            for k, (article, tr, en) in applications.KINDS.items()
        },
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/me/applications")
def my_applications(v: Person, done: str | None = None) -> Response:
    """KVKK 11 applications and M13 correction requests, with their status and deadline."""
    return _applications_page(v, {}, {}, DONE.get(done or ""))


@router.post("/me/applications")
def file_application(v: Person, form: Form) -> Response:
    assert v.me is not None
    from mahrem.services import rights as applications

    values = {"kind": str(form.get("kind", "")), "subject": str(form.get("subject", "")).strip()}
    errors: dict[str, str] = {}
    if values["kind"] not in applications.KINDS:
        errors["kind"] = v._("Choose what you ask for.")
    if not values["subject"]:
        errors["subject"] = v._("Say what you ask for.")
    elif len(values["subject"]) > 2000:
        errors["subject"] = v._("At most 2000 characters.")
    if errors:
        return _applications_page(v, values, errors, None, 422)
    applications.file_application(v.m, v.me.id, values["kind"], values["subject"], lang=v.lang)
    return redirect(f"{PREFIX}/me/applications?done=filed")


@router.get("/me/printout")
def printout_page(v: Person) -> Response:
    return render(v, "printout.html", error=None)


@router.post("/me/printout")
def printout(v: Person, form: Form) -> Response:
    assert v.me is not None
    try:
        made = printouts.create_printout(v.m, v.me.id, v.me.id)
    except MahremError as exc:
        message = (
            v._("There are no laboratory results to print.")
            if "record" in exc.code or "printout" in exc.code
            else v._("The printout could not be made.")
        )
        return render(v, "printout.html", status=422, error=message)
    response = Response(
        made.pdf or b"",
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="mahrem-sonuc.pdf"',
            "Mahrem-Verification-Code": made.code or "",
        },
    )
    return secured(response)
