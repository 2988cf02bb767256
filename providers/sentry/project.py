"""A Sentry project (`POST /api/0/teams/{org}/{team}/projects/`), owned by one team.

Adopted by its slug, which is unique in the organization; a new slug or organization is a new project
(deleted first: the slug cannot be taken twice). A new team moves the project (adds it to the new team,
then removes the old one) rather than replacing it and losing its issues. A project pending deletion is
gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, UpdateResult

from providers.core.errors import NotFoundError
from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt
from providers.sentry.errors import API
from providers.sentry.provider import SentryProvider

# The spec's pattern for project slugs (createTeamProject), without its look-ahead: not digits only.
_SLUG = re.compile(r"^[a-z0-9_\-]{1,100}$")
_ACTIVE = "active"


class ProjectProvider(SentryProvider):
    inputs = ("organization", "team", "slug", "name", "platform")
    replace_on = ("organization", "slug")
    outputs = ("projectId",)
    delete_before_replace = True

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        slug = news.get("slug")
        if not (isinstance(slug, str) and _SLUG.match(slug) and not slug.isdigit()):
            return [CheckFailure("slug", f"{slug!r} is not a Sentry project slug (a-z, 0-9, _ and -, not all digits)")]
        return []

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        organization, slug = props["organization"], props["slug"]

        def find() -> dict[str, Any] | None:
            try:
                return self.live(organization, slug)
            except NotFoundError:
                return None

        def create() -> dict[str, Any]:
            return client.create_project(
                organization, props["team"], name=props["name"], slug=slug, platform=props["platform"]
            )

        project, _origin = create_or_adopt(find, create, what="Sentry project")
        if (project.get("name"), project.get("platform")) != (props["name"], props["platform"]):
            project = client.update_project(organization, slug, name=props["name"], platform=props["platform"])
        if props["team"] not in _teams(project):
            client.add_project_team(organization, slug, props["team"])
        return CreateResult(str(project["id"]), {**self.given(props), "projectId": str(project["id"])})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project = self.live(props["organization"], props["slug"])
        teams = _teams(project)
        team = props["team"] if props["team"] in teams else (teams[0] if teams else None)
        return ReadResult(
            id_,
            {
                **props,
                "team": team,
                "name": project.get("name"),
                "platform": project.get("platform"),
                "projectId": str(project["id"]),
            },
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        organization, slug = news["organization"], news["slug"]
        project = client.update_project(organization, slug, name=news["name"], platform=news["platform"])
        if olds.get("team") != news["team"]:
            client.add_project_team(organization, slug, news["team"])
            if olds.get("team"):
                client.remove_project_team(organization, slug, olds["team"])
        return UpdateResult({**self.given(news), "projectId": str(project["id"])})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self.client().delete_project(props["organization"], props["slug"])

    def live(self, organization: str, slug: str) -> dict[str, Any]:
        project = self.client().get_project(organization, slug)
        if project.get("status", _ACTIVE) != _ACTIVE:
            raise NotFoundError(API, "get project", f"project {slug} is {project.get('status')}")
        return project


def _teams(project: dict[str, Any]) -> list[str]:
    return [str(team.get("slug")) for team in project.get("teams") or [] if isinstance(team, dict)]


@dataclass
class ProjectArgs:
    organization: str
    team: str
    slug: str
    name: str
    # Sentry's platform identifier (`node-express`, `javascript-react`): the SDK setup it shows.
    platform: str


class SentryProject(Resource, module="sentry", name="Project"):
    """A Sentry project (`pulumi-python:dynamic/sentry:Project`)."""

    project_id: pulumi.Output[str]
    slug: pulumi.Output[str]

    def __init__(self, name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ProjectProvider(), name, properties(args), opts)
