"""Which process runs a run, and whether a process recorded earlier is still there.

A run records its host name, process id and the process's start (Linux: the boot id and the
start time in clock ticks from /proc/<pid>/stat), so a later run on the same host can tell at
once that a crashed run's process is gone, even when its pid was given to another process."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessId:
    host: str
    pid: int
    start: str | None  # None where the platform does not say when a process started


def host_name() -> str:
    return socket.gethostname()[:255]


def process_start(pid: int, proc: Path = _PROC) -> str | None:
    """'<boot id>:<start ticks>' of process `pid`, or None when it cannot be read (no /proc,
    no such process)."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
        boot = (proc / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return None
    # the command name (2nd field) may hold spaces and parentheses: count after its last ')'
    fields = stat[stat.rfind(")") + 2 :].split()
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None


def this_process() -> ProcessId:
    pid = os.getpid()
    return ProcessId(host_name(), pid, process_start(pid))


def is_gone(pid: int, start: str | None, proc: Path = _PROC) -> bool:
    """Whether the process recorded as (pid, start) on THIS host no longer runs: no process
    has that pid, or the one that has it started at another moment (the pid was reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process holds the pid (or the run was another user's)
        return start is not None and process_start(pid, proc) != start
    except OSError:
        return False
    if start is None:
        return False
    now = process_start(pid, proc)
    return now is not None and now != start
