"""What the pure core of a station batch needs from the store (cmis_migrate.evaluate), read in
two calls: the batch's own facts before normalizing, the other holders of its keys after; and,
once evaluated, the customers elsewhere whose cross-station counts the batch changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from cmis_migrate.evaluate import HolderFacts, Policy, StoreFacts
from cmis_migrate.fingerprint import pipeline_fingerprint
from cmis_migrate.holder_moves import COUNTED, touched_holders
from cmis_migrate.store import lookups


def gather_facts(store: Engine, raw: pd.DataFrame, policy: Policy, today: date) -> StoreFacts:
    """Corrections, confirmations and the stored state of the raw rows' customers."""
    codes = raw["customer_code"].tolist()
    stored = lookups.stored_state(store, codes).drop_duplicates("customer_code")
    stored = stored.set_index("customer_code").reindex(raw["customer_code"]).set_axis(raw.index)
    return StoreFacts(
        corrections=lookups.latest_corrections(store, codes),
        confirmations=lookups.confirmations_for(store, codes),
        stored=stored,
        fingerprint=pipeline_fingerprint(policy.rules, policy.staff_phones, today),
    )


def gather_holders(store: Engine, keys: pd.DataFrame, codes: Iterable[str]) -> HolderFacts:
    """Other customers (not `codes`) sharing a phone, ID number or person key with `keys`."""
    codes = list(codes)
    return HolderFacts(
        phones=lookups.other_holders(store, "otp_phone", keys["phone_normalized"], codes),
        ids=lookups.other_holders(store, "id_number", keys["id_number_normalized"], codes),
        persons=lookups.other_holders(store, "person_key", keys["person_key"], codes),
    )


def gather_touched(
    store: Engine, moved: pd.DataFrame, holders: HolderFacts, codes: Iterable[str]
) -> dict[str, list[str]]:
    """station -> other customers (not `codes`) sharing a key value it moved
    (holder_moves.moved_keys). The holders of the new values were read before evaluating
    (`holders`); those of the old values are read here (customers whose keys changed: few)."""
    if moved.empty:
        return {}
    codes = list(codes)
    others = {"otp_phone": holders.phones, "id_number": holders.ids, "person_key": holders.persons}
    old = moved[moved["old"].astype(bool)]
    for column in COUNTED:
        values = old.loc[old["column"] == column, "value"]
        if len(values):
            found = lookups.other_holders(store, column, values, codes)
            others[column] = pd.concat([others[column], found], ignore_index=True)
    return touched_holders(moved, others)
