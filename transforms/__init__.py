"""Pure, vectorized field normalization (see docs/ARCHITECTURE.md, "transforms/ contract")."""

from cmis_migrate.transforms.customer import FIELDS, normalize_customers, output_columns

__all__ = ["FIELDS", "normalize_customers", "output_columns"]
