"""Which outputs of the generated secrets are credentials (they must be additionalSecretOutputs),
named once for the component and for sensitive-values-are-secrets."""

from __future__ import annotations

from typing import Final

from components import tokens

SECRET_OUTPUTS: Final[dict[str, tuple[str, ...]]] = {
    tokens.RANDOM_BYTES: ("hex", "base64"),
    tokens.RANDOM_PASSWORD: ("result", "bcryptHash"),
}

# The backend's variables holding the previous generation's JWT secrets during the overlap after a rotation
# (docs/secrets.md): verify with them, never sign.
JWT_SECRET_PREVIOUS: Final = "JWT_SECRET_PREVIOUS"  # noqa: S105 - a variable name
JWT_REFRESH_SECRET_PREVIOUS: Final = "JWT_REFRESH_SECRET_PREVIOUS"  # noqa: S105 - a variable name
