"""A service's public domains: the Railway-generated one (`serviceDomainCreate`, dev and staging) and a
custom one with TLS (`customDomainCreate`, production), which exports the DNS records to create."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic

from providers.railway import operations as ops
from providers.railway.base import (
    RailwayProvider,
    RailwayResource,
    create_or_adopt,
    delete_unless_gone,
    first,
    managed,
    whole,
)
from providers.railway.client import RailwayClient, RailwayNotFoundError


def _domains(client: RailwayClient, props: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    scope = {"projectId": props["projectId"], "environmentId": props["environmentId"], "serviceId": props["serviceId"]}
    try:
        domains: dict[str, list[dict[str, Any]]] = client.execute(ops.DOMAINS, scope)["domains"]
    except RailwayNotFoundError:
        return {"serviceDomains": [], "customDomains": []}
    return domains


# Railway-generated domain ------------------------------------------------------------------


class ServiceDomainProvider(RailwayProvider):
    """The service's `*.up.railway.app` domain. A service has at most one that we make, so one found
    on the service is adopted."""

    inputs = ("projectId", "environmentId", "serviceId", "targetPort")
    replace_on = ("projectId", "environmentId", "serviceId")

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        client = self.client()

        def find() -> dict[str, Any] | None:
            found = _domains(client, props)["serviceDomains"]
            return found[0] if found else None

        def make() -> dict[str, Any]:
            domain_input = {"environmentId": props["environmentId"], "serviceId": props["serviceId"]}
            if props.get("targetPort") is not None:
                domain_input["targetPort"] = whole(props["targetPort"])
            made: dict[str, Any] = client.execute(ops.SERVICE_DOMAIN_CREATE, {"input": domain_input})[
                "serviceDomainCreate"
            ]
            return made

        domain, _ = create_or_adopt(find, make)
        return pulumi.dynamic.CreateResult(domain["id"], self._outs(props, domain))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        domain = first(_domains(self.client(), props)["serviceDomains"], lambda node: node["id"] == id_)
        if domain is None:
            return self.gone()
        return pulumi.dynamic.ReadResult(id_, self._outs(props, domain))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        domain_input = {
            "domain": olds["domain"],
            "environmentId": news["environmentId"],
            "serviceId": news["serviceId"],
            "serviceDomainId": id_,
            "targetPort": whole(news.get("targetPort")),
        }
        self.client().execute(ops.SERVICE_DOMAIN_UPDATE, {"input": domain_input}, idempotent=True)
        return pulumi.dynamic.UpdateResult({**self.given(news), "domain": olds["domain"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.SERVICE_DOMAIN_DELETE, {"id": id_}, idempotent=True),
            lambda: any(node["id"] == id_ for node in _domains(client, props)["serviceDomains"]),
        )

    def _outs(self, props: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.given(props),
            "targetPort": managed(props, "targetPort", domain.get("targetPort")),
            "domain": domain["domain"],
        }


class RailwayServiceDomain(RailwayResource, module="railway", name="ServiceDomain"):
    domain: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        target_port: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "projectId": project_id,
            "environmentId": environment_id,
            "serviceId": service_id,
            "targetPort": target_port,
            "domain": None,
        }
        super().__init__(ServiceDomainProvider(), resource_name, props, opts)


# Custom domain ------------------------------------------------------------------------------


class CustomDomainProvider(RailwayProvider):
    """A custom domain; Railway issues its TLS certificate once the DNS records it asks for exist.
    Those records are exported as `dnsRecords` for the operator (or a DNS stack) to create."""

    inputs = ("projectId", "environmentId", "serviceId", "domain", "targetPort")
    replace_on = ("projectId", "environmentId", "serviceId", "domain")
    # A domain name can be attached only once.
    delete_before_replace = True

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        client = self.client()

        def find() -> dict[str, Any] | None:
            return first(_domains(client, props)["customDomains"], lambda node: node["domain"] == props["domain"])

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

        domain, _ = create_or_adopt(find, make)
        return pulumi.dynamic.CreateResult(domain["id"], self._outs(props, domain))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        domain = first(_domains(self.client(), props)["customDomains"], lambda node: node["id"] == id_)
        if domain is None:
            return self.gone()
        return pulumi.dynamic.ReadResult(id_, self._outs(props, domain))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        self.client().execute(
            ops.CUSTOM_DOMAIN_UPDATE,
            {"id": id_, "environmentId": news["environmentId"], "targetPort": whole(news.get("targetPort"))},
            idempotent=True,
        )
        kept = {key: olds.get(key) for key in ("dnsRecords", "verified", "certificateStatus")}
        return pulumi.dynamic.UpdateResult({**self.given(news), **kept})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.CUSTOM_DOMAIN_DELETE, {"id": id_}, idempotent=True),
            lambda: any(node["id"] == id_ for node in _domains(client, props)["customDomains"]),
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


class RailwayCustomDomain(RailwayResource, module="railway", name="CustomDomain"):
    domain: pulumi.Output[str]
    verified: pulumi.Output[bool]

    @property
    def dns_records(self) -> pulumi.Output[list[dict[str, str]]]:
        """The records Railway asks for (type, name, value, purpose): the operator creates them."""
        return self.output("dnsRecords")

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        domain: pulumi.Input[str],
        target_port: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "projectId": project_id,
            "environmentId": environment_id,
            "serviceId": service_id,
            "domain": domain,
            "targetPort": target_port,
            "dnsRecords": None,
            "verified": None,
            "certificateStatus": None,
        }
        super().__init__(CustomDomainProvider(), resource_name, props, opts)
