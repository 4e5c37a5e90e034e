"""Logging: our own and Prefect's records go to files under the work folder, never to the
console, and pass through a filter that masks personal data (phones, ID numbers, dates)."""

from __future__ import annotations

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


def mask_digits(text: str) -> str:
    """'0912345678' -> '091****678'; '038085001234' -> '038******234'; dates -> '**/**/****'."""

    def _mask(m: re.Match) -> str:
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 9:
            return raw
        lead = raw[: len(raw) - len(raw.lstrip(" .-"))]  # the separator before stays
        return lead + digits[:3] + "*" * (len(digits) - 6) + digits[-3:]

    text = _DATE.sub("**/**/****", text)
    return _PHONE_OR_ID.sub(_mask, text)


class PersonalDataFilter(logging.Filter):
    """Masks phones, ID numbers and dates in every record that passes (message and args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args don't format: leave it to the handler
            return True
        masked = mask_digits(message)
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
