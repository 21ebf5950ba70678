"""Print a trained Rasa model's intent predictions for a list of texts, as JSON.

Run with the Rasa environment's Python (Rasa does not install into the application's):

    .venv-rasa/bin/python scripts/predict_intents.py MODEL.tar.gz OUT.json < texts.json

stdin holds a JSON list of strings; OUT.json receives a list of
{"text", "intent", "confidence", "ranking": [{"name", "confidence"}, ...]} in the same order.
The result goes to a file, not stdout, because Rasa and TensorFlow print to stdout while loading.
This script lives outside nlu/ on purpose: nlu/ is part of the model fingerprint.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


async def predict(model_path: str, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intent = parsed.get("intent") or {}
        results.append(
            {
                "text": text,
                "intent": intent.get("name"),
                "confidence": float(intent.get("confidence") or 0.0),
                "ranking": [
                    {"name": r["name"], "confidence": float(r["confidence"])}
                    for r in parsed.get("intent_ranking") or []
                ],
            }
        )
    return results


def main() -> int:
    model_path, out_path = sys.argv[1], sys.argv[2]
    texts = json.load(sys.stdin)
    results = asyncio.run(predict(model_path, texts))
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(results, out, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
