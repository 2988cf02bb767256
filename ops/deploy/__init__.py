"""The steps the deploy workflow runs after `pulumi up`, in the seed's order: a backup (production), the
database migrations, smoke tests, a rollback when they fail, and a Slack notification; plus the drift report
and production's saved-plan checks.

Run as ``python -m ops.deploy <step> ...``; see docs/deploy.md.
"""
