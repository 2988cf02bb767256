"""Backups of the Converge-NPS database to S3, restores and the disaster-recovery drill.

Run as ``python -m ops.backup {backup,restore,drill,prune,list}``; see docs/backups.md.
"""
