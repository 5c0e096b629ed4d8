"""Real processes for the production layout: app nodes (`flask run`) and job workers (`flask jobs worker`).

Each process runs from the project folder with the settings given as environment variables, writes
its output to a log file of its own, and is stopped (or killed) by its process id.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_env(settings: dict) -> dict:
    """Return this process's environment with the given settings as the app reads them."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SPOTCHECK_", "FLASK_")) and key not in ("DATABASE_URL", "SECRET_KEY")}
    plain = ("DATABASE_URL", "SECRET_KEY")
    env.update({(key if key in plain else f"SPOTCHECK_{key}"): str(value) for key, value in settings.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Process:
    """One `flask …` process of the project, its output in a log file."""

    def __init__(self, name: str, args: list[str], settings: dict, logs: Path):
        self.name, self.log = name, logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT,
                                          env=settings_env(settings), stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, pattern: str, timeout: float = 60) -> re.Match:
        """Wait until the log shows a line matching pattern; fail (with the log) if the process ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} ended ({self.popen.returncode}):\n{self.output()[-4000:]}")
            time.sleep(0.1)
        raise AssertionError(f"{self.name} never printed {pattern!r}:\n{self.output()[-4000:]}")

    def kill(self) -> None:
        """Stop the process at once, as a power cut or the kernel's OOM killer would (SIGKILL)."""
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        """Ask the process to stop (SIGTERM), and kill it if it has not within ten seconds."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class AppNode(Process):
    """An app node: the development server on a free port."""

    def __init__(self, name: str, settings: dict, logs: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(name, ["run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload",
                                "--no-debugger"], settings, logs)

    def wait_until_serving(self, timeout: float = 60) -> "AppNode":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} ended ({self.popen.returncode}):\n{self.output()[-4000:]}")
            try:
                if requests.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} never served:\n{self.output()[-4000:]}")


class Worker(Process):
    """A job worker: `flask jobs worker`, which runs the queued jobs in its own process."""

    def __init__(self, name: str, settings: dict, logs: Path):
        super().__init__(name, ["jobs", "worker", "--name", f"{name}-{os.getpid()}-{time.monotonic_ns()}"],
                         settings, logs)

    def wait_until_listening(self, timeout: float = 60) -> "Worker":
        self.wait_for_output(r"Listening on", timeout)
        return self


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1) or found.group(2)


def log_in(http: requests.Session, node: AppNode, username: str, password: str) -> None:
    """Log a requests session in through a node's login form."""
    token = csrf_token(http.get(f"{node.url}/login", timeout=10).text)
    response = http.post(f"{node.url}/login", data={"username": username, "password": password,
                                                    "csrf_token": token}, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:500]
