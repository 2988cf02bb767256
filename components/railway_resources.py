"""Property names of the Railway provider's resources (providers/railway) that policies and the cost
model read, each named once. The backend and Redis components both register these resources, so the
names live beside both rather than in either; the provider rewrite changes them here only."""

from __future__ import annotations

from typing import Final

# pulumi-python:dynamic/railway:Service
SERVICE_NAME: Final = "name"
SERVICE_IMAGE: Final = "image"
SERVICE_REPLICAS: Final = "numReplicas"
SERVICE_START_COMMAND: Final = "startCommand"
# pulumi-python:dynamic/railway:ServiceLimits
LIMITS_VCPUS: Final = "vcpus"
LIMITS_MEMORY_GB: Final = "memoryGb"
# pulumi-python:dynamic/railway:Volume
VOLUME_MOUNT_PATH: Final = "mountPath"
# pulumi-python:dynamic/railway:Variables
VARIABLES_SECRETS: Final = "secrets"
# pulumi-python:dynamic/railway:CustomDomain / ServiceDomain
DOMAIN_NAME: Final = "domain"
DOMAIN_CERTIFICATE_STATUS: Final = "certificateStatus"
CERTIFICATE_ISSUE_FAILED: Final = "CERTIFICATE_STATUS_TYPE_ISSUE_FAILED"
# pulumi-python:dynamic/railway:UsageLimit
USAGE_HARD_LIMIT_DOLLARS: Final = "hardLimitDollars"
USAGE_SOFT_LIMIT_DOLLARS: Final = "softLimitDollars"
# pulumi-python:dynamic/railway:ProjectToken
PROJECT_TOKEN: Final = "token"  # noqa: S105 - a property name
