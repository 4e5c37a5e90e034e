"""`signed import`: read a signing-results file, mark those contracts signed in ONE transaction,
and write the list of paper contracts to liquidate (and the rejected rows) owner-only.

Re-importing a file with the same sha256 changes nothing: the earlier import is reported.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from cmis_migrate.errors import InputFileError
from cmis_migrate.reports.private_files import write_private_text
from cmis_migrate.safe_cells import cell_value
from cmis_migrate.signed import (
    REJECTED_COLUMNS,
    SIGNED_COLUMNS,
    Decision,
    check_columns,
    decide,
    parse_rows,
)
from cmis_migrate.store import signed_imports as store
from cmis_migrate.tabular_files import read_table

LIQUIDATION_COLUMNS = ("customer_code", "branch", "paper_contract_no", "contract_no", "signed_at")


@dataclass
class SignedImport:
    import_id: str
    file: str
    checksum: str
    imported_at: datetime
    applied: pd.DataFrame = field(default_factory=pd.DataFrame)
    unchanged: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    liquidation_file: Path | None = None
    rejected_file: Path | None = None
    # set when this very file was imported before: nothing was changed this time
    earlier: dict | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def liquidation_path(reports_dir: Path, import_id: str) -> Path:
    return Path(reports_dir) / f"liquidation-{import_id}.csv"


def rejected_path(reports_dir: Path, import_id: str) -> Path:
    return Path(reports_dir) / f"signed-rejected-{import_id}.csv"


def import_signed_file(
    engine: Engine, path: Path, *, tz: ZoneInfo, now: datetime, reports_dir: Path
) -> SignedImport:
    """Apply a signing-results file. Raises InputFileError when the file itself is unusable
    (unreadable, missing column); bad rows are rejected one by one, the rest applied."""
    path = Path(path)
    name = str(path)
    table = read_table(path, expected=SIGNED_COLUMNS)
    check_columns(table, name)
    try:
        checksum = sha256_of(path)
    except OSError as exc:
        raise InputFileError(name, f"cannot read ({exc.strerror})") from None
    now = now.astimezone(UTC)  # the store keeps UTC (SQLite drops offsets)
    import_id = f"signed-{now:%Y%m%dT%H%M%S}Z-{checksum[:8]}"
    parsed = parse_rows(table, name, tz, now)
    codes = sorted(set(parsed.valid["customer_code"]))
    written: list[Path] = []
    try:
        with engine.begin() as conn:
            earlier = store.earlier_import(conn, checksum)
            if earlier is not None:
                return _already(earlier, name, checksum, now, reports_dir)
            decision = decide(
                parsed,
                name,
                tz,
                known_customers=store.known_customers(conn, codes),
                drafts=store.drafts_of(conn, codes),
                signed_before=store.signed_before(conn, codes),
            )
            result = SignedImport(
                import_id=import_id,
                file=name,
                checksum=checksum,
                imported_at=now,
                applied=decision.apply,
                unchanged=decision.unchanged,
                rejected=decision.rejected,
            )
            # files first (inside the transaction): if writing them fails, nothing is recorded
            result.liquidation_file = write_private_text(
                liquidation_path(reports_dir, import_id), liquidation_csv(decision.apply, tz)
            )
            written.append(result.liquidation_file)
            if not decision.rejected.empty:
                result.rejected_file = write_private_text(
                    rejected_path(reports_dir, import_id), rejected_csv(decision.rejected)
                )
                written.append(result.rejected_file)
            store.write_signed(conn, _audit_row(result, path, decision), decision.apply)
    except BaseException:
        for f in written:
            with contextlib.suppress(OSError):
                f.unlink()
        raise
    return result


def _audit_row(result: SignedImport, path: Path, decision: Decision) -> dict:
    branches = set(decision.apply["branch"].dropna())
    return {
        "import_id": result.import_id,
        "file_name": str(path.resolve()),
        "checksum": result.checksum,
        "branch": branches.pop() if len(branches) == 1 else None,
        "imported_at": result.imported_at,
        "applied": len(decision.apply),
        "rejected": len(decision.rejected),
        "note": f"{len(decision.unchanged)} already signed at the same time (unchanged)",
    }


def _already(earlier: dict, name: str, checksum: str, now: datetime, reports: Path) -> SignedImport:
    liquidation = liquidation_path(reports, earlier["import_id"])
    return SignedImport(
        import_id=earlier["import_id"],
        file=name,
        checksum=checksum,
        imported_at=now,
        liquidation_file=liquidation if liquidation.exists() else None,
        earlier=earlier,
    )


def _csv(frame: pd.DataFrame, columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # a CR in a value is then quoted
    writer.writerow(columns)
    for rec in frame[list(columns)].itertuples(index=False, name=None):
        writer.writerow(
            [
                "" if v is None or (not isinstance(v, str) and pd.isna(v)) else cell_value(v)
                for v in rec
            ]
        )
    # a BOM so that Excel opens the Vietnamese letters of paper contract numbers as UTF-8
    return "\ufeff" + buf.getvalue()


def liquidation_csv(apply: pd.DataFrame, tz: ZoneInfo) -> str:
    """customer_code, branch, paper_contract_no, contract_no, signed_at (local, ISO minutes)."""
    frame = apply.sort_values(["branch", "customer_code"], ignore_index=True).copy()
    frame["signed_at"] = [
        pd.Timestamp(t).tz_convert(tz).strftime("%Y-%m-%dT%H:%M") for t in frame["signed_at"]
    ]
    return _csv(frame, LIQUIDATION_COLUMNS)


def rejected_csv(rejected: pd.DataFrame) -> str:
    return _csv(rejected, REJECTED_COLUMNS)
