"""tls-endpoints: what is reachable from outside is reachable over TLS, and nothing plaintext is exposed.

A stack policy, because it judges resources by what else the stack declares:
- every Supabase project has SSL enforcement declared and on (a project without the resource keeps
  whatever the dashboard says, which is off for new projects);
- the backend service has a public domain (Railway serves service and custom domains over HTTPS with
  certificates it manages), so clients reach it over TLS, and Railway did not fail to issue its
  certificate (`certificateStatus` in the state);
- the Redis service has no public domain: redis-server speaks plaintext, it must stay on the private
  network (`*.railway.internal`).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from components import railway_resources as railway
from components.supabase_database import contract as supabase
from policies.converge_policies.common import stack_resources
from policies.converge_policies.stack_graph import stack_graph

NAME = "tls-endpoints"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = stack_graph(stack_resources(args))
    for db in stack.databases:
        if not db.ssl:
            report_violation(
                f"Supabase project '{db.project.name}' has no SslEnforcement resource: SSL enforcement is not "
                "managed, so plaintext connections may be accepted.",
                db.project.urn,
            )
        for ssl in db.ssl:
            if ssl.props.get(supabase.SSL_ENFORCED) is False:
                report_violation(f"Supabase project '{db.project.name}': SSL enforcement is off.", ssl.urn)
    for group in stack.backends:
        for domain in group.domains:
            if domain.props.get(railway.DOMAIN_CERTIFICATE_STATUS) == railway.CERTIFICATE_ISSUE_FAILED:
                hostname = domain.props.get(railway.DOMAIN_NAME)
                report_violation(
                    f"Railway could not issue a TLS certificate for {hostname}: check the DNS records of the "
                    "`apiDnsRecords` output.",
                    domain.urn,
                )
        if not group.domains:
            report_violation(
                f"backend service '{group.service.name}' has no public domain: add a RailwayServiceDomain or "
                "RailwayCustomDomain (Railway serves both over HTTPS).",
                group.service.urn,
            )
    for group in stack.redis:
        for domain in group.domains:
            report_violation(
                f"Redis service '{group.service.name}' has a public domain ({domain.name}): redis-server speaks "
                "plaintext and must stay on the private network.",
                domain.urn,
            )


POLICY = StackValidationPolicy(
    name=NAME,
    description="Public endpoints use TLS: Supabase SSL enforcement on, the backend behind an HTTPS domain, "
    "Redis not exposed.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Declare SupabaseSslEnforcement(enforced=True) for each project; give the backend a RailwayServiceDomain "
        "(or a RailwayCustomDomain for `backend.publicDomain`); remove domains from the Redis service and reach it "
        "at <service>.railway.internal."
    ),
)
