"""The Supabase project: created in the stack's organization, adopted when a lost response already made it.

What the Management API cannot set, the provider checks instead, and fails loudly when reality differs:
- the plan belongs to the organization (`plan` on create is ignored), so the organization's plan is read
  (`GET /v1/organizations/{slug}`) before anything is created and on every refresh;
- the PostgreSQL major version is chosen by Supabase for new projects (the platform's current major; the
  create body has no field for it), so the stack's version is a minimum: a project below it fails, one
  at or above it is accepted and its version is an output (`postgresVersion`, `postgresMajor`). An
  advisory policy reports a major other than the seed's, so the difference is seen without failing `up`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.properties import is_unknown, properties
from providers.core.provider import Origin, Resource, create_or_adopt, gone
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import GONE_STATUSES, SupabaseProvider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient

# The regions `POST /v1/projects` accepts (the spec's enum; a contract test keeps the two equal).
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-east-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-central-1",
    "eu-central-2",
    "ca-central-1",
    "ap-south-1",
    "sa-east-1",
)
_PAGE = 100


@dataclass
class ProjectArgs:
    name: pulumi.Input[str]
    organization_slug: pulumi.Input[str]
    region: pulumi.Input[str]
    # Write-only: sent on create and when it changes, never returned; the state keeps a digest.
    db_pass: pulumi.Input[str]
    # Expectations the API cannot enforce, checked against what it reports. The major version is a
    # minimum: Supabase puts new projects on its current major, which the create body cannot choose.
    plan: pulumi.Input[str]
    postgres_major_version: pulumi.Input[int]


def password_digest(password: str) -> str:
    """A one-way digest of the database password, kept in the state instead of the password so that a
    new password shows up in `diff`. The password comes from RandomPassword (high entropy), which is
    what makes an unsalted digest safe to keep."""
    return "sha256:" + hashlib.sha256(f"converge-nps/supabase-db-password/{password}".encode()).hexdigest()


class ProjectProvider(SupabaseProvider):
    inputs = ("organizationSlug", "region", "name", "plan", "postgresMajorVersion")
    replace_on = ("organizationSlug", "region")
    outputs = (
        "ref",
        "status",
        "databaseHost",
        "postgresVersion",
        "postgresMajor",
        "organizationPlan",
        "createdAt",
        "dbPassDigest",
    )
    secret_outputs = ("dbPass", "dbPassDigest")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = []
        region = news.get("region")
        if not is_unknown(region) and region not in REGIONS:
            failures.append(CheckFailure("region", f"{region!r} is not a Supabase region ({', '.join(REGIONS)})"))
        name = news.get("name")
        if not is_unknown(name) and not (isinstance(name, str) and 0 < len(name) <= 256):
            failures.append(CheckFailure("name", "a project name is 1 to 256 characters"))
        password = news.get("dbPass")
        if not is_unknown(password) and not (isinstance(password, str) and len(password) >= 4):
            failures.append(CheckFailure("dbPass", "the database password must be at least 4 characters"))
        return failures

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self.diff_of(olds, news)
        password = news.get("dbPass")
        password_changed = is_unknown(password) or password_digest(str(password)) != olds.get("dbPassDigest")
        # A project found below the minimum by refresh makes `update` run, which fails with the explanation.
        below_minimum = _below_minimum(olds.get("postgresVersion"), olds.get("postgresMajorVersion"))
        if (password_changed or below_minimum) and not result.changes:
            return DiffResult(changes=True, replaces=[], delete_before_replace=None)
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        slug, name, region = props["organizationSlug"], props["name"], props["region"]
        organization = _checked_organization(client, slug, props["plan"])

        def make() -> dict[str, Any]:
            return client.create_project(name=name, organization_slug=slug, region=region, db_pass=props["dbPass"])

        # No idempotency key on this endpoint, and a project is slow and costly: after a lost answer,
        # a project not found is not created a second time; `pulumi up` again is safe instead.
        created, origin = create_or_adopt(
            lambda: _find_project(client, slug, name, region),
            make,
            what=f"project named {name!r}",
            repeat_after_lost_answer=False,
        )
        ref = str(created["ref"])
        project = client.wait_until_healthy(ref, f"create project {name!r} in organization {slug!r}")
        if origin is not Origin.CREATED:
            # The adopted project may carry a password from an earlier attempt (or none we know of).
            client.update_database_password(ref, props["dbPass"])
        _check_version(project, props["postgresMajorVersion"])
        return CreateResult(ref, _outputs(props, project, organization))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = self.client()
        project = client.get_project(id_)
        if project.get("status") in GONE_STATUSES:
            return gone()
        organization = client.get_organization(str(project.get("organization_slug", props["organizationSlug"])))
        # Refresh cannot see the password (write-only): the digest of the last one set is kept.
        state = {**props, **_outputs(props, project, organization, digest=props.get("dbPassDigest", ""))}
        # What refresh saw stays visible as drift instead of being overwritten by the expectation.
        state["plan"] = organization.get("plan", props.get("plan"))
        return ReadResult(id_, state)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        organization = _checked_organization(client, news["organizationSlug"], news["plan"])
        project = client.get_project(id_)
        _check_version(project, news["postgresMajorVersion"])
        if self.changed(olds, news, ("name",)):
            client.rename_project(id_, news["name"])
            project["name"] = news["name"]
        if password_digest(news["dbPass"]) != olds.get("dbPassDigest"):
            client.update_database_password(id_, news["dbPass"])
        return UpdateResult(_outputs(news, project, organization))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().delete_project(id_)


def _outputs(
    props: dict[str, Any], project: dict[str, Any], organization: dict[str, Any], digest: str | None = None
) -> dict[str, Any]:
    database = project.get("database") or {}
    return {
        "name": project.get("name", props["name"]),
        "organizationSlug": props["organizationSlug"],
        "region": project.get("region", props["region"]),
        "plan": props["plan"],
        "organizationPlan": organization.get("plan"),
        "postgresMajorVersion": props["postgresMajorVersion"],
        "ref": project["ref"],
        "status": project.get("status"),
        "databaseHost": database.get("host"),
        "postgresVersion": database.get("version"),
        "postgresMajor": _major(database.get("version")),
        "createdAt": project.get("created_at"),
        # Never the password itself: a digest, so that a new password is seen by `diff`.
        "dbPassDigest": digest if digest is not None else password_digest(props["dbPass"]),
    }


def _checked_organization(client: SupabaseClient, slug: str, plan: str) -> dict[str, Any]:
    organization = client.get_organization(slug)
    actual = organization.get("plan")
    if actual is not None and actual != plan:
        raise SupabaseError(
            f"organization {slug!r} is on the {actual!r} plan but the stack declares {plan!r}. Plans belong to "
            "the organization and cannot be changed through the Management API: change the organization's plan "
            "in the Supabase dashboard, or put the stack in an organization on the right plan "
            "(`database.organization`)"
        )
    return organization


def _find_project(client: SupabaseClient, slug: str, name: str, region: str) -> dict[str, Any] | None:
    """The live project called `name` in the organization, if there is one."""
    matches: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = client.list_organization_projects(slug, search=name, offset=offset, limit=_PAGE)
        projects = page.get("projects", [])
        matches += [p for p in projects if p.get("name") == name and p.get("status") not in GONE_STATUSES]
        total = int((page.get("pagination") or {}).get("count", 0))
        offset += len(projects)
        if not projects or offset >= total:
            break
    if not matches:
        return None
    if len(matches) > 1:
        refs = ", ".join(str(p.get("ref")) for p in matches)
        raise SupabaseError(
            f"organization {slug!r} has {len(matches)} projects named {name!r} ({refs}); delete the extra ones or "
            "`pulumi import` the right one"
        )
    match = matches[0]
    if match.get("region") not in (None, region):
        raise SupabaseError(
            f"organization {slug!r} already has a project named {name!r} ({match.get('ref')}) in region "
            f"{match.get('region')!r}, not {region!r}; it is not adopted. Delete or rename it first"
        )
    return match


def _major(version: Any) -> int | None:
    if not isinstance(version, str) or not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _below_minimum(version: Any, minimum: Any) -> bool:
    major = _major(version)
    return major is not None and minimum is not None and major < int(minimum)


def _check_version(project: dict[str, Any], minimum: int) -> None:
    """A major below the stack's minimum fails; a newer one (what new projects get) is accepted."""
    reported = (project.get("database") or {}).get("version")
    if _below_minimum(reported, minimum):
        raise SupabaseError(
            f"project {project.get('ref')} runs PostgreSQL {reported}, below the minimum major version "
            f"{int(minimum)} (`database.postgresMajorVersion`). The Management API cannot change the major "
            "version: upgrade the project in the Supabase dashboard (Settings > Infrastructure), then run "
            "`pulumi up` again"
        )


class SupabaseProject(Resource, module="supabase", name="Project"):
    """A Supabase project (`pulumi-python:dynamic/supabase:Project`); its id is the project ref."""

    ref: pulumi.Output[str]
    name: pulumi.Output[str]
    region: pulumi.Output[str]
    status: pulumi.Output[str]
    database_host: pulumi.Output[str]
    postgres_version: pulumi.Output[str]
    postgres_major: pulumi.Output[int]
    organization_plan: pulumi.Output[str]

    def __init__(self, name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        inputs = properties(args)
        inputs["dbPass"] = pulumi.Output.secret(args.db_pass)
        super().__init__(ProjectProvider(), name, inputs, opts)
