"""The dispatchers' outages page (R10): declare an outage (notices drafted, editable before they
go out), move its end, restore it, and act on suspected outages with one click.

Every change goes through bot/core/outages/desk.py, as the CLI's do.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.core.models import Outage, OutageSuspicion
from bot.core.outages.desk import change_end, declare_outage, restore_outage
from bot.core.outages.detection import open_suspicions, resolve_suspicion
from bot.core.outages.register import OutageRefused, OutageRequest, declare, linked_counts, parse_time, split_names
from bot.core.tickets.intake import utcnow
from bot.dashboard.guard import STAFF, Guard, Visit
from bot.dashboard.texts import LANGUAGE, dashboard_text
from bot.dashboard.views import OutageView, SuspicionView, plain, plain_all

RECENT_RESTORED = 20


def outage_routes(guard: Guard) -> list[Route]:
    return [
        Route("/outages", guard(STAFF, outages), methods=["GET", "POST"]),
        Route("/outages/{outage_id:int}/{step}", guard(STAFF, outage_step), methods=["POST"]),
        Route("/outages/suspicions/{suspicion_id:int}/dismiss", guard(STAFF, dismiss), methods=["POST"]),
    ]


def show(visit: Visit, status: int = 200, error: str = "", done: str = "", form: dict[str, str] | None = None,
         preview: dict[str, str] | None = None) -> Response:  # fmt: skip
    """The page: open and recently restored outages, suspicions with their one-click form."""
    session = visit.session
    open_ones = session.scalars(select(Outage).where(Outage.restored_at.is_(None)).order_by(Outage.start_at))
    restored = session.scalars(
        select(Outage).where(Outage.restored_at.is_not(None)).order_by(Outage.restored_at.desc()).limit(RECENT_RESTORED)
    )
    suspicions = [(plain(SuspicionView, s), suspicion_prefill(s, visit.settings.tz, visit.pages.language))
                  for s in open_suspicions(session)]  # fmt: skip
    return visit.render("outages.html", status, error=error, done=done, form=form or {}, preview=preview,
                        open_outages=plain_all(OutageView, open_ones), restored=plain_all(OutageView, restored),
                        linked=linked_counts(session), suspicions=suspicions, now=utcnow())  # fmt: skip


def refused_text(refused: OutageRefused) -> str:
    return refused.text("zh") + " " + refused.text("en")


def request_from(form: dict[str, str], tz: ZoneInfo) -> OutageRequest:
    for name in ("start", "end"):
        if not form.get(name, "").strip():
            raise OutageRefused("outage_bad_time", value="")
    return OutageRequest(
        estates=split_names(form.get("area")),
        buildings=split_names(form.get("buildings")) or None,
        start_at=parse_time(form["start"], tz),
        end_at=parse_time(form["end"], tz),
        reason=form.get("reason", ""),
        planned=form.get("planned") == "on",
        late_reason=form.get("late_reason") or None,
        notice_zh=form.get("notice_zh") or None,
        notice_en=form.get("notice_en") or None,
    )


def outages(visit: Visit) -> Response:
    params, form = visit.params, visit.form
    if visit.request.method == "GET":
        prefill = {k: params.get(k, "")[:200] for k in ("area", "buildings", "start", "end", "reason")}
        return show(visit, done=visit.done_message(300), form=prefill)
    if form.get("step") == "draft":  # check it all and show the notices to edit; write nothing
        try:
            draft = dry_run(visit.session, request_from(form, visit.settings.tz), visit.user.username, visit.settings)
        except OutageRefused as refused:
            return show(visit, 400, error=refused_text(refused), form=form)
        return show(visit, form={**form, **draft}, preview=draft)
    session = visit.session
    try:
        result = declare_outage(
            session, request_from(form, visit.settings.tz), visit.user.username, utcnow(), visit.settings
        )
        suspicion_id = form.get("suspicion", "")
        if suspicion_id.isdigit():  # declared from a suspicion: its reports join the outage
            suspicion = session.get(OutageSuspicion, int(suspicion_id))
            if suspicion is not None and suspicion.open_key is not None:
                resolve_suspicion(session, suspicion, result.outage, utcnow(), visit.settings)
    except OutageRefused as refused:
        session.rollback()
        return show(visit, 400, error=refused_text(refused), form=form)
    declared = visit.text("outage.declared", id=result.outage.id, told=result.told, linked=result.linked)
    done = " ".join([declared, *result.warnings])
    return RedirectResponse(f"/dashboard/outages?{urlencode(visit.done_params(done))}", 303)


def outage_step(visit: Visit) -> Response:
    outage_id, step = visit.path["outage_id"], visit.path["step"]
    if step not in ("restore", "end"):
        return visit.refuse(404, visit.text("outage.no_step"))
    session, actor = visit.session, visit.user.username
    try:
        if step == "restore":
            told = restore_outage(session, outage_id, actor, utcnow(), visit.settings).told
            done = visit.text("outage.restored", id=outage_id, told=told)
        else:
            end = parse_time(visit.form.get("end", ""), visit.settings.tz)
            told = change_end(session, outage_id, end, actor, utcnow(), visit.settings).told
            done = visit.text("outage.end_moved", id=outage_id, told=told)
    except OutageRefused as refused:
        session.rollback()
        return show(visit, 400, error=refused_text(refused))
    return RedirectResponse(f"/dashboard/outages?{urlencode(visit.done_params(done))}", 303)


def dismiss(visit: Visit) -> Response:
    suspicion = visit.session.get(OutageSuspicion, visit.path["suspicion_id"])
    if suspicion is not None and suspicion.open_key is not None:
        resolve_suspicion(visit.session, suspicion, None, utcnow(), visit.settings)
    return RedirectResponse("/dashboard/outages?" + urlencode(visit.done_params(visit.text("outage.dismissed"))), 303)


def dry_run(session: Session, request: OutageRequest, actor: str, settings: Settings) -> dict[str, str]:
    """Every check a declaration gets, and the notices it would send, without writing anything:
    the dispatcher edits the notices before they go out."""
    try:
        outage = declare(session, request, actor, utcnow(), settings)
        return {
            "notice_zh": outage.notice_zh,
            "notice_en": outage.notice_en,
            "warnings": " ".join(request.warnings),
        }
    finally:
        session.rollback()


def suspicion_prefill(suspicion: OutageSuspicion, tz: ZoneInfo, language: str = LANGUAGE) -> dict[str, str]:
    """The declaration form as one click on a suspicion fills it in."""
    start = suspicion.first_report_at.astimezone(tz)
    reason = dashboard_text("outage.default_reason", language)
    return {"area": suspicion.estate, "buildings": suspicion.building or "", "reason": reason,
            "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{start + timedelta(hours=8):%Y-%m-%dT%H:%M}"}  # fmt: skip
