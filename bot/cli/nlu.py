"""`hotline nlu`: train, evaluate and switch the language model; the NLU inbox."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import sys
import time
from typing import Any

from bot.config import get_settings


def _switch_model(args: argparse.Namespace, model: str | None) -> int:
    from pathlib import Path

    from bot.core.db import session_scope
    from bot.core.tickets.intake import utcnow
    from bot.engine.processes import MODEL_FILE
    from bot.teaching.activation import ActivationError, activate, roll_back

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

    from bot.core.db import session_scope
    from bot.core.tickets.intake import utcnow
    from bot.teaching.inbox import AnnotationError, annotate, known_intents, open_items

    settings = get_settings()
    with session_scope() as session:
        if args.item is None:
            for item in open_items(session):
                confidence = "-" if item.confidence is None else f"{item.confidence:.2f}"
                print(
                    f"{item.id:>6}  {item.source:<18} {item.predicted_intent or '-':<16} {confidence:>5}  {item.text}"
                )
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

    started = time.monotonic()
    trained = train_if_changed(force=args.force)
    if trained:
        print(f"Model trained in {time.monotonic() - started:.0f} s.")
    else:
        print("Model is up to date with data/, config.yml and domain.yml.")
    return 0


def cmd_nlu_evaluate(args: argparse.Namespace) -> int:
    """Score the model on the held-out set and compare it with a Rasa pipeline (or another model)."""
    from pathlib import Path

    from bot.engine.processes import MODEL_FILE, train_if_changed
    from bot.teaching import evaluation as nlu_eval

    if args.model is None and not args.no_train:
        train_if_changed()
    examples = nlu_eval.load_examples(Path(args.heldout)) if args.heldout else nlu_eval.load_examples()
    report = nlu_eval.evaluate_model(Path(args.model) if args.model else MODEL_FILE, examples)
    baseline, title, rasa_baseline = None, "", False
    if args.against:  # a new model against the live one, as the dashboard's evaluation page does
        baseline, title = nlu_eval.evaluate_model(Path(args.against), examples), "Compared with"
    elif not args.no_baseline:
        baseline = nlu_eval.evaluate_model(nlu_eval.baseline_model(args.baseline), examples)
        title, rasa_baseline = f"{nlu_eval.BASELINES[args.baseline].title}, same data", True
    # "At most half the errors" is a target against Rasa's pipelines only, not against any model.
    met = nlu_eval.all_targets(report, baseline if rasa_baseline else None)
    if args.json:
        data: dict[str, Any] = {"model": nlu_eval.report_as_dict(report, with_outcomes=True)}
        if baseline is not None:
            data["baseline_name"] = args.baseline if rasa_baseline else "against"
            data["baseline"] = nlu_eval.report_as_dict(baseline, with_outcomes=True)
            data["changed"] = [dataclasses.asdict(c) for c in nlu_eval.compare(baseline, report)]
        if rasa_baseline and baseline is not None:
            counts = nlu_eval.error_counts(report, baseline)
            data["errors_vs_baseline"] = [{**dataclasses.asdict(c), "at_most_half": c.at_most_half} for c in counts]
        data["targets"] = met
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(nlu_eval.format_report(report, baseline, args.errors, title, rasa_baseline))
    return 1 if args.check and not all(met.values()) else 0


def add_commands(commands: argparse._SubParsersAction) -> None:
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
    evaluate = nlu.add_parser("evaluate", help="score the model on the held-out set, against a Rasa pipeline")
    evaluate.add_argument("--model", help="model file to score (default: the trained models/hotline.tar.gz)")
    evaluate.add_argument("--heldout", help="directory of held-out <language>.yml files (default: tests/nlu/heldout)")
    evaluate.add_argument("--baseline", choices=("chinese", "english"), default="chinese",
                          help="Rasa pipeline to compare with, trained on data/nlu/: its documented Chinese set-up "
                               "(default, tests/nlu/rasa_chinese_config.yml) or its English default; "
                               "--check then also wants at most half its errors, overall and per language")  # fmt: skip
    evaluate.add_argument("--no-baseline", action="store_true", help="skip the Rasa pipeline")
    evaluate.add_argument("--against", help="compare with this model file instead (e.g. the live one)")
    evaluate.add_argument("--no-train", action="store_true", help="score the existing model even if stale")
    evaluate.add_argument("--json", action="store_true", help="print every figure and prediction as JSON")
    evaluate.add_argument("--errors", type=int, default=20, help="how many misclassified messages to list")
    evaluate.add_argument("--check", action="store_true", help="exit 1 if a target is missed (see --baseline)")
    evaluate.set_defaults(func=cmd_nlu_evaluate)
