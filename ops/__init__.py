"""Operational tooling for Converge-NPS that runs outside the Pulumi program (backups, drills)."""
