"""The ``cloudstorage`` command line; see `cloudstorage.cli.main`."""
