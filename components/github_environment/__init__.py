"""GitHubEnvironment: a deployment environment and the contract production-deploy-gate reads."""
