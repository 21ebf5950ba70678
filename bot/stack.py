"""Start and stop the three processes: Rasa server, action server, and the application."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.config import PROJECT_ROOT, get_settings

RASA_BIN = Path(os.environ.get("HOTLINE_RASA_BIN", PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"))
MODELS = PROJECT_ROOT / "models"
MODEL_NAME = "hotline"
MODEL_FILE = MODELS / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_FILE = MODELS / f"{MODEL_NAME}.fingerprint"
MODEL_INPUTS = ("data", "config.yml", "domain.yml", "nlu")


def model_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """Hash of everything a trained model depends on: training data, pipeline, domain, components."""
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def rasa_env(action_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",  # residents' data never leaves the machine
        PYTHONPATH=str(PROJECT_ROOT),
        HOTLINE_ACTION_ENDPOINT=f"http://127.0.0.1:{action_port}/webhook",
        HOTLINE_RASA_TRACKER_URL=get_settings().tracker_url,
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    return env


def train_if_changed(force: bool = False) -> bool:
    """Train the model unless one trained from the same inputs exists; tell whether it trained."""
    fingerprint = model_fingerprint()
    if not force and MODEL_FILE.exists() and FINGERPRINT_FILE.exists():
        if FINGERPRINT_FILE.read_text().strip() == fingerprint:
            return False
    MODELS.mkdir(exist_ok=True)
    print("Training the Rasa model (data/, config.yml or domain.yml changed)...", flush=True)
    subprocess.run(
        [str(RASA_BIN), "train", "--fixed-model-name", MODEL_NAME, "--out", str(MODELS)],
        cwd=PROJECT_ROOT,
        env=rasa_env(5055),
        check=True,
    )
    FINGERPRINT_FILE.write_text(fingerprint)
    return True


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}; see its log in var/logs/.")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} was not ready at {url} after {timeout:.0f} s.")


@dataclass
class Stack:
    """The Rasa server and the action server as child processes."""

    rasa_port: int = 5005
    action_port: int = 5055
    log_dir: Path = PROJECT_ROOT / "var" / "logs"
    env: dict[str, str] = field(default_factory=dict)
    model: Path = MODEL_FILE
    # endpoints-redis.yml shares conversations between Rasa servers (see README, Benchmarks).
    endpoints: str = "endpoints.yml"
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start_actions(self) -> None:
        self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.action_port)],
            {**os.environ, **self.env, "PYTHONPATH": str(PROJECT_ROOT)},
        )
        wait_until_ready(
            f"http://127.0.0.1:{self.action_port}/health", self.processes["actions"], 60, "The action server"
        )

    def start_rasa(self) -> None:
        get_settings().data_dir.mkdir(parents=True, exist_ok=True)  # where the conversations are kept
        command = [
            str(RASA_BIN), "run", "--enable-api", "--interface", "127.0.0.1",
            "--port", str(self.rasa_port), "--model", str(self.model),
            "--endpoints", self.endpoints, "--credentials", "credentials.yml",
        ]  # fmt: skip
        self._spawn("rasa", command, {**rasa_env(self.action_port), **self.env})
        wait_until_ready(f"http://127.0.0.1:{self.rasa_port}/status", self.processes["rasa"], 180, "Rasa")

    def start(self) -> None:
        self.start_actions()
        self.start_rasa()

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
