"""factory-boy factories for every model the API stores.

Call `XFactory.create(...)` (typed: it returns the model instance). Defaults are the smallest
valid row. A flow run has no state (`state_type`/`state_name` null) unless one is given:
`FlowRunFactory.create(state_type=StateType.RUNNING)` sets the run's denormalised state fields
(the name defaults to the capitalised type), and `with_state=True` also writes the matching
`FlowRunState` row and points the run at it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from factory import declarations
from factory.django import DjangoModelFactory

from flowruns.models import (
    Deployment,
    Flow,
    FlowRun,
    FlowRunInput,
    FlowRunState,
    StateType,
    TaskRun,
    Worker,
    WorkPool,
    WorkQueue,
)
from logs_app.models import Log

# factory-boy's declarations are unannotated; typed as Any they can be used in a typed module.
Sequence: Any = declarations.Sequence
SubFactory: Any = declarations.SubFactory
LazyAttribute: Any = declarations.LazyAttribute
LazyFunction: Any = declarations.LazyFunction
PostGeneration: Any = declarations.PostGeneration


def default_state_name(state_type: StateType | str | None) -> str | None:
    """Prefect's default state name: the capitalised type (`"Running"`)."""
    return None if state_type is None else StateType(state_type).value.capitalize()


def _distinct_now(n: int) -> datetime:
    # A run's states are unique on (flow_run, timestamp): never hand out the same instant twice.
    return timezone.now() + timedelta(microseconds=n)


class FlowFactory(DjangoModelFactory[Flow]):
    class Meta:
        model = Flow

    name = Sequence(lambda n: f"flow-{n}")
    tags = LazyFunction(list)
    labels = LazyFunction(dict)


class WorkPoolFactory(DjangoModelFactory[WorkPool]):
    class Meta:
        model = WorkPool

    name = Sequence(lambda n: f"pool-{n}")
    type = "process"


class WorkQueueFactory(DjangoModelFactory[WorkQueue]):
    class Meta:
        model = WorkQueue

    name = Sequence(lambda n: f"queue-{n}")
    work_pool = SubFactory(WorkPoolFactory)


class WorkerFactory(DjangoModelFactory[Worker]):
    class Meta:
        model = Worker

    name = Sequence(lambda n: f"worker-{n}")
    work_pool = SubFactory(WorkPoolFactory)


class DeploymentFactory(DjangoModelFactory[Deployment]):
    class Meta:
        model = Deployment

    name = Sequence(lambda n: f"deployment-{n}")
    flow = SubFactory(FlowFactory)
    tags = LazyFunction(list)


def _write_current_state(run: FlowRun, create: bool, extracted: Any, **kwargs: Any) -> None:
    if not (create and extracted and run.state_type):
        return
    run.state = FlowRunState.objects.create(
        flow_run=run,
        type=run.state_type,
        name=run.state_name or default_state_name(run.state_type) or "",
        timestamp=run.state_timestamp or timezone.now(),
        state_details={"flow_run_id": str(run.id)},
    )
    run.save(update_fields=["state"])


class FlowRunFactory(DjangoModelFactory[FlowRun]):
    class Meta:
        model = FlowRun
        skip_postgeneration_save = True

    flow = SubFactory(FlowFactory)
    name = Sequence(lambda n: f"flow-run-{n}")
    tags = LazyFunction(list)
    state_type = None
    state_name = LazyAttribute(lambda run: default_state_name(run.state_type))
    state_timestamp = LazyAttribute(lambda run: None if run.state_type is None else timezone.now())
    with_state = PostGeneration(_write_current_state)


class FlowRunStateFactory(DjangoModelFactory[FlowRunState]):
    class Meta:
        model = FlowRunState

    flow_run = SubFactory(FlowRunFactory)
    type = StateType.PENDING
    name = LazyAttribute(lambda state: default_state_name(state.type))
    timestamp = Sequence(_distinct_now)
    state_details = LazyAttribute(lambda state: {"flow_run_id": str(state.flow_run.id)})


class TaskRunFactory(DjangoModelFactory[TaskRun]):
    class Meta:
        model = TaskRun

    flow_run = SubFactory(FlowRunFactory)
    task_key = Sequence(lambda n: f"task-{n}")
    dynamic_key = "0"
    name = Sequence(lambda n: f"task-run-{n}")
    tags = LazyFunction(list)
    state_type = None
    state_name = LazyAttribute(lambda run: default_state_name(run.state_type))


class FlowRunInputFactory(DjangoModelFactory[FlowRunInput]):
    class Meta:
        model = FlowRunInput

    flow_run = SubFactory(FlowRunFactory)
    key = Sequence(lambda n: f"key-{n}")
    value = '"value"'


class LogFactory(DjangoModelFactory[Log]):
    class Meta:
        model = Log

    name = "prefect.flow_runs"
    level = 20
    message = Sequence(lambda n: f"log message {n}")
    timestamp = Sequence(_distinct_now)
    flow_run_id = None
    task_run_id = None
