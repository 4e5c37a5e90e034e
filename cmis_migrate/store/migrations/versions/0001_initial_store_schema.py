"""initial store schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 21:26:22.296745
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "batches",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("branch", sa.String(length=6), nullable=False),
        sa.Column("standardized", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ledgers", sa.Integer(), nullable=False),
        sa.Column("ledgers_done", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("ready", sa.Integer(), nullable=False),
        sa.Column("needs_review", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.Column("drafted", sa.Integer(), nullable=False),
        sa.Column("deferred", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("cmis_seconds", sa.Float(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("deferred_reason", sa.Text(), nullable=True),
        sa.Column("next_open_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_type", sa.String(length=80), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=40), nullable=True),
        sa.Column("task_run_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "station"),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index("ix_batches_station", ["station"], unique=False)

    op.create_table(
        "confirmations",
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("branch", sa.String(length=6), nullable=False),
        sa.Column("import_id", sa.String(length=40), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_code", "rule"),
    )
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("branch", sa.String(length=6), nullable=False),
        sa.Column("import_id", sa.String(length=40), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index("ix_corrections_customer", ["customer_code"], unique=False)

    op.create_table(
        "customer_issues",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_issues", schema=None) as batch_op:
        batch_op.create_index("ix_issues_customer", ["customer_code"], unique=False)
        batch_op.create_index("ix_issues_station", ["station"], unique=False)

    op.create_table(
        "customers",
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("branch", sa.String(length=6), nullable=False),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("ledger", sa.String(length=20), nullable=False),
        sa.Column("reading_day", sa.Integer(), nullable=True),
        sa.Column("metering_point", sa.String(length=24), nullable=True),
        sa.Column("meter_no", sa.Text(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("contract_no_original", sa.Text(), nullable=True),
        sa.Column("contract_date_original", sa.Text(), nullable=True),
        sa.Column("birth_date_original", sa.Text(), nullable=True),
        sa.Column("pending_change", sa.String(length=20), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("otp_ready", sa.Boolean(), nullable=False),
        sa.Column("phone_type", sa.String(length=10), nullable=True),
        sa.Column("phone_secondary", sa.Text(), nullable=True),
        sa.Column("id_type", sa.String(length=8), nullable=True),
        sa.Column("address_ward", sa.Text(), nullable=True),
        sa.Column("address_province", sa.Text(), nullable=True),
        sa.Column("supply_address_ward", sa.Text(), nullable=True),
        sa.Column("full_name_original", sa.Text(), nullable=True),
        sa.Column("full_name_proposed", sa.Text(), nullable=True),
        sa.Column("full_name_status", sa.String(length=10), nullable=True),
        sa.Column("full_name_rules", sa.Text(), nullable=True),
        sa.Column("address_original", sa.Text(), nullable=True),
        sa.Column("address_proposed", sa.Text(), nullable=True),
        sa.Column("address_status", sa.String(length=10), nullable=True),
        sa.Column("address_rules", sa.Text(), nullable=True),
        sa.Column("phone_original", sa.Text(), nullable=True),
        sa.Column("phone_proposed", sa.Text(), nullable=True),
        sa.Column("phone_status", sa.String(length=10), nullable=True),
        sa.Column("phone_rules", sa.Text(), nullable=True),
        sa.Column("email_original", sa.Text(), nullable=True),
        sa.Column("email_proposed", sa.Text(), nullable=True),
        sa.Column("email_status", sa.String(length=10), nullable=True),
        sa.Column("email_rules", sa.Text(), nullable=True),
        sa.Column("id_number_original", sa.Text(), nullable=True),
        sa.Column("id_number_proposed", sa.Text(), nullable=True),
        sa.Column("id_number_status", sa.String(length=10), nullable=True),
        sa.Column("id_number_rules", sa.Text(), nullable=True),
        sa.Column("id_issue_date_original", sa.Text(), nullable=True),
        sa.Column("id_issue_date_proposed", sa.Text(), nullable=True),
        sa.Column("id_issue_date_status", sa.String(length=10), nullable=True),
        sa.Column("id_issue_date_rules", sa.Text(), nullable=True),
        sa.Column("id_issue_place_original", sa.Text(), nullable=True),
        sa.Column("id_issue_place_proposed", sa.Text(), nullable=True),
        sa.Column("id_issue_place_status", sa.String(length=10), nullable=True),
        sa.Column("id_issue_place_rules", sa.Text(), nullable=True),
        sa.Column("supply_address_original", sa.Text(), nullable=True),
        sa.Column("supply_address_proposed", sa.Text(), nullable=True),
        sa.Column("supply_address_status", sa.String(length=10), nullable=True),
        sa.Column("supply_address_rules", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_code"),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_branch_outcome", ["branch", "outcome"], unique=False)
        batch_op.create_index("ix_customers_station", ["station"], unique=False)

    op.create_table(
        "drafts",
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("contract_no", sa.String(length=40), nullable=False),
        sa.Column("branch", sa.String(length=6), nullable=False),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("ledger", sa.String(length=20), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=False),
        sa.Column("id_type", sa.String(length=8), nullable=False),
        sa.Column("id_issue_date", sa.String(length=10), nullable=True),
        sa.Column("id_issue_place", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("supply_address", sa.Text(), nullable=False),
        sa.Column("metering_point", sa.String(length=24), nullable=False),
        sa.Column("meter_no", sa.Text(), nullable=True),
        sa.Column("reading_day", sa.Integer(), nullable=False),
        sa.Column("otp_phone", sa.String(length=16), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("paper_contract_no", sa.Text(), nullable=True),
        sa.Column("draft_hash", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_code"),
        sa.UniqueConstraint("contract_no"),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index("ix_drafts_branch", ["branch"], unique=False)
        batch_op.create_index("ix_drafts_station", ["station"], unique=False)

    op.create_table(
        "holder_index",
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("otp_phone", sa.String(length=16), nullable=True),
        sa.Column("id_number", sa.String(length=12), nullable=True),
        sa.Column("holder_key", sa.Text(), nullable=True),
        sa.Column("person_key", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("customer_code"),
    )
    with op.batch_alter_table("holder_index", schema=None) as batch_op:
        batch_op.create_index("ix_holder_id", ["id_number"], unique=False)
        batch_op.create_index("ix_holder_person", ["person_key"], unique=False)
        batch_op.create_index("ix_holder_phone", ["otp_phone"], unique=False)

    op.create_table(
        "imports",
        sa.Column("import_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("branch", sa.String(length=6), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("import_id"),
    )
    op.create_table(
        "ledger_slots",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=True),
        sa.Column("ledger", sa.String(length=20), nullable=True),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("slot"),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flow_run_id", sa.String(length=40), nullable=True),
        sa.Column("stations_planned", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "signed_contracts",
        sa.Column("customer_code", sa.String(length=20), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contract_no", sa.String(length=40), nullable=True),
        sa.Column("paper_contract_no", sa.Text(), nullable=True),
        sa.Column("import_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("customer_code"),
    )
    op.create_table(
        "validation_results",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "station"),
    )


def downgrade() -> None:

    op.drop_table("validation_results")
    op.drop_table("signed_contracts")
    op.drop_table("runs")
    op.drop_table("ledger_slots")
    op.drop_table("imports")
    with op.batch_alter_table("holder_index", schema=None) as batch_op:
        batch_op.drop_index("ix_holder_phone")
        batch_op.drop_index("ix_holder_person")
        batch_op.drop_index("ix_holder_id")

    op.drop_table("holder_index")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_drafts_station")
        batch_op.drop_index("ix_drafts_branch")

    op.drop_table("drafts")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_station")
        batch_op.drop_index("ix_customers_branch_outcome")

    op.drop_table("customers")
    with op.batch_alter_table("customer_issues", schema=None) as batch_op:
        batch_op.drop_index("ix_issues_station")
        batch_op.drop_index("ix_issues_customer")

    op.drop_table("customer_issues")
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_corrections_customer")

    op.drop_table("corrections")
    op.drop_table("confirmations")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index("ix_batches_station")

    op.drop_table("batches")
