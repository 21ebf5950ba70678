"""Start, supervise and stop the Rasa server and the action server (the application runs in the
process that started them)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from bot.config import PROJECT_ROOT, get_settings
from bot.core.db import create_private_file, sqlite_file
from bot.engine.supervisor import Backoff, Child, Supervisor

RASA_BIN = Path(os.environ.get("HOTLINE_RASA_BIN", PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"))
# `rasa run` is started through this script in Rasa's environment, so that its API token is not
# on the command line, where every user of the machine can read it. It also applies
# bot/engine/rasa_patches.py (HOTLINE_RASA_PATCHES=none in the environment: Rasa as released).
RASA_PYTHON = RASA_BIN.parent / "python"
RASA_WITH_TOKEN = PROJECT_ROOT / "scripts" / "rasa_with_token.py"
MODELS = PROJECT_ROOT / "models"
MODEL_NAME = "hotline"
MODEL_FILE = MODELS / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_FILE = MODELS / f"{MODEL_NAME}.fingerprint"
MODEL_INPUTS = ("data", "config.yml", "domain.yml", "nlu")


def fingerprint(paths: Iterable[Path], root: Path = PROJECT_ROOT) -> str:
    """Hash of files and of every file under directories: what a trained model depends on.
    Caches and hidden files (the teaching loop's lock files) do not count."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.name.startswith("."):
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """Hash of everything the model depends on: training data, pipeline, domain, components."""
    return fingerprint([root / name for name in MODEL_INPUTS], root)


def connect_host(interface: str) -> str:
    """The host part of a URL reaching, from this machine, a server that listens on `interface`."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(interface, interface)
    return f"[{host}]" if ":" in host else host


def rasa_env(action_port: int, action_host: str = "127.0.0.1") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",  # residents' data never leaves the machine
        PYTHONPATH=str(PROJECT_ROOT),
        HOTLINE_ACTION_ENDPOINT=f"http://{action_host}:{action_port}/webhook",
        # endpoints.yml makes Rasa send it to the action server with every call (actions/server.py).
        HOTLINE_ACTION_TOKEN=get_settings().resolved_action_token(),
        HOTLINE_RASA_TRACKER_URL=get_settings().tracker_url,
        TF_CPP_MIN_LOG_LEVEL="2",
        **TRAINING_DETERMINISM,
    )
    return env


# The same data and config must give the same model on every run, or the held-out quality test
# passes or fails by chance. Rasa seeds NumPy and TensorFlow from `random_seed` in config.yml;
# what is left is TensorFlow's own: ops that pick a kernel or an order of summation by timing
# or thread count, and oneDNN's CPU-specific kernels. Measured with scripts/train-twice.
TRAINING_DETERMINISM = {
    "PYTHONHASHSEED": "0",  # set and dict orders inside Rasa's data handling
    "TF_DETERMINISTIC_OPS": "1",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # Rasa reads these two (rasa/utils/tensorflow/environment.py); a fixed count fixes how
    # reductions are split between threads.
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "2",
}


def train_command(
    out: Path,
    name: str,
    *,
    config: Path | str = "config.yml",
    nlu: Path | None = None,
    data: Sequence[str] = (),
    domain: Path | None = None,
    force: bool = False,
) -> list[str]:
    """The one `rasa train` command line: the model, the admins' candidates, the evaluation's
    baselines (`nlu`: NLU only) and the benchmarks are all trained by it, with rasa_env()."""
    command = [str(RASA_BIN), "train"] + (["nlu", "--nlu", str(nlu)] if nlu is not None else [])
    command += ["--data", *data] if data else []
    command += ["--domain", str(domain)] if domain is not None else []
    command += ["--config", str(config), "--out", str(out), "--fixed-model-name", name]
    return command + (["--force"] if force else [])


def training_env(cache: Path | None = None) -> dict[str, str]:
    """Rasa's environment for training (TRAINING_DETERMINISM included); `cache`: an empty cache
    directory, so that a measured training starts from scratch."""
    return {**rasa_env(5055), **({"RASA_CACHE_DIRECTORY": str(cache)} if cache is not None else {})}


def train(out: Path, name: str, *, output: int | IO[bytes] | IO[str] | None = None, cache: Path | None = None,
          **command: Any) -> None:  # fmt: skip
    """Train and wait (see train_command); raises CalledProcessError when Rasa fails."""
    subprocess.run(train_command(out, name, **command), cwd=PROJECT_ROOT, env=training_env(cache), check=True,
                   stdout=output, stderr=subprocess.STDOUT if output is not None else None)  # fmt: skip


def start_training(out: Path, name: str, log: IO[bytes], **command: Any) -> subprocess.Popen[bytes]:
    """Train in a child process whose output goes to `log`; the caller waits for it."""
    return subprocess.Popen(train_command(out, name, **command), cwd=PROJECT_ROOT, env=training_env(),
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip


def train_if_changed(force: bool = False) -> bool:
    """Train the model unless one trained from the same inputs exists; tell whether it trained."""
    current = model_fingerprint()
    if not force and MODEL_FILE.exists() and FINGERPRINT_FILE.exists():
        if FINGERPRINT_FILE.read_text().strip() == current:
            return False
    MODELS.mkdir(exist_ok=True)
    print("Training the Rasa model (data/, config.yml or domain.yml changed)...", flush=True)
    train(MODELS, MODEL_NAME)
    FINGERPRINT_FILE.write_text(current)
    return True


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float, what: str,
                     params: dict[str, str] | None = None) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}; see its log in var/logs/.")
        try:
            if httpx.get(url, params=params, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} was not ready at {url} after {timeout:.0f} s.")


@dataclass
class Stack:
    """The Rasa server and the action server as child processes, restarted when they crash."""

    rasa_port: int = 5005
    action_port: int = 5055
    # Loopback unless HOTLINE_RASA_INTERFACE / HOTLINE_ACTION_INTERFACE say otherwise.
    rasa_interface: str = field(default_factory=lambda: get_settings().rasa_interface)
    action_interface: str = field(default_factory=lambda: get_settings().action_interface)
    log_dir: Path = PROJECT_ROOT / "var" / "logs"
    env: dict[str, str] = field(default_factory=dict)
    model: Path = MODEL_FILE
    # endpoints-redis.yml shares conversations between Rasa servers (see README, Benchmarks).
    endpoints: str = "endpoints.yml"
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Restart waits after a crash (the first, doubling up to the longest).
    backoff: tuple[float, float] = (1.0, 60.0)
    _children: dict[str, Child] = field(default_factory=dict, init=False, repr=False)
    _supervisor: Supervisor | None = field(default=None, init=False, repr=False)
    # One start or stop at a time: the supervisor's restarts and a caller's own start_rasa().
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    @property
    def rasa_url(self) -> str:
        return f"http://{connect_host(self.rasa_interface)}:{self.rasa_port}"

    @property
    def rasa_token(self) -> str:
        return self._secrets()["HOTLINE_RASA_TOKEN"]

    @property
    def action_token(self) -> str:
        return self._secrets()["HOTLINE_ACTION_TOKEN"]

    def _secrets(self) -> dict[str, str]:
        """Both servers' secrets as environment variables: from `env` if given there, else the
        configured (or derived) ones. Passed to the children, never on their command lines."""
        settings = get_settings()
        configured = {"HOTLINE_RASA_TOKEN": settings.resolved_rasa_token(),
                      "HOTLINE_ACTION_TOKEN": settings.resolved_action_token()}  # fmt: skip
        return {name: self.env.get(name) or value for name, value in configured.items()}

    def start_actions(self) -> None:
        command = [sys.executable, "-m", "actions.server",
                   "--port", str(self.action_port), "--interface", self.action_interface]  # fmt: skip
        secret = {"HOTLINE_ACTION_TOKEN": self.action_token}
        with self._lock:
            self._spawn("actions", command, {**os.environ, **self.env, **secret, "PYTHONPATH": str(PROJECT_ROOT)})
            wait_until_ready(f"http://{connect_host(self.action_interface)}:{self.action_port}/health",
                             self.processes["actions"], 60, "The action server")  # fmt: skip

    def start_rasa(self) -> None:
        settings = get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # where the conversations are kept
        if (tracker_file := sqlite_file(settings.tracker_url)) is not None:
            create_private_file(tracker_file)  # before Rasa creates it world-readable (R7)
        command = [
            str(RASA_PYTHON), str(RASA_WITH_TOKEN), "run", "--enable-api", "--interface", self.rasa_interface,
            "--port", str(self.rasa_port), "--model", str(self.model),
            "--endpoints", self.endpoints, "--credentials", "credentials.yml",
        ]  # fmt: skip
        env = {**rasa_env(self.action_port, connect_host(self.action_interface)), **self.env, **self._secrets()}
        with self._lock:
            self._spawn("rasa", command, env)
            wait_until_ready(f"{self.rasa_url}/status", self.processes["rasa"], 180, "Rasa",
                             params={"token": self.rasa_token})  # fmt: skip

    def start(self) -> None:
        """Start both servers and keep them running (`supervise`)."""
        self.start_actions()
        self.start_rasa()
        self.supervise()

    def supervise(self) -> None:
        """Restart a server that exits without being stopped (a crash, kill -9, the OOM killer),
        with back-off; the application replays the messages kept meanwhile once Rasa answers."""
        if self._supervisor is None:
            self._supervisor = Supervisor(self._running_children)
            self._supervisor.start()

    def _running_children(self) -> list[Child]:
        """The servers started and not stopped on purpose (stop() removes them from `processes`)."""
        starts = {"actions": self.start_actions, "rasa": self.start_rasa}
        with self._lock:
            for name in self.processes:
                if name not in self._children:
                    self._children[name] = Child(name, self._exit_code_of(name), starts[name], Backoff(*self.backoff))
            return [child for name, child in self._children.items() if name in self.processes]

    def _exit_code_of(self, name: str) -> Callable[[], int | None]:
        def exit_code() -> int | None:
            with self._lock:
                process = self.processes.get(name)
                return None if process is None else process.poll()

        return exit_code

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, name: str | None = None) -> None:
        """Stop one server (it stays stopped until started again) or, without a name, all."""
        if name is None and self._supervisor is not None:
            self._supervisor.stop()
            self._supervisor = None
        for key in [name] if name else list(self.processes):
            with self._lock:
                process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
