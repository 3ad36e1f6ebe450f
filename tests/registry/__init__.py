"""Species registry: lookup semantics, importers for every export format, the real exports, the CLI."""
