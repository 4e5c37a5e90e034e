"""How a station batch counts the ledgers it read in part (load.incremental): the customers it
did not read are counted as the ledger's last read counted them, less what the customers read
tonight counted then (cmis_migrate.part_reads). Pure, no database."""

from __future__ import annotations

from collections import Counter
from datetime import date

from cmis_migrate.model import KeptLedger, Ledger, LedgerDone, PartRead
from cmis_migrate.part_reads import outcome_counts, unread_of_parts

DAY = date(2026, 3, 12)


def part_done(ledger: str, codes: tuple[str, ...], last: KeptLedger) -> LedgerDone:
    lg = Ledger(ledger, "PA0701T0001", "PA0701", 5, last.customers)
    return LedgerDone(lg, DAY, 0, PartRead(ledger, codes, last, DAY))


def test_the_unread_customers_of_each_part_read_ledger_are_counted_as_its_last_read() -> None:
    done = [
        part_done("A", ("a1", "a2"), KeptLedger("A", 10, ready=6, needs_review=1, blocked=3)),
        part_done("B", ("b1",), KeptLedger("B", 5, ready=4, needs_review=0, blocked=1)),
        LedgerDone(Ledger("C", "PA0701T0001", "PA0701", 5, 7), DAY),  # read whole
    ]
    before = {"a1": "ready", "a2": "blocked", "b1": "ready"}
    unread = unread_of_parts(done, before)
    assert unread == Counter(
        {
            ("A", "ready"): 5,
            ("A", "needs_review"): 1,
            ("A", "blocked"): 2,
            ("B", "ready"): 3,
            ("B", "blocked"): 1,
        }
    )
    read = [{"outcome": "needs_review"}, {"outcome": "blocked"}, {"outcome": "ready"}]
    kept = [KeptLedger("D", 4, ready=1, needs_review=1, blocked=2)]
    counts = outcome_counts(read, kept, unread)
    # both ledgers' unread customers, not the last ledger's alone
    assert counts == Counter(ready=1 + 1 + 5 + 3, needs_review=1 + 1 + 1, blocked=1 + 2 + 2 + 1)
    assert sum(counts.values()) == len(read) + 4 + (10 - 2) + (5 - 1)


def test_a_count_never_goes_below_zero() -> None:
    done = [part_done("A", ("a1", "a2"), KeptLedger("A", 1, ready=1))]
    assert unread_of_parts(done, {"a1": "ready", "a2": "ready"}) == Counter()
