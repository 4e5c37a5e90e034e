"""The demo site's own files (monthly plan, staff phones), kept beside config.yaml and shipped
so that `cmis-migrate demo` can set up an empty folder (see site/README.md)."""
