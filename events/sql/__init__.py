"""The EventFilter compiled to SQL (Django Q objects over `events` and `event_resources`)."""

from .filters import event_filter_q

__all__ = ["event_filter_q"]
