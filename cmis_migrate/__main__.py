"""python -m cmis_migrate == the cmis-migrate command."""

from cmis_migrate.cli.app import main

main()
