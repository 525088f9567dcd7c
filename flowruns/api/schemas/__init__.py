"""Pydantic models of request bodies (Prefect's `schemas.actions`), validated at the edge."""
