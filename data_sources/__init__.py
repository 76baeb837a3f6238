"""riskon's data layer: series catalog, source adapters, embedded snapshot and the cached pandas store."""
