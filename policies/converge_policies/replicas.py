"""replica-limits: the backend never runs more replicas than the seed's cap, and production runs enough.

Seed: "Auto-scaling limits (max 5 replicas)", production "Min replicas: 2". Checked on what Railway
is told to run (`numReplicas` of each service) and, where a component declares them, on its scaling
bounds. A service with a volume (Redis) runs exactly one replica: Railway refuses more. So does the
watchdog, which scales the backend: a second one would double every step.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from components.backend_service.contract import MAX_REPLICAS_OUTPUT, MIN_REPLICAS_OUTPUT
from components.watchdog_service.contract import REPLICAS
from policies.converge_policies.common import stack_resources
from policies.converge_policies.stack_graph import number, stack_graph
from policies.converge_policies.stack_settings import stack_settings
from settings.seed import MAX_REPLICAS, min_replicas

NAME = "replica-limits"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    most = MAX_REPLICAS
    least = min_replicas(stack_settings().environment)
    for group in stack_graph(stack_resources(args)).services:
        replicas = number(group.replicas)
        if replicas is None:
            continue  # unknown in preview
        name = group.service.name
        if group.is_watchdog:
            if replicas != REPLICAS:
                report_violation(
                    f"watchdog service '{name}' runs {int(replicas)} replicas; it must run {REPLICAS}, or two "
                    "watchdogs would each take a scaling step.",
                    group.service.urn,
                )
            continue
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
        declared_max = group.component_output(MAX_REPLICAS_OUTPUT)
        if declared_max is not None and declared_max > most:
            report_violation(
                f"service '{name}' may scale to {int(declared_max)} replicas; the cap is {most}.", group.service.urn
            )
        declared_min = group.component_output(MIN_REPLICAS_OUTPUT)
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
    remediation_steps=(
        "Set backend.minReplicas / maxReplicas / eventReplicas in Pulumi.<stack>.yaml within the limits "
        "(production: 2 to 5)."
    ),
)
