"""Speed and size of the whole stack in one run, with the bare Rasa REST channel as the baseline.

On one model, trained here into a temporary directory (or the project's with --no-train):
- training time (`rasa train --force` with an empty cache, as `hotline nlu train --force` runs it);
- start to ready: launching the action server, Rasa and the application until the first answer
  through /api/chat, as `hotline up` starts them;
- per-turn latency (p50, p99) and throughput with 1, 10 and 50 residents at once, each its own
  sender playing whole repair reports (address, phone, time, confirm) without pauses, through
  the application's /api/chat and, as the baseline, Rasa's /webhooks/rest/webhook;
- memory: RSS of Rasa, the action server and the application with their children, idle and peak,
  and peak PSS (shared library pages counted once: what two Rasa servers really occupy);
- CPU milliseconds per turn of each process, and how busy the rest of the machine was meanwhile
  (others' tests and training make every figure noisy: read the latency beside that);
- the scaling path (skipped without Redis or with --no-redis): the application in front of one,
  then two Rasa servers sharing Redis as tracker and lock store (endpoints-redis.yml).

Rasa runs with bot/engine/rasa_patches.py as `hotline up` starts it; --unpatched adds Rasa as
released (HOTLINE_RASA_PATCHES=none, or the patches --unpatched-patches names) as another target
in the same slices: before and after. --before-app CHECKOUT adds the application of another
checkout (say `git worktree add /tmp/before HEAD~3`) in front of the same Rasa, likewise.

Run: .venv/bin/python bench/stack_speed.py [--no-train] [--seconds 15] [--levels 1,10,50] [--unpatched]
Results: a table on stdout and JSON in var/bench/stack_speed-<time>.json (or --json PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import psutil
import yaml
from workspace import ROOT, TMP

from bot.engine import processes
from bot.engine.processes import MODEL_FILE, MODEL_NAME, Stack, wait_until_ready
from bot.migrate import upgrade
from tests.harness import free_port

# A repair report as residents write it; the last turn presses the summary's confirm button.
TURNS = ["阳光花园3号楼2单元301暖气不热", "13812345678", "下午", "/affirm"]
CONFIRM = "确认提交"  # the confirm button's title


def message_for(turn: int, previous: list[dict] | None) -> str:
    """The turn's message; the confirm turn sends the pressed button's payload, which the
    application has replaced by an opaque id (bare Rasa gets "/affirm" either way)."""
    for reply in previous or []:
        for button in reply.get("buttons") or []:
            if turn == len(TURNS) - 1 and button.get("title") == CONFIRM:
                return button["payload"]
    return TURNS[turn]


TICKET = re.compile(r"HL-[0-9A-Z]{6}")
# The application's answer when Rasa did not answer in HOTLINE_RASA_TIMEOUT_SECONDS: the message
# is kept and replayed before the resident's next one (so that turn costs two).
BUSY = re.compile(r"系统暂时繁忙|system is busy")
RUN = uuid.uuid4().hex[:6]  # in every sender id, so runs never share a conversation
# bot/engine/rasa_patches.py's switch: `none` measures Rasa as released (see --unpatched).
RASA_PATCHES = "HOTLINE_RASA_PATCHES"
UNPATCHED = "bare Rasa REST, unpatched"
BEFORE_APP = "app /api/chat, before"  # --before-app


@dataclass
class Cell:
    """One measurement: a target (bare Rasa or the application) at one number of residents.

    It is measured in slices that alternate with the other target's, so both see the same
    background load; residents carry on their conversations from one slice to the next.
    """

    target: str
    residents: int
    turns: int = 0
    failed_turns: int = 0
    busy_turns: int = 0
    conversations: int = 0
    tickets: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    turns_per_s: float = 0.0
    cpu_ms_per_turn: dict[str, float] = field(default_factory=dict)
    machine_busy_pct: float = 0.0
    others_busy_pct: float = 0.0
    load_avg_1m: float = 0.0
    # Running totals, left out of the results.
    timings: list[float] = field(default_factory=list, repr=False)
    progress: list[tuple[int, int]] = field(default_factory=list, repr=False)  # (conversation, turn)
    answers: list[list[dict] | None] = field(default_factory=list, repr=False)  # each one's last replies
    cpu: dict[str, float] = field(default_factory=dict, repr=False)
    machine_cpu: float = field(default=0.0, repr=False)
    bench_cpu: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.progress = [(0, 0)] * self.residents
        self.answers = [None] * self.residents

    def result(self) -> dict[str, object]:
        hidden = {"timings", "progress", "answers", "cpu", "machine_cpu", "bench_cpu"}
        return {key: value for key, value in asdict(self).items() if key not in hidden}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


# -- the processes and what they use ---------------------------------------------------------


def tree(pid: int) -> list[psutil.Process]:
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss_mb(pids: dict[str, int]) -> float:
    return _memory_mb(pids, lambda process: process.memory_info().rss)


def pss_mb(pids: dict[str, int]) -> float:
    """Proportional set size: like RSS, but a page shared by n processes counts 1/n in each.
    Two Rasa servers share TensorFlow's libraries; RSS counts those pages twice, PSS once."""
    return _memory_mb(pids, lambda process: process.memory_full_info().pss)


def _memory_mb(pids: dict[str, int], size: Callable[[psutil.Process], int]) -> float:
    """Sum of `size` over each process and its children."""
    total = 0
    for pid in pids.values():
        for process in tree(pid):
            try:
                total += size(process)
            except psutil.NoSuchProcess:
                pass
    return total / 2**20


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    spent: dict[str, float] = {}
    for name, pid in pids.items():
        spent[name] = 0.0
        for process in tree(pid):
            try:
                times = process.cpu_times()
                spent[name] += times.user + times.system
            except psutil.NoSuchProcess:
                pass
    return spent


class PeakMemory:
    """Samples the stack's RSS and PSS in a thread twice a second and keeps the highest of each."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids, self.peak, self.peak_pss, self._stop = pids, 0.0, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, rss_mb(self.pids))
            self.peak_pss = max(self.peak_pss, pss_mb(self.pids))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


class App:
    """The application as its own process (`hotline serve`), so the load does not share its GIL."""

    def __init__(self, rasa_urls: list[str], log_dir: Path, code: Path = ROOT) -> None:
        """`code`: the checkout whose application runs (another one's: --before-app)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The load comes from one address at many times a resident's pace: no pace limits.
        env = {**os.environ, "HOTLINE_PORT": str(self.port), "HOTLINE_RASA_URL": rasa_urls[0],
               "HOTLINE_RASA_URLS": ",".join(rasa_urls), "HOTLINE_CHAT_MESSAGES_PER_MINUTE": "0",
               "HOTLINE_CHAT_CLIENT_MESSAGES_PER_MINUTE": "0"}  # fmt: skip
        if code != ROOT:  # its `bot` package before the installed one
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
        log = open(log_dir / f"app-{self.port}.log", "ab")
        hotline = Path(sys.executable).parent / "hotline"
        self.process = subprocess.Popen(
            [str(hotline), "serve"], cwd=code, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        wait_until_ready(f"{self.url}/health", self.process, 60, "The application")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


# -- residents -------------------------------------------------------------------------------

ISSUED: dict[str, str] = {}  # each conversation's chat id, by its name


async def chat_id(client: httpx.AsyncClient, url: str, name: str) -> str:
    """The id a conversation writes under: the application's /api/chat takes only ids it issued
    (POST /api/chat/session), bare Rasa's REST channel takes any name."""
    if not url.endswith("/api/chat"):
        return name
    if name not in ISSUED:
        response = await client.post(f"{url}/session")
        response.raise_for_status()
        ISSUED[name] = response.json()["sender"]
    return ISSUED[name]


async def resident(client: httpx.AsyncClient, url: str, cell: Cell, index: int, deadline: float,
                   think: float = 0.0) -> None:  # fmt: skip
    """Play whole repair reports turn after turn until the deadline; every turn is timed."""
    while time.monotonic() < deadline:
        if think:  # a resident reads the answer and types: on average `think` seconds
            await asyncio.sleep(random.uniform(0.5, 1.5) * think)
        number, turn = cell.progress[index]
        name = f"bench-{RUN}-{cell.target[:4]}-{cell.residents}-{index}-{number}"
        started = time.perf_counter()
        try:
            sender = await chat_id(client, url, name)
            started = time.perf_counter()  # the turn alone is timed, not getting its chat id
            message = message_for(turn, cell.answers[index])
            response = await client.post(url, json={"sender": sender, "message": message})
            replies = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            replies = None
        cell.answers[index] = replies
        cell.timings.append((time.perf_counter() - started) * 1000)
        if replies is None:
            cell.failed_turns += 1
            cell.progress[index] = (number + 1, 0)
            continue
        cell.busy_turns += any(BUSY.search(reply.get("text") or "") for reply in replies)
        if turn == len(TURNS) - 1:
            cell.conversations += 1
            cell.tickets += any(TICKET.search(reply.get("text") or "") for reply in replies)
            cell.progress[index] = (number + 1, 0)
        else:
            cell.progress[index] = (number, turn + 1)


THINK = 0.0  # --think


async def load(url: str, cell: Cell, seconds: float) -> None:
    limits = httpx.Limits(max_connections=cell.residents, max_keepalive_connections=cell.residents)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(resident(client, url, cell, index, deadline, THINK) for index in range(cell.residents)))


def busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def measure_slice(cell: Cell, url: str, seconds: float, pids: dict[str, int]) -> None:
    """Load `url` for `seconds` and add the timings and CPU used to the cell."""
    me = psutil.Process()
    cpu_before, mine_before, machine_before = cpu_seconds(pids), me.cpu_times(), busy_seconds()
    started = time.perf_counter()
    asyncio.run(load(url, cell, seconds))
    cell.seconds += time.perf_counter() - started
    cpu_after, mine_after, machine_after = cpu_seconds(pids), me.cpu_times(), busy_seconds()
    for name in pids:
        cell.cpu[name] = cell.cpu.get(name, 0.0) + cpu_after[name] - cpu_before[name]
    cell.bench_cpu += (mine_after.user + mine_after.system) - (mine_before.user + mine_before.system)
    cell.machine_cpu += machine_after - machine_before


def finish(cell: Cell) -> Cell:
    cell.turns = len(cell.timings)
    cell.p50_ms, cell.p99_ms = percentile(cell.timings, 50), percentile(cell.timings, 99)
    cell.turns_per_s = cell.turns / cell.seconds
    cell.cpu_ms_per_turn = {name: 1000 * spent / max(cell.turns, 1) for name, spent in cell.cpu.items()}
    capacity = cell.seconds * psutil.cpu_count()
    cell.machine_busy_pct = 100 * cell.machine_cpu / capacity
    cell.others_busy_pct = max(0.0, 100 * (cell.machine_cpu - sum(cell.cpu.values()) - cell.bench_cpu) / capacity)
    cell.load_avg_1m = os.getloadavg()[0]
    print(f"  {cell.target:<24} {cell.residents:>3} residents: p50 {cell.p50_ms:7.0f} ms  p99 {cell.p99_ms:7.0f} ms  "
          f"{cell.turns_per_s:5.1f} turns/s  failed {cell.failed_turns}  busy {cell.busy_turns}  others {cell.others_busy_pct:3.0f}%",
          flush=True)  # fmt: skip
    return cell


def compare(targets: list[tuple[str, str, dict[str, int]]], residents: int, seconds: float, rounds: int) -> list[Cell]:
    """Measure targets (label, url, pids) in alternating slices: A B, then B A, and so on."""
    cells = [Cell(label, residents) for label, _, _ in targets]
    pairs = list(zip(cells, targets))
    for number in range(rounds):
        for cell, (_, url, pids) in pairs if number % 2 == 0 else reversed(pairs):
            measure_slice(cell, url, seconds / rounds, pids)
    return [finish(cell) for cell in cells]


# -- the run ---------------------------------------------------------------------------------


def train(out: Path) -> tuple[Path, float]:
    """Train from scratch (forced, empty cache) into `out`, with the project's one training command
    (bot/engine/processes.py); return the model and the seconds."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    processes.train(out, MODEL_NAME, force=True, cache=out / "cache", output=subprocess.DEVNULL)
    return out / f"{MODEL_NAME}.tar.gz", time.perf_counter() - started


def first_answer(url: str) -> float:
    """Seconds until /api/chat gives the first real answer."""
    started = time.perf_counter()
    sender = httpx.post(f"{url}/api/chat/session", timeout=60).raise_for_status().json()["sender"]
    response = httpx.post(f"{url}/api/chat", json={"sender": sender, "message": "你好"}, timeout=60)
    response.raise_for_status()
    if not response.json():
        raise RuntimeError("The application answered nothing to the first message.")
    return time.perf_counter() - started


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def redis_endpoints() -> str:
    """endpoints-redis.yml with conversations expiring after an hour, so runs leave nothing behind."""
    config = yaml.safe_load((ROOT / "endpoints-redis.yml").read_text())
    config["tracker_store"]["record_exp"] = 3600
    path = TMP / "endpoints-redis.yml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def warm_up(urls: list[str]) -> None:
    """A whole conversation per target first: Rasa's first predictions are slow."""
    for url in urls:
        cell = Cell("warm-up", 2)
        for _ in TURNS:
            asyncio.run(load(url, cell, 0))  # one turn for each resident


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-train", action="store_true", help="use the project's trained model, time no training")
    parser.add_argument("--seconds", type=float, default=20, help="load time per measurement (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="slices per measurement, alternating targets")
    parser.add_argument("--levels", default="1,10,50", help="residents at once (default 1,10,50)")
    parser.add_argument("--redis-levels", default="10,50", help="residents for the Redis scaling part")
    parser.add_argument("--no-redis", action="store_true", help="skip the two-Rasa-servers scaling part")
    parser.add_argument("--json", type=Path, help="where to write the results (default var/bench/)")
    parser.add_argument("--unpatched", action="store_true",
                        help="also measure a Rasa server without bot/engine/rasa_patches.py, in the same slices")  # fmt: skip
    parser.add_argument("--unpatched-patches", default="none", metavar="SETTING",
                        help="HOTLINE_RASA_PATCHES of that server (default none: Rasa as released; a list of "
                             "patches measures a change of them)")  # fmt: skip
    parser.add_argument("--before-app", type=Path, metavar="CHECKOUT",
                        help="also measure the application of another checkout (e.g. `git worktree add` of the "
                             "commit before a change) in front of the same Rasa, in the same slices")  # fmt: skip
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a resident takes to answer, on average (default 0: as fast as possible)",
    )
    args = parser.parse_args()
    global THINK
    THINK = args.think
    levels = [int(n) for n in args.levels.split(",")]
    results: dict[str, object] = {"run": RUN, "cpus": psutil.cpu_count(), "load_avg_at_start": os.getloadavg(),
                                  "seconds_per_cell": args.seconds, "turns_per_conversation": len(TURNS),
                                  "think_seconds": args.think,
                                  "rasa_patches": os.environ.get(RASA_PATCHES, "all")}  # fmt: skip
    (TMP / "logs").mkdir(parents=True, exist_ok=True)

    model = MODEL_FILE
    if args.no_train:
        results["train_seconds"] = None
    else:
        print("Training the model from scratch (a few minutes)...", flush=True)
        model, results["train_seconds"] = train(TMP / "models")
        print(f"  trained in {results['train_seconds']:.0f} s", flush=True)

    upgrade()  # the throw-away database, before the clock: `hotline up` migrates before starting too
    print("Starting the stack as `hotline up` does...", flush=True)
    cells: list[Cell] = []
    stack = Stack(rasa_port=free_port(), action_port=free_port(), log_dir=TMP / "logs", model=model)
    try:
        launched = time.perf_counter()
        stack.start()
        rasa_ready = time.perf_counter() - launched
        app = App([f"http://127.0.0.1:{stack.rasa_port}"], TMP / "logs")
        results["ready"] = {"rasa_and_actions_s": rasa_ready, "first_answer_latency_s": first_answer(app.url),
                            "start_to_first_answer_s": time.perf_counter() - launched}  # fmt: skip
        print(f"  first answer {results['ready']['start_to_first_answer_s']:.1f} s after launch", flush=True)  # type: ignore[index]
        pids = {"rasa": stack.processes["rasa"].pid, "actions": stack.processes["actions"].pid, "app": app.process.pid}
        measure_all(args, results, stack, app, pids, levels, cells)
    finally:
        stack.stop()
    results["cells"] = [cell.result() for cell in cells]
    results["load_avg_at_end"] = os.getloadavg()
    print_table(results, cells)
    out = args.json or ROOT / "var" / "bench" / f"stack_speed-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nJSON: {out}")


def measure_all(args: argparse.Namespace, results: dict, stack: Stack, app: App, pids: dict[str, int],
                levels: list[int], cells: list[Cell]) -> None:  # fmt: skip
    bare = f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook"
    chat = f"{app.url}/api/chat"
    unpatched: Stack | None = None
    before: App | None = None
    try:
        targets = [("bare Rasa REST", bare, pids), ("app /api/chat", chat, pids)]
        if args.unpatched:
            # The same model and action server, Rasa without bot/engine/rasa_patches.py: before
            # and after in the same slices, so both see the same background load.
            print("Starting a second Rasa server without the patches (--unpatched)...", flush=True)
            unpatched = Stack(rasa_port=free_port(), action_port=stack.action_port, log_dir=TMP / "logs" / "unpatched",
                              model=stack.model, env={RASA_PATCHES: args.unpatched_patches})  # fmt: skip
            unpatched.start_rasa()
            url = f"http://127.0.0.1:{unpatched.rasa_port}/webhooks/rest/webhook"
            label = (
                UNPATCHED if args.unpatched_patches == "none" else f"bare Rasa REST, patches {args.unpatched_patches}"
            )
            targets.insert(0, (label, url, {"rasa": unpatched.pid("rasa"), "actions": pids["actions"]}))
        if args.before_app:
            before = App([f"http://127.0.0.1:{stack.rasa_port}"], TMP / "logs", code=args.before_app.resolve())
            before_pids = {**pids, "app": before.process.pid}
            targets.append((BEFORE_APP, f"{before.url}/api/chat", before_pids))
        warm_up([url for _, url, _ in targets])
        results["rss_idle_mb"] = {name: rss_mb({name: pid}) for name, pid in pids.items()}
        peak = PeakMemory(pids)
        for residents in levels:
            cells += compare(targets, residents, args.seconds, args.rounds)
        results["rss_peak_mb"] = peak.stop()
        results["pss_peak_mb"] = peak.peak_pss
    finally:
        app.stop()
        if before is not None:
            before.stop()
        stack.stop("rasa")
        if unpatched is not None:
            unpatched.stop()
    if args.no_redis:
        return
    if not redis_available():
        print("Redis is not reachable at 127.0.0.1:6379: the scaling part is skipped.", flush=True)
        return
    print("Scaling path: Rasa servers sharing Redis as tracker and lock store...", flush=True)
    endpoints = redis_endpoints()
    servers = [Stack(rasa_port=free_port(), action_port=stack.action_port, log_dir=TMP / "logs" / f"rasa{n}",
                     model=stack.model, endpoints=endpoints) for n in (1, 2)]  # fmt: skip
    threads = [threading.Thread(target=server.start_rasa) for server in servers]  # both load at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    urls = [f"http://127.0.0.1:{server.rasa_port}" for server in servers]
    apps: list[App] = []
    try:
        apps = [App(urls[:1], TMP / "logs"), App(urls, TMP / "logs")]
        actions = {"actions": stack.processes["actions"].pid}
        rasa = {f"rasa{n}": server.processes["rasa"].pid for n, server in enumerate(servers, 1)}
        one = {**actions, "app": apps[0].process.pid, "rasa1": rasa["rasa1"]}
        two = {**actions, "app": apps[1].process.pid, **rasa}
        targets = [("app → 1 Rasa (Redis)", f"{apps[0].url}/api/chat", one),
                   ("app → 2 Rasa (Redis)", f"{apps[1].url}/api/chat", two)]  # fmt: skip
        warm_up([url for _, url, _ in targets])
        peak = PeakMemory(two)
        for residents in [int(n) for n in args.redis_levels.split(",")]:
            cells += compare(targets, residents, args.seconds, args.rounds)
        results["rss_peak_mb_two_rasa_redis"] = peak.stop()
        results["pss_peak_mb_two_rasa_redis"] = peak.peak_pss
    finally:
        for app in apps:
            app.stop()
        for server in servers:
            server.stop()


def rasa_cpu(cell: Cell) -> float:
    """Milliseconds of CPU per turn of the Rasa server(s) that answered the cell."""
    return sum(value for name, value in cell.cpu_ms_per_turn.items() if name.startswith("rasa"))


def print_table(results: dict, cells: list[Cell]) -> None:
    print("\n| target | residents | turns | p50 ms | p99 ms | turns/s | failed | busy | tickets/conv. "
          "| CPU ms/turn (rasa, actions, app) | others' CPU % | load 1m |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for cell in cells:
        cpu = f"{rasa_cpu(cell):.1f}, {cell.cpu_ms_per_turn.get('actions', 0):.1f}, {cell.cpu_ms_per_turn.get('app', 0):.1f}"
        print(f"| {cell.target} | {cell.residents} | {cell.turns} | {cell.p50_ms:.0f} | {cell.p99_ms:.0f} | "
              f"{cell.turns_per_s:.1f} | {cell.failed_turns} | {cell.busy_turns} | {cell.tickets}/{cell.conversations} | {cpu} | "
              f"{cell.others_busy_pct:.0f} | {cell.load_avg_1m:.1f} |")  # fmt: skip
    bare = {c.residents: c for c in cells if c.target == "bare Rasa REST"}
    print()
    for cell in cells:
        if cell.target == "app /api/chat" and cell.residents in bare:
            base = bare[cell.residents]
            print(f"{cell.residents:>3} residents: channel layer adds {100 * (cell.p50_ms / base.p50_ms - 1):+.0f} % "
                  f"to bare Rasa's p50; throughput {100 * cell.turns_per_s / base.turns_per_s:.0f} % of bare Rasa")  # fmt: skip
    one = {c.residents: c for c in cells if c.target == "app → 1 Rasa (Redis)"}
    for cell in cells:
        if cell.target == "app → 2 Rasa (Redis)" and cell.residents in one:
            base = one[cell.residents]
            print(f"{cell.residents:>3} residents: two Rasa servers give {100 * cell.turns_per_s / base.turns_per_s:.0f} % "
                  f"of one server's throughput, p50 {cell.p50_ms:.0f} vs {base.p50_ms:.0f} ms")  # fmt: skip
            if cell.residents in bare:
                print(f"{cell.residents:>3} residents: app → 2 Rasa gives {100 * cell.turns_per_s / bare[cell.residents].turns_per_s:.0f} % "
                      f"of bare Rasa's throughput ({cell.turns_per_s:.1f} vs {bare[cell.residents].turns_per_s:.1f} turns/s)")  # fmt: skip
    for cell in cells:
        if cell.target == BEFORE_APP and cell.residents in bare:
            base, after = (
                bare[cell.residents],
                [c for c in cells if c.target == "app /api/chat" and c.residents == cell.residents][0],
            )
            print(f"{cell.residents:>3} residents: app before the change: p50 {cell.p50_ms:.0f} ms ({100 * (cell.p50_ms / base.p50_ms - 1):+.0f} %), "
                  f"throughput {100 * cell.turns_per_s / base.turns_per_s:.0f} % of bare Rasa, app CPU {cell.cpu_ms_per_turn.get('app', 0):.1f} ms "
                  f"per turn; after: p50 {after.p50_ms:.0f} ms, {100 * after.turns_per_s / base.turns_per_s:.0f} %, "
                  f"app CPU {after.cpu_ms_per_turn.get('app', 0):.1f} ms")  # fmt: skip
    for residents, base in bare.items():
        before = [c for c in cells if c.target.startswith("bare Rasa REST, ") and c.residents == residents]
        if before:
            print(f"{residents:>3} residents: Rasa CPU per turn {rasa_cpu(base):.1f} ms with the patches, "
                  f"{rasa_cpu(before[0]):.1f} ms with {before[0].target[len('bare Rasa REST, '):]}; bare Rasa throughput {base.turns_per_s:.1f} vs "
                  f"{before[0].turns_per_s:.1f} turns/s, p50 {base.p50_ms:.0f} vs {before[0].p50_ms:.0f} ms")  # fmt: skip
    train = results.get("train_seconds")
    print(
        f"training: {f'{train:.0f} s' if train else 'not timed (--no-train)'}; "
        f"start to first answer: {results['ready']['start_to_first_answer_s']:.1f} s; "
        f"stack RSS idle {sum(results['rss_idle_mb'].values()):.0f} MB "
        f"({', '.join(f'{k} {v:.0f}' for k, v in results['rss_idle_mb'].items())}), peak {results['rss_peak_mb']:.0f} MB "
        f"(PSS {results['pss_peak_mb']:.0f} MB)"
    )
    if "rss_peak_mb_two_rasa_redis" in results:
        print(
            f"stack peak with two Rasa servers and Redis: RSS {results['rss_peak_mb_two_rasa_redis']:.0f} MB, "
            f"PSS {results['pss_peak_mb_two_rasa_redis']:.0f} MB (Redis itself not counted)"
        )
    print(
        f"machine: {results['cpus']} CPUs, load average {results['load_avg_at_start'][0]:.1f} at start, "
        f"{results['load_avg_at_end'][0]:.1f} at end"
    )


if __name__ == "__main__":
    main()
