"""Logging: our own and Prefect's records go to files under the work folder, never to the
console, and pass through a filter that masks personal data (phones, ID numbers, dates)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

# 9-12 digit runs (phones, CMND/CCCD), optionally +84 / spaced / dotted phones
_PHONE_OR_ID = re.compile(
    r"(?<!\d)(\+?84|0)?[\s.\-]?(\d{2,3})[\s.\-]?(\d{3})[\s.\-]?(\d{3,6})(?!\d)"
)
_DATE = re.compile(
    r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"
)
# not personal, kept as written: UUIDs (Prefect links), our run ids, moments with a time of
# day (a birth date has none), and capital-letter codes (customer, station, meter codes)
_KEEP = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?<!\d)\d{8}-\d{6}-[0-9a-f]{6}(?![0-9a-f])"
    r"|(?<!\d)\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?"
    r"|(?<!\w)[A-Z]{2}[A-Z0-9]*\d[A-Z0-9_]*(?!\w)"
)


class Readable(str):
    """A log argument known to hold no personal data (a run id, a station code, a deferral
    reason made from the calendar): PersonalDataFilter leaves it as it is. Values whose field
    is personal (phone, ID number, birth date) are never logged; free text is masked."""


def _protect(text: str, keep: list[str]) -> tuple[str, list[str]]:
    """Replace the parts to keep by placeholders (no digits in them) before masking."""
    saved: list[str] = []

    def _hold(value: str) -> str:
        saved.append(value)
        return f"\x00{chr(0xE000 + len(saved) - 1)}\x00"

    for value in sorted({v for v in keep if v}, key=len, reverse=True):
        text = text.replace(value, _hold(value))
    return _KEEP.sub(lambda m: _hold(m.group(0)), text), saved


def _restore(text: str, saved: list[str]) -> str:
    return re.sub("\x00(.)\x00", lambda m: saved[ord(m.group(1)) - 0xE000], text)


def mask_digits(text: str, keep: tuple[str, ...] | list[str] = ()) -> str:
    """'0912345678' -> '091****678'; '038085001234' -> '038******234'; dates -> '**/**/****'.
    For free text: identifiers (_KEEP) and the `keep` values stay readable."""

    def _mask(m: re.Match) -> str:
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 9:
            return raw
        lead = raw[: len(raw) - len(raw.lstrip(" .-"))]  # the separator before stays
        return lead + digits[:3] + "*" * (len(digits) - 6) + digits[-3:]

    held, saved = _protect(text, list(keep))
    held = _DATE.sub("**/**/****", held)
    return _restore(_PHONE_OR_ID.sub(_mask, held), saved)


class PersonalDataFilter(logging.Filter):
    """Masks phones, ID numbers and dates in every record that passes (message and args),
    except the arguments marked Readable and the identifiers mask_digits keeps."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args don't format: leave it to the handler
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        readable = [str(a) for a in args or () if isinstance(a, Readable)]
        masked = mask_digits(message, keep=readable)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # the handler's formatter would render the traceback AFTER this filter, unmasked
            # (an exception message may quote a phone, or SQL parameters): render it here
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_digits(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_digits(record.stack_info)
        return True


def private_file(path: Path) -> Path:
    """Create `path` (and its folder) owner-only if missing, and make it owner-only if not:
    log lines are masked, but they still say who was processed when."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def file_handler(path: Path, level: int = logging.INFO) -> logging.Handler:
    private_file(path)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    return handler


# --- the command's own log: where an unexpected error's traceback goes ----------------------

COMMAND_LOG = "cmis-migrate.log"
_command_log: Path | None = None
_lost: list[str] = []  # the first problem of each log file that could not be written


class QuietFileHandler(logging.FileHandler):
    """A file handler that creates its file owner-only when it first writes, and that, when it
    cannot write (disk full, folder gone), notes the problem once and drops the record: no
    "--- Logging error ---" traceback per record on the console."""

    def __init__(self, filename, mode="a", encoding="utf-8", delay=True, errors=None):
        super().__init__(filename, mode, encoding=encoding, delay=delay, errors=errors)
        self.failed = False

    def _open(self):
        private_file(Path(self.baseFilename))
        return super()._open()

    def handleError(self, record: logging.LogRecord | None) -> None:  # noqa: N802 - logging's
        import sys

        exc = sys.exc_info()[1]
        self.failed = True
        if not any(n.startswith(f"{self.baseFilename}:") for n in _lost):
            _lost.append(f"{self.baseFilename}: {type(exc).__name__}: {exc}")
        stream, self.stream = self.stream, None  # the next record opens the file again
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()

    def flush(self) -> None:
        try:
            super().flush()
        except (OSError, ValueError):
            self.handleError(None)

    def close(self) -> None:
        try:
            super().close()
        except (OSError, ValueError):
            self.handleError(None)


def lost_logs() -> list[str]:
    """The log files that could not be written to in this process (first problem of each)."""
    return list(_lost)


def quiet_handler(path: Path, level: int = logging.NOTSET) -> logging.Handler:
    handler = QuietFileHandler(path)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    return handler


def use_command_log(folder: Path) -> Path:
    """The command's log is <folder>/cmis-migrate.log (created when first written): warnings of
    any logger that nothing else handles go there (never to the console), and so does the
    traceback of an unexpected error."""
    global _command_log
    _command_log = folder / COMMAND_LOG
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_cmis_command_log", False)]:
        root.removeHandler(h)
        h.close()
    handler = quiet_handler(_command_log, logging.WARNING)
    handler._cmis_command_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return _command_log


def command_log_path() -> Path:
    """The command's log; before a config said where the logs go, a private folder in the
    temporary directory."""
    if _command_log is not None:
        return _command_log
    import tempfile

    folder = Path(tempfile.gettempdir()) / f"cmis-migrate-{os.getuid()}"
    try:
        st = folder.lstat()
    except FileNotFoundError:
        return folder / COMMAND_LOG
    if folder.is_symlink() or st.st_uid != os.getuid():  # someone else's: not there
        folder = Path(tempfile.mkdtemp(prefix="cmis-migrate-"))
    return folder / COMMAND_LOG


def log_unexpected(exc: BaseException, message: str = "unexpected error") -> Path | None:
    """Write `exc`'s traceback (masked) to the command's log; its path, or None when the log
    could not be written (disk full)."""
    path = command_log_path()
    logger = logging.getLogger("cmis_migrate.unexpected")
    logger.propagate = False  # to this file only, whatever else is configured
    handler = quiet_handler(path)
    logger.addHandler(handler)
    try:
        logger.error(message, exc_info=(type(exc), exc, exc.__traceback__))
    finally:
        logger.removeHandler(handler)
        handler.close()
    return None if handler.failed or not path.exists() else path
