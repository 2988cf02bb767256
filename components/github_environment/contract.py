"""What the policy pack reads of a GitHubEnvironment's resources (pulumi-github's property names),
each named once."""

from __future__ import annotations

from typing import Final

# github:index/repositoryEnvironment:RepositoryEnvironment
ENVIRONMENT_NAME: Final = "environment"
REVIEWERS: Final = "reviewers"
REVIEWER_KINDS: Final = ("teams", "users")
CAN_ADMINS_BYPASS: Final = "canAdminsBypass"
PREVENT_SELF_REVIEW: Final = "preventSelfReview"
DEPLOYMENT_BRANCH_POLICY: Final = "deploymentBranchPolicy"
CUSTOM_BRANCH_POLICIES: Final = "customBranchPolicies"
# github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy
POLICY_ENVIRONMENT: Final = "environment"
BRANCH_PATTERN: Final = "branchPattern"
TAG_PATTERN: Final = "tagPattern"
# Actions variables are stored and shown in plaintext: (name property, value property).
VARIABLE_NAME: Final = "variableName"
VARIABLE_VALUE: Final = "value"
# Actions secrets: the value properties, credentials whatever the secret is called.
SECRET_VALUES: Final = ("plaintextValue", "value")
