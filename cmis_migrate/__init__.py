"""cmis-migrate: paper-era CMIS customer records -> reviewed fields -> draft e-contracts."""

__version__ = "0.1.0"
