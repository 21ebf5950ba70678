"""The dispatchers' outages page (R10): declare an outage (notices drafted, editable before they
go out), move its end, restore it, and act on suspected outages with one click.

Every change goes through bot/core/outages/desk.py, as the CLI's do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.core.db import session_scope
from bot.core.models import Outage, OutageSuspicion
from bot.core.outages.desk import change_end, declare_outage, restore_outage
from bot.core.outages.detection import open_suspicions, resolve_suspicion
from bot.core.outages.register import OutageRefused, OutageRequest, declare, linked_counts, parse_time, split_names
from bot.core.tickets.intake import utcnow
from bot.dashboard import auth
from bot.dashboard.texts import LANGUAGE, dashboard_text

STAFF = ("dispatcher", "admin")
RECENT_RESTORED = 20


def outage_routes(settings: Settings, pages: Any, guarded: Callable[..., Any]) -> list[Route]:
    def text(key: str, **values: object) -> str:
        return dashboard_text(key, pages.language, **values)

    def page_values() -> dict[str, Any]:
        with session_scope() as session:
            open_ones = list(
                session.scalars(select(Outage).where(Outage.restored_at.is_(None)).order_by(Outage.start_at))
            )
            restored = list(session.scalars(
                select(Outage).where(Outage.restored_at.is_not(None)).order_by(Outage.restored_at.desc()).limit(RECENT_RESTORED)
            ))  # fmt: skip
            values = {"open_outages": open_ones, "restored": restored, "linked": linked_counts(session),
                      "suspicions": [(s, suspicion_prefill(s, settings, pages.language)) for s in open_suspicions(session)],
                      "now": utcnow()}  # fmt: skip
            session.expunge_all()
        return values

    async def show(user: auth.SignedIn, status: int = 200, error: str = "", done: str = "", form: dict[str, str] | None = None,
                   preview: dict[str, str] | None = None) -> Response:  # fmt: skip
        values = await asyncio.to_thread(page_values)
        return pages.render("outages.html", status, user=user, error=error, done=done, form=form or {},
                            preview=preview, **values)  # fmt: skip

    def request_from(form: dict[str, str]) -> OutageRequest:
        tz = settings.tz
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

    @guarded(STAFF)
    async def outages(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        if request.method == "GET":
            prefill = {
                k: request.query_params.get(k, "")[:200] for k in ("area", "buildings", "start", "end", "reason")
            }
            return await show(user, done=request.query_params.get("done", "")[:300], form=prefill)
        if form.get("step") == "draft":  # check it all and show the notices to edit; write nothing
            try:
                draft = await asyncio.to_thread(dry_run, request_from(form), user.username, settings)
            except OutageRefused as refused:
                return await show(user, 400, error=refused.text("zh") + " " + refused.text("en"), form=form)
            return await show(user, form={**form, **draft}, preview=draft)

        def run() -> str:
            with session_scope() as session:
                result = declare_outage(session, request_from(form), user.username, utcnow(), settings)
                suspicion_id = form.get("suspicion", "")
                if suspicion_id.isdigit():  # declared from a suspicion: its reports join the outage
                    suspicion = session.get(OutageSuspicion, int(suspicion_id))
                    if suspicion is not None and suspicion.open_key is not None:
                        resolve_suspicion(session, suspicion, result.outage, utcnow(), settings)
                done = text("outage.declared", id=result.outage.id, told=result.told, linked=result.linked)
                return " ".join([done, *result.warnings])

        try:
            done = await asyncio.to_thread(run)
        except OutageRefused as refused:
            return await show(user, 400, error=refused.text("zh") + " " + refused.text("en"), form=form)
        return RedirectResponse(f"/dashboard/outages?{urlencode({'done': done})}", 303)

    @guarded(STAFF)
    async def outage_step(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        outage_id, step = request.path_params["outage_id"], request.path_params["step"]

        def run() -> str:
            with session_scope() as session:
                if step == "restore":
                    told = restore_outage(session, outage_id, user.username, utcnow(), settings).told
                    return text("outage.restored", id=outage_id, told=told)
                end = parse_time(form.get("end", ""), settings.tz)
                told = change_end(session, outage_id, end, user.username, utcnow(), settings).told
                return text("outage.end_moved", id=outage_id, told=told)

        if step not in ("restore", "end"):
            return pages.render("error.html", 404, user=user, message=text("outage.no_step"))
        try:
            done = await asyncio.to_thread(run)
        except OutageRefused as refused:
            return await show(user, 400, error=refused.text("zh") + " " + refused.text("en"))
        return RedirectResponse(f"/dashboard/outages?{urlencode({'done': done})}", 303)

    @guarded(STAFF)
    async def dismiss(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def run() -> None:
            with session_scope() as session:
                suspicion = session.get(OutageSuspicion, request.path_params["suspicion_id"])
                if suspicion is not None and suspicion.open_key is not None:
                    resolve_suspicion(session, suspicion, None, utcnow(), settings)

        await asyncio.to_thread(run)
        return RedirectResponse("/dashboard/outages?" + urlencode({"done": text("outage.dismissed")}), 303)

    return [
        Route("/outages", outages, methods=["GET", "POST"]),
        Route("/outages/{outage_id:int}/{step}", outage_step, methods=["POST"]),
        Route("/outages/suspicions/{suspicion_id:int}/dismiss", dismiss, methods=["POST"]),
    ]


def dry_run(request: OutageRequest, actor: str, settings: Settings) -> dict[str, str]:
    """Every check a declaration gets, and the notices it would send, without writing anything:
    the dispatcher edits the notices before they go out."""
    with session_scope() as session:
        try:
            outage = declare(session, request, actor, utcnow(), settings)
            return {
                "notice_zh": outage.notice_zh,
                "notice_en": outage.notice_en,
                "warnings": " ".join(request.warnings),
            }
        finally:
            session.rollback()


def suspicion_prefill(suspicion: OutageSuspicion, settings: Settings, language: str = LANGUAGE) -> dict[str, str]:
    """The declaration form as one click on a suspicion fills it in."""
    start = suspicion.first_report_at.astimezone(settings.tz)
    reason = dashboard_text("outage.default_reason", language)
    return {"area": suspicion.estate, "buildings": suspicion.building or "", "reason": reason,
            "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{start + timedelta(hours=8):%Y-%m-%dT%H:%M}"}  # fmt: skip
