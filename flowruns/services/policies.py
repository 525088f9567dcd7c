"""The configured orchestration policies, loaded and checked once.

`FlowRunsConfig.ready()` calls `policies_load`, so a policy setting naming something that is
not a policy stops `manage.py check` and the server at start-up, with the setting and the
path in the message, instead of failing the first set_state request. The write path reads
the cached classes through `policy_for`. Changing a policy setting at run time (tests use
`override_settings`) reloads it through Django's `setting_changed` signal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from orchestration.loading import PolicyLoadError, load_policy
from orchestration.policies import Policy

POLICY_SETTINGS = (
    "ORCHESTRATION_FLOW_POLICY",
    "ORCHESTRATION_FORCE_FLOW_POLICY",
    "ORCHESTRATION_TASK_POLICY",
    "ORCHESTRATION_FORCE_TASK_POLICY",
    "ORCHESTRATION_LATE_RUNS_POLICY",
)

_loaded: dict[str, type[Policy]] = {}


def _load(setting: str) -> type[Policy]:
    path = getattr(settings, setting, None)
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"settings.{setting} must be a dotted path, not {path!r}.")
    try:
        return load_policy(path)
    except PolicyLoadError as exc:
        raise ImproperlyConfigured(
            f"settings.{setting} = {path!r} is not a usable orchestration policy: {exc}"
        ) from exc


def policies_load() -> None:
    """Load and check every policy setting; raise ImproperlyConfigured on the first bad one."""
    _loaded.update({setting: _load(setting) for setting in POLICY_SETTINGS})


def policy_for(setting: str) -> type[Policy]:
    """The policy class a setting names, as loaded at start-up (or after it changed)."""
    policy = _loaded.get(setting)
    if policy is None:
        policy = _loaded[setting] = _load(setting)
    return policy


def policies_reload_on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    """`setting_changed` receiver: reload a policy setting when it is overridden or restored."""
    if setting in POLICY_SETTINGS:
        _loaded[setting] = _load(setting)
