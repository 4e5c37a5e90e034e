"""Prefect without surprises: no phoning home, its home and logs under the work folder, and a
temporary local API server whose chatter (start-up, CancelledError tracebacks on stop) goes to
a log file instead of the user's console. With PREFECT_API_URL set, the real server is used.

`configure_environment` must run before `prefect` is imported: Prefect reads its settings then.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from cmis_migrate.config import Config
from cmis_migrate.logs import private_file
from cmis_migrate.prefect_server import TemporaryServer

QUIET_SETTINGS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # the client's own telemetry, and its first-run notice printed on an interactive console
    "DO_NOT_TRACK": "1",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    "PREFECT_CLI_PROMPT": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_API_REQUEST_TIMEOUT": "120",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_TASKS_REFRESH_CACHE": "false",
}

LOGGING_YAML = """\
version: 1
disable_existing_loggers: False
formatters:
  standard:
    (): prefect.logging.formatters.PrefectFormatter
    format: "%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s"
    flow_run_fmt: "%(asctime)s.%(msecs)03d | %(levelname)-7s | Flow run %(flow_run_name)r - %(message)s"
    task_run_fmt: "%(asctime)s.%(msecs)03d | %(levelname)-7s | Task run %(task_run_name)r - %(message)s"
    datefmt: "%Y-%m-%d %H:%M:%S"
filters:
  personal_data:
    (): cmis_migrate.logs.PersonalDataFilter
handlers:
  file:
    level: 0
    class: cmis_migrate.logs.QuietFileHandler
    filename: "{log_file}"
    encoding: utf-8
    formatter: standard
    filters: [personal_data]
  api:
    level: 0
    class: prefect.logging.handlers.APILogHandler
    filters: [personal_data]
loggers:
  prefect:
    level: INFO
    handlers: [file]
    propagate: false
  prefect.flow_runs:
    level: NOTSET
    handlers: [api, file]
    propagate: false
  prefect.task_runs:
    level: NOTSET
    handlers: [api, file]
    propagate: false
  prefect.server:
    level: WARNING
    handlers: [file]
    propagate: false
  prefect._internal:
    level: WARNING
    handlers: [file]
    propagate: false
  uvicorn:
    level: WARNING
    handlers: [file]
    propagate: false
  distributed:
    level: WARNING
    handlers: [file]
    propagate: false
  cmis_migrate.reports:  # what publishing each output cost (warnings reach the command log too)
    level: INFO
    handlers: [file]
root:
  level: WARNING
  handlers: [file]
"""


def configure_environment(cfg: Config) -> Path:
    """Set Prefect's environment for this process (and the servers/workers it starts)."""
    home = cfg.paths.prefect_home
    logs = cfg.paths.logs
    home.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    log_file = private_file(logs / "prefect.log")
    private_file(logs / "prefect-server.log")
    logging_yaml = home / "logging.yml"
    logging_yaml.write_text(
        LOGGING_YAML.format(log_file=str(log_file).replace('"', '\\"')), "utf-8"
    )
    for key, value in QUIET_SETTINGS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ["PREFECT_LOGGING_CONFIG_PATH"] = str(logging_yaml)
    return log_file


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Point file descriptor 2 at `path` (a child process started inside keeps it)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def prefect_session(
    cfg: Config,
    *,
    warm_up: Callable[[], object] | None = None,
    while_booting: Callable[[], object] | None = None,
) -> Iterator[str]:
    """An API for flows to report to: PREFECT_API_URL if configured, else a temporary local server.

    Yields the API URL. The temporary server writes only to <work>/logs/prefect-server.log.
    `warm_up` (e.g. importing the flow's modules) runs while the temporary server boots, or
    first when a server is configured; `while_booting` (work the run may need, which costs
    nothing while this process would wait anyway) runs after it, only while a temporary server
    boots.
    """
    configure_environment(cfg)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = PREFECT_API_URL.value()
    if url:
        if warm_up is not None:
            warm_up()
        yield url
        return
    server_log = cfg.paths.logs / "prefect-server.log"
    server = TemporaryServer(server_log)
    server.start()
    try:
        if warm_up is not None:
            warm_up()
        if while_booting is not None:
            while_booting()
        server.wait_ready(
            timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        )
    except BaseException:
        server.stop()
        raise
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            try:
                yield server.api_url
            finally:
                _send_pending_logs()
    finally:
        with _stderr_to(server_log):
            # logs still queued for the API (the flow's last lines, the publish step's) are sent
            # before the server goes away, not reported as "Error logging to API" on the console
            with contextlib.suppress(Exception):
                from prefect.logging.handlers import APILogWorker

                APILogWorker.drain_all(timeout=5)
            server.stop()


def _send_pending_logs() -> None:
    """Flow and task logs still queued for the API go now, while the temporary server is
    up (else Prefect prints '--- Error logging to API ---' on the user's console at exit)."""
    try:
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=10)
    except Exception:  # noqa: BLE001 - best effort; the records are in the log file anyway
        pass
