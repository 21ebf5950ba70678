"""Five speed-ups of Rasa Open Source 3.6.21's per-turn work, applied inside Rasa's process.

scripts/rasa_with_token.py imports this module and calls apply() before Rasa's own main, so it
runs in Rasa's Python 3.10 environment: it imports Rasa and its libraries, never the application.

Each patch replaces a function by a copy of it that does the same with less CPU: what Rasa
answers, stores and logs stays the same (tests/e2e/rasa_patches_check.py compares each patched
function with Rasa's own on the same inputs; tests/e2e/test_rasa_patches.py plays conversations
through a patched and an unpatched server and compares replies and stored events). Rasa 3.6 has
no setting for any of them. Measured on 2026-11-30 (2 busy cores): the share of the Rasa
process's py-spy samples during `bench/stack_speed.py`'s repair reports, and CPU per call of
the old and the new function on recorded inputs (an action server answer with 10 events, a
63-event conversation, its 4 saves):

- `action-response-schema`: RemoteAction._validate_action_result calls jsonschema.validate on
  every answer of the action server (1.75 per turn), which first checks Rasa's constant response
  schema against the metaschema and builds a new validator (7.5 % of the samples), then checks
  each event against all 23 alternatives of the schema's `oneOf`, building a ValidationError for
  each of the 22 it is not (3.5 %). The patch checks the schema and builds the validators once
  per thread, and decides validity from the one alternative an event names (it fails every
  other: their constant "event" differs), so valid answers cost 0.36 ms instead of 6.9 ms.
  An invalid answer is validated again by the standard validator: the same error is raised.
- `action-server-session`: EndpointConfig.request opens a new aiohttp ClientSession, and so a
  new connection pool, TCP connection and teardown, for every call to the action server (5 %).
  The patch keeps one session per endpoint and event loop, configured as Rasa's own (headers,
  authentication, timeout; no limit on connections, as before), so the connection to the action
  server is kept alive; Rasa's after_server_stop listener (close_resources) also closes it.
  0.55-0.38 ms instead of 0.67-0.70 ms per call on Rasa's side, and no connection to accept on
  the action server's.
- `event-class-lookup`: Event.resolve_by_type walks every subclass of Event, asking each whether it
  is abstract, for every stored event each time a tracker is loaded (4 %): 67-79 us per event,
  0.4 us remembered. The memory is emptied whenever a new Event subclass is defined (Event gets
  an __init_subclass__), so the answer is always the one the walk gives.
- `sql-tracker-batch-insert`: SQLTrackerStore.save adds every new event to the ORM session, which
  inserts them one statement each and reads each new id back (4 % in the flush). The patch
  inserts the same rows, in the same order, with one executemany: 6.4 instead of 8.8 ms of CPU
  per save (asyncio.run included), 26 instead of 41 ms of wall time on SQLite.
- `sql-tracker-lean-reads` (2026-12-01): SQLTrackerStore._retrieve (every turn loads the
  conversation) and _additional_events (every save counts what is stored) build _event_query's
  ORM query anew each time, and the read loads a whole ORM object per event: about a fifth of
  Rasa's Python CPU per turn in py-spy's GIL samples. The patch runs the same SQL from statements
  built once per events table, and reads only the data column.

The action server session also writes each call's JSON (the conversation and the domain) with
ujson, one of Rasa's own requirements: 0.46 instead of 1.6 ms for a 60-event conversation, the
same JSON once parsed (2026-12-01).

The first four: Rasa's CPU per turn 36-37 ms instead of 45-50 ms in one run that alternated a patched
and an unpatched server on a busy machine (`bench/stack_speed.py --unpatched`).

Guards: nothing is patched unless Rasa's version is exactly RASA_VERSION, and a patch is skipped
unless the source of every function it replaces or relies on has exactly the SHA-256 it was
written against (an upgrade of Rasa, jsonschema or aiohttp refuses it, saying which function
changed). What is applied or refused is logged (logger `hotline.rasa_patches`, on stderr: Rasa's
log, var/logs/rasa.log). `PYTHONPATH=. .venv-rasa/bin/python -m bot.engine.rasa_patches` prints the hashes.

HOTLINE_RASA_PATCHES: `all` (the default), `none`, or a comma-separated list of the patches to
apply (to measure one alone, or to rule them out).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import inspect
import itertools
import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

RASA_VERSION = "3.6.21"
ENV = "HOTLINE_RASA_PATCHES"

log = logging.getLogger("hotline.rasa_patches")


@dataclass(frozen=True)
class Patch:
    """Replace each of `targets` ("module:Class.attribute") by what `build(originals)` returns for
    it, only if every function in `sources` ("module:Qualified.name" → SHA-256 of its source) is
    unchanged. Nothing is replaced unless all replacements could be built."""

    name: str
    targets: tuple[str, ...]
    sources: Mapping[str, str]
    build: Callable[[list[Any]], list[Any]]


def resolve(path: str) -> tuple[Any, str, Any]:
    """The owner (class or module), the attribute name and the raw attribute at "module:A.b"."""
    module_name, _, qualname = path.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attribute = qualname.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    raw = owner.__dict__[attribute] if attribute in vars(owner) else getattr(owner, attribute)
    return owner, attribute, raw


def source_sha256(path: str) -> str:
    _, _, raw = resolve(path)
    function = raw.__func__ if isinstance(raw, staticmethod | classmethod) else raw
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def selected(setting: str, names: list[str]) -> tuple[list[str], list[str]]:
    """(the patches to apply, unknown names) for a HOTLINE_RASA_PATCHES value."""
    setting = setting.strip().lower()
    if setting in ("", "all"):
        return names, []
    if setting == "none":
        return [], []
    wanted = [name.strip() for name in setting.split(",") if name.strip()]
    return [name for name in names if name in wanted], [name for name in wanted if name not in names]


def apply(
    patches: list[Patch] | None = None,
    version: str | None = None,
    expected_version: str = RASA_VERSION,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """Apply the patches that the environment selects and the guards allow.

    Returns each patch's outcome: "applied", or why it was not. Never raises: a patch that cannot
    be applied leaves Rasa as it is."""
    patches = PATCHES if patches is None else patches
    if version is None:
        import rasa.version

        version = str(rasa.version.__version__)
    wanted, unknown = selected(environ.get(ENV, "all"), [patch.name for patch in patches])
    for name in unknown:
        log.warning("%s=%s: there is no patch named %r", ENV, environ.get(ENV), name)
    outcome: dict[str, str] = {}
    for patch in patches:
        if patch.name not in wanted:
            outcome[patch.name] = f"not selected ({ENV}={environ.get(ENV)})"
        elif version != expected_version:
            outcome[patch.name] = f"refused: written for Rasa {expected_version}, this is Rasa {version}"
        else:
            outcome[patch.name] = _apply_one(patch)
    for name, result in outcome.items():
        (log.info if result == "applied" or result.startswith("not selected") else log.warning)(
            "rasa patch %s: %s", name, result
        )
    return outcome


def _apply_one(patch: Patch) -> str:
    try:
        for path, expected in patch.sources.items():
            digest = source_sha256(path)
            if digest != expected:
                return f"refused: {path} is not the code this patch was written for (source SHA-256 {digest[:12]}…, expected {expected[:12]}…)"
        found = [resolve(target) for target in patch.targets]
        replacements = patch.build([raw for _, _, raw in found])
        for (owner, attribute, _), replacement in zip(found, replacements, strict=True):
            setattr(owner, attribute, replacement)
    except Exception as error:  # an unexpected shape: leave Rasa as it is
        return f"refused: {type(error).__name__}: {error}"
    return "applied"


# -- action-response-schema ----------------------------------------------------------------------


def _build_action_response_schema(originals: list[Any]) -> list[Any]:
    from jsonschema import ValidationError
    from jsonschema import _validators as standard
    from jsonschema.exceptions import best_match
    from jsonschema.validators import extend, validator_for
    from rasa.shared.constants import DOCS_BASE_URL

    # Validators hold a reference resolver with a scope stack: one per thread.
    validators = threading.local()
    alternatives: dict[int, tuple[list[Any], dict[str, int]]] = {}

    def by_event(one_of: list[Any]) -> dict[str, int]:
        """{event name: index} when every alternative of `one_of` requires its own constant
        "event" (Rasa's EVENT_SCHEMA), else {}."""
        known = alternatives.get(id(one_of))
        if known is None or known[0] is not one_of:
            names = [
                alternative.get("properties", {}).get("event", {}).get("const")
                if isinstance(alternative, dict) and isinstance(alternative.get("properties"), dict)
                else None
                for alternative in one_of
            ]
            unique = all(isinstance(name, str) for name in names) and len(set(names)) == len(names)
            known = alternatives[id(one_of)] = (
                one_of,
                {str(name): n for n, name in enumerate(names)} if unique else {},
            )
        return known[1]

    def one_of_by_event(validator: Any, one_of: list[Any], instance: Any, schema: Any) -> Any:
        # An event whose "event" names one alternative fails every other one (their constant
        # differs), so it is valid under exactly one iff it is valid under that one: check only
        # that one instead of collecting a ValidationError from each of the 22 others.
        if validator.is_type(instance, "object") and isinstance(instance.get("event"), str):
            index = by_event(one_of).get(instance["event"])
            if index is not None:
                yield from validator.descend(instance, one_of[index], schema_path=index)
                return
        yield from standard.oneOf(validator, one_of, instance, schema)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        # jsonschema.validate(result, schema) is: check_schema, build a validator, best_match of
        # its errors. The schema is the constant action_response_format_spec(): check it and
        # build its validators once per thread (per spec function, should a subclass override it).
        cache = validators.__dict__
        spec = type(self).action_response_format_spec
        if spec not in cache:
            schema = self.action_response_format_spec()
            cls = validator_for(schema)
            cls.check_schema(schema)
            cache[spec] = (extend(cls, {"oneOf": one_of_by_event})(schema), cls(schema))
        quick, full = cache[spec]
        if next(iter(quick.iter_errors(result)), None) is None:
            return True  # valid for `quick` is valid for `full`, and the other way round
        try:
            # Invalid: the error jsonschema.validate raises, from the standard validator.
            error = best_match(full.iter_errors(result))
            if error is not None:
                raise error
            return True
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    _validate_action_result.__wrapped__ = originals[0]  # type: ignore[attr-defined]
    return [_validate_action_result]


# -- action-server-session -----------------------------------------------------------------------


def _build_action_server_session(originals: list[Any]) -> list[Any]:
    import json
    import ssl

    import aiohttp
    import ujson
    from aiohttp.client_exceptions import ContentTypeError
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    def dumps(value: Any) -> str:
        """The JSON of an action call (the whole conversation, the domain): ujson, one of Rasa's
        own requirements, writes it in a third of json.dumps' time; the same JSON once parsed
        (floats round-trip, non-ASCII text and "/" are written as they are). What ujson cannot
        write goes through json.dumps as before."""
        try:
            return str(ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False))
        except (TypeError, ValueError, OverflowError):
            return json.dumps(value)

    # One session per endpoint (EndpointConfig defines __eq__, so it is unhashable: by id, the
    # entry removed when the endpoint is collected), made in and kept for one event loop.
    sessions: dict[int, tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}

    def forget(key: int) -> None:
        """Drop an endpoint's session (the endpoint is gone, or used from another loop),
        closing it in its loop if that still runs."""
        entry = sessions.pop(key, None)
        if entry is not None and not entry[1].closed and not entry[0].is_closed():
            owner, session = entry
            owner.call_soon_threadsafe(lambda: owner.create_task(session.close()))

    def shared_session(endpoint: Any) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        entry = sessions.get(id(endpoint))
        if entry is not None and entry[0] is loop and not entry[1].closed:
            return entry[1]
        if entry is None:
            weakref.finalize(endpoint, forget, id(endpoint))
        elif entry[0] is not loop:
            forget(id(endpoint))
        # EndpointConfig.session(), with a connection pool that is kept. Each call used to have
        # a pool of its own, so the number of connections was not limited: limit=0.
        auth = (
            aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=0),
            json_serialize=dumps,
        )
        sessions[id(endpoint)] = (loop, session)
        return session

    async def request(
        self: Any,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any | None:
        """Send a HTTP request to the endpoint. Return json response, if available.

        All additional arguments will get passed through
        to aiohttp's `session.request`.
        """
        # create the appropriate headers
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type

        if "headers" in kwargs:
            headers.update(kwargs["headers"])
            del kwargs["headers"]

        if self.headers:
            headers.update(self.headers)

        url = concat_url(self.url, subpath)

        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
                ) from e

        session = shared_session(self)  # instead of `async with self.session() as session:`
        async with session.request(
            method,
            url,
            headers=headers,
            params=self.combine_parameters(kwargs),
            compress=compress,
            ssl=sslcontext,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(
                    response.status,
                    response.reason,
                    await response.content.read(),
                )
            try:
                return await response.json()
            except ContentTypeError:
                return None

    original_close_resources = originals[1]

    async def close_resources(app: Any, loop: Any) -> None:
        """Rasa's own `after_server_stop` listener, then the sessions made in this loop."""
        try:
            await original_close_resources(app, loop)
        finally:
            running = asyncio.get_running_loop()
            for key, (owner, session) in list(sessions.items()):
                if owner is running:
                    del sessions[key]
                    await session.close()

    request.__wrapped__ = originals[0]  # type: ignore[attr-defined]
    close_resources.__wrapped__ = original_close_resources  # type: ignore[attr-defined]
    return [request, close_resources]


# -- event-class-lookup --------------------------------------------------------------------------


def _build_event_class_lookup(originals: list[Any]) -> list[Any]:
    from rasa.shared.core.events import Event

    original = originals[0]
    lookup = original.__func__ if isinstance(original, staticmethod) else original
    found: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        """Returns a slots class by its type name."""
        cls = found.get(type_name)
        if cls is None:
            cls = lookup(type_name, default)
            # Only a class found among Event's subclasses is remembered, not `default` or None.
            if cls is not None and cls is not default and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    if "__init_subclass__" in vars(Event):
        raise TypeError("Event defines __init_subclass__ itself")

    def __init_subclass__(cls: Any, **kwargs: Any) -> None:
        # A new subclass may come first in the walk for a type name: forget what was found.
        found.clear()
        super(Event, cls).__init_subclass__(**kwargs)

    resolve_by_type.__wrapped__ = lookup  # type: ignore[attr-defined]
    return [staticmethod(resolve_by_type), classmethod(__init_subclass__)]


# -- sql-tracker-batch-insert --------------------------------------------------------------------


def _build_sql_tracker_batch_insert(originals: list[Any]) -> list[Any]:
    import json

    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    logger = logging.getLogger("rasa.core.tracker_store")

    async def save(self: Any, tracker: Any) -> None:
        """Update database with events from the current conversation."""
        await self.stream_events(tracker)

        with self.session_scope() as session:
            # only store recent events
            events = self._additional_events(session, tracker)

            rows = []
            for event in events:
                data = event.as_dict()
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                action = data.get("name")
                timestamp = data.get("timestamp")

                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": timestamp,
                        "intent_name": intent,
                        "action_name": action,
                        "data": json.dumps(data),
                    }
                )
            # The same rows in the same order, in one executemany instead of one INSERT (and
            # one read of the new id) per event through the ORM's unit of work.
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")

    save.__wrapped__ = originals[0]  # type: ignore[attr-defined]
    return [save]


# -- sql-tracker-lean-reads ---------------------------------------------------------------------


def _build_sql_tracker_lean_reads(originals: list[Any]) -> list[Any]:
    import json

    import sqlalchemy as sa
    from rasa.shared.core.events import SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    logger = logging.getLogger("rasa.core.tracker_store")
    # The statements of SQLTrackerStore._event_query, built once per events table: Rasa builds the
    # ORM query anew for every read and every save, and loads a whole ORM object per event.
    built: dict[Any, tuple[Any, Any, Any]] = {}

    def statements(table: Any) -> tuple[Any, Any, Any]:
        """(every session's data, the latest session's data, the latest session's event count)
        of the sender bound as :sender_id, in the order and with the filters of _event_query."""
        found = built.get(table)
        if found is None:
            # Subquery to find the timestamp of the latest `SessionStarted` event
            session_start = (
                sa.select(sa.func.max(table.c.timestamp).label("session_start"))
                .where(
                    table.c.sender_id == sa.bindparam("sender_id"),
                    table.c.type_name == SessionStarted.type_name,
                )
                .subquery()
            )
            of_sender = table.c.sender_id == sa.bindparam("sender_id")
            # Events after the latest `SessionStarted` event, or all events if there is none.
            in_latest = sa.or_(
                table.c.timestamp >= session_start.c.session_start,
                session_start.c.session_start.is_(None),
            )
            found = built[table] = (
                sa.select(table.c.data).where(of_sender).order_by(table.c.id),
                sa.select(table.c.data).select_from(table).where(of_sender, in_latest).order_by(table.c.id),
                sa.select(sa.func.count()).select_from(table).where(of_sender, in_latest),
            )
        return found

    async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        every_session, latest_session, _ = statements(self.SQLEvent.__table__)
        query = every_session if fetch_events_from_all_sessions else latest_session
        with self.session_scope() as session:
            serialised_events = session.execute(query, {"sender_id": sender_id}).scalars().all()

            events = [json.loads(data) for data in serialised_events]

            if self.domain and len(events) > 0:
                logger.debug(f"Recreating tracker from sender id '{sender_id}'")
                return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            else:
                logger.debug(
                    f"Can't retrieve tracker matching "
                    f"sender id '{sender_id}' from SQL storage. "
                    f"Returning `None` instead."
                )
                return None

    def _additional_events(self: Any, session: Any, tracker: Any) -> Any:
        """Return events from the tracker which aren't currently stored."""
        _, _, count = statements(self.SQLEvent.__table__)
        number_of_events_since_last_session = session.execute(count, {"sender_id": tracker.sender_id}).scalar()

        return itertools.islice(tracker.events, number_of_events_since_last_session, len(tracker.events))

    _retrieve.__wrapped__ = originals[0]  # type: ignore[attr-defined]
    _additional_events.__wrapped__ = originals[1]  # type: ignore[attr-defined]
    return [_retrieve, _additional_events]


# The SHA-256 of each function's source as written in Rasa 3.6.21 (and the pinned libraries,
# requirements/rasa.txt); `PYTHONPATH=. .venv-rasa/bin/python -m bot.engine.rasa_patches` prints the current ones.
PATCHES = [
    Patch(
        "action-response-schema",
        ("rasa.core.actions.action:RemoteAction._validate_action_result",),
        {
            "rasa.core.actions.action:RemoteAction._validate_action_result": "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
            "rasa.core.actions.action:RemoteAction.action_response_format_spec": "091b74aa3738d1262cf3c028386aaf9dd4f0d5c1374b62392411d70a79104a46",
            "jsonschema.validators:validate": "1a17ed2ff7ab6e5499da90ffb511775f31ef07815294f274c333fcbe43e8a10f",
            "jsonschema._validators:oneOf": "a60e5e6e5afaca4d61903c961c13ab816b1f1ee4e9d517717e2360dd28350e7f",
        },
        _build_action_response_schema,
    ),
    Patch(
        "action-server-session",
        ("rasa.utils.endpoints:EndpointConfig.request", "rasa.core.run:close_resources"),
        {
            "rasa.utils.endpoints:EndpointConfig.request": "ccdb778aed8208e23cde3c3f47eac7fbbbb735dac8f7ef7254d54451c64ad608",
            "rasa.utils.endpoints:EndpointConfig.session": "e55aa13d9d4fb4bc440ac33b870a97ee162b76dda7ccb6bf68433567475fdffb",
            "rasa.core.run:close_resources": "bc3d36e8149e84cd906082694203f0f78bbdb09544be8753af472ff59cc284e9",
            "rasa.core.run:serve_application": "fa80588d9e008b67948290d1da64c97fbab5a1a8069b880c18cc3c8399ef9c2b",
        },
        _build_action_server_session,
    ),
    Patch(
        "event-class-lookup",
        ("rasa.shared.core.events:Event.resolve_by_type", "rasa.shared.core.events:Event.__init_subclass__"),
        {
            "rasa.shared.core.events:Event.resolve_by_type": "b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968",
            "rasa.shared.utils.common:all_subclasses": "28c2e6df9c15daea296f630b83d0b2391636581164056082458a32647d6761d1",
        },
        _build_event_class_lookup,
    ),
    Patch(
        "sql-tracker-batch-insert",
        ("rasa.core.tracker_store:SQLTrackerStore.save",),
        {
            "rasa.core.tracker_store:SQLTrackerStore.save": "57165e46eab3de0866e77f03df0bf7fd5eac2c1de617ed431b934c9a4edfeef6"
        },
        _build_sql_tracker_batch_insert,
    ),
    Patch(
        "sql-tracker-lean-reads",
        (
            "rasa.core.tracker_store:SQLTrackerStore._retrieve",
            "rasa.core.tracker_store:SQLTrackerStore._additional_events",
        ),
        {
            "rasa.core.tracker_store:SQLTrackerStore._retrieve": "c8adbf6f4b61ddd1124690944ebdf2ebc82d0723bd07c6704caab0b80120a0ef",
            "rasa.core.tracker_store:SQLTrackerStore._event_query": "cd44f7901b860bfd598a813bde17d0d5b0d7bab129feaf76bb2dca87d628625b",
            "rasa.core.tracker_store:SQLTrackerStore._additional_events": "d22f99eb863acb07afee63d9fe3a04ca8464251e67a43eb7d36c2d65ffc1653f",
        },
        _build_sql_tracker_lean_reads,
    ),
]


def configure_logging() -> None:
    """Outcomes go to stderr (Rasa's log file under bot/engine/processes.py) before Rasa
    configures its logging, and stay visible after (Rasa does not touch this logger)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s - %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


if __name__ == "__main__":  # PYTHONPATH=. .venv-rasa/bin/python -m bot.engine.rasa_patches
    for patch in PATCHES:
        for path in patch.sources:
            print(f"{patch.name}: {path} {source_sha256(path)}")
