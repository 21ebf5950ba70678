"""The admins' pages for teaching the bot: the NLU inbox, training examples and new intents,
training a candidate model, evaluating it against the live one, and switching models."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.core.db import session_scope
from bot.core.tickets.intake import utcnow
from bot.dashboard import auth
from bot.dashboard.texts import dashboard_text
from bot.engine.processes import MODEL_FILE, MODELS
from bot.teaching import activation as model_activation
from bot.teaching import eval_runs as nlu_eval_runs
from bot.teaching import examples as nlu_examples
from bot.teaching import inbox
from bot.teaching import intents as nlu_intents
from bot.teaching import training as nlu_training


def nlu_routes(settings: Settings, pages: Any, guarded: Callable[..., Any]) -> list[Route]:
    """The routes, guarded for admins by the dashboard's own `guarded` (sign-in, role, CSRF)."""

    def text(key: str, **values: object) -> str:
        return dashboard_text(key, pages.language, **values)

    @guarded(("admin",))
    async def nlu_inbox(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def read() -> dict[str, Any]:
            with session_scope() as session:
                items = inbox.open_items(session)
                session.expunge_all()
            return {"items": items, "intents": inbox.known_intents(settings.domain_file)}

        done = request.query_params.get("done", "")[:100]
        return pages.render("nlu_inbox.html", user=user, done=done, **await asyncio.to_thread(read))

    @guarded(("admin",))
    async def nlu_annotate(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def run() -> tuple[bool, str]:
            with session_scope() as session:
                try:
                    return True, inbox.annotate(
                        session,
                        request.path_params["item_id"],
                        form.get("intent", ""),
                        user.username,
                        utcnow(),
                        settings.nlu_data_dir,
                        inbox.known_intents(settings.domain_file),
                    )
                except inbox.AnnotationError as problem:
                    session.rollback()
                    return False, str(problem)

        ok, message = await asyncio.to_thread(run)
        if not ok:
            return pages.render("error.html", 400, user=user, message=message)
        return RedirectResponse(f"/dashboard/nlu/inbox?{urlencode({'done': message})}", 303)

    def models_values() -> dict[str, Any]:
        try:
            live = model_activation.serving(settings.rasa_servers[0])
        except model_activation.ActivationError as problem:
            live = text("nlu.live_unknown", problem=problem)
        with session_scope() as session:
            activations = model_activation.history(session)[:50]
            run = nlu_training.latest_run(session)
            run_progress = nlu_training.progress(run) if run is not None and run.state == "running" else ""
            session.expunge_all()
        files = list(model_activation.available_models(MODELS))
        return {"models": files, "live": live, "activations": activations, "run": run, "run_progress": run_progress}

    @guarded(("admin",))
    async def nlu_models(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        values = await asyncio.to_thread(models_values)
        done = request.query_params.get("done", "")[:200]
        return pages.render("nlu_models.html", user=user, done=done, **values)

    @guarded(("admin",))
    async def nlu_switch(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        """Activate a listed model, or roll back; Rasa loads it while conversations go on."""
        rolling_back = request.path_params["how"] == "rollback"

        def run() -> str:
            with session_scope() as session:
                if rolling_back:
                    record = model_activation.roll_back(session, settings.rasa_servers, user.username, utcnow())
                else:
                    chosen = model_activation.available_models(MODELS).get(form.get("model", ""))
                    if chosen is None:
                        raise model_activation.ActivationError("nlu.pick_model")
                    record = model_activation.activate(session, settings.rasa_servers, chosen, user.username,
                                                       utcnow(), default_previous=MODEL_FILE)  # fmt: skip
                return text("nlu.now_serving", model=Path(record.model_path).name, seconds=f"{record.seconds:.1f}")

        try:
            message = await asyncio.to_thread(run)
        except model_activation.ActivationError as problem:
            values = await asyncio.to_thread(models_values)
            return pages.render("nlu_models.html", 400, user=user, error=str(problem), **values)
        return RedirectResponse(f"/dashboard/nlu/models?{urlencode({'done': message})}", 303)

    @guarded(("admin",))
    async def nlu_train(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def run() -> str | None:
            with session_scope() as session:
                try:
                    nlu_training.start_training(session, settings, user.username, utcnow())
                except nlu_training.TrainingError as problem:
                    return str(problem)
            return None

        problem = await asyncio.to_thread(run)
        if problem:
            values = await asyncio.to_thread(models_values)
            return pages.render("nlu_models.html", 409, user=user, error=problem, **values)
        return RedirectResponse("/dashboard/nlu/models", 303)

    def evaluation_values() -> dict[str, Any]:
        with session_scope() as session:
            run = nlu_eval_runs.latest_evaluation(session)
            session.expunge_all()
        files = list(model_activation.available_models(MODELS))
        return {"models": files, "run": run}

    @guarded(("admin",))
    async def nlu_evaluate(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        if request.method == "POST":

            def start() -> str | None:
                chosen = model_activation.available_models(MODELS).get(form.get("model", ""))
                if chosen is None:
                    return text("nlu.pick_model")
                with session_scope() as session:
                    try:
                        nlu_eval_runs.start_evaluation(
                            session, settings.rasa_servers[0], chosen, user.username, utcnow()
                        )
                    except nlu_eval_runs.EvaluationError as problem:
                        return str(problem)
                return None

            problem = await asyncio.to_thread(start)
            if problem is None:
                return RedirectResponse("/dashboard/nlu/evaluate", 303)
            values = await asyncio.to_thread(evaluation_values)
            return pages.render("nlu_evaluate.html", 400, user=user, error=problem, **values)
        return pages.render("nlu_evaluate.html", user=user, **await asyncio.to_thread(evaluation_values))

    EXAMPLES_SHOWN = 300

    @guarded(("admin",))
    async def nlu_examples_page(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        """Browse and search; POST adds an example, edits one or deletes one."""
        done, error = request.query_params.get("done", "")[:200], ""
        if request.method == "POST":

            def change() -> str:
                data_dir, action = settings.nlu_data_dir, form.get("action", "")
                if action == "add":
                    added = nlu_examples.add(data_dir, form.get("intent", ""), form.get("text", ""),
                                            inbox.known_intents(settings.domain_file))  # fmt: skip
                    return text("nlu.added", text=added)
                if action == "edit":
                    changed = nlu_examples.edit(data_dir, form.get("file", ""), form.get("intent", ""),
                                             form.get("old", ""), form.get("text", ""))  # fmt: skip
                    return text("nlu.changed", text=changed)
                if action == "add_intent":
                    name = form.get("name", "").strip()
                    nlu_intents.add_intent(settings.domain_file, settings.rules_file, settings.answers_file,
                                           data_dir, name, form.get("examples", "").splitlines(),
                                           form.get("answer_zh", ""), form.get("answer_en", ""))  # fmt: skip
                    return text("nlu.intent_added", name=name)
                if action == "delete":
                    nlu_examples.delete(data_dir, form.get("file", ""), form.get("intent", ""), form.get("old", ""))
                    return text("nlu.deleted")
                raise nlu_examples.ExampleError(text("nlu.unknown_change"))

            try:
                done = await asyncio.to_thread(change)
                back = {k: v for k, v in request.query_params.items() if k in ("intent", "lang", "q")}
                return RedirectResponse(f"/dashboard/nlu/examples?{urlencode(back | {'done': done})}", 303)
            except nlu_examples.ExampleError as problem:
                error = str(problem)

        def read() -> dict[str, Any]:
            rows = nlu_examples.list_examples(settings.nlu_data_dir)
            params = request.query_params
            found = nlu_examples.search(
                rows, params.get("intent", ""), params.get("lang", ""), params.get("q", "").strip()
            )
            counts: dict[str, int] = {}
            for row in rows:
                counts[row.intent] = counts.get(row.intent, 0) + 1
            return {"rows": found[:EXAMPLES_SHOWN], "found": len(found), "total": len(rows), "counts": counts,
                    "intents": inbox.known_intents(settings.domain_file), "params": dict(params),
                    "query": urlencode({k: v for k, v in params.items() if k in ("intent", "lang", "q")})}  # fmt: skip

        values = await asyncio.to_thread(read)
        return pages.render("nlu_examples.html", 400 if error else 200, user=user, done=done, error=error, **values)

    return [
        Route("/nlu/examples", nlu_examples_page, methods=["GET", "POST"]),
        Route("/nlu/evaluate", nlu_evaluate, methods=["GET", "POST"]),
        Route("/nlu/train", nlu_train, methods=["POST"]),
        Route("/nlu/models", nlu_models),
        Route("/nlu/models/{how:str}", nlu_switch, methods=["POST"]),
        Route("/nlu/inbox", nlu_inbox),
        Route("/nlu/inbox/{item_id:int}", nlu_annotate, methods=["POST"]),
    ]
