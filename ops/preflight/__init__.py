"""First contact: read-only checks with the real credentials before a stack's first `pulumi up`."""
