"""Everything with I/O: config, sources, ingest, store, CLI."""
