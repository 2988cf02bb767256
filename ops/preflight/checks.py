"""The preflight checks: each reads (never writes) one service with the credentials `pulumi up` will use,
and says what to fix when the answer is not what the stack needs.

A check whose prerequisite failed (no token, no bucket) is skipped: its answer would only repeat the
first failure. The API clients are the providers' own (`providers/`), so preflight meets the services
exactly as `pulumi up` will: same endpoints, same token variables, same retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from ops.github_rest import TOKEN_VARIABLE as GITHUB_TOKEN
from providers.core.errors import CONFIGURATION, ApiError
from providers.railway.documents import Operation
from providers.railway.environment_variables import TOKEN_VARIABLE as RAILWAY_TOKEN
from providers.railway.errors import RailwayGraphQLError
from providers.supabase.client import TOKEN_VARIABLE as SUPABASE_TOKEN
from providers.supabase.client import SupabaseClient

# Who the token belongs to: an account token answers `me`, a workspace token does not.
ME = Operation(
    "PreflightMe",
    """query PreflightMe {
  me {
    id
  }
}""",
)
WORKSPACE = Operation(
    "PreflightWorkspace",
    """query PreflightWorkspace($workspaceId: String!) {
  workspace(workspaceId: $workspaceId) {
    id
    name
  }
}""",
)

# Scopes of a classic GitHub token that grant reading the organization's teams.
_READ_ORG = frozenset({"read:org", "write:org", "admin:org"})
_AWS_MISSING = frozenset({"404", "NoSuchBucket", "NotFound"})


class Status(Enum):
    PASS = "PASS"  # noqa: S105 - a check's verdict, not a password
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Result:
    check: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Target:
    """What the stack needs to exist, from its config file."""

    stack: str
    railway_workspace_id: str | None
    supabase_organization: str
    supabase_plan: str
    github_owner: str
    github_repository: str
    reviewer_teams: tuple[str, ...]
    s3_bucket: str
    aws_region: str


def passed(check: str, detail: str) -> Result:
    return Result(check, Status.PASS, detail)


def failed(check: str, detail: str, fix: str) -> Result:
    return Result(check, Status.FAIL, detail, fix)


def skipped(check: str, because: str) -> Result:
    return Result(check, Status.SKIP, f"not checked: {because}")


def token_set(variable: str, environ: dict[str, str], fix: str) -> Result:
    if environ.get(variable, "").strip():
        return passed(f"{variable} is set", "present in the environment")
    return failed(f"{variable} is set", "missing or empty", fix)


# Railway ------------------------------------------------------------------------------------------


def railway(target: Target, environ: dict[str, str]) -> Iterator[Result]:
    from providers.railway.client import connect

    token = token_set(
        RAILWAY_TOKEN,
        environ,
        "create an account token (railway.com > Account Settings > Tokens) or a workspace token, and export it",
    )
    yield token
    valid, workspace = "RAILWAY_TOKEN is an account or workspace token", "Railway workspace exists"
    if token.status is not Status.PASS:
        yield skipped(valid, "no token")
        yield skipped(workspace, "no token")
        return
    client = connect()
    try:
        client.execute(ME, {})
        account = True
    except RailwayGraphQLError:
        account = False  # a workspace token (or a project token): the workspace query tells which
    except ApiError as error:
        yield failed(
            valid,
            f"Railway refused it: {error.api_message} (HTTP {error.status})",
            "the token is wrong or revoked: create a new account or workspace token; a project token cannot "
            "create projects",
        )
        yield skipped(workspace, "the token is refused")
        return
    if target.railway_workspace_id is None:
        if account:
            yield passed(valid, "an account token")
            yield passed(workspace, "`railway.workspaceId` is unset: projects go to the token's own workspace")
        else:
            yield failed(
                valid,
                "not an account token (`me` is refused) and `railway.workspaceId` is unset",
                "use an account token, or set `railway.workspaceId` to the workspace this workspace token belongs to",
            )
            yield skipped(workspace, "no workspace to look up")
        return
    try:
        found = client.execute(WORKSPACE, {"workspaceId": target.railway_workspace_id})["workspace"]
    except ApiError as error:
        if account:
            yield passed(valid, "an account token")
        else:
            yield failed(
                valid,
                f"neither `me` nor workspace {target.railway_workspace_id!r} answers: {error.api_message}",
                "a project token cannot create projects: use an account token or a token of that workspace",
            )
        yield failed(
            workspace,
            f"workspace {target.railway_workspace_id!r} is not found or not reachable with this token",
            "set `railway.workspaceId` to a workspace id the token can reach (the workspace's settings page), or "
            "create the token in that workspace",
        )
        return
    yield passed(valid, "an account token" if account else f"a workspace token of {found['name']!r}")
    yield passed(workspace, f"{found['name']!r} ({found['id']})")


# Supabase -----------------------------------------------------------------------------------------


def supabase(target: Target, environ: dict[str, str]) -> Iterator[Result]:
    token = token_set(
        SUPABASE_TOKEN,
        environ,
        "create a personal access token (supabase.com > Account > Access Tokens) and export it",
    )
    yield token
    valid = f"{SUPABASE_TOKEN} can list organizations"
    exists = f"Supabase organization {target.supabase_organization!r} exists"
    plan = f"Supabase organization is on the {target.supabase_plan!r} plan"
    if token.status is not Status.PASS:
        yield from (skipped(name, "no token") for name in (valid, exists, plan))
        return
    client = SupabaseClient.from_environment()
    try:
        organizations = client.list_organizations()
    except ApiError as error:
        yield failed(
            valid,
            f"Supabase refused it: {error.api_message} (HTTP {error.status})",
            "the token is wrong, expired or revoked: create a new personal access token",
        )
        yield from (skipped(name, "the token is refused") for name in (exists, plan))
        return
    yield passed(valid, f"sees {len(organizations)} organization(s)")
    slugs = sorted(str(o.get("slug")) for o in organizations)
    if target.supabase_organization not in slugs:
        yield failed(
            exists,
            f"not among the token's organizations ({', '.join(slugs) or 'none'})",
            f"create the organization on the {target.supabase_plan!r} plan and make the token's owner a member "
            "(Owner or Administrator), or set `database.organization` to one of those",
        )
        yield skipped(plan, "no organization")
        return
    yield passed(exists, "the token's owner is a member")
    actual = client.get_organization(target.supabase_organization).get("plan")
    if actual == target.supabase_plan:
        yield passed(plan, f"{actual!r}")
    else:
        yield failed(
            plan,
            f"the organization is on {actual!r}; the API cannot change a plan",
            f"change the organization's plan in Supabase (Organization > Billing) to {target.supabase_plan!r}, or "
            "set `database.organization` to an organization on that plan",
        )


# GitHub -------------------------------------------------------------------------------------------


def github(target: Target, environ: dict[str, str]) -> Iterator[Result]:
    from ops.preflight.github import GitHub

    token = token_set(
        GITHUB_TOKEN,
        environ,
        "create a token with the `repo` and `read:org` scopes (or a fine-grained token with Administration: "
        "read and write on the repository and Members: read on the organization) and export it",
    )
    yield token
    full_name = f"{target.github_owner}/{target.github_repository}"
    valid, scopes = "GITHUB_TOKEN is valid", "GITHUB_TOKEN has the `repo` and `read:org` scopes"
    repository = f"GitHub repository {full_name} exists and the token is an admin"
    teams = [f"GitHub team {target.github_owner}/{team} exists" for team in target.reviewer_teams]
    if token.status is not Status.PASS:
        yield from (skipped(name, "no token") for name in (valid, scopes, repository, *teams))
        return
    client = GitHub.from_environment()
    try:
        user = client.user()
    except ApiError as error:
        if error.status not in (401, 403):
            raise
        yield failed(
            valid,
            f"GitHub refused it: {error.api_message} (HTTP {error.status})",
            "the token is wrong, expired or revoked",
        )
        yield from (skipped(name, "the token is refused") for name in (scopes, repository, *teams))
        return
    yield passed(valid, f"belongs to {user.body.get('login')!r}")
    if user.scopes is None:
        yield passed(scopes, "a fine-grained token lists no scopes: the repository and team checks show its access")
    else:
        missing = [s for s in ("repo",) if s not in user.scopes] + ([] if user.scopes & _READ_ORG else ["read:org"])
        if missing:
            yield failed(scopes, f"missing {', '.join(missing)}", "regenerate the token with `repo` and `read:org`")
        else:
            yield passed(scopes, ", ".join(sorted(user.scopes)))
    answer = client.repository(target.github_owner, target.github_repository)
    if answer.status != 200:
        yield failed(
            repository,
            "not found (or the token cannot see it)",
            "create the repository, or correct `github:owner` and `github.repository`; a fine-grained token must "
            "include the repository",
        )
    elif not (answer.body.get("permissions") or {}).get("admin"):
        yield failed(
            repository,
            "the token's account is not an admin of the repository (managing environments needs admin)",
            "make the account a repository admin, or use a token of an admin",
        )
    else:
        yield passed(repository, "admin")
    for team, name in zip(target.reviewer_teams, teams, strict=True):
        if client.team(target.github_owner, team).status == 200:
            yield passed(name, "found")
        else:
            yield failed(
                name,
                "not found (or the token may not read the organization's teams)",
                f"create the team in {target.github_owner}, correct `github.reviewerTeams`, or give the token "
                "`read:org`",
            )


# The backup bucket --------------------------------------------------------------------------------


def backup_bucket(target: Target) -> Iterator[Result]:
    """With boto3's standard AWS credential chain (AWS_PROFILE, the AWS_* variables, an instance role)."""
    reachable = f"backup bucket {target.s3_bucket!r} is reachable"
    encrypted = f"backup bucket {target.s3_bucket!r} encrypts by default"
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        yield failed(reachable, "boto3 is not installed", "pip install -r ops/backup/requirements.txt")
        yield skipped(encrypted, "no S3 client")
        return
    client = boto3.client("s3", region_name=target.aws_region)
    try:
        client.head_bucket(Bucket=target.s3_bucket)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code"))
        if code in _AWS_MISSING:
            yield failed(
                reachable,
                "no such bucket",
                f"create it: aws s3api create-bucket --bucket {target.s3_bucket} --region {target.aws_region} "
                f"--create-bucket-configuration LocationConstraint={target.aws_region}",
            )
        else:
            yield failed(
                reachable,
                f"S3 refused: {code}",
                "give the AWS identity s3:ListBucket on the bucket (and the backup job s3:PutObject)",
            )
        yield skipped(encrypted, "the bucket is not reachable")
        return
    except BotoCoreError as error:
        yield failed(
            reachable,
            f"no answer from S3: {type(error).__name__}",
            "set AWS credentials for the bucket's account (AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY)",
        )
        yield skipped(encrypted, "the bucket is not reachable")
        return
    yield passed(reachable, f"in {target.aws_region}")
    try:
        rules = client.get_bucket_encryption(Bucket=target.s3_bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code"))
        if code != "ServerSideEncryptionConfigurationNotFoundError":
            yield failed(encrypted, f"S3 refused: {code}", "give the AWS identity s3:GetEncryptionConfiguration")
            return
        rules = []
    algorithms = sorted(
        {
            str(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])
            for rule in rules
            if "ApplyServerSideEncryptionByDefault" in rule
        }
    )
    if algorithms:
        yield passed(encrypted, ", ".join(algorithms))
    else:
        yield failed(
            encrypted,
            "no default encryption is configured",
            f"aws s3api put-bucket-encryption --bucket {target.s3_bucket} --server-side-encryption-configuration "
            '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}\'',
        )


def run(target: Target, environ: dict[str, str]) -> list[Result]:
    """Every check, in checklist order. An API that cannot be reached fails its check; the others still run."""
    results: list[Result] = []
    for service, checks in (
        ("Railway", railway(target, environ)),
        ("Supabase", supabase(target, environ)),
        ("GitHub", github(target, environ)),
        ("S3", backup_bucket(target)),
    ):
        try:
            results.extend(checks)
        except ApiError as error:
            if error.operation == CONFIGURATION:
                results.append(failed(f"{service} client settings", error.api_message, "correct the variable it names"))
            else:
                fix = f"check the network path to {service} and retry"
                results.append(failed(f"{service} answers", str(error), fix))
    return results
