"""What a run leaves for people in the work folder."""

from __future__ import annotations

from pathlib import Path

from cmis_migrate.config import Config
from cmis_migrate.reports.drafts_export import export_drafts_csv
from cmis_migrate.runtime import runtime_for
from cmis_migrate.store.queries import drafts_chunks


def publish(cfg: Config, run_id: str) -> list[Path]:
    rt = runtime_for(cfg)
    # in pieces: the province's drafts as one frame took ~1 GB and ~45 s
    written = [export_drafts_csv(drafts_chunks(rt.store), cfg.paths.drafts / "drafts.csv")]
    return written
