"""Reference data shipped with cmis-migrate (see data/README.md for sources)."""
