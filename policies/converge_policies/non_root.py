"""non-root-containers: every container runs as a non-root user (seed: "Docker containers run as nodejs user").

- An image the stack builds (`docker:index/image:Image`): the Dockerfile it builds is read and the
  stage it builds (`build.target`, else the last) must end with a USER that is not root or UID 0.
- An image a Railway service runs: when its repository is one this project builds (the stack's
  `image.repository` or `watchdog.imageRepository`, or `builtImages`; e.g. a digest CI built from our
  Dockerfile), that Dockerfile
  is checked the same way; any other image passes only if `externalImages` lists it with the reason
  it is safe (by default the Redis image, components/redis_cache/contract.py). When that reason is an
  ENTRYPOINT that drops root (`entrypoint`), what runs is judged as a whole: Railway's start command
  replaces the image's ENTRYPOINT, so a start command must exec that entrypoint with a command it drops
  root for (`dropsPrivilegesFor`); `sh -c 'exec redis-server …'` would run Redis as root.

Relative Dockerfile paths are resolved against `projectRoot` (default: the repository holding this
pack; the Pulumi program's working directory, which is what pulumi-docker resolves them against).
"""

from __future__ import annotations

import fnmatch
import posixpath
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from components import railway_resources as railway
from components import tokens
from components.backend_image.contract import BUILD_TARGET
from components.redis_cache.contract import (
    EXTERNAL_IMAGE_DROPS_PRIVILEGES_FOR,
    EXTERNAL_IMAGE_ENTRYPOINT,
    EXTERNAL_IMAGE_PATTERN,
    EXTERNAL_IMAGE_REASON,
)
from components.redis_cache.start_command import executed_words
from components.values import is_unknown, plain
from components.watchdog_service.contract import DOCKERFILE as WATCHDOG_DOCKERFILE
from policies.converge_policies.common import config, get, unproxied
from policies.converge_policies.dockerfile import DockerfileError, final_user
from policies.converge_policies.stack_settings import stack_settings

NAME = "non-root-containers"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
# Images this project runs but does not build, each with the reason it runs as a non-root user.
DEFAULT_EXTERNAL_IMAGES = [
    {
        "image": EXTERNAL_IMAGE_PATTERN,
        "reason": EXTERNAL_IMAGE_REASON,
        "entrypoint": EXTERNAL_IMAGE_ENTRYPOINT,
        "dropsPrivilegesFor": list(EXTERNAL_IMAGE_DROPS_PRIVILEGES_FOR),
    }
]


CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "projectRoot": {
            "type": "string",
            "description": "Directory relative Dockerfile paths are resolved against (default: the repository "
            "this pack is in).",
            "default": "",
        },
        "builtImages": {
            "type": "object",
            "description": "Image repository -> the Dockerfile (and target stage) it is built from, for "
            "images deployed by reference besides the stack's own `image.repository`.",
            "additionalProperties": {
                "type": "object",
                "properties": {"dockerfile": {"type": "string"}, "target": {"type": "string"}},
                "required": ["dockerfile"],
            },
            "default": {},
        },
        "externalImages": {
            "type": "array",
            "description": "Images from elsewhere allowed to run, each with why it is safe (fnmatch patterns).",
            "items": {
                "type": "object",
                "properties": {
                    "image": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 20},
                    "entrypoint": {
                        "type": "string",
                        "minLength": 1,
                        "description": "The image's ENTRYPOINT, when it is what drops root: a start command "
                        "(which replaces the ENTRYPOINT on Railway) must then run it.",
                    },
                    "dropsPrivilegesFor": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "description": "The commands the entrypoint drops root for (its first argument).",
                    },
                },
                "required": ["image", "reason"],
                "additionalProperties": False,
            },
            "default": DEFAULT_EXTERNAL_IMAGES,
        },
    }
)


def image_repository(image: str) -> str:
    """`ghcr.io/o/backend@sha256:...` or `ghcr.io/o/backend:tag` -> `ghcr.io/o/backend`."""
    name = image.split("@", 1)[0]
    head, _, tail = name.rpartition("/")
    return f"{head}/{tail.split(':', 1)[0]}" if head else tail.split(":", 1)[0]


def dockerfile_problem(root: Path, dockerfile: str, context: str | None, target: str | None, args: Any) -> str | None:
    """Why the image built from this Dockerfile would run as root; None when it does not."""
    candidates = [Path(dockerfile)] if Path(dockerfile).is_absolute() else [root / dockerfile]
    if context and not Path(dockerfile).is_absolute():
        candidates.append(root / context / dockerfile)
    path = next((candidate for candidate in candidates if candidate.is_file()), None)
    if path is None:
        return f"Dockerfile {dockerfile} not found (looked in {', '.join(str(c) for c in candidates)})"
    build_args = {str(k): str(v) for k, v in args.items() if isinstance(v, str | int | float)} if args else {}
    try:
        user = final_user(path.read_text(), target, build_args)
    except DockerfileError as error:
        return f"{dockerfile}: {error}"
    stage = f"{dockerfile} stage {user.stage}"
    fix = "end the stage with `USER <non-root name or UID>`"
    if not user.resolved:
        return (
            f"{stage}: USER {user.written} (line {user.line}) cannot be resolved without building ({user.problem}); "
            "give the variable a value in the Dockerfile (ARG NAME=<uid>) or write the UID"
        )
    if user.user is None:
        return f"{stage} sets no USER, so it runs as the base image's user (root for {user.base}); {fix}"
    if user.is_root:
        return f"{stage}: USER {user.written} (line {user.line}) is root; {fix}"
    return None


def _root(args: ResourceValidationArgs) -> Path:
    configured = config(args, CONFIG_SCHEMA, "projectRoot")
    return Path(configured) if configured else REPOSITORY_ROOT


def check_image(args: ResourceValidationArgs, report_violation: ReportViolation, props: dict[str, Any]) -> None:
    build = props.get("build")
    dockerfile = get(props, "build", "dockerfile", default="Dockerfile") if isinstance(build, dict) else "Dockerfile"
    context, target = get(props, "build", "context"), get(props, "build", "target")
    if any(is_unknown(value) for value in (dockerfile, context, target)):
        return  # judged by `pulumi up`, when the build inputs are known
    problem = dockerfile_problem(_root(args), dockerfile, context, target, get(props, "build", "args"))
    if problem:
        report_violation(f"image '{props.get('imageName')}' would run as root: {problem}.", None)


def check_service(args: ResourceValidationArgs, report_violation: ReportViolation, props: dict[str, Any]) -> None:
    image = props.get(railway.SERVICE_IMAGE)
    if not isinstance(image, str) or not image:
        return  # unknown in preview when it is the digest of an image built in this run (checked above)
    settings = stack_settings()
    image_settings = settings.image
    built = {
        image_settings.repository: {"dockerfile": image_settings.dockerfile, "target": BUILD_TARGET},
        settings.watchdog.image_repository: {"dockerfile": WATCHDOG_DOCKERFILE},
        **config(args, CONFIG_SCHEMA, "builtImages"),
    }
    repository = image_repository(image)
    if repository in built:
        entry = built[repository]
        problem = dockerfile_problem(_root(args), entry["dockerfile"], None, entry.get("target"), None)
        if problem:
            report_violation(
                f"service '{props.get('name')}' runs {repository}, which would run as root: {problem}.", None
            )
        return
    for allowed in config(args, CONFIG_SCHEMA, "externalImages"):
        if fnmatch.fnmatchcase(image, allowed["image"]) and str(allowed.get("reason", "")).strip():
            problem = start_command_problem(allowed, props.get(railway.SERVICE_START_COMMAND))
            if problem:
                report_violation(f"service '{props.get('name')}' runs {image} as root: {problem}.", None)
            return
    report_violation(
        f"service '{props.get('name')}' runs {image}, which this project does not build and `externalImages` does "
        "not list; nothing shows it runs as a non-root user.",
        None,
    )


def start_command_problem(allowed: dict[str, Any], command: Any) -> str | None:
    """Why a start command would keep an allow-listed image running as root: the image relies on its
    ENTRYPOINT to drop root, and a Railway start command replaces the ENTRYPOINT, so the command must run
    it with a command it drops root for. Only the program names are quoted: the rest may hold a password."""
    entrypoint = allowed.get("entrypoint")
    if not entrypoint or command is None or command == "" or is_unknown(command):
        return None  # no start command: the image's own ENTRYPOINT runs (unknown: judged at `pulumi up`)
    commands = allowed.get("dropsPrivilegesFor") or []
    fix = (
        f"start it through the entrypoint: `{entrypoint} {commands[0] if commands else '<command>'} …` "
        f"(in a shell: sh -c 'exec {entrypoint} …')"
    )
    words = executed_words(command)
    if words is None:
        return (
            f"its start command is not one simple command, so nothing shows it runs {entrypoint}, which drops "
            f"root; {fix}"
        )
    name = posixpath.basename
    if name(words[0]) == name(entrypoint) and len(words) > 1 and name(words[1]) in {name(c) for c in commands}:
        return None
    return (
        f"its start command execs `{name(words[0])}`, and Railway's start command replaces the image's ENTRYPOINT "
        f"({entrypoint}), which is what drops root to an unprivileged user; {fix}"
    )


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == tokens.DOCKER_IMAGE:
        check_image(args, report_violation, plain(unproxied(args.props)))
    elif args.resource_type == tokens.RAILWAY_SERVICE:
        check_service(args, report_violation, plain(unproxied(args.props)))


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Containers run as a non-root user: built images end with a non-root USER, other images are "
    "allow-listed with a reason.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=CONFIG_SCHEMA,
    remediation_steps=(
        "End the built stage with `USER <non-root name or UID>` (docker/backend/Dockerfile: USER 10001:10001). For "
        "an image from elsewhere, check how it drops privileges and add it to `externalImages` in "
        "policies/config/<stack>.json with that reason."
    ),
)
