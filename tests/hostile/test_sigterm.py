"""SIGTERM (systemd stop, container stop) ends a command as Ctrl+C does: the KeyboardInterrupt
path (a run is closed in the store, its unfinished batches redone next time), exit code 130,
no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from cmis_migrate.cli.app import app, main

    @app.command("wait")
    def wait() -> None:
        try:
            print("ready", flush=True)
            time.sleep(60)
        except KeyboardInterrupt:
            print("cleaned up", flush=True)
            raise

    sys.argv = ["cmis-migrate", "wait"]
    main()
    """
)


def test_sigterm_is_handled_like_ctrl_c():
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CMIS_MIGRATE_DEBUG": ""},
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, (proc.returncode, err)
    assert "cleaned up" in out
    assert "Traceback" not in err  # exit 130 and no traceback, as after Ctrl+C
