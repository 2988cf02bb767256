"""GitHubEnvironment: a deployment environment and the contract production-deploy-gate reads."""

from components.github_environment.component import GitHubEnvironment, GitHubEnvironmentArgs

__all__ = ["GitHubEnvironment", "GitHubEnvironmentArgs"]
