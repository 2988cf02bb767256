"""SupabaseDatabase: the stack's PostgreSQL project, the contract its policies read and its cost."""

from components.supabase_database.component import SupabaseDatabase, SupabaseDatabaseArgs

__all__ = ["SupabaseDatabase", "SupabaseDatabaseArgs"]
