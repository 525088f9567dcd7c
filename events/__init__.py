"""Events: Prefect's event store (ingest, filter, count, retention)."""
