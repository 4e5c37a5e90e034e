"""The migration store's schema (SQLAlchemy Core). Alembic migrations in ./migrations create it.

One row per customer holds, for every reviewed field, the original value beside the proposal,
its status and the rule codes that changed it, and when: source data is never overwritten.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy import DateTime as _DateTime

from cmis_migrate.contracts.draft import EXTRA_FIELDS
from cmis_migrate.fields import REVIEWED_FIELDS


class UTCDateTime(TypeDecorator):
    """Moments stored in UTC on every backend. SQLite drops offsets (it would keep the local
    wall-clock time of an aware +07:00 value), so values are converted on the way in and come
    back tz-aware in UTC. A naive datetime is refused: it has no place in the store."""

    impl = _DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store (attach a timezone)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def DateTime(timezone: bool = True) -> UTCDateTime:  # noqa: N802 - reads like the SQLAlchemy type
    return UTCDateTime()


metadata = MetaData()

# the fields a branch reviews, in report order; supply_address is reviewed but not editable here
STORED_FIELDS = (*REVIEWED_FIELDS, "supply_address")
# the stages of a station batch, timed into batches.<stage>_seconds
STAGES = ("extract", "normalize", "validate", "gx", "draft", "write")


def field_columns(field: str) -> list[Column]:
    """A reviewed field's columns in `customers` (also what its migration adds)."""
    return [
        Column(f"{field}_original", Text),
        Column(f"{field}_proposed", Text),
        Column(f"{field}_status", String(10)),
        Column(f"{field}_rules", Text),  # issue/rule codes, ';'-joined
    ]


def _field_columns() -> list[Column]:
    return [c for f in STORED_FIELDS for c in field_columns(f)]


runs = Table(
    "runs",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),  # run | rerun | demo | schedule
    Column("state", String(12), nullable=False),  # running | succeeded | failed | abandoned
    Column("as_of", DateTime(timezone=True), nullable=False),  # the --at (or real) start time
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("flow_run_id", String(40)),
    Column("stations_planned", Integer, nullable=False, default=0),
    Column("error", Text),
    # the process running it (migration 0005): a crashed run on this host is seen dead at once
    Column("host", String(255)),
    Column("pid", Integer),
    Column("process_start", String(80)),  # tells a reused pid from the run's own process
)

batches = Table(
    "batches",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("station", String(20), primary_key=True),
    Column("branch", String(6), nullable=False),
    Column("standardized", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),  # order in the plan
    Column("state", String(12), nullable=False),  # pending|running|succeeded|failed|deferred
    Column("attempts", Integer, nullable=False, default=0),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),
    Column("ledgers", Integer, nullable=False, default=0),
    Column("ledgers_done", Integer, nullable=False, default=0),
    # ledgers not read: unchanged since their last committed read (load.incremental; 0007)
    Column("ledgers_unchanged", Integer, nullable=False, default=0),
    Column("customers", Integer, nullable=False, default=0),
    Column("ready", Integer, nullable=False, default=0),
    Column("needs_review", Integer, nullable=False, default=0),
    Column("blocked", Integer, nullable=False, default=0),
    Column("drafted", Integer, nullable=False, default=0),
    Column("deferred", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("queries", Integer, nullable=False, default=0),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("cmis_seconds", Float, nullable=False, default=0.0),
    Column("seconds", Float, nullable=False, default=0.0),
    # where the batch's time went (migration 0002); stages shared by the stations of one task
    # (normalize, validate, gx, draft) are apportioned by their customers
    *(Column(f"{s}_seconds", Float, nullable=False, default=0.0) for s in STAGES),
    Column("deferred_reason", Text),
    Column("next_open_at", DateTime(timezone=True)),
    Column("error_type", String(80)),
    Column("error_message", Text),
    Column("flow_run_id", String(40)),
    Column("task_run_id", String(40)),
    Index("ix_batches_station", "station"),
)

customers = Table(
    "customers",
    metadata,
    Column("customer_code", String(20), primary_key=True),
    Column("branch", String(6), nullable=False),
    Column("station", String(20), nullable=False),
    Column("ledger", String(20), nullable=False),
    Column("reading_day", Integer),
    Column("metering_point", String(24)),
    Column("meter_no", Text),
    Column("households", Integer),
    Column("contract_no_original", Text),
    Column("pending_change", String(20)),
    Column("content_hash", String(32), nullable=False),
    # the cross-station counts its rules saw, "<phone holders>/<ID customers>/<same persons>"
    Column("context_counts", String(40)),
    Column("outcome", String(12), nullable=False),  # ready | needs_review | blocked
    Column("otp_ready", Boolean, nullable=False, default=False),
    Column("phone_type", String(10)),
    Column("phone_secondary", Text),
    Column("id_type", String(8)),
    Column("address_ward", Text),
    Column("address_province", Text),
    Column("supply_address_ward", Text),
    *_field_columns(),
    Column("run_id", String(40), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_customers_station", "station"),
    Index("ix_customers_branch_outcome", "branch", "outcome"),
)

customer_issues = Table(
    "customer_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_code", String(20), nullable=False),
    Column("station", String(20), nullable=False),
    Column("field", String(20), nullable=False),  # a REVIEWED_FIELDS name, or "customer"
    Column("rule", String(40), nullable=False),
    Column("severity", String(10), nullable=False),  # blocking | warning
    Column("message", Text, nullable=False),
    Column("run_id", String(40), nullable=False),
    Index("ix_issues_customer", "customer_code"),
    Index("ix_issues_station", "station"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("customer_code", String(20), primary_key=True),
    Column("contract_no", String(40), nullable=False, unique=True),
    Column("branch", String(6), nullable=False),
    Column("station", String(20), nullable=False),
    Column("ledger", String(20), nullable=False),
    Column("holder_name", Text, nullable=False),
    Column("households", Integer, nullable=False),
    Column("id_number", String(12), nullable=False),
    Column("id_type", String(8), nullable=False),
    Column("id_issue_date", String(10)),
    Column("id_issue_place", Text),
    Column("address", Text, nullable=False),
    Column("supply_address", Text, nullable=False),
    Column("metering_point", String(24), nullable=False),
    Column("meter_no", Text),
    Column("reading_day", Integer, nullable=False),
    Column("otp_phone", String(16), nullable=False),
    Column("email", Text),
    Column("paper_contract_no", Text),
    # a reviewed field declared with a contract column of its own (cmis_migrate/fields.py)
    *(Column(s.contract_column, Text) for s in EXTRA_FIELDS),
    Column("draft_hash", String(32), nullable=False),
    Column("run_id", String(40), nullable=False),
    Column("drafted_at", DateTime(timezone=True), nullable=False),
    # when this customer was first drafted (kept across redos): progress counts by this
    Column("first_drafted_at", DateTime(timezone=True), nullable=False),
    Index("ix_drafts_station", "station"),
    Index("ix_drafts_branch", "branch"),
)

# cross-station facts the validators need: who uses which phone, which ID
holder_index = Table(
    "holder_index",
    metadata,
    Column("customer_code", String(20), primary_key=True),
    Column("station", String(20), nullable=False),
    Column("otp_phone", String(16)),
    Column("id_number", String(12)),
    Column("holder_key", Text),  # folded name + ID number: one contract holder
    Column("person_key", Text),  # folded name + birth date: the same person
    Index("ix_holder_phone", "otp_phone"),
    Index("ix_holder_id", "id_number"),
    Index("ix_holder_person", "person_key"),
)

# a counting semaphore in the store: holds across threads, processes and Dask workers;
# a slot whose lease ran out (its holder died) is free again
ledger_slots = Table(
    "ledger_slots",
    metadata,
    Column("slot", Integer, primary_key=True, autoincrement=False),
    Column("holder", String(80)),
    Column("ledger", String(20)),
    Column("acquired_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),
)

# files that came back (corrections, signing results, plans): the audit trail
imports = Table(
    "imports",
    metadata,
    Column("import_id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),  # corrections | signed
    Column("file_name", Text, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("branch", String(6)),
    Column("run_id", String(40)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("applied", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("note", Text),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_code", String(20), nullable=False),
    Column("field", String(20), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("branch", String(6), nullable=False),
    Column("import_id", String(40), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Index("ix_corrections_customer", "customer_code"),
)

# a branch's "confirmed = yes" on a warning (or a recorded consent) lets a customer through
confirmations = Table(
    "confirmations",
    metadata,
    Column("customer_code", String(20), primary_key=True),
    Column("rule", String(40), primary_key=True),
    Column("value", Text),  # what was confirmed (e.g. the phone), so a new value needs a new "yes"
    Column("branch", String(6), nullable=False),
    Column("import_id", String(40), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=False),
)

validation_results = Table(
    "validation_results",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("station", String(20), primary_key=True),
    Column("success", Boolean, nullable=False),
    Column("evaluated", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("result", JSON),  # GX summary: per expectation success and unexpected counts
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# CMIS managing units (D_DVIQLY) as last read by a run: the seller's name on a draft contract
units = Table(
    "units",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("name", Text, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False),
)

signed_contracts = Table(
    "signed_contracts",
    metadata,
    Column("customer_code", String(20), primary_key=True),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("contract_no", String(40)),
    Column("paper_contract_no", Text),
    Column("import_id", String(40), nullable=False),
)

# the CMIS name of each station (D_TRAM.TEN_TRAM), kept when a run plans: the review workbook
# names the station a clerk knows
station_names = Table(
    "station_names",
    metadata,
    Column("station", String(20), primary_key=True),
    Column("name", Text),
)

# a returned review workbook applied: one row per (report, file content), so two imports of the
# same file at the same moment cannot both apply (the loser hits the primary key)
returned_workbooks = Table(
    "returned_workbooks",
    metadata,
    Column("report_id", String(40), primary_key=True),
    Column("checksum", String(64), primary_key=True),
    Column("import_id", String(40), nullable=False),
)

# a branch whose review workbook could not be written (disk full...): named by the run summary
# and status, written again by the next run or rerun; the row goes when it is written
unwritten_workbooks = Table(
    "unwritten_workbooks",
    metadata,
    Column("branch", String(40), primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("run_id", String(40)),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("error", Text),
)

# each ledger's last committed read (migration 0007), written in its station's transaction:
# what load.incremental compares a night's CMIS and store against to leave a ledger unread
ledger_reads = Table(
    "ledger_reads",
    metadata,
    Column("ledger", String(20), primary_key=True),
    Column("station", String(20), nullable=False),
    Column("run_id", String(40), nullable=False),
    Column("as_of", Date, nullable=False),  # the day CMIS rows were read valid on
    # the day of its last whole read (a read in part keeps it: the sweep counts from it)
    Column("swept_on", Date),
    Column("read_at", DateTime(timezone=True), nullable=False),  # the station's read began
    # read whatever changed (incremental off, first read, sweep due, named station), or asked
    # for by a change (`reason` says which)
    Column("full_sweep", Boolean, nullable=False, default=False),
    Column("reason", String(20), nullable=False),
    Column("metering_points", Integer, nullable=False, default=0),  # HDG_DIEM_DO rows, planned
    Column("reading_day", Integer),
    Column("open_requests", Integer, nullable=False, default=0),  # its customers with one
    Column("fingerprint", String(32), nullable=False),  # evaluate's pipeline fingerprint
    # its customers as that read counted them: what an unread night reports for the ledger
    Column("customers", Integer, nullable=False, default=0),
    Column("ready", Integer, nullable=False, default=0),
    Column("needs_review", Integer, nullable=False, default=0),
    Column("blocked", Integer, nullable=False, default=0),
    Index("ix_ledger_reads_station", "station"),
)

# a ledger whose customers share a phone, ID number or person with a customer whose keys a
# later commit changed (migration 0007): its cross-station counts are stale until it is read
# again. Rows only added (no race between two committing stations); a ledger's read removes
# the marks older than the read
holder_marks = Table(
    "holder_marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ledger", String(20), nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False),
    # the customer whose counts moved (0008; NULL in older marks: the ledger is read whole)
    Column("customer_code", String(20)),
    Index("ix_holder_marks_ledger", "ledger"),
)
