"""A custom domain with TLS on a service (`customDomainCreate`, production), which exports the DNS
records to create."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider, delete_unless_gone, first, managed, whole
from providers.railway.service_domain import domains


class CustomDomainProvider(RailwayProvider):
    """A custom domain; Railway issues its TLS certificate once the DNS records it asks for exist.
    Those records are exported as `dnsRecords` for the operator (or a DNS stack) to create."""

    inputs = ("projectId", "environmentId", "serviceId", "domain", "targetPort")
    replace_on = ("projectId", "environmentId", "serviceId", "domain")
    outputs = ("dnsRecords", "verified", "certificateStatus")
    # A domain name can be attached only once.
    delete_before_replace = True

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()

        def find() -> dict[str, Any] | None:
            return first(domains(client, props)["customDomains"], lambda node: node["domain"] == props["domain"])

        def make() -> dict[str, Any]:
            domain_input = {
                "projectId": props["projectId"],
                "environmentId": props["environmentId"],
                "serviceId": props["serviceId"],
                "domain": props["domain"],
            }
            if props.get("targetPort") is not None:
                domain_input["targetPort"] = whole(props["targetPort"])
            made: dict[str, Any] = client.execute(ops.CUSTOM_DOMAIN_CREATE, {"input": domain_input})[
                "customDomainCreate"
            ]
            return made

        domain, _ = create_or_adopt(find, make, what=f"custom domain {props['domain']}")
        return CreateResult(domain["id"], self._outs(props, domain))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        domain = first(domains(self.client(), props)["customDomains"], lambda node: node["id"] == id_)
        if domain is None:
            return gone()
        return ReadResult(id_, self._outs(props, domain))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self.client().execute(
            ops.CUSTOM_DOMAIN_UPDATE,
            {"id": id_, "environmentId": news["environmentId"], "targetPort": whole(news.get("targetPort"))},
            idempotent=True,
        )
        kept = {key: olds.get(key) for key in ("dnsRecords", "verified", "certificateStatus")}
        return UpdateResult({**self.given(news), **kept})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.CUSTOM_DOMAIN_DELETE, {"id": id_}, idempotent=True),
            lambda: any(node["id"] == id_ for node in domains(client, props)["customDomains"]),
        )

    def _outs(self, props: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
        status = domain.get("status") or {}
        records = [
            {
                "type": record["recordType"].removeprefix("DNS_RECORD_TYPE_"),
                "name": record["fqdn"],
                "host": record["hostlabel"],
                "zone": record["zone"],
                "value": record["requiredValue"],
                "purpose": record["purpose"].removeprefix("DNS_RECORD_PURPOSE_"),
            }
            for record in status.get("dnsRecords") or []
        ]
        return {
            **self.given(props),
            "domain": domain["domain"],
            "targetPort": managed(props, "targetPort", domain.get("targetPort")),
            "dnsRecords": records,
            "verified": status.get("verified"),
            "certificateStatus": status.get("certificateStatus"),
        }


@dataclass
class CustomDomainArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    domain: pulumi.Input[str]
    target_port: pulumi.Input[int] | None = None


class RailwayCustomDomain(Resource, module="railway", name="CustomDomain"):
    """A custom domain with TLS (`pulumi-python:dynamic/railway:CustomDomain`)."""

    domain: pulumi.Output[str]
    verified: pulumi.Output[bool]
    # The records Railway asks for (type, name, value, purpose): the operator creates them.
    dns_records: pulumi.Output[list[dict[str, str]]]

    def __init__(self, resource_name: str, args: CustomDomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(CustomDomainProvider(), resource_name, properties(args), opts)
