"""A --branch option as people type it: any case, stray spaces; an unknown code is an error
that lists the branches the store knows."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from cmis_migrate.cli.common import fail
from cmis_migrate.store.review import known_branches


def match_branch(typed: str, known: list[str]) -> str | None:
    """The known branch code `typed` names, case-insensitively; None if none."""
    wanted = typed.strip().casefold()
    return next((b for b in known if b.casefold() == wanted), None)


def resolve_branch(engine: Engine, typed: str) -> str:
    known = known_branches(engine)
    branch = match_branch(typed, known)
    if branch is None:
        listed = ", ".join(known[:40]) or "none yet: run the migration first"
        raise fail(f"unknown branch {typed!r} (branches in the store: {listed})")
    return branch
