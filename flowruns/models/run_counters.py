"""Exact counters of flow runs, kept by database triggers (`flowruns.counters`).

Every row holds a delta sum: the triggers add +1 for a run entering a key and -1 for one
leaving it, so a key's count is the SUM of `n` over its shards. Writers in different
connections write different shards (backend pid modulo the shard count), so concurrent
transitions do not queue on one hot row. Nothing in Python writes these tables except the
rebuild command; the unique keys (NULLS NOT DISTINCT on PostgreSQL) are created by migration
`0007_run_counters` with the triggers, not declared here.
"""

from django.db import models


class FlowRunCount(models.Model):
    """Runs per (state type, state name, flow)."""

    id = models.BigAutoField(primary_key=True)
    state_type = models.CharField(max_length=16, null=True)
    state_name = models.TextField(null=True)
    flow_id = models.UUIDField()
    shard = models.SmallIntegerField()
    n = models.BigIntegerField()

    class Meta:
        db_table = "flow_run_count"

    def __str__(self) -> str:
        return f"{self.state_type}/{self.state_name} of {self.flow_id}: {self.n}"


class FlowRunTagCount(models.Model):
    """Runs per (tag, state type, state name): a run counts once for each distinct tag."""

    id = models.BigAutoField(primary_key=True)
    tag = models.TextField()
    state_type = models.CharField(max_length=16, null=True)
    state_name = models.TextField(null=True)
    shard = models.SmallIntegerField()
    n = models.BigIntegerField()

    class Meta:
        db_table = "flow_run_tag_count"

    def __str__(self) -> str:
        return f"{self.tag} {self.state_type}/{self.state_name}: {self.n}"


class HistorySums(models.Model):
    """The sums of one history unit (a slot or an hour) per state: see `FlowRunHistorySlot`."""

    id = models.BigAutoField(primary_key=True)
    slot = models.BigIntegerField()
    state_type = models.CharField(max_length=16, null=True)
    state_name = models.TextField(null=True)
    shard = models.SmallIntegerField()
    n = models.BigIntegerField()
    run_time_us = models.BigIntegerField()
    running_n = models.BigIntegerField()
    running_base_us = models.BigIntegerField()
    irregular_n = models.BigIntegerField()
    late_us = models.BigIntegerField()
    waiting_n = models.BigIntegerField()
    waiting_base_us = models.BigIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"slot {self.slot} {self.state_type}/{self.state_name}: {self.n}"


class FlowRunHistorySlot(HistorySums):
    """Runs whose expected start time falls in one fixed slot (`slot` · SLOT_SECONDS since the
    epoch), per state, with the sums that give /history's time totals at any `now`.

    Times are integer microseconds, so sums never drift. With `t0` the slot's start:
    * `run_time_us`: Σ max(0, total_run_time) of runs not RUNNING-with-a-state-timestamp;
    * `running_n`, `running_base_us`: RUNNING runs with a state timestamp and
      total_run_time ≥ 0, and Σ (total_run_time - (state_timestamp - t0)); their run time at
      `now` is `running_base_us + running_n · (now - t0)` unless a state timestamp is after
      `now` (the clamp at zero applies, the reader checks);
    * `irregular_n`: RUNNING runs with a negative total_run_time (answered from raw rows);
    * `late_us`: Σ (start_time - expected_start_time) of runs that started late;
    * `waiting_n`, `waiting_base_us`: runs not started and not terminal, and Σ (t0 - expected);
      their lateness is `waiting_base_us + waiting_n · (now - t0)` once the slot has passed.
    """

    class Meta:
        db_table = "flow_run_history_slot"


class FlowRunHistoryHour(HistorySums):
    """The same sums per hour (`slot` · 3600 s since the epoch, `t0` the hour's start), kept
    by the same triggers (migration `0009_history_rollup`): /history reads a bucket's whole
    hours here and only its ragged hours from the 10-minute slots."""

    class Meta:
        db_table = "flow_run_history_hour"
