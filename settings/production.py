"""Production's invariants, stated once: the settings model checks them on a stack's config, the policy
pack's production gate on what the program registered.

Seed: "Production (manual deploy from main)", "manual approval", "Min replicas: 2", Redis "Persistence:
RDB + AOF", "Manual backups: Weekly to S3". A fact passed as None is not known to the caller (a policy
sees only some resources; a preview leaves some values unknown) and is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from settings.seed import MIN_PRODUCTION_REPLICAS


@dataclass(frozen=True)
class ProductionFacts:
    auto_deploy: bool | None = None
    has_reviewers: bool | None = None
    prevent_self_review: bool | None = None
    backups_scheduled: bool | None = None
    rdb_snapshots: bool | None = None
    append_only: bool | None = None
    min_replicas: int | None = None


@dataclass(frozen=True)
class ProductionViolation:
    """`setting` is the settings key that fixes it; `rule` reads after the name of what breaks it."""

    setting: str
    rule: str


def production_violations(facts: ProductionFacts) -> list[ProductionViolation]:
    found: list[ProductionViolation] = []

    def require(broken: bool, setting: str, rule: str) -> None:
        if broken:
            found.append(ProductionViolation(setting, rule))

    require(facts.auto_deploy is True, "autoDeploy", "deploys without manual approval (autoDeploy must be false)")
    require(
        facts.has_reviewers is False,
        "github.reviewerTeams",
        "has no required reviewers (set a team in github.reviewerTeams or a user in github.reviewerUsers)",
    )
    require(
        facts.prevent_self_review is False,
        "github.preventSelfReview",
        "lets the deployer approve their own deployment (github.preventSelfReview must be true)",
    )
    require(
        facts.backups_scheduled is False,
        "backups.scheduled",
        "has no scheduled S3 backups (backups.scheduled must be true)",
    )
    require(facts.rdb_snapshots is False, "redis.rdbSnapshots", "runs Redis without RDB snapshots")
    require(facts.append_only is False, "redis.appendOnly", "runs Redis without AOF persistence")
    require(
        facts.min_replicas is not None and facts.min_replicas < MIN_PRODUCTION_REPLICAS,
        "backend.minReplicas",
        f"runs fewer than {MIN_PRODUCTION_REPLICAS} backend replicas (backend.minReplicas is {facts.min_replicas})",
    )
    return found
