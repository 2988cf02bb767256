"""The Supabase project: created in the stack's organization, adopted when a lost response already made it.

What the Management API cannot set, the provider checks instead, and fails loudly when reality differs:
- the plan belongs to the organization (`plan` on create is ignored), so the organization's plan is read
  (`GET /v1/organizations/{slug}`) before anything is created and on every refresh;
- the PostgreSQL major version is chosen by Supabase for new projects (the spec hides the field that
  would pick it), so the version a project reports is compared with the one the stack expects.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.errors import ApiError
from providers.supabase.client import NotFoundError, SupabaseClient
from providers.supabase.common import (
    GONE_STATUSES,
    SupabaseError,
    SupabaseProvider,
    changed_fields,
    diff_fields,
    gone,
    is_unknown,
    password_digest,
    secret,
    wait_until_healthy,
)

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
    # Expectations the API cannot enforce, checked against what it reports.
    plan: pulumi.Input[str]
    postgres_major_version: pulumi.Input[int]


class ProjectProvider(SupabaseProvider):
    replace_on = ("organization_slug", "region")
    compared = ("name", "plan", "postgres_major_version")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = []
        region = news.get("region")
        if not is_unknown(region) and region not in REGIONS:
            failures.append(CheckFailure("region", f"{region!r} is not a Supabase region ({', '.join(REGIONS)})"))
        name = news.get("name")
        if not is_unknown(name) and not (isinstance(name, str) and 0 < len(name) <= 256):
            failures.append(CheckFailure("name", "a project name is 1 to 256 characters"))
        password = news.get("db_pass")
        if not is_unknown(password) and not (isinstance(password, str) and len(password) >= 4):
            failures.append(CheckFailure("db_pass", "the database password must be at least 4 characters"))
        return failures

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = diff_fields(olds, news, self.replace_on + self.compared, self.replace_on)
        password = news.get("db_pass")
        password_changed = is_unknown(password) or password_digest(str(password)) != olds.get("db_pass_digest")
        # A version drift seen by refresh makes `update` run, which fails with the explanation.
        expected = olds.get("postgres_major_version")
        version_drift = _major(olds.get("postgres_version")) not in (None, int(expected) if expected else None)
        if (password_changed or version_drift) and not result.changes:
            return DiffResult(changes=True, replaces=[], delete_before_replace=None)
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        slug, name, region = props["organization_slug"], props["name"], props["region"]
        operation = f"create project {name!r} in organization {slug!r}"
        organization = _checked_organization(client, slug, props["plan"])

        ref = _find_project(client, slug, name, region)
        adopted = ref is not None
        if ref is None:
            try:
                created = client.create_project(
                    name=name, organization_slug=slug, region=region, db_pass=props["db_pass"]
                )
            except ApiError as error:
                # No idempotency key on this endpoint: a create whose answer was lost may have happened.
                if not error.ambiguous:
                    raise
                ref = _find_project(client, slug, name, region)
                if ref is None:
                    raise ApiError(
                        error.api,
                        error.operation,
                        f"{error.api_message}; no project named {name!r} exists yet, so `pulumi up` again is "
                        "safe (it looks for the project before creating one)",
                        status=error.status,
                    ) from error
                adopted = True
            else:
                ref = str(created["ref"])

        project = wait_until_healthy(client, ref, operation)
        if adopted:
            # The adopted project may carry a password from an earlier attempt (or none we know of).
            client.update_database_password(ref, props["db_pass"])
        _check_version(project, props["postgres_major_version"])
        return CreateResult(ref, _outputs(props, project, organization))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = self.client()
        try:
            project = client.get_project(id_)
        except NotFoundError:
            return gone()
        if project.get("status") in GONE_STATUSES:
            return gone()
        organization = client.get_organization(str(project.get("organization_slug", props["organization_slug"])))
        # Refresh cannot see the password (write-only): the digest of the last one set is kept.
        state = {**props, **_outputs(props, project, organization, digest=props.get("db_pass_digest", ""))}
        # What refresh saw stays visible as drift instead of being overwritten by the expectation.
        state["plan"] = organization.get("plan", props.get("plan"))
        return ReadResult(id_, state)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        organization = _checked_organization(client, news["organization_slug"], news["plan"])
        project = client.get_project(id_)
        _check_version(project, news["postgres_major_version"])
        if "name" in changed_fields(olds, news, ["name"]):
            client.rename_project(id_, news["name"])
            project["name"] = news["name"]
        if password_digest(news["db_pass"]) != olds.get("db_pass_digest"):
            client.update_database_password(id_, news["db_pass"])
        return UpdateResult(_outputs(news, project, organization))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        with contextlib.suppress(NotFoundError):
            self.client().delete_project(id_)


def _outputs(
    props: dict[str, Any], project: dict[str, Any], organization: dict[str, Any], digest: str | None = None
) -> dict[str, Any]:
    database = project.get("database") or {}
    return {
        "name": project.get("name", props["name"]),
        "organization_slug": props["organization_slug"],
        "region": project.get("region", props["region"]),
        "plan": props["plan"],
        "organization_plan": organization.get("plan"),
        "postgres_major_version": props["postgres_major_version"],
        "ref": project["ref"],
        "status": project.get("status"),
        "database_host": database.get("host"),
        "postgres_version": database.get("version"),
        "created_at": project.get("created_at"),
        # Never the password itself: a digest, so that a new password is seen by `diff`.
        "db_pass_digest": secret(digest if digest is not None else password_digest(props["db_pass"])),
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


def _find_project(client: SupabaseClient, slug: str, name: str, region: str) -> str | None:
    """The ref of the live project called `name` in the organization, if there is one."""
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
    return str(match["ref"])


def _major(version: Any) -> int | None:
    if not isinstance(version, str) or not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _check_version(project: dict[str, Any], expected: int) -> None:
    reported = (project.get("database") or {}).get("version")
    major = _major(reported)
    if major is not None and major != int(expected):
        raise SupabaseError(
            f"project {project.get('ref')} runs PostgreSQL {reported} but the stack expects major version "
            f"{expected}. The Management API cannot choose or change the major version: upgrade in the Supabase "
            f"dashboard, or set `database.postgresMajorVersion` to {major} once the application is checked against it"
        )


class SupabaseProject(pulumi.dynamic.Resource, module="supabase", name="Project"):
    """A Supabase project (`pulumi-python:dynamic/supabase:Project`); its id is the project ref."""

    ref: pulumi.Output[str]
    name: pulumi.Output[str]
    region: pulumi.Output[str]
    status: pulumi.Output[str]
    database_host: pulumi.Output[str]
    postgres_version: pulumi.Output[str]
    organization_plan: pulumi.Output[str]

    def __init__(self, name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "name": args.name,
            "organization_slug": args.organization_slug,
            "region": args.region,
            "db_pass": pulumi.Output.secret(args.db_pass),
            "plan": args.plan,
            "postgres_major_version": args.postgres_major_version,
            "ref": None,
            "status": None,
            "database_host": None,
            "postgres_version": None,
            "organization_plan": None,
            "created_at": None,
            "db_pass_digest": None,
        }
        secrets = pulumi.ResourceOptions(additional_secret_outputs=["db_pass", "db_pass_digest"])
        super().__init__(ProjectProvider(), name, props, pulumi.ResourceOptions.merge(secrets, opts))
