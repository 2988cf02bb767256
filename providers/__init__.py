"""Pulumi dynamic providers for the services that have no usable Pulumi provider (Railway, Supabase)."""
