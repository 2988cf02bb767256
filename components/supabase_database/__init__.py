"""SupabaseDatabase: the stack's PostgreSQL project, the contract its policies read and its cost."""
