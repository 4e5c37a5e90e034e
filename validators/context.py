"""What the validators need to know beyond the batch itself, gathered at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field

from cmis_migrate.config import RulesConfig


@dataclass(frozen=True)
class ValidationContext:
    max_holders_per_phone: int = 3
    # the configured rules (messages quote their dates, e.g. rules.cmnd_valid_until)
    rules: RulesConfig = field(default_factory=RulesConfig)
    # E.164 phones of company staff: never an OTP phone for a customer
    staff_phones: frozenset[str] = frozenset()
    # the 2025 wards of the province ("Phường Hạc Thành", "Xã ..."); empty: not checked
    wards: frozenset[str] = frozenset()
    # phone -> number of different contract holders using it (this batch and the store)
    phone_holders: dict[str, int] = field(default_factory=dict)
    # ID number -> number of different customer codes carrying it
    id_customers: dict[str, int] = field(default_factory=dict)
    # folded name + birth date -> number of different customer codes
    person_customers: dict[str, int] = field(default_factory=dict)
    # (customer_code, rule) -> the value a branch confirmed for that rule
    confirmations: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def is_confirmed(self, customer_code: str, rule: str, value: object) -> bool:
        key = (customer_code, rule)
        if key not in self.confirmations:
            return False
        confirmed = self.confirmations[key]
        # a confirmation holds for the value that was confirmed; None confirms any value
        if confirmed is None:
            return True
        if value is None or (isinstance(value, float) and value != value):
            return False
        return confirmed == str(value)
