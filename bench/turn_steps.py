"""CPU of the relay's database steps per turn, in this process, without Rasa or HTTP.

The application's share of a turn that is its own database work: `store_inbound` (the message
stored before Rasa sees it) and `record_answer` (the answer and its outbox rows, what else waits
for the chat), as bot/channels/relay.py runs them, each in one unit of work, on a throw-away
SQLite database (or HOTLINE_DATABASE_URL). The turns are those of bench/stack_speed.py's
repair report, with answers shaped like the bot's (the summary carries three buttons, the last
turn presses the confirm button). Deterministic enough to compare two versions of the steps
on a busy machine, where bench/stack_speed.py's figures move with the load.

Run: .venv/bin/python bench/turn_steps.py [--reports 200] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from workspace import ROOT  # noqa: F401  (first: points the settings at a temporary database)

from bot.channels.relay import Press, Turn, record_answer, store_inbound
from bot.config import get_settings
from bot.core.conversation.replies import Reply
from bot.core.db import session_scope
from bot.core.process_setup import set_up_process
from bot.migrate import upgrade

SUMMARY_BUTTONS = [
    {"title": "确认提交", "payload": "/affirm"},
    {"title": "修改信息", "payload": "/change"},
    {"title": "取消", "payload": "/cancel_intake"},
]
# (what the resident sends, what the bot answers) for each turn of a repair report.
TURNS: list[tuple[str | None, list[Reply]]] = [
    ("阳光花园3号楼2单元301暖气不热", [Reply("您好,我是淄博热力的客服001号。"), Reply("请留下您的联系电话。")]),
    ("13812345678", [Reply("好的。请问您方便什么时间接听回访电话?")]),
    ("下午", [Reply("请确认:维修 阳光花园3号楼2单元301 电话138****5678 下午", SUMMARY_BUTTONS)]),
    (None, [Reply("已为您登记工单 HL-4F7K2P,30分钟内会有人联系您。")]),  # presses 确认提交
]


def one_report(number: int, secret: str) -> None:
    sender = f"web:bench{number:08d}"
    shown: list[Reply] = []
    for text, answer in TURNS:
        if text is None:
            incoming: Turn | Press = Press(next(b["payload"] for b in shown[0].buttons if b["title"] == "确认提交"))
        else:
            incoming = Turn(text, "zh")
        with session_scope() as session:
            stored = store_inbound(session, "web", sender, incoming, None, secret)
        assert not isinstance(stored, tuple) or stored[2] == []
        assert isinstance(stored, tuple), stored
        with session_scope() as session:
            waiting, shown, _ = record_answer(session, stored[0], "web", sender, answer, None, True, secret)
        assert waiting == [] and [reply.text for reply in shown] == [reply.text for reply in answer]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200, help="repair reports to play (4 turns each)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions too")
    args = parser.parse_args()
    upgrade()
    settings = get_settings()
    set_up_process(settings)
    secret = settings.resolved_secret_key()
    for number in range(20):  # warm up: SQLAlchemy's statement caches, the database file
        one_report(-number - 1, secret)
    profiler = cProfile.Profile() if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for number in range(args.reports):
        one_report(number, secret)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    turns = args.reports * len(TURNS)
    print(f"{turns} turns: {1000 * cpu / turns:.2f} ms CPU and {1000 * wall / turns:.2f} ms wall per turn "
          f"(store_inbound + record_answer)")  # fmt: skip
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
