"""What the Supabase providers raise besides the client's `ApiError`, without importing the client."""

from __future__ import annotations

API = "Supabase Management API"


class SupabaseError(Exception):
    """A problem the API reported in a 2xx answer, or a check of what it reported that failed."""
