"""Loading the active policy from a dotted path in settings (`ORCHESTRATION_FLOW_POLICY`)."""

from __future__ import annotations

import importlib

from orchestration.policies import Policy
from orchestration.rules.base import Rule, Transform


class PolicyLoadError(ImportError):
    """The dotted path does not name a usable orchestration policy."""


def load_policy(dotted_path: str) -> type[Policy]:
    """Import `package.module.PolicyClass` and check that it is a well-formed Policy.

    Checked eagerly (every step must be a Rule or Transform subclass) so that a typo in
    settings fails at startup with a message naming the culprit, not mid-request.
    """
    module_path, _, attr = dotted_path.rpartition(".")
    if not module_path or not attr:
        raise PolicyLoadError(
            f"{dotted_path!r} is not a dotted path like 'orchestration.policies.CoreFlowPolicy'."
        )
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:
        raise PolicyLoadError(
            f"Cannot import {module_path!r} for orchestration policy {dotted_path!r}: {exc}"
        ) from exc
    policy = getattr(module, attr, None)
    if policy is None:
        raise PolicyLoadError(f"Module {module_path!r} has no attribute {attr!r}.")
    if not (isinstance(policy, type) and issubclass(policy, Policy)):
        raise PolicyLoadError(f"{dotted_path!r} is not a subclass of orchestration Policy.")
    for policy_class in (policy, policy.bookkeeping):
        if policy_class is None:
            continue
        for step in policy_class.rules:
            if not (isinstance(step, type) and issubclass(step, Rule | Transform)):
                raise PolicyLoadError(
                    f"{policy_class.__name__}.rules contains {step!r}, "
                    "which is neither a Rule nor a Transform subclass."
                )
    return policy
