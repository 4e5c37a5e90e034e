"""The drafts CSV written after each run: streamed from the store in pieces, byte for byte the
file the whole-frame export writes (`drafts export`), and left as it is when the drafts did not
change since it was written. SQLite; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, delete, insert

from cmis_migrate.reports import drafts_export
from cmis_migrate.reports.drafts_export import EXPORT_COLUMNS, export_drafts, export_drafts_csv
from cmis_migrate.reports.publish import publish_drafts
from cmis_migrate.safe_cells import neutralize
from cmis_migrate.store.queries import drafts_frame, drafts_rows
from cmis_migrate.store.tables import drafts
from cmis_migrate.store.units import save_units

NIGHT = datetime(2026, 3, 10, 16, 0, 0, 123456, tzinfo=UTC)
TEXTS = [
    '=HYPERLINK("http://evil","x")',
    "+84912345678",
    "-5",
    "@SUM(A1)",
    "\tTab",
    "dòng 1\r\ndòng 2",
    'có "ngoặc" và, dấu phẩy',
    "Nguyễn Thị Ánh",
    "'=already quoted",
    "",
]


def draft(i: int, run_id: str, at: datetime) -> dict:
    """A draft with hostile text in every text column, some of them empty (NULL)."""
    branch = "PA0701" if i % 3 else "PA0702"
    code = f"{branch}{i:07d}"
    row = {}
    for c in drafts.columns:
        if isinstance(c.type, Integer):
            row[c.name] = 1 + i % 5
        elif c.nullable and i % 4 == 0:
            row[c.name] = None
        else:  # cut to the column's size (PostgreSQL enforces it)
            row[c.name] = TEXTS[(i + len(c.name)) % len(TEXTS)][: getattr(c.type, "length", None)]
    row.update(
        customer_code=code,
        contract_no=f"DT-{code}",
        branch=branch,
        station=f"{branch}T0001",
        id_issue_date=None if i % 4 == 0 else "2021-04-12",
        draft_hash=f"{i:032d}",
        run_id=run_id,
        drafted_at=at,
        first_drafted_at=at - timedelta(days=i % 2),
    )
    return row


@pytest.fixture
def store(store):
    with store.begin() as conn:
        conn.execute(insert(drafts), [draft(i, "run-1", NIGHT) for i in range(23)])
    save_units(store, {"PA0701": "Điện lực Thành phố Thanh Hóa"}, now=NIGHT)  # PA0702: none
    return store


def whole_frame_csv(engine, path) -> bytes:
    """The reference: the CSV of all drafts as one frame, as before the export was streamed."""
    return export_drafts(drafts_frame(engine), path).read_bytes()


def test_the_streamed_csv_is_the_whole_frame_export_byte_for_byte(store, tmp_path) -> None:
    streamed = export_drafts_csv(
        drafts_rows(store, EXPORT_COLUMNS, rows=5), tmp_path / "s.csv"
    ).read_bytes()
    assert streamed == whole_frame_csv(store, tmp_path / "whole.csv")
    rows = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(EXPORT_COLUMNS) and len(rows) == 24
    stored = drafts_frame(store).set_index("customer_code")
    assert [r[0] for r in rows[1:]] == sorted(stored.index)
    texts = 0
    for row in rows[1:]:  # every text as stored, neutralized once; a missing one empty
        for name, cell in zip(EXPORT_COLUMNS[1:], row[1:], strict=True):
            value = stored.loc[row[0], name]
            if isinstance(value, str):
                assert cell == neutralize(value), (row[0], name)
                texts += value != cell
            elif value is None:
                assert cell == "", (row[0], name)
    assert texts > 20  # formulas, a leading tab, '+84...' all came out with an apostrophe
    assert {r[rows[0].index("seller_unit")] for r in rows[1:]} == {
        "Điện lực Thành phố Thanh Hóa",
        "",
    }
    with store.begin() as conn:
        conn.execute(delete(drafts))
    empty = export_drafts_csv(
        drafts_rows(store, EXPORT_COLUMNS, rows=5), tmp_path / "e.csv"
    ).read_bytes()
    assert empty == whole_frame_csv(store, tmp_path / "whole-empty.csv")


def identity(path) -> tuple[int, int]:
    return path.stat().st_ino, path.stat().st_mtime_ns


def test_the_csv_is_written_again_only_when_the_drafts_changed(store, tmp_path) -> None:
    out = tmp_path / "drafts" / "drafts.csv"

    def published() -> bool:
        written = publish_drafts(store, out) == [out]
        assert out.read_bytes() == whole_frame_csv(store, tmp_path / "reference.csv")
        return written

    assert published()
    seen = identity(out)
    assert not published() and identity(out) == seen  # nothing changed: not even touched

    with store.begin() as conn:  # a later run redrafts a customer
        conn.execute(delete(drafts).where(drafts.c.customer_code == "PA07010000001"))
        conn.execute(insert(drafts), [draft(1, "run-2", NIGHT + timedelta(days=1))])
    assert published()
    assert not published()

    with store.begin() as conn:  # a customer blocked: its draft goes
        conn.execute(delete(drafts).where(drafts.c.customer_code == "PA07010000002"))
    assert published()

    # a run started with --at in the past swaps one draft for another: same count, no later
    # drafted_at than before
    with store.begin() as conn:
        conn.execute(delete(drafts).where(drafts.c.customer_code == "PA07010000004"))
        conn.execute(insert(drafts), [draft(40, "run-0", NIGHT - timedelta(days=30))])
    assert published()

    save_units(store, {"PA0702": "Điện lực Sầm Sơn"}, now=NIGHT)  # the seller column
    assert published()
    assert not published()

    out.write_bytes(out.read_bytes()[:-10])  # cut short or edited by hand
    assert published()
    out.unlink()
    assert published()


def test_a_csv_written_but_not_stamped_is_written_again(store, tmp_path, monkeypatch) -> None:
    out = tmp_path / "drafts.csv"
    assert publish_drafts(store, out) == [out]
    with store.begin() as conn:
        conn.execute(delete(drafts).where(drafts.c.customer_code == "PA07010000001"))

    def killed(path, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(drafts_export, "write_stamp", killed)
    with pytest.raises(KeyboardInterrupt):
        publish_drafts(store, out)
    monkeypatch.undo()
    assert not drafts_export.stamp_path(out).exists()  # forgotten before the CSV was replaced
    assert publish_drafts(store, out) == [out]
    assert publish_drafts(store, out) == []


def test_only_the_drafts_that_changed_are_read_again(store, tmp_path, monkeypatch) -> None:
    from cmis_migrate.reports import drafts_lines, publish

    out = tmp_path / "drafts" / "drafts.csv"
    read: list = []
    real = publish.drafts_rows

    def spy(engine, columns, **kw):
        read.append(kw.get("codes"))
        return real(engine, columns, **kw)

    monkeypatch.setattr(publish, "drafts_rows", spy)
    assert publish_drafts(store, out) == [out]
    assert read == [None]  # nothing kept yet: every draft
    kept = drafts_export.kept_lines_path(out)
    assert kept.stat().st_mode & 0o777 == 0o600

    read.clear()
    with store.begin() as conn:  # one redrafted, one gone, one new; PA0702 gets its name
        conn.execute(
            delete(drafts).where(drafts.c.customer_code.in_(["PA07010000001", "PA07010000002"]))
        )
        conn.execute(
            insert(drafts),
            [draft(1, "run-2", NIGHT + timedelta(days=1)), draft(31, "run-2", NIGHT)],
        )
    save_units(store, {"PA0702": "Điện lực Sầm Sơn"}, now=NIGHT)
    assert publish_drafts(store, out) == [out]
    seller_changed = [f"PA0702{i:07d}" for i in range(0, 23, 3)]
    assert [sorted(c) for c in read] == [
        sorted(["PA07010000001", "PA07010000031", *seller_changed])
    ]
    assert out.read_bytes() == whole_frame_csv(store, tmp_path / "reference.csv")

    # lines kept by other code are not used
    read.clear()
    monkeypatch.setattr(drafts_lines, "csv_code_key", lambda: "another version")
    with store.begin() as conn:
        conn.execute(delete(drafts).where(drafts.c.customer_code == "PA07010000005"))
    assert publish_drafts(store, out) == [out]
    assert read == [None]
    assert out.read_bytes() == whole_frame_csv(store, tmp_path / "reference.csv")
    monkeypatch.undo()

    kept.write_bytes(b"ARROW1 not really")  # unreadable: written whole, never an error
    monkeypatch.setattr(publish, "drafts_rows", spy)
    read.clear()
    with store.begin() as conn:
        conn.execute(delete(drafts).where(drafts.c.customer_code == "PA07010000007"))
    assert publish_drafts(store, out) == [out]
    assert read == [None]
    assert out.read_bytes() == whole_frame_csv(store, tmp_path / "reference.csv")
