"""The admins' pages for teaching the bot: the NLU inbox, training examples and new intents,
training a candidate model, evaluating it against the live one, and switching models.

A page that reads Rasa's data files (domain.yml, data/nlu/*.yml) answers 409 with a page naming
the broken file and what is wrong with it, so the admin can fix it, instead of failing."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.core.tickets.intake import utcnow
from bot.dashboard.guard import ADMINS, Guard, Handler, Visit
from bot.dashboard.views import ActivationView, EvaluationRunView, InboxItemView, TrainingRunView, plain, plain_all
from bot.engine.processes import MODEL_FILE, MODELS
from bot.teaching import activation as model_activation
from bot.teaching import data_files, inbox
from bot.teaching import eval_runs as nlu_eval_runs
from bot.teaching import examples as nlu_examples
from bot.teaching import intents as nlu_intents
from bot.teaching import training as nlu_training

EXAMPLES_SHOWN = 300
ACTIVATIONS_SHOWN = 50


def nlu_routes(guard: Guard) -> list[Route]:
    return [
        Route("/nlu/examples", guard(ADMINS, reading_data_files(examples_page)), methods=["GET", "POST"]),
        Route("/nlu/evaluate", guard(ADMINS, evaluate), methods=["GET", "POST"]),
        Route("/nlu/train", guard(ADMINS, train), methods=["POST"]),
        Route("/nlu/models", guard(ADMINS, models)),
        Route("/nlu/models/{how:str}", guard(ADMINS, switch), methods=["POST"]),
        Route("/nlu/inbox", guard(ADMINS, reading_data_files(inbox_page))),
        Route("/nlu/inbox/{item_id:int}", guard(ADMINS, reading_data_files(annotate)), methods=["POST"]),
    ]


def reading_data_files(handler: Handler) -> Handler:
    """A page that reads Rasa's data files: a file that is broken (not YAML, not in Rasa's layout)
    or locked too long is shown as a page naming it and the problem."""

    def page(visit: Visit) -> Response:
        try:
            return handler(visit)
        except (inbox.UnusableDataFile, data_files.DataFileError) as problem:
            visit.session.rollback()
            return visit.refuse(409, visit.text("nlu.broken_file", problem=problem))

    return page


def inbox_page(visit: Visit) -> Response:
    items = plain_all(InboxItemView, inbox.open_items(visit.session))
    return visit.render("nlu_inbox.html", done=visit.done_message(100), items=items,
                        intents=inbox.known_intents(visit.settings.domain_file))  # fmt: skip


def annotate(visit: Visit) -> Response:
    settings = visit.settings
    try:
        done = inbox.annotate(visit.session, visit.path["item_id"], visit.form.get("intent", ""), visit.user.username,
                              utcnow(), settings.nlu_data_dir, inbox.known_intents(settings.domain_file),
                              visit.pages.language)  # fmt: skip
    except inbox.AnnotationError as problem:
        visit.session.rollback()
        return visit.refuse(400, problem.text(visit.pages.language))
    return RedirectResponse(f"/dashboard/nlu/inbox?{urlencode(visit.done_params(done))}", 303)


def models_values(visit: Visit) -> dict[str, Any]:
    try:
        live = model_activation.serving(visit.settings.rasa_servers[0])
    except model_activation.ActivationError as problem:
        live = visit.text("nlu.live_unknown", problem=problem)
    run = nlu_training.latest_run(visit.session)
    running = run is not None and run.state == "running"
    return {
        "models": list(model_activation.available_models(MODELS)), "live": live,
        "activations": plain_all(ActivationView, model_activation.history(visit.session)[:ACTIVATIONS_SHOWN]),
        "run": plain(TrainingRunView, run) if run else None,
        "run_progress": nlu_training.progress(run) if run is not None and running else "",
    }  # fmt: skip


def models(visit: Visit) -> Response:
    return visit.render("nlu_models.html", done=visit.done_message(200), **models_values(visit))


def switch(visit: Visit) -> Response:
    """Activate a listed model, or roll back; Rasa loads it while conversations go on."""
    settings, session, actor = visit.settings, visit.session, visit.user.username
    try:
        if visit.path["how"] == "rollback":
            record = model_activation.roll_back(session, settings.rasa_servers, actor, utcnow())
        else:
            chosen = model_activation.available_models(MODELS).get(visit.form.get("model", ""))
            if chosen is None:
                raise model_activation.ActivationError("nlu.pick_model")
            record = model_activation.activate(session, settings.rasa_servers, chosen, actor, utcnow(),
                                               default_previous=MODEL_FILE)  # fmt: skip
    except model_activation.ActivationError as problem:
        session.rollback()
        return visit.render("nlu_models.html", 400, error=problem.text(visit.pages.language), **models_values(visit))
    done = visit.text("nlu.now_serving", model=Path(record.model_path).name, seconds=f"{record.seconds:.1f}")
    return RedirectResponse(f"/dashboard/nlu/models?{urlencode(visit.done_params(done))}", 303)


def train(visit: Visit) -> Response:
    try:
        nlu_training.start_training(visit.session, visit.settings, visit.user.username, utcnow())
    except nlu_training.TrainingError as problem:
        return visit.render("nlu_models.html", 409, error=problem.text(visit.pages.language), **models_values(visit))
    return RedirectResponse("/dashboard/nlu/models", 303)


def evaluation_values(visit: Visit) -> dict[str, Any]:
    run = nlu_eval_runs.latest_evaluation(visit.session)
    return {"models": list(model_activation.available_models(MODELS)),
            "run": plain(EvaluationRunView, run) if run else None}  # fmt: skip


def evaluate(visit: Visit) -> Response:
    if visit.request.method == "GET":
        return visit.render("nlu_evaluate.html", **evaluation_values(visit))
    chosen = model_activation.available_models(MODELS).get(visit.form.get("model", ""))
    problem = visit.text("nlu.pick_model") if chosen is None else None
    if chosen is not None:
        try:
            nlu_eval_runs.start_evaluation(visit.session, visit.settings.rasa_servers[0], chosen,
                                           visit.user.username, utcnow())  # fmt: skip
        except nlu_eval_runs.EvaluationError as refused:
            problem = refused.text(visit.pages.language)
    if problem is None:
        return RedirectResponse("/dashboard/nlu/evaluate", 303)
    return visit.render("nlu_evaluate.html", 400, error=problem, **evaluation_values(visit))


def change_examples(visit: Visit) -> str:
    """Add an example, edit one, delete one or add an intent; what was done, for the page to say.
    ExampleError says why not."""
    settings, form = visit.settings, visit.form
    data_dir, action = settings.nlu_data_dir, form.get("action", "")
    if action == "add":
        added = nlu_examples.add(data_dir, form.get("intent", ""), form.get("text", ""),
                                 inbox.known_intents(settings.domain_file))  # fmt: skip
        return visit.text("nlu.added", text=added)
    if action == "edit":
        changed = nlu_examples.edit(data_dir, form.get("file", ""), form.get("intent", ""),
                                    form.get("old", ""), form.get("text", ""))  # fmt: skip
        return visit.text("nlu.changed", text=changed)
    if action == "add_intent":
        name = form.get("name", "").strip()
        nlu_intents.add_intent(settings.domain_file, settings.rules_file, settings.answers_file,
                               data_dir, name, form.get("examples", "").splitlines(),
                               form.get("answer_zh", ""), form.get("answer_en", ""))  # fmt: skip
        return visit.text("nlu.intent_added", name=name)
    if action == "delete":
        nlu_examples.delete(data_dir, form.get("file", ""), form.get("intent", ""), form.get("old", ""))
        return visit.text("nlu.deleted")
    raise nlu_examples.ExampleError("nlu.unknown_change")


def examples_page(visit: Visit) -> Response:
    """Browse and search; POST adds an example, edits one or deletes one."""
    params = visit.params
    done, error = visit.done_message(200), ""
    if visit.request.method == "POST":
        try:
            done = change_examples(visit)
            back = {k: v for k, v in params.items() if k in ("intent", "lang", "q")}
            return RedirectResponse(f"/dashboard/nlu/examples?{urlencode(back | visit.done_params(done))}", 303)
        except nlu_examples.ExampleError as problem:
            error = problem.text(visit.pages.language)
    rows = nlu_examples.list_examples(visit.settings.nlu_data_dir)
    found = nlu_examples.search(rows, params.get("intent", ""), params.get("lang", ""), params.get("q", "").strip())
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.intent] = counts.get(row.intent, 0) + 1
    return visit.render(
        "nlu_examples.html", 400 if error else 200, done=done, error=error, rows=found[:EXAMPLES_SHOWN],
        found=len(found), total=len(rows), counts=counts, intents=inbox.known_intents(visit.settings.domain_file),
        params=dict(params), query=urlencode({k: v for k, v in params.items() if k in ("intent", "lang", "q")}),
    )  # fmt: skip
