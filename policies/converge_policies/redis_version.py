"""redis-version: no Redis older than the stack's minimum patched release.

Redis releases fix critical vulnerabilities (CVE-2025-49844, a use-after-free in the Lua engine that
lets an authenticated client run code, was fixed in 7.4.6 and 8.2.2), so each stack names the oldest
release it accepts (`minimumVersion` in policies/config/<stack>.json). Checked on every Railway service
whose image is a Redis image (`redis`, `bitnami/redis`, `docker.io/library/redis`, ...): the version is
the leading `X.Y.Z` of the image tag, compared as versions (`packaging.version`), never as strings.
An image whose tag names no version (`latest`, `alpine`, a bare digest) or a pre-release (`8.2-rc1`) is
refused: nothing shows it is patched. An image not known yet (preview) is judged by `pulumi up`.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.version import InvalidVersion, Version
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from components import railway_resources as railway
from components import tokens
from components.values import Secret, plain
from policies.converge_policies.common import config, unproxied
from policies.converge_policies.non_root import image_repository

NAME = "redis-version"
# The first 8.x release with the fix of CVE-2025-49844; the stack config files set their own minimum.
DEFAULT_MINIMUM = "8.2.2"
# `8.10.1-alpine`, `7.4.6`, and the pre-release tags Redis publishes (`8.2-rc1`, `8.0-m03-alpine`).
_TAG_VERSION = re.compile(r"^v?(\d+(?:\.\d+){0,2})(?:-(rc|m)(\d+))?(?=$|[-_])")


def is_redis_image(image: str) -> bool:
    return image_repository(image).rsplit("/", 1)[-1] == "redis"


def image_version(image: str) -> Version | None:
    """The Redis version an image reference names (`redis:7.4.6-alpine` -> 7.4.6), None if it names none."""
    name = image.split("@", 1)[0]
    _, _, last = name.rpartition("/")
    if ":" not in last:
        return None
    match = _TAG_VERSION.match(last.split(":", 1)[1])
    if match is None:
        return None
    release, stage, number = match.groups()
    # Milestones come before release candidates, as alphas do in packaging's ordering.
    return Version(f"{release}{'a' if stage == 'm' else stage}{number}" if stage else release)


def problem(image: str, minimum: Version) -> str | None:
    """Why a Redis image may not run; None when it may."""
    version = image_version(image)
    if version is None:
        return f"its tag names no Redis version, so nothing shows it is at least {minimum}"
    if version.is_prerelease:
        return f"Redis {version} is a pre-release, not a patched release"
    if version < minimum:
        return f"Redis {version} is older than {minimum}, the oldest patched release this stack accepts"
    return None


CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "minimumVersion": {
            "type": "string",
            "pattern": r"^\d+\.\d+\.\d+$",
            "description": "The oldest Redis release (X.Y.Z) this stack may run.",
            "default": DEFAULT_MINIMUM,
        },
    }
)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != tokens.RAILWAY_SERVICE:
        return
    props: dict[str, Any] = plain(unproxied(args.props))
    image = props.get(railway.SERVICE_IMAGE)
    if isinstance(image, Secret):
        image = image.value
    if not isinstance(image, str) or not is_redis_image(image):
        return  # not Redis, or not known yet (preview): `pulumi up` judges the known value
    configured = config(args, CONFIG_SCHEMA, "minimumVersion")
    try:
        minimum = Version(str(configured))
    except InvalidVersion:
        report_violation(f"`minimumVersion` {configured!r} is not a version.", None)
        return
    reason = problem(image, minimum)
    if reason:
        report_violation(f"service '{props.get(railway.SERVICE_NAME)}' runs {image}: {reason}.", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Redis runs a release at or above the stack's minimum patched version.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=CONFIG_SCHEMA,
    remediation_steps=(
        "Set `redis.image` in Pulumi.<stack>.yaml (default: settings/model.py) to a version tag at or above the "
        "stack's `minimumVersion` in policies/config/<stack>.json, e.g. redis:8.10.1-alpine."
    ),
)
