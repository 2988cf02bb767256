"""The project's compute size, through the billing add-ons: `PATCH .../billing/addons` with
`ci_<size>`, and `DELETE .../billing/addons/ci_<size>` to go back to the baseline (nano).

Deleting the resource leaves the size as it is: reverting it during a replacement would restart the
database for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure

from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import SettingProvider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient

# Compute sizes with a billing add-on variant (`ci_<size>`); nano is the baseline of a project with none.
BASELINE_COMPUTE = "nano"
COMPUTE_SIZES = (
    "nano",
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
)
COMPUTE_ADDON = "compute_instance"


def compute_variant(size: str) -> str:
    return f"ci_{size}"


class ComputeProvider(SettingProvider):
    kind = "compute"
    inputs = ("projectRef", "size")
    outputs = ("variant",)

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = super().check_inputs(news)
        size = news.get("size")
        if is_unknown(size) or size in COMPUTE_SIZES:
            return failures
        return [*failures, CheckFailure("size", f"{size!r} is not a compute size ({', '.join(COMPUTE_SIZES)})")]

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        addons = client.list_addons(ref)
        variant = next(
            (
                str(addon["variant"]["id"])
                for addon in addons.get("selected_addons", [])
                if addon.get("type") == COMPUTE_ADDON
            ),
            None,
        )
        size = variant.removeprefix("ci_") if variant else BASELINE_COMPUTE
        return {"projectRef": ref, "size": size, "variant": variant}

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        wanted = props["size"]
        live = self.observe(client, ref, props)
        if live["size"] == wanted:
            return live
        if wanted == BASELINE_COMPUTE:
            client.remove_addon(ref, str(live["variant"]))
        else:
            client.apply_compute_addon(ref, compute_variant(wanted))
        # A resize restarts the database: the settings after this one wait for it to be healthy again.
        client.wait_until_healthy(ref, f"resize to {wanted}")
        after = self.observe(client, ref, props)
        if after["size"] != wanted:
            raise SupabaseError(
                f"project {ref}: asked for compute size {wanted!r}, the billing add-ons say {after['size']!r}. "
                "Free organizations cannot buy compute add-ons; check the organization's plan"
            )
        return after


@dataclass
class ComputeArgs:
    project_ref: pulumi.Input[str]
    size: pulumi.Input[str]


class SupabaseCompute(Resource, module="supabase", name="Compute"):
    """The project's compute size (`pulumi-python:dynamic/supabase:Compute`)."""

    size: pulumi.Output[str]
    variant: pulumi.Output[str | None]

    def __init__(self, name: str, args: ComputeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ComputeProvider(), name, properties(args), opts)
