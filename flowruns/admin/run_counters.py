"""Read-only pages over the run counters (one row per key and shard; a key's count is the
sum over its shards). `manage.py verify_run_counters` checks them against `flow_run`."""

from __future__ import annotations

from django.contrib import admin

from flowruns.models import (
    FlowRunCount,
    FlowRunHistoryHour,
    FlowRunHistorySlot,
    FlowRunTagCount,
)

from .base import ReadOnlyAdmin


@admin.register(FlowRunCount)
class FlowRunCountAdmin(ReadOnlyAdmin):
    list_display = ("state_type", "state_name", "flow_id", "shard", "n")
    ordering = ("state_type", "state_name", "flow_id", "shard")


@admin.register(FlowRunTagCount)
class FlowRunTagCountAdmin(ReadOnlyAdmin):
    list_display = ("tag", "state_type", "state_name", "shard", "n")
    ordering = ("tag", "state_type", "state_name", "shard")
    search_fields = ("tag",)


@admin.register(FlowRunHistorySlot)
class FlowRunHistorySlotAdmin(ReadOnlyAdmin):
    list_display = ("slot", "state_type", "state_name", "shard", "n", "running_n", "waiting_n")
    ordering = ("-slot", "state_type", "state_name", "shard")


@admin.register(FlowRunHistoryHour)
class FlowRunHistoryHourAdmin(ReadOnlyAdmin):
    list_display = ("slot", "state_type", "state_name", "shard", "n", "running_n", "waiting_n")
    ordering = ("-slot", "state_type", "state_name", "shard")
