"""`hotline`: run the bot, chat in the terminal, and inspect tickets."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import signal
import sys
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from bot.cli.outages import add_outage_commands
from bot.config import get_settings


# Libraries that log request URLs or payloads: httpx's INFO lines carry the bot token in the URL,
# PTB's DEBUG lines carry chat ids and texts. They log warnings only, whatever the level.
QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "apscheduler")


def configure_logging(level: str) -> None:
    """The application's log: our own messages (which name residents only by pseudonym)."""
    import logging

    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))


def cmd_up(args: argparse.Namespace) -> int:
    """Train if needed, migrate, start Rasa and the action server, then serve the web chat."""
    from bot.runtime import create_app
    from bot.migrate import upgrade
    from bot.engine.processes import Stack, train_if_changed

    settings = get_settings()
    configure_logging(settings.log_level)
    # SIGTERM (systemd, docker stop, kill) must stop Rasa and the action server too, as Ctrl-C
    # does; by default it would end this process at once and leave them running.
    signal.signal(signal.SIGTERM, _interrupt)
    if not args.no_train:
        train_if_changed()
    upgrade()
    stack = Stack(rasa_port=settings.rasa_port, action_port=settings.action_port)
    # `up` starts exactly one Rasa server, so a HOTLINE_RASA_URLS meant for `serve` does not apply.
    settings = settings.model_copy(update={"rasa_url": stack.rasa_url, "rasa_urls": ""})
    try:
        print("Starting the action server and the Rasa server (about a minute)...", flush=True)
        stack.start()
        banner = (
            f"\nThe hotline is running.\n"
            f"  Web chat:      http://{settings.host}:{settings.port}/\n"
            f"  Chat API:      POST http://{settings.host}:{settings.port}/api/chat\n"
            f"  Terminal chat: .venv/bin/hotline chat   (in another terminal)\n"
            f"  Logs:          var/logs/\n"
            f"Press Ctrl-C to stop everything.\n"
        )
        run_server(serve(create_app(settings), settings, banner))
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        stack.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_server(main: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop's event loop where it is installed: the application's CPU per
    chat turn went from 6.6 to 5.2 ms with it (bench/stack_speed.py reports CPU per turn)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


async def serve(app: object, settings: object, banner: str = "") -> None:
    """Serve the application; print the banner only once it really listens."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning")  # type: ignore[arg-type, attr-defined]
    )
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.1)
    if server.started and banner:
        print(banner, flush=True)
    await task


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve only the application (Rasa and the action server run elsewhere)."""
    from bot.runtime import create_app

    settings = get_settings()
    configure_logging(settings.log_level)
    run_server(serve(create_app(settings), settings, f"Serving http://{settings.host}:{settings.port}/"))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the bot in the terminal, as a resident would."""
    from bot.channels.terminal import run_terminal_chat

    return asyncio.run(run_terminal_chat(get_settings(), sys.stdin, sys.stdout, chat_id=args.as_name))


def cmd_tickets_list(args: argparse.Namespace) -> int:
    from bot.core.db import session_scope
    from bot.core.tickets.intake import list_tickets, ticket_as_dict

    with session_scope() as session:
        tickets = [ticket_as_dict(t) for t in list_tickets(session)]
    if args.json:
        json.dump(tickets, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not tickets:
        print("No tickets yet.")
    for t in tickets:
        where = " ".join(filter(None, [t["estate"], t["building"], t["unit"], t["room"]])) or "-"
        print(f"{t['code']}  {t['category']:<13} {t['priority']:<7} {t['status']:<12} {where}  {t['description'][:40]}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.migrate import upgrade

    upgrade()
    print("Database is at the newest schema.")
    return 0


def read_new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != first:
        raise ValueError("The two passwords differ.")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    from bot.dashboard.auth import AccountError, add_user
    from bot.core.db import session_scope
    from bot.migrate import upgrade
    from bot.core.tickets.intake import utcnow

    upgrade()
    try:
        password = read_new_password(args.password_stdin)
        with session_scope() as session:
            add_user(session, args.username, password, args.role, utcnow())
    except (AccountError, ValueError) as problem:
        print(f"Not added: {problem}", file=sys.stderr)
        return 2
    print(f"Added {args.username} ({args.role}). Sign in at /dashboard/.")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.models import StaffUser

    with session_scope() as session:
        for user in session.scalars(select(StaffUser).order_by(StaffUser.username)):
            state = "" if user.active else "  (disabled)"
            print(f"{user.username:<24} {user.role}{state}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.dashboard.auth import end_sessions_of
    from bot.core.db import session_scope
    from bot.core.models import StaffUser

    with session_scope() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == args.username))
        if user is None:
            print(f"No account called {args.username!r}.", file=sys.stderr)
            return 2
        user.active = False
        end_sessions_of(session, user.id)
    print(f"Disabled {args.username}; their sessions are ended.")
    return 0


def _switch_model(args: argparse.Namespace, model: str | None) -> int:
    import getpass
    from pathlib import Path

    from bot.core.db import session_scope
    from bot.teaching.activation import ActivationError, activate, roll_back
    from bot.engine.processes import MODEL_FILE
    from bot.core.tickets.intake import utcnow

    rasa_urls = get_settings().rasa_servers
    actor = args.by or getpass.getuser()
    try:
        with session_scope() as session:
            if model is None:
                record = roll_back(session, rasa_urls, actor, utcnow())
            else:
                record = activate(session, rasa_urls, Path(model), actor, utcnow(), default_previous=MODEL_FILE)
            print(f"Rasa at {', '.join(rasa_urls)} now serves {record.model_path} (loaded in {record.seconds:.1f} s).")
    except ActivationError as problem:
        print(f"Not activated: {problem}", file=sys.stderr)
        return 2
    return 0


def cmd_nlu_activate(args: argparse.Namespace) -> int:
    return _switch_model(args, args.model)


def cmd_nlu_rollback(args: argparse.Namespace) -> int:
    return _switch_model(args, None)


def cmd_nlu_inbox(args: argparse.Namespace) -> int:
    """List the NLU inbox, or annotate one item (as on the dashboard's NLU inbox page)."""
    import getpass

    from bot.core.db import session_scope
    from bot.teaching.inbox import AnnotationError, annotate, known_intents, open_items
    from bot.core.tickets.intake import utcnow

    settings = get_settings()
    with session_scope() as session:
        if args.item is None:
            for item in open_items(session):
                confidence = "-" if item.confidence is None else f"{item.confidence:.2f}"
                print(f"{item.id:>6}  {item.source:<18} {item.predicted_intent or '-':<16} {confidence:>5}  {item.text}")
            return 0
        try:
            said = annotate(session, args.item, args.intent or "", args.by or getpass.getuser(), utcnow(),
                            settings.nlu_data_dir, known_intents(settings.domain_file))  # fmt: skip
        except AnnotationError as problem:
            print(f"Not annotated: {problem}", file=sys.stderr)
            return 2
    print(said)
    return 0


def cmd_nlu_activations(args: argparse.Namespace) -> int:
    from bot.core.db import session_scope
    from bot.teaching.activation import history

    with session_scope() as session:
        for record in history(session):
            print(f"{record.at:%Y-%m-%d %H:%M:%S}  {record.actor:<16} {record.seconds:>6.1f} s  {record.model_path}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.engine.processes import train_if_changed

    trained = train_if_changed(force=args.force)
    print("Model trained." if trained else "Model is up to date with data/, config.yml and domain.yml.")
    return 0


def cmd_nlu_evaluate(args: argparse.Namespace) -> int:
    """Score the model on the held-out set and compare it with Rasa's default pipeline."""
    from pathlib import Path

    from bot.teaching import evaluation as nlu_eval
    from bot.engine.processes import MODEL_FILE, train_if_changed

    if args.model is None and not args.no_train:
        train_if_changed()
    examples = nlu_eval.load_examples(Path(args.heldout)) if args.heldout else nlu_eval.load_examples()
    report = nlu_eval.evaluate_model(Path(args.model) if args.model else MODEL_FILE, examples)
    baseline, title = None, "Rasa's default pipeline, same data"
    if args.against:  # a new model against the live one, as the dashboard's evaluation page does
        baseline, title = nlu_eval.evaluate_model(Path(args.against), examples), "Compared with"
    elif not args.no_baseline:
        baseline = nlu_eval.evaluate_model(nlu_eval.baseline_model(), examples)
    if args.json:
        data = {"model": nlu_eval.report_as_dict(report, with_outcomes=True)}
        if baseline is not None:
            data["baseline"] = nlu_eval.report_as_dict(baseline, with_outcomes=True)
            data["changed"] = [dataclasses.asdict(c) for c in nlu_eval.compare(baseline, report)]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(nlu_eval.format_report(report, baseline, show_errors=args.errors, baseline_title=title))
    met = nlu_eval.meets_targets(report.overall)
    return 1 if args.check and not all(met.values()) else 0


def cmd_messages_pending(args: argparse.Namespace) -> int:
    """Show residents' messages that are still waiting for the conversation engine."""
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.models import ChatMessage, MessageStatus

    with session_scope() as session:
        rows = session.scalars(
            select(ChatMessage).where(ChatMessage.status == MessageStatus.PENDING).order_by(ChatMessage.id)
        ).all()
        for m in rows:
            print(f"M{m.id}  {m.created_at:%Y-%m-%d %H:%M}  {m.channel:<9} tries={m.attempts}  {m.text[:60]}")
        if not rows:
            print("No message is waiting.")
    return 0


def cmd_followups_list(args: argparse.Namespace) -> int:
    """Show every follow-up still to come or waiting for an answer, with when it will be sent."""
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.tickets.followups import Window
    from bot.core.models import FollowupState, Ticket

    settings = get_settings()
    window = Window.parse(settings.followup_window)
    open_states = [FollowupState.SCHEDULED, FollowupState.SENDING, FollowupState.SENT, FollowupState.REMINDED]
    with session_scope() as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.followup_state.in_(open_states)).order_by(Ticket.followup_due_at)
        ).all()
        rows = []
        for t in tickets:
            send_at = window.next_open(t.followup_due_at, settings.tz).astimezone(settings.tz)
            rows.append({"code": t.code, "state": t.followup_state.value, "channel": t.channel,
                         "due_at": t.followup_due_at.isoformat(), "send_at": send_at.isoformat()})  # fmt: skip
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    elif not rows:
        print("No follow-up is pending.")
    for row in [] if args.json else rows:
        print(f"{row['code']}  {row['state']:<9} {row['channel']:<9} sends at {row['send_at'][:16]}")
    return 0


def cmd_followups_run(args: argparse.Namespace) -> int:
    """Send the follow-ups that are due now (also what the running application does every 30 s)."""
    from bot.channels.followup_sender import FollowupSender
    from bot.engine.client import RasaClient

    settings = get_settings()
    at = datetime.fromisoformat(args.at) if args.at else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=settings.tz)

    async def run() -> int:
        rasa = RasaClient(settings.rasa_servers, settings.rasa_timeout_seconds)
        try:
            return await FollowupSender(settings, rasa).run_due(now=at)
        finally:
            await rasa.close()

    print(f"Sent {asyncio.run(run())} follow-up(s).")
    return 0


def cmd_alerts_list(args: argparse.Namespace) -> int:
    """Show the alerts dispatchers have not acknowledged: SLA warnings and breaches, reopenings."""
    from bot.core.db import session_scope
    from bot.core.tickets.alerts import open_alerts

    tz = get_settings().tz
    with session_scope() as session:
        alerts = open_alerts(session)
        for a in alerts:
            due = f" due {a.due_at.astimezone(tz):%m-%d %H:%M}" if a.due_at else ""
            print(f"{a.created_at.astimezone(tz):%m-%d %H:%M}  {a.ticket.code}  {a.rule:<3} {a.kind:<10} {a.deadline}{due}")
        if not alerts:
            print("No open alert.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="run everything: Rasa, actions, web chat")
    up.add_argument("--no-train", action="store_true", help="use the existing model as it is")
    up.set_defaults(func=cmd_up)
    commands.add_parser("serve", help="run only the web application").set_defaults(func=cmd_serve)
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--as", dest="as_name", help="conversation id (default: your user name)")
    chat.set_defaults(func=cmd_chat)

    tickets = commands.add_parser("tickets", help="tickets").add_subparsers(dest="action", required=True)
    listing = tickets.add_parser("list", help="list every ticket")
    listing.add_argument("--json", action="store_true", help="print JSON with the model's field names")
    listing.set_defaults(func=cmd_tickets_list)

    db = commands.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    nlu = commands.add_parser("nlu", help="the language model").add_subparsers(dest="action", required=True)
    train = nlu.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    train.set_defaults(func=cmd_train)
    activate_parser = nlu.add_parser("activate", help="make the running Rasa serve a model (no restart)")
    activate_parser.add_argument("model", help="a .tar.gz model file")
    activate_parser.add_argument("--by", help="who activates it (default: your login name)")
    activate_parser.set_defaults(func=cmd_nlu_activate)
    rollback_parser = nlu.add_parser("rollback", help="serve again the model the last activation replaced")
    rollback_parser.add_argument("--by", help="who rolls back (default: your login name)")
    rollback_parser.set_defaults(func=cmd_nlu_rollback)
    nlu.add_parser("activations", help="every model activation, newest first").set_defaults(func=cmd_nlu_activations)
    inbox = nlu.add_parser("inbox", help="list the NLU inbox, or annotate: hotline nlu inbox ID INTENT|not_useful")
    inbox.add_argument("item", type=int, nargs="?", help="the item to annotate")
    inbox.add_argument("intent", nargs="?", help="what the resident meant, or not_useful")
    inbox.add_argument("--by", help="who annotates (default: your login name)")
    inbox.set_defaults(func=cmd_nlu_inbox)
    evaluate = nlu.add_parser("evaluate", help="score the model on the held-out set, against Rasa's default")
    evaluate.add_argument("--model", help="model file to score (default: the trained models/hotline.tar.gz)")
    evaluate.add_argument("--heldout", help="directory of held-out <language>.yml files (default: tests/nlu/heldout)")
    evaluate.add_argument("--no-baseline", action="store_true", help="skip Rasa's default pipeline")
    evaluate.add_argument("--against", help="compare with this model file instead of Rasa's default (e.g. the live one)")
    evaluate.add_argument("--no-train", action="store_true", help="score the existing model even if stale")
    evaluate.add_argument("--json", action="store_true", help="print every figure and prediction as JSON")
    evaluate.add_argument("--errors", type=int, default=20, help="how many misclassified messages to list")
    evaluate.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    evaluate.set_defaults(func=cmd_nlu_evaluate)

    followups = commands.add_parser("followups", help="48-hour follow-ups").add_subparsers(
        dest="action", required=True
    )
    pending = followups.add_parser("list", help="what is due when")
    pending.add_argument("--json", action="store_true")
    pending.set_defaults(func=cmd_followups_list)
    run = followups.add_parser("run", help="send what is due now")
    run.add_argument("--at", help="act as if it were this local time (ISO 8601), to rehearse")
    run.set_defaults(func=cmd_followups_run)

    alerts = commands.add_parser("alerts", help="alerts for dispatchers").add_subparsers(
        dest="action", required=True
    )
    alerts.add_parser("list", help="open alerts").set_defaults(func=cmd_alerts_list)

    users = commands.add_parser("users", help="dashboard accounts").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add a dispatcher or admin (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["dispatcher", "admin"])
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_users_add)
    users.add_parser("list", help="every account").set_defaults(func=cmd_users_list)
    disable = users.add_parser("disable", help="lock an account out and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(func=cmd_users_disable)

    messages = commands.add_parser("messages", help="residents' messages").add_subparsers(
        dest="action", required=True
    )
    messages.add_parser("pending", help="messages waiting for the engine").set_defaults(
        func=cmd_messages_pending
    )
    add_outage_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`hotline tickets list --json | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
