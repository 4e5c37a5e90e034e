"""Prefect's temporary server as our child (cmis_migrate.prefect_server): a free port, and a
server that dies or never answers is reported with its log, never waited for forever."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from cmis_migrate.prefect_server import TemporaryServer, free_port


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_a_server_that_exits_is_reported_with_its_log(tmp_path) -> None:
    server = TemporaryServer(tmp_path / "prefect-server.log")
    server.port = free_port()
    server.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    with pytest.raises(RuntimeError, match=r"exited with code 1 .*prefect-server\.log"):
        server.wait_ready(timeout=30)


def test_a_server_that_never_answers_is_stopped(tmp_path) -> None:
    server = TemporaryServer(tmp_path / "prefect-server.log")
    server.port = free_port()  # nobody listens there
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    server.process = sleeper
    with pytest.raises(RuntimeError, match=r"did not answer within 1 s"):
        server.wait_ready(timeout=1)
    assert sleeper.poll() is not None and server.process is None
