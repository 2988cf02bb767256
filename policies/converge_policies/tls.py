"""tls-in-transit: every connection a resource declares is encrypted (seed: "TLS 1.3 - All traffic encrypted").

Looks at every string a resource is given (secrets included: a validation sees them unwrapped):
- http:// and ws:// URLs must be https:// and wss://;
- PostgreSQL URLs must ask for TLS (`sslmode=require`, `verify-ca` or `verify-full`);
- Redis URLs must be `rediss://`;
except for hosts on a private network (Railway's `*.railway.internal`, loopback), which the config lists.
Supabase SSL enforcement must be on, and any property that sets a minimum TLS version must be at
least the configured one (1.3). Railway and Supabase expose no TLS-version setting in their APIs
(both terminate TLS themselves); the rule catches any resource that does.

Messages name the property and the URL's scheme and host, never the whole URL: it may carry a password.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from components import tokens
from components.supabase_database import contract as supabase
from components.values import is_unknown, plain
from policies.converge_policies.common import (
    config,
    host_matches,
    leaves,
    normalized,
    show_path,
    unproxied,
    url_host,
    url_query,
    urls_in,
)

NAME = "tls-in-transit"

SECURE_SSLMODES = ("require", "verify-ca", "verify-full")
DEFAULT_PRIVATE_HOSTS = ["*.railway.internal", "localhost", "127.0.0.1", "[::1]", "::1"]
_TLS_VERSION_NAMES = ("mintlsversion", "minimumtlsversion", "tlsminversion", "sslminprotocolversion", "tlsversion")
_VERSION = re.compile(r"(\d+)[._](\d+)")


CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "minimumTlsVersion": {
            "type": "string",
            "pattern": r"^1\.[0-3]$",
            "description": "Lowest TLS version a resource may allow (seed: 1.3).",
            "default": "1.3",
        },
        "privateHosts": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "Host patterns on a private network, where plaintext http/redis is allowed.",
            "default": DEFAULT_PRIVATE_HOSTS,
        },
    }
)


def tls_version(value: Any) -> tuple[int, int] | None:
    """ "1.2", "TLSv1_3", "TLS1.3" -> (1, 2)/(1, 3)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:.1f}"
    match = _VERSION.search(str(value))
    return (int(match.group(1)), int(match.group(2))) if match else None


def url_problem(url: str, private_hosts: list[str], minimum: tuple[int, int] = (1, 3)) -> str | None:
    scheme = url.split("://", 1)[0].lower()
    host = url_host(url)
    private = host_matches(host, private_hosts)
    where = f"{scheme}://{host or '?'}"
    if scheme in ("http", "ws") and not private:
        return f"{where} is plaintext; use {'https' if scheme == 'http' else 'wss'}://"
    if scheme in ("postgres", "postgresql"):
        query = url_query(url)
        modes = query.get("sslmode", [])
        if not modes or modes[-1].lower() not in SECURE_SSLMODES:
            found = f"sslmode={modes[-1]}" if modes else "no sslmode"
            return f"{where} has {found}; add sslmode=require (or verify-full)"
        # libpq's own minimum (default TLSv1.2) may be set in the URL; lowering it below ours is a violation.
        for value in query.get("ssl_min_protocol_version", [])[-1:]:
            version = tls_version(value)
            if version is None or version < minimum:
                return (
                    f"{where} allows {value}; ssl_min_protocol_version must be TLSv{minimum[0]}.{minimum[1]} or above"
                )
    if scheme == "redis" and not private:
        return f"{where} is plaintext Redis outside the private network; use rediss://"
    return None


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = plain(unproxied(args.props))
    private_hosts = list(config(args, CONFIG_SCHEMA, "privateHosts"))
    configured = config(args, CONFIG_SCHEMA, "minimumTlsVersion")
    minimum = tls_version(configured)
    if minimum is None:
        # The schema's pattern lets only 1.0 to 1.3 through, so only a pack run without it gets here.
        raise ValueError(f"minimumTlsVersion {configured!r} is not a TLS version")
    for path, value in leaves(props):
        key = next((part for part in reversed(path) if isinstance(part, str)), "")
        if isinstance(value, str):
            for url in urls_in(value):
                problem = url_problem(url, private_hosts, minimum)
                if problem:
                    report_violation(f"{show_path(path)}: {problem}.", None)
        if normalized(key) in _TLS_VERSION_NAMES and not is_unknown(value) and value is not None:
            version = tls_version(value)
            if version is None or version < minimum:
                report_violation(
                    f"{show_path(path)}: minimum TLS version {value!r} is below TLS {minimum[0]}.{minimum[1]}.", None
                )
    if args.resource_type == tokens.SUPABASE_SSL_ENFORCEMENT:
        enforced = props.get(supabase.SSL_ENFORCED)
        if enforced is False:
            report_violation("Supabase SSL enforcement is off: the database would accept plaintext connections.", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Every connection is encrypted: https/wss URLs, TLS to PostgreSQL and Redis, SSL enforcement on, "
    "TLS 1.3 minimum where a resource sets one.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=CONFIG_SCHEMA,
    remediation_steps=(
        "Use https:// and wss:// URLs; add ?sslmode=require to PostgreSQL URLs (Supabase pooler: port 6543); use "
        "rediss:// for Redis outside *.railway.internal; keep SupabaseSslEnforcement(enforced=True); set TLS "
        "minimums to 1.3."
    ),
)
