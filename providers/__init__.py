"""Pulumi dynamic providers for the services that have no usable Pulumi provider: the provider core
(`core/`) and, per service, its API client and one module per kind (`railway/`, `supabase/`)."""
