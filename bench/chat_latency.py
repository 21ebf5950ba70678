"""Latency of one conversation turn through `/api/chat`, against bare Rasa's REST channel.

Starts its own action server, Rasa server and application on free ports with a throw-away
SQLite database, plays whole leak reports as residents would, and prints p50/p99 per turn.
Run: .venv/bin/python bench/chat_latency.py [--conversations 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

import httpx
from workspace import start_stack

from tests.harness import RunningApp, issued_chat_id

TURNS = ["阳光花园3号楼2单元301暖气片漏水了", "13812345678", "随时都可以", "/affirm"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def chat_id(client: httpx.Client, url: str) -> str:
    """A new conversation's id: the application's /api/chat takes only ids it issued, bare
    Rasa's REST channel takes any name."""
    if url.endswith("/api/chat"):
        return issued_chat_id(client, url)
    return f"bench-{uuid.uuid4().hex[:10]}"


def play(url: str, body_key: str, conversations: int) -> list[float]:
    timings: list[float] = []
    with httpx.Client(timeout=30) as client:
        for _ in range(conversations):
            sender = chat_id(client, url)
            replies: list[dict] = []
            for text in TURNS:
                if text == "/affirm":  # press the summary's confirm button: the app gives it an opaque id
                    text = next((b["payload"] for r in replies for b in r.get("buttons") or []
                                 if b.get("title") == "确认提交"), text)  # fmt: skip
                started = time.perf_counter()
                response = client.post(url, json={"sender": sender, body_key: text})
                timings.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                replies = response.json()
    return timings


def report(name: str, timings: list[float]) -> None:
    print(
        f"{name:<22} turns={len(timings):4d}  p50={percentile(timings, 50):6.1f} ms  "
        f"p99={percentile(timings, 99):6.1f} ms  mean={statistics.mean(timings):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=30)
    args = parser.parse_args()
    started = time.perf_counter()
    stack = start_stack()
    print(f"stack ready in {time.perf_counter() - started:.1f} s")
    app = RunningApp(f"http://127.0.0.1:{stack.rasa_port}")  # test settings: no pace limits
    try:
        play(f"{app.base_url}/api/chat", "message", 3)  # warm-up
        report(
            "bare Rasa REST",
            play(f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook", "message", args.conversations),
        )
        report("/api/chat (app)", play(f"{app.base_url}/api/chat", "message", args.conversations))
    finally:
        app.stop()
        stack.stop()


if __name__ == "__main__":
    main()
