"""Keep database passwords out of every line this tool prints."""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

# Up to the last '@' of the URL: a password may hold unencoded '@' and '/'; masking too much is harmless.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*):(?P<secret>\S*)@", re.IGNORECASE)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE)

MASK = "***"

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember a secret (e.g. the password of a URL) so that it is masked wherever it appears."""
    if not secret or len(secret) < 3:
        return
    with _lock:
        _secrets.add(secret)
        _secrets.add(quote(secret, safe=""))


def redact(text: str) -> str:
    """Mask passwords in URLs, `password=` pairs and every registered secret."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:{MASK}@", text)
    text = _KV_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}", text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text
