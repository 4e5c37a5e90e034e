"""What a run leaves for people in the work folder."""

from __future__ import annotations

from pathlib import Path

from cmis_migrate.config import Config
from cmis_migrate.reports.drafts_export import export_drafts
from cmis_migrate.runtime import runtime_for
from cmis_migrate.store.queries import drafts_frame


def publish(cfg: Config, run_id: str) -> list[Path]:
    rt = runtime_for(cfg)
    written = [export_drafts(drafts_frame(rt.store), cfg.paths.drafts / "drafts.csv")]
    return written
