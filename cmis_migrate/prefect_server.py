"""Prefect's temporary API server as our own child process.

It is started the way Prefect's SubprocessASGIServer starts it (uvicorn serving
`prefect.server.api.server:create_app` on a free local port, with this process's Prefect
settings in its environment), with three differences:

- the server's modules are never imported here (about 1.7 s of a run's start-up);
- starting and waiting are two steps, so the caller does its own imports while the server
  boots on the other core (`start`, then `wait_ready`);
- on Linux the child gets PR_SET_PDEATHSIG: if this process is killed (kill -9, the OOM
  killer), the server gets SIGTERM instead of running on forever.

Its output goes to a log file, never to the user's console.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PORT_TAKEN = 3  # uvicorn's exit code when it cannot bind its port
SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: SIGTERM this process when the process that started it dies, even by kill -9."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def free_port() -> int:
    """A local TCP port nobody listens on now (the system's choice)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryServer:
    def __init__(self, log: Path):
        self.log = log
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        """Launch the server (returns at once; `wait_ready` waits for it)."""
        import prefect
        from prefect.settings import get_current_settings

        self.port = free_port()
        env = {
            **os.environ,
            **SERVER_ENV,
            **get_current_settings().to_environment_variables(exclude_unset=True),
        }
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(prefect.__module_path__.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        linux = sys.platform.startswith("linux")
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                args,
                env=env,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if linux else None,  # noqa: PLW1509 - prctl only
            )

    def wait_ready(self, timeout: float) -> None:
        """Until the API answers its health check; RuntimeError naming the log if it does not
        within `timeout` seconds or the server exits (a port taken meanwhile: another one)."""
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                code = self.process.poll() if self.process else None
                if code == PORT_TAKEN:
                    self.start()
                    continue
                if code is not None:
                    raise RuntimeError(
                        f"the temporary Prefect server exited with code {code} (see {self.log})"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.api_url}/health", timeout=5).status_code == 200:
                        return
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"the temporary Prefect server did not answer within {timeout:.0f} s (see {self.log})"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
