"""Values shaped like credentials, so that one in a key that is not secret is refused before it is stored.

A stack file is committed: a token pasted into a plaintext key is leaked by the next push. Shapes are
the issuers' documented prefixes and formats; each needs enough characters after its prefix that a
name like `ghp_tools` is not mistaken for a token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from settings.sources import config_path, decode_config_value, is_secure_value

_BEFORE = r"(?<![A-Za-z0-9])"
CREDENTIAL_SHAPES: dict[str, re.Pattern[str]] = {
    "URL with a password (user info)": re.compile(r"//[^/?#@\s:]*:[^/?#@\s]+@"),
    "GitHub token": re.compile(_BEFORE + r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
    "Slack token": re.compile(_BEFORE + r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    "Supabase access token": re.compile(_BEFORE + r"sbp_[A-Za-z0-9]{30,}"),
    "AWS access key id": re.compile(_BEFORE + r"(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
    "SendGrid API key": re.compile(_BEFORE + r"SG\.[A-Za-z0-9_-]{10,}"),
    "Stripe secret key": re.compile(_BEFORE + r"[rs]k_live_[A-Za-z0-9]{10,}"),
    "JSON Web Token": re.compile(_BEFORE + r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    "PEM private key": re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"),
}


def credential_kind(text: str) -> str | None:
    """What kind of credential `text` holds somewhere in it, or None."""
    return next((kind for kind, shape in CREDENTIAL_SHAPES.items() if shape.search(text)), None)


def plaintext_credentials(config: Mapping[str, Any], secret_keys: frozenset[str]) -> Iterator[tuple[str, str]]:
    """(path, kind) of each credential-shaped text in a config key that is not secret, at any depth.

    Paths are named as messages name them (`converge-nps:database.organization`, `aws:roles[0]`).
    """
    for key, value in config.items():
        if key not in secret_keys:
            yield from _walk(key, (), decode_config_value(value))


def _walk(key: str, location: tuple[str | int, ...], value: Any) -> Iterator[tuple[str, str]]:
    if is_secure_value(value):
        return
    if isinstance(value, Mapping):
        for name, child in value.items():
            yield from _walk(key, (*location, str(name)), child)
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _walk(key, (*location, index), child)
    elif isinstance(value, str) and (kind := credential_kind(value)):
        yield config_path(key, location), kind
