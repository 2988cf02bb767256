"""replica-limits: the backend never runs more replicas than the seed's cap, and production runs enough.

Seed: "Auto-scaling limits (max 5 replicas)", production "Min replicas: 2". Checked on what Railway
is told to run (`numReplicas` of each service) and, where a component declares them, on its scaling
bounds. A service with a volume (Redis) runs exactly one replica: Railway refuses more.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cost.resources import number, view
from policies.converge_policies.common import config, stack_resources

NAME = "replica-limits"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    most = int(config(args, "maxReplicas", 5))
    least = int(config(args, "minReplicas", 1))
    stack = view(stack_resources(args))
    for group in stack.services:
        replicas = number(group.replicas)
        if replicas is None:
            continue  # unknown in preview
        name = group.service.name
        if group.volumes:
            if replicas != 1:
                report_violation(
                    f"service '{name}' has a volume and {int(replicas)} replicas; Railway runs a service with a "
                    "volume as one replica.",
                    group.service.urn,
                )
            continue
        if replicas > most:
            report_violation(f"service '{name}' runs {int(replicas)} replicas; the cap is {most}.", group.service.urn)
        if replicas < least:
            report_violation(
                f"service '{name}' runs {int(replicas)} replica(s); this stack needs at least {least}.",
                group.service.urn,
            )
        bounds: dict[str, Any] = dict(group.component.props) if group.component is not None else {}
        declared_max = number(bounds.get("maxReplicas"))
        if declared_max is not None and declared_max > most:
            report_violation(
                f"service '{name}' may scale to {int(declared_max)} replicas; the cap is {most}.", group.service.urn
            )
        declared_min = number(bounds.get("minReplicas"))
        if declared_min is not None and declared_min < least:
            report_violation(
                f"service '{name}' may scale down to {int(declared_min)} replica(s); this stack needs at least "
                f"{least}.",
                group.service.urn,
            )


POLICY = StackValidationPolicy(
    name=NAME,
    description="Replica counts stay within the seed's limits: at most 5, at least 2 in production.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "maxReplicas": {
                "type": "integer",
                "minimum": 1,
                "description": "Most replicas a service may run.",
                "default": 5,
            },
            "minReplicas": {
                "type": "integer",
                "minimum": 1,
                "description": "Fewest replicas the backend may run (production: 2).",
                "default": 1,
            },
        }
    ),
    remediation_steps=(
        "Set backend.minReplicas / maxReplicas / eventReplicas in Pulumi.<stack>.yaml within the limits "
        "(production: 2 to 5)."
    ),
)
