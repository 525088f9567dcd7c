"""Services that write events: ingestion and retention."""
