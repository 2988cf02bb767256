"""What every policy of the pack needs: property access that survives unknowns, secrets made visible
where the analyzer keeps them, walking properties, and reading a policy's config.

pulumi-policy hands a policy `args.props` wrapped in a proxy that raises `UnknownValueError` on any
unknown value (during preview, outputs of resources not yet created). An unhandled one ends the whole
policy for that resource with a generic "can't run during preview" note, so every policy here first
turns the proxy into plain Python with the shared `Unknown` markers (`unproxied`) and decides per check what an
unknown means (usually: judge it when `pulumi up` knows the value).
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pulumi_policy import PolicyConfigSchema
from pulumi_policy import Secret as PolicySecret
from pulumi_policy import proxy as policy_proxy

from components.values import Secret, Unknown, plain
from policies.converge_policies.stack_graph import Resource

# Sentinels the engine sends for unknown values, one per type (sdk/go/common/resource/sig).
UNKNOWN_SENTINELS = frozenset(
    {
        policy_proxy.UNKNOWN_BOOLEAN_VALUE,
        policy_proxy.UNKNOWN_NUMBER_VALUE,
        policy_proxy.UNKNOWN_STRING_VALUE,
        policy_proxy.UNKNOWN_ARRAY_VALUE,
        policy_proxy.UNKNOWN_ASSET_VALUE,
        policy_proxy.UNKNOWN_ARCHIVE_VALUE,
        policy_proxy.UNKNOWN_OBJECT_VALUE,
    }
)


# How the stack resource's secrets reach a stack validation (stack_outputs.keep_stack_output_secrecy).
SECRET_MARK = "__convergeSecret"  # noqa: S105 - a key name


def unproxied(value: Any) -> Any:
    """Proxied properties -> dicts, lists and scalars, with the shared `Unknown` and `Secret` markers.
    Only remediations, and the stack resource in a stack validation, see secrets marked: validations
    get them unwrapped (pulumi-policy deserializes them as plain values)."""
    # The proxies expose their wrapped container under "__target" (pulumi_policy.deserialize relies on it).
    if isinstance(value, Mapping) and not isinstance(value, dict):
        target = value["__target"]
        if set(target) == {SECRET_MARK}:
            return Secret(unproxied(target[SECRET_MARK]))
        return {str(key): unproxied(target[key]) for key in target}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | list | tuple):
        return [unproxied(item) for item in value["__target"]]  # type: ignore[call-overload]
    if isinstance(value, PolicySecret):
        return Secret(unproxied(value.value))
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return Unknown(value)
    if isinstance(value, dict):
        if set(value) == {SECRET_MARK}:
            return Secret(unproxied(value[SECRET_MARK]))
        return {str(key): unproxied(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [unproxied(item) for item in value]
    return value


def to_wire(value: Any) -> Any:
    """The inverse of `unproxied`, for a remediation's returned properties."""
    if isinstance(value, Secret):
        return PolicySecret(to_wire(value.value))
    if isinstance(value, Unknown):
        return value.sentinel
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    return value


Path = tuple[str | int, ...]


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every scalar (and `Unknown`) in a property tree with its path; secrets are looked through."""
    if isinstance(value, Secret):
        yield from leaves(value.value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def show_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def get(props: Mapping[str, Any], *path: str | int, default: Any = None) -> Any:
    """props[a][b]... on plain properties; `default` when a step is missing, the `Unknown` when one is."""
    node: Any = props
    for part in path:
        if isinstance(node, Secret):
            node = node.value
        if isinstance(node, Unknown):
            return node
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return default
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
    return node.value if isinstance(node, Secret) else node


def config(args: Any, schema: PolicyConfigSchema, key: str) -> Any:
    """A policy config value, else its default in the policy's schema: the CLI fills schema defaults in,
    and whoever runs the pack without them gets the same ones (one default per key)."""
    value = args.get_config().get(key)
    return schema.properties[key].get("default") if value is None else value


# --- URLs ---------------------------------------------------------------------------------------

_URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://[^\s\"'<>]+", re.IGNORECASE)


def urls_in(text: str) -> Iterator[str]:
    for match in _URL.finditer(text):
        yield match.group(0)


def url_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def url_query(url: str) -> dict[str, list[str]]:
    try:
        return parse_qs(urlsplit(url).query)
    except ValueError:
        return {}


def host_matches(host: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in patterns)


def has_password(url: str) -> bool:
    try:
        return bool(urlsplit(url).password)
    except ValueError:
        return False


# --- Sensitive names ----------------------------------------------------------------------------

# Parts of a property or variable name that mean its value is a credential (compared lower-case,
# without separators, so JWT_SECRET, jwtSecret and jwt-secret all match).
SENSITIVE_NAME_PARTS = (
    "secret",
    "token",
    "password",
    "passwd",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "signingkey",
    "servicerolekey",
    "credential",
    "dsn",
    "webhook",
    "connectionstring",
    "databaseurl",
    "redisurl",
    "plaintextvalue",
)
# ...unless the name only names or describes one: secretName, tokenId, passwordLength, ...
NON_SECRET_NAME_SUFFIXES = ("name", "names", "id", "ids", "length", "path", "version", "rotation", "enforcement")


def normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_sensitive_name(name: str) -> bool:
    key = normalized(name)
    if key.endswith(NON_SECRET_NAME_SUFFIXES):
        return False
    return any(part in key for part in SENSITIVE_NAME_PARTS)


def is_credential_url(value: Any) -> bool:
    """A URL that carries a password (postgres://user:pass@host, redis://default:pass@host)."""
    return isinstance(value, str) and any(has_password(url) for url in urls_in(value))


# Credentials recognisable by their shape alone: the issuers' documented prefixes and formats.
CREDENTIAL_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a PEM private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Stripe key", re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/services/[A-Za-z0-9_/-]{8,}")),
    ("a SendGrid API key", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Supabase key", re.compile(r"\b(?:sbp|sb_secret)_[A-Za-z0-9_]{20,}")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}")),
)
# A value under a sensitive name is a credential when it looks random: one word, long enough, and with
# the Shannon entropy of random text (a date, a flag or a word falls well below it).
MIN_SECRET_LENGTH = 16
_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9+/=_.~-]+")  # the alphabets keys are written in (hex, base64)
MIN_SECRET_BITS_PER_CHARACTER = 3.0


def entropy_bits_per_character(text: str) -> float:
    if not text:
        return 0.0
    counts = [text.count(character) for character in set(text)]
    return -sum(count / len(text) * math.log2(count / len(text)) for count in counts)


def credential_kind(name: str | None, value: Any) -> str | None:
    """What credential `value` (found under `name`) is, by its shape; None when nothing shows it is one."""
    if not isinstance(value, str):
        return None
    if is_credential_url(value):
        return "a URL with a password"
    for kind, pattern in CREDENTIAL_SHAPES:
        if pattern.search(value):
            return kind
    text = value.strip()
    if (
        name is not None
        and is_sensitive_name(name)
        and len(text) >= MIN_SECRET_LENGTH
        and _TOKEN_CHARACTERS.fullmatch(text) is not None  # not a URL, an image reference, a sentence
        and entropy_bits_per_character(text) >= MIN_SECRET_BITS_PER_CHARACTER
    ):
        return f"a random-looking value under the sensitive name {name!r}"
    return None


# --- Stack resources ----------------------------------------------------------------------------


def stack_resources(args: Any) -> list[Resource]:
    """A stack validation's resources for the stack graph (secrets revealed, unknowns kept)."""
    result: list[Resource] = []
    for resource in args.resources:
        parent = resource.parent.urn if resource.parent is not None else (resource.opts.parent or None)
        result.append(
            Resource(
                type=resource.resource_type,
                urn=resource.urn,
                name=resource.name,
                props=plain(unproxied(resource.props)),
                parent=parent,
                dependencies=tuple(dependency.urn for dependency in resource.dependencies),
            )
        )
    return result
