"""Output serializers: models → Prefect's JSON shapes, every key present, in Prefect's order.

They subclass DRF's `BaseSerializer` and build dicts directly: a page of 200 flow runs with
40 fields each is on the hot path, and DRF's per-field machinery would dominate it.
"""

from .flow_runs import FlowRunSerializer
from .flows import FlowSerializer
from .inputs import FlowRunInputSerializer
from .states import StateSerializer
from .task_runs import TaskRunSerializer

__all__ = [
    "FlowRunInputSerializer",
    "FlowRunSerializer",
    "FlowSerializer",
    "StateSerializer",
    "TaskRunSerializer",
]
