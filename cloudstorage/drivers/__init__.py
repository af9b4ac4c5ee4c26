"""The drivers, one module per service; import them through `cloudstorage.get_driver`."""
