"""A service's Railway-generated `*.up.railway.app` domain (`serviceDomainCreate`, dev and staging)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.errors import RailwayNotFoundError
from providers.railway.provider import RailwayProvider, delete_unless_gone, first, managed, whole

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


def domains(client: RailwayClient, props: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The service's `serviceDomains` and `customDomains`; none when the service is gone."""
    scope = {"projectId": props["projectId"], "environmentId": props["environmentId"], "serviceId": props["serviceId"]}
    try:
        listed: dict[str, list[dict[str, Any]]] = client.execute(ops.DOMAINS, scope)["domains"]
    except RailwayNotFoundError:
        return {"serviceDomains": [], "customDomains": []}
    return listed


class ServiceDomainProvider(RailwayProvider):
    """The service's `*.up.railway.app` domain. A service has at most one that we make, so one found
    on the service is adopted."""

    inputs = ("projectId", "environmentId", "serviceId", "targetPort")
    replace_on = ("projectId", "environmentId", "serviceId")
    outputs = ("domain",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()

        def find() -> dict[str, Any] | None:
            found = domains(client, props)["serviceDomains"]
            return found[0] if found else None

        def make() -> dict[str, Any]:
            domain_input = {"environmentId": props["environmentId"], "serviceId": props["serviceId"]}
            if props.get("targetPort") is not None:
                domain_input["targetPort"] = whole(props["targetPort"])
            made: dict[str, Any] = client.execute(ops.SERVICE_DOMAIN_CREATE, {"input": domain_input})[
                "serviceDomainCreate"
            ]
            return made

        domain, _ = create_or_adopt(find, make, what="Railway-generated domain")
        return CreateResult(domain["id"], self._outs(props, domain))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        domain = first(domains(self.client(), props)["serviceDomains"], lambda node: node["id"] == id_)
        if domain is None:
            return gone()
        return ReadResult(id_, self._outs(props, domain))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        domain_input = {
            "domain": olds["domain"],
            "environmentId": news["environmentId"],
            "serviceId": news["serviceId"],
            "serviceDomainId": id_,
            "targetPort": whole(news.get("targetPort")),
        }
        self.client().execute(ops.SERVICE_DOMAIN_UPDATE, {"input": domain_input}, idempotent=True)
        return UpdateResult({**self.given(news), "domain": olds["domain"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.SERVICE_DOMAIN_DELETE, {"id": id_}, idempotent=True),
            lambda: any(node["id"] == id_ for node in domains(client, props)["serviceDomains"]),
        )

    def _outs(self, props: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.given(props),
            "targetPort": managed(props, "targetPort", domain.get("targetPort")),
            "domain": domain["domain"],
        }


@dataclass
class ServiceDomainArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    target_port: pulumi.Input[int] | None = None


class RailwayServiceDomain(Resource, module="railway", name="ServiceDomain"):
    """The Railway-generated domain of a service (`pulumi-python:dynamic/railway:ServiceDomain`)."""

    domain: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ServiceDomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServiceDomainProvider(), resource_name, properties(args), opts)
