"""Writing the event tables: daily partitions (PostgreSQL) and idempotent inserts."""
