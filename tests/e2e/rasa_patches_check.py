"""Each function bot/engine/rasa_patches.py replaces, against Rasa's own on the same inputs.

Run in Rasa's environment (tests/e2e/test_rasa_patches.py does):

    PYTHONPATH=. .venv-rasa/bin/python tests/e2e/rasa_patches_check.py

Prints one JSON object: what apply() said, and for each check the differences found (empty
lists when the patched function does what Rasa's does). Python 3.10, Rasa's libraries only.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.engine import rasa_patches

ORIGINALS = {target: rasa_patches.resolve(target)[2] for patch in rasa_patches.PATCHES for target in patch.targets}
OUTCOME = rasa_patches.apply(environ={rasa_patches.ENV: "all"})


def outcome_of(call: Any) -> Any:
    """What a call returned, or the type and message of what it raised."""
    try:
        return ["returned", call()]
    except Exception as error:
        return ["raised", type(error).__name__, str(getattr(error, "message", error))]


def check_action_response_schema() -> list[Any]:
    from rasa.core.actions.action import RemoteAction

    original = ORIGINALS["rasa.core.actions.action:RemoteAction._validate_action_result"]
    action = RemoteAction("action_anything", None)
    answers: list[Any] = [
        {},
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "phone", "value": "13812345678"}], "responses": [{"text": "hi"}]},
        {"events": [{"event": "followup", "name": "action_listen"}, {"event": "active_loop", "name": None}]},
        {"events": "not a list"},
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": "slot"}]},
        {"events": [{"event": "slot", "name": 3, "value": None}]},
        {"responses": ["not an object"]},
        {"responses": [{"text": "a"}], "extra": True},
        {"events": [event.as_dict() for event in tracker_events()]},
    ]
    # Every kind of event the tracker store keeps, valid and then broken in one field: the
    # patch decides validity from the alternative the event names, Rasa from all 23.
    for event in tracker_events():
        valid = event.as_dict()
        for key, broken in (("timestamp", "noon"), ("name", 3), ("parse_data", "x"), ("text", 5), ("value", None)):
            answers.append({"events": [valid, {**valid, key: broken}]})
        answers.append({"events": [{key: value for key, value in valid.items() if key != "name"}]})
        answers.append({"events": [{**valid, "event": "form"}, {**valid, "event": 7}]})
    differences = []
    for _ in range(2):  # the second time from the patch's cached validator
        for answer in answers:
            expected = outcome_of(lambda a=answer: original(action, copy.deepcopy(a)))
            found = outcome_of(lambda a=answer: action._validate_action_result(copy.deepcopy(a)))
            if found != expected:
                differences.append({"answer": answer, "rasa": expected, "patched": found})
    return differences


def check_event_class_lookup() -> list[Any]:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event, SlotSet

    original = ORIGINALS["rasa.shared.core.events:Event.resolve_by_type"].__func__
    names = sorted({cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)})
    names += ["topic", "no_such_event"]
    differences = []

    def compare(when: str) -> None:
        for name in names:
            for default in (None, SlotSet):
                expected = outcome_of(lambda n=name, d=default: original(n, d))
                found = outcome_of(lambda n=name, d=default: Event.resolve_by_type(n, d))
                if found != expected:
                    differences.append({"when": when, "type_name": name, "rasa": str(expected), "patched": str(found)})

    compare("first lookups")
    compare("remembered")

    # A class defined later that comes first in Rasa's walk for "form" (now LegacyForm, a
    # grandchild of Event): both must give the new one.
    class NewForm(Event):
        type_name = "form"

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, NewForm)

        def __hash__(self) -> int:
            return 1

        def as_story_string(self) -> str | None:
            return None

    compare("after a new Event subclass")
    if Event.resolve_by_type("form") is not NewForm:
        differences.append({"when": "after a new Event subclass", "type_name": "form", "patched": "not NewForm"})
    return differences


def tracker_events() -> list[Any]:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    events: list[Any] = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=2.0)]
    for turn in range(6):
        t = 10.0 + turn
        events += [
            ActionExecuted("action_listen", timestamp=t),
            UserUttered(
                f"阳光花园{turn}号楼 暖气不热",
                {"name": "report_repair", "confidence": 0.9},
                [],
                parse_data={"intent": {"name": "report_repair", "confidence": 0.9}, "entities": [], "text": "x"},
                timestamp=t + 0.1,
            ),
            SlotSet("address", f"阳光花园{turn}号楼", timestamp=t + 0.2),
            ActionExecuted("action_start_intake", timestamp=t + 0.3),
            BotUttered("请留下您的联系电话", {"buttons": [{"title": "上午", "payload": "上午"}]}, timestamp=t + 0.4),
        ]
    return events


async def stored_rows(save: Any, path: Path) -> list[Any]:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict({"slots": {"address": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    events = tracker_events()
    # Three saves, as turns do: the first few events, then more, then the rest, then none new.
    for end in (3, 14, len(events), len(events)):
        tracker = DialogueStateTracker.from_events("resident", events[:end], slots=domain.slots)
        await save(store, tracker)
    retrieved = await store.retrieve("resident")
    assert retrieved is not None and len(retrieved.events) == len(events)
    with sqlite3.connect(path) as connection:
        return [list(row) for row in connection.execute("SELECT * FROM events ORDER BY id")]


def check_sql_tracker_batch_insert() -> list[Any]:
    from rasa.core.tracker_store import SQLTrackerStore

    original = ORIGINALS["rasa.core.tracker_store:SQLTrackerStore.save"]
    with tempfile.TemporaryDirectory() as folder:
        expected = asyncio.run(stored_rows(original, Path(folder) / "rasa.db"))
        found = asyncio.run(stored_rows(SQLTrackerStore.save, Path(folder) / "patched.db"))
    if found == expected:
        return []
    return [{"rasa": expected, "patched": found}]


async def reads(retrieve: Any, additional: Any, path: Path) -> dict[str, Any]:
    """What a store reads back from conversations of one and of two sessions (and from none),
    and which of a tracker's events it finds not yet stored, with the given functions."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    domain = Domain.from_dict({"slots": {"address": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    first = tracker_events()
    second = [ActionExecuted("action_session_start", timestamp=100.0), SessionStarted(timestamp=100.0),
              ActionExecuted("action_listen", timestamp=101.0), UserUttered("你好", timestamp=102.0)]  # fmt: skip
    conversations = {"one-session": first, "two-sessions": first + second, "no-session-start": first[2:9]}
    for sender, events in conversations.items():
        await store.save(DialogueStateTracker.from_events(sender, events, slots=domain.slots))
    found: dict[str, Any] = {}
    for sender in [*conversations, "nobody"]:
        for every_session in (False, True):
            tracker = await retrieve(store, sender, every_session)
            found[f"{sender} {every_session}"] = None if tracker is None else tracker.current_state(EventVerbosity.ALL)
        events = conversations.get(sender, [])
        for end in (0, 3, len(events) - 2):
            tracker = DialogueStateTracker.from_events(sender, events[:end] + second, slots=domain.slots)
            with store.session_scope() as session:
                found[f"{sender} new of {end}"] = [event.as_dict() for event in additional(store, session, tracker)]
    return found


def check_sql_tracker_lean_reads() -> list[Any]:
    from rasa.core.tracker_store import SQLTrackerStore

    retrieve = ORIGINALS["rasa.core.tracker_store:SQLTrackerStore._retrieve"]
    additional = ORIGINALS["rasa.core.tracker_store:SQLTrackerStore._additional_events"]
    with tempfile.TemporaryDirectory() as folder:
        expected = asyncio.run(reads(retrieve, additional, Path(folder) / "rasa.db"))
        found = asyncio.run(reads(SQLTrackerStore._retrieve, SQLTrackerStore._additional_events, Path(folder) / "p.db"))
    return [
        {"case": key, "rasa": expected[key], "patched": found.get(key)}
        for key in expected
        if found.get(key) != expected[key]
    ]


async def endpoint_calls() -> dict[str, Any]:
    from aiohttp import web
    from rasa.core import run
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    client_ports: list[int] = []

    async def webhook(request: web.Request) -> web.Response:
        client_ports.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        body = await request.json()
        return web.json_response({"echo": body, "token": request.query.get("token")})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", token="secret")
    missing = EndpointConfig(url=f"http://127.0.0.1:{port}/missing", token="secret")
    original = ORIGINALS["rasa.utils.endpoints:EndpointConfig.request"]
    result: dict[str, Any] = {}
    try:
        for label, request in (("rasa", original), ("patched", EndpointConfig.request)):
            client_ports.clear()
            # The action call's JSON: non-ASCII text, "/" in payloads, floats of every size.
            calls = [{"turn": n, "text": "漏水/暖气", "payload": '/inform{"x":"y"}', "at": 1733012345.1234567 / (n + 1),
                      "confidence": [0.1, 1e-7, 5e-324, 0.9999999999999999], "nested": {"none": None, "yes": True}}
                     for n in range(3)]  # fmt: skip
            answers = [await request(endpoint, json=call, method="post") for call in calls]
            try:
                await request(missing, json={}, method="post")
                error: Any = None
            except ClientResponseError as e:
                error = [e.status, e.message]
            result[label] = {"answers": answers, "error": error, "connections": len(set(client_ports))}
        # Rasa's after_server_stop listener now also closes the kept session: the next call
        # needs a new connection.
        ports_before = set(client_ports)
        await run.close_resources(type("App", (), {"ctx": object()})(), asyncio.get_running_loop())
        await EndpointConfig.request(endpoint, json={}, method="post")
        result["new_connection_after_close"] = client_ports[-1] not in ports_before
        await run.close_resources(type("App", (), {"ctx": object()})(), asyncio.get_running_loop())
    finally:
        await runner.cleanup()
    return result


def check_action_server_session() -> list[Any]:
    calls = asyncio.run(endpoint_calls())
    differences = []
    for key in ("answers", "error"):
        if calls["rasa"][key] != calls["patched"][key]:
            differences.append({key: {"rasa": calls["rasa"][key], "patched": calls["patched"][key]}})
    if calls["rasa"]["connections"] != 3 or calls["patched"]["connections"] != 1:
        differences.append({"connections for 3 calls (Rasa: 3, patched: 1)": calls})
    if not calls["new_connection_after_close"]:
        differences.append({"close_resources": "the kept session was not closed"})
    return differences


if __name__ == "__main__":
    report = {
        "outcome": OUTCOME,
        "action-response-schema": check_action_response_schema(),
        "event-class-lookup": check_event_class_lookup(),
        "sql-tracker-batch-insert": check_sql_tracker_batch_insert(),
        "sql-tracker-lean-reads": check_sql_tracker_lean_reads(),
        "action-server-session": check_action_server_session(),
    }
    print(json.dumps(report, ensure_ascii=False, default=str))
    sys.exit(0 if all(not value for key, value in report.items() if key != "outcome") else 1)
