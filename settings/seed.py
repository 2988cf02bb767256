"""Rules the seed (`INFRASTRUCTURE_SETUP_SUMMARY.md`) fixes for every stack.

Per-stack figures (replica counts, Redis size, budgets) live in `Pulumi.<stack>.yaml`;
what is here are the invariants those files are checked against, each stated once.
"""

from typing import Final, Literal, get_args

# One stack per environment, each bound to its own: no stack may deploy another's environment or branch.
ENVIRONMENT_BY_STACK: Final = {"dev": "development", "staging": "staging", "prod": "production"}

# "Development (auto-deploy from develop branch)", "Staging (staging)", "Production (manual deploy from main)".
DEPLOY_BRANCH_BY_ENVIRONMENT: Final = {"development": "develop", "staging": "staging", "production": "main"}
# Production's branch is also the repository's default branch, which scheduled workflows run from.
PRODUCTION_ENVIRONMENT: Final = "production"
PRODUCTION_BRANCH: Final = DEPLOY_BRANCH_BY_ENVIRONMENT[PRODUCTION_ENVIRONMENT]

# "Development: Free tier", "Staging: Pro", "Production: Pro".
PLAN_BY_ENVIRONMENT: Final = {"development": "free", "staging": "pro", "production": "pro"}

# Supabase daily backups by organization plan: none on Free, 7 days on Pro, 14 on Team (specs/README.md).
BACKUP_RETENTION_DAYS_BY_PLAN: Final = {"free": 0, "pro": 7, "team": 14, "enterprise": 30}
# "Daily automated backups (7-day retention)" for the production database.
MIN_PRODUCTION_BACKUP_RETENTION_DAYS: Final = 7

# "Auto-scaling limits (max 5 replicas)", "Min replicas: 2" in production.
MAX_REPLICAS: Final = 5
MIN_PRODUCTION_REPLICAS: Final = 2


def min_replicas(environment: str) -> int:
    """The fewest backend replicas an environment may run."""
    return MIN_PRODUCTION_REPLICAS if environment == PRODUCTION_ENVIRONMENT else 1


# "Eviction: allkeys-lru": the only policy the settings accept, and their default.
RedisEvictionPolicy = Literal["allkeys-lru"]
REDIS_EVICTION_POLICY: Final[RedisEvictionPolicy] = get_args(RedisEvictionPolicy)[0]

# "Rotate secrets - Every 90 days"; "Strong secrets - 256-bit random keys".
SECRET_ROTATION_DAYS: Final = 90
SECRET_BITS: Final = 256
